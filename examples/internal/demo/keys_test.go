package demo

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// writePEM saves a new private key for alg in a file of the test's own, as
// `jwtkit keygen --alg ALG --out FILE` does, and returns the file and the key.
func writePEM(t *testing.T, alg jwtkit.Algorithm) (string, *jwtkit.Key) {
	t.Helper()
	key, err := jwtkit.GenerateKey(alg, "")
	require.NoError(t, err)
	data, err := key.PrivatePEM()
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), string(alg)+".pem")
	require.NoError(t, os.WriteFile(file, data, 0o600))
	return file, key
}

var kidPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

func TestKeyHMAC(t *testing.T) {
	log := captureLog(t)
	s := Settings{Algorithm: jwtkit.HS384, SigningKey: "an HS384 key of at least forty-eight bytes, as text, here"}
	key, err := s.Key()
	require.NoError(t, err)
	assert.Equal(t, jwtkit.HS384, key.Algorithm())
	assert.Empty(t, key.KeyID(), "an HMAC key has no kid, as simplejwt's tokens have none")
	assert.Empty(t, log.String())

	s.SigningKey = "thirty-two bytes is too short for HS384 !"
	_, err = s.Key()
	require.ErrorIs(t, err, jwtkit.ErrWeakKey)
	assert.Contains(t, err.Error(), "JWTKIT_SIGNING_KEY")
	assert.NotContains(t, err.Error(), s.SigningKey)

	key, err = Settings{Algorithm: jwtkit.HS512}.Key()
	require.NoError(t, err)
	assert.Equal(t, jwtkit.HS512, key.Algorithm())
	assert.Contains(t, log.String(), `level=WARN msg="JWTKIT_SIGNING_KEY is not set: signing with a random key`)
}

// Without a key file the server signs with a random key of the algorithm, says so, and names
// the key by KeyID.
func TestKeyGenerated(t *testing.T) {
	for _, alg := range []jwtkit.Algorithm{jwtkit.ES256, jwtkit.EdDSA, jwtkit.PS256} {
		log := captureLog(t)
		key, err := Settings{Algorithm: alg}.Key()
		require.NoError(t, err, alg)
		assert.Equal(t, alg, key.Algorithm())
		assert.True(t, key.CanSign())
		assert.Regexp(t, kidPattern, key.KeyID())
		kid, err := KeyID(key)
		require.NoError(t, err)
		assert.Equal(t, kid, key.KeyID())
		assert.Contains(t, log.String(), `level=WARN msg="JWTKIT_PRIVATE_KEY_FILE is not set: signing with a random key, so tokens stop working when the server restarts" alg=`+string(alg))
	}
}

// A key file gives the same key, and so the same kid, on every start; another key another kid.
func TestKeyFromFile(t *testing.T) {
	log := captureLog(t)
	file, want := writePEM(t, jwtkit.ES384)
	s := Settings{Algorithm: jwtkit.ES384, PrivateKeyFile: file}
	first, err := s.Key()
	require.NoError(t, err)
	again, err := s.Key()
	require.NoError(t, err)
	assert.Equal(t, first.KeyID(), again.KeyID())
	assert.Regexp(t, kidPattern, first.KeyID())
	assert.Equal(t, want.PublicKey(), first.PublicKey(), "the file's key, not a new one")
	assert.Empty(t, log.String(), "no warning with a key file")

	other, _ := writePEM(t, jwtkit.ES384)
	third, err := Settings{Algorithm: jwtkit.ES384, PrivateKeyFile: other}.Key()
	require.NoError(t, err)
	assert.NotEqual(t, first.KeyID(), third.KeyID())
}

func TestKeyFileRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		file := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(file, data, 0o600))
		return file
	}
	es256, key := writePEM(t, jwtkit.ES256)
	public, err := key.PublicPEM()
	require.NoError(t, err)
	rsa, _ := writePEM(t, jwtkit.RS256)

	for _, c := range []struct {
		name string
		s    Settings
		says string
	}{
		{"missing", Settings{Algorithm: jwtkit.ES256, PrivateKeyFile: filepath.Join(dir, "nope.pem")}, `JWTKIT_PRIVATE_KEY_FILE="` + dir + `/nope.pem" cannot be read`},
		{"not PEM", Settings{Algorithm: jwtkit.ES256, PrivateKeyFile: write("text.pem", []byte("not a key"))}, "JWTKIT_PRIVATE_KEY_FILE (ES256): no PEM block found"},
		{"public key", Settings{Algorithm: jwtkit.ES256, PrivateKeyFile: write("public.pem", public)}, "JWTKIT_PRIVATE_KEY_FILE (ES256): the file holds a public key"},
		{"other curve", Settings{Algorithm: jwtkit.ES384, PrivateKeyFile: es256}, "JWTKIT_PRIVATE_KEY_FILE (ES384)"},
		{"other family", Settings{Algorithm: jwtkit.ES256, PrivateKeyFile: rsa}, "JWTKIT_PRIVATE_KEY_FILE (ES256)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.s.Key()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.says)
			assert.Equal(t, 2, ExitCode(err), "a settings error: %v", err)
			assert.NotContains(t, err.Error(), "PRIVATE KEY-----", "the key is never quoted")
		})
	}
}
