module github.com/jwtkit/jwtkit/adapters/nethttp

go 1.26

require github.com/jwtkit/jwtkit/core v0.0.0

replace github.com/jwtkit/jwtkit/core => ../../core
