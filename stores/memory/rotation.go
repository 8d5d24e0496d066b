package memstore

import (
	"bytes"
	"context"
	"strings"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

var _ jwtkit.RotationStore = (*Store)(nil)

// rotation is the answer a winning RotateOnce recorded for a jti, handed out until graceUntil.
type rotation struct {
	graceUntil time.Time
	answer     []byte
}

// RotateOnce is RevokeOnce that, when it wins, also records a copy of answer for jti until
// graceUntil, under the same shard lock as the revocation: a caller that loses waits for that
// lock, so the answer is there by the time it can ask RotatedAnswer. A call with an expiry
// already past records nothing and does not win; a winning call whose graceUntil is not after
// the store's clock records no answer.
//
// Answers do not count towards Config.MaxEntries: each lives only for its grace window and is
// removed by the next purge after it.
func (s *Store) RotateOnce(ctx context.Context, jti string, expires time.Time, answer []byte, graceUntil time.Time) (won bool, err error) {
	if err := jwtkit.CheckKey(ctx, "jti", jti); err != nil {
		return false, err
	}
	exp, now := expirySeconds(expires), s.now()
	sh := s.shardFor(jti)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if key, ok := parseHexJTI(jti); ok {
		won, err = put(&s.table, sh, sh.hexJTIs, key, exp, now, true, nil)
	} else {
		won, err = put(&s.table, sh, sh.jtis, jti, exp, now, true, strings.Clone)
	}
	if !won || err != nil {
		return false, err
	}
	if graceUntil.After(s.clock()) {
		sh.answers[strings.Clone(jti)] = rotation{graceUntil: graceUntil, answer: bytes.Clone(answer)}
	} else {
		// An answer left by an earlier rotation of the same jti must not stand for this one.
		delete(sh.answers, jti)
	}
	return true, nil
}

// RotatedAnswer returns a copy of the answer recorded for jti while its graceUntil is after
// now, and nil otherwise.
func (s *Store) RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sh := s.shardFor(jti)
	sh.mu.RLock()
	r, ok := sh.answers[jti]
	var answer []byte
	if ok && r.graceUntil.After(now) {
		// Copied under the lock, so the caller owns what it gets whatever happens next.
		answer = bytes.Clone(r.answer)
	}
	sh.mu.RUnlock()
	return answer, nil
}

// purgeAnswers deletes the shard's answers whose window has closed by now; the caller holds
// sh.mu for writing.
func (sh *shard) purgeAnswers(now time.Time) int {
	n := 0
	for jti, r := range sh.answers {
		if !r.graceUntil.After(now) {
			delete(sh.answers, jti)
			n++
		}
	}
	return n
}
