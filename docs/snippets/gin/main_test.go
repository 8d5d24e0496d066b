package main

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/jwtkit/jwtkit/docs/internal/walkthrough"
)

func TestGettingStarted(t *testing.T) {
	// A fresh process starts in Gin's debug mode, which prints a line for every route; the
	// program switches to release mode and serves without printing anything.
	gin.SetMode(gin.DebugMode)
	var out bytes.Buffer
	stdout, stderr := gin.DefaultWriter, gin.DefaultErrorWriter
	gin.DefaultWriter, gin.DefaultErrorWriter = &out, &out
	defer func() { gin.DefaultWriter, gin.DefaultErrorWriter = stdout, stderr }()

	router, err := newRouter()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = newServer(router) // the program's own limits, on the test's loopback listener
	walkthrough.CheckServer(t, srv.Config)
	srv.Start()
	defer srv.Close()
	walkthrough.Run(t, srv.URL)
	if out.Len() > 0 {
		t.Errorf("Gin printed:\n%s", out.String())
	}
}
