package jwtgrpc_test

import (
	"context"
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	jwtgrpc "github.com/jwtkit/jwtkit/adapters/grpc"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// whoAmI is a one-method service written without generated code: demo.Account/WhoAmI takes an
// Empty and answers the caller's user id as a StringValue.
var whoAmI = grpc.ServiceDesc{
	ServiceName: "demo.Account",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{MethodName: "WhoAmI", Handler: func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
		if err := dec(new(emptypb.Empty)); err != nil {
			return nil, err
		}
		return ic(ctx, nil, &grpc.UnaryServerInfo{FullMethod: "/demo.Account/WhoAmI"}, func(ctx context.Context, _ any) (any, error) {
			id, _ := jwtgrpc.FromContext(ctx) // always there behind the interceptor
			return wrapperspb.String(id.User.ID.String()), nil
		})
	}}},
}

// Example protects a gRPC service with the interceptor, calls it with an access token and
// without one.
func Example() {
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	defer store.Close()
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("replace-me-with-32-or-more-random-bytes!"), "")
	if err != nil {
		panic(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Stateless: true})
	if err != nil {
		panic(err)
	}

	srv := grpc.NewServer(grpc.UnaryInterceptor(jwtgrpc.UnaryServerInterceptor(auth)))
	srv.RegisterService(&whoAmI, struct{}{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()

	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	defer conn.Close()

	// Over HTTP the pair comes from POST /api/token/; here it is issued directly.
	pair, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	if err != nil {
		panic(err)
	}
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+pair.Access)
	out := new(wrapperspb.StringValue)
	err = conn.Invoke(ctx, "/demo.Account/WhoAmI", &emptypb.Empty{}, out)
	fmt.Println(out.GetValue(), err)

	err = conn.Invoke(context.Background(), "/demo.Account/WhoAmI", &emptypb.Empty{}, out)
	fmt.Println(status.Code(err), status.Convert(err).Message())
	// Output:
	// 1 <nil>
	// Unauthenticated Authentication credentials were not provided.
}
