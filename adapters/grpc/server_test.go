package jwtgrpc_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwtgrpc "github.com/jwtkit/jwtkit/adapters/grpc"
	jwtkit "github.com/jwtkit/jwtkit/core"
)

// The test service, written by hand so that no generated code is needed: every method takes
// an Empty and answers adaptertest.Me of the caller as a BytesValue, the body GET /api/me
// answers on the HTTP adapters. Me and MeStream are protected, Optional and OptionalStream
// accept anonymous calls, Health is public.
const service = "jwtkit.test.Probe"

const (
	methodMe             = "/" + service + "/Me"
	methodOptional       = "/" + service + "/Optional"
	methodHealth         = "/" + service + "/Health"
	methodMeStream       = "/" + service + "/MeStream"
	methodOptionalStream = "/" + service + "/OptionalStream"
)

func me(ctx context.Context) *wrapperspb.BytesValue {
	id, _ := jwtgrpc.FromContext(ctx)
	return wrapperspb.Bytes(adaptertest.Me(id))
}

func unaryMethod(name string) grpc.MethodDesc {
	return grpc.MethodDesc{MethodName: name, Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
		in := new(emptypb.Empty)
		if err := dec(in); err != nil {
			return nil, err
		}
		h := func(ctx context.Context, _ any) (any, error) { return me(ctx), nil }
		if ic == nil {
			return h(ctx, in)
		}
		return ic(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + service + "/" + name}, h)
	}}
}

func streamMethod(name string) grpc.StreamDesc {
	return grpc.StreamDesc{StreamName: name, ServerStreams: true, Handler: func(_ any, ss grpc.ServerStream) error {
		if err := ss.RecvMsg(new(emptypb.Empty)); err != nil {
			return err
		}
		return ss.SendMsg(me(ss.Context()))
	}}
}

var probeDesc = grpc.ServiceDesc{
	ServiceName: service,
	HandlerType: (*any)(nil),
	Methods:     []grpc.MethodDesc{unaryMethod("Me"), unaryMethod("Optional"), unaryMethod("Health")},
	Streams:     []grpc.StreamDesc{streamMethod("MeStream"), streamMethod("OptionalStream")},
}

// interceptors are the server's options: the required interceptors skip the optional and
// public methods, the optional ones act on the optional methods only.
func interceptors(auth *jwtkit.Auth, cfg jwtgrpc.Config) []grpc.ServerOption {
	required, optional := cfg, cfg
	required.Skip = jwtgrpc.SkipMethods(methodOptional, methodOptionalStream, methodHealth)
	optional.Skip = func(_ context.Context, m string) bool { return m != methodOptional && m != methodOptionalStream }
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(jwtgrpc.UnaryServerInterceptor(auth, required), jwtgrpc.OptionalUnaryServerInterceptor(auth, optional)),
		grpc.ChainStreamInterceptor(jwtgrpc.StreamServerInterceptor(auth, required), jwtgrpc.OptionalStreamServerInterceptor(auth, optional)),
	}
}

// serve starts the test service with the interceptors on a loopback port and returns a client
// connection to it; both stop in t.Cleanup.
func serve(t testing.TB, auth *jwtkit.Auth, cfg jwtgrpc.Config) *grpc.ClientConn {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer(interceptors(auth, cfg)...)
	srv.RegisterService(&probeDesc, struct{}{})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// call invokes a unary method or reads the one answer of a streaming one, and returns the
// answer's bytes or the call's error.
func call(ctx context.Context, conn *grpc.ClientConn, method string) ([]byte, error) {
	out := new(wrapperspb.BytesValue)
	if method != methodMeStream && method != methodOptionalStream {
		err := conn.Invoke(ctx, method, &emptypb.Empty{}, out)
		return out.GetValue(), err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, method)
	if err != nil {
		return nil, err
	}
	// io.EOF says the server already ended the stream: RecvMsg then returns its status.
	if err := st.SendMsg(&emptypb.Empty{}); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := st.CloseSend(); err != nil {
		return nil, err
	}
	err = st.RecvMsg(out)
	return out.GetValue(), err
}
