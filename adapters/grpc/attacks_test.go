package jwtgrpc_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwtgrpc "github.com/jwtkit/jwtkit/adapters/grpc"
	jwtkit "github.com/jwtkit/jwtkit/core"
)

// contractErrors are the errors a protected route answers, one per row of the contract.
var contractErrors = []error{
	jwtkit.ErrStoreUnavailable, jwtkit.ErrCSRF, jwtkit.ErrNoCredentials, jwtkit.ErrBadAuthHeader, jwtkit.ErrNoUserID,
	jwtkit.ErrUserNotFound, jwtkit.ErrUserInactive, jwtkit.ErrPasswordChanged, jwtkit.ErrBlacklisted,
	jwtkit.ErrWrongType, jwtkit.ErrNoType, jwtkit.ErrNoID, jwtkit.ErrTokenInvalid,
}

// asHTTP is the HTTP answer a call's outcome stands for, so that adaptertest.CheckAnswer can
// judge it: a passed call is a 200 with the method's answer as the body; a refused one must be
// exactly the gRPC image (Status) of one of the contract's answers, which it then is.
func asHTTP(t testing.TB, auth *jwtkit.Auth, got []byte, err error) jwtkit.Response {
	t.Helper()
	if err == nil {
		return jwtkit.Response{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: got}
	}
	st := status.Convert(err).Proto()
	for _, e := range contractErrors {
		if resp := auth.ErrorResponse(e); proto.Equal(jwtgrpc.Status(resp).Proto(), st) {
			return resp
		}
	}
	t.Fatalf("a status that is no contract answer: %v", err)
	return jwtkit.Response{}
}

// checkCall checks the outcome of a call with the authorization value header (none when empty)
// against the contract (CheckAnswer) and against core's own verdict on that header.
func checkCall(t testing.TB, auth *jwtkit.Auth, header string, optional bool, got []byte, err error) {
	t.Helper()
	resp := asHTTP(t, auth, got, err)
	adaptertest.CheckAnswer(t, adaptertest.Seed{Header: header}, optional, resp.Status, resp.Header, resp.Body)
	_, want := auth.AuthenticateFrom(context.Background(), http.MethodPost, auth.DefaultSources(), func(jwtkit.TokenSource) string { return header })
	if optional && errors.Is(want, jwtkit.ErrNoCredentials) {
		want = nil
	}
	if (want == nil) != (err == nil) || want != nil && !proto.Equal(jwtgrpc.Status(auth.ErrorResponse(want)).Proto(), status.Convert(err).Proto()) {
		t.Fatalf("the call ended with %v; core's verdict on the header is %v", err, want)
	}
}

// sendable reports whether a gRPC client sends v as a metadata value: printable ASCII only.
func sendable(v string) bool {
	for i := range len(v) {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// headers are the authorization values of the attack table's requests to a protected route
// (adaptertest.Seeds): gRPC has no cookie or query string, so only the header is taken.
func headers() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range adaptertest.Seeds() {
		if !seen[s.Header] {
			seen[s.Header] = true
			out = append(out, s.Header)
		}
	}
	return out
}

// inProcess calls the unary interceptors as the server would, with header as the incoming
// authorization value, and returns the outcome.
func inProcess(ic grpc.UnaryServerInterceptor, method, header string) ([]byte, error) {
	md := metadata.MD{}
	if header != "" {
		md.Append("authorization", header)
	}
	ctx := metadata.NewIncomingContext(context.Background(), md)
	out, err := ic(ctx, nil, &grpc.UnaryServerInfo{FullMethod: method}, func(ctx context.Context, _ any) (any, error) {
		return me(ctx), nil
	})
	if err != nil {
		return nil, err
	}
	return out.(interface{ GetValue() []byte }).GetValue(), nil
}

// TestAttacks sends the attack table's authorization values (adaptertest.Seeds, with the Auth
// they were made for) to every protected and optional method over a loopback connection; the
// values a gRPC client refuses to send (bytes outside printable ASCII) go to the interceptors
// in process instead. Every answer is a contract answer, never a pass for a token the suite's
// key did not sign, and the one core gives for that header.
func TestAttacks(t *testing.T) {
	auth := adaptertest.FuzzAuth(t)
	conn := serve(t, auth, jwtgrpc.Config{})
	required, optional := jwtgrpc.UnaryServerInterceptor(auth), jwtgrpc.OptionalUnaryServerInterceptor(auth)
	var sent, local int
	for _, h := range headers() {
		if !sendable(h) {
			local++
			got, err := inProcess(required, methodMe, h)
			checkCall(t, auth, h, false, got, err)
			got, err = inProcess(optional, methodOptional, h)
			checkCall(t, auth, h, true, got, err)
			continue
		}
		sent++
		ctx := context.Background()
		if h != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", h)
		}
		for _, method := range []string{methodMe, methodMeStream, methodOptional, methodOptionalStream} {
			got, err := call(ctx, conn, method)
			checkCall(t, auth, h, method == methodOptional || method == methodOptionalStream, got, err)
		}
	}
	require.Positive(t, sent)
	require.Positive(t, local)
	t.Logf("%d values over the connection, %d in process", sent, local)
}
