package sqlstore

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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

// TestStatementParameters checks the written-out statements against each other: SQLite's are
// PostgreSQL's with ?N parameters (but for Purge and the table lookup), and MySQL's '?'s take
// the arguments PostgreSQL's $Ns take, as often, so a parameter changed in one dialect and not
// the others fails here rather than against a database.
func TestStatementParameters(t *testing.T) {
	pg, my, lite := buildQueries(Postgres, "p_"), buildQueries(MySQL, "p_"), buildQueries(SQLite, "p_")
	all := func(q *queries) []*stmt {
		return append(q.requestStatements(), &q.versionTable, &q.versionGet, &q.versionInsert, &q.exists)
	}
	numbered := regexp.MustCompile(`[$?](\d+)`)
	refs := func(text string) []int {
		var out []int
		for _, m := range numbered.FindAllStringSubmatch(text, -1) {
			n, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			out = append(out, n-1)
		}
		return out
	}
	differs := map[*stmt]bool{&pg.revokeOnce: true, &pg.revokeOnceTakeOver: true, &pg.exists: true}
	for i := range pg.purge {
		differs[&pg.purge[i]] = true
	}
	pgs, mys, lites := all(&pg), all(&my), all(&lite)
	require.Len(t, mys, len(pgs))
	for i, p := range pgs {
		m, l := mys[i], lites[i]
		assert.NotContains(t, p.text, "?", p.text)
		assert.NotContains(t, l.text, "$", l.text)
		assert.Equal(t, refs(p.text), refs(l.text), l.text)
		myOrder := m.order
		if myOrder == nil {
			for n := range strings.Count(m.text, "?") {
				myOrder = append(myOrder, n)
			}
		}
		assert.Equal(t, strings.Count(m.text, "?"), len(myOrder), m.text)
		assert.NotRegexp(t, numbered, m.text)
		if !differs[p] {
			// MySQL's assignments may come in another order (see revoke), never with
			// other arguments.
			assert.ElementsMatch(t, refs(p.text), myOrder, m.text)
		}
	}
	assert.Equal(t, []any{"jti", "now", "family", "now"},
		my.revoked[lookJTI|lookFamily].args([]any{"now", "jti", "family"}), "order reorders and repeats the arguments")
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
