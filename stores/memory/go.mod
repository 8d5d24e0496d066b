module github.com/jwtkit/jwtkit/stores/memory

go 1.26

require github.com/jwtkit/jwtkit/core v0.0.0

replace github.com/jwtkit/jwtkit/core => ../../core
