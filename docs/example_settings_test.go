package docs_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"strings"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// Example_settingsDefaults spells out every default of jwtkit.Config and proves it is what
// New applies to a zero value (settings.md).
func Example_settingsDefaults() {
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	users := demoUsers{}

	// snippet:settings-defaults
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey:    key,   // SIGNING_KEY and ALGORITHM: required (or VerifyingKeys only)
		VerifyingKeys: nil,   // VERIFYING_KEY: more keys that verify, for rotation
		Store:         store, // the blacklist app: required
		Users:         users, // the user model: required unless Stateless

		AccessTokenLifetime:         5 * time.Minute, // ACCESS_TOKEN_LIFETIME
		RefreshTokenLifetime:        24 * time.Hour,  // REFRESH_TOKEN_LIFETIME
		RotateRefreshTokens:         false,           // ROTATE_REFRESH_TOKENS
		BlacklistAfterRotation:      false,           // BLACKLIST_AFTER_ROTATION
		SlidingTokens:               false,           // SlidingToken in AUTH_TOKEN_CLASSES
		SlidingTokenLifetime:        5 * time.Minute, // SLIDING_TOKEN_LIFETIME
		SlidingTokenRefreshLifetime: 24 * time.Hour,  // SLIDING_TOKEN_REFRESH_LIFETIME

		Audience: "", // AUDIENCE: unset, no aud issued or checked
		Issuer:   "", // ISSUER: unset, no iss issued or checked
		Leeway:   0,  // LEEWAY

		AuthHeaderName:         "Authorization",    // AUTH_HEADER_NAME
		AuthHeaderTypes:        []string{"Bearer"}, // AUTH_HEADER_TYPES
		UserIDClaim:            "user_id",          // USER_ID_CLAIM
		TokenTypeClaim:         "token_type",       // TOKEN_TYPE_CLAIM
		JTIClaim:               "jti",              // JTI_CLAIM
		SlidingRefreshExpClaim: "refresh_exp",      // SLIDING_TOKEN_REFRESH_EXP_CLAIM
		UsernameField:          "username",         // the obtain serializer's username field

		Stateless:           false, // TOKEN_USER_CLASS: look the user up on every request
		SkipUserActiveCheck: false, // CHECK_USER_IS_ACTIVE (inverted): checks on
		CustomClaims:        nil,   // get_token() of a custom obtain serializer

		CheckRevokeToken: false, // CHECK_REVOKE_TOKEN
		RevokeTokenClaim: "",    // REVOKE_TOKEN_CLAIM: "hash_password" once CheckRevokeToken is on
		RemoteKeys:       nil,   // JWK_URL: NewRemoteKeySet(ctx, RemoteKeySetConfig{URL: ...})

		MaxTokenLength: 8192,            // no simplejwt setting: tokens longer than this fail unread
		MaxBodyBytes:   64 << 10,        // no simplejwt setting: larger bodies answer 413
		TokenCacheSize: 10_000,          // no simplejwt setting: verified tokens kept (revocation still asked)
		Clock:          time.Now,        // no simplejwt setting: tests set it
		StoreTimeout:   2 * time.Second, // no simplejwt setting: deadline of each store call (a hung store: 503)

		// Beyond simplejwt (features.md): every one off.
		ReuseDetection: false, // refresh-token families; a replayed refresh token revokes its family
		ReuseGrace:     0,     // how long a rotated refresh token may be presented again
		FamilyClaim:    "",    // "family" once ReuseDetection is on
		Cookies: jwtkit.CookieConfig{ // cookie mode with a double-submit CSRF check
			Enabled:     false,
			Access:      false,
			RefreshName: "__Secure-jwtkit-refresh",
			RefreshPath: "/api/token/",
			AccessName:  "__Host-jwtkit-access",
			CSRFName:    "jwtkit-csrf",
			CSRFHeader:  "X-CSRF-Token",
			SameSite:    http.SameSiteStrictMode,
		},
		JWKSMaxAge:         5 * time.Minute,                  // Cache-Control max-age of the published JWKS
		LoginRate:          jwtkit.Rate{},                    // no limit on failed logins
		LoginLimiter:       nil,                              // the Store, once LoginRate is set
		TrustedProxies:     nil,                              // no forwarding header is believed
		ForwardedForHeader: "X-Forwarded-For",                // what TrustedProxies write the client chain into
		Audit:              jwtkit.SlogAudit(slog.Default()), // security events; jwtkit.NoAudit turns them off
	})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	zero, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users})
	if err != nil {
		log.Fatal(err)
	}
	spelled, applied := auth.Config(), zero.Config()
	fmt.Println(spelled.Clock != nil, applied.Clock != nil, spelled.Audit != nil, applied.Audit != nil)
	// Functions never compare equal: the ones above are compared by being set at all.
	spelled.Clock, applied.Clock = nil, nil
	spelled.Audit, applied.Audit = nil, nil
	fmt.Println(reflect.DeepEqual(spelled, applied))
	fmt.Println(applied.AccessTokenLifetime == jwtkit.DefaultAccessTokenLifetime,
		applied.RefreshTokenLifetime == jwtkit.DefaultRefreshTokenLifetime,
		applied.MaxTokenLength == jwtkit.DefaultMaxTokenLength,
		applied.MaxBodyBytes == jwtkit.DefaultMaxBodyBytes)

	// Output:
	// true true true true
	// true
	// true true true true
}

// Example_settingsFromSimpleJWT is the Go side of a typical SIMPLE_JWT dict (settings.md).
func Example_settingsFromSimpleJWT() {
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	users := demoUsers{}
	os.Setenv("DJANGO_SECRET_KEY", "django-insecure-0f#x!r3w@_k8m2^v6q$z1l9t7b4n5c&j0h-s)y+e(a=p*d")
	defer os.Unsetenv("DJANGO_SECRET_KEY")

	// snippet:settings-from-simplejwt
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(os.Getenv("DJANGO_SECRET_KEY")), "") // ALGORITHM, SIGNING_KEY
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey:             key,
		Store:                  store,
		Users:                  users,
		AccessTokenLifetime:    15 * time.Minute,   // timedelta(minutes=15)
		RefreshTokenLifetime:   7 * 24 * time.Hour, // timedelta(days=7)
		RotateRefreshTokens:    true,
		BlacklistAfterRotation: true,
		Audience:               "api.example.com",
		Issuer:                 "https://auth.example.com",
		Leeway:                 10 * time.Second, // LEEWAY = 10
		AuthHeaderTypes:        []string{"Bearer", "JWT"},
	})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	pair, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(pair.Access, ".")[1])
	if err != nil {
		log.Fatal(err)
	}
	claims := string(payload)
	fmt.Println(strings.Contains(claims, `"user_id":1,"aud":"api.example.com","iss":"https://auth.example.com"`))
	id, err := auth.Authenticate(context.Background(), "JWT "+pair.Access)
	fmt.Println(id.User.ID, err)

	// Output:
	// true
	// 1 <nil>
}
