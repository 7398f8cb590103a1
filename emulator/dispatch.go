package emulator

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/polygram/polygram/mtproto/engine"
	"github.com/polygram/polygram/mtproto/server"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// rpcError is an RPC error answered to a call.
type rpcError struct {
	Code int32
	Msg  string
}

func (e *rpcError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Msg) }

func errf(code int32, msg string) *rpcError { return &rpcError{Code: code, Msg: msg} }

// Errors answered often.
var (
	errUnregistered = errf(401, "AUTH_KEY_UNREGISTERED")
	errPeerInvalid  = errf(400, "PEER_ID_INVALID")
	errUserInvalid  = errf(400, "USER_ID_INVALID")
	errMsgIDInvalid = errf(400, "MESSAGE_ID_INVALID")
	errBotMethod    = errf(400, "BOT_METHOD_INVALID")
	errChatInvalid  = errf(400, "CHAT_ID_INVALID")
	errChanInvalid  = errf(400, "CHANNEL_INVALID")
	errInternal     = errf(500, "INTERNAL")
)

// call is one RPC being handled.
type call struct {
	e      *Emulator
	dc     *dcServer
	sess   *server.Session
	ks     *keyState
	u      *user // the authorized user, nil when none
	method string
}

// access levels of methods
const (
	needUser    = iota // an authorized key
	anyKey             // no authorization needed
	pendingOrUs        // authorized, or waiting for the 2FA password
)

type handlerFunc func(c *call, q tl.Object) (tl.Object, error)

type handlerEntry struct {
	access int
	f      handlerFunc
}

var handlers = map[uint32]handlerEntry{}

// on registers the handler of a function type.
func on[T tl.Object](access int, f func(c *call, q T) (tl.Object, error)) {
	var zero T
	handlers[zero.TypeID()] = handlerEntry{access: access, f: func(c *call, q tl.Object) (tl.Object, error) {
		return f(c, q.(T))
	}}
}

// Handle implements server.Handler: it decodes the call, unwraps
// invokeWithLayer, initConnection and the other wrappers, applies the
// injected faults and answers from the model. It never panics.
func (d *dcServer) Handle(ctx context.Context, s *server.Session, req []byte) (res []byte) {
	e := d.e
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("emulator: handler panic", "dc", d.id, "panic", r, "stack", string(debug.Stack()))
			res = engine.RPCErrorBody(errInternal.Code, errInternal.Msg)
		}
	}()
	q, wantsUpdates, dev, err := unwrap(req)
	if err != nil {
		var rerr *rpcError
		if errors.As(err, &rerr) {
			return engine.RPCErrorBody(rerr.Code, rerr.Msg)
		}
		return engine.RPCErrorBody(400, "INPUT_CONSTRUCTOR_INVALID")
	}
	if delay := e.faults.delay(d.id); delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return engine.RPCErrorBody(500, "INTERNAL")
		}
	}
	method := tl.Name(q)
	if d.id == cdnDC && !cdnAllows(method) {
		return engine.RPCErrorBody(400, "CDN_METHOD_INVALID")
	}
	if rerr := e.faults.next(method); rerr != nil {
		return engine.RPCErrorBody(rerr.Code, rerr.Msg)
	}
	h, ok := handlers[q.TypeID()]
	if !ok {
		e.log.Warn("emulator: method not emulated", "method", method)
		return engine.RPCErrorBody(400, "INPUT_METHOD_INVALID_"+strconv.FormatUint(uint64(q.TypeID()), 10))
	}
	ref := keyRef{dc: d.id, id: s.PermKeyID()}
	if ref.id == 0 && !strings.HasPrefix(method, "help.") {
		// A temporary key not bound to a permanent one (auth.bindTempAuthKey)
		// can only ask for the configuration.
		return engine.RPCErrorBody(401, "AUTH_KEY_PERM_EMPTY")
	}
	out, err := e.run(d, s, ref, h, q, dev, wantsUpdates)
	if p, ok := out.(*pending); ok && err == nil {
		out, err = e.await(ctx, p)
	}
	if err != nil {
		var rerr *rpcError
		if errors.As(err, &rerr) {
			return engine.RPCErrorBody(rerr.Code, rerr.Msg)
		}
		e.log.Error("emulator: handler failed", "method", method, "err", err)
		return engine.RPCErrorBody(errInternal.Code, errInternal.Msg)
	}
	b, err := tl.Encode(out)
	if err != nil {
		e.log.Error("emulator: encoding a result failed", "method", method, "err", err)
		return engine.RPCErrorBody(errInternal.Code, errInternal.Msg)
	}
	return b
}

// run handles a call under the emulator's lock.
func (e *Emulator) run(d *dcServer, s *server.Session, ref keyRef, h handlerEntry, q tl.Object, dev *deviceInfo, wantsUpdates bool) (out tl.Object, err error) {
	e.mu.Lock()
	defer func() {
		if r := recover(); r != nil {
			clear(e.m.out)
			e.m.out = e.m.out[:0]
			e.mu.Unlock()
			panic(r)
		}
		e.mu.Unlock()
	}()
	ks := e.keyState(ref)
	if dev != nil {
		ks.device = *dev
	}
	c := &call{e: e, dc: d, sess: s, ks: ks, method: tl.Name(q)}
	if ks.user != 0 {
		if c.u = e.m.users[ks.user]; c.u == nil {
			ks.user = 0
		}
	}
	ks.out.attach(s, wantsUpdates && c.u != nil && !ks.imported)
	switch {
	case h.access == needUser && c.u == nil:
		return nil, errUnregistered
	case h.access == pendingOrUs && c.u == nil && ks.pendingUser == 0:
		return nil, errUnregistered
	}
	out, err = h.f(c, q)
	e.flushUpdates()
	return out, err
}

// await waits for an answer a handler left pending (a bot's).
func (e *Emulator) await(ctx context.Context, p *pending) (tl.Object, error) {
	t := time.NewTimer(p.timeout)
	defer t.Stop()
	select {
	case ans := <-p.answer:
		return ans, nil
	case <-t.C:
	case <-ctx.Done():
	}
	e.mu.Lock()
	p.cleanup()
	e.mu.Unlock()
	select {
	case ans := <-p.answer: // answered just now
		return ans, nil
	default:
	}
	return nil, errf(400, "BOT_RESPONSE_TIMEOUT")
}

// unwrap decodes a call and removes the wrappers around the query. It
// reports whether the client wants updates on this connection and the
// device description of initConnection.
func unwrap(req []byte) (q tl.Object, wantsUpdates bool, dev *deviceInfo, err error) {
	o, err := tl.Decode(req, api.New)
	if err != nil {
		var uc *tl.UnknownConstructorError
		if errors.As(err, &uc) {
			return nil, false, nil, errf(400, "INPUT_METHOD_INVALID_"+strconv.FormatUint(uint64(uc.ID), 10))
		}
		return nil, false, nil, errf(400, "INPUT_REQUEST_INVALID")
	}
	wantsUpdates = true
	for depth := 0; depth < 16; depth++ {
		switch w := o.(type) {
		case *api.InvokeWithLayerRequest:
			o = w.Query
		case *api.InitConnectionRequest:
			dev = &deviceInfo{apiID: w.APIID, model: w.DeviceModel, system: w.SystemVersion, app: w.AppVersion,
				langCode: w.LangCode, langPk: w.LangPack}
			o = w.Query
		case *api.InvokeWithoutUpdatesRequest:
			wantsUpdates = false
			o = w.Query
		case *api.InvokeAfterMsgRequest:
			o = w.Query
		case *api.InvokeAfterMsgsRequest:
			o = w.Query
		case *api.InvokeWithTakeoutRequest:
			o = w.Query
		case *api.InvokeWithMessagesRangeRequest:
			o = w.Query
		case *api.InvokeWithBusinessConnectionRequest:
			o = w.Query
		case *api.InvokeWithGooglePlayIntegrityRequest:
			o = w.Query
		case *api.InvokeWithApnsSecretRequest:
			o = w.Query
		case *api.InvokeWithReCaptchaRequest:
			o = w.Query
		default:
			if o == nil {
				return nil, false, nil, errf(400, "INPUT_REQUEST_INVALID")
			}
			if _, ok := o.(tl.Function); !ok {
				return nil, false, nil, errf(400, "INPUT_METHOD_INVALID_"+strconv.FormatUint(uint64(o.TypeID()), 10))
			}
			return o, wantsUpdates, dev, nil
		}
	}
	return nil, false, nil, errf(400, "INPUT_REQUEST_INVALID")
}

// boolResult is a TL Bool answer.
type boolResult bool

func (b boolResult) TypeID() uint32 {
	if b {
		return tl.BoolTrueID
	}
	return tl.BoolFalseID
}
func (b boolResult) TypeName() string {
	if b {
		return "boolTrue"
	}
	return "boolFalse"
}
func (boolResult) EncodeBare(*tl.Encoder) {}
func (boolResult) DecodeBare(*tl.Decoder) {}

// vectorResult is a TL Vector<T> answer of boxed objects.
type vectorResult []tl.Object

func (vectorResult) TypeID() uint32   { return tl.VectorID }
func (vectorResult) TypeName() string { return "vector" }
func (v vectorResult) EncodeBare(e *tl.Encoder) {
	e.Int(int32(len(v)))
	for _, o := range v {
		e.Object(o, "vector")
	}
}
func (vectorResult) DecodeBare(*tl.Decoder) {}

// longVectorResult is a TL Vector<long> answer.
type longVectorResult []int64

func (longVectorResult) TypeID() uint32   { return tl.VectorID }
func (longVectorResult) TypeName() string { return "vector" }
func (v longVectorResult) EncodeBare(e *tl.Encoder) {
	e.Int(int32(len(v)))
	for _, x := range v {
		e.Long(x)
	}
}
func (longVectorResult) DecodeBare(*tl.Decoder) {}
