package jwtkit_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// TestHeadersThatPointElsewhereAreNeverFollowed signs tokens with an attacker's key and names
// that key through every header parameter that can point at one (jku, x5u, an embedded jwk,
// x5c): all fail, and the URL the headers name is never fetched.
func TestHeadersThatPointElsewhereAreNeverFollowed(t *testing.T) {
	var fetched atomic.Int32
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetched.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer attacker.Close()

	mine, err := jwtkit.GenerateKey(jwtkit.ES256, "mine")
	require.NoError(t, err)
	e := newEnv(t, func(c *jwtkit.Config) { c.SigningKey = mine })
	evil, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	evilJWK, err := jwtkit.NewPrivateKey(jwtkit.ES256, evil, "mine")
	require.NoError(t, err)
	pub, err := evilJWK.PublicJWK()
	require.NoError(t, err)
	x5c := base64.StdEncoding.EncodeToString([]byte("not a certificate we would ever read"))

	now := e.clock.Now().Unix()
	claims := jwt.MapClaims{"token_type": "access", "exp": now + 60, "iat": now, "jti": "0123456789abcdef0123456789abcdef", "user_id": 1}
	sign := func(key any, header map[string]any) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
		for k, v := range header {
			tok.Header[k] = v
		}
		s, err := tok.SignedString(key)
		require.NoError(t, err)
		return s
	}
	ctx := context.Background()
	for name, header := range map[string]map[string]any{
		"jku":             {"kid": "mine", "jku": attacker.URL + "/jwks.json"},
		"x5u":             {"kid": "mine", "x5u": attacker.URL + "/cert.pem"},
		"embedded jwk":    {"kid": "mine", "jwk": pub},
		"x5c":             {"kid": "mine", "x5c": []string{x5c}},
		"jku without kid": {"jku": attacker.URL + "/jwks.json"},
	} {
		_, err := e.auth.Validate(ctx, sign(evil, header), jwtkit.TypeAccess)
		assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, name)
	}

	// Our own key with a jku header: the parameter is ignored, not trusted and not fetched.
	priv := privateOf(t, mine)
	_, err = e.auth.Validate(ctx, sign(priv, map[string]any{"kid": "mine", "jku": attacker.URL}), jwtkit.TypeAccess)
	assert.NoError(t, err)
	assert.Zero(t, fetched.Load(), "no header ever makes the validator fetch a URL")
}

// privateOf recovers the *ecdsa.PrivateKey inside a generated key through its PEM form.
func privateOf(t *testing.T, k *jwtkit.Key) *ecdsa.PrivateKey {
	t.Helper()
	pemBytes, err := k.PrivatePEM()
	require.NoError(t, err)
	priv, err := jwt.ParseECPrivateKeyFromPEM(pemBytes)
	require.NoError(t, err)
	return priv
}

// TestAlgorithmMustMatchTheKey presents tokens whose alg names another algorithm of the same
// family than the key's: an ES384 header on a P-256 key, RS512 on an RS256 key, HS512 on an
// HS256 key. The key's bound algorithm decides; all fail.
func TestAlgorithmMustMatchTheKey(t *testing.T) {
	ctx := context.Background()
	es256, err := jwtkit.GenerateKey(jwtkit.ES256, "ec")
	require.NoError(t, err)
	e := newEnv(t, func(c *jwtkit.Config) { c.SigningKey = es256 })
	now := e.clock.Now().Unix()
	payload, err := json.Marshal(map[string]any{"token_type": "access", "exp": now + 60, "iat": now, "jti": "ab", "user_id": 1})
	require.NoError(t, err)

	// ES384 over a P-256 key: sign with the P-256 key but label the token ES384.
	priv := privateOf(t, es256)
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{})
	tok.Header["alg"] = "ES384"
	tok.Header["kid"] = "ec"
	enc := base64.RawURLEncoding
	hb, err := json.Marshal(tok.Header)
	require.NoError(t, err)
	signing := enc.EncodeToString(hb) + "." + enc.EncodeToString(payload)
	sig, err := jwt.SigningMethodES256.Sign(signing, priv)
	require.NoError(t, err)
	_, err = e.auth.Validate(ctx, signing+"."+enc.EncodeToString(sig), jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "ES384 header on a P-256 key")

	// HS512 on an HS256 key, signed with the same secret.
	hs := newEnv(t)
	_, err = hs.auth.Validate(ctx, forgeHS512(string(payload)), jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "HS512 header on an HS256 key")
}

func forgeHS512(payload string) string {
	tok := jwt.New(jwt.SigningMethodHS512)
	enc := base64.RawURLEncoding
	hb, _ := json.Marshal(tok.Header)
	signing := enc.EncodeToString(hb) + "." + enc.EncodeToString([]byte(payload))
	sig, _ := jwt.SigningMethodHS512.Sign(signing, testSecret)
	return signing + "." + enc.EncodeToString(sig)
}
