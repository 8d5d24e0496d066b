// Command client is the gRPC example's client: it logs in over HTTP (POST /api/token/), calls
// jwtkit.example.Account/WhoAmI over gRPC with the access token, logs out over HTTP (POST
// /api/token/blacklist/, which revokes the access token it presents too) and calls WhoAmI
// again, which is now refused. It reads the server's addresses from the same JWTKIT_ADDR and
// JWTKIT_GRPC_ADDR, and prints each answer on stdout; it exits 1 when an answer is not the one
// expected. With the server running:
//
//	go run ./examples/grpc/client
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtkit/jwtkit/examples/internal/demo"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

func run() error {
	s, err := demo.FromEnv()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	api := "http://" + dialable(s.Addr) + "/api"

	var pair struct{ Access, Refresh string }
	if err := postJSON(ctx, api+"/token/", "", map[string]string{"username": "demo", "password": "demo-password"}, &pair); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Println("logged in over HTTP")

	conn, err := grpc.NewClient(dialable(s.GRPCAddr), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	withToken := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+pair.Access)
	me := new(wrapperspb.StringValue)
	if err := conn.Invoke(withToken, "/jwtkit.example.Account/WhoAmI", &emptypb.Empty{}, me); err != nil {
		return fmt.Errorf("WhoAmI: %w", err)
	}
	fmt.Println("WhoAmI:", me.GetValue())

	if err := postJSON(ctx, api+"/token/blacklist/", pair.Access, map[string]string{"refresh": pair.Refresh}, nil); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	fmt.Println("logged out over HTTP")

	err = conn.Invoke(withToken, "/jwtkit.example.Account/WhoAmI", &emptypb.Empty{}, me)
	st := status.Convert(err)
	if st.Code() != codes.Unauthenticated {
		return fmt.Errorf("WhoAmI after logout: %v, want Unauthenticated", err)
	}
	// The ErrorInfo detail carries the contract's code and, for a token, why it was refused.
	reason := ""
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			reason = fmt.Sprintf(" (%s: %s)", info.GetReason(), info.GetMetadata()["message"])
		}
	}
	fmt.Printf("WhoAmI after logout: %s %s%s\n", st.Code(), st.Message(), reason)
	return nil
}

// dialable is addr with a loopback host when it names none (":8000" listens on every
// interface; the client calls this machine).
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// postJSON posts body as JSON, with bearer as the access token when set, and decodes a 200
// answer into out (when not nil).
func postJSON(ctx context.Context, url, bearer string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status + " " + string(answer))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer, out)
}
