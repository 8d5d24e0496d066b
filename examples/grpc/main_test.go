package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtkit/jwtkit/examples/internal/servertest"
)

// TestServerAndClient runs the example as a person does: the server as a process of its own,
// then the client against it, which logs in over HTTP, calls WhoAmI over gRPC, logs out over
// HTTP and finds the token refused over gRPC; then SIGTERM and a clean exit.
func TestServerAndClient(t *testing.T) {
	bin := servertest.Build(t)
	s := servertest.Start(t, bin, "JWTKIT_SIGNING_KEY="+servertest.Key, "JWTKIT_STORE=memory",
		"JWTKIT_ADDR=127.0.0.1:0", "JWTKIT_GRPC_ADDR=127.0.0.1:0")
	ready := regexp.MustCompile(`^time=\S+ level=INFO msg=ready framework=grpc grpc_addr=(127\.0\.0\.1:\d+) addr=127\.0\.0\.1:\d+ store=memory$`)
	m := ready.FindStringSubmatch(s.ReadyLine)
	require.NotNil(t, m, "ready line %q", s.ReadyLine)
	grpcAddr := m[1]

	// Built before any deadline starts: a build on a busy machine takes as long as it takes.
	client := filepath.Join(t.TempDir(), "client")
	out, err := exec.Command("go", "build", "-o", client, "./client").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err = conn.Invoke(ctx, "/jwtkit.example.Account/WhoAmI", &emptypb.Empty{}, new(wrapperspb.StringValue))
	assert.Equal(t, codes.Unauthenticated, status.Code(err), "a call without a token: %v", err)
	assert.Equal(t, "Authentication credentials were not provided.", status.Convert(err).Message())

	cmd := exec.CommandContext(ctx, client)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JWTKIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "JWTKIT_ADDR="+strings.TrimPrefix(s.URL, "http://"), "JWTKIT_GRPC_ADDR="+grpcAddr)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	require.NoError(t, err, "client: %s", stderr.String())
	assert.Equal(t, `logged in over HTTP
WhoAmI: {"user_id":1,"username":"demo"}
logged out over HTTP
WhoAmI after logout: Unauthenticated Given token not valid for any token type (token_not_valid: Token is blacklisted)
`, string(stdout))

	s.Stop(t)
}
