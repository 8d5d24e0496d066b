package jwtkit

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The token endpoints' fields are DRF CharFields, and clients show their messages to people, so
// each value gets DRF's answer, in DRF's order: blank (after Python's strip), null, not a
// string (booleans, lists, objects, files), then every validator that fails (a NUL, a lone
// surrogate). Numbers are accepted as Python writes them (str(int), repr(float)).

// fieldError is a DRF field-level error body: {"field":["message", ...], ...} in field order.
type fieldError struct {
	names []string
	msgs  [][]string
}

func (e *fieldError) add(name string, msgs ...string) {
	e.names = append(e.names, name)
	e.msgs = append(e.msgs, msgs)
}

func (e *fieldError) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i := range e.names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, marshal(e.names[i])...)
		b = append(b, ':')
		b = append(b, marshal(e.msgs[i])...)
	}
	return append(b, '}'), nil
}

// chars reads the named fields as CharFields (required, no blank, no null, trimmed).
func (f fields) chars(names ...string) ([]string, *fieldError) {
	out := make([]string, len(names))
	errs := &fieldError{}
	for i, name := range names {
		raw, ok := f[name]
		if !ok {
			errs.add(name, "This field is required.")
			continue
		}
		v, msgs := charField(raw)
		if len(msgs) > 0 {
			errs.add(name, msgs...)
			continue
		}
		out[i] = v
	}
	if len(errs.names) > 0 {
		return nil, errs
	}
	return out, nil
}

// charField is one value through CharField's run_validation: its text, or DRF's messages.
func charField(raw json.RawMessage) (string, []string) {
	var text []rune // a string's code points, lone surrogates kept as Python keeps them
	switch raw[0] {
	case '"':
		text = jsonRunes(raw)
	case 'n':
		return "", []string{"This field may not be null."}
	case 't', 'f', '[', '{':
		return "", []string{"Not a valid string."}
	default:
		text = []rune(pythonNumber(string(raw)))
	}
	text = pythonStrip(text)
	if len(text) == 0 {
		return "", []string{"This field may not be blank."}
	}
	var msgs []string
	for _, r := range text {
		if r == 0 {
			msgs = append(msgs, "Null characters are not allowed.")
			break
		}
	}
	for _, r := range text {
		if utf16.IsSurrogate(r) {
			msgs = append(msgs, fmt.Sprintf("Surrogate characters are not allowed: U+%X.", r))
			break
		}
	}
	return string(text), msgs
}

// pythonStrip is Python's str.strip(): Go's white space plus the four ASCII separators
// U+001C..U+001F, which Python counts as white space and Go does not.
func pythonStrip(s []rune) []rune {
	space := func(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }
	for len(s) > 0 && space(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && space(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// jsonRunes decodes a JSON string token (already validated) to code points as Python's json
// module does: an escaped surrogate pair is one character, a lone escaped surrogate stays a
// surrogate (encoding/json would turn it into U+FFFD).
func jsonRunes(raw json.RawMessage) []rune {
	s := string(raw[1 : len(raw)-1])
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			r, n := utf8.DecodeRuneInString(s[i:])
			out = append(out, r)
			i += n
			continue
		}
		c := s[i+1]
		i += 2
		if c != 'u' {
			out = append(out, rune(jsonEscape(c)))
			continue
		}
		r := hex4(s[i:])
		i += 4
		if utf16.IsSurrogate(r) && r < 0xdc00 && strings.HasPrefix(s[i:], `\u`) {
			if lo := hex4(s[i+2:]); lo >= 0xdc00 && lo <= 0xdfff {
				out = append(out, utf16.DecodeRune(r, lo))
				i += 6
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

func jsonEscape(c byte) byte {
	switch c {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c // '"', '\\', '/'
}

func hex4(s string) rune {
	n, _ := strconv.ParseUint(s[:4], 16, 32)
	return rune(n)
}

// pythonNumber is a JSON number's text as Python's str() writes what json decoded: an integer
// in its shortest decimal form, a float as repr(float) (shortest round trip, fixed notation
// for exponents -4..15 with ".0" when whole, else d.ddde±XX; inf for a value too large).
func pythonNumber(raw string) string {
	if !strings.ContainsAny(raw, ".eE") {
		if raw == "-0" {
			return "0"
		}
		return raw
	}
	f, _ := strconv.ParseFloat(raw, 64) // valid JSON: the only error is a range, as ±Inf
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // [-]d[.ddd]e±XX
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	sign := ""
	if strings.HasPrefix(mant, "-") {
		sign, mant = "-", mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		if len(digits) > 1 {
			mant = digits[:1] + "." + digits[1:]
		} else {
			mant = digits
		}
		es := fmt.Sprintf("%+03d", exp)
		return sign + mant + "e" + es
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}
