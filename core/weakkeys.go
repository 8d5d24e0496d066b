package jwtkit

import (
	"bytes"
	"math"
	"strings"
)

// wellKnownSecrets are HMAC secrets published in documentation, tutorials, framework defaults
// and sample configurations. Examples get copied into production configs verbatim, and anyone
// who has read the same page can then forge tokens; attack tools try exactly these first.
//
// The length rule (a secret must be as long as the hash) already refuses most of the short
// entries, but the list still matters: it catches the long ones that pass the length rule
// ("a-string-secret-at-least-256-bits-long" was written to pass it), and it reports a copied
// example as what it is, which tells the operator more than "too short" does.
//
// Entries are compared exactly and also case-insensitively after trimming surrounding
// whitespace, so a trailing newline from a secrets file or a capitalised variant still matches.
var wellKnownSecrets = []string{
	// Generic placeholders and passwords.
	"secret",
	"secretkey",
	"secret-key",
	"secret_key",
	"secret key",
	"secret123",
	"mysecret",
	"mysecretkey",
	"my-secret-key",
	"my_secret_key",
	"your-secret-key",
	"your_secret_key",
	"supersecret",
	"super-secret",
	"supersecretkey",
	"super-secret-key",
	"super_secret_key",
	"topsecret",
	"s3cr3t",
	"changeme",
	"change-me",
	"changeit",
	"password",
	"passw0rd",
	"123456",
	"12345678",
	"qwerty",
	"admin",
	"test",
	"default",
	"notasecret",
	"token-secret",
	// JWT-flavoured placeholders.
	"jwt",
	"jwtsecret",
	"jwt-secret",
	"jwt_secret",
	"jwt-secret-key",
	"jwt_secret_key",
	"your-jwt-secret",
	"your_jwt_secret",
	// jwt.io's debugger defaults, old and current.
	"your-256-bit-secret",
	"your-384-bit-secret",
	"your-512-bit-secret",
	"a-string-secret-at-least-256-bits-long",
	// Library READMEs and tutorials (jsonwebtoken, express-jwt, express-session, Spring, .NET).
	"shhhhh",
	"shhhhhhared-secret",
	"keyboard cat",
	"javainuse",
	"bezKoderSecretKey",
	"mysupersecret_secretkey!123",
	"======================BezKoder=Spring===========================",
	"404E635266556A586E3272357538782F413F4428472B4B6250645367566B5970",
	"5367566B59703373367639792F423F4528482B4D6251655468576D5A71347437",
	"this is my custom Secret key for authentication",
	"this is my custom Secret key for authnetication",
	"my-32-character-ultra-secure-and-ultra-long-secret",
	"ThisIsASecretKeyThatIsLongEnough",
	// FastAPI's OAuth2 tutorial.
	"09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",
	// NestJS's authentication guide.
	"DO NOT USE THIS VALUE. INSTEAD, CREATE A COMPLEX SECRET AND KEEP IT SAFE OUTSIDE OF THE SOURCE CODE.",
	// Supabase's local and self-hosting defaults.
	"super-secret-jwt-token-with-at-least-32-characters-long",
	"your-super-secret-jwt-token-with-at-least-32-characters-long",
	// "Change me" defaults from generated projects.
	"your-secret-key-change-in-production",
	"your-secret-key-change-this-in-production",
	"your-super-secret-jwt-key-change-in-production",
	// Phrases repeated or counted up to reach 32 bytes.
	"mysecretkeymysecretkeymysecretkey",
	"0123456789abcdef0123456789abcdef",
	"12345678901234567890123456789012",
	"abcdefghijklmnopqrstuvwxyz123456",
}

// isWellKnownSecret reports whether secret is on the list. EqualFold also covers the exact
// comparison.
func isWellKnownSecret(secret []byte) bool {
	s := string(bytes.TrimSpace(secret))
	for _, known := range wellKnownSecrets {
		if strings.EqualFold(s, known) {
			return true
		}
	}
	return false
}

// minEstimatedBits is the least estimated entropy an HMAC secret may have. The estimate (see
// estimatedBits) undercounts a random secret: 32 random hex digits, 128 real bits, estimate
// about 90. The floor sits well below that so no random secret of the required length is refused,
// and well above what a word or two repeated, counted up or run through the alphabet reaches.
const minEstimatedBits = 64

// smallestPeriod returns the smallest p such that b[i] == b[i+p] for every i, which is len(b)
// for a secret that repeats nothing (Knuth-Morris-Pratt's failure function). A secret whose
// period is at most half its length is a shorter secret written out twice or more, and is as
// easy to guess as that shorter one.
func smallestPeriod(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	fail := make([]int, len(b))
	for i, k := 1, 0; i < len(b); i++ {
		for k > 0 && b[i] != b[k] {
			k = fail[k-1]
		}
		if b[i] == b[k] {
			k++
		}
		fail[i] = k
	}
	return len(b) - fail[len(b)-1]
}

// estimatedBits estimates the entropy of a secret in bits: the bytes an attacker's generator
// could not predict, times the Shannon entropy per byte of the secret's own byte histogram. A
// byte is predictable when it is part of a well-known secret from the list (an attacker's
// dictionary), continues a run of 4 or more bytes that already occurred earlier in the secret (a
// word used again), or continues an arithmetic run ("aaaa", "abcd", "2468"). Only the first
// maxEstimatedBytes are read: a longer prefix that passes already holds enough.
func estimatedBits(b []byte) float64 {
	if len(b) > maxEstimatedBytes {
		b = b[:maxEstimatedBytes]
	}
	var hist [256]int
	for _, c := range b {
		hist[c]++
	}
	perByte := 0.0
	for _, n := range hist {
		if n > 0 {
			p := float64(n) / float64(len(b))
			perByte -= p * math.Log2(p)
		}
	}
	known := knownSecretBytes(b)
	literal := 0
	for i := 0; i < len(b); {
		if n := longestEarlierMatch(b, i); n >= minRepeat {
			i += n
			continue
		}
		if !known[i] && (i < 2 || b[i]-b[i-1] != b[i-1]-b[i-2]) {
			literal++
		}
		i++
	}
	return float64(literal) * perByte
}

// knownSecretBytes marks the bytes of b covered by an occurrence, in any case, of a well-known
// secret long enough to be a dictionary word of its own (not "test" inside "attest").
func knownSecretBytes(b []byte) []bool {
	covered := make([]bool, len(b))
	lower := bytes.ToLower(b)
	for _, w := range wellKnownSecrets {
		if len(w) < minKnownWord {
			continue
		}
		word := []byte(strings.ToLower(w))
		for off := 0; ; {
			i := bytes.Index(lower[off:], word)
			if i < 0 {
				break
			}
			for k := off + i; k < off+i+len(word); k++ {
				covered[k] = true
			}
			off += i + 1
		}
	}
	return covered
}

const (
	maxEstimatedBytes = 1024
	minRepeat         = 4
	minKnownWord      = 6
)

// longestEarlierMatch is the length of the longest prefix of b[i:] that also starts at some
// j < i (the occurrences may overlap, as in LZ77).
func longestEarlierMatch(b []byte, i int) int {
	best := 0
	for j := 0; j < i; j++ {
		n := 0
		for i+n < len(b) && b[j+n] == b[i+n] {
			n++
		}
		best = max(best, n)
	}
	return best
}
