package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ginjwt "github.com/appleboy/gin-jwt/v2"
	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/jwtauth/v5"
	jwtware "github.com/gofiber/contrib/jwt"
	"github.com/gofiber/fiber/v2"
	jwtv4 "github.com/golang-jwt/jwt/v4"
	"github.com/golang-jwt/jwt/v5"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
	echov5 "github.com/labstack/echo/v5"
	"github.com/valyala/fasthttp"

	jwtecho "github.com/jwtkit/jwtkit/adapters/echo"
	jwtechov5 "github.com/jwtkit/jwtkit/adapters/echov5"
	jwtfiber "github.com/jwtkit/jwtkit/adapters/fiber"
	jwtgin "github.com/jwtkit/jwtkit/adapters/gin"
	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
)

// The route every app serves. Each handler reads user_id from its library's claims, finds
// the username in accounts and writes meBody.
const route = "/api/me"

// target is one app, served in process: an http.Handler (net/http, Gin, Echo v4 and v5) or a fasthttp
// handler (Fiber).
type target struct {
	h http.Handler
	f fasthttp.RequestHandler
}

// client returns a function that serves GET /api/me with "Authorization: Bearer tok" and
// returns the status and body (valid until the next call). The request, the response writer
// and fasthttp's RequestCtx are made once and reused, so a call costs what the framework, the
// middleware and the handler cost, and nothing else.
func (t target) client(tok string) func() (int, []byte) {
	if t.f != nil {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod(fiber.MethodGet)
		ctx.Request.SetRequestURI(route)
		ctx.Request.Header.Set(fiber.HeaderAuthorization, "Bearer "+tok)
		return func() (int, []byte) {
			ctx.Response.Reset()
			t.f(&ctx)
			return ctx.Response.StatusCode(), ctx.Response.Body()
		}
	}
	req := httptest.NewRequest(http.MethodGet, route, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := &recorder{header: http.Header{}}
	return func() (int, []byte) {
		w.reset()
		t.h.ServeHTTP(w, req)
		return w.status, w.body
	}
}

// recorder is an http.ResponseWriter kept across requests: reset clears it without freeing
// its header map or body buffer.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	r.body = append(r.body, b...)
	return len(b), nil
}

func (r *recorder) reset() {
	clear(r.header)
	r.status = 0
	r.body = r.body[:0]
}

// lib is one library on one framework.
type lib struct {
	name string
	new  func(tb testing.TB, f *fixture) target
	// refused is the library's answer to each kind of token it refuses, keyed by kind, or by
	// "alg kind" where the answer depends on the algorithm; a kind missing here must be
	// answered 200 with meBody.
	refused map[string]answer
}

type answer struct {
	status int
	body   string
}

func (l lib) want(alg jwtkit.Algorithm, kind string) answer {
	if a, ok := l.refused[string(alg)+" "+kind]; ok {
		return a
	}
	if a, ok := l.refused[kind]; ok {
		return a
	}
	return answer{http.StatusOK, meBody}
}

// framework is a framework with jwtkit's adapter first (as applications run it, and again
// with the verified-token cache off: what a token seen for the first time costs) and its peers
// after it: benchstat's first column is the baseline of its ratios. profile is the claims
// profile its tokens have.
type framework struct {
	name    string
	profile string
	libs    []lib
}

// jwtkitRefusal is jwtkit's contract answer on a protected route for a token it refuses.
func jwtkitRefusal(message string) answer {
	return answer{http.StatusUnauthorized, `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"` + message + `"}]}`}
}

var jwtkitRefused = map[string]answer{
	badSig:  jwtkitRefusal("Token is invalid or expired"),
	expired: jwtkitRefusal("Token is invalid or expired"),
	refresh: jwtkitRefusal("Token has wrong type"),
	noExp:   jwtkitRefusal("Token is invalid or expired"),
	algNone: jwtkitRefusal("Token is invalid or expired"),
}

var frameworks = []framework{
	{name: "nethttp", profile: simplejwt, libs: []lib{
		{name: "jwtkit", new: jwtkitHTTP, refused: jwtkitRefused},
		{name: "jwtkit-cold", new: cold(jwtkitHTTP), refused: jwtkitRefused},
		{name: "jwtauth", new: chiJWTAuth, refused: map[string]answer{
			badSig:  {http.StatusUnauthorized, "token is unauthorized\n"},
			expired: {http.StatusUnauthorized, "token is expired\n"},
			algNone: {http.StatusUnauthorized, "token is unauthorized\n"},
		}},
	}},
	// auth0's validator requires an issuer and an audience (validator.New refuses to be built
	// without them) and so refuses the plain simplejwt token: it is measured on the same token
	// with iss and aud, against jwtkit configured with the same Issuer and Audience.
	{name: "nethttp-iss-aud", profile: issAud, libs: []lib{
		{name: "jwtkit", new: jwtkitHTTP, refused: jwtkitRefused},
		{name: "jwtkit-cold", new: cold(jwtkitHTTP), refused: jwtkitRefused},
		{name: "auth0", new: auth0Middleware, refused: map[string]answer{
			badSig:  {http.StatusUnauthorized, `{"message":"JWT is invalid."}`},
			expired: {http.StatusUnauthorized, `{"message":"JWT is invalid."}`},
			algNone: {http.StatusUnauthorized, `{"message":"JWT is invalid."}`},
		}},
	}},
	{name: "gin", profile: simplejwt, libs: []lib{
		{name: "jwtkit", new: jwtkitGin, refused: jwtkitRefused},
		{name: "jwtkit-cold", new: cold(jwtkitGin), refused: jwtkitRefused},
		{name: "gin-jwt", new: appleboyGinJWT, refused: map[string]answer{
			badSig:         {http.StatusUnauthorized, `{"code":401,"message":"signature is invalid"}`},
			"ES256 badsig": {http.StatusUnauthorized, `{"code":401,"message":"crypto/ecdsa: verification error"}`},
			expired:        {http.StatusUnauthorized, `{"code":401,"message":"Token is expired"}`},
			noExp:          {http.StatusBadRequest, `{"code":400,"message":"missing exp field"}`},
			algNone:        {http.StatusUnauthorized, `{"code":401,"message":"invalid signing algorithm"}`},
			// For ES256 the method list of ParseOptions refuses it before the KeyFunc runs.
			"ES256 alg-none": {http.StatusUnauthorized, `{"code":401,"message":"signing method none is invalid"}`},
		}},
	}},
	{name: "echo", profile: simplejwt, libs: []lib{
		{name: "jwtkit", new: jwtkitEcho, refused: jwtkitRefused},
		{name: "jwtkit-cold", new: cold(jwtkitEcho), refused: jwtkitRefused},
		{name: "echo-jwt", new: labstackEchoJWT, refused: map[string]answer{
			badSig:  {http.StatusUnauthorized, `{"message":"invalid or expired jwt"}` + "\n"},
			expired: {http.StatusUnauthorized, `{"message":"invalid or expired jwt"}` + "\n"},
			algNone: {http.StatusUnauthorized, `{"message":"invalid or expired jwt"}` + "\n"},
		}},
	}},
	// echo-jwt has no line for Echo v5 on the module proxy: its peer is a bare golang-jwt v5
	// middleware written the way echo-jwt v4 works (echoJWTStyle).
	{name: "echov5", profile: simplejwt, libs: []lib{
		{name: "jwtkit", new: jwtkitEchoV5, refused: jwtkitRefused},
		{name: "jwtkit-cold", new: cold(jwtkitEchoV5), refused: jwtkitRefused},
		{name: "golang-jwt", new: echoJWTStyle, refused: map[string]answer{
			badSig:  {http.StatusUnauthorized, `{"message":"invalid or expired jwt"}` + "\n"},
			expired: {http.StatusUnauthorized, `{"message":"invalid or expired jwt"}` + "\n"},
			algNone: {http.StatusUnauthorized, `{"message":"invalid or expired jwt"}` + "\n"},
		}},
	}},
	{name: "fiber", profile: simplejwt, libs: []lib{
		{name: "jwtkit", new: jwtkitFiber, refused: jwtkitRefused},
		{name: "jwtkit-cold", new: cold(jwtkitFiber), refused: jwtkitRefused},
		{name: "fiber-jwt", new: gofiberJWT, refused: map[string]answer{
			badSig:  {http.StatusUnauthorized, "Invalid or expired JWT"},
			expired: {http.StatusUnauthorized, "Invalid or expired JWT"},
			algNone: {http.StatusUnauthorized, "Invalid or expired JWT"},
		}},
	}},
	{name: "fiberv3", profile: simplejwt, libs: []lib{
		{name: "jwtkit", new: jwtkitFiberV3, refused: jwtkitRefused},
		{name: "jwtkit-cold", new: cold(jwtkitFiberV3), refused: jwtkitRefused},
		{name: "golang-jwt", new: bareFiberV3JWT, refused: map[string]answer{
			badSig:  {http.StatusUnauthorized, "Invalid or expired JWT"},
			expired: {http.StatusUnauthorized, "Invalid or expired JWT"},
			algNone: {http.StatusUnauthorized, "Invalid or expired JWT"},
		}},
	}},
}

// writeMe answers a handler's request: meBody for a known user, 500 when the library's claims
// did not give one (which fails the peer test).
func writeMe(w http.ResponseWriter, userID int64, ok bool) {
	var buf [64]byte
	a := accounts[userID]
	if !ok || a == nil {
		http.Error(w, "no user in the claims", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(appendMe(buf[:0], a.id, a.username))
}

// claimUserID reads a user_id claim as a map-claims library decodes it.
func claimUserID(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), n == math.Trunc(n)
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// identityUserID reads the user id from jwtkit's identity, as an application does.
func identityUserID(id *jwtkit.Identity, ok bool) (int64, bool) {
	if !ok || id == nil {
		return 0, false
	}
	return id.Token.UserID.Int()
}

// cold builds a jwtkit app on the fixture's Auth with the verified-token cache off.
func cold(newApp func(testing.TB, *fixture) target) func(testing.TB, *fixture) target {
	return func(tb testing.TB, f *fixture) target {
		g := *f
		g.auth = f.cold
		return newApp(tb, &g)
	}
}

func mux(h http.Handler) http.Handler {
	m := http.NewServeMux()
	m.Handle("GET "+route, h)
	return m
}

// --- net/http ---

func jwtkitHTTP(_ testing.TB, f *fixture) target {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := identityUserID(jwthttp.FromContext(r.Context()))
		writeMe(w, id, ok)
	})
	return target{h: mux(jwthttp.Middleware(f.auth)(h))}
}

// chiJWTAuth is go-chi/jwtauth as its README sets it up: Verifier, then Authenticator.
func chiJWTAuth(_ testing.TB, f *fixture) target {
	ja := jwtauth.New(string(f.alg), nil, f.verify)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, claims, err := jwtauth.FromContext(r.Context())
		id, ok := claimUserID(claims["user_id"])
		writeMe(w, id, ok && err == nil)
	})
	return target{h: mux(jwtauth.Verifier(ja)(jwtauth.Authenticator(ja)(h)))}
}

// auth0Claims are the application's claims for auth0's validator (WithCustomClaims), the way
// its README reads claims beyond the registered ones.
type auth0Claims struct {
	TokenType string `json:"token_type"`
	UserID    int64  `json:"user_id"`
}

func (auth0Claims) Validate(context.Context) error { return nil }

func auth0Middleware(tb testing.TB, f *fixture) target {
	key := func(context.Context) (any, error) { return f.verify, nil }
	v, err := validator.New(key, validator.SignatureAlgorithm(f.alg), benchIssuer, []string{benchAudience},
		validator.WithCustomClaims(func() validator.CustomClaims { return &auth0Claims{} }))
	if err != nil {
		tb.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vc, _ := r.Context().Value(jwtmiddleware.ContextKey{}).(*validator.ValidatedClaims)
		var c *auth0Claims
		if vc != nil {
			c, _ = vc.CustomClaims.(*auth0Claims)
		}
		if c == nil {
			writeMe(w, 0, false)
			return
		}
		writeMe(w, c.UserID, true)
	})
	return target{h: mux(jwtmiddleware.New(v.ValidateToken).CheckJWT(h))}
}

// --- Gin ---

func meGin(c *gin.Context, userID int64, ok bool) {
	var buf [64]byte
	a := accounts[userID]
	if !ok || a == nil {
		c.String(http.StatusInternalServerError, "no user in the claims")
		return
	}
	c.Data(http.StatusOK, "application/json", appendMe(buf[:0], a.id, a.username))
}

func jwtkitGin(_ testing.TB, f *fixture) target {
	r := gin.New()
	r.GET(route, jwtgin.Middleware(f.auth), func(c *gin.Context) {
		id, ok := identityUserID(jwtgin.Identity(c))
		meGin(c, id, ok)
	})
	return target{h: r}
}

// appleboyGinJWT is gin-jwt v2. Its built-in key handling is HMAC or RSA; for ES256 its
// documented route is KeyFunc ("Setting KeyFunc will bypass all other key settings"), which
// here pins the method and, through ParseOptions, the valid methods.
func appleboyGinJWT(tb testing.TB, f *fixture) target {
	mw := &ginjwt.GinJWTMiddleware{
		Realm:       "api",
		IdentityKey: "user_id",
	}
	switch f.alg {
	case jwtkit.HS256:
		mw.SigningAlgorithm = "HS256"
		mw.Key = f.verify.([]byte)
	default:
		alg := string(f.alg)
		mw.SigningAlgorithm = alg
		mw.KeyFunc = func(t *jwtv4.Token) (any, error) {
			if t.Method.Alg() != alg {
				return nil, ginjwt.ErrInvalidSigningAlgorithm
			}
			return f.verify, nil
		}
		mw.ParseOptions = []jwtv4.ParserOption{jwtv4.WithValidMethods([]string{alg})}
	}
	auth, err := ginjwt.New(mw)
	if err != nil {
		tb.Fatal(err)
	}
	r := gin.New()
	r.GET(route, auth.MiddlewareFunc(), func(c *gin.Context) {
		v, _ := c.Get("user_id")
		id, ok := claimUserID(v)
		meGin(c, id, ok)
	})
	return target{h: r}
}

// --- Echo ---

func meEcho(c echo.Context, userID int64, ok bool) error {
	var buf [64]byte
	a := accounts[userID]
	if !ok || a == nil {
		return c.String(http.StatusInternalServerError, "no user in the claims")
	}
	return c.Blob(http.StatusOK, "application/json", appendMe(buf[:0], a.id, a.username))
}

func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	return e
}

func jwtkitEcho(_ testing.TB, f *fixture) target {
	e := newEcho()
	e.GET(route, func(c echo.Context) error {
		id, ok := identityUserID(jwtecho.Identity(c))
		return meEcho(c, id, ok)
	}, jwtecho.Middleware(f.auth))
	return target{h: e}
}

// labstackEchoJWT is echo-jwt with the key and method set, claims as its default MapClaims.
func labstackEchoJWT(_ testing.TB, f *fixture) target {
	e := newEcho()
	e.GET(route, func(c echo.Context) error {
		tok, _ := c.Get("user").(*jwt.Token)
		var v any
		if tok != nil {
			if claims, ok := tok.Claims.(jwt.MapClaims); ok {
				v = claims["user_id"]
			}
		}
		id, ok := claimUserID(v)
		return meEcho(c, id, ok)
	}, echojwt.WithConfig(echojwt.Config{SigningKey: f.verify, SigningMethod: string(f.alg)}))
	return target{h: e}
}

// --- Echo v5 ---

func meEchoV5(c *echov5.Context, userID int64, ok bool) error {
	var buf [64]byte
	a := accounts[userID]
	if !ok || a == nil {
		return c.String(http.StatusInternalServerError, "no user in the claims")
	}
	return c.Blob(http.StatusOK, "application/json", appendMe(buf[:0], a.id, a.username))
}

func jwtkitEchoV5(_ testing.TB, f *fixture) target {
	e := echov5.New()
	e.GET(route, func(c *echov5.Context) error {
		id, ok := identityUserID(jwtechov5.Identity(c))
		return meEchoV5(c, id, ok)
	}, jwtechov5.Middleware(f.auth))
	return target{h: e}
}

// echoJWTStyle is a golang-jwt v5 middleware for Echo v5 that does what echo-jwt v4 does with
// SigningKey and SigningMethod set: the token after a "Bearer " prefix of any case in
// Authorization, parsed into MapClaims by jwt.ParseWithClaims with a key function that refuses
// any other method, kept under c.Set("user"); a missing or refused token is a 401, returned as an echo
// error for Echo's error handler to write.
func echoJWTStyle(_ testing.TB, f *fixture) target {
	const scheme = "Bearer "
	keyFunc := func(t *jwt.Token) (any, error) {
		if t.Method.Alg() != string(f.alg) {
			return nil, fmt.Errorf("unexpected jwt signing method=%v", t.Header["alg"])
		}
		return f.verify, nil
	}
	mw := func(next echov5.HandlerFunc) echov5.HandlerFunc {
		return func(c *echov5.Context) error {
			auth := c.Request().Header.Get(echov5.HeaderAuthorization)
			if len(auth) <= len(scheme) || !strings.EqualFold(auth[:len(scheme)], scheme) {
				return echov5.NewHTTPError(http.StatusUnauthorized, "missing or malformed jwt")
			}
			tok, err := jwt.ParseWithClaims(auth[len(scheme):], jwt.MapClaims{}, keyFunc)
			if err != nil || !tok.Valid {
				return echov5.NewHTTPError(http.StatusUnauthorized, "invalid or expired jwt").Wrap(err)
			}
			c.Set("user", tok)
			return next(c)
		}
	}
	e := echov5.New()
	e.GET(route, func(c *echov5.Context) error {
		tok, _ := c.Get("user").(*jwt.Token)
		var v any
		if tok != nil {
			if claims, ok := tok.Claims.(jwt.MapClaims); ok {
				v = claims["user_id"]
			}
		}
		id, ok := claimUserID(v)
		return meEchoV5(c, id, ok)
	}, mw)
	return target{h: e}
}

// --- Fiber ---

func meFiber(c *fiber.Ctx, userID int64, ok bool) error {
	var buf [64]byte
	a := accounts[userID]
	if !ok || a == nil {
		return c.Status(http.StatusInternalServerError).SendString("no user in the claims")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	_, err := c.Write(appendMe(buf[:0], a.id, a.username))
	return err
}

func newFiber() *fiber.App { return fiber.New(fiber.Config{DisableStartupMessage: true}) }

func jwtkitFiber(_ testing.TB, f *fixture) target {
	app := newFiber()
	app.Get(route, jwtfiber.Middleware(f.auth), func(c *fiber.Ctx) error {
		id, ok := identityUserID(jwtfiber.Identity(c))
		return meFiber(c, id, ok)
	})
	return target{f: app.Handler()}
}

// gofiberJWT is gofiber/contrib/jwt (the fiber/v2 line) with SigningKey and its JWTAlg set,
// as its RS256 example does (its HS256 example leaves JWTAlg empty, which skips the alg
// check), claims as its default MapClaims.
func gofiberJWT(_ testing.TB, f *fixture) target {
	app := newFiber()
	app.Get(route, jwtware.New(jwtware.Config{SigningKey: jwtware.SigningKey{JWTAlg: string(f.alg), Key: f.verify}}),
		func(c *fiber.Ctx) error {
			tok, _ := c.Locals("user").(*jwt.Token)
			var v any
			if tok != nil {
				if claims, ok := tok.Claims.(jwt.MapClaims); ok {
					v = claims["user_id"]
				}
			}
			id, ok := claimUserID(v)
			return meFiber(c, id, ok)
		})
	return target{f: app.Handler()}
}
