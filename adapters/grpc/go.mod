module github.com/jwtkit/jwtkit/adapters/grpc

go 1.26.0

require (
	github.com/jwtkit/jwtkit/adapters/adaptertest v0.1.0
	github.com/jwtkit/jwtkit/core v0.1.0
	github.com/jwtkit/jwtkit/stores/memory v0.1.0
	github.com/stretchr/testify v1.12.1
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260817212433-ac3dfec99bb1
	google.golang.org/grpc v1.85.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
)
