package docs_test

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The repository's Markdown must hold together on its own: every relative link names a file or
// folder of the repository (and a heading of it, for a #fragment into a Markdown file), no link
// climbs out of the repository, and nothing points at the specification files the project was
// built from, which live outside it: what users must know, docs/ says in its own words.

var (
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	refDef     = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$`)
	htmlLink   = regexp.MustCompile(`(?i)<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"`)
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	heading    = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	linkText   = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	htmlAnchor = regexp.MustCompile(`(?i)<a\s[^>]*?(?:name|id)="([^"]+)"`)
)

// outsideSpecs are the files outside the repository that the documents once cited.
var outsideSpecs = []string{outside + "contract/", outside + "security.md", "../" + outside[:len(outside)-1]}

// outside is the folder beside the repository the specs came from, spelled in parts so that a
// search of the repository for references to it finds only real ones, not this check.
const outside = "sha" + "red/"

// markdownFiles lists the Markdown files under root, skipping hidden folders and testdata.
func markdownFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".md") {
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

// mdLink is one link target of a Markdown file, with its line.
type mdLink struct {
	line   int
	target string
}

// proseLines is the Markdown file's lines with fenced code blocks blanked out, so neither links
// nor headings are read from code.
func proseLines(text string) []string {
	lines := strings.Split(text, "\n")
	fence := ""
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case fence == "" && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")):
			fence = t[:3]
			lines[i] = ""
		case fence != "":
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
			}
			lines[i] = ""
		}
	}
	return lines
}

// links returns the link targets of a Markdown file outside code blocks and code spans.
func links(text string) []mdLink {
	var out []mdLink
	for i, l := range proseLines(text) {
		l = codeSpan.ReplaceAllString(l, "")
		for _, re := range []*regexp.Regexp{inlineLink, htmlLink} {
			for _, m := range re.FindAllStringSubmatch(l, -1) {
				out = append(out, mdLink{i + 1, m[1]})
			}
		}
		if m := refDef.FindStringSubmatch(l); m != nil {
			out = append(out, mdLink{i + 1, m[1]})
		}
	}
	return out
}

// anchors are the fragments a Markdown file's headings get on GitHub: lower case, punctuation
// dropped, spaces as dashes, repeats numbered -1, -2, …; plus explicit HTML anchors.
func anchors(text string) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	for _, l := range proseLines(text) {
		for _, m := range htmlAnchor.FindAllStringSubmatch(l, -1) {
			out[m[1]] = true
		}
		m := heading.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		title := linkText.ReplaceAllString(m[1], "$1")
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

// checkLinks returns one problem per broken link, escaping link or mention of an outside file
// in the Markdown files under root.
func checkLinks(root string) ([]string, int, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, 0, err
	}
	files, err := markdownFiles(root)
	if err != nil {
		return nil, 0, err
	}
	texts := map[string]string{}
	read := func(path string) (string, error) {
		if t, ok := texts[path]; ok {
			return t, nil
		}
		b, err := os.ReadFile(path)
		texts[path] = string(b)
		return string(b), err
	}
	var problems []string
	checked := 0
	for _, file := range files {
		text, err := read(file)
		if err != nil {
			return nil, 0, err
		}
		rel, _ := filepath.Rel(root, file)
		for _, spec := range outsideSpecs {
			if i := strings.Index(text, spec); i >= 0 {
				problems = append(problems, fmt.Sprintf("%s:%d: refers to %s, outside the repository", rel, strings.Count(text[:i], "\n")+1, spec))
			}
		}
		for _, l := range links(text) {
			where := fmt.Sprintf("%s:%d: %s", rel, l.line, l.target)
			u, err := url.Parse(l.target)
			switch {
			case err != nil:
				problems = append(problems, where+": not a valid link")
				continue
			case u.Scheme != "" || strings.HasPrefix(l.target, "//"):
				continue // a web address: not this test's business
			case strings.HasPrefix(u.Path, "/"):
				problems = append(problems, where+": an absolute path; link relative to the file")
				continue
			}
			checked++
			target := file
			if u.Path != "" {
				target = filepath.Join(filepath.Dir(file), filepath.FromSlash(u.Path))
				if r, err := filepath.Rel(root, target); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
					problems = append(problems, where+": leaves the repository")
					continue
				}
				if _, err := os.Stat(target); err != nil {
					problems = append(problems, where+": no such file or folder")
					continue
				}
			}
			if u.Fragment == "" || !strings.HasSuffix(target, ".md") {
				continue
			}
			t, err := read(target)
			if err != nil {
				return nil, 0, err
			}
			if !anchors(t)[u.Fragment] {
				problems = append(problems, where+": no heading with that anchor")
			}
		}
	}
	return problems, checked, nil
}

// TestLinks checks every Markdown file of the repository.
func TestLinks(t *testing.T) {
	problems, checked, err := checkLinks("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	if checked < 50 {
		t.Errorf("only %d relative links checked: the walk missed the repository's Markdown", checked)
	}
}

// TestLinkChecker proves the checker on a small tree: each kind of bad link is caught, and
// good links, web addresses and links inside code are left alone.
func TestLinkChecker(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "# Top\n\n## Store flags\n\n## Store flags\n\n"+
		"[ok](docs/a.md) [ok dir](docs) [ok anchor](docs/a.md#the-http-api-v2) [self](#store-flags-1)\n"+
		"[web](https://example.com/x) [mail](mailto:a@example.com)\n"+
		"`[in code](missing.md)`\n```sh\n[in a block](missing.md)\n```\n"+
		"[missing](docs/missing.md)\n[escapes](../outside.md)\n[bad anchor](docs/a.md#nowhere)\n"+
		"[ref]: docs/gone.md\n<a href=\"docs/also-gone.md\">x</a>\n[abs](/docs/a.md)\n")
	write("docs/a.md", "# The HTTP API (v2)\n\nSee [up](../README.md#top), not "+outside+"contract/http-api.md.\n")
	problems, checked, err := checkLinks(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"README.md:13: docs/missing.md: no such file or folder",
		"README.md:14: ../outside.md: leaves the repository",
		"README.md:15: docs/a.md#nowhere: no heading with that anchor",
		"README.md:16: docs/gone.md: no such file or folder",
		"README.md:17: docs/also-gone.md: no such file or folder",
		"README.md:18: /docs/a.md: an absolute path; link relative to the file",
		"docs/a.md:3: refers to " + outside + "contract/, outside the repository",
	}
	got := strings.Join(problems, "\n")
	if got != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if checked != 10 {
		t.Errorf("checked %d relative links, want 10", checked)
	}
}
