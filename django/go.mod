module github.com/jwtkit/jwtkit/django

go 1.26.0

require (
	github.com/go-sql-driver/mysql v1.10.1
	github.com/jackc/pgx/v5 v5.12.0
	github.com/jwtkit/jwtkit/core v0.1.0
	github.com/jwtkit/jwtkit/stores/sql v0.1.0
	github.com/jwtkit/jwtkit/stores/storetest v0.1.0
	github.com/stretchr/testify v1.12.1
	modernc.org/sqlite v1.61.1
)
