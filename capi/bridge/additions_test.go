package bridge

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"
)

// receiveUntil collects events of c until the RESULT or ERROR of id.
func receiveUntil(t *testing.T, c *Client, id uint64) (before []Event, end Event) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ev, e := c.Receive(100 * time.Millisecond)
		if e != nil {
			continue
		}
		if ev.reqID == id && (ev.typ == evResult || ev.typ == evError) {
			return before, ev
		}
		before = append(before, ev)
	}
	t.Fatal("no end of request")
	return nil, Event{}
}

// checkProgress asserts the PROGRESS events of id: monotonic, the last
// done == total == size.
func checkProgress(t *testing.T, evs []Event, id uint64, size int64) {
	t.Helper()
	var last map[string]any
	n := 0
	for _, ev := range evs {
		if ev.typ != evProgress {
			continue
		}
		if ev.reqID != id {
			t.Fatalf("progress of request %d, want %d", ev.reqID, id)
		}
		v, _ := decodeMsgpack(ev.data)
		m := v.(map[string]any)
		if last != nil && m["done"].(int64) < last["done"].(int64) {
			t.Fatalf("progress went back: %v after %v", m, last)
		}
		last, n = m, n+1
	}
	if n < 2 || last["type"] != "progress" || last["done"] != size || last["total"] != size {
		t.Fatalf("%d progress events, last %v (size %d)", n, last, size)
	}
}

func TestFileCallsReportProgressBeforeTheirResult(t *testing.T) {
	emu := startTestEmulator(t)
	a := signedIn(t, emu, "9996638811", "Pam", "prog_pam")
	b := signedIn(t, emu, "9996618812", "Pat", "prog_pat")
	drain(a)
	drain(b)
	data := bytes.Repeat([]byte("progress"), 300_000) // 2.4 MB: 5 parts
	id, e := a.Send(encCall, kv{"method", "send_file", "args", kv{"peer", "@prog_pat", "data", data, "name", "p.bin", "progress", true}}.encode())
	if e != nil {
		t.Fatal(e)
	}
	evs, end := receiveUntil(t, a, id)
	if end.typ != evResult {
		t.Fatalf("send_file: %s", end.data)
	}
	checkProgress(t, evs, id, int64(len(data)))

	hist := call(t, b, "get_history", kv{"peer", "@prog_pam", "limit", 1})
	msg := hist["messages"].([]any)[0].(map[string]any)["id"]
	drain(b)
	id, e = b.Send(encCall, kv{"method", "download_media", "args", kv{"peer", "@prog_pam", "message_id", msg, "progress", true}}.encode())
	if e != nil {
		t.Fatal(e)
	}
	evs, end = receiveUntil(t, b, id)
	if end.typ != evResult {
		t.Fatalf("download_media: %s", end.data)
	}
	checkProgress(t, evs, id, int64(len(data)))

	// An album counts its files together.
	id, _ = a.Send(encCall, kv{"method", "send_album", "args", kv{"peer", "@prog_pat", "progress", true, "files", []any{
		kv{"data", pngBytes(t, 30, 20), "kind", "photo"}, kv{"data", data, "kind", "document", "name", "d.bin"}}}}.encode())
	evs, end = receiveUntil(t, a, id)
	if end.typ != evResult {
		t.Fatalf("send_album: %s", end.data)
	}
	checkProgress(t, evs, id, int64(len(data)+len(pngBytes(t, 30, 20))))

	// Without "progress" there is none; a blocking call cannot have it.
	id, _ = b.Send(encCall, kv{"method", "download_media", "args", kv{"peer", "@prog_pam", "message_id", msg}}.encode())
	if evs, _ = receiveUntil(t, b, id); len(evs) != 0 {
		for _, ev := range evs {
			if ev.typ == evProgress {
				t.Fatal("progress without asking")
			}
		}
	}
	if _, e := b.Invoke(encCall, kv{"method", "download_media", "args", kv{"peer", "@prog_pam", "message_id", msg, "progress", true}}.encode(), time.Second); e == nil || e.status != statusInvalidArgument {
		t.Fatalf("blocking call with progress: %v", e)
	}
	if _, e := b.Send(encCall, kv{"method", "download_media", "args", kv{"peer", "@prog_pam", "message_id", msg, "progress", 1}}.encode()); e == nil {
		t.Fatal("progress: 1 was accepted")
	}
}

func TestStartRunsABlockingCallAndWakes(t *testing.T) {
	emu := startTestEmulator(t)
	c := signedIn(t, emu, "9996638821", "Sam", "")
	woken := make(chan struct{}, 100)
	c.SetWaker(func() {
		select {
		case woken <- struct{}{}:
		default:
		}
	})
	k, e := c.Start(encMsgpack, kv{"_", "help.getNearestDc"}.encode(), 10*time.Second)
	if e != nil {
		t.Fatal(e)
	}
	for !k.Done() {
		select {
		case <-woken:
		case <-time.After(10 * time.Second):
			t.Fatal("never woken")
		}
	}
	res, e := k.Result()
	if v, _ := decodeMsgpack(res); e != nil || v.(map[string]any)["_"] != "nearestDc" {
		t.Fatalf("%v %v", v, e)
	}
	k, e = c.Start(encCall, kv{"method", "ping_local", "args", kv{"x", 1}}.encode(), 0)
	if e != nil || !k.Done() {
		t.Fatalf("local call: %v", e)
	}
	if _, e := c.Start(encCall, []byte{0xc1}, 0); e == nil {
		t.Fatal("bad msgpack accepted")
	}
}

func TestEmulatorCommandsForAlbumsAdminsKeysAndFaults(t *testing.T) {
	emu := startTestEmulator(t)
	e := &Emulator{emu: emu}
	run := func(method string, args kv) map[string]any {
		t.Helper()
		out, ae := e.Call(kv{"method", method, "args", args}.encode())
		if ae != nil {
			t.Fatalf("%s: %v", method, ae)
		}
		v, _ := decodeMsgpack(out)
		m, _ := v.(map[string]any)
		return m
	}
	ann := run("create_user", kv{"phone", "9996610001", "first_name", "Ann"})["id"].(int64)
	bob := run("create_user", kv{"phone", "9996610002", "first_name", "Bob"})["id"].(int64)
	c := newTestClient(t, emu, nil)
	call(t, c, "login", kv{"phone", "9996610002", "code", emu.LoginCode("9996610002")})
	call(t, c, "start_updates", nil)

	ids := run("send_album", kv{"from", ann, "peer", bob, "captions", []any{"a", "b", "c"}})["ids"].([]any)
	if len(ids) != 3 {
		t.Fatalf("album ids %v", ids)
	}
	album := waitFor(t, c, func(ev Event, m map[string]any) bool { return m["type"] == "album" })
	if msgs := album["messages"].([]any); len(msgs) != 3 || album["sender_id"] != ann {
		t.Fatalf("album event %v", album)
	}
	ch := run("create_channel", kv{"creator", ann, "title", "T", "megagroup", true, "members", []any{bob}})["peer"].(int64)
	run("promote", kv{"chat", ch, "user_id", bob, "rights", kv{"change_info", true, "pin_messages", true}})
	run("ban", kv{"chat", ch, "user_id", bob, "rights", kv{"send_messages", true, "until_date", 0}})
	if link := run("invite_link", kv{"chat", ch})["link"].(string); len(link) < 15 {
		t.Fatalf("link %q", link)
	}
	run("force_difference_too_long", kv{"user_id", bob})
	run("force_channel_difference_too_long", kv{"user_id", bob, "channel", ch})
	key := make([]byte, 256)
	rand.Read(key)
	run("auth_key", kv{"dc", 2, "key", key, "user_id", bob})

	for _, bad := range []kv{
		{"method", "send_album", "args", kv{"from", ann, "peer", bob, "captions", []any{"one"}}},
		{"method", "promote", "args", kv{"chat", ch, "user_id", bob, "rights", kv{"fly", true}}},
		{"method", "promote", "args", kv{"chat", ch, "user_id", bob, "rights", "all"}},
		{"method", "invite_link", "args", kv{"chat", -1009}},
		{"method", "auth_key", "args", kv{"dc", 2, "key", []byte("short")}},
		{"method", "force_channel_difference_too_long", "args", kv{"user_id", bob, "channel", bob}},
	} {
		if _, ae := e.Call(bad.encode()); ae == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}
