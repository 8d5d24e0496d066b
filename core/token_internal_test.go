package jwtkit

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forEachMember calls fn with each key (unescaped) and raw value of the JSON object in data.
// data must be valid JSON; anything but an object is an error.
func forEachMember(data []byte, fn func(key, raw []byte) error) error {
	it := members{data: data}
	for {
		key, raw, ok, err := it.next()
		if err != nil || !ok {
			return err
		}
		if err := fn(key, raw); err != nil {
			return err
		}
	}
}

// membersOf collects forEachMember's view of an object.
func membersOf(data []byte) (map[string]string, []string, error) {
	m := map[string]string{}
	var order []string
	err := forEachMember(data, func(k, v []byte) error {
		m[string(k)] = string(v)
		order = append(order, string(k))
		return nil
	})
	return m, order, err
}

// agreesWithEncodingJSON checks that the walker sees exactly the members encoding/json sees.
func agreesWithEncodingJSON(t *testing.T, data []byte) {
	var want map[string]json.RawMessage
	if json.Unmarshal(data, &want) != nil || want == nil {
		return // the walker is only ever handed valid JSON objects ("null" decodes to a nil map)
	}
	got, order, err := membersOf(data)
	require.NoError(t, err, "%q", data)
	if len(order) != len(got) {
		return // duplicate keys: encoding/json keeps the last, the claims decoder refuses them
	}
	require.Len(t, got, len(want), "%q", data)
	for k, v := range want {
		var a, b any
		require.NoError(t, json.Unmarshal(v, &a))
		require.NoError(t, json.Unmarshal([]byte(got[k]), &b), "%q: member %q raw %q", data, k, got[k])
		assert.Equal(t, a, b, "%q: member %q", data, k)
	}
}

var memberSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":1,"b":"x"}`, "{\n\"a\" :\t1 ,\r\n\"b\": [1, {\"c\": \"}\"}] }",
	`{"s":"quote \" and backslash \\ and \u00e9"}`, `{"n":-1.5e10,"t":true,"f":false,"z":null}`,
	`{"ex\u0070":1,"exp":2}`, `{"a":{"b":{"c":[[[]]]}},"d":"]}"}`, `{"":""}`,
}

func TestForEachMember(t *testing.T) {
	for _, s := range memberSeeds {
		agreesWithEncodingJSON(t, []byte(s))
	}
	_, order, err := membersOf([]byte(`{"ex\u0070":1,"exp":2}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"exp", "exp"}, order, "escaped keys are compared unescaped, so the duplicate is seen")
	_, _, err = membersOf([]byte(`[1]`))
	assert.Error(t, err)

	var c claims
	c.names = &claimNames{typ: "token_type", jti: "jti", userID: "user_id", refreshExp: "refresh_exp"}
	assert.ErrorIs(t, c.decode([]byte(`{"exp":1,"ex\u0070":2}`)), errDuplicateClaim)

	// Past the linear window the set takes over, duplicates still found; many claims are fine.
	many := `{`
	for i := range 40 {
		many += fmt.Sprintf(`"c%d":%d,`, i, i)
	}
	assert.NoError(t, c.decode([]byte(many+`"exp":1}`)), "forty custom claims are a valid token")
	assert.ErrorIs(t, c.decode([]byte(many+`"c3":1}`)), errDuplicateClaim)
	assert.ErrorIs(t, c.decode([]byte(`{"c0":0,"c1":1,"c2":2,"c3":3,"c4":4,"c5":5,"c6":6,"c7":7,"c8":8,"c9":9,"c10":0,"c11":0,"c12":0,"c13":0,"c14":0,"c15":0,"c0":1}`)), errDuplicateClaim, "the first key past the window is checked against the window")
}

func FuzzForEachMember(f *testing.F) {
	for _, s := range memberSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		agreesWithEncodingJSON(t, data)
	})
}

func TestWellFormed(t *testing.T) {
	for tok, ok := range map[string]bool{
		"a.b.c": true, "A-_9.b.c": true, "": false, "a.b": false, "a.b.c.d": false, ".b.c": false,
		"a..c": false, "a.b.": false, "a.b.c=": false, "a+b.c.d": false, "a.b.c\n": false, "a. b.c": false,
		"a.b.c\x00": false, "é.b.c": false,
	} {
		assert.Equal(t, ok, wellFormed(tok, 100), "%q", tok)
	}
	assert.False(t, wellFormed("aaaa.b.c", 7), "length cap")
}
