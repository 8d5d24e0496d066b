package jwtgrpc_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	jwtgrpc "github.com/jwtkit/jwtkit/adapters/grpc"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

var secret = []byte("jwtgrpc-tests-secret-0123456789-abcdefgh")

// users are the application's accounts: demo (1, active), inactive (2), other (3, active, the
// one whose tokens are revoked everywhere).
type users struct{}

func (users) Authenticate(context.Context, string, string) (jwtkit.User, error) {
	return jwtkit.User{}, jwtkit.ErrBadCredentials
}

func (users) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	switch n, _ := id.Int(); n {
	case 1:
		return jwtkit.User{ID: id, Active: true, Value: "demo"}, nil
	case 2:
		return jwtkit.User{ID: id, Active: false, Value: "inactive"}, nil
	case 3:
		return jwtkit.User{ID: id, Active: true, Value: "other"}, nil
	}
	return jwtkit.User{}, jwtkit.ErrUserNotFound
}

// outage is the memory store whose revocation check fails while down is set, as an
// unreachable server's would.
type outage struct {
	*memstore.Store
	down atomic.Bool
}

func (o *outage) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if o.down.Load() {
		return false, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	}
	return o.Store.Revoked(ctx, ref)
}

func newAuth(t testing.TB, store jwtkit.Store, clock func() time.Time) *jwtkit.Auth {
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, secret, "")
	require.NoError(t, err)
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users{}, Clock: clock, Audit: jwtkit.NoAudit})
	require.NoError(t, err)
	return auth
}

func newStore(t testing.TB) *outage {
	mem, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = mem.Close() })
	return &outage{Store: mem}
}

func pair(t testing.TB, auth *jwtkit.Auth, user int64) jwtkit.Pair {
	p, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(user), nil)
	require.NoError(t, err)
	return p
}

// refusal is the expected end of a refused call: the contract's detail as the message and,
// when the contract's body has a code, the ErrorInfo that carries it.
type refusal struct {
	code    codes.Code
	message string
	reason  string // ErrorInfo.Reason; "" expects no ErrorInfo
	token   string // ErrorInfo.Metadata["message"]
}

const givenToken = "Given token not valid for any token type"

var (
	notProvided = &refusal{code: codes.Unauthenticated, message: "Authentication credentials were not provided."}
	badHeader   = &refusal{codes.Unauthenticated, "Authorization header must contain two space-delimited values", "bad_authorization_header", ""}
	invalid     = &refusal{codes.Unauthenticated, givenToken, "token_not_valid", "Token is invalid or expired"}
	wrongType   = &refusal{codes.Unauthenticated, givenToken, "token_not_valid", "Token has wrong type"}
	blacklisted = &refusal{codes.Unauthenticated, givenToken, "token_not_valid", "Token is blacklisted"}
	inactive    = &refusal{codes.Unauthenticated, "User is inactive", "user_inactive", ""}
	notFound    = &refusal{codes.Unauthenticated, "User not found", "user_not_found", ""}
	unavailable = &refusal{codes.Unavailable, "Service temporarily unavailable, try again later.", "store_unavailable", ""}
)

// checkRefusal checks err against want, and that the status holds nothing of the token.
func checkRefusal(t *testing.T, err error, want *refusal, token string) {
	t.Helper()
	st, ok := status.FromError(err)
	require.True(t, ok, "not a status: %v", err)
	assert.Equal(t, want.code, st.Code())
	assert.Equal(t, want.message, st.Message())
	var infos []*errdetails.ErrorInfo
	for _, d := range st.Details() {
		info, ok := d.(*errdetails.ErrorInfo)
		require.True(t, ok, "detail %T", d)
		infos = append(infos, info)
	}
	if want.reason == "" {
		assert.Empty(t, infos)
	} else if assert.Len(t, infos, 1) {
		assert.Equal(t, want.reason, infos[0].GetReason())
		assert.Equal(t, jwtgrpc.Domain, infos[0].GetDomain())
		assert.Equal(t, want.token, infos[0].GetMetadata()["message"])
	}
	for _, part := range strings.Split(token, ".") {
		if len(part) >= 8 {
			assert.NotContains(t, err.Error(), part, "the status echoes the token")
		}
	}
}

// TestConformance is the protected-route rows of the HTTP contract as gRPC calls over a real
// loopback connection, on each kind of method: a required one (unary and streaming) and an
// optional one, which differs only in letting a call with no credentials through.
func TestConformance(t *testing.T) {
	store := newStore(t)
	auth := newAuth(t, store, nil)
	conn := serve(t, auth, jwtgrpc.Config{})
	ctx := context.Background()

	good := pair(t, auth, 1)
	expired := pair(t, newAuth(t, store, func() time.Time { return time.Now().Add(-2 * time.Hour) }), 1)
	revoked := pair(t, auth, 1)
	tok, err := auth.Validate(ctx, revoked.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	require.NoError(t, store.Revoke(ctx, tok.ID, tok.ExpiresAt))
	everywhere := pair(t, auth, 3)
	require.NoError(t, auth.RevokeUser(ctx, jwtkit.IntUserID(3)))
	forged := good.Access[:len(good.Access)-4] + "AAAA"
	require.NotEqual(t, good.Access, forged)

	const demo = `{"user_id":1,"username":"demo"}`
	rows := []struct {
		name   string
		values []string // the authorization values, one metadata entry each
		want   *refusal // nil: the call passes as demo
		down   bool     // the store cannot answer
	}{
		{name: "valid", values: []string{"Bearer " + good.Access}},
		{name: "missing", want: notProvided},
		{name: "other scheme", values: []string{"Basic ZGVtbzpkZW1vLXBhc3N3b3Jk"}, want: notProvided},
		{name: "Bearer alone", values: []string{"Bearer"}, want: badHeader},
		{name: "three parts", values: []string{"Bearer " + good.Access + " extra"}, want: badHeader},
		{name: "two values", values: []string{"Bearer " + good.Access, "Bearer " + good.Access}, want: badHeader},
		{name: "expired", values: []string{"Bearer " + expired.Access}, want: invalid},
		{name: "forged signature", values: []string{"Bearer " + forged}, want: invalid},
		{name: "wrong type", values: []string{"Bearer " + good.Refresh}, want: wrongType},
		{name: "revoked jti", values: []string{"Bearer " + revoked.Access}, want: blacklisted},
		{name: "revoked everywhere", values: []string{"Bearer " + everywhere.Access}, want: blacklisted},
		{name: "inactive user", values: []string{"Bearer " + pair(t, auth, 2).Access}, want: inactive},
		{name: "unknown user", values: []string{"Bearer " + pair(t, auth, 404).Access}, want: notFound},
		{name: "store down", values: []string{"Bearer " + good.Access}, want: unavailable, down: true},
	}
	for _, r := range rows {
		for _, method := range []string{methodMe, methodMeStream, methodOptional, methodOptionalStream} {
			t.Run(r.name+method, func(t *testing.T) {
				md := metadata.MD{}
				for _, v := range r.values {
					md.Append("authorization", v)
				}
				store.down.Store(r.down)
				defer store.down.Store(false)
				got, err := call(metadata.NewOutgoingContext(ctx, md), conn, method)
				optional := method == methodOptional || method == methodOptionalStream
				switch {
				case r.want == nil:
					require.NoError(t, err)
					assert.Equal(t, demo, string(got))
				case optional && r.want == notProvided:
					require.NoError(t, err, "an optional method lets a call without credentials through")
					assert.Equal(t, `{"user_id":null}`, string(got))
				default:
					checkRefusal(t, err, r.want, strings.Join(r.values, " "))
				}
			})
		}
	}
	t.Run("public method", func(t *testing.T) {
		got, err := call(ctx, conn, methodHealth)
		require.NoError(t, err)
		assert.Equal(t, `{"user_id":null}`, string(got))
	})
	t.Run("store back", func(t *testing.T) {
		got, err := call(metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+good.Access), conn, methodMe)
		require.NoError(t, err)
		assert.Equal(t, demo, string(got))
	})
}

// TestConfig covers Skip, ErrorHandler, Sources and the typed readers.
func TestConfig(t *testing.T) {
	auth := newAuth(t, newStore(t), nil)
	p, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), map[string]string{"tenant": "acme"})
	require.NoError(t, err)
	var seen error
	ic := jwtgrpc.UnaryServerInterceptor(auth, jwtgrpc.Config{
		Skip: jwtgrpc.SkipMethods("/svc/Open"),
		ErrorHandler: func(_ context.Context, method string, err error, resp jwtkit.Response) error {
			seen = err
			if method == "/svc/Lenient" {
				return nil // cannot let the call through
			}
			return status.Error(codes.PermissionDenied, "custom "+jwtgrpc.Status(resp).Message())
		},
		Sources: []jwtkit.TokenSource{jwtkit.FromHeader("X-Access"), jwtkit.FromCookie("access_token")},
	})
	type claims struct {
		Tenant string `json:"tenant"`
	}
	handler := func(ctx context.Context, _ any) (any, error) {
		id, ok := jwtgrpc.FromContext(ctx)
		if !ok {
			return "anonymous", nil
		}
		c, err := jwtgrpc.Claims[claims](ctx)
		if err != nil {
			return nil, err
		}
		return id.User.ID.String() + " " + c.Tenant, nil
	}
	run := func(method string, kv ...string) (any, error) {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs(kv...))
		return ic(ctx, nil, &grpc.UnaryServerInfo{FullMethod: method}, handler)
	}

	got, err := run("/svc/Open")
	require.NoError(t, err)
	assert.Equal(t, "anonymous", got, "Skip lets the method through without a token")

	got, err = run("/svc/Closed", "x-access", "Bearer "+p.Access)
	require.NoError(t, err)
	assert.Equal(t, "1 acme", got, "the identity and its claims reach the handler")

	_, err = run("/svc/Closed", "authorization", "Bearer "+p.Access, "cookie", "access_token="+p.Access)
	assert.Equal(t, codes.PermissionDenied, status.Code(err), "only the configured header is read, never a cookie")
	assert.Equal(t, "custom Authentication credentials were not provided.", status.Convert(err).Message())
	assert.ErrorIs(t, seen, jwtkit.ErrNoCredentials)

	_, err = run("/svc/Lenient", "x-access", "Bearer "+p.Refresh)
	checkRefusal(t, err, wrongType, p.Refresh)
	assert.ErrorIs(t, seen, jwtkit.ErrWrongType)

	_, err = jwtgrpc.Claims[claims](context.Background())
	assert.ErrorIs(t, err, jwtkit.ErrNoCredentials)
}
