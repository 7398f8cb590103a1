// Package bridge is the code behind Polygram's C API and its mobile facade:
// client handles and their event queues, request preparation (raw TL, TL as
// msgpack, friendly calls), the client configuration, error maps, the
// emulator controls and the schema export. capi (the cgo exports of
// libpolygram.so) and mobile (the gomobile facade) are thin layers over it,
// so both speak exactly the same msgpack shapes.
//
// Friendly methods live in a table other files of this package extend with
// register (see methods.go).
package bridge

import "github.com/polygram/polygram/tl/tlpack"

// ABIVersion must equal POLYGRAM_ABI_VERSION in include/polygram.h.
const ABIVersion = 1

// Statuses the layers above name (the full list is in errors.go; the values
// are polygram_status).
const (
	StatusOK              = statusOK
	StatusInvalidArgument = statusInvalidArgument
	StatusDecode          = statusDecode
	StatusInternal        = statusInternal
	StatusClosed          = statusClosed
	StatusTimeout         = statusTimeout
	StatusCancelled       = statusCancelled
	StatusNotFound        = statusNotFound
	StatusFailed          = statusFailed
)

// Event types (polygram_event_type).
const (
	EventResult          = evResult
	EventError           = evError
	EventUpdate          = evUpdate
	EventAuthState       = evAuth
	EventConnectionState = evConn
	EventLog             = evLog
	EventDropped         = evDropped
)

// Encodings of requests and results (polygram_encoding).
const (
	EncodingTL      = encTL
	EncodingMsgpack = encMsgpack
	EncodingCall    = encCall
)

// Log levels (polygram_log_level).
const (
	LogDebug = logDebug
	LogInfo  = logInfo
	LogWarn  = logWarn
	LogError = logError
	LogOff   = logOff
)

// StatusNames are the names of the statuses, indexed by status.
func StatusNames() []string { return statusNames[:] }

// StatusName is the name of a status ("UNKNOWN" for none).
func StatusName(s int) string { return statusName(s) }

// Errorf makes a library error with a status.
func Errorf(status int, format string, args ...any) *Error { return errorf(status, format, args...) }

// Status is the error's polygram_status.
func (e *Error) Status() int { return e.status }

// Encode is the msgpack error map {status, code, name, message, ...}.
func (e *Error) Encode() []byte { return e.encode() }

// Type is the event's polygram_event_type.
func (e *Event) Type() int { return e.typ }

// Status is the status of an ERROR event (0 for the others).
func (e *Event) Status() int { return e.status }

// RequestID is the request a RESULT or ERROR event ends (0 for the others).
func (e *Event) RequestID() uint64 { return e.reqID }

// Encoding is the encoding of the event's data.
func (e *Event) Encoding() int { return e.enc }

// Data is the event's payload: TL or msgpack, as Encoding says.
func (e *Event) Data() []byte { return e.data }

// Handle is the client's handle (never reused).
func (c *Client) Handle() uint64 { return c.h }

// SetLogLevel sets the lowest level of the LOG events the client emits.
func (c *Client) SetLogLevel(level int) *Error {
	if level < logDebug || level > logOff {
		return errorf(statusInvalidArgument, "log level %d is none of debug (0) to off (4)", level)
	}
	c.logLevel.Store(int32(level))
	return nil
}

// Handle is the emulator's handle (never reused).
func (e *Emulator) Handle() uint64 { return e.h }

// TLToMsgpack converts a boxed TL object of the API schema to its msgpack
// map.
func TLToMsgpack(b []byte) ([]byte, *Error) {
	out, err := tlpack.API().ObjectToMsgpack(nil, b)
	if err != nil {
		return nil, errorf(statusDecode, "%v", err)
	}
	return out, nil
}

// MsgpackToTL converts a msgpack map {"_": name, ...} to the boxed TL
// object.
func MsgpackToTL(b []byte) ([]byte, *Error) {
	out, err := tlpack.API().ObjectFromMsgpack(nil, b)
	if err != nil {
		return nil, errorf(statusDecode, "%v", err)
	}
	return out, nil
}

// WithSession returns the client configuration with its session kept in
// the file at path (the mobile facade's session path). A configuration that
// names a session itself is refused: the two would contradict each other.
func WithSession(config []byte, path string) ([]byte, *Error) {
	v, err := decodeMsgpack(config)
	if err != nil {
		return nil, errorf(statusDecode, "config: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(statusInvalidArgument, "config: must be a msgpack map, got %s", typeName(v))
	}
	if _, has := m["session"]; has {
		return nil, errorf(statusInvalidArgument, "config: it has a \"session\" key and a session path was given too: give one of them")
	}
	m["session"] = path
	return mp(nil).any(m), nil
}
