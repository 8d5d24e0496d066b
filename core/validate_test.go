package jwtkit_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

var allAlgorithms = []jwtkit.Algorithm{
	jwtkit.HS256, jwtkit.HS384, jwtkit.HS512, jwtkit.RS256, jwtkit.RS384, jwtkit.RS512,
	jwtkit.PS256, jwtkit.PS384, jwtkit.PS512, jwtkit.ES256, jwtkit.ES384, jwtkit.ES512, jwtkit.EdDSA,
}

// decodeSegment returns a token's header or payload JSON.
func decodeSegment(t *testing.T, tok string, i int) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[i])
	require.NoError(t, err)
	return string(b)
}

func TestEveryAlgorithmFamily(t *testing.T) {
	ctx := context.Background()
	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			key, err := jwtkit.GenerateKey(alg, "k-"+string(alg))
			require.NoError(t, err)
			e := newEnv(t, func(c *jwtkit.Config) { c.SigningKey = key })
			p := e.pair(t, jwtkit.IntUserID(1))
			assert.Equal(t, `{"alg":"`+string(alg)+`","kid":"k-`+string(alg)+`","typ":"JWT"}`, decodeSegment(t, p.Access, 0))
			tok, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
			require.NoError(t, err)
			assert.Equal(t, "k-"+string(alg), tok.KeyID)

			// A verifier holding only the public half accepts the token.
			verifier, err := jwtkit.New(jwtkit.Config{SigningKey: hsKey(t, "local"), VerifyingKeys: []*jwtkit.Key{key.Public()},
				Store: newTestStore(), Stateless: true, Clock: e.clock.Now})
			require.NoError(t, err)
			_, err = verifier.Validate(ctx, p.Access, jwtkit.TypeAccess)
			require.NoError(t, err)

			// Flip one bit of the signature: rejected.
			parts := strings.Split(p.Access, ".")
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			sig[0] ^= 1
			bad := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
			_, err = e.auth.Validate(ctx, bad, jwtkit.TypeAccess)
			assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
		})
	}
}

func TestKeyRotationByKID(t *testing.T) {
	ctx := context.Background()
	oldKey, err := jwtkit.GenerateKey(jwtkit.ES256, "2026-10")
	require.NoError(t, err)
	newKey, err := jwtkit.GenerateKey(jwtkit.ES256, "2026-11")
	require.NoError(t, err)
	legacy := hsKey(t, "") // tokens from before kids were used

	before := newEnv(t, func(c *jwtkit.Config) { c.SigningKey = oldKey })
	oldTok := before.pair(t, jwtkit.IntUserID(1)).Access
	legacyEnv := newEnv(t)
	legacyTok := legacyEnv.pair(t, jwtkit.IntUserID(1)).Access

	after := newEnv(t, func(c *jwtkit.Config) {
		c.SigningKey = newKey
		c.VerifyingKeys = []*jwtkit.Key{oldKey.Public(), legacy}
		c.Clock = before.clock.Now
	})
	newTok := after.pair(t, jwtkit.IntUserID(1)).Access
	for name, tok := range map[string]string{"old kid": oldTok, "new kid": newTok, "no kid": legacyTok} {
		_, err := after.auth.Validate(ctx, tok, jwtkit.TypeAccess)
		assert.NoError(t, err, name)
	}

	// Once the old key is dropped its tokens fail: no fallback to another key.
	dropped := newEnv(t, func(c *jwtkit.Config) { c.SigningKey = newKey; c.Clock = before.clock.Now })
	_, err = dropped.auth.Validate(ctx, oldTok, jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
	_, err = dropped.auth.Validate(ctx, legacyTok, jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "a token without kid finds no key when every key has a kid")

	// A token whose kid names a key of another algorithm fails.
	_, err = after.auth.Validate(ctx, forgeWithKID(t, "2026-11"), jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)

	_, err = jwtkit.New(jwtkit.Config{SigningKey: newKey, VerifyingKeys: []*jwtkit.Key{newKey.Public()}, Store: newTestStore(), Stateless: true})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "two keys with one kid are ambiguous")
}

// forgeWithKID is an HS256 token that names kid.
func forgeWithKID(t *testing.T, kid string) string {
	t.Helper()
	return forge(`{"alg":"HS256","kid":"`+kid+`","typ":"JWT"}`, `{"token_type":"access","exp":9999999999,"iat":1,"jti":"ab","user_id":1}`)
}

func TestHostileHeadersAndShapes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	good := e.pair(t, jwtkit.IntUserID(1)).Access
	parts := strings.Split(good, ".")
	payload := e.claimsAt("access", "")
	none := func(alg string) string {
		enc := base64.RawURLEncoding
		return enc.EncodeToString([]byte(`{"alg":"`+alg+`","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload)) + "."
	}
	rsa, err := jwtkit.GenerateKey(jwtkit.RS256, "")
	require.NoError(t, err)
	rsaEnv := newEnv(t, func(c *jwtkit.Config) { c.SigningKey = rsa })
	rsaPEM, err := rsa.PublicPEM()
	require.NoError(t, err)

	cases := map[string]string{
		"alg none":                 none("none"),
		"alg None":                 none("None"),
		"alg NONE with signature":  none("NONE") + "c2ln",
		"crit":                     forge(`{"alg":"HS256","crit":["exp"],"typ":"JWT"}`, payload),
		"crit empty":               forge(`{"alg":"HS256","crit":[],"typ":"JWT"}`, payload),
		"unknown kid":              forgeWithKID(t, "nope"),
		"kid path traversal":       forgeWithKID(t, "../../etc/passwd"),
		"kid not a string":         forge(`{"alg":"HS256","kid":7,"typ":"JWT"}`, payload),
		"alg HS384 on HS256 key":   forge(`{"alg":"HS384","typ":"JWT"}`, payload),
		"duplicate claim":          forge(hs256Header, strings.TrimSuffix(payload, "}")+`,"token_type":"refresh"}`),
		"quoted exp":               forge(hs256Header, `{"token_type":"access","exp":"9999999999","jti":"ab","user_id":1}`),
		"null exp":                 forge(hs256Header, `{"token_type":"access","exp":null,"jti":"ab","user_id":1}`),
		"huge exp":                 forge(hs256Header, `{"token_type":"access","exp":1e300,"jti":"ab","user_id":1}`),
		"negative exp":             forge(hs256Header, `{"token_type":"access","exp":-1,"jti":"ab","user_id":1}`),
		"missing exp":              forge(hs256Header, `{"token_type":"access","jti":"ab","user_id":1}`),
		"payload not an object":    forge(hs256Header, `[1,2]`),
		"two segments":             parts[0] + "." + parts[1],
		"four segments":            good + ".x",
		"padding":                  good + "=",
		"plus alphabet":            strings.Replace(good, "-", "+", 1) + "+",
		"space inside":             parts[0] + ". " + parts[1] + "." + parts[2],
		"CRLF inside":              parts[0] + "." + parts[1] + "\r\n." + parts[2],
		"empty signature":          parts[0] + "." + parts[1] + ".",
		"JSON serialization":       `{"payload":"` + parts[1] + `","signatures":[]}`,
		"megabyte":                 strings.Repeat("a", 1<<20) + ".b.c",
		"HMAC with RSA public key": forgeWith(rsaPEM, hs256Header, payload), // the classic key confusion
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			env := e
			if name == "HMAC with RSA public key" {
				env = rsaEnv
			}
			_, err := env.auth.Validate(ctx, tok, jwtkit.TypeAny)
			assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
		})
	}
}

func TestTimeClaimsAndLeeway(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *jwtkit.Config) { c.Leeway = 30 * time.Second })
	now := e.clock.Now().Unix()
	tok := func(exp, iat, nbf int64) string {
		p := `{"token_type":"access","exp":` + itoa(exp) + `,"iat":` + itoa(iat) + `,"jti":"ab","user_id":1`
		if nbf != 0 {
			p += `,"nbf":` + itoa(nbf)
		}
		return forge(hs256Header, p+"}")
	}
	cases := []struct {
		name  string
		token string
		ok    bool
	}{
		{"exp within leeway", tok(now-29, now-300, 0), true},
		{"exp exactly at leeway", tok(now-30, now-300, 0), false},
		{"exp past leeway", tok(now-31, now-300, 0), false},
		{"iat in the future within leeway", tok(now+300, now+29, 0), true},
		{"iat in the future past leeway", tok(now+300, now+31, 0), false},
		{"nbf within leeway", tok(now+300, now, now+29), true},
		{"nbf past leeway", tok(now+300, now, now+31), false},
	}
	for _, c := range cases {
		_, err := e.auth.Validate(ctx, c.token, jwtkit.TypeAccess)
		if c.ok {
			assert.NoError(t, err, c.name)
		} else {
			assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, c.name)
		}
	}
	_, err := e.auth.Validate(ctx, tok(now-31, now-300, 0), jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenExpired)

	// An issued token stops validating exactly when its lifetime plus leeway has passed.
	strict := newEnv(t)
	p := strict.pair(t, jwtkit.IntUserID(1))
	strict.clock.Advance(5*time.Minute - time.Second)
	_, err = strict.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	strict.clock.Advance(time.Second)
	_, err = strict.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenExpired)
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestAudienceAndIssuer(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *jwtkit.Config) { c.Audience = "api.example"; c.Issuer = "https://auth.example" })
	p := e.pair(t, jwtkit.IntUserID(1))
	payload := decodeSegment(t, p.Access, 1)
	assert.Contains(t, payload, `"aud":"api.example","iss":"https://auth.example"`)
	_, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	require.NoError(t, err)

	now := e.clock.Now().Unix()
	base := `{"token_type":"access","exp":` + itoa(now+60) + `,"jti":"ab","user_id":1`
	for name, extra := range map[string]string{
		"missing both":     ``,
		"missing iss":      `,"aud":"api.example"`,
		"wrong aud":        `,"aud":"api.example.evil","iss":"https://auth.example"`,
		"aud prefix":       `,"aud":"api","iss":"https://auth.example"`,
		"wrong iss":        `,"aud":"api.example","iss":"https://auth.example/"`,
		"aud wrong type":   `,"aud":7,"iss":"https://auth.example"`,
		"aud list without": `,"aud":["a","b"],"iss":"https://auth.example"`,
	} {
		_, err := e.auth.Validate(ctx, forge(hs256Header, base+extra+"}"), jwtkit.TypeAccess)
		assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, name)
	}
	_, err = e.auth.Validate(ctx, forge(hs256Header, base+`,"aud":["x","api.example"],"iss":"https://auth.example"}`), jwtkit.TypeAccess)
	assert.NoError(t, err, "an audience list containing ours is accepted")
}

func TestClaimsOnTheWire(t *testing.T) {
	e := newEnv(t)
	type claims struct {
		Tenant string   `json:"tenant"`
		Roles  []string `json:"roles"`
	}
	p, err := e.auth.IssuePair(context.Background(), jwtkit.IntUserID(7), claims{Tenant: "acme", Roles: []string{"admin"}})
	require.NoError(t, err)
	now := e.clock.Now().Unix()

	var access, refresh map[string]any
	require.NoError(t, json.Unmarshal([]byte(decodeSegment(t, p.Access, 1)), &access))
	require.NoError(t, json.Unmarshal([]byte(decodeSegment(t, p.Refresh, 1)), &refresh))
	assert.Equal(t, `{"alg":"HS256","typ":"JWT"}`, decodeSegment(t, p.Access, 0), "PyJWT's header, byte for byte")
	assert.Regexp(t, `^\{"token_type":"access","exp":\d+,"iat":\d+,"jti":"[0-9a-f]{32}","user_id":7,"roles":\["admin"\],"tenant":"acme"\}$`, decodeSegment(t, p.Access, 1))
	assert.Equal(t, float64(now+300), access["exp"])
	assert.Equal(t, float64(now+86400), refresh["exp"])
	assert.Equal(t, float64(now), access["iat"])
	assert.Equal(t, "refresh", refresh["token_type"])
	assert.NotEqual(t, access["jti"], refresh["jti"])

	s, err := e.auth.IssuePair(context.Background(), jwtkit.StringUserID("5f0c8a4e-uuid"), nil)
	require.NoError(t, err)
	assert.Contains(t, decodeSegment(t, s.Access, 1), `"user_id":"5f0c8a4e-uuid"`)

	tok, err := e.auth.Validate(context.Background(), p.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	got, err := jwtkit.CustomClaims[claims](tok)
	require.NoError(t, err)
	assert.Equal(t, claims{Tenant: "acme", Roles: []string{"admin"}}, got)

	for _, bad := range []any{map[string]any{"exp": 1}, map[string]any{"user_id": 2}, map[string]any{"token_type": "refresh"}, map[string]any{"jti": "x"}} {
		_, err := e.auth.IssuePair(context.Background(), jwtkit.IntUserID(7), bad)
		assert.ErrorIs(t, err, jwtkit.ErrReservedClaim)
	}
	_, err = e.auth.IssuePair(context.Background(), jwtkit.IntUserID(7), []int{1})
	assert.Error(t, err, "custom claims must be an object")
	_, err = e.auth.IssuePair(context.Background(), jwtkit.UserID{}, nil)
	assert.Error(t, err, "a token needs a user id")
}

func TestRefreshCopiesCustomClaims(t *testing.T) {
	e := newEnv(t)
	p, err := e.auth.IssuePair(context.Background(), jwtkit.IntUserID(1), map[string]any{"tenant": "acme"})
	require.NoError(t, err)
	e.clock.Advance(time.Hour)
	res, err := e.auth.Refresh(context.Background(), p.Refresh)
	require.NoError(t, err)
	var access, refresh map[string]any
	require.NoError(t, json.Unmarshal([]byte(decodeSegment(t, res.Access, 1)), &access))
	require.NoError(t, json.Unmarshal([]byte(decodeSegment(t, p.Refresh, 1)), &refresh))
	assert.Equal(t, "acme", access["tenant"])
	assert.Equal(t, "access", access["token_type"])
	assert.NotEqual(t, refresh["jti"], access["jti"])
	assert.Equal(t, float64(e.clock.Now().Unix()), access["iat"], "iat is the refresh time, not copied")
	assert.Equal(t, float64(e.clock.Now().Unix()+300), access["exp"])
	assert.Equal(t, float64(1), access["user_id"])
	assert.Empty(t, res.Refresh)
}

func TestUserIDSpellings(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := e.clock.Now().Unix()
	for _, uid := range []string{`1`, `"1"`} {
		tok := forge(hs256Header, `{"token_type":"access","exp":`+itoa(now+60)+`,"iat":`+itoa(now)+`,"jti":"ab","user_id":`+uid+`}`)
		id, err := e.auth.Authenticate(ctx, "Bearer "+tok)
		require.NoError(t, err, uid)
		n, ok := id.User.ID.Int()
		assert.True(t, ok)
		assert.Equal(t, int64(1), n)
		assert.Equal(t, "demo", id.User.Value)
	}
}

func TestRotationExactlyOneWins(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.RotateRefreshTokens = true; c.BlacklistAfterRotation = true })
	p := e.pair(t, jwtkit.IntUserID(1))
	var wins, blacklisted atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := e.auth.Refresh(context.Background(), p.Refresh)
			switch {
			case err == nil && res.Refresh != "" && res.Access != "":
				wins.Add(1)
			case assert.ErrorIs(t, err, jwtkit.ErrBlacklisted):
				blacklisted.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load())
	assert.Equal(t, int32(63), blacklisted.Load())
}

// TestRevokeUserThenLogin: on the real clock, a login right after log-out-everywhere answered
// (as a rule in the same second as the cutoff) gives tokens that work, and every token issued
// before the call answered stays revoked.
func TestRevokeUserThenLogin(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.Clock = time.Now })
	ctx := context.Background()
	for round := range 3 {
		before := e.pair(t, jwtkit.IntUserID(1))
		start := time.Now()
		require.NoError(t, e.auth.RevokeUser(ctx, jwtkit.IntUserID(1)))
		assert.Less(t, time.Since(start), 1500*time.Millisecond, "the wait is at most the rest of a second")
		after := e.pair(t, jwtkit.IntUserID(1))
		_, err := e.auth.Authenticate(ctx, "Bearer "+after.Access)
		require.NoError(t, err, "round %d: a login after RevokeUser answered", round)
		_, err = e.auth.Refresh(ctx, after.Refresh)
		require.NoError(t, err, "round %d: its refresh token", round)
		for name, tok := range map[string]string{"access": before.Access, "refresh": before.Refresh} {
			_, err := e.auth.Validate(ctx, tok, jwtkit.TypeAny)
			require.ErrorIs(t, err, jwtkit.ErrBlacklisted, "round %d: %s issued before RevokeUser", round, name)
		}
	}
}

// TestRevokeUserEverySpelling: a token may spell an integer id as a number or as a string with
// leading zeros or a plus sign, and Int reads each as the same user; each falls under that
// user's cutoff, whichever spelling RevokeUser was given.
func TestRevokeUserEverySpelling(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := e.clock.Now().Unix()
	spellings := []string{`1`, `"1"`, `"01"`, `"+1"`, `"001"`, `"+0001"`}
	tokens := map[string]string{}
	for i, uid := range spellings {
		tokens[uid] = forge(hs256Header, `{"token_type":"access","exp":`+itoa(now+60)+`,"iat":`+itoa(now-5)+`,"jti":"j`+itoa(int64(i))+`","user_id":`+uid+`}`)
		tok, err := e.auth.Validate(ctx, tokens[uid], jwtkit.TypeAccess)
		require.NoError(t, err, uid)
		n, _ := tok.UserID.Int()
		require.Equal(t, int64(1), n, "%s reaches user 1", uid)
	}
	require.NoError(t, e.auth.RevokeUser(ctx, jwtkit.StringUserID("01")))
	for _, uid := range spellings {
		_, err := e.auth.Validate(ctx, tokens[uid], jwtkit.TypeAccess)
		assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, uid)
	}
	assert.Equal(t, "1", jwtkit.StringUserID("+001").Key())
	assert.Equal(t, "-7", jwtkit.StringUserID("-07").Key())
	assert.Equal(t, "u-01", jwtkit.StringUserID("u-01").Key(), "not an integer: kept as spelled")
	assert.Equal(t, " 1", jwtkit.StringUserID(" 1").Key(), "Int does not read it, so neither does Key")
}

func TestRevokeUserBoundary(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := e.pair(t, jwtkit.IntUserID(1))
	other := e.pair(t, jwtkit.IntUserID(3))
	e.clock.Advance(100 * time.Millisecond) // same second as the tokens above
	require.NoError(t, e.auth.RevokeUser(ctx, jwtkit.IntUserID(1)))
	// The test clock stands still while RevokeUser waits for the second to end, so this token
	// is issued in the cutoff's second, as a token issued during the call would be.
	sameSecond := e.pair(t, jwtkit.IntUserID(1))
	e.clock.Advance(time.Second)
	after := e.pair(t, jwtkit.IntUserID(1))

	for name, tok := range map[string]string{"access before": before.Access, "refresh before": before.Refresh, "same second": sameSecond.Access} {
		_, err := e.auth.Validate(ctx, tok, jwtkit.TypeAny)
		assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, name)
	}
	_, err := e.auth.Validate(ctx, after.Access, jwtkit.TypeAny)
	assert.NoError(t, err, "a token issued in a later second is not revoked")
	_, err = e.auth.Validate(ctx, other.Access, jwtkit.TypeAny)
	assert.NoError(t, err, "other users are untouched")
	assert.Error(t, e.auth.RevokeUser(ctx, jwtkit.UserID{}))
}

func TestCancelledContextFailsClosed(t *testing.T) {
	e := newEnv(t)
	p := e.pair(t, jwtkit.IntUserID(1))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.auth.Authenticate(ctx, "Bearer "+p.Access)
	assert.ErrorIs(t, err, jwtkit.ErrStoreUnavailable)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestStatelessMode(t *testing.T) {
	store := newTestStore()
	a, err := jwtkit.New(jwtkit.Config{SigningKey: hsKey(t, ""), Store: store, Stateless: true})
	require.NoError(t, err)
	p, err := a.IssuePair(context.Background(), jwtkit.IntUserID(404), nil)
	require.NoError(t, err)
	id, err := a.Authenticate(context.Background(), "Bearer "+p.Access)
	require.NoError(t, err, "no lookup: a user the application does not know still passes")
	assert.Equal(t, "404", id.User.ID.String())
	assert.True(t, id.User.Active)
	assert.Equal(t, 1, store.calls, "revocation is still checked")
	for _, r := range a.Routes() {
		assert.NotEqual(t, jwtkit.EndpointObtain, r.Endpoint, "no obtain without Users")
	}
}

func TestInvalidConfig(t *testing.T) {
	key := hsKey(t, "")
	pub, err := jwtkit.GenerateKey(jwtkit.ES256, "")
	require.NoError(t, err)
	base := func() jwtkit.Config {
		return jwtkit.Config{SigningKey: key, Store: newTestStore(), Users: newTestUsers()}
	}
	cases := map[string]func(*jwtkit.Config){
		"no signing key":            func(c *jwtkit.Config) { c.SigningKey = nil },
		"public signing key":        func(c *jwtkit.Config) { c.SigningKey = pub.Public() },
		"no store":                  func(c *jwtkit.Config) { c.Store = nil },
		"no users, not stateless":   func(c *jwtkit.Config) { c.Users = nil },
		"blacklist without rotate":  func(c *jwtkit.Config) { c.BlacklistAfterRotation = true },
		"negative lifetime":         func(c *jwtkit.Config) { c.AccessTokenLifetime = -time.Minute },
		"sub-second lifetime":       func(c *jwtkit.Config) { c.RefreshTokenLifetime = time.Millisecond },
		"negative leeway":           func(c *jwtkit.Config) { c.Leeway = -time.Second },
		"leeway above lifetime":     func(c *jwtkit.Config) { c.Leeway = time.Hour },
		"claim named exp":           func(c *jwtkit.Config) { c.UserIDClaim = "exp" },
		"two settings one claim":    func(c *jwtkit.Config) { c.JTIClaim = "user_id" },
		"empty header types":        func(c *jwtkit.Config) { c.AuthHeaderTypes = []string{} },
		"header type with space":    func(c *jwtkit.Config) { c.AuthHeaderTypes = []string{"Bearer x"} },
		"zero trusted proxy prefix": func(c *jwtkit.Config) { c.TrustedProxies = []netip.Prefix{{}} },
		"trusted origin with a path": func(c *jwtkit.Config) {
			c.Cookies.Enabled, c.Cookies.TrustedOrigins = true, []string{"https://app.example/login"}
		},
		"trusted origin without a scheme": func(c *jwtkit.Config) {
			c.Cookies.Enabled, c.Cookies.TrustedOrigins = true, []string{"app.example"}
		},
		"trusted origin with a query": func(c *jwtkit.Config) {
			c.Cookies.Enabled, c.Cookies.TrustedOrigins = true, []string{"https://app.example?x=1"}
		},
		"nil verifying key":  func(c *jwtkit.Config) { c.VerifyingKeys = []*jwtkit.Key{nil} },
		"zero verifying key": func(c *jwtkit.Config) { c.VerifyingKeys = []*jwtkit.Key{{}} },
		"zero signing key":   func(c *jwtkit.Config) { c.SigningKey = &jwtkit.Key{} },
		"negative max token": func(c *jwtkit.Config) { c.MaxTokenLength = -1 },
	}
	for name, edit := range cases {
		cfg := base()
		edit(&cfg)
		a, err := jwtkit.New(cfg)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, name)
		assert.Nil(t, a, name)
	}
	a, err := jwtkit.New(base())
	require.NoError(t, err)
	got := a.Config()
	assert.Equal(t, 5*time.Minute, got.AccessTokenLifetime)
	assert.Equal(t, 24*time.Hour, got.RefreshTokenLifetime)
	assert.Equal(t, []string{"Bearer"}, got.AuthHeaderTypes)
	assert.Equal(t, "Authorization", got.AuthHeaderName)
	assert.Equal(t, "user_id", got.UserIDClaim)
	assert.Equal(t, "token_type", got.TokenTypeClaim)
	assert.Equal(t, "jti", got.JTIClaim)
	assert.Equal(t, "refresh_exp", got.SlidingRefreshExpClaim)
	assert.False(t, got.RotateRefreshTokens)
	assert.False(t, got.BlacklistAfterRotation)
	assert.False(t, got.SkipUserActiveCheck)

	sub := base()
	sub.UserIDClaim = "sub"
	_, err = jwtkit.New(sub)
	assert.NoError(t, err, "sub is a common choice for the user id claim")
}

func TestRenamedClaims(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.UserIDClaim = "sub"; c.TokenTypeClaim = "typ"; c.JTIClaim = "id" })
	p := e.pair(t, jwtkit.StringUserID("u1"))
	assert.Regexp(t, `^\{"typ":"access","exp":\d+,"iat":\d+,"id":"[0-9a-f]{32}","sub":"u1"\}$`, decodeSegment(t, p.Access, 1))
	tok, err := e.auth.Validate(context.Background(), p.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	assert.Equal(t, "u1", tok.UserID.String())
}

func TestVerifyOnlyAuth(t *testing.T) {
	ctx := context.Background()
	issuerKey, err := jwtkit.GenerateKey(jwtkit.ES256, "iss-1")
	require.NoError(t, err)
	issuer := newEnv(t, func(c *jwtkit.Config) { c.SigningKey = issuerKey })
	p := issuer.pair(t, jwtkit.IntUserID(1))

	verifier, err := jwtkit.New(jwtkit.Config{VerifyingKeys: []*jwtkit.Key{issuerKey.Public()}, Store: newTestStore(),
		Stateless: true, Clock: issuer.clock.Now})
	require.NoError(t, err)
	assert.False(t, verifier.CanIssue())
	_, err = verifier.Authenticate(ctx, "Bearer "+p.Access)
	require.NoError(t, err)
	_, err = verifier.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	var eps []jwtkit.Endpoint
	for _, r := range verifier.Routes() {
		eps = append(eps, r.Endpoint)
	}
	assert.Equal(t, []jwtkit.Endpoint{jwtkit.EndpointVerify, jwtkit.EndpointBlacklist, jwtkit.EndpointRevokeAll}, eps)
	r := verifier.Serve(ctx, jwtkit.EndpointRefresh, jwtkit.Request{Method: "POST"})
	assert.Equal(t, 404, r.Status)

	_, err = jwtkit.New(jwtkit.Config{Store: newTestStore(), Stateless: true})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "no key at all")
}

// A Config with several problems is refused for the first one in the documented order, the
// same on every call: a user fixing their settings meets the problems one by one, not at random.
func TestInvalidConfigFirstProblemIsStable(t *testing.T) {
	cases := []struct {
		name string
		edit func(*jwtkit.Config)
		want string
	}{
		{"two short lifetimes", func(c *jwtkit.Config) {
			c.RefreshTokenLifetime, c.SlidingTokenLifetime, c.SlidingTokenRefreshLifetime = time.Millisecond, time.Millisecond, time.Millisecond
		}, "RefreshTokenLifetime must be at least one second"},
		{"three settings one claim", func(c *jwtkit.Config) {
			c.TokenTypeClaim, c.JTIClaim, c.SlidingRefreshExpClaim = "user_id", "user_id", "user_id"
		}, "TokenTypeClaim and UserIDClaim both name the claim"},
		{"two registered claims", func(c *jwtkit.Config) { c.JTIClaim, c.UserIDClaim = "iat", "exp" },
			`UserIDClaim "exp" collides`},
	}
	for _, tc := range cases {
		for range 20 {
			cfg := jwtkit.Config{SigningKey: hsKey(t, ""), Store: newTestStore(), Users: newTestUsers()}
			tc.edit(&cfg)
			_, err := jwtkit.New(cfg)
			require.ErrorIs(t, err, jwtkit.ErrInvalidConfig, tc.name)
			require.Contains(t, err.Error(), tc.want, tc.name)
		}
	}
}
