package bench_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	fiberv3 "github.com/gofiber/fiber/v3"
	"github.com/golang-jwt/jwt/v5"

	jwtfiberv3 "github.com/jwtkit/jwtkit/adapters/fiberv3"
)

// --- Fiber v3 ---

func meFiberV3(c fiberv3.Ctx, userID int64, ok bool) error {
	var buf [64]byte
	a := accounts[userID]
	if !ok || a == nil {
		return c.Status(http.StatusInternalServerError).SendString("no user in the claims")
	}
	c.Set(fiberv3.HeaderContentType, fiberv3.MIMEApplicationJSON)
	_, err := c.Write(appendMe(buf[:0], a.id, a.username))
	return err
}

func jwtkitFiberV3(_ testing.TB, f *fixture) target {
	app := fiberv3.New()
	app.Get(route, jwtfiberv3.Middleware(f.auth), func(c fiberv3.Ctx) error {
		id, ok := identityUserID(jwtfiberv3.Identity(c))
		return meFiberV3(c, id, ok)
	})
	return target{f: app.Handler()}
}

// errMissingJWT is the bare middleware's answer to a request without a Bearer token.
var errMissingJWT = errors.New("Missing or malformed JWT")

// bareFiberV3JWT stands in for gofiber/contrib's JWT middleware, whose Fiber v3 line the module
// proxy does not serve: golang-jwt v5 behind a Fiber v3 handler doing what that middleware does
// with its defaults and a SigningKey with its JWTAlg (the fiber-jwt row on Fiber v2): the token
// after "Bearer " in the Authorization header, jwt.Parse into MapClaims with a key function
// that checks the algorithm, the token in c.Locals("user"), 400 "Missing or malformed JWT" or
// 401 "Invalid or expired JWT" otherwise.
func bareFiberV3JWT(_ testing.TB, f *fixture) target {
	alg := string(f.alg)
	keyFunc := func(t *jwt.Token) (any, error) {
		if t.Method.Alg() != alg {
			return nil, errors.New("unexpected signing method " + t.Method.Alg())
		}
		return f.verify, nil
	}
	middleware := func(c fiberv3.Ctx) error {
		auth := c.Get(fiberv3.HeaderAuthorization)
		const scheme = "Bearer"
		if len(auth) <= len(scheme)+1 || !strings.EqualFold(auth[:len(scheme)], scheme) {
			return c.Status(fiberv3.StatusBadRequest).SendString(errMissingJWT.Error())
		}
		token, err := jwt.Parse(strings.TrimSpace(auth[len(scheme):]), keyFunc)
		if err != nil || !token.Valid {
			return c.Status(fiberv3.StatusUnauthorized).SendString("Invalid or expired JWT")
		}
		c.Locals("user", token)
		return c.Next()
	}
	app := fiberv3.New()
	app.Get(route, middleware, func(c fiberv3.Ctx) error {
		tok, _ := c.Locals("user").(*jwt.Token)
		var v any
		if tok != nil {
			if claims, ok := tok.Claims.(jwt.MapClaims); ok {
				v = claims["user_id"]
			}
		}
		id, ok := claimUserID(v)
		return meFiberV3(c, id, ok)
	})
	return target{f: app.Handler()}
}
