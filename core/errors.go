package core

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/tl/rpcerr"
)

// RPCError is an error Telegram returned for a call.
type RPCError struct {
	// Code is the error code (400, 401, 403, 420, 500, …; negative for
	// internal timeouts).
	Code int32
	// Message is the error as sent, e.g. "FLOOD_WAIT_42".
	Message string
	// Name is the message with its number replaced by X, e.g.
	// "FLOOD_WAIT_X" (compare with the rpcerr constants).
	Name string
	// Number is the number the message carries (seconds, DC id), or -1.
	Number int
	// Method is the schema name of the function that failed.
	Method string
}

func (e *RPCError) Error() string {
	desc := ""
	if info, _, ok := rpcerr.Match(e.Message); ok && info.Description != "" {
		desc = ": " + strings.ReplaceAll(info.Description, "{seconds}", fmt.Sprint(e.Number))
	}
	if e.Method != "" {
		return fmt.Sprintf("%s: rpc error %d %s%s", e.Method, e.Code, e.Message, desc)
	}
	return fmt.Sprintf("rpc error %d %s%s", e.Code, e.Message, desc)
}

// Is matches another *RPCError by Name (or by Message when the target has
// no Name), so errors.Is(err, &RPCError{Name: rpcerr.ErrFloodWait}) works.
func (e *RPCError) Is(target error) bool {
	t, ok := target.(*RPCError)
	if !ok {
		return false
	}
	if t.Name != "" {
		return t.Name == e.Name
	}
	return t.Message == e.Message
}

func newRPCError(method string, ce *conn.RPCError) *RPCError {
	name, n, _ := rpcerr.Split(ce.Message)
	return &RPCError{Code: ce.Code, Message: ce.Message, Name: name, Number: n, Method: method}
}

// FloodWaitError is returned when Telegram asks to wait longer than the
// flood-sleep threshold.
type FloodWaitError struct {
	*RPCError
	Wait time.Duration
}

func (e *FloodWaitError) Unwrap() error { return e.RPCError }

// Typed errors for conditions a caller handles.
var (
	// ErrUnauthorized: the session is not logged in (AUTH_KEY_UNREGISTERED
	// and similar), or was logged out elsewhere (SESSION_REVOKED).
	ErrUnauthorized = errors.New("core: not authorized")
	// ErrAuthKeyDuplicated: the same session is used from two places at once.
	ErrAuthKeyDuplicated = errors.New("core: AUTH_KEY_DUPLICATED: this session is in use elsewhere and was invalidated; log in again")
	// ErrPasswordNeeded: the account has 2FA; call CheckPassword.
	ErrPasswordNeeded = errors.New("core: SESSION_PASSWORD_NEEDED: the account has a 2FA password")
	// ErrSignUpRequired: the phone number has no account; call SignUp.
	ErrSignUpRequired = errors.New("core: the phone number is not registered; sign up")
	// ErrClosed: the client was closed.
	ErrClosed = errors.New("core: client closed")
)

// unauthorizedNames are 401 errors that mean "log in again".
var unauthorizedNames = map[string]bool{
	rpcerr.ErrAuthKeyUnregistered: true, rpcerr.ErrSessionRevoked: true, rpcerr.ErrSessionExpired: true,
	rpcerr.ErrUserDeactivated: true, rpcerr.ErrUserDeactivatedBan: true, rpcerr.ErrAuthKeyInvalid: true,
}

// AsRPCError returns the *RPCError inside err, if any.
func AsRPCError(err error) (*RPCError, bool) {
	var e *RPCError
	ok := errors.As(err, &e)
	return e, ok
}
