package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// RotateOnce is RevokeOnce that, when it wins, also records answer for jti until graceUntil,
// in one transaction with the revocation: the jti's row in <prefix>blacklisted_tokens and its
// answer in <prefix>rotation_answers are committed together or not at all. A concurrent
// caller's insert of the same jti waits for that transaction (PostgreSQL and MySQL lock the
// new row until commit; SQLite has one writer at a time), so a loser asking RotatedAnswer
// right after losing finds the answer. A call with an expiry already past records nothing and
// does not win; a winning call whose graceUntil is not after the store's clock records no
// answer (and removes one an earlier rotation of the jti may have left).
//
// graceUntil is kept to the nanosecond, so RotatedAnswer closes the window exactly; the
// answer's row is purged once the whole second after graceUntil has passed.
func (s *Store) RotateOnce(ctx context.Context, jti string, expires time.Time, answer []byte, graceUntil time.Time) (won bool, err error) {
	if err := check(ctx, "jti", jti); err != nil {
		return false, err
	}
	clock := s.clock()
	exp, now := expirySeconds(expires), clock.Unix()
	if exp <= now {
		return false, nil
	}
	if answer == nil {
		answer = []byte{} // the column is NOT NULL
	}
	keep := graceUntil.After(clock)
	q := &s.q
	uses := []stmt{q.revokeOnce, q.answerPut, q.answerDelete}
	if s.dialect == MySQL {
		uses = append(uses, q.jtiExpiry, q.revokeOnceTakeOver)
	}
	err = s.inTx(ctx, "rotate once", uses, func(tx *sql.Tx) error {
		var err error
		if won, err = s.claim(ctx, tx, jti, exp, now); err != nil || !won {
			return err
		}
		if keep {
			_, err = s.txExec(ctx, tx, s.q.answerPut, jti, answer, unixNano(graceUntil), expirySeconds(graceUntil))
		} else {
			_, err = s.txExec(ctx, tx, s.q.answerDelete, jti)
		}
		return err
	})
	if err != nil {
		return false, err
	}
	return won, nil
}

// claim is RevokeOnce inside tx. On MySQL a loser's INSERT IGNORE holds a shared lock on the
// row until tx ends, so it first reads the row without locking and gives up at once when the
// row is live, rather than asking for the exclusive lock of the take-over, for which losers
// holding shared locks would deadlock each other. Only an expired row is taken over.
func (s *Store) claim(ctx context.Context, tx *sql.Tx, jti string, exp, now int64) (bool, error) {
	n, err := s.txExec(ctx, tx, s.q.revokeOnce, jti, exp, now)
	if err != nil || n == 1 || s.dialect != MySQL {
		return err == nil && n == 1, err
	}
	var expiresAt int64
	found, err := s.queryOne(ctx, tx, s.q.jtiExpiry, []any{jti}, &expiresAt)
	if err != nil || (found && expiresAt > now) {
		return false, err
	}
	if n, err = s.txExec(ctx, tx, s.q.revokeOnceTakeOver, jti, exp, now); err != nil || n == 1 {
		return err == nil, err
	}
	n, err = s.txExec(ctx, tx, s.q.revokeOnce, jti, exp, now)
	return err == nil && n == 1, err
}

// RotatedAnswer returns the answer recorded for jti while its graceUntil is after now, and nil
// otherwise, in one query.
func (s *Store) RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var answer []byte
	st := s.q.answerGet
	found, err := s.queryOne(ctx, nil, st, st.args([]any{jti, unixNano(now)}), &answer)
	switch {
	case err != nil:
		return nil, fail(ctx, "rotated answer", err)
	case !found:
		return nil, nil
	case answer == nil:
		return []byte{}, nil // an empty answer was recorded: not the same as none
	}
	return answer, nil
}
