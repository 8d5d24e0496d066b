module github.com/jwtkit/jwtkit/adapters/echov5

go 1.26

require (
	github.com/jwtkit/jwtkit/adapters/adaptertest v0.1.0
	github.com/jwtkit/jwtkit/core v0.1.0
	github.com/jwtkit/jwtkit/stores/memory v0.1.0
	github.com/labstack/echo/v5 v5.4.6
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
