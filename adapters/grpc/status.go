package jwtgrpc

import (
	"encoding/json"
	"net/http"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Domain is the ErrorInfo domain of the statuses Status builds.
const Domain = "jwtkit"

// Status is the gRPC status of a protected route's answer (jwtkit.Auth.ErrorResponse): a 503
// is codes.Unavailable, a 401 codes.Unauthenticated, and any other answer fails closed as
// codes.Unauthenticated too. The message is the body's "detail". When the body has a "code"
// (token_not_valid, store_unavailable, ...), a google.rpc.ErrorInfo detail carries it as its
// Reason, with Domain, and the token-specific message ("Token is blacklisted") as the
// metadata "message" when the body lists one, so a client can switch on the contract's code.
func Status(resp jwtkit.Response) *status.Status {
	var body struct {
		Detail   string `json:"detail"`
		Code     string `json:"code"`
		Messages []struct {
			Message string `json:"message"`
		} `json:"messages"`
	}
	// The bodies are core's own JSON; one that does not decode still refuses the call.
	_ = json.Unmarshal(resp.Body, &body)
	code := codes.Unauthenticated
	if resp.Status == http.StatusServiceUnavailable {
		code = codes.Unavailable
	}
	st := status.New(code, body.Detail)
	if body.Code == "" {
		return st
	}
	info := &errdetails.ErrorInfo{Reason: body.Code, Domain: Domain}
	if len(body.Messages) > 0 {
		info.Metadata = map[string]string{"message": body.Messages[0].Message}
	}
	if withInfo, err := st.WithDetails(info); err == nil {
		return withInfo
	}
	return st
}
