// snippet:gettingstarted-grpc

// Command grpc serves the token endpoints at http://127.0.0.1:8000/api/token/... and, on
// 127.0.0.1:50051, gRPC's health service (Check and Watch public) and a protected
// jwtkit.example.Account/WhoAmI, both behind one Auth.
package main

import (
	"context"
	"log"
	"net"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	jwtgrpc "github.com/jwtkit/jwtkit/adapters/grpc"
	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func main() {
	handler, rpc, err := newServers()
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:50051")
	if err != nil {
		log.Fatal(err)
	}
	go func() { log.Fatal(rpc.Serve(ln)) }()
	log.Println("listening on http://127.0.0.1:8000 and grpc://127.0.0.1:50051")
	log.Fatal(newServer(handler).ListenAndServe())
}

// newServer bounds what one client can hold: without these limits a client that sends its
// request slowly, or not at all, keeps a connection and a file descriptor for as long as it
// likes (http.ListenAndServe sets none of them).
func newServer(handler http.Handler) *http.Server {
	return &http.Server{
		Addr:              "127.0.0.1:8000",
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,  // a header sent a byte at a time
		ReadTimeout:       10 * time.Second, // header and body
		WriteTimeout:      15 * time.Second, // the answer
		IdleTimeout:       60 * time.Second, // a kept-alive connection between requests
		MaxHeaderBytes:    16 << 10,         // room for a token and cookies; the default is 1 MiB
	}
}

// newServers returns the HTTP handler of the token endpoints and the gRPC server, sharing one
// Auth: a token issued over HTTP is accepted over gRPC, and a logout refuses it there at once.
func newServers() (http.Handler, *grpc.Server, error) {
	key, err := signingKey()
	if err != nil {
		return nil, nil, err
	}
	store, err := memstore.New() // one process, forgotten on restart: see docs/stores.md
	if err != nil {
		return nil, nil, err
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users{}})
	if err != nil {
		return nil, nil, err
	}

	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth) // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/

	// Probes carry no token; every other method, List of the health service included, needs one.
	public := jwtgrpc.Config{Skip: jwtgrpc.SkipMethods(healthpb.Health_Check_FullMethodName, healthpb.Health_Watch_FullMethodName)}
	rpc := grpc.NewServer(
		grpc.UnaryInterceptor(jwtgrpc.UnaryServerInterceptor(auth, public)),
		grpc.StreamInterceptor(jwtgrpc.StreamServerInterceptor(auth, public)),
		// gRPC's defaults are as open as net/http's: bound the handshake, idle connections,
		// the header block (room for a token) and a request message.
		grpc.ConnectionTimeout(5*time.Second),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 60 * time.Second}),
		grpc.MaxHeaderListSize(16<<10),
		grpc.MaxRecvMsgSize(64<<10),
	)
	healthpb.RegisterHealthServer(rpc, health.NewServer())
	rpc.RegisterService(&accountService, nil)
	return jwthttp.ExactPaths(mux), rpc, nil // exact paths: /api//token/ is a 404, not a redirect
}

// whoAmI is a protected method: the interceptor has put the caller in its context.
func whoAmI(ctx context.Context, _ any) (any, error) {
	id, _ := jwtgrpc.FromContext(ctx) // always there behind the interceptor
	name, _ := id.User.Value.(string)
	return wrapperspb.String(name), nil
}

// accountService is what protoc generates for `service Account { rpc WhoAmI(Empty) returns
// (StringValue); }` in package jwtkit.example, written out so this program needs no generated
// code: register your own services as usual.
var accountService = grpc.ServiceDesc{
	ServiceName: "jwtkit.example.Account",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "WhoAmI",
		Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			in := new(emptypb.Empty)
			if err := dec(in); err != nil {
				return nil, err
			}
			return ic(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/jwtkit.example.Account/WhoAmI"}, whoAmI)
		},
	}},
}

// endsnippet
