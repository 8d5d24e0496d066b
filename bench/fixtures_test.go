package bench_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// The token kinds every benchmark runs. The peer test adds more (tokenKindsChecked).
const (
	valid   = "valid"   // an access token jwtkit issued a moment ago
	badSig  = "badsig"  // the same token with one bit of its signature flipped
	expired = "expired" // an access token jwtkit issued an hour ago with the key in use
)

// tokenKinds are the tokens every benchmark measures, in the order they run.
var tokenKinds = []string{valid, badSig, expired}

// The further kinds only the peer test sends, to record what each library accepts.
const (
	refresh = "refresh" // the refresh token of the valid pair: right key, token_type "refresh"
	noExp   = "no-exp"  // the valid token's claims without exp, signed with the right key
	algNone = "alg-none"
)

// algs are the algorithms measured: HMAC and the common asymmetric one.
var algs = []jwtkit.Algorithm{jwtkit.HS256, jwtkit.ES256}

// The claims profiles. simplejwt is the token everything is measured with: header
// {"alg","typ":"JWT"}, claims token_type, exp, iat, jti, user_id. issAud adds iss and aud
// (simplejwt's ISSUER and AUDIENCE settings), for auth0's validator, which requires both.
const (
	simplejwt = "simplejwt"
	issAud    = "iss-aud"
)

const (
	benchIssuer   = "https://issuer.jwtkit.test/"
	benchAudience = "jwtkit-bench"
)

// accessLifetime outlives any benchmark run (-count 6 of everything takes minutes; the default
// 5 minutes would expire the valid token in the middle). Lifetimes cost nothing per request.
const accessLifetime = 24 * time.Hour

// account is the application's user; every library's handler finds the username here.
type account struct {
	id       int64
	username string
}

// accounts is the tiny user table shared by every handler and by jwtkit.Users.
var accounts = map[int64]*account{1: {id: 1, username: "demo"}}

// users is jwtkit.Users over accounts. User.Value is the *account, so no handler converts.
type users struct{}

func (users) Authenticate(context.Context, string, string) (jwtkit.User, error) {
	return jwtkit.User{}, jwtkit.ErrBadCredentials
}

func (users) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	n, ok := id.Int()
	a := accounts[n]
	if !ok || a == nil {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	return jwtkit.User{ID: id, Active: true, Value: a}, nil
}

// appendMe appends the body of GET /api/me. Usernames in accounts are plain ASCII, for which
// Go's quoting and JSON's agree.
func appendMe(dst []byte, userID int64, username string) []byte {
	dst = append(dst, `{"user_id":`...)
	dst = strconv.AppendInt(dst, userID, 10)
	dst = append(dst, `,"username":`...)
	dst = strconv.AppendQuote(dst, username)
	return append(dst, '}')
}

// meBody is what every handler answers for a valid token.
const meBody = `{"user_id":1,"username":"demo"}`

// keyMaterial is one algorithm's key in every form the libraries take.
type keyMaterial struct {
	alg    jwtkit.Algorithm
	key    *jwtkit.Key
	sign   any // []byte or *ecdsa.PrivateKey, for tokens minted outside jwtkit
	verify any // []byte or *ecdsa.PublicKey
}

func newKeyMaterial(alg jwtkit.Algorithm) (keyMaterial, error) {
	switch alg {
	case jwtkit.HS256:
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		k, err := jwtkit.NewHMACKey(alg, secret, "")
		return keyMaterial{alg: alg, key: k, sign: secret, verify: secret}, err
	case jwtkit.ES256:
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return keyMaterial{}, err
		}
		k, err := jwtkit.NewPrivateKey(alg, priv, "")
		return keyMaterial{alg: alg, key: k, sign: priv, verify: &priv.PublicKey}, err
	}
	return keyMaterial{}, fmt.Errorf("no key material for %s", alg)
}

// fixture is one algorithm under one claims profile: the Auths (jwtkit's defaults on the
// memory store) and the tokens.
type fixture struct {
	keyMaterial
	profile string
	// auth is jwtkit as an application runs it: defaults (verified-token cache included),
	// the memory store, users looked up in accounts.
	auth *jwtkit.Auth
	// cold is auth with the verified-token cache off: every Validate parses and verifies.
	cold   *jwtkit.Auth
	tokens map[string]string
}

func (f *fixture) config(store jwtkit.Store) jwtkit.Config {
	c := jwtkit.Config{
		SigningKey:          f.key,
		Store:               store,
		Users:               users{},
		AccessTokenLifetime: accessLifetime,
	}
	if f.profile == issAud {
		c.Issuer, c.Audience = benchIssuer, benchAudience
	}
	return c
}

func newFixture(km keyMaterial, profile string) (*fixture, error) {
	f := &fixture{keyMaterial: km, profile: profile, tokens: map[string]string{}}
	store, err := memstore.New()
	if err != nil {
		return nil, err
	}
	if f.auth, err = jwtkit.New(f.config(store)); err != nil {
		return nil, err
	}
	coldCfg := f.config(store)
	coldCfg.TokenCacheSize = -1
	if f.cold, err = jwtkit.New(coldCfg); err != nil {
		return nil, err
	}

	ctx := context.Background()
	pair, err := f.auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		return nil, err
	}
	f.tokens[valid], f.tokens[refresh] = pair.Access, pair.Refresh
	if f.tokens[badSig], err = flipSignatureBit(pair.Access); err != nil {
		return nil, err
	}

	pastCfg := f.config(store)
	pastCfg.Clock = func() time.Time { return time.Now().Add(-accessLifetime - time.Hour) }
	past, err := jwtkit.New(pastCfg)
	if err != nil {
		return nil, err
	}
	old, err := past.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		return nil, err
	}
	f.tokens[expired] = old.Access

	claims := jwt.MapClaims{"token_type": "access", "iat": time.Now().Unix(), "jti": "0123456789abcdef0123456789abcdef", "user_id": 1}
	if profile == issAud {
		claims["iss"], claims["aud"] = benchIssuer, benchAudience
	}
	if f.tokens[noExp], err = jwt.NewWithClaims(jwt.GetSigningMethod(string(km.alg)), claims).SignedString(km.sign); err != nil {
		return nil, err
	}
	claims["exp"] = time.Now().Add(accessLifetime).Unix()
	if f.tokens[algNone], err = jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType); err != nil {
		return nil, err
	}
	return f, nil
}

// flipSignatureBit returns tok with the lowest bit of its first signature byte flipped. The
// bit is flipped in the decoded signature, not in the text: the last base64url character may
// carry padding bits, and flipping one of those would leave the signature intact.
func flipSignatureBit(tok string) (string, error) {
	dot := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[dot+1:])
	if err != nil {
		return "", err
	}
	sig[0] ^= 1
	return tok[:dot+1] + base64.RawURLEncoding.EncodeToString(sig), nil
}

// fixtures are made once per process: every benchmark and test measures the same tokens.
var fixtures = sync.OnceValues(func() (map[string]*fixture, error) {
	all := map[string]*fixture{}
	for _, alg := range algs {
		km, err := newKeyMaterial(alg)
		if err != nil {
			return nil, err
		}
		for _, profile := range []string{simplejwt, issAud} {
			f, err := newFixture(km, profile)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", alg, profile, err)
			}
			all[profile+"/"+string(alg)] = f
		}
	}
	return all, nil
})

func getFixture(tb testing.TB, profile string, alg jwtkit.Algorithm) *fixture {
	tb.Helper()
	all, err := fixtures()
	if err != nil {
		tb.Fatal(err)
	}
	return all[profile+"/"+string(alg)]
}
