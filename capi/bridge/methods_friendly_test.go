package bridge

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fxListLen is the length of a list in an answer.
func fxListLen(t *testing.T, m map[string]any, key string) []any {
	t.Helper()
	l, ok := m[key].([]any)
	if !ok {
		t.Fatalf("%s missing from %v", key, m)
	}
	return l
}

func TestPaginationPinsScheduleArchiveAndParticipantsThroughFriendlyCalls(t *testing.T) {
	emu := startTestEmulator(t)
	ann, _ := emu.CreateUser("9996631801", "Ann", "", "fxb_ann")
	bob, _ := emu.CreateUser("9996631802", "Bob", "", "fxb_bob")
	for i := range 150 {
		if _, err := emu.SendMessage(bob.ID, ann.ID, fmt.Sprint("n", i)); err != nil {
			t.Fatal(err)
		}
	}
	super, err := emu.CreateChannel(ann.ID, "Crew", "", true, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	a := newTestClient(t, emu, nil)
	call(t, a, "login", kv{"phone", "+9996631801", "code", "33333"})

	all := call(t, a, "iter_messages", kv{"peer", "@fxb_bob", "limit", -1, "page_size", 40})
	if msgs := fxListLen(t, all, "messages"); len(msgs) != 150 || msgs[0].(map[string]any)["message"] != "n149" {
		t.Fatalf("iter_messages: %d", len(msgs))
	}
	rev := fxListLen(t, call(t, a, "iter_messages", kv{"peer", "@fxb_bob", "limit", 3, "reverse", true}), "messages")
	if len(rev) != 3 || rev[0].(map[string]any)["message"] != "n0" {
		t.Fatalf("reverse: %v", rev)
	}
	from := fxListLen(t, call(t, a, "iter_messages", kv{"peer", "@fxb_bob", "limit", -1, "from_user", "@fxb_bob", "search", "n14"}), "messages")
	if len(from) != 11 {
		t.Fatalf("from_user + search: %d", len(from))
	}

	first := rev[0].(map[string]any)["id"].(int64)
	call(t, a, "pin_message", kv{"peer", "@fxb_bob", "id", first})
	pinned := fxListLen(t, call(t, a, "get_pinned_messages", kv{"peer", "@fxb_bob"}), "messages")
	if len(pinned) != 1 || pinned[0].(map[string]any)["id"] != first {
		t.Fatalf("pinned: %v", pinned)
	}
	call(t, a, "unpin_message", kv{"peer", "@fxb_bob", "id", first})
	call(t, a, "pin_message", kv{"peer", "@fxb_bob", "id", first})
	call(t, a, "unpin_all_messages", kv{"peer", "@fxb_bob"})
	if p := fxListLen(t, call(t, a, "get_pinned_messages", kv{"peer", "@fxb_bob"}), "messages"); len(p) != 0 {
		t.Fatalf("after unpin_all_messages: %v", p)
	}

	// A scheduled message, through a TL call; then listed, sent now.
	peer := call(t, a, "resolve_peer", kv{"peer", "@fxb_bob"})
	_, e := a.Invoke(encMsgpack, kv{"_", "messages.sendMessage", "peer", kv{"_", "inputPeerUser", "user_id", bob.ID,
		"access_hash", peer["access_hash"]}, "message", "tomorrow", "random_id", int64(77),
		"schedule_date", time.Now().Add(24 * time.Hour).Unix()}.encode(), 10*time.Second)
	if e != nil {
		t.Fatal(e)
	}
	sched := fxListLen(t, call(t, a, "get_scheduled_messages", kv{"peer", "@fxb_bob"}), "messages")
	if len(sched) != 1 || sched[0].(map[string]any)["message"] != "tomorrow" {
		t.Fatalf("scheduled: %v", sched)
	}
	call(t, a, "send_scheduled_now", kv{"peer", "@fxb_bob", "ids", []any{sched[0].(map[string]any)["id"]}})
	if hist, _ := emu.History(bob.ID, ann.ID); hist[len(hist)-1].Text != "tomorrow" {
		t.Fatalf("not sent now: %+v", hist[len(hist)-1])
	}
	if _, e := a.Invoke(encCall, kv{"method", "delete_scheduled_messages", "args", kv{"peer", "@fxb_bob", "ids", []any{999}}}.encode(), 5*time.Second); e == nil {
		t.Fatal("deleting an unknown scheduled message succeeded")
	}

	dialogs := fxListLen(t, call(t, a, "iter_dialogs", kv{"limit", -1, "page_size", 1}), "dialogs")
	if len(dialogs) != 2 {
		t.Fatalf("dialogs: %v", dialogs)
	}
	call(t, a, "archive_dialog", kv{"peer", "@fxb_bob"})
	arch := fxListLen(t, call(t, a, "iter_dialogs", kv{"archived", true}), "dialogs")
	if len(arch) != 1 || arch[0].(map[string]any)["folder"] != int64(1) {
		t.Fatalf("archive: %v", arch)
	}

	parts := fxListLen(t, call(t, a, "get_participants", kv{"peer", super}), "participants")
	admins := fxListLen(t, call(t, a, "get_participants", kv{"peer", super, "filter", "admins"}), "participants")
	if len(parts) != 2 || len(admins) != 1 || admins[0].(map[string]any)["creator"] != true {
		t.Fatalf("participants %v, admins %v", parts, admins)
	}
	if _, e := a.Invoke(encCall, kv{"method", "get_participants", "args", kv{"peer", super, "filter", "vips"}}.encode(), time.Second); e == nil || e.Status() != statusInvalidArgument {
		t.Fatalf("unknown filter: %v", e)
	}
}

func TestBotCallbackAndInlineQueriesThroughFriendlyCalls(t *testing.T) {
	emu := startTestEmulator(t)
	user, _ := emu.CreateUser("9996631811", "Uma", "", "fxb_uma")
	friend, _ := emu.CreateUser("9996631812", "Fen", "", "fxb_fen")
	botUser, token, _ := emu.CreateBot("fxb_button_bot", "Buttons")

	var mu sync.Mutex
	var seen []string
	var bot *Client
	bot = newTestClient(t, emu, func(_ uint64, ev *Event) {
		m, ok := updateMap(ev)
		if !ok {
			return
		}
		mu.Lock()
		seen = append(seen, fmt.Sprint(m["type"]))
		mu.Unlock()
		switch m["type"] {
		case "new_message":
			if m["out"] == true {
				return
			}
			var hash any
			for _, u := range m["users"].([]any) {
				if u.(map[string]any)["id"] == m["chat_id"] {
					hash = u.(map[string]any)["access_hash"]
				}
			}
			keyboard := kv{"_", "replyInlineMarkup", "rows", []any{kv{"_", "keyboardInlineButtonRow", "buttons", []any{
				kv{"_", "keyboardInlineButton", "text", "Go", "type", kv{"_", "inlineButtonTypeCallback", "data", []byte("go")}},
				kv{"_", "keyboardInlineButton", "text", "Web", "type", kv{"_", "inlineButtonTypeUrl", "url", "https://example.org"}},
			}}}}
			bot.Send(encMsgpack, kv{"_", "messages.sendMessage", "peer", kv{"_", "inputPeerUser", "user_id", m["chat_id"],
				"access_hash", hash}, "message", "menu", "random_id", int64(5), "reply_markup", keyboard}.encode())
		case "callback_query":
			if string(m["data"].([]byte)) != "go" || m["user_id"] != user.ID || m["chat_id"] != user.ID {
				t.Errorf("callback_query %v", m)
			}
			bot.Send(encCall, kv{"method", "answer_callback_query", "args", kv{"query_id", m["query_id"], "message", "going", "alert", true}}.encode())
		case "inline_query":
			bot.Send(encCall, kv{"method", "answer_inline_query", "args", kv{"query_id", m["query_id"], "next_offset", "x",
				"results", []any{kv{"id", "r1", "title", "Echo", "text", "__" + m["query"].(string) + "__", "parse_mode", "markdown"}}}}.encode())
		}
	})
	call(t, bot, "login", kv{"bot_token", token})
	call(t, bot, "start_updates", nil)

	u := newTestClient(t, emu, nil)
	call(t, u, "login", kv{"phone", "+9996631811", "code", "33333"})
	call(t, u, "send_message", kv{"peer", "@fxb_button_bot", "text", "/start"})
	var menu int64
	for deadline := time.Now().Add(10 * time.Second); menu == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no menu from the bot")
		}
		hist, _ := emu.History(user.ID, botUser.ID)
		for _, m := range hist {
			if m.Text == "menu" && m.HasMarkup {
				menu = int64(m.ID)
			}
		}
	}
	ans := call(t, u, "click", kv{"peer", "@fxb_button_bot", "msg_id", menu, "data", "go"})
	if a := ans["answer"].(map[string]any); a["message"] != "going" || a["alert"] != true || ans["text"] != "Go" {
		t.Fatalf("click: %v", ans)
	}
	if url := call(t, u, "click", kv{"peer", "@fxb_button_bot", "msg_id", menu, "row", 0, "col", 1}); url["url"] != "https://example.org" {
		t.Fatalf("url button: %v", url)
	}
	res := call(t, u, "inline_query", kv{"bot", "@fxb_button_bot", "peer", "@fxb_fen", "query", "hey"})
	results := fxListLen(t, res, "results")
	if len(results) != 1 || results[0].(map[string]any)["text"] != "hey" || res["next_offset"] != "x" {
		t.Fatalf("inline_query: %v", res)
	}
	call(t, u, "send_inline_result", kv{"peer", "@fxb_fen", "query_id", res["query_id"], "id", "r1"})
	if hist, _ := emu.History(friend.ID, user.ID); len(hist) != 1 || hist[0].Text != "hey" || len(hist[0].Entities) != 1 {
		t.Fatalf("friend got %+v", hist)
	}
	mu.Lock()
	defer mu.Unlock()
	kinds := map[string]bool{}
	for _, s := range seen {
		kinds[s] = true
	}
	if !kinds["callback_query"] || !kinds["inline_query"] {
		t.Fatalf("the bot saw %v", seen)
	}
}

func TestEditInlineMessageThroughAFriendlyCall(t *testing.T) {
	emu := startTestEmulator(t)
	user, _ := emu.CreateUser("9996631821", "Ina", "", "fxe_ina")
	friend, _ := emu.CreateUser("9996631822", "Fox", "", "fxe_fox")
	_, token, _ := emu.CreateBot("fxe_inline_bot", "Inline")

	queries := make(chan map[string]any, 4)
	var bot *Client
	bot = newTestClient(t, emu, func(_ uint64, ev *Event) {
		m, ok := updateMap(ev)
		if !ok {
			return
		}
		switch m["type"] {
		case "inline_query":
			like := kv{"_", "replyInlineMarkup", "rows", []any{kv{"_", "keyboardInlineButtonRow", "buttons", []any{
				kv{"_", "keyboardInlineButton", "text", "Like", "type", kv{"_", "inlineButtonTypeCallback", "data", []byte("like")}}}}}}
			bot.Send(encCall, kv{"method", "answer_inline_query", "args", kv{"query_id", m["query_id"],
				"results", []any{kv{"id", "r1", "title", "Poll", "text", "do you like it?", "buttons", like}}}}.encode())
		case "callback_query":
			bot.Send(encCall, kv{"method", "answer_callback_query", "args", kv{"query_id", m["query_id"]}}.encode())
			queries <- m
		}
	})
	call(t, bot, "login", kv{"bot_token", token})
	call(t, bot, "start_updates", nil)
	u := newTestClient(t, emu, nil)
	call(t, u, "login", kv{"phone", "+9996631821", "code", "33333"})
	f := newTestClient(t, emu, nil)
	call(t, f, "login", kv{"phone", "+9996631822", "code", "33333"})

	res := call(t, u, "inline_query", kv{"bot", "@fxe_inline_bot", "peer", "@fxe_fox", "query", "poll"})
	sent := call(t, u, "send_inline_result", kv{"peer", "@fxe_fox", "query_id", res["query_id"], "id", "r1"})
	hist, _ := emu.History(friend.ID, user.ID)
	if len(hist) != 1 {
		t.Fatalf("fox got %+v (sent %v)", hist, sent)
	}
	call(t, f, "click", kv{"peer", "@fxe_ina", "msg_id", hist[0].ID, "data", "like"})
	var q map[string]any
	select {
	case q = <-queries:
	case <-time.After(10 * time.Second):
		t.Fatal("no callback query")
	}
	id, ok := q["inline_message_id"].(map[string]any)
	if !ok || id["_"] != "inputBotInlineMessageID" || q["chat_id"] != nil && q["chat_id"] != int64(0) {
		t.Fatalf("callback_query %v", q)
	}

	// The bot edits it with the id the event gave, as it came.
	call(t, bot, "edit_inline_message", kv{"inline_message_id", id, "text", "**42** likes", "parse_mode", "markdown"})
	for _, side := range [][2]int64{{friend.ID, user.ID}, {user.ID, friend.ID}} {
		h, _ := emu.History(side[0], side[1])
		if len(h) != 1 || h[0].Text != "42 likes" || len(h[0].Entities) != 1 {
			t.Fatalf("user %d sees %+v", side[0], h)
		}
	}

	for _, tc := range []struct {
		args kv
		want string
	}{
		{kv{"text", "x"}, `"inline_message_id" is required`},
		{kv{"inline_message_id", kv{"_", "inputPeerSelf"}, "text", "x"}, "inputBotInlineMessageID"},
		{kv{"inline_message_id", "nope", "text", "x"}, "inline_message_id"},
	} {
		_, e := bot.Invoke(encCall, kv{"method", "edit_inline_message", "args", tc.args}.encode(), 10*time.Second)
		if e == nil || e.Status() != statusInvalidArgument || !strings.Contains(e.Error(), tc.want) {
			t.Errorf("edit_inline_message %v: %v", tc.args, e)
		}
	}
	// A user may not (the server says so, typed).
	_, e := u.Invoke(encCall, kv{"method", "edit_inline_message", "args", kv{"inline_message_id", id, "text", "x"}}.encode(), 10*time.Second)
	if e == nil || !strings.Contains(e.Error(), "USER_BOT_REQUIRED") {
		t.Fatalf("a user's edit: %v", e)
	}
}
