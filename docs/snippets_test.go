package docs_test

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The snippet mechanism: Go source in this module marks regions with a line
//
//	// snippet:NAME
//
// and a line
//
//	// endsnippet
//
// and a Markdown file shows a region by putting the comment <!-- snippet:NAME --> on the line
// before a ```go block. TestSnippets requires every ```go block of docs/*.md to be marked, and
// every marked block to equal its region once both are trimmed of surrounding blank lines and
// of their common indentation. A NAME may mark several regions only if they are identical: that
// is how the getting-started programs keep one setup.go in five directories.

var update = flag.Bool("update", false, "rewrite the snippet blocks in docs/*.md from the Go regions")

// notChecked are Markdown files whose ```go blocks are not programs.
var notChecked = map[string]string{
	"design.md": "the paper design: API sketches (repeated declarations, elided bodies) that do not compile by intent",
}

var (
	regionStart = regexp.MustCompile(`^//\s*snippet:(\S*)$`)
	regionEnd   = regexp.MustCompile(`^//\s*endsnippet$`)
	docMarker   = regexp.MustCompile(`^<!--\s*snippet:(\S*)\s*-->$`)
	validName   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

type region struct {
	where string // file:line of the start marker
	lines []string
}

// normalize drops leading and trailing blank lines and the indentation common to every
// non-blank line, and trailing whitespace of every line.
func normalize(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, strings.TrimRight(l, " \t\r"))
	}
	for len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	prefix := ""
	first := true
	for _, l := range out {
		if l == "" {
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = indent, false
			continue
		}
		for !strings.HasPrefix(indent, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	for i, l := range out {
		out[i] = strings.TrimPrefix(l, prefix)
	}
	return out
}

// collectRegions reads every marked region of the Go files under root.
func collectRegions(root string) (map[string]region, []string) {
	regions := map[string]region{}
	var problems []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		var open *region
		var name string
		for i, line := range strings.Split(string(b), "\n") {
			trimmed := strings.TrimSpace(line)
			where := fmt.Sprintf("%s:%d", rel, i+1)
			if m := regionStart.FindStringSubmatch(trimmed); m != nil {
				if open != nil {
					problems = append(problems, where+": snippet "+m[1]+" starts inside snippet "+name)
				}
				if !validName.MatchString(m[1]) {
					problems = append(problems, where+": snippet name "+strconvQuote(m[1])+" is not lowercase letters, digits and dashes")
				}
				open, name = &region{where: where}, m[1]
				continue
			}
			if regionEnd.MatchString(trimmed) {
				if open == nil {
					problems = append(problems, where+": endsnippet without a snippet")
					continue
				}
				open.lines = normalize(open.lines)
				if prev, dup := regions[name]; dup && !slices.Equal(prev.lines, open.lines) {
					problems = append(problems, fmt.Sprintf("%s: snippet %s differs from the one at %s", open.where, name, prev.where))
				} else if !dup {
					regions[name] = *open
				}
				open = nil
				continue
			}
			if open != nil {
				open.lines = append(open.lines, line)
			}
		}
		if open != nil {
			problems = append(problems, open.where+": snippet "+name+" has no endsnippet")
		}
		return nil
	})
	if err != nil {
		problems = append(problems, err.Error())
	}
	return regions, problems
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }

// block is a fenced code block of a Markdown file.
type block struct {
	lang         string
	marker       string // the snippet name on the line before
	hasMarkerRow bool   // whether the line before is a snippet marker at all
	start, end   int    // line indexes of the opening and closing fences
	indent       string // the opening fence's indentation, for -update
	content      []string
}

// parseBlocks finds the fenced blocks of a Markdown file and the snippet marker before each.
func parseBlocks(lines []string) ([]block, []int) {
	var blocks []block
	var strayMarkers []int // markers not directly before a fenced block
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimSpace(lines[i])
		if docMarker.MatchString(trimmed) {
			j := i + 1
			for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
				j++
			}
			if j >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[j]), "```") {
				strayMarkers = append(strayMarkers, i)
			}
			continue
		}
		if !strings.HasPrefix(trimmed, "```") {
			continue
		}
		fence := trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, "`"))]
		b := block{start: i, indent: lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]}
		if info := strings.Fields(strings.TrimPrefix(trimmed, fence)); len(info) > 0 {
			b.lang = info[0]
		}
		for k := i - 1; k >= 0; k-- {
			prev := strings.TrimSpace(lines[k])
			if prev == "" {
				continue
			}
			if m := docMarker.FindStringSubmatch(prev); m != nil {
				b.marker, b.hasMarkerRow = m[1], true
			}
			break
		}
		j := i + 1
		for ; j < len(lines); j++ {
			if t := strings.TrimSpace(lines[j]); strings.HasPrefix(t, fence) && strings.Trim(t, "`") == "" {
				break
			}
		}
		b.end = j // len(lines) for a block never closed
		b.content = append([]string(nil), lines[i+1:j]...)
		blocks = append(blocks, b)
		i = j
	}
	return blocks, strayMarkers
}

func isGo(lang string) bool { return lang == "go" || lang == "golang" }

func TestSnippets(t *testing.T) {
	regions, problems := collectRegions(".")
	for _, p := range problems {
		t.Error(p)
	}
	docs, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no Markdown files found")
	}
	used := map[string]bool{}
	checkedBlocks := 0
	for _, doc := range docs {
		if _, skip := notChecked[doc]; skip {
			continue
		}
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		blocks, stray := parseBlocks(lines)
		for _, i := range stray {
			t.Errorf("%s:%d: snippet marker not followed by a fenced block", doc, i+1)
		}
		changed := false
		// Rewrite from the last block so earlier line numbers stay valid.
		for k := len(blocks) - 1; k >= 0; k-- {
			blk := blocks[k]
			where := fmt.Sprintf("%s:%d", doc, blk.start+1)
			if !isGo(blk.lang) {
				if blk.hasMarkerRow {
					t.Errorf("%s: snippet %s marks a %q block, not a go block", where, blk.marker, blk.lang)
				}
				continue
			}
			checkedBlocks++
			if !blk.hasMarkerRow {
				t.Errorf("%s: go block without a <!-- snippet:NAME --> marker: every Go block must come from code that compiles", where)
				continue
			}
			r, ok := regions[blk.marker]
			if !ok {
				t.Errorf("%s: snippet %s is not marked in any Go file of the docs module", where, blk.marker)
				continue
			}
			used[blk.marker] = true
			got := normalize(blk.content)
			if slices.Equal(got, r.lines) {
				continue
			}
			if *update {
				repl := make([]string, len(r.lines))
				for i, l := range r.lines {
					if l != "" {
						l = blk.indent + l
					}
					repl[i] = l
				}
				lines = slices.Concat(lines[:blk.start+1], repl, lines[blk.end:])
				changed = true
				continue
			}
			t.Errorf("%s: block differs from snippet %s (%s) %s; run go test -run TestSnippets -update",
				where, blk.marker, r.where, firstDifference(got, r.lines))
		}
		if changed {
			if err := os.WriteFile(doc, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: rewrote snippet blocks", doc)
		}
	}
	var unused []string
	for name, r := range regions {
		if !used[name] {
			unused = append(unused, name+" ("+r.where+")")
		}
	}
	sort.Strings(unused)
	for _, u := range unused {
		t.Errorf("snippet %s is shown in no document", u)
	}
	if checkedBlocks == 0 {
		t.Error("no go blocks found: the check checks nothing")
	}
}

func firstDifference(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w || i >= len(got) || i >= len(want) {
			return fmt.Sprintf("at line %d:\n  doc:  %q\n  code: %q", i+1, g, w)
		}
	}
	return ""
}

// TestSnippetMechanism proves the checker itself: regions are read with their indentation
// removed, identical duplicates are allowed and different ones are not, and a marker finds its
// block.
func TestSnippetMechanism(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.go", "package a\n\nfunc f() {\n\t// snippet:one\n\tx := 1\n\n\t_ = x\n\t// endsnippet\n}\n")
	write("b/b.go", "package b\n\n// snippet:one\nx := 1\n\n_ = x\n// endsnippet\n")
	write("c/c.go", "package c\n\n// snippet:two\nfoo()\n// endsnippet\n// snippet:two\nbar()\n// endsnippet\n// snippet:open\n")
	regions, problems := collectRegions(dir)
	if got := strings.Join(regions["one"].lines, "\n"); got != "x := 1\n\n_ = x" {
		t.Errorf("region one = %q", got)
	}
	if len(problems) != 2 || !strings.Contains(problems[0]+problems[1], "snippet two differs") ||
		!strings.Contains(problems[0]+problems[1], "open has no endsnippet") {
		t.Errorf("problems = %q", problems)
	}

	md := strings.Split("text\n<!-- snippet:one -->\n```go\n  x := 1\n\n  _ = x\n```\n\n```go\nunmarked()\n```\n<!-- snippet:stray -->\nprose\n", "\n")
	blocks, stray := parseBlocks(md)
	if len(blocks) != 2 || blocks[0].marker != "one" || blocks[1].hasMarkerRow || len(stray) != 1 {
		t.Fatalf("blocks %+v, stray %v", blocks, stray)
	}
	if !slices.Equal(normalize(blocks[0].content), regions["one"].lines) {
		t.Errorf("block %q does not match region %q", normalize(blocks[0].content), regions["one"].lines)
	}
}
