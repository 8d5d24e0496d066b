package djangotest

import (
	"net/url"

	"github.com/go-sql-driver/mysql"
)

// pgConn is what Django's settings need of a PostgreSQL URL.
type pgConn struct{ host, port, user, database string }

func pgxConfig(dsn string) (pgConn, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return pgConn{}, err
	}
	return pgConn{host: u.Hostname(), port: u.Port(), user: u.User.Username(), database: u.Path[1:]}, nil
}

func mysqlConfig(dsn string) (*mysql.Config, error) { return mysql.ParseDSN(dsn) }
