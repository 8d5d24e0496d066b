package frontend_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/jwtkit/jwtkit/examples/frontend"
)

func TestPageFor(t *testing.T) {
	page := frontend.PageFor(`http://127.0.0.1:8000"><script>`)
	assert.Contains(t, string(page), `<meta name="jwtkit-api" content="http://127.0.0.1:8000&#34;&gt;&lt;script&gt;">`)
	assert.Equal(t, len(frontend.Page), len(page)-len(`http://127.0.0.1:8000&#34;&gt;&lt;script&gt;`),
		"only the meta tag changes")
	assert.True(t, bytes.Contains(frontend.Page, []byte(`<meta name="jwtkit-api" content="">`)), "Page calls its own origin")
}
