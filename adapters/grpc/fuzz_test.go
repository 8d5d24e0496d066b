package jwtgrpc_test

import (
	"testing"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwtgrpc "github.com/jwtkit/jwtkit/adapters/grpc"
)

// FuzzInterceptor sends arbitrary authorization metadata values, in process, to the required
// and the optional unary interceptor: every outcome is a contract answer, a pass only for a
// token the suite's key signed, the one core gives for that value, and one call stays within
// the allocation budget. The seeds are the attack table's. The streaming interceptors run the
// same check (TestAttacks calls them over a connection).
func FuzzInterceptor(f *testing.F) {
	auth := adaptertest.FuzzAuth(f)
	required, optional := jwtgrpc.UnaryServerInterceptor(auth), jwtgrpc.OptionalUnaryServerInterceptor(auth)
	for _, h := range headers() {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got, err := inProcess(required, methodMe, header)
		checkCall(t, auth, header, false, got, err)
		got, err = inProcess(optional, methodOptional, header)
		checkCall(t, auth, header, true, got, err)
		adaptertest.CheckAllocs(t, adaptertest.Seed{Header: header}, func() { _, _ = inProcess(required, methodMe, header) })
	})
}
