package bridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/session"
)

// Status codes: the values of polygram_status in include/polygram.h
// (TestStatusesMatchTheHeader keeps them equal).
const (
	statusOK              = 0
	statusInvalidArgument = 1
	statusDecode          = 2
	statusInternal        = 3
	statusBadHandle       = 4
	statusClosed          = 5
	statusUnknownMethod   = 6
	statusTimeout         = 7
	statusCancelled       = 8
	statusRPC             = 9
	statusFloodWait       = 10
	statusUnauthorized    = 11
	statusPasswordNeeded  = 12
	statusSignUpRequired  = 13
	statusPeerNotFound    = 14
	statusNetwork         = 15
	statusNotFound        = 16
	statusWrongMode       = 17
	statusSession         = 18
	statusFailed          = 19
)

// statusNames are the names polygram_status_name returns and error maps
// carry in "name" for the library's own errors.
var statusNames = [...]string{
	"OK", "INVALID_ARGUMENT", "DECODE", "INTERNAL", "BAD_HANDLE", "CLOSED", "UNKNOWN_METHOD", "TIMEOUT",
	"CANCELLED", "RPC", "FLOOD_WAIT", "UNAUTHORIZED", "PASSWORD_NEEDED", "SIGN_UP_REQUIRED", "PEER_NOT_FOUND",
	"NETWORK", "NOT_FOUND", "WRONG_MODE", "SESSION", "FAILED",
}

func statusName(s int) string {
	if s < 0 || s >= len(statusNames) {
		return "UNKNOWN"
	}
	return statusNames[s]
}

// Error is an error as the C API reports it: a status and the fields of
// the error map.
type Error struct {
	status  int
	code    int    // Telegram's code for RPC errors, else status
	name    string // Telegram's name (FLOOD_WAIT_X) or statusName(status)
	message string
	seconds int // > 0: a wait the error asks for
	dc      int // > 0: the DC a migration names
	method  string
}

func (e *Error) Error() string { return e.message }

// errorf makes a library error with a status.
func errorf(status int, format string, args ...any) *Error {
	return &Error{status: status, code: status, name: statusName(status), message: fmt.Sprintf(format, args...)}
}

// encode returns the msgpack error map.
func (e *Error) encode() []byte {
	n := 4
	if e.seconds > 0 {
		n++
	}
	if e.dc > 0 {
		n++
	}
	if e.method != "" {
		n++
	}
	b := make(mp, 0, 64+len(e.message))
	b = b.mapHeader(n).str("status").int(int64(e.status)).str("code").int(int64(e.code)).
		str("name").str(e.name).str("message").str(e.message)
	if e.seconds > 0 {
		b = b.str("seconds").int(int64(e.seconds))
	}
	if e.dc > 0 {
		b = b.str("dc").int(int64(e.dc))
	}
	if e.method != "" {
		b = b.str("method").str(e.method)
	}
	return b
}

// Causes given to request contexts, so the error event says why a request
// ended.
var (
	errCancelled    = errors.New("the request was cancelled")
	errClientClosed = errors.New("the client was closed")
)

// toAPIError classifies any error a request can end with. ctx is the
// request's context (its cause tells cancellation from close), or nil.
func toAPIError(ctx context.Context, err error) *Error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	if ctx != nil && ctx.Err() != nil {
		switch cause := context.Cause(ctx); {
		case errors.Is(cause, errCancelled):
			return errorf(statusCancelled, "the request was cancelled")
		case errors.Is(cause, errClientClosed):
			return errorf(statusClosed, "the client was closed before the request completed")
		case errors.Is(cause, context.DeadlineExceeded):
			return errorf(statusTimeout, "the request timed out")
		}
	}
	var fw *core.FloodWaitError
	if errors.As(err, &fw) {
		e := rpcError(fw.RPCError, statusFloodWait)
		e.message = fmt.Sprintf("%v (more than flood_sleep_threshold: wait %d s and retry)", fw.RPCError, fw.Number)
		return e
	}
	switch {
	case errors.Is(err, core.ErrUnauthorized):
		e := errorf(statusUnauthorized, "%v: log in (send_code and sign_in, sign_in_bot, or qr_login)", err)
		if re, ok := core.AsRPCError(err); ok {
			e.code, e.name, e.method = int(re.Code), re.Name, re.Method
		}
		return e
	case errors.Is(err, core.ErrPasswordNeeded):
		return errorf(statusPasswordNeeded, "the account has a 2FA password: call check_password")
	case errors.Is(err, core.ErrSignUpRequired):
		return errorf(statusSignUpRequired, "the phone number has no account: call sign_up with a first name")
	case errors.Is(err, core.ErrPeerNotFound):
		return errorf(statusPeerNotFound, "%s", strings.TrimPrefix(err.Error(), "core: "))
	case errors.Is(err, core.ErrClosed):
		return errorf(statusClosed, "the client was closed")
	case errors.Is(err, context.Canceled):
		return errorf(statusCancelled, "the request was cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return errorf(statusTimeout, "%v", err)
	}
	if re, ok := core.AsRPCError(err); ok {
		return rpcError(re, statusRPC)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, conn.ErrClosed) || errors.Is(err, conn.ErrAuthKeyNotFound) {
		return errorf(statusNetwork, "%v", err)
	}
	if isSessionError(err) {
		return errorf(statusSession, "%v", err)
	}
	return errorf(statusFailed, "%v", err)
}

func isSessionError(err error) bool {
	for _, s := range []error{session.ErrClosed, session.ErrInvalid, session.ErrInUse, session.ErrUnknownFormat,
		session.ErrSchemaTooNew, session.ErrBadString, session.ErrNoAuthKey} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func rpcError(re *core.RPCError, status int) *Error {
	e := &Error{status: status, code: int(re.Code), name: re.Name, message: re.Error(), method: re.Method}
	if re.Number >= 0 {
		switch {
		case strings.Contains(re.Name, "MIGRATE"):
			e.dc = re.Number
		case strings.Contains(re.Name, "WAIT") || strings.Contains(re.Name, "DELAY"):
			e.seconds = re.Number
		}
	}
	return e
}
