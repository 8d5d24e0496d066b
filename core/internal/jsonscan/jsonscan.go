// Package jsonscan reads JSON that encoding/json has already found valid, without its
// reflection and allocations: the top-level members of an object, plain strings, integers.
// jwtkit's token parser walks every payload and header with it, so a token costs no map and
// no copy of its claims.
//
// Every function here assumes valid JSON unless its doc says otherwise; callers check with
// json.Valid first.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Members iterates over the top-level members of a JSON object known to be valid JSON. It
// keeps no reference to data beyond itself, so a caller's stack buffer stays on the stack.
type Members struct {
	data    []byte
	i       int
	started bool
	keyAt   int // where the last key returned starts in data, or -1 when it was unescaped
}

// NewMembers returns an iterator over the members of data, a valid JSON value; anything but an
// object makes the first Next fail.
func NewMembers(data []byte) Members { return Members{data: data} }

// Next returns the next key (unescaped) and raw value; ok is false after the last member.
func (m *Members) Next() (key, raw []byte, ok bool, err error) {
	data, i := m.data, m.i
	if !m.started {
		m.started = true
		i = skipSpace(data, 0)
		if i >= len(data) || data[i] != '{' {
			return nil, nil, false, errors.New("not a JSON object")
		}
		i = skipSpace(data, i+1)
	}
	if i >= len(data) || data[i] == '}' {
		m.i = i
		return nil, nil, false, nil
	}
	end := skipValue(data, i)
	key = data[i+1 : end-1]
	m.keyAt = i + 1
	// Escaped or non-ASCII keys go through encoding/json (on a copy, which it may keep), so they
	// compare exactly as encoding/json sees them: escapes resolved, invalid UTF-8 replaced.
	if bytes.IndexByte(key, '\\') >= 0 || !isASCII(key) {
		var s string
		if err := json.Unmarshal(bytes.Clone(data[i:end]), &s); err != nil {
			return nil, nil, false, err
		}
		key = []byte(s)
		m.keyAt = -1
	}
	i = skipSpace(data, end)
	i = skipSpace(data, i+1) // the colon
	end = skipValue(data, i)
	raw = data[i:end]
	i = skipSpace(data, end)
	if i < len(data) && data[i] == ',' {
		i = skipSpace(data, i+1)
	}
	m.i = i
	return key, raw, true, nil
}

// KeySet finds duplicate keys among an object's members, linearly for the usual handful and
// through a set past that, so a payload of a thousand tiny keys costs no quadratic work. It
// remembers keys that appear verbatim in the object by their place in it, not by slices of it,
// so an object in a caller's stack buffer can stay there. The zero KeySet is empty.
type KeySet struct {
	spans [16]struct{ from, to int }
	n     int
	many  map[string]struct{} // the keys past the spans, and escaped ones
}

// Add records the key it has just returned and reports whether an earlier member had it.
func (s *KeySet) Add(it *Members, key []byte) bool {
	for _, sp := range s.spans[:s.n] {
		if string(it.data[sp.from:sp.to]) == string(key) {
			return true
		}
	}
	if _, dup := s.many[string(key)]; dup {
		return true
	}
	if it.keyAt >= 0 && s.n < len(s.spans) {
		s.spans[s.n].from, s.spans[s.n].to = it.keyAt, it.keyAt+len(key)
		s.n++
		return false
	}
	if s.many == nil {
		s.many = map[string]struct{}{}
	}
	s.many[string(key)] = struct{}{}
	return false
}

// PlainString returns the contents of a JSON string without escapes; ok is false for any other
// value, and for strings that need decoding.
func PlainString(raw []byte) (s []byte, ok bool) {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], true
	}
	return nil, false
}

// String decodes a JSON string, without encoding/json's machinery when it has no escapes.
func String(raw []byte) (string, error) {
	if s, ok := PlainString(raw); ok {
		return string(s), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// StringBytes decodes a JSON string value; anything else is an error. An unescaped string is
// returned as a slice of raw.
func StringBytes(raw []byte) ([]byte, error) {
	if s, ok := PlainString(raw); ok {
		return s, nil
	}
	if len(raw) == 0 || raw[0] != '"' {
		return nil, errors.New("not a string")
	}
	var s string
	if err := json.Unmarshal(bytes.Clone(raw), &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// NumbersInRange reports whether every number in data, valid JSON, fits a float64.
func NumbersInRange(data []byte) bool {
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			for i++; data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case c == '-' || (c >= '0' && c <= '9'):
			start := i
			for i+1 < len(data) && strings.IndexByte("0123456789+-.eE", data[i+1]) >= 0 {
				i++
			}
			if _, err := strconv.ParseFloat(string(data[start:i+1]), 64); err != nil {
				return false
			}
		}
	}
	return true
}

// TrimSpace strips the whitespace around a JSON value, as encoding/json does before it hands a
// value to an Unmarshaler.
func TrimSpace(b []byte) []byte {
	return bytes.Trim(b, " \t\r\n")
}

// IsInteger reports whether b is a JSON number without fraction or exponent, of a length any
// database key could have (at most 20 digits). b need not be valid JSON.
func IsInteger(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 20 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the valid JSON value starting at data[i].
func skipValue(data []byte, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 { // the end of the enclosing object after a scalar
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}
