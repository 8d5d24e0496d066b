package memstore

import (
	"runtime"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShardsRoundedUpToPowerOfTwo(t *testing.T) {
	for shards, want := range map[int]int{0: 64, 1: 1, 2: 2, 3: 4, 64: 64, 65: 128, 1000: 1024, 1 << 16: 1 << 16} {
		s, err := New(Config{Shards: shards, PurgeInterval: -1})
		require.NoError(t, err)
		assert.Len(t, s.shards, want, "Shards: %d", shards)
		assert.Equal(t, uint64(want-1), s.mask, "Shards: %d", shards)
	}
}

func TestCloseStopsBackgroundPurge(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := New(Config{PurgeInterval: time.Millisecond})
	require.NoError(t, err)
	time.Sleep(10 * time.Millisecond) // let it purge a few times

	require.NoError(t, s.Close())
	select {
	case <-s.done:
	default:
		t.Fatal("Close returned before the purge goroutine ended")
	}
	require.NoError(t, s.Close(), "Close is idempotent")
	// Polled by hand: assert.Eventually runs its condition on goroutines of its own.
	after := runtime.NumGoroutine()
	for deadline := time.Now().Add(time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, after, before, "goroutines leaked: %d before New, %d after Close", before, after)

	off, err := New(Config{PurgeInterval: -1})
	require.NoError(t, err)
	assert.Nil(t, off.stop, "a negative PurgeInterval starts no goroutine")
	assert.NoError(t, off.Close())
}

func TestParseHexJTI(t *testing.T) {
	key, ok := parseHexJTI("000102030405060708090a0b0c0d0eff")
	require.True(t, ok)
	assert.Equal(t, [16]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255}, key)

	for _, jti := range []string{
		"", "00", "000102030405060708090a0b0c0d0e0", "000102030405060708090a0b0c0d0eff0",
		"000102030405060708090A0B0C0D0EFF", "000102030405060708090a0b0c0d0eg0",
		"0001020304-5060708090a0b0c0d0eff", "00010203-0405-0607-0809-0a0b0c0d0eff",
	} {
		_, ok := parseHexJTI(jti)
		assert.False(t, ok, "%q must not be decoded", jti)
	}
}

func TestExpirySeconds(t *testing.T) {
	assert.Equal(t, uint32(100), expirySeconds(time.Unix(100, 0)))
	assert.Equal(t, uint32(101), expirySeconds(time.Unix(100, 1)), "rounded up, never down")
	assert.Equal(t, uint32(0), expirySeconds(time.Unix(-5, 0)))
	assert.Equal(t, uint32(forever), expirySeconds(time.Unix(1<<33, 0)))
	assert.True(t, live(100, 99))
	assert.False(t, live(100, 100), "an entry expiring at second E is gone at E, like a token with exp E")
	assert.True(t, live(forever, 1<<40))
}

func TestChangedConfigDefaultCannotPanic(t *testing.T) {
	saved := ConfigDefault
	t.Cleanup(func() { ConfigDefault = saved })

	for name, def := range map[string]Config{
		"zero":             {},
		"negative Shards":  {Shards: -4, MaxEntries: 1, Clock: time.Now},
		"negative entries": {Shards: 4, MaxEntries: -1, Clock: time.Now},
		"nil Clock":        {Shards: 4, MaxEntries: 1},
	} {
		ConfigDefault = def
		for _, cfgs := range [][]Config{nil, {{}}} {
			s, err := New(cfgs...)
			assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "ConfigDefault %s, New(%v)", name, cfgs)
			assert.Nil(t, s)
		}
	}
}
