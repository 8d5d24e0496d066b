// A store's author runs the conformance suite from their own module; here on the memory store.
package consumer

import (
	"testing"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
	"github.com/jwtkit/jwtkit/stores/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) jwtkit.Store {
		s, err := memstore.New()
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = s.Close() })
		return s
	}, storetest.Features{Purge: true, Rotation: true, Limiter: true})
}
