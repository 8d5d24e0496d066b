package adaptertest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// promptly bounds the wait for an answer the server can give from the header alone. Every
// server under test has read timeouts of seconds or none; an answer that waits for the body
// (which never comes) misses this bound.
const promptly = 2 * time.Second

// runDeclaredBody sends, on each token endpoint, only the header of a request whose
// Content-Length exceeds maxBody, the server's body limit: one just over it (under the 256 KiB
// net/http drains before answering) and 4 MB (under fasthttp's default 4 MiB BodyLimit, which
// it would allocate at once). The contract's JSON 413 must come back without the body, saying
// Connection: close. (The server may still read what the client sends for a while: net/http
// reads up to 256 KiB of an unread body after the answer, bounded by its ReadTimeout, so that
// a client still sending it is not cut off by a reset before it reads the answer.)
func runDeclaredBody(t *testing.T, base string, maxBody int64) {
	addr := strings.TrimPrefix(base, "http://")
	for _, path := range pairPaths {
		for _, n := range []int64{maxBody + 1, 4_000_000} {
			t.Run(path+" "+strconv.FormatInt(n, 10), func(t *testing.T) {
				c, err := net.Dial("tcp", addr)
				require.NoError(t, err)
				defer func() { _ = c.Close() }()
				_, err = io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\n"+
					"Content-Length: "+strconv.FormatInt(n, 10)+"\r\n\r\n")
				require.NoError(t, err)
				start := time.Now()
				require.NoError(t, c.SetReadDeadline(start.Add(promptly)))
				br := bufio.NewReader(c)
				resp, err := http.ReadResponse(br, nil)
				require.NoError(t, err, "no answer within %v of the header: the server waits for the body", promptly)
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				expect(t, answer{status: resp.StatusCode, header: resp.Header, body: string(b)},
					http.StatusRequestEntityTooLarge, bodyTooLarge, true)
				assert.True(t, resp.Close, "Connection: close, since the body's bytes would follow on this connection")
			})
		}
	}
}
