package jwtdjango

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// The errors CheckPassword returns for a hash it cannot check. Users.Authenticate turns each
// of them into jwtkit.ErrBadCredentials (wrapping them, for logs): a row the service cannot
// verify refuses the login, it never fails the request.
var (
	// ErrUnusablePassword is an empty hash or one Django marks unusable ("!…", from
	// set_unusable_password or create_user without a password).
	ErrUnusablePassword = errors.New("jwtdjango: unusable password")
	// ErrUnknownHasher is a hash of an algorithm this package does not verify (crypt, sha1,
	// unsalted_md5, a project's own hasher).
	ErrUnknownHasher = errors.New("jwtdjango: unknown password hasher")
	// ErrMalformedHash is a hash of a known algorithm that does not parse.
	ErrMalformedHash = errors.New("jwtdjango: malformed password hash")
	// ErrCostTooHigh is a hash whose work parameters exceed the bounds below: verifying it
	// would cost more time or memory than any real Django setting asks for.
	ErrCostTooHigh = errors.New("jwtdjango: password hash cost out of bounds")
)

// The bounds on a hash's parameters, each several times Django's current default, so that a
// row written by a hostile or broken process cannot make one login burn seconds of CPU or
// gigabytes of memory. A hash over a bound is refused (ErrCostTooHigh), never computed.
const (
	// MaxPBKDF2Iterations: Django 3.2 writes 260,000, Django 5.2 1,000,000; ten million
	// HMAC rounds take a few seconds.
	MaxPBKDF2Iterations = 10_000_000
	// MaxArgon2Memory is in KiB (512 MiB); Django writes 102,400 (100 MiB).
	MaxArgon2Memory = 512 * 1024
	// MaxArgon2Time: Django writes 2.
	MaxArgon2Time = 16
	// MaxArgon2Parallelism: Django writes 8; the algorithm's own limit is 2^24-1.
	MaxArgon2Parallelism = 64
	// MaxBcryptCost: Django writes 12; each step doubles the time (16 is about four seconds).
	MaxBcryptCost = 16
	// MaxScryptMemory is in bytes: the limit Django's own verify runs under (hashlib.scrypt
	// with maxmem=0 is OpenSSL's 32 MiB), so no hash Django can verify is refused. Django
	// writes N=2^14, r=8, p=1 (16 MiB).
	MaxScryptMemory = 32 << 20
)

// CheckPassword reports whether password matches encoded, a password hash as Django's
// make_password writes it: pbkdf2_sha256, pbkdf2_sha1, argon2 (argon2id and argon2i, version
// 19), bcrypt_sha256, bcrypt, scrypt or md5. The final comparison is constant-time.
//
// A wrong password is (false, nil). A hash that cannot be checked is (false, err) with err
// wrapping ErrUnusablePassword, ErrUnknownHasher, ErrMalformedHash or ErrCostTooHigh; it never
// matches any password.
func CheckPassword(encoded, password string) (bool, error) {
	if encoded == "" || strings.HasPrefix(encoded, "!") {
		return false, ErrUnusablePassword
	}
	algorithm, rest, _ := strings.Cut(encoded, "$")
	switch algorithm {
	case "pbkdf2_sha256":
		return checkPBKDF2(sha256.New, rest, password)
	case "pbkdf2_sha1":
		return checkPBKDF2(sha1.New, rest, password)
	case "argon2":
		return checkArgon2(rest, password)
	case "bcrypt_sha256":
		// Django hashes first so that bcrypt never truncates: the hex of the SHA-256
		// digest (64 bytes) is what bcrypt sees.
		sum := sha256.Sum256([]byte(password))
		return checkBcrypt(rest, hex.AppendEncode(nil, sum[:]))
	case "bcrypt":
		return checkBcrypt(rest, []byte(password))
	case "scrypt":
		return checkScrypt(rest, password)
	case "md5":
		return checkMD5(rest, password)
	}
	return false, fmt.Errorf("%w %q", ErrUnknownHasher, algorithm)
}

// checkPBKDF2 checks "<iterations>$<salt>$<base64 hash>". Django feeds the salt as its text
// and derives as many bytes as the digest is long.
func checkPBKDF2(h func() hash.Hash, rest, password string) (bool, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return false, malformed("pbkdf2: want 4 fields")
	}
	iter, err := positive(parts[0])
	if err != nil {
		return false, malformed("pbkdf2 iterations: %v", err)
	}
	if iter > MaxPBKDF2Iterations {
		return false, fmt.Errorf("%w: pbkdf2 iterations %d > %d", ErrCostTooHigh, iter, MaxPBKDF2Iterations)
	}
	want, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(want) != h().Size() {
		return false, malformed("pbkdf2 hash is not base64 of %d bytes", h().Size())
	}
	got, err := pbkdf2.Key(h, password, []byte(parts[1]), iter, len(want))
	if err != nil {
		return false, malformed("pbkdf2: %v", err)
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// checkArgon2 checks argon2-cffi's encoding without its leading "$":
// "argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>", salt and hash unpadded base64. Hashes
// without "v=" are version 16, which golang.org/x/crypto does not implement: they are
// refused as unknown (Django rewrites them at a user's next login on the Django side).
func checkArgon2(rest, password string) (bool, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 5 {
		if len(parts) == 4 {
			return false, fmt.Errorf("%w: argon2 version 16 (no v= field)", ErrUnknownHasher)
		}
		return false, malformed("argon2: want 6 fields")
	}
	variety, version, params, b64salt, b64hash := parts[0], parts[1], parts[2], parts[3], parts[4]
	key := argon2.IDKey
	switch variety {
	case "argon2id":
	case "argon2i":
		key = argon2.Key
	default:
		return false, fmt.Errorf("%w: argon2 variety %q", ErrUnknownHasher, variety)
	}
	if version != "v=19" {
		return false, fmt.Errorf("%w: argon2 %s", ErrUnknownHasher, version)
	}
	fields := strings.Split(params, ",")
	if len(fields) != 3 {
		return false, malformed("argon2 parameters %q", params)
	}
	var mtp [3]int
	for i, name := range []string{"m=", "t=", "p="} {
		value, ok := strings.CutPrefix(fields[i], name)
		n, err := positive(value)
		if !ok || err != nil {
			return false, malformed("argon2 parameters %q", params)
		}
		mtp[i] = n
	}
	m, t, p := mtp[0], mtp[1], mtp[2]
	switch {
	case m > MaxArgon2Memory || t > MaxArgon2Time || p > MaxArgon2Parallelism:
		return false, fmt.Errorf("%w: argon2 m=%d,t=%d,p=%d (bounds %d, %d, %d)", ErrCostTooHigh,
			m, t, p, MaxArgon2Memory, MaxArgon2Time, MaxArgon2Parallelism)
	case m < 8*p:
		return false, malformed("argon2 memory %d KiB below 8 per lane", m)
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(b64salt)
	want, err2 := base64.RawStdEncoding.DecodeString(b64hash)
	if err1 != nil || err2 != nil || len(want) < 4 || len(want) > 1024 {
		return false, malformed("argon2 salt or hash")
	}
	got := key([]byte(password), salt, uint32(t), uint32(m), uint8(p), uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// checkBcrypt checks "$2b$<cost>$<salt and hash>" (Django keeps bcrypt's own encoding after
// the algorithm and its "$"). Plain bcrypt sees at most 72 bytes: Django's bcrypt library
// truncated longer passwords, and golang.org/x/crypto refuses them instead.
func checkBcrypt(rest string, password []byte) (bool, error) {
	cost, err := bcrypt.Cost([]byte(rest))
	if err != nil {
		return false, malformed("bcrypt: %v", err)
	}
	if cost > MaxBcryptCost {
		return false, fmt.Errorf("%w: bcrypt cost %d > %d", ErrCostTooHigh, cost, MaxBcryptCost)
	}
	if len(password) > 72 {
		password = password[:72]
	}
	err = bcrypt.CompareHashAndPassword([]byte(rest), password)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	}
	return false, malformed("bcrypt: %v", err)
}

// checkScrypt checks Django 4's "<N>$<salt>$<r>$<p>$<base64 hash>", a 64-byte key derived
// from the salt's text.
func checkScrypt(rest, password string) (bool, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 5 {
		return false, malformed("scrypt: want 6 fields")
	}
	n, err1 := positive(parts[0])
	r, err2 := positive(parts[2])
	p, err3 := positive(parts[3])
	if err := errors.Join(err1, err2, err3); err != nil || n < 2 || n&(n-1) != 0 {
		return false, malformed("scrypt parameters N=%s r=%s p=%s", parts[0], parts[2], parts[3])
	}
	// OpenSSL's accounting, which Django's hashlib.scrypt verifies under: the V array
	// (128·r·(N+2) bytes) and B (128·r·p). Each factor is bounded first, so the product
	// cannot overflow.
	const limit = MaxScryptMemory / 128
	if work := uint64(n) + 2 + uint64(p); uint64(r) > limit || work > limit || uint64(r)*work > limit {
		return false, fmt.Errorf("%w: scrypt N=%d r=%d p=%d needs more than %d bytes", ErrCostTooHigh, n, r, p, MaxScryptMemory)
	}
	want, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(want) != 64 {
		return false, malformed("scrypt hash is not base64 of 64 bytes")
	}
	got, err := scrypt.Key([]byte(password), []byte(parts[1]), n, r, p, len(want))
	if err != nil {
		return false, malformed("scrypt: %v", err)
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// checkMD5 checks "<salt>$<hex md5(salt+password)>", the hasher Django projects use in their
// test settings for speed. It is no protection against anyone who reads the table.
func checkMD5(rest, password string) (bool, error) {
	salt, hexHash, ok := strings.Cut(rest, "$")
	want, err := hex.DecodeString(hexHash)
	if !ok || err != nil || len(want) != md5.Size {
		return false, malformed("md5: want <salt>$<32 hex digits>")
	}
	got := md5.Sum([]byte(salt + password))
	return subtle.ConstantTimeCompare(got[:], want) == 1, nil
}

// positive parses a decimal parameter in [1, 2^31): no sign, no leading zero, so that each
// value has one spelling.
func positive(s string) (int, error) {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, fmt.Errorf("%q is not a positive decimal", s)
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a positive decimal below 2^31", s)
	}
	return int(n), nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformedHash}, args...)...)
}
