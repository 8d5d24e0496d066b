package jwtgrpc_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/metadata"

	jwtgrpc "github.com/jwtkit/jwtkit/adapters/grpc"
)

// BenchmarkInterceptor compares a unary call through the interceptor with a bare call to a
// public method of the same server, over one loopback connection, and the interceptor alone
// in process (the check of a call whose metadata is already parsed): protected minus public is
// what authentication adds to a real call.
func BenchmarkInterceptor(b *testing.B) {
	auth := newAuth(b, newStore(b), nil)
	access := pair(b, auth, 1).Access
	conn := serve(b, auth, jwtgrpc.Config{})
	withToken := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+access)
	run := func(ctx context.Context, method string) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := call(ctx, conn, method); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("call=protected", run(withToken, methodMe))
	b.Run("call=public", run(withToken, methodHealth))
	b.Run("call=protected-stream", run(withToken, methodMeStream))
	b.Run("call=in-process", func(b *testing.B) {
		ic := jwtgrpc.UnaryServerInterceptor(auth)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inProcess(ic, methodMe, "Bearer "+access); err != nil {
				b.Fatal(err)
			}
		}
	})
}
