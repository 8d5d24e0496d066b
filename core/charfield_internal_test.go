package jwtkit

import (
	"encoding/json"
	"testing"
)

// TestPythonNumber: a JSON number as Python's str() writes what json.loads made of it, each
// expected text printed by Python 3.11 (str(json.loads(raw))).
func TestPythonNumber(t *testing.T) {
	for raw, want := range map[string]string{
		"0": "0", "-0": "0", "12": "12", "1e2": "100.0", "1E-7": "1e-07", "0.0001": "0.0001",
		"0.00001": "1e-05", "1e15": "1000000000000000.0", "1e16": "1e+16", "1.5e16": "1.5e+16",
		"123456789012345678901234567890": "123456789012345678901234567890", "2.5": "2.5",
		"-1e999": "-inf", "1e999": "inf", "1e-400": "0.0", "-0.0": "-0.0",
		"3.14159265358979323846": "3.141592653589793", "100.0": "100.0", "1.0e+2": "100.0",
		"5e-324": "5e-324", "1.7976931348623157e308": "1.7976931348623157e+308",
	} {
		if got := pythonNumber(raw); got != want {
			t.Errorf("pythonNumber(%s) = %q, want %q", raw, got, want)
		}
	}
}

// TestCharField: one value through CharField's checks, in DRF's order.
func TestCharField(t *testing.T) {
	for raw, want := range map[string]struct {
		text string
		msgs []string
	}{
		`" demo\t"`:             {"demo", nil},
		`"\u001cdemo\u001f"`:    {"demo", nil}, // Python's strip; Go's TrimSpace keeps them
		`"\u00a0\u3000"`:        {"", []string{"This field may not be blank."}},
		`null`:                  {"", []string{"This field may not be null."}},
		`true`:                  {"", []string{"Not a valid string."}},
		`{}`:                    {"", []string{"Not a valid string."}},
		`"a\u0000"`:             {"", []string{"Null characters are not allowed."}},
		`"\udc00a\ud800\u0000"`: {"", []string{"Null characters are not allowed.", "Surrogate characters are not allowed: U+DC00."}},
		`"\ud83d\ude00"`:        {"😀", nil}, // a pair is one character
		`"\ude00\ud83d"`:        {"", []string{"Surrogate characters are not allowed: U+DE00."}},
		`1e2`:                   {"100.0", nil},
		`"x\/\"\\\n"`:           {"x/\"\\", nil},
	} {
		text, msgs := charField(json.RawMessage(raw))
		if len(msgs) != len(want.msgs) {
			t.Errorf("%s: messages %q, want %q", raw, msgs, want.msgs)
			continue
		}
		for i := range msgs {
			if msgs[i] != want.msgs[i] {
				t.Errorf("%s: messages %q, want %q", raw, msgs, want.msgs)
			}
		}
		if len(want.msgs) == 0 && text != want.text {
			t.Errorf("%s: text %q, want %q", raw, text, want.text)
		}
	}
}
