package redisstore_test

import (
	"context"
	"crypto/rand"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	redisstore "github.com/jwtkit/jwtkit/stores/redis"
	"github.com/jwtkit/jwtkit/stores/storetest"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startCluster starts a private Redis Cluster of three masters on free ports and returns their
// addresses; it is killed when the test ends.
func startCluster(t *testing.T) []string {
	t.Helper()
	cli, err := exec.LookPath("redis-cli")
	storetest.Service(t, "the redis-cli binary", err, "apt-get install redis-tools")
	var addrs []string
	for range 3 {
		s := startServer(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "5000", "--appendonly", "no")
		addrs = append(addrs, s.addr())
	}
	out, err := exec.Command(cli, append(append([]string{"--cluster", "create"}, addrs...),
		"--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput()
	require.NoError(t, err, "redis-cli --cluster create: %s", out)

	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	defer client.Close()
	require.Eventually(t, func() bool {
		for _, addr := range addrs {
			node := redis.NewClient(&redis.Options{Addr: addr})
			info, err := node.ClusterInfo(context.Background()).Result()
			_ = node.Close()
			if err != nil || !strings.Contains(info, "cluster_state:ok") {
				return false
			}
		}
		return true
	}, 20*time.Second, 50*time.Millisecond, "the cluster did not reach cluster_state:ok")
	return addrs
}

// TestCluster runs the whole conformance suite on a three-master Cluster, where a command
// whose keys lie in different slots fails with CROSSSLOT: every operation has to be built for
// it, and Revoked's pipeline is split across nodes by go-redis.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node Redis Cluster")
	}
	addrs := startCluster(t)
	newClient := func(tb testing.TB) *redis.ClusterClient {
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true})
		tb.Cleanup(func() { _ = c.Close() })
		return c
	}
	newClusterStore := func(tb testing.TB) jwtkit.Store {
		s, err := redisstore.New(newClient(tb), redisstore.Config{Prefix: testPrefix})
		require.NoError(tb, err)
		return s
	}

	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, newClusterStore, storetest.Features{Shared: true, Rotation: true, Limiter: true})
	})

	// Every record about one id shares a slot, whatever the id holds, so a later multi-key
	// script over one jti's (or one family's) records stays Cluster-safe; different ids spread
	// over the nodes.
	t.Run("HashTags", func(t *testing.T) {
		client := newClient(t)
		prefix := "jwtkit-tags-" + rand8() + ":"
		st, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
		require.NoError(t, err)
		ctx := t.Context()
		ids := []string{"plain", "}", "a}b", `a\b`, `\)`, "{x}", "}{", "ünï{cöde}", `\`, "{}"}
		for range 60 {
			ids = append(ids, rand8())
		}
		for _, id := range ids {
			require.NoError(t, st.Revoke(ctx, id, inAnHour()))
			require.NoError(t, st.RevokeUser(ctx, id, time.Now(), inAnHour()))
			require.NoError(t, st.RevokeFamily(ctx, id, inAnHour()))
		}

		var (
			mu   sync.Mutex
			keys []string
		)
		require.NoError(t, client.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			found, err := node.Keys(ctx, prefix+"*").Result() // a private cluster: KEYS is fine
			mu.Lock()
			keys = append(keys, found...)
			mu.Unlock()
			return err
		}))
		require.Len(t, keys, 3*len(ids), "one key per id and kind")

		slotOf := map[string]int64{} // id part of the key -> slot
		slots := map[int64]bool{}
		for _, key := range keys {
			slot, err := client.ClusterKeySlot(ctx, key).Result()
			require.NoError(t, err)
			slots[slot] = true
			id := key[len(prefix)+2:] // after "j:", "u:" or "f:"
			if first, ok := slotOf[id]; ok {
				assert.Equal(t, first, slot, "records of %s are in different slots", id)
			}
			slotOf[id] = slot
		}
		assert.Len(t, slotOf, len(ids), "distinct ids keep distinct keys")
		assert.Greater(t, len(slots), len(ids)/2, "ids must spread over slots, not share one")
	})
}

func rand8() string { return strings.ToLower(rand.Text()[:8]) }

func inAnHour() time.Time { return time.Now().Add(time.Hour) }
