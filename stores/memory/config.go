package memstore

import (
	"fmt"
	"math/bits"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// maxShards bounds Config.Shards so a typo cannot allocate gigabytes of empty shards.
const maxShards = 1 << 16

// Config configures a Store. The zero value of every field means its default.
type Config struct {
	// Shards is the number of independently locked partitions of the store. More shards mean
	// less lock contention between goroutines revoking and checking different tokens.
	//
	// Optional. Default: 64. Rounded up to a power of two; negative or above 65536 is an error.
	Shards int

	// PurgeInterval is how often a background goroutine removes expired entries. Expired
	// entries are treated as absent either way; purging gives their memory back.
	//
	// Optional. Default: 1 * time.Minute. Negative disables the background purge (call Purge
	// yourself).
	PurgeInterval time.Duration

	// MaxEntries caps the number of entries (revoked jtis, user cutoffs and revoked families
	// together). A store at the cap first purges expired entries of the shard it writes to (at
	// most once a second per shard); if that frees nothing, the write fails with an error
	// wrapping ErrFull. A live revocation is never evicted to make room, because forgetting
	// one would make a revoked token valid again: the store fails closed.
	//
	// Optional. Default: 10_000_000. Negative is an error.
	MaxEntries int

	// MaxLoginAttempts caps the login attempts the limiter (LoginAttempt) holds at once, over
	// every key. Attempts are forgotten once their window has passed; at the cap a new one
	// first purges its shard (at most once a second), and if that frees nothing it fails with
	// an error wrapping ErrFull, which core answers with a 503: a flood of logins under many
	// keys can neither exhaust memory nor get an attempt through uncounted.
	//
	// Optional. Default: 1_000_000. Negative is an error.
	MaxLoginAttempts int

	// Clock tells the store the time; expiries are compared against it. Tests use it to move
	// time without sleeping.
	//
	// Optional. Default: time.Now.
	Clock func() time.Time
}

// ConfigDefault is the configuration New uses when given none, and the source of the default
// of every field left zero.
var ConfigDefault = Config{
	Shards:           64,
	PurgeInterval:    time.Minute,
	MaxEntries:       10_000_000,
	MaxLoginAttempts: 1_000_000,
	Clock:            time.Now,
}

// configDefault fills in defaults from ConfigDefault and validates the result, so even a
// ConfigDefault changed by the application cannot make New panic. Its errors wrap
// jwtkit.ErrInvalidConfig.
func configDefault(cfgs []Config) (Config, error) {
	if len(cfgs) > 1 {
		return Config{}, invalid("New takes at most one Config, got %d", len(cfgs))
	}
	cfg := ConfigDefault
	if len(cfgs) == 1 {
		cfg = cfgs[0]
	}
	if cfg.Shards == 0 {
		cfg.Shards = ConfigDefault.Shards
	}
	if cfg.PurgeInterval == 0 {
		cfg.PurgeInterval = ConfigDefault.PurgeInterval
	}
	if cfg.MaxEntries == 0 {
		cfg.MaxEntries = ConfigDefault.MaxEntries
	}
	if cfg.MaxLoginAttempts == 0 {
		cfg.MaxLoginAttempts = ConfigDefault.MaxLoginAttempts
	}
	if cfg.Clock == nil {
		cfg.Clock = ConfigDefault.Clock
	}

	switch {
	case cfg.Shards < 1 || cfg.Shards > maxShards:
		return Config{}, invalid("Shards must be between 1 and %d, got %d", maxShards, cfg.Shards)
	case cfg.MaxEntries < 1:
		return Config{}, invalid("MaxEntries must be positive, got %d", cfg.MaxEntries)
	case cfg.MaxLoginAttempts < 1:
		return Config{}, invalid("MaxLoginAttempts must be positive, got %d", cfg.MaxLoginAttempts)
	case cfg.Clock == nil:
		return Config{}, invalid("Clock is nil in both Config and ConfigDefault")
	}
	cfg.Shards = 1 << bits.Len(uint(cfg.Shards-1))
	return cfg, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: memstore: "+format, append([]any{jwtkit.ErrInvalidConfig}, args...)...)
}
