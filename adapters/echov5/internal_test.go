package jwtechov5

import (
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/assert"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// TestIdentityWrongType: a value of another type under the key reads as no identity; it never
// panics.
func TestIdentityWrongType(t *testing.T) {
	c := echo.New().NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
	for _, v := range []any{"user", jwtkit.Identity{}, (*jwtkit.Identity)(nil)} {
		c.Set(identityKey, v)
		id, ok := Identity(c)
		assert.False(t, ok, "%T", v)
		assert.Nil(t, id)
	}
	c.Set(identityKey, &jwtkit.Identity{})
	_, ok := Identity(c)
	assert.True(t, ok)
}
