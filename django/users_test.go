package jwtdjango_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	jwtdjango "github.com/jwtkit/jwtkit/django"
	"github.com/jwtkit/jwtkit/django/internal/djangotest"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

type djangoUser struct {
	Model    string  `json:"model"`
	Username string  `json:"username"`
	Password *string `json:"password"`
	Active   *bool   `json:"active,omitempty"`
	UUID     string  `json:"uuid,omitempty"`
	Code     string  `json:"code,omitempty"`
	Hasher   string  `json:"hasher,omitempty"`
	PK       string  `json:"pk,omitempty"`
	Encoded  string  `json:"encoded,omitempty"`
}

func ptr[T any](v T) *T { return &v }

// TestUsersDjango logs in, through NewUsers, users that Django's create_user made in tables
// Django's migrate made: auth_user, a custom model with a UUID key and renamed columns, and
// one with a text key and no is_active; on SQLite, PostgreSQL and MariaDB. Then a password
// changed by Django.
func TestUsersDjango(t *testing.T) {
	djangotest.Need(t)
	djangotest.ForEach(t, func(t *testing.T, d *djangotest.Database) {
		ctx := context.Background()
		var users []djangoUser
		djangotest.Run(t, d.Env, "users", []djangoUser{
			{Model: "auth", Username: "alice", Password: ptr("alice-password")},
			{Model: "auth", Username: "bob", Password: ptr("bob-password"), Active: ptr(false)},
			{Model: "auth", Username: "carol", Password: nil}, // unusable
			{Model: "auth", Username: "Dave.ü", Password: ptr("pässwörd 🔑")},
			{Model: "member", Username: "erin@example.com", Password: ptr("erin-password"), UUID: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"},
			{Model: "member", Username: "frank@example.com", Password: ptr("frank-password"), Active: ptr(false)},
			{Model: "kiosk", Username: "lobby", Password: ptr("kiosk-password"), Code: "K-01"},
		}, &users)
		byName := map[string]djangoUser{}
		for _, u := range users {
			byName[u.Username] = u
		}

		auth, err := jwtdjango.NewUsers(d.DB, jwtdjango.UsersConfig{Table: d.Table("auth_user")})
		require.NoError(t, err)

		// Each hasher of Django's default list switched on in turn, at Django's own cost, for
		// create_user (Django 3.2 has no scrypt hasher: its vectors are in TestCheckPassword).
		// The hashers do not depend on the database, so SQLite alone carries them.
		if d.Name == "SQLite" {
			var hashed []djangoUser
			var specs []djangoUser
			for _, h := range []string{"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256"} {
				specs = append(specs, djangoUser{Model: "auth", Username: "user-" + h, Password: ptr(h + "-password"), Hasher: h})
			}
			djangotest.Run(t, d.Env, "users", specs, &hashed)
			for _, u := range hashed {
				require.True(t, strings.HasPrefix(u.Encoded, u.Hasher+"$"), "Django hashed with %s: %s", u.Hasher, u.Encoded)
				got, err := auth.Authenticate(ctx, u.Username, *u.Password)
				require.NoError(t, err, u.Hasher)
				assert.Equal(t, u.Username, got.Value)
			}
		}

		alice, err := auth.Authenticate(ctx, "alice", "alice-password")
		require.NoError(t, err)
		assert.Equal(t, jwtkit.User{ID: jwtkit.IntUserID(1), Active: true, Value: "alice", PasswordHash: byName["alice"].Encoded}, alice)
		assert.Equal(t, byName["alice"].PK, alice.ID.String())

		dave, err := auth.Authenticate(ctx, "Dave.ü", "pässwörd 🔑")
		require.NoError(t, err)
		assert.Equal(t, "Dave.ü", dave.Value)

		bob, err := auth.Authenticate(ctx, "bob", "bob-password")
		require.NoError(t, err, "the right password of an inactive user: core turns it away")
		assert.False(t, bob.Active)

		for _, c := range []struct{ username, password string }{
			{"alice", "wrong"}, {"alice", ""}, {"nobody", "alice-password"}, {"", ""},
			{"bob", "wrong"}, {"carol", ""}, {"carol", "carol"},
		} {
			_, err := auth.Authenticate(ctx, c.username, c.password)
			assert.ErrorIs(t, err, jwtkit.ErrBadCredentials, "%+v", c)
		}
		_, err = auth.Authenticate(ctx, "carol", "x")
		assert.ErrorIs(t, err, jwtdjango.ErrUnusablePassword, "the cause stays in the chain, for logs")

		got, err := auth.LookupUser(ctx, jwtkit.IntUserID(1))
		require.NoError(t, err)
		assert.Equal(t, alice, got)
		var fromToken jwtkit.UserID
		require.NoError(t, fromToken.UnmarshalJSON([]byte(`"1"`)))
		got, err = auth.LookupUser(ctx, fromToken)
		require.NoError(t, err)
		assert.Equal(t, alice, got)
		for _, id := range []jwtkit.UserID{jwtkit.IntUserID(999), jwtkit.StringUserID("alice"), jwtkit.StringUserID("1; DROP TABLE auth_user")} {
			_, err := auth.LookupUser(ctx, id)
			assert.ErrorIs(t, err, jwtkit.ErrUserNotFound, id.String())
		}

		members, err := jwtdjango.NewUsers(d.DB, jwtdjango.UsersConfig{Table: d.Table("club_members"),
			IDColumn: "member_uuid", IDKind: jwtdjango.IDUUID, UsernameColumn: "email_address",
			PasswordColumn: "pw_hash", ActiveColumn: "enabled", LastLoginColumn: "seen_at"})
		require.NoError(t, err)
		erin, err := members.Authenticate(ctx, "erin@example.com", "erin-password")
		require.NoError(t, err)
		// simplejwt's user_id for a UUID key: str(uuid), dashed, whatever the column type.
		assert.Equal(t, jwtkit.StringUserID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), erin.ID)
		assert.True(t, erin.Active)
		for _, id := range []string{"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "0F1E2D3C4B5A69788796A5B4C3D2E1F0"} {
			got, err := members.LookupUser(ctx, jwtkit.StringUserID(id))
			require.NoError(t, err, id)
			assert.Equal(t, erin, got)
		}
		for _, id := range []jwtkit.UserID{jwtkit.IntUserID(1), jwtkit.StringUserID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1"), jwtkit.StringUserID("0f1e2d3c")} {
			_, err := members.LookupUser(ctx, id)
			assert.ErrorIs(t, err, jwtkit.ErrUserNotFound, id.String())
		}
		frank, err := members.Authenticate(ctx, "frank@example.com", "frank-password")
		require.NoError(t, err)
		assert.False(t, frank.Active)
		assert.Equal(t, byName["frank@example.com"].PK, frank.ID.String())

		kiosks, err := jwtdjango.NewUsers(d.DB, jwtdjango.UsersConfig{Table: d.Table("kiosks"),
			IDColumn: "code", IDKind: jwtdjango.IDString, UsernameColumn: "name", ActiveColumn: jwtdjango.NoColumn})
		require.NoError(t, err)
		lobby, err := kiosks.Authenticate(ctx, "lobby", "kiosk-password")
		require.NoError(t, err)
		assert.Equal(t, jwtkit.User{ID: jwtkit.StringUserID("K-01"), Active: true, Value: "lobby", PasswordHash: byName["lobby"].Encoded}, lobby)
		got, err = kiosks.LookupUser(ctx, jwtkit.StringUserID("K-01"))
		require.NoError(t, err)
		assert.Equal(t, lobby, got)

		// A password changed on the Django side (set_password, save) holds on the Go side at
		// the next login, with the Users already in use: nothing is cached.
		t.Run("PasswordChangedByDjango", func(t *testing.T) {
			var changed struct{ Encoded string }
			djangotest.Run(t, d.Env, "setpassword", map[string]string{"model": "auth", "username": "alice",
				"password": "alice-new-password"}, &changed)
			require.NotEqual(t, byName["alice"].Encoded, changed.Encoded)
			_, err := auth.Authenticate(ctx, "alice", "alice-password")
			assert.ErrorIs(t, err, jwtkit.ErrBadCredentials, "the old password")
			u, err := auth.Authenticate(ctx, "alice", "alice-new-password")
			require.NoError(t, err, "the new password")
			// The new hash, for CheckRevokeToken's fingerprint.
			assert.Equal(t, jwtkit.User{ID: jwtkit.IntUserID(1), Active: true, Value: "alice", PasswordHash: changed.Encoded}, u)
		})
	})
}

// TestUsersLastLogin: with UpdateLastLogin, a login sets last_login to the clock's time,
// which Django reads back as that instant; without it, or for an inactive user or a wrong
// password, the column stays as it was.
func TestUsersLastLogin(t *testing.T) {
	djangotest.Need(t)
	djangotest.ForEach(t, func(t *testing.T, d *djangotest.Database) {
		ctx := context.Background()
		var created []djangoUser
		djangotest.Run(t, d.Env, "users", []djangoUser{
			{Model: "auth", Username: "alice", Password: ptr("alice-password")},
			{Model: "auth", Username: "bob", Password: ptr("bob-password"), Active: ptr(false)},
			{Model: "member", Username: "erin@example.com", Password: ptr("erin-password")},
		}, &created)
		lastLogin := func(model, username string) string {
			var out struct {
				LastLogin *string `json:"last_login"`
			}
			djangotest.Run(t, d.Env, "login", map[string]string{"model": model, "username": username}, &out)
			if out.LastLogin == nil {
				return ""
			}
			return *out.LastLogin
		}

		now := time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CEST", 2*3600))
		clock := func() time.Time { return now }
		plain, err := jwtdjango.NewUsers(d.DB, jwtdjango.UsersConfig{Table: d.Table("auth_user"), Clock: clock})
		require.NoError(t, err)
		_, err = plain.Authenticate(ctx, "alice", "alice-password")
		require.NoError(t, err)

		updating, err := jwtdjango.NewUsers(d.DB, jwtdjango.UsersConfig{Table: d.Table("auth_user"), Clock: clock, UpdateLastLogin: true})
		require.NoError(t, err)
		_, err = updating.Authenticate(ctx, "alice", "wrong")
		require.ErrorIs(t, err, jwtkit.ErrBadCredentials)
		_, err = updating.Authenticate(ctx, "bob", "bob-password")
		require.NoError(t, err)
		assert.Empty(t, lastLogin("auth", "alice"))
		assert.Empty(t, lastLogin("auth", "bob"))

		_, err = updating.Authenticate(ctx, "alice", "alice-password")
		require.NoError(t, err)
		assert.Equal(t, "2031-05-06T05:08:09.123456+00:00", lastLogin("auth", "alice"))
		assert.Empty(t, lastLogin("auth", "bob"))

		members, err := jwtdjango.NewUsers(d.DB, jwtdjango.UsersConfig{Table: d.Table("club_members"),
			IDColumn: "member_uuid", IDKind: jwtdjango.IDUUID, UsernameColumn: "email_address",
			PasswordColumn: "pw_hash", ActiveColumn: "enabled", LastLoginColumn: "seen_at",
			UpdateLastLogin: true, Clock: clock})
		require.NoError(t, err)
		_, err = members.Authenticate(ctx, "erin@example.com", "erin-password")
		require.NoError(t, err)
		assert.Equal(t, "2031-05-06T05:08:09.123456+00:00", lastLogin("member", "erin@example.com"))
	})
}

// TestUsersUnknownUsernameCostsAHash: an unknown username is checked against the last hash
// read, so it costs what a wrong password costs; before any, against a PBKDF2 hash of
// Django's cost.
func TestUsersUnknownUsernameCostsAHash(t *testing.T) {
	d := djangotest.SQLite(t)
	ctx := context.Background()
	_, err := d.DB.ExecContext(ctx, `CREATE TABLE auth_user (id integer PRIMARY KEY, username text UNIQUE,
		password text, is_active bool)`)
	require.NoError(t, err)
	// A slow hash (300,000 PBKDF2 rounds of "pw") and a fast one (MD5).
	slow := "pbkdf2_sha256$300000$salt$JdnAIEivVqvjDI72l9d5uyG7Gv6aLwpR343nB9chuUQ="
	fast := "md5$salt$e3e09de35e54460a4a3e0abcaa4a2c76"
	_, err = d.DB.ExecContext(ctx, `INSERT INTO auth_user VALUES (1, 'slow', ?, 1), (2, 'fast', ?, 1)`, slow, fast)
	require.NoError(t, err)
	users, err := jwtdjango.NewUsers(d.DB)
	require.NoError(t, err)

	timed := func(username string) time.Duration {
		start := time.Now()
		_, err := users.Authenticate(ctx, username, "wrong")
		require.ErrorIs(t, err, jwtkit.ErrBadCredentials)
		return time.Since(start)
	}
	wrongSlow := timed("slow")
	unknown := timed("nobody")
	assert.Greater(t, unknown, wrongSlow/2, "an unknown user costs the slow hash just read")
	timed("fast")
	assert.Less(t, timed("nobody"), wrongSlow/2, "and then the fast one")
}

func TestNewUsersConfig(t *testing.T) {
	d := djangotest.SQLite(t)
	_, err := jwtdjango.NewUsers(nil)
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	_, err = jwtdjango.NewUsers(d.DB, jwtdjango.UsersConfig{}, jwtdjango.UsersConfig{})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	for _, c := range []jwtdjango.UsersConfig{
		{Table: "auth_user; DROP TABLE auth_user"},
		{Table: `auth"user`},
		{Table: "a.b.c"},
		{Table: ".auth_user"},
		{Table: "1users"},
		{IDColumn: "id`"},
		{UsernameColumn: "user name"},
		{PasswordColumn: "pässword"},
		{ActiveColumn: "is_active--"},
		{LastLoginColumn: "-"},
		{IDColumn: "-"},
		{Table: "t" + string(make([]byte, 63))},
		{IDKind: "bigint"},
		{Dialect: "oracle"},
	} {
		_, err := jwtdjango.NewUsers(d.DB, c)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "%+v", c)
	}
	for _, c := range []jwtdjango.UsersConfig{
		{}, {Table: "accounts.Users", ActiveColumn: jwtdjango.NoColumn}, {Dialect: sqlstore.Postgres},
	} {
		_, err := jwtdjango.NewUsers(d.DB, c)
		assert.NoError(t, err, "%+v", c)
	}
}

// TestUsersDatabaseDown: an error reading the table is neither bad credentials nor not found,
// so core answers 503 rather than telling the user the password was wrong.
func TestUsersDatabaseDown(t *testing.T) {
	d := djangotest.SQLite(t)
	users, err := jwtdjango.NewUsers(d.DB) // no auth_user table at all
	require.NoError(t, err)
	_, err = users.Authenticate(context.Background(), "alice", "pw")
	require.Error(t, err)
	assert.False(t, errors.Is(err, jwtkit.ErrBadCredentials), err)
	_, err = users.LookupUser(context.Background(), jwtkit.IntUserID(1))
	require.Error(t, err)
	assert.False(t, errors.Is(err, jwtkit.ErrUserNotFound), err)
}
