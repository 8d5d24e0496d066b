package jwtkit

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5" //nolint:gosec // simplejwt's password fingerprint, kept for token compatibility; not a security boundary
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Refresh-token families and reuse detection (Config.ReuseDetection, ReuseGrace), and the
// password fingerprint of Config.CheckRevokeToken. docs/design.md explains the protocol.

// claimRotation revokes the rotated refresh token atomically, so exactly one presentation of
// it wins. With a grace window the winner's answer is recorded in the same step, sealed so
// that only a holder of the rotated token can open it.
func (a *Auth) claimRotation(ctx context.Context, raw string, tok *Token, next Pair) (bool, error) {
	if a.cfg.ReuseGrace <= 0 {
		sctx, cancel := a.storeCtx(ctx)
		defer cancel()
		return a.cfg.Store.RevokeOnce(sctx, tok.ID, tok.ExpiresAt)
	}
	sealed, err := sealAnswer(raw, tok.ID, next)
	if err != nil {
		return false, err
	}
	graceUntil := a.now().Add(a.cfg.ReuseGrace)
	sctx, cancel := a.storeCtx(ctx)
	defer cancel()
	return a.cfg.Store.(RotationStore).RotateOnce(sctx, tok.ID, tok.ExpiresAt, sealed, graceUntil)
}

// replayed answers a refresh token that validated but is revoked. Within the grace window
// after its own rotation it gets that rotation's answer again; otherwise, if its own jti is
// revoked (rotated or logged out) it is a replay and its family is revoked. A token dead only
// by its family or its user's cutoff is simply ErrBlacklisted.
func (a *Auth) replayed(ctx context.Context, raw string, tok *Token) (Pair, error) {
	own, err := a.ownRevoked(ctx, tok)
	if err != nil || !own {
		return Pair{}, err
	}
	if a.cfg.ReuseGrace > 0 {
		r, ok, err := a.graceAnswer(ctx, raw, tok)
		if err != nil {
			return Pair{}, err
		}
		if ok {
			a.audit(ctx, AuditEvent{Kind: AuditRefreshed, UserID: tok.UserID, TokenID: tok.ID, Family: tok.Family, Grace: true})
			return r, nil
		}
	}
	return Pair{}, a.revokeFamily(ctx, tok)
}

// detectReuse revokes tok's family when tok's own jti is revoked, and answers ErrBlacklisted
// (or the store's failure).
func (a *Auth) detectReuse(ctx context.Context, tok *Token) error {
	own, err := a.ownRevoked(ctx, tok)
	if err != nil || !own {
		return err
	}
	return a.revokeFamily(ctx, tok)
}

// ownRevoked tells a token revoked by its own jti from one revoked by its family or user,
// which the store's one Revoked answer does not. It is ErrBlacklisted's path only, so the
// second store call costs nothing on the hot path. A non-nil error is ErrStoreUnavailable; when
// own is false the error is ErrBlacklisted.
func (a *Auth) ownRevoked(ctx context.Context, tok *Token) (own bool, err error) {
	sctx, cancel := a.storeCtx(ctx)
	own, err = a.cfg.Store.Revoked(sctx, TokenRef{JTI: tok.ID})
	cancel()
	switch {
	case err != nil:
		return false, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	case !own:
		return false, ErrBlacklisted
	}
	return true, nil
}

// revokeFamily ends every token of tok's login: reuse was detected. Two replicas detecting
// the same reuse both get here; RevokeFamily is idempotent.
func (a *Auth) revokeFamily(ctx context.Context, tok *Token) error {
	if tok.Family != "" {
		// Every token of the family expires within the longest lifetime from now.
		sctx, cancel := a.storeCtx(ctx)
		err := a.cfg.Store.RevokeFamily(sctx, tok.Family, a.now().Add(a.maxRevoked))
		cancel()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
		}
	}
	a.audit(ctx, AuditEvent{Kind: AuditReuseDetected, UserID: tok.UserID, TokenID: tok.ID, Family: tok.Family})
	return ErrBlacklisted
}

// graceAnswer returns the answer recorded by tok's rotation while its grace window is open
// and the family still stands (the new refresh token is still valid: neither rotated on nor
// revoked since).
func (a *Auth) graceAnswer(ctx context.Context, raw string, tok *Token) (Pair, bool, error) {
	sctx, cancel := a.storeCtx(ctx)
	sealed, err := a.cfg.Store.(RotationStore).RotatedAnswer(sctx, tok.ID, a.now())
	cancel()
	if err != nil {
		return Pair{}, false, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	if sealed == nil {
		return Pair{}, false, nil
	}
	r, err := openAnswer(raw, tok.ID, sealed)
	if err != nil {
		return Pair{}, false, nil //nolint:nilerr // an answer we cannot open is no answer: the replay is reuse
	}
	if _, err := a.validate(ctx, r.Refresh, TypeRefresh); err != nil {
		if errors.Is(err, ErrStoreUnavailable) {
			return Pair{}, false, err
		}
		return Pair{}, false, nil
	}
	return r, true, nil
}

// answerKey derives the sealing key of a rotation's answer from the rotated token's decoded
// signature: only someone holding that token can open what the store keeps, and every spelling
// of the token decodes to the same signature.
func answerKey(raw string) ([]byte, error) {
	sig, err := strictBase64.DecodeString(raw[strings.LastIndexByte(raw, '.')+1:])
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write([]byte("jwtkit reuse-grace answer v1\x00"))
	h.Write(sig)
	return h.Sum(nil), nil
}

func answerAEAD(raw string) (cipher.AEAD, error) {
	key, err := answerKey(raw)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealAnswer encrypts the pair with AES-256-GCM, binding it to the rotated jti.
func sealAnswer(raw, jti string, r Pair) ([]byte, error) {
	aead, err := answerAEAD(raw)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(r.Access)+len(r.Refresh)+1+aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	return aead.Seal(nonce, nonce, []byte(r.Access+"\n"+r.Refresh), []byte(jti)), nil
}

func openAnswer(raw, jti string, sealed []byte) (Pair, error) {
	aead, err := answerAEAD(raw)
	if err != nil {
		return Pair{}, err
	}
	if len(sealed) < aead.NonceSize() {
		return Pair{}, errors.New("sealed answer too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(jti))
	if err != nil {
		return Pair{}, err
	}
	access, refresh, ok := bytes.Cut(plain, []byte("\n"))
	if !ok {
		return Pair{}, errors.New("sealed answer is not a pair")
	}
	return Pair{Access: string(access), Refresh: string(refresh)}, nil
}

// passwordFingerprint is simplejwt's REVOKE_TOKEN_CLAIM value: the upper-case hex MD5 of the
// stored password hash, so tokens issued by a Django deployment keep working after a
// migration. The hash it is taken of is already salted and slow; the fingerprint only tells
// whether it changed.
func passwordFingerprint(u User) string {
	sum := md5.Sum([]byte(u.PasswordHash)) //nolint:gosec // see above
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// checkFingerprint refuses a token issued before the user's password changed.
func (a *Auth) checkFingerprint(tok *Token, u User) error {
	if !a.cfg.CheckRevokeToken {
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(tok.pwHash), []byte(passwordFingerprint(u))) != 1 {
		return ErrPasswordChanged
	}
	return nil
}
