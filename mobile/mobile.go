// Package mobile is Polygram for Android and iOS apps, bound with gomobile
// (`gomobile bind ./mobile`, see docs/mobile.md).
//
// It is the C API's contract in the types gomobile can bind: requests,
// results and events are the same msgpack (and raw TL) bytes, errors carry
// the same error maps, and the work is done by the same code (capi/bridge),
// so what docs/capi.md says of configurations, friendly calls, events and
// emulator commands holds here word for word. Only the transport differs:
// events reach a Listener the app implements instead of a C callback.
//
// Every exported name uses only int64, string, []byte, bool, error,
// pointers to this package's structs and the Listener interface; `make
// test-mobile` generates the Java and Objective-C bindings and compiles the
// Java, so a type gomobile cannot bind fails the build.
package mobile

import (
	"path/filepath"

	"github.com/polygram/polygram/capi/bridge"
	"github.com/polygram/polygram/tl/api"
)

// Event kinds: the first argument of Listener.OnEvent.
const (
	// KindResult ends a request successfully; the payload is its result
	// (TL for SendRaw, msgpack for SendObject and SendCall).
	KindResult = "result"
	// KindError ends a request with an error; the payload is the msgpack
	// error map {status, code, name, message, seconds?, dc?, method?}.
	KindError = "error"
	// KindUpdate is an update (new_message, message_edited, ...).
	KindUpdate = "update"
	// KindAuthState is a change of the authorization state.
	KindAuthState = "auth_state"
	// KindConnectionState is a change of the connection state; the
	// client's last event is connection_state "closed".
	KindConnectionState = "connection_state"
	// KindLog is a log record at or above the configured level.
	KindLog = "log"
	// KindDropped counts updates and log records dropped because the app
	// fell behind (event_queue_size).
	KindDropped = "dropped"
)

var kindNames = map[int]string{
	bridge.EventResult: KindResult, bridge.EventError: KindError, bridge.EventUpdate: KindUpdate,
	bridge.EventAuthState: KindAuthState, bridge.EventConnectionState: KindConnectionState,
	bridge.EventLog: KindLog, bridge.EventDropped: KindDropped,
}

// Listener receives a client's events; the app implements it.
//
// OnEvent is called on a thread of the library, one event at a time and in
// order (an Android app posts to its main looper, an iOS app to the main
// queue, before touching its UI). requestID is the id Send* returned for
// result and error events and 0 for the others; payload is msgpack except
// the result of SendRaw, which is TL. The listener may call the client
// back, Close included.
type Listener interface {
	OnEvent(kind string, requestID int64, payload []byte)
}

// Client is one Telegram client, made by NewClient. Its methods may be
// called from any thread.
type Client struct {
	c *bridge.Client
}

// NewClient creates a client from a msgpack configuration (the map
// docs/capi.md describes; the emulator's client_config command returns
// one). sessionPath is the file the session is kept in, normally in the
// app's files directory (Android Context.getFilesDir(), iOS Application
// Support); empty leaves the choice to the configuration's "session" key
// (memory when it has none). Giving both is an error. Events go to
// listener, which is required.
func NewClient(config []byte, sessionPath string, listener Listener) (_ *Client, err error) {
	defer guard(&err)
	if listener == nil {
		return nil, toError(bridge.Errorf(bridge.StatusInvalidArgument, "a listener is required: events are delivered to it"))
	}
	if sessionPath != "" {
		if !filepath.IsAbs(sessionPath) {
			return nil, toError(bridge.Errorf(bridge.StatusInvalidArgument,
				"session path %q is not absolute: give a file in the app's files directory", sessionPath))
		}
		var e *bridge.Error
		if config, e = bridge.WithSession(config, sessionPath); e != nil {
			return nil, toError(e)
		}
	}
	deliver := func(_ uint64, ev *bridge.Event) {
		listener.OnEvent(kindNames[ev.Type()], int64(ev.RequestID()), ev.Data())
	}
	c, e := bridge.NewClient(config, deliver)
	if e != nil {
		return nil, toError(e)
	}
	return &Client{c: c}, nil
}

// SendRaw sends a boxed TL function call and returns the request's id at
// once; a result event carries the TL result. Malformed requests fail
// here, before anything is sent.
func (c *Client) SendRaw(request []byte) (int64, error) {
	return c.send(bridge.EncodingTL, request)
}

// SendObject sends a TL function call given as a msgpack map
// {"_": "help.getConfig", ...}; the result event carries msgpack.
func (c *Client) SendObject(request []byte) (int64, error) {
	return c.send(bridge.EncodingMsgpack, request)
}

// SendCall sends a friendly call {"method": name, "args": {...}} (for
// example send_message or sign_in_bot); the result event carries a msgpack
// map.
func (c *Client) SendCall(call []byte) (int64, error) {
	return c.send(bridge.EncodingCall, call)
}

func (c *Client) send(enc int, data []byte) (_ int64, err error) {
	defer guard(&err)
	if c.c == nil {
		return 0, errNoClient()
	}
	id, e := c.c.Send(enc, data)
	if e != nil {
		return 0, toError(e)
	}
	return int64(id), nil
}

// Cancel ends a pending request: its error event says CANCELLED. An id
// that is not pending (finished, cancelled, never sent) is a NOT_FOUND
// error.
func (c *Client) Cancel(requestID int64) (err error) {
	defer guard(&err)
	if c.c == nil {
		return errNoClient()
	}
	if requestID <= 0 {
		return toError(bridge.Errorf(bridge.StatusNotFound, "request id %d was never issued", requestID))
	}
	return toError(c.c.Cancel(uint64(requestID)))
}

// SetLogLevel sets the lowest level of the log events delivered: one of
// LogDebug, LogInfo, LogWarn, LogError, LogOff.
func (c *Client) SetLogLevel(level int64) (err error) {
	defer guard(&err)
	if c.c == nil {
		return errNoClient()
	}
	if level < bridge.LogDebug || level > bridge.LogOff {
		return toError(bridge.Errorf(bridge.StatusInvalidArgument, "log level %d is none of LogDebug (0) to LogOff (4)", level))
	}
	return toError(c.c.SetLogLevel(int(level)))
}

// Close shuts the client down: pending requests end with CLOSED errors,
// the session is saved and closed, and the last event is connection_state
// "closed". Called from outside the listener it returns after that event
// was delivered; from inside, at once. Closing twice does nothing.
func (c *Client) Close() {
	if c.c != nil {
		defer guard(new(error))
		c.c.Close()
	}
}

// Log levels for SetLogLevel and the "log_level" configuration key.
const (
	LogDebug = bridge.LogDebug
	LogInfo  = bridge.LogInfo
	LogWarn  = bridge.LogWarn
	LogError = bridge.LogError
	LogOff   = bridge.LogOff
)

// Emulator is an in-process Telegram emulator on loopback, for an app's
// tests: users, bots, chats and messages behind real MTProto. Get one from
// StartEmulator (the bindings' no-argument constructor makes one that
// answers every call with an error).
type Emulator struct {
	e *bridge.Emulator
}

// StartEmulator starts an emulator; config is an optional msgpack map
// {"dcs": n, "snapshot": path} (empty: three DCs, nothing saved).
func StartEmulator(config []byte) (_ *Emulator, err error) {
	defer guard(&err)
	e, ae := bridge.StartEmulator(config)
	if ae != nil {
		return nil, toError(ae)
	}
	return &Emulator{e: e}, nil
}

// Call runs an emulator command {"method": name, "args": {...}} (info,
// client_config, create_user, create_bot, login_code, send_message,
// history, the fault injections, ...) and returns its msgpack answer.
func (e *Emulator) Call(command []byte) (_ []byte, err error) {
	defer guard(&err)
	if e.e == nil {
		return nil, toError(bridge.Errorf(bridge.StatusInvalidArgument, "this emulator was never started: get one from StartEmulator"))
	}
	res, ae := e.e.Call(command)
	if ae != nil {
		return nil, toError(ae)
	}
	return res, nil
}

// Stop shuts the emulator down; stopping twice does nothing.
func (e *Emulator) Stop() {
	if e.e != nil {
		defer guard(new(error))
		e.e.Stop()
	}
}

// Layer is the Telegram API layer the library speaks.
func Layer() int64 { return api.Layer }

// TLToMsgpack converts a boxed TL object of the API schema (a result of
// SendRaw, say) to its msgpack map.
func TLToMsgpack(tl []byte) (_ []byte, err error) {
	defer guard(&err)
	out, e := bridge.TLToMsgpack(tl)
	if e != nil {
		return nil, toError(e)
	}
	return out, nil
}

// MsgpackToTL converts a msgpack map {"_": name, ...} to boxed TL bytes.
func MsgpackToTL(msgpack []byte) (_ []byte, err error) {
	defer guard(&err)
	out, e := bridge.MsgpackToTL(msgpack)
	if e != nil {
		return nil, toError(e)
	}
	return out, nil
}

// statusError is the error every function of this package returns. Its
// text, "NAME: message" (CLOSED: client 5 is closed), is what gomobile
// hands the app: a Java exception's message, an NSError's description. The
// full error map comes with error events; Go callers reach the status with
// errors.As and a *bridge.Error.
type statusError struct{ e *bridge.Error }

func (s *statusError) Error() string { return bridge.StatusName(s.e.Status()) + ": " + s.e.Error() }

func (s *statusError) Unwrap() error { return s.e }

// guard turns a panic into an INTERNAL error: a Go panic would end the
// app's process, so none may cross into Java or Swift.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = toError(bridge.Errorf(bridge.StatusInternal, "internal fault: %v", r))
	}
}

// errNoClient answers a Client made without NewClient (gomobile lets Java
// and Swift construct any exported struct).
func errNoClient() error {
	return toError(bridge.Errorf(bridge.StatusInvalidArgument, "this client was not made by NewClient"))
}

// toError converts a bridge error (nil stays a nil error, never a typed
// nil).
func toError(e *bridge.Error) error {
	if e == nil {
		return nil
	}
	return &statusError{e: e}
}
