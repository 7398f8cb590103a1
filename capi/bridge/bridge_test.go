package bridge

// Tests of the Go functions behind the exports: marshalling, handles,
// queues, errors, and clients against the emulator. They never load
// libpolygram.so (a second Go runtime cannot share the process); the shared
// library is tested from C by tests/c.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/tlpack"
)

// TestHeaderConstantsMatchGo keeps include/polygram.h and the Go constants
// in step: statuses (and their names), event types, encodings, log levels
// and the ABI version.
func TestHeaderConstantsMatchGo(t *testing.T) {
	h, err := os.ReadFile("../../include/polygram.h")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(POLYGRAM_[A-Z_]+)\s*=\s*(\d+)`).FindAllSubmatch(h, -1) {
		consts[string(m[1])], _ = strconv.Atoi(string(m[2]))
	}
	abi := regexp.MustCompile(`#define POLYGRAM_ABI_VERSION (\d+)`).FindSubmatch(h)
	if abi == nil || string(abi[1]) != strconv.Itoa(ABIVersion) {
		t.Fatalf("POLYGRAM_ABI_VERSION %s, Go %d", abi, ABIVersion)
	}
	for i, name := range statusNames {
		key := "POLYGRAM_ERR_" + name
		if i == 0 {
			key = "POLYGRAM_OK"
		}
		if v, ok := consts[key]; !ok || v != i {
			t.Errorf("%s = %d in the header (present %v), %d in Go", key, v, ok, i)
		}
	}
	want := map[string]int{
		"POLYGRAM_EVENT_RESULT": evResult, "POLYGRAM_EVENT_ERROR": evError, "POLYGRAM_EVENT_UPDATE": evUpdate,
		"POLYGRAM_EVENT_AUTH_STATE": evAuth, "POLYGRAM_EVENT_CONNECTION_STATE": evConn, "POLYGRAM_EVENT_LOG": evLog,
		"POLYGRAM_EVENT_DROPPED": evDropped, "POLYGRAM_EVENT_PROGRESS": evProgress, "POLYGRAM_ENCODING_TL": encTL, "POLYGRAM_ENCODING_MSGPACK": encMsgpack,
		"POLYGRAM_ENCODING_CALL": encCall, "POLYGRAM_LOG_DEBUG": logDebug, "POLYGRAM_LOG_INFO": logInfo,
		"POLYGRAM_LOG_WARN": logWarn, "POLYGRAM_LOG_ERROR": logError, "POLYGRAM_LOG_OFF": logOff,
	}
	for k, v := range want {
		if consts[k] != v {
			t.Errorf("%s = %d in the header, %d in Go", k, consts[k], v)
		}
	}
	n := 0
	for k := range consts {
		if strings.HasPrefix(k, "POLYGRAM_ERR_") {
			n++
		}
	}
	if n != len(statusNames)-1 {
		t.Errorf("the header has %d error statuses, Go %d", n, len(statusNames)-1)
	}
}

func TestMsgpackRoundTripsEveryKind(t *testing.T) {
	in := map[string]any{
		"nil": nil, "t": true, "f": false, "small": int64(5), "neg": int64(-7), "i32": int64(-100000),
		"i64": int64(1 << 40), "min": int64(-1 << 63), "u64": uint64(1<<63 + 5), "float": 1.5, "str": "héllo",
		"long": strings.Repeat("x", 70000), "bin": []byte{0, 1, 2}, "arr": []any{int64(1), "a", []any{}},
		"map": map[string]any{"k": "v"}, "big": make([]any, 20),
	}
	for i := range in["big"].([]any) {
		in["big"].([]any)[i] = int64(i)
	}
	out, err := decodeMsgpack(mp(nil).any(in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n%v\n%v", in, out)
	}
	// The writer's choices for ints are read back exactly at every boundary.
	for _, v := range []int64{0, 127, 128, -32, -33, 1<<31 - 1, 1 << 31, -1 << 31, -1<<31 - 1} {
		got, err := decodeMsgpack(mp(nil).int(v))
		if err != nil || got != v {
			t.Errorf("%d read back as %v (%v)", v, got, err)
		}
	}
}

func TestMsgpackRejectsHostileInput(t *testing.T) {
	deep := []byte{}
	for i := 0; i < 100; i++ {
		deep = append(deep, 0x91)
	}
	deep = append(deep, 0xc0)
	cases := map[string][]byte{
		"empty":             {},
		"truncated str":     {0xa5, 'a'},
		"array32 of 4G":     {0xdd, 0xff, 0xff, 0xff, 0xff},
		"map32 of 4G":       {0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0},
		"bin32 of 4G":       {0xc6, 0xff, 0xff, 0xff, 0xff},
		"int key":           {0x81, 0x01, 0x02},
		"trailing":          {0xc0, 0xc0},
		"ext":               {0xd4, 0x01, 0x02},
		"never used 0xc1":   {0xc1},
		"nested too deeply": deep,
		"truncated int":     {0xd3, 1, 2},
	}
	for name, b := range cases {
		if _, err := decodeMsgpack(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestFieldsAreStrict(t *testing.T) {
	f := newFields("send_message", "argument", map[string]any{"text": int64(5), "peer": "me"})
	f.str("text", "")
	f.str("peer", "")
	if e := f.finish(); e == nil || e.status != statusInvalidArgument || !strings.Contains(e.message, `"text" must be str, got int`) {
		t.Fatalf("wrong type: %v", e)
	}
	f = newFields("send_message", "argument", map[string]any{"txt": "x"})
	f.str("text", "")
	if e := f.finish(); e == nil || !strings.Contains(e.message, `unknown argument "txt"`) || !strings.Contains(e.message, "known: text") {
		t.Fatalf("unknown argument: %v", e)
	}
	f = newFields("edit_message", "argument", map[string]any{})
	f.reqInt32("id")
	if e := f.finish(); e == nil || !strings.Contains(e.message, `"id" is required`) {
		t.Fatalf("required: %v", e)
	}
	f = newFields("x", "argument", map[string]any{"id": int64(1 << 40)})
	f.int32("id", 0)
	if e := f.finish(); e == nil || !strings.Contains(e.message, "32-bit") {
		t.Fatalf("range: %v", e)
	}
	f = newFields("x", "argument", "not a map")
	if e := f.finish(); e == nil || !strings.Contains(e.message, "must be a map") {
		t.Fatalf("args not a map: %v", e)
	}
}

func TestParseConfigReadsEverythingCoreAccepts(t *testing.T) {
	emu := startTestEmulator(t)
	cfg := kv{"api_id", 12345, "api_hash", "abc", "device_model", "C", "system_version", "S", "app_version", "A",
		"system_lang_code", "de", "lang_pack", "tdesktop", "lang_code", "de",
		"dcs", []any{kv{"id", 1, "addr", "127.0.0.1:1"}, kv{"id", 2, "addr", "127.0.0.1:2"}}, "default_dc", 1,
		"test_servers", false, "public_keys", []any{emu.PublicKeyPEM()}, "transport", "padded_intermediate",
		"obfuscated", true, "proxy", "socks5://127.0.0.1:9050", "mtproxy", "", "secret", "", "prefer_ipv6", true,
		"session", ":memory:", "flood_sleep_threshold", 2.5, "retry_limit", 3, "dial_timeout", 4, "ping_interval", 30,
		"log_level", "debug", "event_queue_size", 77, "raw_updates", true}.encode()
	o, e := parseConfig(cfg)
	if e != nil {
		t.Fatal(e)
	}
	c := o.core
	if c.APIID != 12345 || c.APIHash != "abc" || c.LangPack != "tdesktop" || len(c.DCs) != 2 || c.DCs[1].Addr != "127.0.0.1:2" ||
		c.DefaultDC != 1 || len(c.PublicKeys) != 1 || c.PublicKeys[0].Fingerprint != emu.PublicKey().Fingerprint ||
		c.Transport.String() != "padded intermediate" || !c.Obfuscated || c.Proxy == "" || !c.PreferIPv6 ||
		c.FloodSleepThreshold != 2500*time.Millisecond || c.RetryLimit != 3 || c.DialTimeout != 4*time.Second ||
		c.PingInterval != 30*time.Second || o.logLevel != logDebug || o.queueSize != 77 || !o.rawUpdates {
		t.Fatalf("%+v", o)
	}
	o, e = parseConfig(kv{"api_id", 1, "api_hash", "x", "flood_sleep_threshold", 0, "session", kv{"string", "1abc"}}.encode())
	if e != nil || o.core.FloodSleepThreshold >= 0 || o.session.str != "1abc" {
		t.Fatalf("threshold 0 means never sleep; string session: %+v %v", o, e)
	}
	bad := map[string][]byte{
		"not a map":     mp(nil).str("x"),
		"no api_hash":   kv{"api_id", 1}.encode(),
		"api_id 0":      kv{"api_id", 0, "api_hash", "x"}.encode(),
		"typo":          kv{"api_id", 1, "api_hash", "x", "log_levle", "info"}.encode(),
		"dc without id": kv{"api_id", 1, "api_hash", "x", "dcs", []any{kv{"addr", "h:1"}}}.encode(),
		"bad level":     kv{"api_id", 1, "api_hash", "x", "log_level", "loud"}.encode(),
		"queue 0":       kv{"api_id", 1, "api_hash", "x", "event_queue_size", 0}.encode(),
		"session int":   kv{"api_id", 1, "api_hash", "x", "session", 5}.encode(),
		"session two":   kv{"api_id", 1, "api_hash", "x", "session", kv{"string", "a", "pyrogram_string", "b"}}.encode(),
		"session key":   kv{"api_id", 1, "api_hash", "x", "session", kv{"path", "/tmp/x"}}.encode(),
	}
	for name, b := range bad {
		if _, e := parseConfig(b); e == nil || e.status != statusInvalidArgument {
			t.Errorf("%s: %v", name, e)
		}
	}
	if _, e := parseConfig([]byte{0x81}); e == nil || e.status != statusDecode {
		t.Errorf("malformed: %v", e)
	}
}

func TestHandlesNameTheirKindAndOutliveTheirObject(t *testing.T) {
	c := newTestClient(t, nil, nil)
	if c.h&3 != kindClient || c.h == 0 {
		t.Fatalf("handle %d", c.h)
	}
	if got, e := LookupClient(c.h); e != nil || got != c {
		t.Fatal(e)
	}
	if _, e := LookupEmulator(c.h); e == nil || e.status != statusBadHandle || !strings.Contains(e.message, "is a client handle") {
		t.Fatalf("a client as an emulator: %v", e)
	}
	for _, h := range []uint64{0, c.h + 1<<20, 3} {
		if _, e := LookupClient(h); e == nil || e.status != statusBadHandle {
			t.Errorf("handle %d: %v", h, e)
		}
	}
	c.Close()
	drain(c)
	if _, e := LookupClient(c.h); e == nil || e.status != statusClosed {
		t.Fatalf("a closed client: %v", e)
	}
}

func TestQueueDropsTheOldestUpdateButNeverAResult(t *testing.T) {
	q := newQueue(3)
	for i := 0; i < 10; i++ {
		q.push(Event{typ: evUpdate, data: []byte{byte(i)}})
		q.push(Event{typ: evResult, reqID: uint64(i)})
	}
	q.push(Event{typ: evLog, data: []byte{99}})
	var results, updates []int
	var dropped []byte
	for {
		ev, st := q.wait(0)
		if st != statusOK {
			break
		}
		switch ev.typ {
		case evResult:
			results = append(results, int(ev.reqID))
		case evUpdate, evLog:
			updates = append(updates, int(ev.data[0]))
		case evDropped:
			dropped = ev.data
		}
	}
	if len(results) != 10 || results[9] != 9 {
		t.Fatalf("results %v", results)
	}
	if fmt.Sprint(updates) != "[8 9 99]" {
		t.Fatalf("kept %v (want the newest three)", updates)
	}
	m, _ := decodeMsgpack(dropped)
	if mm := m.(map[string]any); mm["count"] != int64(8) || mm["total"] != int64(8) {
		t.Fatalf("dropped event %v", m)
	}
}

func TestQueueKeepsOrderAcrossKindsAndEndsAfterTheFinalEvent(t *testing.T) {
	q := newQueue(100)
	q.push(Event{typ: evUpdate, reqID: 1})
	q.push(Event{typ: evResult, reqID: 2})
	q.push(Event{typ: evLog, reqID: 3})
	q.pushFinal(Event{typ: evConn, reqID: 4})
	q.push(Event{typ: evResult, reqID: 5}) // after the final event: discarded
	for want := uint64(1); want <= 4; want++ {
		ev, st := q.wait(time.Second)
		if st != statusOK || ev.reqID != want {
			t.Fatalf("got %d (%d), want %d", ev.reqID, st, want)
		}
	}
	if _, st := q.wait(time.Second); st != statusClosed {
		t.Fatalf("status %d after the final event", st)
	}
}

func TestQueueWaitTimesOutAndWakesWaiters(t *testing.T) {
	q := newQueue(10)
	start := time.Now()
	if _, st := q.wait(30 * time.Millisecond); st != statusTimeout || time.Since(start) < 30*time.Millisecond {
		t.Fatalf("status %d after %v", st, time.Since(start))
	}
	var wg sync.WaitGroup
	got := make(chan uint64, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev, st := q.wait(-1)
			if st == statusOK {
				got <- ev.reqID
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	for i := 1; i <= 3; i++ {
		q.push(Event{typ: evResult, reqID: uint64(i)})
	}
	q.pushFinal(Event{typ: evConn, reqID: 4})
	wg.Wait()
	close(got)
	sum := uint64(0)
	for id := range got {
		sum += id
	}
	if sum != 10 {
		t.Fatalf("the four waiters got ids summing to %d", sum)
	}
}

func TestQueueMemoryStaysBoundedWhenNeverEmpty(t *testing.T) {
	q := newQueue(10)
	for i := 0; i < 100000; i++ {
		q.push(Event{typ: evResult})
		q.push(Event{typ: evResult})
		q.tryPop()
		q.tryPop()
		if i%2 == 0 {
			q.push(Event{typ: evResult}) // the queue never empties
			q.tryPop()
		}
	}
	q.push(Event{typ: evResult})
	if c := cap(q.keep.items); c > 1024 {
		t.Fatalf("backing array grew to %d", c)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	rpc := func(code int32, msg string, n int) *core.RPCError {
		name := msg
		if n >= 0 {
			name = strings.Replace(msg, strconv.Itoa(n), "X", 1)
		}
		return &core.RPCError{Code: code, Message: msg, Name: name, Number: n, Method: "help.getConfig"}
	}
	cases := []struct {
		err     error
		status  int
		code    int
		seconds int
		dc      int
	}{
		{&core.FloodWaitError{RPCError: rpc(420, "FLOOD_WAIT_42", 42), Wait: 42 * time.Second}, statusFloodWait, 420, 42, 0},
		{rpc(303, "USER_MIGRATE_4", 4), statusRPC, 303, 0, 4},
		{rpc(420, "SLOWMODE_WAIT_9", 9), statusRPC, 420, 9, 0},
		{rpc(400, "PEER_ID_INVALID", -1), statusRPC, 400, 0, 0},
		{fmt.Errorf("%w: %w", core.ErrUnauthorized, rpc(401, "AUTH_KEY_UNREGISTERED", -1)), statusUnauthorized, 401, 0, 0},
		{core.ErrPasswordNeeded, statusPasswordNeeded, statusPasswordNeeded, 0, 0},
		{core.ErrSignUpRequired, statusSignUpRequired, statusSignUpRequired, 0, 0},
		{&core.PeerError{Query: "x", Why: "never seen"}, statusPeerNotFound, statusPeerNotFound, 0, 0},
		{core.ErrClosed, statusClosed, statusClosed, 0, 0},
		{context.DeadlineExceeded, statusTimeout, statusTimeout, 0, 0},
		{errors.New("something odd"), statusFailed, statusFailed, 0, 0},
	}
	for _, c := range cases {
		e := toAPIError(nil, c.err)
		if e.status != c.status || e.code != c.code || e.seconds != c.seconds || e.dc != c.dc {
			t.Errorf("%v: %+v", c.err, e)
		}
		m, err := decodeMsgpack(e.encode())
		if err != nil {
			t.Fatal(err)
		}
		mm := m.(map[string]any)
		if mm["status"] != int64(c.status) || mm["name"] == "" || mm["message"] == "" {
			t.Errorf("error map %v", mm)
		}
		if _, ok := mm["seconds"]; ok != (c.seconds > 0) {
			t.Errorf("seconds in %v", mm)
		}
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errCancelled)
	if e := toAPIError(ctx, ctx.Err()); e.status != statusCancelled {
		t.Errorf("cancelled: %+v", e)
	}
	ctx, cancel = context.WithCancelCause(context.Background())
	cancel(errClientClosed)
	if e := toAPIError(ctx, errors.New("conn: closed")); e.status != statusClosed {
		t.Errorf("closed: %+v", e)
	}
}

func TestPrepareRejectsBadRequestsBeforeSending(t *testing.T) {
	getConfig, _ := tl.Encode(&api.HelpGetConfigRequest{})
	cases := []struct {
		enc    int
		data   []byte
		status int
		says   string
	}{
		{encTL, []byte{1, 2}, statusDecode, "4-byte"},
		{encTL, []byte{1, 2, 3, 4}, statusUnknownMethod, "not in the API schema"},
		{encTL, []byte{0xea, 0x18, 0x3b, 0x7f}, statusUnknownMethod, "not a function"},
		{encTL, append(getConfig, 0), statusDecode, "trailing"},
		{encTL, []byte{0x26, 0x30, 0xb3}, statusDecode, ""},
		{encMsgpack, kv{"_", "messages.sendMessage"}.encode(), statusDecode, "peer"},
		{encMsgpack, kv{"_", "inputPeerEmpty"}.encode(), statusUnknownMethod, "not a function"},
		{encCall, kv{"method", "nope"}.encode(), statusUnknownMethod, "send_message"},
		{encCall, kv{"method", "send_message", "args", kv{"peer", 1.5, "text", "x"}}.encode(), statusInvalidArgument, `"peer"`},
		{encCall, kv{"method", "send_message", "args", kv{"peer", "me", "text", "x", "parse_mode", "rtf"}}.encode(), statusInvalidArgument, "parse_mode"},
		{encCall, kv{"method", "send_message", "args", kv{"peer", "me", "text", "x", "entities", []any{kv{"_", "user"}}}}.encode(), statusInvalidArgument, "entities"},
		{encCall, kv{"method", "delete_messages", "args", kv{"peer", "me", "ids", []any{"1"}}}.encode(), statusInvalidArgument, "ids"},
		{encCall, kv{"method", "login", "args", kv{"phone", "1"}}.encode(), statusInvalidArgument, "code"},
		{encCall, kv{"method", "get_me", "extra", 1}.encode(), statusInvalidArgument, "extra"},
		{encCall, kv{"method", "get_me", "args", []any{}}.encode(), statusInvalidArgument, "map"},
		{encCall, kv{"method", "send_message", "args", kv{"peer", kv{"marked_id", 0}, "text", "x"}}.encode(), statusInvalidArgument, "names no peer"},
		{encCall, kv{"method", "send_message", "args", kv{"peer", "me", "text", "x", "buttons", kv{"_", "inputPeerSelf"}}}.encode(), statusInvalidArgument, "buttons"},
		{encCall, kv{"method", "send_file", "args", kv{"peer", "me", "path", "/no/such/file.bin"}}.encode(), statusInvalidArgument, "no such file"},
		{encCall, []byte{0x92, 1, 2}, statusInvalidArgument, "must be a map"},
		{7, nil, statusInvalidArgument, "encoding"},
	}
	for i, c := range cases {
		_, e := prepare(c.enc, c.data)
		if e == nil || e.status != c.status || !strings.Contains(e.message, c.says) {
			t.Errorf("case %d: %v", i, e)
		}
	}
	ok := [][]byte{
		kv{"method", "send_message", "args", kv{"peer", int64(-1001234567890), "text", "*b*", "parse_mode", "markdown",
			"reply_to", 5, "silent", true}}.encode(),
		kv{"method", "send_message", "args", kv{"peer", "@x", "text", "x", "entities",
			[]any{kv{"_", "messageEntityBold", "offset", 0, "length", 1}}}}.encode(),
		kv{"method", "get_history", "args", kv{"peer", kv{"marked_id", 5, "access_hash", 7, "name", "n"}, "limit", 3}}.encode(),
		kv{"method", "ping_local", "args", kv{"anything", []any{1, 2}}}.encode(),
	}
	for i, b := range ok {
		if _, e := prepare(encCall, b); e != nil {
			t.Errorf("valid call %d: %v", i, e)
		}
	}
}

func TestResultsReencodeToTheSameTL(t *testing.T) {
	user := &api.User{ID: 5, FirstName: tl.Some("A")}
	for _, c := range []struct {
		fn  tl.Function
		res any
	}{
		{&api.UsersGetUsersRequest{}, []api.UserClass{user, &api.UserEmpty{ID: 6}}},
		{&api.AuthLogOutRequest{}, &api.AuthLoggedOut{}},
		{&api.AccountResetPasswordRequest{}, &api.AccountResetPasswordOk{}},
		{&api.MessagesReceivedMessagesRequest{}, []api.ReceivedNotifyMessageClass{&api.ReceivedNotifyMessage{ID: 1}}},
		{&api.MessagesGetMessagesViewsRequest{}, &api.MessagesMessageViews{Views: []api.MessageViewsClass{},
			Chats: []api.ChatClass{}, Users: []api.UserClass{}}},
	} {
		b, err := encodeResult(c.res)
		if err != nil {
			t.Fatalf("%T: %v", c.res, err)
		}
		back, err := c.fn.DecodeResult(tl.NewDecoder(b))
		if err != nil || !reflect.DeepEqual(back, c.res) {
			t.Fatalf("%T: %v %#v", c.res, err, back)
		}
	}
	for _, v := range []any{true, false, []int32{1, 2}, []int64{1 << 40}} {
		b, err := encodeResult(v)
		if err != nil || len(b) < 4 {
			t.Fatalf("%v: %v", v, err)
		}
	}
	if _, err := encodeResult(42); err == nil {
		t.Fatal("an int is not a TL result")
	}
}

func TestSchemaMsgpackDescribesConstructorsFunctionsAndTypes(t *testing.T) {
	b, err := SchemaMsgpack()
	if err != nil {
		t.Fatal(err)
	}
	v, err := decodeMsgpack(b)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["layer"] != int64(api.Layer) {
		t.Fatalf("layer %v", m["layer"])
	}
	var send map[string]any
	for _, f := range m["functions"].([]any) {
		if f.(map[string]any)["name"] == "messages.sendMessage" {
			send = f.(map[string]any)
		}
	}
	if send == nil || send["result"] != "Updates" || send["id"] == nil {
		t.Fatalf("messages.sendMessage: %v", send)
	}
	var sawFlags, sawCond bool
	for _, p := range send["params"].([]any) {
		pm := p.(map[string]any)
		if pm["is_flags"] == true {
			sawFlags = true
		}
		if pm["name"] == "silent" && pm["flag_field"] == "flags" && pm["type"] == "true" {
			sawCond = true
		}
	}
	if !sawFlags || !sawCond {
		t.Fatalf("params %v", send["params"])
	}
	peers := m["types"].(map[string]any)["InputPeer"].([]any)
	if len(peers) < 5 || peers[0] != "inputPeerEmpty" {
		t.Fatalf("InputPeer: %v", peers)
	}
}

// ---- clients against the emulator -------------------------------------

func startTestEmulator(t testing.TB) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

func emulatorConfig(emu *emulator.Emulator, extra ...any) []byte {
	var dcs []any
	for _, d := range emu.DCs() {
		dcs = append(dcs, kv{"id", d.ID, "addr", emu.Addr(d.ID)})
	}
	return append(kv{"api_id", 1, "api_hash", "test", "dcs", dcs, "public_keys", []any{emu.PublicKeyPEM()}}, extra...).encode()
}

// newTestClient makes a client; with emu nil it points nowhere.
func newTestClient(t testing.TB, emu *emulator.Emulator, deliver func(uint64, *Event), extra ...any) *Client {
	t.Helper()
	cfg := kv{"api_id", 1, "api_hash", "test", "dcs", []any{kv{"id", 2, "addr", "127.0.0.1:1"}}}.encode()
	if emu != nil {
		cfg = emulatorConfig(emu, extra...)
	}
	c, e := NewClient(cfg, deliver)
	if e != nil {
		t.Fatal(e)
	}
	t.Cleanup(c.Close)
	return c
}

func drain(c *Client) []Event {
	var out []Event
	for {
		ev, e := c.Receive(0)
		if e != nil {
			return out
		}
		out = append(out, ev)
	}
}

// updateMap decodes an UPDATE event's map (ok false for other events).
func updateMap(ev *Event) (map[string]any, bool) {
	if ev.typ != evUpdate {
		return nil, false
	}
	v, _ := decodeMsgpack(ev.data)
	m, ok := v.(map[string]any)
	return m, ok
}

func call(t testing.TB, c *Client, method string, args kv) map[string]any {
	t.Helper()
	res, e := c.Invoke(encCall, kv{"method", method, "args", args}.encode(), 20*time.Second)
	if e != nil {
		t.Fatalf("%s: %v", method, e)
	}
	v, err := decodeMsgpack(res)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := v.(map[string]any)
	return m
}

// waitFor receives until an event satisfies ok.
func waitFor(t testing.TB, c *Client, ok func(ev Event, m map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ev, e := c.Receive(100 * time.Millisecond)
		if e != nil {
			continue
		}
		v, _ := decodeMsgpack(ev.data)
		m, _ := v.(map[string]any)
		if ok(ev, m) {
			return m
		}
	}
	t.Fatal("no such event")
	return nil
}

func TestUserAndBotTalkThroughFriendlyCalls(t *testing.T) {
	emu := startTestEmulator(t)
	if _, err := emu.CreateUser("9996631111", "Una", "", "una_user"); err != nil {
		t.Fatal(err)
	}
	_, token, _ := emu.CreateBot("talk_bot", "Talk")

	var mu sync.Mutex
	var botSaw []string
	var bot *Client
	bot = newTestClient(t, emu, func(_ uint64, ev *Event) {
		m, ok := updateMap(ev)
		if !ok {
			return
		}
		if m["type"] != "new_message" || m["out"] == true {
			return
		}
		msg := m["message"].(map[string]any)
		mu.Lock()
		botSaw = append(botSaw, msg["message"].(string))
		mu.Unlock()
		// Re-entering from the callback: a blocking call, then a send.
		if _, e := bot.Invoke(encCall, kv{"method", "get_me"}.encode(), 10*time.Second); e != nil {
			t.Errorf("invoke from the callback: %v", e)
		}
		bot.Send(encCall, kv{"method", "send_message", "args", kv{"peer", m["chat_id"], "text", "re: " + msg["message"].(string)}}.encode())
	})
	call(t, bot, "login", kv{"bot_token", token})
	call(t, bot, "start_updates", nil)

	user := newTestClient(t, emu, nil, "log_level", "info")
	sent := call(t, user, "send_code", kv{"phone", "+9996631111"})
	me := call(t, user, "sign_in", kv{"phone", "9996631111", "hash", sent["hash"], "code", "33333"})
	if me["first_name"] != "Una" || me["_"] != "user" {
		t.Fatalf("sign_in: %v", me)
	}
	call(t, user, "start_updates", nil)
	call(t, user, "send_message", kv{"peer", "@talk_bot", "text", "ping"})
	got := waitFor(t, user, func(ev Event, m map[string]any) bool { return m["type"] == "new_message" && m["out"] == false })
	if got["message"].(map[string]any)["message"] != "re: ping" {
		t.Fatalf("reply %v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(botSaw) != 1 || botSaw[0] != "ping" {
		t.Fatalf("the bot saw %v", botSaw)
	}
}

func TestCloseFromInsideTheCallbackDoesNotDeadlock(t *testing.T) {
	var c *Client
	var mu sync.Mutex
	var types []int
	closedFromCallback := make(chan struct{})
	c = newTestClient(t, nil, func(_ uint64, ev *Event) {
		mu.Lock()
		types = append(types, ev.typ)
		mu.Unlock()
		if ev.typ == evResult {
			c.Close() // returns at once: the rest follows after this callback
			select {
			case <-closedFromCallback:
			default:
				close(closedFromCallback)
			}
		}
	})
	for i := 0; i < 3; i++ {
		// The first answer may close the client before the later sends:
		// those are then refused as closed, which is right.
		if _, e := c.Send(encCall, kv{"method", "ping_local"}.encode()); e != nil && (i == 0 || e.status != statusClosed) {
			t.Fatal(e)
		}
	}
	select {
	case <-closedFromCallback:
	case <-time.After(5 * time.Second):
		t.Fatal("close inside the callback deadlocked")
	}
	c.Close() // from outside: waits for the last event
	mu.Lock()
	defer mu.Unlock()
	if types[len(types)-1] != evConn {
		t.Fatalf("last event %d of %v", types[len(types)-1], types)
	}
	if _, e := c.Send(encCall, kv{"method", "ping_local"}.encode()); e == nil || e.status != statusClosed {
		t.Fatalf("send after close: %v", e)
	}
}

func TestClosePendsRequestsWithClosedAndCancelWithCancelled(t *testing.T) {
	emu := startTestEmulator(t)
	c := newTestClient(t, emu, nil)
	id1, e := c.Send(encCall, kv{"method", "qr_login"}.encode()) // waits until accepted
	if e != nil {
		t.Fatal(e)
	}
	id2, _ := c.Send(encCall, kv{"method", "qr_login"}.encode())
	waitFor(t, c, func(ev Event, m map[string]any) bool { return m["state"] == "wait_qr" })
	if e := c.Cancel(id1); e != nil {
		t.Fatal(e)
	}
	if e := c.Cancel(id1); e == nil || e.status != statusNotFound {
		t.Fatalf("cancel twice: %v", e)
	}
	c.Close()
	var statuses = map[uint64]int{}
	var last Event
	for _, ev := range drain(c) {
		if ev.typ == evError {
			statuses[ev.reqID] = ev.status
		}
		last = ev
	}
	if statuses[id1] != statusCancelled || statuses[id2] != statusClosed {
		t.Fatalf("statuses %v", statuses)
	}
	if last.typ != evConn {
		t.Fatalf("last event %+v", last)
	}
}

func TestRawTLAndMsgpackRequestsUseTheInvokePolicy(t *testing.T) {
	emu := startTestEmulator(t)
	u, _ := emu.CreateUser("9996621212", "Raw", "", "")
	c := newTestClient(t, emu, nil)
	call(t, c, "login", kv{"phone", "9996621212", "code", "22222"})
	req, _ := tl.Encode(&api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}})
	res, e := c.Invoke(encTL, req, 10*time.Second)
	if e != nil {
		t.Fatal(e)
	}
	back, err := (&api.UsersGetUsersRequest{}).DecodeResult(tl.NewDecoder(res))
	if err != nil || back.([]api.UserClass)[0].(*api.User).ID != u.ID {
		t.Fatalf("%v %v", back, err)
	}
	res, e = c.Invoke(encMsgpack, kv{"_", "help.getNearestDc"}.encode(), 10*time.Second)
	if e != nil {
		t.Fatal(e)
	}
	v, _ := decodeMsgpack(res)
	if m := v.(map[string]any); m["_"] != "nearestDc" || m["this_dc"] != int64(2) {
		t.Fatalf("%v", m)
	}
	// Flood waits under the threshold are slept through.
	emu.FailNext("help.getNearestDc", 1, "FLOOD_WAIT_1")
	start := time.Now()
	if _, e := c.Invoke(encMsgpack, kv{"_", "help.getNearestDc"}.encode(), 10*time.Second); e != nil || time.Since(start) < time.Second {
		t.Fatalf("%v after %v", e, time.Since(start))
	}
	// A user seen in a raw result is cached for friendly calls.
	v2, _ := emu.CreateUser("9996621213", "Seen", "", "seen_one")
	if _, e := c.Invoke(encMsgpack, kv{"_", "contacts.resolveUsername", "username", "seen_one"}.encode(), 10*time.Second); e != nil {
		t.Fatal(e)
	}
	call(t, c, "send_message", kv{"peer", v2.ID, "text", "by id, from the cache"})
}

func TestBackpressureBoundsUpdatesPerClient(t *testing.T) {
	emu := startTestEmulator(t)
	a, _ := emu.CreateUser("9996621301", "A", "", "")
	b, _ := emu.CreateUser("9996621302", "B", "", "")
	c := newTestClient(t, emu, nil, "event_queue_size", 3, "log_level", "off")
	call(t, c, "login", kv{"phone", "9996621301", "code", "22222"})
	call(t, c, "start_updates", nil)
	drain(c)
	for i := 0; i < 25; i++ {
		emu.SendMessage(b.ID, a.ID, fmt.Sprint("m", i))
	}
	time.Sleep(500 * time.Millisecond)
	var kept, dropped int64
	for _, ev := range drain(c) {
		v, _ := decodeMsgpack(ev.data)
		m := v.(map[string]any)
		switch {
		case ev.typ == evDropped:
			dropped += m["count"].(int64)
		case m["type"] == "new_message":
			kept++
		}
	}
	if kept > 3 || kept+dropped != 25 {
		t.Fatalf("kept %d, dropped %d", kept, dropped)
	}
}

func TestEmulatorCommands(t *testing.T) {
	e, ae := StartEmulator(kv{"dcs", 2}.encode())
	if ae != nil {
		t.Fatal(ae)
	}
	defer e.Stop()
	run := func(method string, args kv) map[string]any {
		t.Helper()
		res, ae := e.Call(kv{"method", method, "args", args}.encode())
		if ae != nil {
			t.Fatalf("%s: %v", method, ae)
		}
		v, _ := decodeMsgpack(res)
		m, _ := v.(map[string]any)
		return m
	}
	if dcs := run("info", nil)["dcs"].([]any); len(dcs) != 2 {
		t.Fatalf("dcs %v", dcs)
	}
	u := run("create_user", kv{"phone", "9996621401", "first_name", "Q"})
	cfg := run("client_config", kv{"log_level", "off"})
	if cfg["log_level"] != "off" || len(cfg["dcs"].([]any)) != 2 {
		t.Fatalf("client_config %v", cfg)
	}
	if _, ae := parseConfig(mp(nil).any(cfg)); ae != nil {
		t.Fatalf("client_config is not a valid config: %v", ae)
	}
	run("fail_next", kv{"method", "help.getConfig", "error", "FLOOD_WAIT_3"})
	run("slow_dc", kv{"dc", 1, "delay_ms", 0})
	if st := run("update_state", kv{"user_id", u["id"]}); st["pts"] == nil {
		t.Fatalf("update_state %v", st)
	}
	for _, bad := range [][]byte{kv{"method", "nope"}.encode(), kv{"method", "login_code"}.encode(),
		kv{"method", "info", "args", kv{"x", 1}}.encode(), {0xc1}} {
		if _, ae := e.Call(bad); ae == nil {
			t.Errorf("%x accepted", bad)
		}
	}
	e.Stop()
	if _, ae := LookupEmulator(e.h); ae == nil || ae.status != statusClosed {
		t.Fatalf("stopped: %v", ae)
	}
}

// ---- fuzzing ------------------------------------------------------------

var (
	fuzzEmuOnce    sync.Once
	fuzzEmu        *Emulator
	fuzzClientOnce sync.Once
	fuzzClient     *Client
)

// FuzzEntryPoints feeds random bytes to the Go function behind every export
// that takes input (the first byte picks the entry point): client and
// emulator configurations, the three request encodings, emulator commands,
// and the TL <-> msgpack bridge. None may panic; a fault would reach C as
// POLYGRAM_ERR_INTERNAL.
func FuzzEntryPoints(f *testing.F) {
	getConfig, _ := tl.Encode(&api.HelpGetConfigRequest{})
	seeds := [][]byte{
		append([]byte{0}, kv{"api_id", 1, "api_hash", "x", "dcs", []any{kv{"id", 1, "addr", "h:1"}}}.encode()...),
		append([]byte{1}, kv{"dcs", 2}.encode()...),
		append([]byte{2}, getConfig...),
		append([]byte{3}, kv{"_", "users.getUsers", "id", []any{kv{"_", "inputUserSelf"}}}.encode()...),
		append([]byte{4}, kv{"method", "send_message", "args", kv{"peer", "@a", "text", "*x*", "parse_mode", "markdown"}}.encode()...),
		append([]byte{4}, kv{"method", "ping_local", "args", kv{"a", 1}}.encode()...),
		append([]byte{5}, kv{"method", "create_user", "args", kv{"phone", "9996621500", "first_name", "F"}}.encode()...),
		append([]byte{5}, kv{"method", "history", "args", kv{"viewer", 1, "peer", 2}}.encode()...),
		append([]byte{6}, getConfig...),
		append([]byte{7}, kv{"_", "inputPeerUser", "user_id", 1, "access_hash", 2}.encode()...),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		in := b[1:]
		switch b[0] % 8 {
		case 0:
			parseConfig(in)
		case 1:
			if v, err := decodeMsgpack(in); err == nil {
				fl := newFields("emulator config", "key", v)
				fl.int32("dcs", 0)
				fl.str("snapshot", "")
				fl.finish()
			}
		case 2, 3, 4:
			if j, e := prepare(int(b[0]%8)-1, in); e == nil && j.local {
				fuzzClientOnce.Do(func() {
					var ae *Error
					cfg := kv{"api_id", 1, "api_hash", "x", "dcs", []any{kv{"id", 2, "addr", "127.0.0.1:1"}}}.encode()
					if fuzzClient, ae = NewClient(cfg, nil); ae != nil {
						t.Fatal(ae)
					}
				})
				j.run(context.Background(), fuzzClient)
			}
		case 5:
			fuzzEmuOnce.Do(func() {
				var ae *Error
				if fuzzEmu, ae = StartEmulator(nil); ae != nil {
					t.Fatal(ae)
				}
			})
			if v, err := decodeMsgpack(in); err == nil {
				// Commands that change time or pace are not fuzzed with
				// random values: they would slow every later input.
				if m, ok := v.(map[string]any); ok && (m["method"] == "skew_clock" || m["method"] == "slow_dc" ||
					m["method"] == "set_password") {
					return
				}
			}
			fuzzEmu.Call(in)
		case 6:
			tlpack.API().ObjectToMsgpack(nil, in)
		case 7:
			tlpack.API().ObjectFromMsgpack(nil, in)
		}
	})
}

func FuzzDecodeMsgpack(f *testing.F) {
	f.Add(kv{"a", []any{1, "x", kv{"b", true}}, "c", []byte{1}}.encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeMsgpack(b)
		if err != nil {
			return
		}
		// What decodes re-encodes and decodes to the same value (compared
		// as printed: NaN is not equal to itself).
		again, err := decodeMsgpack(mp(nil).any(v))
		if err != nil || fmt.Sprint(v) != fmt.Sprint(again) {
			t.Fatalf("%v != %v (%v)", v, again, err)
		}
	})
}

func TestConnectionStatesFollowADroppedConnection(t *testing.T) {
	emu := startTestEmulator(t)
	emu.CreateUser("9996621601", "Dee", "", "")
	c := newTestClient(t, emu, nil, "log_level", "off")
	call(t, c, "login", kv{"phone", "9996621601", "code", "22222"})
	var states []string
	collect := func() {
		for _, ev := range drain(c) {
			if ev.typ == evConn {
				v, _ := decodeMsgpack(ev.data)
				states = append(states, v.(map[string]any)["state"].(string))
			}
		}
	}
	collect()
	emu.DropConnections()
	// Reported by the connection layer as it happens: no request needed.
	want := "connecting connected disconnected connecting connected"
	for deadline := time.Now().Add(10 * time.Second); strings.Join(states, " ") != want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		collect()
	}
	if got := strings.Join(states, " "); got != want {
		t.Fatalf("states %q", got)
	}
	call(t, c, "get_me", nil)
	if st := call(t, c, "get_state", nil); st["connection_state"] != "connected" {
		t.Fatalf("get_state %v", st)
	}
}

func TestSendFileAndDownloadMediaThroughFriendlyCalls(t *testing.T) {
	emu := startTestEmulator(t)
	emu.CreateUser("9996631212", "Fio", "", "fio_files")
	emu.CreateUser("9996621213", "Gus", "", "")
	a := newTestClient(t, emu, nil)
	call(t, a, "login", kv{"phone", "+9996631212", "code", "33333"})
	b := newTestClient(t, emu, nil)
	call(t, b, "login", kv{"phone", "+9996621213", "code", "22222"})
	data := bytes.Repeat([]byte{1, 2, 3, 4, 5}, 300000) // 1.5 MB: three parts
	sent := call(t, b, "send_file", kv{"peer", "@fio_files", "data", data, "name", "five.bin", "caption", "**bold** caption"})
	id, ok := sent["id"].(int64)
	if !ok {
		t.Fatalf("send_file answered %v", sent)
	}
	path := filepath.Join(t.TempDir(), "in.bin")
	got := call(t, b, "download_media", kv{"peer", "@fio_files", "message_id", id, "path", path})
	disk, err := os.ReadFile(path)
	if err != nil || got["size"] != int64(len(data)) || !bytes.Equal(disk, data) {
		t.Fatalf("download to path: %v (%v)", got, err)
	}
	mem := call(t, b, "download_media", kv{"peer", "@fio_files", "message_id", id})
	if !bytes.Equal(mem["data"].([]byte), data) {
		t.Fatal("download to memory differs")
	}
	if _, e := b.Invoke(encCall, kv{"method", "send_file", "args", kv{"peer", "@fio_files"}}.encode(), time.Second); e == nil {
		t.Fatal("send_file without path or data accepted")
	}
}

func TestRegisterAddsAFriendlyMethodAndRefusesADuplicate(t *testing.T) {
	const name = "test_only_echo_flag"
	register(name, func(a *fields) *job {
		flag := a.bool("flag", false)
		return &job{local: true, run: func(context.Context, *Client) ([]byte, error) { return kv{"flag", flag}.encode(), nil }}
	})
	t.Cleanup(func() { delete(methods, name) })
	j, e := prepare(encCall, kv{"method", name, "args", kv{"flag", true}}.encode())
	if e != nil {
		t.Fatal(e)
	}
	res, err := j.run(context.Background(), nil)
	if v, _ := decodeMsgpack(res); err != nil || !reflect.DeepEqual(v, map[string]any{"flag": true}) {
		t.Fatalf("%v, %v", v, err)
	}
	if _, e := prepare(encCall, kv{"method", name, "args", kv{"flag", "yes"}}.encode()); e == nil || e.status != statusInvalidArgument {
		t.Fatalf("a wrong argument type: %v", e)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), name+" registered twice") {
			t.Fatalf("a second register: %v", r)
		}
	}()
	register(name, methods[name])
}

func TestWithSessionAddsTheSessionPathOnlyWhenTheConfigHasNone(t *testing.T) {
	cfg := kv{"api_id", 1, "api_hash", "x"}.encode()
	out, e := WithSession(cfg, "/data/app/files/a.session")
	if e != nil {
		t.Fatal(e)
	}
	o, e := parseConfig(out)
	if e != nil || o.session.path != "/data/app/files/a.session" || o.core.APIID != 1 {
		t.Fatalf("%+v, %v", o, e)
	}
	for _, bad := range [][]byte{kv{"api_id", 1, "session", ":memory:"}.encode(), {0x91, 1}, {0xc1}} {
		if _, e := WithSession(bad, "/x"); e == nil {
			t.Errorf("WithSession(%x): no error", bad)
		}
	}
}
