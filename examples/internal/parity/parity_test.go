package parity

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwtkit/examples/internal/servertest"
)

// frameworks are the example servers compared with the reference.
var frameworks = []string{"nethttp", "gin", "echo", "echov5", "fiber", "fiberv3"}

// configs are the settings both servers run with, as JWTKIT_* and PARITY_* variables.
var configs = []struct {
	name           string
	jwtkit, django []string
}{
	{"defaults", nil, nil},
	{"rotation", []string{"JWTKIT_ROTATE_REFRESH=true", "JWTKIT_BLACKLIST_AFTER_ROTATION=true"},
		[]string{"PARITY_ROTATE=true", "PARITY_BLACKLIST_AFTER_ROTATION=true"}},
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, name)
	return n
}

// TestParity sends the same generated requests to a real simplejwt server and to each example
// server and requires the same answers, but for the documented deviations.
func TestParity(t *testing.T) {
	needDjango(t)
	cases := envInt(t, "PARITY_CASES", 300)
	seed := uint64(envInt(t, "PARITY_SEED", 1))
	bins := buildExamples(t)
	used := map[string]int{}
	for _, cfg := range configs {
		for _, fw := range frameworks {
			t.Run(cfg.name+"/"+fw, func(t *testing.T) {
				ref := startReference(t, append([]string{"PARITY_SIGNING_KEY=" + servertest.Key}, cfg.django...)...)
				srv := servertest.Start(t, bins[fw], append([]string{"JWTKIT_ADDR=127.0.0.1:0",
					"JWTKIT_SIGNING_KEY=" + servertest.Key, "JWTKIT_STORE=memory"}, cfg.jwtkit...)...)
				for id, n := range compare(t, ref, srv.URL, seed, cases) {
					used[id] += n
				}
			})
		}
	}
	t.Logf("documented deviations met (%d cases per run, seed %d): %v", cases, seed, used)
}

// buildExamples builds every example server once, into one folder.
func buildExamples(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	for _, fw := range frameworks {
		args = append(args, "github.com/jwtkit/jwtkit/examples/"+fw)
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	bins := map[string]string{}
	for _, fw := range frameworks {
		bins[fw] = filepath.Join(dir, fw)
	}
	return bins
}

// compare runs one sequence of generated requests against both servers and returns how often
// each deviation explained a difference.
func compare(t *testing.T, ref, got string, seed uint64, cases int) map[string]int {
	g := &generator{rng: rand.New(rand.NewPCG(seed, 0x6a77746b6974)), key: servertest.Key, now: time.Now}
	s := &state{revokedAccess: map[string]bool{}}
	used := map[string]int{}
	// Each side issues a pair first, so the pool starts with tokens from both.
	login := request{method: "POST", path: paths["obtain"], endpoint: "obtain", routed: true,
		header: [][2]string{{"Content-Type", "application/json"}}, body: []byte(`{"username":"demo","password":"demo-password"}`)}
	for _, base := range []string{ref, got} {
		a := send(t, base, login)
		require.Equal(t, 200, a.status, "%s", a)
		g.pool = append(g.pool, tokensIn(a.body, base)...)
	}
	failures := 0
	for i := 0; i < cases && failures < 5; i++ {
		r := g.next()
		a, b := send(t, ref, r), send(t, got, r)
		tokenEndpoint := r.routed && strings.HasPrefix(r.path, "/api/token/") && r.endpoint != "revoke-all"
		if comparable(a, tokenEndpoint) != comparable(b, tokenEndpoint) {
			d := explain(s, r, a, b)
			if d == "" {
				failures++
				for _, tk := range r.tokens {
					g.drop(tk.jti)
				}
				t.Errorf("case %d: the answers differ and no documented deviation explains it\nrequest: %s\n\nsimplejwt: %s\n\njwtkit: %s",
					i, r, a, b)
				continue
			}
			used[d]++
			// A token one side took and the other refused has two histories now: leave it out.
			for _, tk := range r.tokens {
				g.drop(tk.jti)
			}
		}
		g.learn(s, r, a, b)
	}
	return used
}

// explain names the deviation that accounts for a difference, or "".
func explain(s *state, r request, ref, got answer) string {
	for _, d := range deviations {
		if d.explains(s, r, ref, got) {
			return d.id
		}
	}
	return ""
}

// learn keeps the pool current: tokens either server issued join it (bounded), and an access
// token jwtkit revoked at logout is remembered.
func (g *generator) learn(s *state, r request, ref, got answer) {
	if ref.status == 200 {
		// A token simplejwt mints from one jwtkit refused carries the same claims (a user_id
		// of 1.5, none at all): it is as strict as its parent.
		strict := ""
		for _, t := range r.tokens {
			if t.strict != "" {
				strict = "minted from a token with " + t.strict
			}
		}
		for _, t := range tokensIn(ref.body, "simplejwt") {
			t.strict = strict
			g.pool = append(g.pool, t)
		}
	}
	if got.status == 200 {
		g.pool = append(g.pool, tokensIn(got.body, "jwtkit")...)
		if r.endpoint == "blacklist" && r.access != nil {
			s.revokedAccess[r.access.jti] = true
		}
	}
	if len(g.pool) > 200 {
		g.pool = slices.Delete(g.pool, 0, len(g.pool)-200)
	}
}

func (g *generator) drop(jti string) {
	if jti == "" {
		return
	}
	g.pool = slices.DeleteFunc(g.pool, func(t token) bool { return t.jti == jti })
}

// TestDeviationsDocumented requires docs/http-api.md to list every deviation by its id.
func TestDeviationsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "http-api.md"))
	require.NoError(t, err)
	for _, d := range slices.Concat(deviations, headerDeviations) {
		assert.Contains(t, string(doc), fmt.Sprintf("`%s`", d.id), "docs/http-api.md lists deviation %s: %s", d.id, d.reason)
	}
}
