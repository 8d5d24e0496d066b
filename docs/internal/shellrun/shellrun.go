// Package shellrun runs the shell blocks of the documentation as a reader pastes them: one
// bash session per block (or per run of blocks a reader pastes into one terminal), command
// after command, and compares what each command prints with the "# ..." lines the document
// shows right under it.
//
// A block is a fenced block opened with sh, bash or shell. Inside it, comment lines that follow
// a command with no blank line between are that command's expected output; other comment
// lines are prose. In an expected line, "…" (or "...") stands for any text, and a line that is
// only "…" stands for any number of lines. A command that prints something nobody shows is
// not compared, but every command must exit with status 0.
package shellrun

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Block is one shell block of a Markdown file.
type Block struct {
	File  string // as given to Blocks
	Line  int    // the line of the opening fence, from 1
	Lines []string
}

// First is the block's first non-blank line, the name tests give it.
func (b Block) First() string {
	for _, l := range b.Lines {
		if strings.TrimSpace(l) != "" {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// Blocks returns the shell blocks of the Markdown file at path.
func Blocks(path string) ([]Block, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(text), "\n")
	var out []Block
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(t, "```") {
			continue
		}
		lang := strings.TrimSpace(strings.TrimLeft(t, "`"))
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) != "```" {
			j++
		}
		if f := strings.Fields(lang); len(f) > 0 && (f[0] == "sh" || f[0] == "bash" || f[0] == "shell") {
			out = append(out, Block{File: path, Line: i + 1, Lines: lines[i+1 : min(j, len(lines))]})
		}
		i = j
	}
	return out, nil
}

// step is one command of a block and the output the document shows for it.
type step struct {
	block   Block
	line    int // within the block, from 1
	command string
	want    []string
}

func steps(b Block) []step {
	var out []step
	var cur *step
	for i := 0; i < len(b.Lines); i++ {
		l := b.Lines[i]
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			cur = nil
		case strings.HasPrefix(t, "#"):
			if cur != nil {
				cur.want = append(cur.want, strings.TrimPrefix(strings.TrimPrefix(t, "#"), " "))
			}
		default:
			s := step{block: b, line: i + 1, command: l}
			for strings.HasSuffix(strings.TrimRight(l, " "), `\`) && i+1 < len(b.Lines) {
				i++
				l = b.Lines[i]
				s.command += "\n" + l
			}
			out = append(out, s)
			cur = &out[len(out)-1]
		}
	}
	return out
}

// Options say where and how a block runs.
type Options struct {
	// Dir is the working directory of the session.
	Dir string
	// Env is the session's whole environment (NAME=value).
	Env []string
	// Replace maps text of the block to what the session runs instead, such as the documented
	// address 127.0.0.1:8000 to the port the test's server took.
	Replace map[string]string
	// Timeout bounds the whole session. Default: one minute.
	Timeout time.Duration
}

const marker = "@@shellrun-step@@"

// Run runs block b in one bash session and reports each command that fails or prints other
// than the document shows.
func Run(t testing.TB, b Block, o Options) {
	t.Helper()
	Session(t, o, b)
}

// Session runs blocks one after the other in one bash session, as a reader pastes the blocks
// of successive steps into one terminal, so variables one exports hold in the next.
func Session(t testing.TB, o Options, blocks ...Block) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("the documentation's shell blocks need bash: %v", err)
	}
	if len(blocks) == 0 {
		t.Fatal("shellrun.Session: no block to run")
	}
	var ss []step
	for _, b := range blocks {
		bs := steps(b)
		if len(bs) == 0 {
			t.Fatalf("%s:%d: no command in the block", b.File, b.Line)
		}
		ss = append(ss, bs...)
	}
	first := blocks[0]
	var script strings.Builder
	for i, s := range ss {
		cmd := s.command
		for from, to := range o.Replace {
			cmd = strings.ReplaceAll(cmd, from, to)
		}
		// The marker starts on a line of its own even after output without a final newline,
		// as curl's is.
		fmt.Fprintf(&script, "%s\nprintf '\\n%s %d %%d\\n' \"$?\"\n", cmd, marker, i)
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "--noprofile", "--norc", "-c", script.String())
	cmd.Dir, cmd.Env = o.Dir, o.Env
	cmd.WaitDelay = 5 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("%s:%d: the session failed: %v\nstderr: %s", first.File, first.Line, err, stderr.String())
	}
	outputs, codes := split(string(out))
	for i, s := range ss {
		where := fmt.Sprintf("%s:%d", s.block.File, s.block.Line+s.line)
		if i >= len(codes) {
			t.Errorf("%s: never ran (stderr: %s)", where, stderr.String())
			continue
		}
		if codes[i] != 0 {
			t.Errorf("%s: %q exited with status %d (stderr: %s)", where, s.command, codes[i], stderr.String())
		}
		if len(s.want) > 0 && !Match(s.want, outputs[i]) {
			t.Errorf("%s: %q printed\n%s\nthe document shows\n%s", where, s.command,
				strings.Join(outputs[i], "\n"), strings.Join(s.want, "\n"))
		}
	}
}

var markerLine = regexp.MustCompile(`^` + marker + ` (\d+) (\d+)$`)

// split cuts the session's output at the markers: each command's lines and exit status.
func split(out string) ([][]string, []int) {
	var outputs [][]string
	var codes []int
	var cur []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if m := markerLine.FindStringSubmatch(l); m != nil {
			for len(cur) > 0 && cur[len(cur)-1] == "" {
				cur = cur[:len(cur)-1]
			}
			code, _ := strconv.Atoi(m[2])
			outputs, codes, cur = append(outputs, cur), append(codes, code), nil
			continue
		}
		cur = append(cur, l)
	}
	return outputs, codes
}

// Match reports whether got is what want shows, "…" (or "...") standing for any text within
// a line and a line of only "…" for any number of lines.
func Match(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if w := strings.TrimSpace(want[0]); w == "…" || w == "..." {
		for k := 0; k <= len(got); k++ {
			if Match(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && lineMatch(want[0], got[0]) && Match(want[1:], got[1:])
}

func lineMatch(want, got string) bool {
	parts := regexp.MustCompile(`…|\.\.\.`).Split(want, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`^` + strings.Join(parts, ".*") + `$`).MatchString(got)
}
