package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtkit/jwtkit/docs/internal/walkthrough"
)

func TestGettingStarted(t *testing.T) {
	handler, rpc, err := newServers()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = newServer(handler) // the program's own limits, on the test's loopback listener
	walkthrough.CheckServer(t, srv.Config)
	srv.Start()
	defer srv.Close()
	walkthrough.RunTokenEndpoints(t, srv.URL)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- rpc.Serve(ln) }()
	defer func() {
		rpc.Stop()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	health := healthpb.NewHealthClient(conn)
	if resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("Check without a token: %v %v, want SERVING", resp, err)
	}
	watch, err := health.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := watch.Recv(); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("Watch without a token: %v %v, want SERVING", resp, err)
	}
	if _, err := health.List(ctx, &healthpb.HealthListRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("List without a token: %v, want Unauthenticated", err)
	}

	whoAmI := func(access string) (string, *status.Status) {
		t.Helper()
		// snippet:gettingstarted-grpc-client
		ctx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+access)
		me := new(wrapperspb.StringValue)
		err := conn.Invoke(ctx, "/jwtkit.example.Account/WhoAmI", &emptypb.Empty{}, me)
		// endsnippet
		return me.GetValue(), status.Convert(err)
	}
	refused := func(name string, st *status.Status, message, reason, why string) {
		t.Helper()
		var info *errdetails.ErrorInfo
		for _, d := range st.Details() {
			if i, ok := d.(*errdetails.ErrorInfo); ok {
				info = i
			}
		}
		if st.Code() != codes.Unauthenticated || st.Message() != message || info.GetReason() != reason || info.GetMetadata()["message"] != why {
			t.Errorf("%s: %s %q %v, want Unauthenticated %q (%s: %s)", name, st.Code(), st.Message(), info, message, reason, why)
		}
	}

	err = conn.Invoke(ctx, "/jwtkit.example.Account/WhoAmI", &emptypb.Empty{}, new(wrapperspb.StringValue))
	refused("WhoAmI without a token", status.Convert(err), "Authentication credentials were not provided.", "", "")
	pair := login(t, srv.URL)
	if name, st := whoAmI(pair["access"]); st.Code() != codes.OK || name != "demo" {
		t.Errorf("WhoAmI: %q %v, want demo", name, st.Err())
	}
	_, st := whoAmI(pair["refresh"])
	refused("WhoAmI with the refresh token", st, "Given token not valid for any token type", "token_not_valid", "Token has wrong type")
	logout(t, srv.URL, pair)
	_, st = whoAmI(pair["access"])
	refused("WhoAmI after logout over HTTP", st, "Given token not valid for any token type", "token_not_valid", "Token is blacklisted")

	// The limits: a request message over 64 KiB, and a header block over 16 KiB.
	big := &healthpb.HealthCheckRequest{Service: strings.Repeat("x", 100<<10)}
	if _, err := health.Check(ctx, big); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("a 100 KiB message: %v, want ResourceExhausted", err)
	}
	padded := metadata.AppendToOutgoingContext(ctx, "x-padding", strings.Repeat("x", 32<<10))
	if _, err := health.Check(padded, &healthpb.HealthCheckRequest{}); status.Code(err) == codes.OK {
		t.Error("a 32 KiB header block was served")
	}
}

// login obtains a token pair over HTTP, as a client of the program does before its gRPC calls.
func login(t *testing.T, base string) map[string]string {
	t.Helper()
	resp, err := http.PostForm(base+"/api/token/", url.Values{"username": {"demo"}, "password": {"demo-password"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var pair map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&pair); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %s %v", resp.Status, err)
	}
	return pair
}

// logout blacklists the refresh token, presenting the access token, which is revoked with it.
func logout(t *testing.T, base string, pair map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/token/blacklist/", strings.NewReader(url.Values{"refresh": {pair["refresh"]}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+pair["access"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logout: %s", resp.Status)
	}
}
