package jwtdjango_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtdjango "github.com/jwtkit/jwtkit/django"
	"github.com/jwtkit/jwtkit/django/internal/djangotest"
)

type vector struct {
	Hasher   string         `json:"hasher"`
	Password string         `json:"password"`
	Params   map[string]any `json:"params,omitempty"`
	Encoded  string         `json:"encoded,omitempty"`
}

// TestCheckPasswordDjangoVectors checks hashes Django's make_password makes now, for every
// hasher: once at Django's default cost and at low costs with awkward passwords, each
// matching its password and no other.
func TestCheckPasswordDjangoVectors(t *testing.T) {
	djangotest.Need(t)
	long := strings.Repeat("long password ", 8) // 112 bytes: over bcrypt's 72
	passwords := []string{"correct horse battery staple", "pässwörd 🔑", "", long, "a$b$c"}
	low := map[string]map[string]any{
		"pbkdf2_sha256": {"iterations": 1000},
		"pbkdf2_sha1":   {"iterations": 1000},
		"argon2":        {"time_cost": 1, "memory_cost": 64, "parallelism": 2},
		"bcrypt_sha256": {"rounds": 4},
		"bcrypt":        {"rounds": 4},
		"scrypt":        {"n": 16, "r": 2, "p": 3},
		"md5":           nil,
	}
	var in []vector
	for hasher, params := range low {
		in = append(in, vector{Hasher: hasher, Password: "default cost"})
		for _, pw := range passwords {
			in = append(in, vector{Hasher: hasher, Password: pw, Params: params})
		}
	}
	in = append(in, vector{Hasher: "argon2", Password: "argon2i",
		Params: map[string]any{"time_cost": 1, "memory_cost": 64, "parallelism": 2, "variety": "argon2i"}})
	var out []vector
	djangotest.Run(t, nil, "hashes", in, &out)
	require.Len(t, out, len(in))

	for _, v := range out {
		t.Run(v.Hasher+"/"+strings.SplitN(v.Encoded, "$", 3)[1], func(t *testing.T) {
			ok, err := jwtdjango.CheckPassword(v.Encoded, v.Password)
			require.NoError(t, err, v.Encoded)
			assert.True(t, ok, "%q against %s", v.Password, v.Encoded)
			wrongs := []string{v.Password + "x", strings.ToUpper(v.Password) + "X", "correct horse battery stapl"}
			if v.Password == "default cost" {
				// Django's default cost takes seconds a check under the race detector.
				wrongs = wrongs[:1]
			}
			for _, wrong := range wrongs {
				ok, err := jwtdjango.CheckPassword(v.Encoded, wrong)
				require.NoError(t, err)
				truncated := v.Hasher == "bcrypt" && len(wrong) > 72 && wrong[:72] == v.Password[:72]
				assert.Equal(t, truncated, ok, "%q against %s", wrong, v.Encoded)
			}
			if v.Password == long {
				// Django's bcrypt (without sha256) sees 72 bytes; bcrypt_sha256 sees all.
				ok, _ := jwtdjango.CheckPassword(v.Encoded, long[:72]+"anything")
				assert.Equal(t, v.Hasher == "bcrypt", ok)
			}
		})
	}
}

// TestCheckPasswordRefuses covers the hashes that must never match: each comes back false,
// with the error that says why, and fast (nothing over a bound is computed).
func TestCheckPasswordRefuses(t *testing.T) {
	salt := "c2FsdHNhbHRzYWx0"
	hash32 := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	hash64 := strings.Repeat("A", 86) + "=="
	for _, c := range []struct {
		encoded string
		want    error
	}{
		{"", jwtdjango.ErrUnusablePassword},
		{"!", jwtdjango.ErrUnusablePassword},
		{"!3bYvNr9cLw0eVjD1pQ7sXz2mKa5uTg8hWf4iRoE", jwtdjango.ErrUnusablePassword},
		{"!pbkdf2_sha256$1000$salt$" + hash32, jwtdjango.ErrUnusablePassword},
		{"crypt$$abN0tTheH4sh", jwtdjango.ErrUnknownHasher},
		{"sha1$salt$4f26aeafdb2367620a393c973eddbe8f8b846ebd", jwtdjango.ErrUnknownHasher},
		{"unsalted_md5$$5f4dcc3b5aa765d61d8327deb882cf99", jwtdjango.ErrUnknownHasher},
		{"5f4dcc3b5aa765d61d8327deb882cf99", jwtdjango.ErrUnknownHasher},
		{"PBKDF2_SHA256$1000$salt$" + hash32, jwtdjango.ErrUnknownHasher},
		{"argon2$argon2d$v=19$m=64,t=1,p=1$" + salt + "$AAAAAAAAAAAAAAAAAAAAAA", jwtdjango.ErrUnknownHasher},
		{"argon2$argon2i$m=64,t=1,p=1$" + salt + "$AAAAAAAAAAAAAAAAAAAAAA", jwtdjango.ErrUnknownHasher},
		{"argon2$argon2id$v=16$m=64,t=1,p=1$" + salt + "$AAAAAAAAAAAAAAAAAAAAAA", jwtdjango.ErrUnknownHasher},
		{"pbkdf2_sha256$1000$salt", jwtdjango.ErrMalformedHash},
		{"pbkdf2_sha256$0$salt$" + hash32, jwtdjango.ErrMalformedHash},
		{"pbkdf2_sha256$-5$salt$" + hash32, jwtdjango.ErrMalformedHash},
		{"pbkdf2_sha256$01000$salt$" + hash32, jwtdjango.ErrMalformedHash},
		{"pbkdf2_sha256$1000$salt$AAAA", jwtdjango.ErrMalformedHash},
		{"pbkdf2_sha256$1000$salt$not base64!", jwtdjango.ErrMalformedHash},
		{"pbkdf2_sha1$1000$salt$" + hash32, jwtdjango.ErrMalformedHash}, // 32 bytes for SHA-1's 20
		{"argon2$argon2id$v=19$m=64,t=1$" + salt + "$AAAAAAAAAAAAAAAAAAAAAA", jwtdjango.ErrMalformedHash},
		{"argon2$argon2id$v=19$t=1,m=64,p=1$" + salt + "$AAAAAAAAAAAAAAAAAAAAAA", jwtdjango.ErrMalformedHash},
		{"argon2$argon2id$v=19$m=8,t=1,p=2$" + salt + "$AAAAAAAAAAAAAAAAAAAAAA", jwtdjango.ErrMalformedHash},
		{"argon2$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AA", jwtdjango.ErrMalformedHash},
		{"bcrypt_sha256$$2b$04$short", jwtdjango.ErrMalformedHash},
		{"bcrypt$2b$04$k/9CuItdzEaKsGKt9BOPbO7KTOk0O1medlWWTiarO8/4i5qnStR06", jwtdjango.ErrMalformedHash},
		{"scrypt$16$salt$2$3", jwtdjango.ErrMalformedHash},
		{"scrypt$15$salt$2$3$" + hash64, jwtdjango.ErrMalformedHash},
		{"scrypt$16$salt$2$3$" + hash32, jwtdjango.ErrMalformedHash},
		{"md5$salt$zz", jwtdjango.ErrMalformedHash},
		// Over the bounds: each would take seconds, or gigabytes, to compute.
		{"pbkdf2_sha256$10000001$salt$" + hash32, jwtdjango.ErrCostTooHigh},
		{"pbkdf2_sha256$2147483647$salt$" + hash32, jwtdjango.ErrCostTooHigh},
		{"argon2$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$AAAAAAAAAAAAAAAAAAAAAA", jwtdjango.ErrCostTooHigh},
		{"argon2$argon2id$v=19$m=65536,t=1000,p=1$" + salt + "$AAAAAAAAAAAAAAAAAAAAAA", jwtdjango.ErrCostTooHigh},
		{"argon2$argon2id$v=19$m=65536,t=1,p=255$" + salt + "$AAAAAAAAAAAAAAAAAAAAAA", jwtdjango.ErrCostTooHigh},
		{"bcrypt_sha256$$2b$17$k/9CuItdzEaKsGKt9BOPbO7KTOk0O1medlWWTiarO8/4i5qnStR06", jwtdjango.ErrCostTooHigh},
		{"bcrypt$$2b$31$k/9CuItdzEaKsGKt9BOPbO7KTOk0O1medlWWTiarO8/4i5qnStR06", jwtdjango.ErrCostTooHigh},
		{"scrypt$65536$salt$8$1$" + hash64, jwtdjango.ErrCostTooHigh}, // 64 MiB: Django's own verify refuses it
		{"scrypt$1073741824$salt$2147483647$2147483647$" + hash64, jwtdjango.ErrCostTooHigh},
		{"scrypt$16$salt$1$2147483647$" + hash64, jwtdjango.ErrCostTooHigh},
	} {
		start := time.Now()
		ok, err := jwtdjango.CheckPassword(c.encoded, "password")
		assert.False(t, ok, c.encoded)
		assert.ErrorIs(t, err, c.want, c.encoded)
		assert.Less(t, time.Since(start), time.Second, c.encoded)
	}
}

// TestCheckPasswordAgreesWithDjango: for hashes Django's check_password accepts or refuses,
// the answers agree (the hashes over a bound aside, which Django would compute).
func TestCheckPasswordAgreesWithDjango(t *testing.T) {
	djangotest.Need(t)
	for _, c := range []struct{ encoded, password string }{
		{"md5$salt$" + "e3e09de35e54460a4a3e0abcaa4a2c76", "letmein"},
		{"md5$salt$" + "e3e09de35e54460a4a3e0abcaa4a2c76", "letmeout"},
		{"!unusable", "letmein"},
		{"crypt$$abN0tTheH4sh", "letmein"},
	} {
		var django struct {
			OK bool `json:"ok"`
		}
		djangotest.Run(t, nil, "check", map[string]string{"encoded": c.encoded, "password": c.password}, &django)
		ok, _ := jwtdjango.CheckPassword(c.encoded, c.password)
		assert.Equal(t, django.OK, ok, "%s %q", c.encoded, c.password)
	}
}

func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"pbkdf2_sha256$1000$salt$AAAA", "argon2$argon2id$v=19$m=64,t=1,p=1$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA",
		"bcrypt_sha256$$2b$04$k/9CuItdzEaKsGKt9BOPbO7KTOk0O1medlWWTiarO8/4i5qnStR06", "scrypt$16$salt$2$3$AAAA", "md5$s$00"} {
		f.Add(s, "password")
	}
	f.Fuzz(func(t *testing.T, encoded, password string) {
		// The bounds keep every input cheap; nothing may panic, and a failure never matches.
		if ok, err := jwtdjango.CheckPassword(encoded, password); ok && err != nil {
			t.Fatalf("matched with error %v", err)
		}
	})
}
