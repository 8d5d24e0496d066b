package jsonscan

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// membersOf collects the walker's view of an object: each key (unescaped) with its raw value,
// and the keys in order.
func membersOf(data []byte) (map[string]string, []string, error) {
	m := map[string]string{}
	var order []string
	it := NewMembers(data)
	for {
		k, v, ok, err := it.Next()
		if err != nil || !ok {
			return m, order, err
		}
		m[string(k)] = string(v)
		order = append(order, string(k))
	}
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

func TestMembers(t *testing.T) {
	for _, s := range memberSeeds {
		agreesWithEncodingJSON(t, []byte(s))
	}
	_, order, err := membersOf([]byte(`{"ex\u0070":1,"exp":2}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"exp", "exp"}, order, "escaped keys are compared unescaped, so the duplicate is seen")
	_, _, err = membersOf([]byte(`[1]`))
	assert.Error(t, err)
}

// hasDuplicate runs an object through a KeySet as the decoders do.
func hasDuplicate(t *testing.T, data string) bool {
	require.True(t, json.Valid([]byte(data)), data)
	var seen KeySet
	it := NewMembers([]byte(data))
	for {
		k, _, ok, err := it.Next()
		require.NoError(t, err)
		if !ok {
			return false
		}
		if seen.Add(&it, k) {
			return true
		}
	}
}

func TestKeySet(t *testing.T) {
	assert.False(t, hasDuplicate(t, `{"a":1,"b":2,"\u0063":3}`))
	assert.True(t, hasDuplicate(t, `{"exp":1,"ex\u0070":2}`), "an escaped key matches its plain spelling")
	assert.True(t, hasDuplicate(t, `{"ex\u0070":1,"exp":2}`))
	// Past the sixteen spans the set takes over, duplicates still found.
	many := `{`
	for i := range 40 {
		many += `"c` + strconv.Itoa(i) + `":0,`
	}
	assert.False(t, hasDuplicate(t, many+`"z":1}`))
	assert.True(t, hasDuplicate(t, many+`"c3":1}`))
	assert.True(t, hasDuplicate(t, `{"c0":0,"c1":1,"c2":2,"c3":3,"c4":4,"c5":5,"c6":6,"c7":7,"c8":8,"c9":9,"c10":0,"c11":0,"c12":0,"c13":0,"c14":0,"c15":0,"c0":1}`), "the first key past the spans is checked against the spans")
}

func TestStrings(t *testing.T) {
	s, err := String([]byte(`"a\u00e9"`))
	require.NoError(t, err)
	assert.Equal(t, "aé", s)
	_, err = String([]byte(`1`))
	assert.Error(t, err)
	b, err := StringBytes([]byte(`"plain"`))
	require.NoError(t, err)
	assert.Equal(t, "plain", string(b))
	_, err = StringBytes([]byte(`null`))
	assert.Error(t, err)
	_, ok := PlainString([]byte(`"a\"b"`))
	assert.False(t, ok, "a string with escapes needs decoding")
}

func TestNumbersInRange(t *testing.T) {
	assert.True(t, NumbersInRange([]byte(`{"a":[1,-2.5e300,"1e999"]}`)), "a number inside a string is no number")
	assert.False(t, NumbersInRange([]byte(`{"a":1e999}`)))
}

func TestIsInteger(t *testing.T) {
	for _, s := range []string{"0", "-1", "42", "12345678901234567890"} {
		assert.True(t, IsInteger([]byte(s)), s)
	}
	for _, s := range []string{"", "-", "01", "1.0", "1e3", "123456789012345678901", " 1"} {
		assert.False(t, IsInteger([]byte(s)), s)
	}
}

func FuzzMembers(f *testing.F) {
	for _, s := range memberSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		agreesWithEncodingJSON(t, data)
	})
}
