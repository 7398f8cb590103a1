package emulator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/transport"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

const testAPIID, testAPIHash = 17349, "344583e45741c457fe1862106095a5eb"

func startEmu(t testing.TB, cfg Config) *Emulator {
	t.Helper()
	e, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// client is a test client: one connection to one DC.
type client struct {
	t       testing.TB
	e       *Emulator
	dc      int
	c       *conn.Conn
	updates chan api.UpdatesClass
	inited  bool
	mu      sync.Mutex
}

type dialOpt func(*conn.Config)

func withTransport(o transport.Options) dialOpt { return func(c *conn.Config) { c.Transport = o } }
func withKey(k *crypto.AuthKey) dialOpt         { return func(c *conn.Config) { c.AuthKey = k } }

func dialDC(t testing.TB, e *Emulator, dc int, opts ...dialOpt) *client {
	t.Helper()
	cl := &client{t: t, e: e, dc: dc, updates: make(chan api.UpdatesClass, 1024)}
	cfg := conn.Config{Addr: e.Addr(dc), DC: dc, Keys: []crypto.PublicKey{e.PublicKey()},
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		Transport: transport.Options{Kind: transport.Intermediate},
		OnUpdate: func(body []byte) {
			o, err := tl.Decode(body, api.New)
			if err != nil {
				t.Errorf("undecodable update: %v", err)
				return
			}
			u, ok := o.(api.UpdatesClass)
			if !ok {
				t.Errorf("push is a %s, not Updates", tl.Name(o))
				return
			}
			select {
			case cl.updates <- u:
			default:
				t.Errorf("update buffer full")
			}
		}}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := conn.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cl.c = c
	t.Cleanup(func() { c.Close() })
	return cl
}

// call invokes a request (wrapped in invokeWithLayer+initConnection the
// first time) and decodes its result.
func (cl *client) call(req tl.Function) (any, error) {
	var body tl.Object = req
	cl.mu.Lock()
	if !cl.inited {
		body = &api.InvokeWithLayerRequest{Layer: api.Layer, Query: &api.InitConnectionRequest{APIID: testAPIID,
			DeviceModel: "test", SystemVersion: "go", AppVersion: "1", SystemLangCode: "en", LangCode: "en", Query: req}}
		cl.inited = true
	}
	cl.mu.Unlock()
	b, err := tl.Encode(body)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := cl.c.Invoke(ctx, b)
	if err != nil {
		return nil, err
	}
	return req.DecodeResult(tl.NewDecoder(res))
}

func (cl *client) must(req tl.Function) any {
	cl.t.Helper()
	res, err := cl.call(req)
	if err != nil {
		cl.t.Fatalf("%s: %v", tl.Name(req), err)
	}
	return res
}

// rpcErr returns the RPC error of a call ("" on success).
func (cl *client) rpcErr(req tl.Function) string {
	cl.t.Helper()
	_, err := cl.call(req)
	if err == nil {
		return ""
	}
	var re *conn.RPCError
	if !errors.As(err, &re) {
		cl.t.Fatalf("%s: %v", tl.Name(req), err)
	}
	return fmt.Sprintf("%d %s", re.Code, re.Message)
}

// login signs in as u with a login code on its DC.
func (cl *client) login(u *User) *api.User {
	cl.t.Helper()
	sent := cl.must(&api.AuthSendCodeRequest{PhoneNumber: u.Phone, APIID: testAPIID, APIHash: testAPIHash, Settings: &api.CodeSettings{}}).(*api.AuthSentCode)
	auth := cl.must(&api.AuthSignInRequest{PhoneNumber: u.Phone, PhoneCodeHash: sent.PhoneCodeHash, PhoneCode: tl.Some(cl.e.LoginCode(u.Phone))})
	a, ok := auth.(*api.AuthAuthorization)
	if !ok {
		cl.t.Fatalf("signIn answered %T", auth)
	}
	return a.User.(*api.User)
}

// loginBot signs in with a bot token.
func (cl *client) loginBot(token string) *api.User {
	cl.t.Helper()
	a := cl.must(&api.AuthImportBotAuthorizationRequest{APIID: testAPIID, APIHash: testAPIHash, BotAuthToken: token}).(*api.AuthAuthorization)
	return a.User.(*api.User)
}

// next waits for the next pushed update.
func (cl *client) next() api.UpdatesClass {
	cl.t.Helper()
	select {
	case u := <-cl.updates:
		return u
	case <-time.After(5 * time.Second):
		cl.t.Fatal("no update pushed")
	}
	return nil
}

// nextOf waits for a push of type T, skipping others.
func nextOf[T api.UpdatesClass](cl *client) T {
	cl.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case u := <-cl.updates:
			if x, ok := u.(T); ok {
				return x
			}
		case <-deadline:
			var zero T
			cl.t.Fatalf("no %T pushed", zero)
			return zero
		}
	}
}

// quiet asserts that nothing is pushed for a while.
func (cl *client) quiet(d time.Duration) {
	cl.t.Helper()
	select {
	case u := <-cl.updates:
		cl.t.Fatalf("unexpected push %T", u)
	case <-time.After(d):
	}
}

// newUserClient creates a user on a DC and logs it in there.
func newUserClient(t testing.TB, e *Emulator, phone, name string) (*User, *client) {
	t.Helper()
	u, err := e.CreateUser(phone, name, "", "")
	if err != nil {
		t.Fatal(err)
	}
	cl := dialDC(t, e, u.DC)
	cl.login(u)
	return u, cl
}

// inputUserOf returns the InputPeer of a user as seen by cl (from
// users.getUsers would need the hash; the emulator's hash is derivable in
// tests through the model).
func (e *Emulator) testInputPeer(viewer, target int64) *api.InputPeerUser {
	e.mu.Lock()
	defer e.mu.Unlock()
	return &api.InputPeerUser{UserID: target, AccessHash: e.m.accessHash(viewer, 'u', target)}
}

func (e *Emulator) testInputUser(viewer, target int64) *api.InputUser {
	p := e.testInputPeer(viewer, target)
	return &api.InputUser{UserID: p.UserID, AccessHash: p.AccessHash}
}

func (e *Emulator) testInputChannel(viewer, marked int64) *api.InputChannel {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, id := peerKind(marked)
	return &api.InputChannel{ChannelID: id, AccessHash: e.m.accessHash(viewer, 'c', id)}
}

var randomIDs struct {
	mu sync.Mutex
	n  int64
}

func nextRandom() int64 {
	randomIDs.mu.Lock()
	defer randomIDs.mu.Unlock()
	randomIDs.n++
	return randomIDs.n*7919 + 1
}

func optStr(s string) tl.Opt[string] { return tl.Some(s) }
func optInt(v int32) tl.Opt[int32]   { return tl.Some(v) }
