// Command grpc uses the gRPC adapter as a user of github.com/jwtkit/jwtkit/adapters/grpc would:
// it protects gRPC's health service with the interceptor on a loopback port, and checks that a
// call with an access token passes and a call without one is refused as Unauthenticated.
package main

import (
	"context"
	"fmt"
	"log"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	jwtgrpc "github.com/jwtkit/jwtkit/adapters/grpc"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func main() {
	key, err := jwtkit.GenerateKey(jwtkit.ES256, "")
	if err != nil {
		log.Fatal(err)
	}
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Stateless: true})
	if err != nil {
		log.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := grpc.NewServer(grpc.UnaryInterceptor(jwtgrpc.UnaryServerInterceptor(auth)))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()

	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)

	ctx := context.Background()
	if _, err := client.Check(ctx, &healthpb.HealthCheckRequest{}); status.Code(err) != codes.Unauthenticated {
		log.Fatalf("a call without a token: %v, want Unauthenticated", err)
	}
	pair, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.Check(metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+pair.Access), &healthpb.HealthCheckRequest{})
	if err != nil {
		log.Fatalf("a call with an access token: %v", err)
	}
	fmt.Println("grpc:", resp.GetStatus())
}
