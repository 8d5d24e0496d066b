package sqlstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRolledBack(t *testing.T) {
	for name, c := range map[string]struct {
		err  error
		want bool
	}{
		"postgres deadlock":      {&pgconn.PgError{Code: "40P01"}, true},
		"postgres serialization": {&pgconn.PgError{Code: "40001"}, true},
		"postgres unique":        {&pgconn.PgError{Code: "23505"}, false},
		"mysql deadlock":         {&mysql.MySQLError{Number: 1213, SQLState: [5]byte{'4', '0', '0', '0', '1'}}, true},
		"mysql lock wait":        {&mysql.MySQLError{Number: 1205, SQLState: [5]byte{'H', 'Y', '0', '0', '0'}}, false},
		"wrapped":                {fmt.Errorf("exec: %w", &pgconn.PgError{Code: "40P01"}), true},
		"plain":                  {errors.New("40001"), false},
		"nil":                    {nil, false},
	} {
		assert.Equal(t, c.want, rolledBack(c.err), name)
	}
}

func TestBind(t *testing.T) {
	text := "SELECT $2, $1, $2"
	assert.Equal(t, stmt{text: text}, bind(Postgres, text))
	assert.Equal(t, stmt{text: "SELECT ?2, ?1, ?2"}, bind(SQLite, text))
	my := bind(MySQL, text)
	assert.Equal(t, "SELECT ?, ?, ?", my.text)
	assert.Equal(t, []any{"b", "a", "b"}, my.args([]any{"a", "b"}))
	assert.Nil(t, bind(MySQL, "VALUES ($1, $2)").order, "parameters in order need no reordering")
}

func TestMigrationsParse(t *testing.T) {
	for _, d := range []Dialect{Postgres, MySQL, SQLite} {
		ms, err := loadMigrations(d)
		require.NoError(t, err, d)
		require.NotEmpty(t, ms, d)
		for _, m := range ms {
			for _, st := range m.statements {
				assert.NotContains(t, st, "--", "%s %d: comments are stripped", d, m.version)
				assert.Contains(t, st, "{prefix}", "%s %d: every statement names a prefixed table", d, m.version)
			}
		}
	}
	_, err := loadMigrations("oracle")
	assert.Error(t, err)
}
