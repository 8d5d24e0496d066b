package docs_test

import (
	"os"
	"regexp"
	"testing"
)

// TestHTTPAPISettingsExist keeps http-api.md's settings honest: every JWTKIT_ variable it names
// is one the example servers read.
func TestHTTPAPISettingsExist(t *testing.T) {
	doc, err := os.ReadFile("http-api.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../examples/internal/demo/settings.go")
	if err != nil {
		t.Fatal(err)
	}
	variable := regexp.MustCompile(`JWTKIT_[A-Z_]+[A-Z]`)
	read := map[string]bool{}
	for _, v := range variable.FindAllString(string(src), -1) {
		read[v] = true
	}
	named := variable.FindAllString(string(doc), -1)
	if len(named) == 0 {
		t.Fatal("http-api.md names no JWTKIT_ variable")
	}
	for _, v := range named {
		if !read[v] {
			t.Errorf("http-api.md names %s, which the example servers do not read", v)
		}
	}
}
