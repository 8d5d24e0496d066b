package jwtkit

import (
	"bytes"
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
