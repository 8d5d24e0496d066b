package storeopen_test

import (
	"testing"

	storeopen "github.com/jwtkit/jwtkit/stores/open"
	"github.com/jwtkit/jwtkit/stores/open/opentest"
)

// settingsFor returns settings for kind on its test server (skipping, or failing under
// CI=true, when the server is down) with a table or key prefix of this test's own, and
// removes whatever the test created under that prefix when it ends.
func settingsFor(t *testing.T, kind string) storeopen.Settings {
	t.Helper()
	return opentest.Settings(t, kind, "open")
}
