package memstore_test

import (
	"testing"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
	"github.com/jwtkit/jwtkit/stores/storetest"
	"github.com/stretchr/testify/require"
)

// newStore is the conformance suite's constructor: the default configuration, closed when the
// subtest ends. The default one-minute background purge never runs within a subtest.
func newStore(tb testing.TB) jwtkit.Store {
	s, err := memstore.New()
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

// TestConformance runs the whole suite, through core too (ReplicasThroughCore and
// RespelledThroughCore put two Auths on one store). Shared stays off: the store is per process
// by design, so a new instance remembering an old one's revocations (RestartThroughCore) does
// not apply, and neither does storetest.Outage: there is no server to lose.
func TestConformance(t *testing.T) {
	storetest.Run(t, newStore, storetest.Features{Purge: true, Rotation: true, Limiter: true})
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, newStore)
}
