// Command grpc is jwtkit's gRPC example: one process, one Auth, two servers. The HTTP server
// (net/http) serves the simplejwt-compatible token endpoints under /api/token/ and a public GET
// /api/health; the gRPC server serves jwtkit.example.Account/WhoAmI behind the interceptor,
// which accepts the access tokens the HTTP endpoints issue and sees their revocations at once.
// It is configured by JWTKIT_* variables (see examples/README.md), JWTKIT_GRPC_ADDR for the
// gRPC address. From the repository root, the server and then the client:
//
//	go run ./examples/grpc
//	go run ./examples/grpc/client
package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	jwtgrpc "github.com/jwtkit/jwtkit/adapters/grpc"
	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/jwtkit/jwtkit/examples/internal/demo"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func main() { os.Exit(run()) }

func run() int {
	slog.SetDefault(demo.Logger("grpc"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Every setting comes from JWTKIT_* variables (examples/README.md lists them).
	s, err := demo.FromEnv()
	if err != nil {
		return demo.CannotStart(err)
	}
	key, err := s.Key()
	if err != nil {
		return demo.CannotStart(err)
	}
	store, err := storeopen.Open(ctx, s.Store)
	if err != nil {
		return demo.CannotStart(err)
	}
	defer func() { _ = store.Close() }()
	// Your users: the demo accounts, or the Django database's with JWTKIT_USERS=django.
	users, err := s.OpenUsers(store)
	if err != nil {
		return demo.CannotStart(err)
	}
	// One Auth for both servers: a token issued over HTTP is accepted over gRPC, and a logout
	// over HTTP refuses it over gRPC from the next call on.
	auth, err := jwtkit.New(s.Apply(jwtkit.Config{SigningKey: key, Store: store.Store, Users: users}))
	if err != nil {
		return demo.CannotStart(err)
	}

	mux := http.NewServeMux()
	jwthttp.Mount(mux, jwtkit.DefaultPrefix, auth) // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", demo.JSON)
		_, _ = w.Write(demo.Health)
	})
	srv := &http.Server{
		Handler:           jwthttp.ExactPaths(mux), // /api//token/ is a 404, not a redirect
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}

	rpc := grpc.NewServer(
		grpc.UnaryInterceptor(jwtgrpc.UnaryServerInterceptor(auth)),
		grpc.StreamInterceptor(jwtgrpc.StreamServerInterceptor(auth)),
		// The same bounds as the HTTP server's: a connection that never finishes its handshake,
		// sits idle, or sends a header block larger than a token needs is not kept.
		grpc.ConnectionTimeout(5*time.Second),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 60 * time.Second}),
		grpc.MaxHeaderListSize(16<<10),
		grpc.MaxRecvMsgSize(64<<10),
	)
	rpc.RegisterService(&accountService, struct{}{})
	// Listened on before the ready line, so that the line means both servers accept calls.
	ln, err := net.Listen("tcp", s.GRPCAddr)
	if err != nil {
		slog.Error("cannot listen", "addr", s.GRPCAddr, "err", err)
		return 1
	}
	go func() { _ = rpc.Serve(ln) }()
	slog.SetDefault(slog.Default().With("grpc_addr", ln.Addr().String()))

	return demo.Serve(ctx, s.Addr, store.Kind, srv.Serve, func(ctx context.Context) error {
		stopGRPC(ctx, rpc)
		return srv.Shutdown(ctx)
	})
}

// stopGRPC lets the calls in flight finish, for as long as ctx lives, then ends the rest.
func stopGRPC(ctx context.Context, rpc *grpc.Server) {
	done := make(chan struct{})
	go func() { rpc.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		rpc.Stop()
		<-done
	}
}

// accountService is jwtkit.example.Account, written by hand so that the example needs no
// generated code: WhoAmI takes an Empty and answers, as a StringValue, the JSON GET /api/me
// answers on the other examples, {"user_id":1,"username":"demo"}.
var accountService = grpc.ServiceDesc{
	ServiceName: "jwtkit.example.Account",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "WhoAmI",
		Handler: func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			if err := dec(new(emptypb.Empty)); err != nil {
				return nil, err
			}
			whoAmI := func(ctx context.Context, _ any) (any, error) {
				id, _ := jwtgrpc.FromContext(ctx) // always there behind the interceptor
				return wrapperspb.String(string(demo.Me(id))), nil
			}
			if ic == nil { // a server built without interceptors
				return whoAmI(ctx, nil)
			}
			return ic(ctx, nil, &grpc.UnaryServerInfo{FullMethod: "/jwtkit.example.Account/WhoAmI"}, whoAmI)
		},
	}},
}
