package mobile_test

// Tests of the facade as an app uses it: everything through the exported
// functions, msgpack in and out, events through a Listener, against the
// emulator started through the facade itself.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/polygram/polygram/capi/bridge"
	"github.com/polygram/polygram/mobile"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

type m = map[string]any

func pack(t testing.TB, v any) []byte {
	t.Helper()
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func unpack(t testing.TB, b []byte) m {
	t.Helper()
	var out m
	if err := msgpack.Unmarshal(b, &out); err != nil {
		t.Fatalf("payload %x: %v", b, err)
	}
	return out
}

// event is one OnEvent call as the recorder saw it.
type event struct {
	kind    string
	id      int64
	payload []byte
}

// recorder is a Listener that keeps every event; hook, when set, also sees
// each one on the delivering thread.
type recorder struct {
	mu     sync.Mutex
	events []event
	signal chan struct{}
	hook   func(kind string, id int64, payload []byte)
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 1)} }

func (r *recorder) OnEvent(kind string, id int64, payload []byte) {
	r.mu.Lock()
	r.events = append(r.events, event{kind, id, append([]byte(nil), payload...)})
	hook := r.hook
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
	if hook != nil {
		hook(kind, id, payload)
	}
}

func (r *recorder) snapshot() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

// waitFor returns the first event (from the start) that satisfies ok.
func (r *recorder) waitFor(t testing.TB, what string, ok func(e event) bool) event {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		for _, e := range r.snapshot() {
			if ok(e) {
				return e
			}
		}
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("no %s event; got %v", what, r.kinds())
		}
	}
}

func (r *recorder) kinds() []string {
	var out []string
	for _, e := range r.snapshot() {
		out = append(out, e.kind)
	}
	return out
}

// end waits for the event that ends request id.
func (r *recorder) end(t testing.TB, id int64) event {
	t.Helper()
	return r.waitFor(t, "end of request", func(e event) bool {
		return e.id == id && (e.kind == mobile.KindResult || e.kind == mobile.KindError)
	})
}

// call sends a friendly call and waits for its result map.
func call(t testing.TB, c *mobile.Client, r *recorder, method string, args m) m {
	t.Helper()
	id, err := c.SendCall(pack(t, m{"method": method, "args": args}))
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	e := r.end(t, id)
	if e.kind != mobile.KindResult {
		t.Fatalf("%s: %s %v", method, e.kind, unpack(t, e.payload))
	}
	return unpack(t, e.payload)
}

func startEmulator(t testing.TB) *mobile.Emulator {
	t.Helper()
	emu, err := mobile.StartEmulator(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Stop)
	return emu
}

func emuCall(t testing.TB, emu *mobile.Emulator, method string, args m) m {
	t.Helper()
	res, err := emu.Call(pack(t, m{"method": method, "args": args}))
	if err != nil {
		t.Fatalf("emulator %s: %v", method, err)
	}
	return unpack(t, res)
}

// clientConfig is the emulator's ready configuration, as msgpack.
func clientConfig(t testing.TB, emu *mobile.Emulator, extra m) []byte {
	t.Helper()
	res, err := emu.Call(pack(t, m{"method": "client_config", "args": extra}))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func newClient(t testing.TB, config []byte, sessionPath string, r *recorder) *mobile.Client {
	t.Helper()
	c, err := mobile.NewClient(config, sessionPath, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func authStates(t testing.TB, r *recorder) []string {
	var out []string
	for _, e := range r.snapshot() {
		if e.kind == mobile.KindAuthState {
			out = append(out, unpack(t, e.payload)["state"].(string))
		}
	}
	return out
}

func TestBotAndUserLogInAndTalkThroughListeners(t *testing.T) {
	emu := startEmulator(t)
	emuCall(t, emu, "create_user", m{"phone": "9996621111", "first_name": "Mia", "username": "mia_user"})
	token := emuCall(t, emu, "create_bot", m{"username": "mobile_bot", "first_name": "Mobi"})["token"].(string)

	// The bot answers from inside its listener: the client is re-entered
	// on the delivering thread.
	botEvents := newRecorder()
	var bot *mobile.Client
	botEvents.hook = func(kind string, _ int64, payload []byte) {
		if kind != mobile.KindUpdate {
			return
		}
		u := unpack(t, payload)
		if u["type"] != "new_message" || u["out"] == true {
			return
		}
		text := u["message"].(m)["message"].(string)
		if _, err := bot.SendCall(pack(t, m{"method": "send_message", "args": m{"peer": u["chat_id"], "text": "re: " + text}})); err != nil {
			t.Errorf("send from the listener: %v", err)
		}
	}
	bot = newClient(t, clientConfig(t, emu, nil), "", botEvents)
	if me := call(t, bot, botEvents, "sign_in_bot", m{"token": token}); me["bot"] != true || me["username"] != "mobile_bot" {
		t.Fatalf("sign_in_bot: %v", me)
	}
	call(t, bot, botEvents, "start_updates", nil)

	sessionPath := filepath.Join(t.TempDir(), "files", "user.session")
	if err := os.MkdirAll(filepath.Dir(sessionPath), 0o700); err != nil {
		t.Fatal(err)
	}
	userEvents := newRecorder()
	user := newClient(t, clientConfig(t, emu, nil), sessionPath, userEvents)
	sent := call(t, user, userEvents, "send_code", m{"phone": "9996621111"})
	code := emuCall(t, emu, "login_code", m{"phone": "9996621111"})["code"].(string)
	me := call(t, user, userEvents, "sign_in", m{"phone": "9996621111", "hash": sent["hash"], "code": code})
	if me["first_name"] != "Mia" || me["_"] != "user" {
		t.Fatalf("sign_in: %v", me)
	}
	if got := strings.Join(authStates(t, userEvents), " "); got != "wait_phone wait_code ready" {
		t.Fatalf("auth states %q", got)
	}
	call(t, user, userEvents, "start_updates", nil)
	call(t, user, userEvents, "send_message", m{"peer": "@mobile_bot", "text": "ping"})

	reply := userEvents.waitFor(t, "reply", func(e event) bool {
		if e.kind != mobile.KindUpdate {
			return false
		}
		u := unpack(t, e.payload)
		return u["type"] == "new_message" && u["out"] == false
	})
	if text := unpack(t, reply.payload)["message"].(m)["message"]; text != "re: ping" {
		t.Fatalf("reply %q", text)
	}
	if e := userEvents.waitFor(t, "connection state", func(e event) bool { return e.kind == mobile.KindConnectionState }); unpack(t, e.payload)["state"] == "" {
		t.Fatal("connection state without a state")
	}

	// The session file is where the app said; a new client on it is
	// logged in at once.
	user.Close()
	if _, err := os.Stat(sessionPath); err != nil {
		t.Fatalf("session file: %v", err)
	}
	again := newRecorder()
	user2 := newClient(t, clientConfig(t, emu, nil), sessionPath, again)
	first := again.waitFor(t, "auth state", func(e event) bool { return e.kind == mobile.KindAuthState })
	if state := unpack(t, first.payload)["state"]; state != "ready" {
		t.Fatalf("reopened session: auth state %v", state)
	}
	if me := call(t, user2, again, "get_me", nil); me["first_name"] != "Mia" {
		t.Fatalf("get_me on the reopened session: %v", me)
	}
}

func TestRawTLAndMsgpackRequestsGiveTLAndMsgpackResults(t *testing.T) {
	emu := startEmulator(t)
	r := newRecorder()
	c := newClient(t, clientConfig(t, emu, nil), "", r)

	req, err := tl.Encode(&api.HelpGetNearestDCRequest{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.SendRaw(req)
	if err != nil {
		t.Fatal(err)
	}
	e := r.end(t, id)
	if e.kind != mobile.KindResult {
		t.Fatalf("raw: %s %v", e.kind, unpack(t, e.payload))
	}
	obj, err := mobile.TLToMsgpack(e.payload)
	if err != nil {
		t.Fatal(err)
	}
	if got := unpack(t, obj); got["_"] != "nearestDc" {
		t.Fatalf("raw result as msgpack: %v", got)
	}

	id, err = c.SendObject(pack(t, m{"_": "help.getNearestDc"}))
	if err != nil {
		t.Fatal(err)
	}
	if e := r.end(t, id); e.kind != mobile.KindResult || unpack(t, e.payload)["_"] != "nearestDc" {
		t.Fatalf("msgpack: %s %x", e.kind, e.payload)
	}

	back, err := mobile.MsgpackToTL(pack(t, m{"_": "help.getNearestDc"}))
	if err != nil || string(back) != string(req) {
		t.Fatalf("MsgpackToTL: %x, %v (want %x)", back, err, req)
	}
	if mobile.Layer() != api.Layer {
		t.Fatalf("Layer %d", mobile.Layer())
	}
}

// slowClient is a client whose DCs answer after seconds, so its requests
// stay pending.
func slowClient(t *testing.T) (*mobile.Client, *recorder) {
	emu := startEmulator(t)
	for _, dc := range emuCall(t, emu, "info", nil)["dcs"].([]any) {
		emuCall(t, emu, "slow_dc", m{"dc": dc.(m)["id"], "delay_ms": 5000})
	}
	r := newRecorder()
	return newClient(t, clientConfig(t, emu, nil), "", r), r
}

func errorMap(t testing.TB, e event) m {
	t.Helper()
	if e.kind != mobile.KindError {
		t.Fatalf("request %d: %s, not an error", e.id, e.kind)
	}
	return unpack(t, e.payload)
}

func TestCloseEndsPendingRequestsWithClosed(t *testing.T) {
	c, r := slowClient(t)
	var ids []int64
	for range 3 {
		id, err := c.SendObject(pack(t, m{"_": "help.getNearestDc"}))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	start := time.Now()
	c.Close()
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("Close took %v", d)
	}
	// Close returned after the last event was delivered.
	events := r.snapshot()
	for _, id := range ids {
		var end *event
		for i := range events {
			if events[i].id == id {
				end = &events[i]
			}
		}
		if end == nil {
			t.Fatalf("request %d never ended", id)
		}
		if em := errorMap(t, *end); em["name"] != "CLOSED" || fmt.Sprint(em["status"]) != fmt.Sprint(bridge.StatusClosed) {
			t.Fatalf("request %d: %v", id, em)
		}
	}
	last := events[len(events)-1]
	if last.kind != mobile.KindConnectionState || unpack(t, last.payload)["state"] != "closed" {
		t.Fatalf("last event %s %v", last.kind, unpack(t, last.payload))
	}

	_, err := c.SendCall(pack(t, m{"method": "get_me"}))
	var be *bridge.Error
	if !errors.As(err, &be) || be.Status() != bridge.StatusClosed || !strings.HasPrefix(err.Error(), "CLOSED: ") {
		t.Fatalf("send after close: %v", err)
	}
	c.Close() // twice: nothing
}

func TestCancelEndsARequestWithCancelled(t *testing.T) {
	c, r := slowClient(t)
	id, err := c.SendObject(pack(t, m{"_": "help.getNearestDc"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Cancel(id); err != nil {
		t.Fatal(err)
	}
	if em := errorMap(t, r.end(t, id)); em["name"] != "CANCELLED" {
		t.Fatalf("cancelled request: %v", em)
	}
	for _, bad := range []int64{id, 0, -1, id + 1000} {
		if err := c.Cancel(bad); err == nil || !strings.HasPrefix(err.Error(), "NOT_FOUND: ") {
			t.Errorf("Cancel(%d): %v", bad, err)
		}
	}
}

func TestBadInputFailsAtOnceWithTheStatusNamed(t *testing.T) {
	emu := startEmulator(t)
	cfg := clientConfig(t, emu, nil)
	dir := t.TempDir()
	r := newRecorder()
	for _, tc := range []struct {
		name        string
		config      []byte
		sessionPath string
		listener    mobile.Listener
		want        string
	}{
		{"no listener", cfg, "", nil, "INVALID_ARGUMENT: a listener is required"},
		{"not msgpack", []byte{0xc1}, "", r, "DECODE: "},
		{"not a map", pack(t, []any{1}), "", r, "INVALID_ARGUMENT: config: must be a msgpack map"},
		{"unknown key", pack(t, m{"api_id": 1, "api_hash": "x", "colour": "red"}), "", r, "INVALID_ARGUMENT: "},
		{"relative session path", cfg, "user.session", r, "INVALID_ARGUMENT: session path \"user.session\" is not absolute"},
		{"two sessions", clientConfig(t, emu, m{"session": ":memory:"}), filepath.Join(dir, "s"), r, "INVALID_ARGUMENT: config: it has a \"session\" key"},
		{"session in a missing directory", cfg, filepath.Join(dir, "missing", "s"), r, "SESSION: "},
	} {
		c, err := mobile.NewClient(tc.config, tc.sessionPath, tc.listener)
		if err == nil {
			c.Close()
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if c != nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v (client %v), want %q", tc.name, err, c, tc.want)
		}
	}

	c := newClient(t, cfg, "", r)
	for _, tc := range []struct {
		name string
		send func() (int64, error)
		want string
	}{
		{"short TL", func() (int64, error) { return c.SendRaw([]byte{1, 2}) }, "DECODE: "},
		{"a constructor as TL", func() (int64, error) {
			b, _ := tl.Encode(&api.InputPeerSelf{})
			return c.SendRaw(b)
		}, "UNKNOWN_METHOD: "},
		{"unknown function", func() (int64, error) { return c.SendObject(pack(t, m{"_": "help.noSuchThing"})) }, "DECODE: "},
		{"unknown method", func() (int64, error) { return c.SendCall(pack(t, m{"method": "fly"})) }, "UNKNOWN_METHOD: unknown method \"fly\""},
		{"wrong argument", func() (int64, error) {
			return c.SendCall(pack(t, m{"method": "send_message", "args": m{"peer": "@x", "txt": "hi"}}))
		}, "INVALID_ARGUMENT: "},
	} {
		if id, err := tc.send(); err == nil || id != 0 || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: id %d, %v; want %q", tc.name, id, err, tc.want)
		}
	}
	if err := c.SetLogLevel(7); err == nil || !strings.HasPrefix(err.Error(), "INVALID_ARGUMENT: ") {
		t.Errorf("SetLogLevel(7): %v", err)
	}
	if err := c.SetLogLevel(mobile.LogDebug); err != nil {
		t.Errorf("SetLogLevel(LogDebug): %v", err)
	}

	if _, err := emu.Call(pack(t, m{"method": "teleport"})); err == nil || !strings.HasPrefix(err.Error(), "UNKNOWN_METHOD: ") {
		t.Errorf("unknown emulator command: %v", err)
	}
	if _, err := mobile.StartEmulator(pack(t, m{"dcs": 12})); err == nil || !strings.HasPrefix(err.Error(), "INVALID_ARGUMENT: ") {
		t.Errorf("emulator with 12 DCs: %v", err)
	}
	if _, err := mobile.TLToMsgpack([]byte{1}); err == nil || !strings.HasPrefix(err.Error(), "DECODE: ") {
		t.Errorf("TLToMsgpack: %v", err)
	}
}

// gomobile gives Java and Swift a constructor for every exported struct; a
// zero Client or Emulator answers with errors instead of crashing the app.
func TestZeroValuesMadeByTheBindingsFailCleanly(t *testing.T) {
	var c mobile.Client
	if _, err := c.SendCall(pack(t, m{"method": "get_me"})); err == nil || !strings.HasPrefix(err.Error(), "INVALID_ARGUMENT: this client was not made by NewClient") {
		t.Errorf("SendCall: %v", err)
	}
	if err := c.Cancel(1); err == nil {
		t.Error("Cancel: no error")
	}
	if err := c.SetLogLevel(mobile.LogInfo); err == nil {
		t.Error("SetLogLevel: no error")
	}
	c.Close()
	var e mobile.Emulator
	if _, err := e.Call(pack(t, m{"method": "info"})); err == nil || !strings.HasPrefix(err.Error(), "INVALID_ARGUMENT: this emulator was never started") {
		t.Errorf("Call: %v", err)
	}
	e.Stop()
}

// The listener hears a dropped connection as it happens (disconnected,
// connecting, connected), with no request made.
func TestListenerHearsADroppedConnection(t *testing.T) {
	emu := startEmulator(t)
	r := newRecorder()
	c := newClient(t, clientConfig(t, emu, m{"log_level": "off"}), "", r)
	id, err := c.SendCall(pack(t, m{"method": "connect"}))
	if err != nil {
		t.Fatal(err)
	}
	if e := r.end(t, id); e.kind != mobile.KindResult {
		t.Fatalf("connect: %s", e.kind)
	}
	states := func() string {
		var s []string
		for _, e := range r.snapshot() {
			if e.kind == mobile.KindConnectionState {
				s = append(s, fmt.Sprint(unpack(t, e.payload)["state"]))
			}
		}
		return strings.Join(s, " ")
	}
	r.waitFor(t, "connected state", func(event) bool { return states() == "connecting connected" })
	emuCall(t, emu, "drop_connections", nil)
	want := "connecting connected disconnected connecting connected"
	r.waitFor(t, "reconnected state", func(event) bool { return states() == want })
}
