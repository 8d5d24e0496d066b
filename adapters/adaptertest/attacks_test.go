package adaptertest

import (
	"crypto"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAttackTable checks the table itself: enough distinct inputs in every group, no two cases
// with one name (t.Run would silently suffix the second), and the same tokens on every build.
func TestAttackTable(t *testing.T) {
	env := attackEnv{lure: "http://127.0.0.1:9", rsaPEM: []byte("pem"), rsaDER: []byte("der"), rsaToken: "a.b.c", maxHeaderBytes: 64 << 10}
	table := attacks(env)
	names := map[string]bool{}
	inputs := map[string]map[string]bool{}
	for _, a := range table {
		full := a.group + "/" + a.name
		assert.False(t, names[full], "two cases named %q", full)
		names[full] = true
		input, _, _ := strings.Cut(a.name, " /api/")
		if inputs[a.group] == nil {
			inputs[a.group] = map[string]bool{}
		}
		inputs[a.group][input] = true
		assert.NotEmpty(t, a.secrets, full)
	}
	total := 0
	for group, in := range inputs {
		assert.GreaterOrEqual(t, len(in), 10, group)
		total += len(in)
	}
	assert.GreaterOrEqual(t, total, 60)
	assert.Len(t, inputs, 6)

	again := attacks(env)
	require.Len(t, again, len(table))
	for i := range table {
		assert.Equal(t, table[i].req, again[i].req, "%s/%s is built the same every time", table[i].group, table[i].name)
	}
}

func TestSeeds(t *testing.T) {
	seeds := Seeds()
	assert.Equal(t, seeds, Seeds(), "the corpus is the same every time")
	assert.GreaterOrEqual(t, len(seeds), 60)
	valid := 0
	for _, s := range seeds {
		assert.LessOrEqual(t, len(s.Header)+len(s.Cookie)+len(s.Query), maxSeed)
		if carriesSuiteToken(s) {
			valid++
		}
	}
	assert.Positive(t, valid, "the corpus holds tokens the suite's key signed")
	assert.Contains(t, seeds, Seed{Cookie: hs(hsHeader, accessClaims().String())}, "cookie values are taken from the table")
}

// fatalTB records the first Fatalf and stops the check there, as testing.T would.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

func checkFails(in Seed, optional bool, status int, header http.Header, body string) (msg string) {
	tb := &fatalTB{}
	defer func() {
		if r := recover(); r != nil && r != any(tb) {
			panic(r)
		}
		msg = tb.msg
	}()
	CheckAnswer(tb, in, optional, status, header, []byte(body))
	return ""
}

func TestCheckAnswer(t *testing.T) {
	valid := Seed{Header: "Bearer " + hs(hsHeader, accessClaims().String())}
	forged := Seed{Header: "Bearer " + hmacToken(crypto.SHA256, []byte("another key, another key, another key"), hsHeader, accessClaims().String())}
	json := http.Header{"Content-Type": {"application/json"}}
	challenge := http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {`Bearer realm="api"`}}
	invalid := protectedBody("Token is invalid or expired")

	for _, ok := range []struct {
		in       Seed
		optional bool
		status   int
		header   http.Header
		body     string
	}{
		{valid, false, 200, json, bodyDemo},
		{Seed{}, true, 200, json, bodyAnonymous},
		{Seed{}, false, 401, challenge, bodyNotProvided},
		{forged, true, 401, challenge, invalid},
	} {
		assert.Empty(t, checkFails(ok.in, ok.optional, ok.status, ok.header, ok.body), "%+v", ok)
	}
	for name, bad := range map[string]struct {
		in       Seed
		optional bool
		status   int
		header   http.Header
		body     string
	}{
		"500":                        {valid, false, 500, json, `{}`},
		"200 for a forged token":     {forged, false, 200, json, bodyDemo},
		"200 with another body":      {valid, false, 200, json, `{"user_id":7,"username":"mallory"}`},
		"401 echoing the token":      {forged, false, 401, challenge, `{"detail":"` + forged.Header + `"}`},
		"401 without the challenge":  {forged, false, 401, json, invalid},
		"optional refusing no token": {Seed{}, true, 401, challenge, bodyNotProvided},
		"text/plain":                 {Seed{}, false, 401, http.Header{"Www-Authenticate": {`Bearer realm="api"`}, "Content-Type": {"text/plain"}}, bodyNotProvided},
	} {
		assert.NotEmpty(t, checkFails(bad.in, bad.optional, bad.status, bad.header, bad.body), name)
	}
}

func TestAllocBudget(t *testing.T) {
	small, _ := AllocBudget(Seed{})
	big, count := AllocBudget(Seed{Header: strings.Repeat("a", 1000), Query: strings.Repeat("b", 1000)})
	assert.Equal(t, small+2000*allocPerByte, big)
	assert.Equal(t, uint64(allocFixedCount), count)

	var sink [][]byte
	bytes, n := Allocs(func() { sink = append(sink, make([]byte, 1<<20)) })
	assert.GreaterOrEqual(t, bytes, uint64(1<<20))
	assert.GreaterOrEqual(t, n, uint64(1))
	assert.True(t, slices.ContainsFunc(sink, func(b []byte) bool { return len(b) == 1<<20 }))
}
