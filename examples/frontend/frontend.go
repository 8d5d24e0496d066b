// Package frontend is the example servers' browser front end: one HTML page with its script
// inline and no build step, which logs in with a form, keeps the access token in memory, calls
// GET /api/me, refreshes once and retries on a 401, and logs out. It works in both of jwtkit's
// browser modes, which it tells apart by the login answer: header mode (the refresh token in
// the body, kept in memory) and cookie mode (JWTKIT_COOKIE_MODE=true: the refresh token in its
// HttpOnly cookie, refresh and logout carrying X-CSRF-Token copied from the readable
// jwtkit-csrf cookie).
//
// Each example server serves Page at GET / on the API's own origin. PageFor is the same page
// for another origin, calling the API at the origin it names; that origin must be listed in
// the server's JWTKIT_CORS_ORIGINS.
package frontend

import (
	"bytes"
	_ "embed"
	"html"
)

// ContentType is Page's media type.
const ContentType = "text/html; charset=utf-8"

// Page is the front end served by the API itself: it calls the origin it was loaded from.
//
//go:embed index.html
var Page []byte

// apiMeta is the tag in Page that names the API's origin, empty for the page's own.
var apiMeta = []byte(`<meta name="jwtkit-api" content="">`)

// PageFor is Page calling the API at origin (scheme://host[:port]) from wherever it is served.
func PageFor(origin string) []byte {
	return bytes.Replace(Page, apiMeta,
		[]byte(`<meta name="jwtkit-api" content="`+html.EscapeString(origin)+`">`), 1)
}
