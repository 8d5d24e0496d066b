package redisstore

import (
	"fmt"
	"strings"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Config configures a Store. The zero value of every field means its default.
//
// There is deliberately no operation timeout: every method takes a context, and its deadline
// bounds the call (see the package documentation on ContextTimeoutEnabled for a client passed
// to New).
type Config struct {
	// Prefix starts every key the store writes, so several applications (or test runs) can
	// share one Redis database. Give each deployment that must not share revocations its own.
	//
	// Optional. Default: "jwtkit:". It must not contain '{' or '}': the store puts a Cluster
	// hash tag after the prefix, and a brace in the prefix would move every key into one slot.
	Prefix string
}

// ConfigDefault is the configuration New and NewFromURL use when given none, and the source of
// the default of every field left zero.
var ConfigDefault = Config{
	Prefix: "jwtkit:",
}

// configDefault fills in defaults from ConfigDefault and validates the result, so even a
// ConfigDefault changed by the application cannot produce a broken store. Its errors wrap
// jwtkit.ErrInvalidConfig.
func configDefault(cfgs []Config) (Config, error) {
	if len(cfgs) > 1 {
		return Config{}, invalid("takes at most one Config, got %d", len(cfgs))
	}
	cfg := ConfigDefault
	if len(cfgs) == 1 {
		cfg = cfgs[0]
	}
	if cfg.Prefix == "" {
		cfg.Prefix = ConfigDefault.Prefix
	}
	switch {
	case cfg.Prefix == "":
		return Config{}, invalid("Prefix is empty in both Config and ConfigDefault")
	case strings.ContainsAny(cfg.Prefix, "{}"):
		return Config{}, invalid("Prefix %q must not contain '{' or '}' (they would change the Cluster hash tag)", cfg.Prefix)
	}
	return cfg, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: redisstore: "+format, append([]any{jwtkit.ErrInvalidConfig}, args...)...)
}
