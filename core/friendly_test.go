package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// fxWorld is two users and a bot, all logged in.
type fxWorld struct {
	emu          *emulator.Emulator
	ann, bob     *emulator.User
	bot          *emulator.User
	a, b, botc   *core.Client
	annAsSeenByA session.Peer
}

func fxSetup(t *testing.T) *fxWorld {
	t.Helper()
	w := &fxWorld{emu: startEmulator(t)}
	var err error
	if w.ann, err = w.emu.CreateUser("9996621701", "Ann", "Fox", "fx_ann"); err != nil {
		t.Fatal(err)
	}
	if w.bob, err = w.emu.CreateUser("9996621702", "Bob", "Bear", "fx_bob"); err != nil {
		t.Fatal(err)
	}
	bot, token, err := w.emu.CreateBot("fx_helper_bot", "Helper")
	if err != nil {
		t.Fatal(err)
	}
	w.bot = bot
	w.a = newClient(t, w.emu, nil)
	login(t, w.emu, w.a, w.ann.Phone)
	w.b = newClient(t, w.emu, nil)
	login(t, w.emu, w.b, w.bob.Phone)
	w.botc = newClient(t, w.emu, nil)
	if _, err := w.botc.Login(ctx(t), core.LoginOptions{BotToken: token}); err != nil {
		t.Fatal(err)
	}
	return w
}

func fxResolve(t *testing.T, c *core.Client, q string) session.Peer {
	t.Helper()
	p, err := c.ResolvePeer(ctx(t), q)
	if err != nil {
		t.Fatalf("resolving %s: %v", q, err)
	}
	return p
}

// fxEvents starts updates on c and returns its events.
func fxEvents(t *testing.T, c *core.Client) chan core.Event {
	t.Helper()
	ch := make(chan core.Event, 4096)
	c.OnEvent(func(_ context.Context, ev core.Event) {
		select {
		case ch <- ev:
		default:
		}
	})
	if err := c.StartUpdates(ctx(t), false); err != nil {
		t.Fatal(err)
	}
	return ch
}

// fxWait returns the first event of type T that ok accepts.
func fxWait[T core.Event](t *testing.T, ch chan core.Event, ok func(T) bool) T {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-ch:
			if x, is := ev.(T); is && (ok == nil || ok(x)) {
				return x
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T event came", zero)
			return zero
		}
	}
}

func fxOne(t *testing.T, c *core.Client, p session.Peer, id int32) *api.Message {
	t.Helper()
	msgs, err := c.GetMessages(ctx(t), p, []int32{id})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("message %d: %v %v", id, msgs, err)
	}
	return msgs[0]
}

func TestSendMessageOptionsReachTheRecipient(t *testing.T) {
	w := fxSetup(t)
	bob := fxResolve(t, w.a, "@fx_bob")
	first, err := w.a.SendMessage(ctx(t), bob, "first", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kb := core.InlineKeyboard(
		core.InlineRow(core.CallbackButton("Yes", []byte("yes")), core.URLButton("Site", "https://example.org")),
		core.InlineRow(core.SwitchInlineButton("Share", "q", true)))
	id, err := w.a.SendMessage(ctx(t), bob, "**bold** and __it__ https://example.org", core.SendOptions{
		ReplyTo: first, Silent: true, NoWebpage: true, ParseMode: "markdown", Buttons: kb})
	if err != nil {
		t.Fatal(err)
	}
	mine := fxOne(t, w.a, bob, id)
	if mine.Message != "bold and it https://example.org" || len(mine.Entities) != 2 || !mine.Silent {
		t.Fatalf("sent %+v", mine)
	}
	hist, err := w.emu.History(w.bob.ID, w.ann.ID)
	if err != nil || len(hist) != 2 {
		t.Fatalf("bob's history %v %v", hist, err)
	}
	got := hist[1]
	if got.Text != mine.Message || got.ReplyTo != hist[0].ID || !got.HasMarkup || len(got.Entities) != 2 {
		t.Fatalf("bob got %+v", got)
	}
	if _, ok := got.Entities[0].(*api.MessageEntityBold); !ok {
		t.Fatalf("entity %T", got.Entities[0])
	}
	// Bob's client sees the same buttons.
	ann := fxResolve(t, w.b, "@fx_ann")
	bobs := fxOne(t, w.b, ann, got.ID)
	rows := core.InlineButtons(bobs)
	if len(rows) != 2 || len(rows[0]) != 2 || rows[0][0].Text != "Yes" || rows[1][0].Text != "Share" {
		t.Fatalf("buttons %+v", rows)
	}
	// HTML, and a reply keyboard.
	id, err = w.a.SendMessage(ctx(t), bob, "<b>hi</b> <code>x</code>", core.SendOptions{ParseMode: "HTML",
		Buttons: core.ReplyKeyboard(core.KeyboardOptions{Resize: true, Placeholder: "pick"},
			core.KeyboardRow(core.TextButton("A"), core.TextButton("B")))})
	if err != nil {
		t.Fatal(err)
	}
	m := fxOne(t, w.a, bob, id)
	if rk, ok := m.ReplyMarkup.(*api.ReplyKeyboardMarkup); m.Message != "hi x" || len(m.Entities) != 2 || !ok || !rk.Resize || rk.Placeholder.Val != "pick" {
		t.Fatalf("html+keyboard %+v %+v", m, m.ReplyMarkup)
	}
	for _, mk := range []api.ReplyMarkupClass{core.ForceReply("say", true), core.ClearKeyboard(false)} {
		id, err := w.a.SendMessage(ctx(t), bob, "markup", core.SendOptions{Buttons: mk})
		if err != nil {
			t.Fatal(err)
		}
		if got := fxOne(t, w.a, bob, id).ReplyMarkup; got == nil || got.TypeID() != mk.TypeID() {
			t.Fatalf("markup %T came back as %T", mk, got)
		}
	}

	// Bad input is refused before anything is sent.
	if _, err := w.a.SendMessage(ctx(t), bob, "x", core.SendOptions{ParseMode: "rst"}); !errors.Is(err, core.ErrParseMode) {
		t.Fatalf("unknown parse mode: %v", err)
	}
	var me *core.MarkupError
	big := core.InlineKeyboard(core.InlineRow(core.CallbackButton("ok", []byte("a")), core.CallbackButton("big", make([]byte, 65))))
	if _, err := w.a.SendMessage(ctx(t), bob, "x", core.SendOptions{Buttons: big}); !errors.As(err, &me) || me.Row != 0 || me.Col != 1 {
		t.Fatalf("65 bytes of callback data: %v", err)
	}
	if _, err := w.a.SendMessage(ctx(t), bob, "x", core.SendOptions{Buttons: core.InlineKeyboard(core.InlineRow(core.URLButton("u", "javascript:1")))}); !errors.As(err, &me) {
		t.Fatalf("bad URL: %v", err)
	}
	if hist, _ := w.emu.History(w.bob.ID, w.ann.ID); len(hist) != 5 {
		t.Fatalf("bob has %d messages, want 5", len(hist))
	}
}

func TestScheduledMessagesWaitForTheirTime(t *testing.T) {
	w := fxSetup(t)
	bob := fxResolve(t, w.a, "@fx_bob")
	at := time.Now().Add(2 * time.Second)
	sid, err := w.a.SendMessage(ctx(t), bob, "later", core.SendOptions{Schedule: at})
	if err != nil {
		t.Fatal(err)
	}
	now1, err := w.a.SendMessage(ctx(t), bob, "send me now", core.SendOptions{Schedule: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := w.a.SendMessage(ctx(t), bob, "never", core.SendOptions{Schedule: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	sched, err := w.a.GetScheduledMessages(ctx(t), bob)
	if err != nil || len(sched) != 3 || sched[2].ID != sid || sched[2].Message != "later" || sched[2].Date != int32(at.Unix()) {
		t.Fatalf("scheduled %v %v", sched, err)
	}
	if hist, _ := w.emu.History(w.bob.ID, w.ann.ID); len(hist) != 0 {
		t.Fatalf("a scheduled message arrived early: %+v", hist)
	}
	if err := w.a.DeleteScheduledMessages(ctx(t), bob, []int32{gone}); err != nil {
		t.Fatal(err)
	}
	if err := w.a.SendScheduledNow(ctx(t), bob, []int32{now1}); err != nil {
		t.Fatal(err)
	}
	if hist, _ := w.emu.History(w.bob.ID, w.ann.ID); len(hist) != 1 || hist[0].Text != "send me now" {
		t.Fatalf("sent now: %+v", hist)
	}
	deadline := time.Now().Add(6 * time.Second)
	for {
		hist, _ := w.emu.History(w.bob.ID, w.ann.ID)
		if len(hist) == 2 {
			if hist[1].Text != "later" || time.Now().Before(at.Truncate(time.Second)) {
				t.Fatalf("delivered %+v at %v", hist[1], time.Now())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scheduled message never came: %+v", hist)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if sched, err := w.a.GetScheduledMessages(ctx(t), bob); err != nil || len(sched) != 0 {
		t.Fatalf("left scheduled: %v %v", sched, err)
	}
}

func TestEditMessageTextAndButtons(t *testing.T) {
	w := fxSetup(t)
	bob := fxResolve(t, w.a, "@fx_bob")
	id, err := w.a.SendMessage(ctx(t), bob, "draft", core.SendOptions{
		Buttons: core.InlineKeyboard(core.InlineRow(core.CallbackButton("one", []byte("1"))))})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.a.EditMessage(ctx(t), bob, id, "__final__", core.SendOptions{ParseMode: "md"}); err != nil {
		t.Fatal(err)
	}
	hist, _ := w.emu.History(w.bob.ID, w.ann.ID)
	if len(hist) != 1 || hist[0].Text != "final" || hist[0].EditDate.IsZero() || len(hist[0].Entities) != 1 || !hist[0].HasMarkup {
		t.Fatalf("after the text edit: %+v", hist)
	}
	// Buttons only: the text stays.
	if err := w.a.EditMessage(ctx(t), bob, id, "", core.SendOptions{
		Buttons: core.InlineKeyboard(core.InlineRow(core.CallbackButton("two", []byte("2"))))}); err != nil {
		t.Fatal(err)
	}
	ann := fxResolve(t, w.b, "@fx_ann")
	m := fxOne(t, w.b, ann, hist[0].ID)
	rows := core.InlineButtons(m)
	if m.Message != "final" || len(rows) != 1 || rows[0][0].Text != "two" {
		t.Fatalf("after the buttons edit: %q %+v", m.Message, rows)
	}
}

func TestPinUnpinAndUnpinAllInGroupAndSupergroup(t *testing.T) {
	w := fxSetup(t)
	group, err := w.emu.CreateChat(w.ann.ID, "Pins", w.bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	super, err := w.emu.CreateChannel(w.ann.ID, "Super pins", "", true, w.bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.GetDialogs(ctx(t), 0); err != nil { // meets both chats
		t.Fatal(err)
	}
	for _, marked := range []int64{group, super} {
		chat, err := w.a.ResolveID(ctx(t), marked)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int32
		for i := range 3 {
			id, err := w.a.SendMessage(ctx(t), chat, fmt.Sprint("m", i), core.SendOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := w.a.PinMessage(ctx(t), chat, ids[0], false, false); err != nil {
			t.Fatal(err)
		}
		if err := w.a.PinMessage(ctx(t), chat, ids[2], false, true); err != nil {
			t.Fatal(err)
		}
		pinned, err := w.a.GetPinnedMessages(ctx(t), chat)
		if err != nil || len(pinned) != 2 || pinned[0].ID != ids[2] || pinned[1].ID != ids[0] || !pinned[0].Pinned {
			t.Fatalf("%d: pinned %v %v", marked, pinned, err)
		}
		if m := fxOne(t, w.a, chat, ids[1]); m.Pinned {
			t.Fatalf("%d: message %d shows pinned", marked, ids[1])
		}
		// Bob sees the pin, and the service message announcing it.
		bobChat, err := w.b.ResolveID(ctx(t), marked)
		if err != nil {
			if _, err := w.b.GetDialogs(ctx(t), 0); err != nil {
				t.Fatal(err)
			}
			bobChat, _ = w.b.ResolveID(ctx(t), marked)
		}
		bobPinned, err := w.b.GetPinnedMessages(ctx(t), bobChat)
		if err != nil || len(bobPinned) != 2 {
			t.Fatalf("%d: bob sees %d pinned (%v)", marked, len(bobPinned), err)
		}
		hist, _ := w.emu.History(w.bob.ID, marked)
		pins := 0
		for _, h := range hist {
			if _, ok := h.Action.(*api.MessageActionPinMessage); ok {
				pins++
			}
		}
		if pins != 2 {
			t.Fatalf("%d: %d pin service messages, want 2", marked, pins)
		}
		if err := w.a.UnpinMessage(ctx(t), chat, ids[2]); err != nil {
			t.Fatal(err)
		}
		if pinned, _ := w.a.GetPinnedMessages(ctx(t), chat); len(pinned) != 1 || pinned[0].ID != ids[0] {
			t.Fatalf("%d: after unpin %v", marked, pinned)
		}
		if err := w.a.PinMessage(ctx(t), chat, ids[1], false, true); err != nil {
			t.Fatal(err)
		}
		if err := w.a.UnpinAllMessages(ctx(t), chat); err != nil {
			t.Fatal(err)
		}
		if pinned, _ := w.b.GetPinnedMessages(ctx(t), bobChat); len(pinned) != 0 {
			t.Fatalf("%d: after unpin all bob sees %v", marked, pinned)
		}
	}
}

func TestIterMessagesPaginatesAcrossPages(t *testing.T) {
	w := fxSetup(t)
	const n = 250
	for i := range n {
		from, to := w.bob.ID, w.ann.ID
		if i%5 == 4 {
			from, to = w.ann.ID, w.bob.ID
		}
		if _, err := w.emu.SendMessage(from, to, fmt.Sprintf("msg %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	bob := fxResolve(t, w.a, "@fx_bob")
	all, err := w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: core.NoLimit})
	if err != nil || len(all) != n {
		t.Fatalf("got %d messages (%v), want %d", len(all), err, n)
	}
	for i, m := range all {
		if want := fmt.Sprintf("msg %d", n-1-i); m.Message != want {
			t.Fatalf("message %d is %q, want %q", i, m.Message, want)
		}
	}
	ids := make([]int32, n) // ascending
	for i, m := range all {
		ids[n-1-i] = m.ID
	}
	// Small pages cross many boundaries; reverse order gives the oldest first.
	rev, err := w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: core.NoLimit, Reverse: true, PageSize: 33})
	if err != nil || len(rev) != n || rev[0].Message != "msg 0" || rev[n-1].Message != "msg 249" {
		t.Fatalf("reverse: %d %v", len(rev), err)
	}
	for i := 1; i < n; i++ {
		if rev[i].ID <= rev[i-1].ID {
			t.Fatalf("reverse order broken at %d", i)
		}
	}
	// Default limit, an explicit one, and one that is not a page multiple.
	for limit, want := range map[int]int{0: 100, 150: 150, 249: 249, 1000: n} {
		got, err := w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: limit})
		if err != nil || len(got) != want {
			t.Fatalf("limit %d: %d messages (%v), want %d", limit, len(got), err, want)
		}
	}
	// Bounds: ids strictly between min and max, and an offset.
	got, err := w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: core.NoLimit, MinID: ids[10], MaxID: ids[200]})
	if err != nil || len(got) != 189 || got[0].ID != ids[199] || got[188].ID != ids[11] {
		t.Fatalf("min/max: %d %v", len(got), err)
	}
	got, err = w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: 5, OffsetID: ids[100]})
	if err != nil || len(got) != 5 || got[0].ID != ids[99] {
		t.Fatalf("offset: %v %v", got, err)
	}
	got, err = w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: 3, OffsetID: ids[100], Reverse: true})
	if err != nil || len(got) != 3 || got[0].ID != ids[101] {
		t.Fatalf("reverse offset: %v %v", got, err)
	}
	got, err = w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: core.NoLimit, OffsetDate: time.Now().Add(time.Hour)})
	if err != nil || len(got) != n {
		t.Fatalf("offset date in the future: %d %v", len(got), err)
	}
	// Search, sender, and both.
	got, err = w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: core.NoLimit, Search: "msg 1", PageSize: 20})
	want := 0
	for i := range n {
		if strings.Contains(fmt.Sprintf("msg %d", i), "msg 1") {
			want++
		}
	}
	if err != nil || len(got) != want {
		t.Fatalf("search: %d (%v), want %d", len(got), err, want)
	}
	annPeer, _ := w.a.Self(ctx(t))
	got, err = w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: core.NoLimit, FromUser: annPeer, PageSize: 30})
	if err != nil || len(got) != n/5 || !got[0].Out {
		t.Fatalf("from ann: %d %v", len(got), err)
	}
	got, err = w.a.GetHistory(ctx(t), bob, core.HistoryOptions{Limit: core.NoLimit, FromUser: bob, Reverse: true})
	if err != nil || len(got) != n-n/5 || got[0].Message != "msg 0" || got[0].Out {
		t.Fatalf("from bob, reversed: %d %v", len(got), err)
	}
	// By ids, in the order asked; a missing id is skipped.
	pick := []int32{ids[7], ids[3], 999999, ids[240]}
	got, err = w.a.GetHistory(ctx(t), bob, core.HistoryOptions{IDs: pick})
	if err != nil || len(got) != 3 || got[0].ID != ids[7] || got[1].ID != ids[3] || got[2].ID != ids[240] {
		t.Fatalf("by ids: %v %v", got, err)
	}
	// Breaking out of the loop stops it.
	count := 0
	for m, err := range w.a.IterMessages(ctx(t), bob, core.HistoryOptions{Limit: core.NoLimit}) {
		if err != nil {
			t.Fatal(err)
		}
		if count++; count == 120 || m == nil {
			break
		}
	}
	if count != 120 {
		t.Fatalf("stopped after %d", count)
	}
}

func TestIterMessagesFromADate(t *testing.T) {
	w := fxSetup(t)
	for i := range 30 {
		if i == 15 {
			w.emu.SkewClock(time.Hour)
		}
		if _, err := w.emu.SendMessage(w.bob.ID, w.ann.ID, fmt.Sprint("dated ", i)); err != nil {
			t.Fatal(err)
		}
	}
	bob := fxResolve(t, w.a, "@fx_bob")
	mid := time.Now().Add(30 * time.Minute)
	for _, tc := range []struct {
		name        string
		o           core.HistoryOptions
		first, last string
		n           int
	}{
		{"before", core.HistoryOptions{OffsetDate: mid, Limit: core.NoLimit, PageSize: 4}, "dated 14", "dated 0", 15},
		{"from, oldest first", core.HistoryOptions{OffsetDate: mid, Reverse: true, Limit: core.NoLimit, PageSize: 4}, "dated 15", "dated 29", 15},
		{"search before", core.HistoryOptions{OffsetDate: mid, Search: "dated", Limit: core.NoLimit, PageSize: 4}, "dated 14", "dated 0", 15},
		{"search from, oldest first", core.HistoryOptions{OffsetDate: mid, Search: "dated", Reverse: true, Limit: core.NoLimit, PageSize: 4}, "dated 15", "dated 29", 15},
	} {
		got, err := w.a.GetHistory(ctx(t), bob, tc.o)
		if err != nil || len(got) != tc.n || got[0].Message != tc.first || got[len(got)-1].Message != tc.last {
			t.Fatalf("%s: %d messages (%v)", tc.name, len(got), err)
		}
	}
}

func TestIterMessagesInASupergroup(t *testing.T) {
	w := fxSetup(t)
	super, err := w.emu.CreateChannel(w.ann.ID, "Busy", "", true, w.bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 130 {
		if _, err := w.emu.SendMessage(w.bob.ID, super, fmt.Sprint("post ", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.a.GetDialogs(ctx(t), 0); err != nil {
		t.Fatal(err)
	}
	chat, err := w.a.ResolveID(ctx(t), super)
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.a.GetHistory(ctx(t), chat, core.HistoryOptions{Limit: core.NoLimit, PageSize: 50})
	// 130 posts and the "created" service message (not a *api.Message).
	if err != nil || len(got) != 130 || got[0].Message != "post 129" || got[129].Message != "post 0" {
		t.Fatalf("supergroup history: %d %v", len(got), err)
	}
	bob := fxResolve(t, w.a, "@fx_bob")
	got, err = w.a.GetHistory(ctx(t), chat, core.HistoryOptions{Limit: core.NoLimit, FromUser: bob, Search: "post 12"})
	if err != nil || len(got) != 11 {
		t.Fatalf("supergroup search: %d %v", len(got), err)
	}
}

func TestIterDialogsPaginatesAndArchives(t *testing.T) {
	w := fxSetup(t)
	const n = 120
	var ids []int64
	for i := range n {
		u, err := w.emu.CreateUser(fmt.Sprintf("99966219%02d", i%100)+fmt.Sprint(i/100), fmt.Sprint("Friend", i), "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.emu.SendMessage(u.ID, w.ann.ID, "hello"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	all, err := w.a.GetDialogsWith(ctx(t), core.DialogOptions{Limit: core.NoLimit, PageSize: 25})
	if err != nil || len(all) != n {
		t.Fatalf("dialogs: %d %v", len(all), err)
	}
	seen := map[int64]bool{}
	for i, d := range all {
		if seen[d.Peer.ID] {
			t.Fatalf("dialog %d twice", d.Peer.ID)
		}
		seen[d.Peer.ID] = true
		if want := ids[n-1-i]; d.Peer.ID != want || d.Message == nil || d.Message.Message != "hello" || d.Unread != 1 {
			t.Fatalf("dialog %d is %+v, want user %d", i, d, want)
		}
	}
	if got, _ := w.a.GetDialogs(ctx(t), 0); len(got) != 100 {
		t.Fatalf("default limit: %d", len(got))
	}
	// Archive two.
	for _, d := range all[:2] {
		if err := w.a.ArchiveDialog(ctx(t), d.Peer, true); err != nil {
			t.Fatal(err)
		}
	}
	arch, err := w.a.GetDialogsWith(ctx(t), core.DialogOptions{Archived: true})
	if err != nil || len(arch) != 2 || arch[0].Folder != 1 || arch[0].Peer.ID != all[0].Peer.ID {
		t.Fatalf("archive: %+v %v", arch, err)
	}
	main, err := w.a.GetDialogsWith(ctx(t), core.DialogOptions{Limit: core.NoLimit})
	if err != nil || len(main) != n-2 || slices.ContainsFunc(main, func(d core.Dialog) bool { return d.Peer.ID == all[1].Peer.ID }) {
		t.Fatalf("main list after archiving: %d %v", len(main), err)
	}
	if err := w.a.ArchiveDialog(ctx(t), all[0].Peer, false); err != nil {
		t.Fatal(err)
	}
	if arch, _ := w.a.GetDialogsWith(ctx(t), core.DialogOptions{Archived: true}); len(arch) != 1 {
		t.Fatalf("archive after unarchiving one: %d", len(arch))
	}
}

func TestParticipantsOfGroupAndSupergroup(t *testing.T) {
	w := fxSetup(t)
	var members []int64
	for i := range 250 {
		u, err := w.emu.CreateUser(fmt.Sprintf("999662%04d", 3000+i), fmt.Sprint("Member", i), "", "")
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, u.ID)
	}
	members = append(members, w.bob.ID, w.bot.ID)
	super, err := w.emu.CreateChannel(w.ann.ID, "Crowd", "", true, members...)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.emu.Promote(super, w.bob.ID, &api.ChatAdminRights{DeleteMessages: true, BanUsers: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.emu.Ban(super, members[5], &api.ChatBannedRights{SendMessages: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.GetDialogs(ctx(t), 0); err != nil {
		t.Fatal(err)
	}
	chat, err := w.a.ResolveID(ctx(t), super)
	if err != nil {
		t.Fatal(err)
	}
	all, err := w.a.GetParticipants(ctx(t), chat, core.ParticipantsOptions{PageSize: 100})
	if err != nil || len(all) != 253 {
		t.Fatalf("participants: %d %v", len(all), err)
	}
	uniq := map[int64]bool{}
	for _, p := range all {
		if p.User == nil || uniq[p.UserID] {
			t.Fatalf("participant %+v (duplicate %v)", p, uniq[p.UserID])
		}
		uniq[p.UserID] = true
	}
	some, err := w.a.GetParticipants(ctx(t), chat, core.ParticipantsOptions{Limit: 150, PageSize: 100})
	if err != nil || len(some) != 150 {
		t.Fatalf("limit: %d %v", len(some), err)
	}
	admins, err := w.a.GetParticipants(ctx(t), chat, core.ParticipantsOptions{Filter: core.ParticipantsAdmins})
	if err != nil || len(admins) != 2 || !slices.ContainsFunc(admins, func(p core.Participant) bool { return p.Creator && p.UserID == w.ann.ID }) ||
		!slices.ContainsFunc(admins, func(p core.Participant) bool { return p.Admin && p.UserID == w.bob.ID }) {
		t.Fatalf("admins: %+v %v", admins, err)
	}
	bots, err := w.a.GetParticipants(ctx(t), chat, core.ParticipantsOptions{Filter: core.ParticipantsBots})
	if err != nil || len(bots) != 1 || bots[0].UserID != w.bot.ID {
		t.Fatalf("bots: %+v %v", bots, err)
	}
	found, err := w.a.GetParticipants(ctx(t), chat, core.ParticipantsOptions{Search: "member24"})
	if err != nil || len(found) != 11 { // Member24, Member240..249
		t.Fatalf("search: %d %v", len(found), err)
	}
	banned, err := w.a.GetParticipants(ctx(t), chat, core.ParticipantsOptions{Filter: core.ParticipantsBanned})
	if err != nil || len(banned) != 1 || banned[0].UserID != members[5] || !banned[0].Banned || banned[0].Kicked {
		t.Fatalf("banned: %+v %v", banned, err)
	}

	// A basic group, through messages.getFullChat.
	group, err := w.emu.CreateChat(w.ann.ID, "Small", w.bob.ID, w.bot.ID, members[0])
	if err != nil {
		t.Fatal(err)
	}
	g, _ := w.a.ResolveID(ctx(t), group)
	gp, err := w.a.GetParticipants(ctx(t), g, core.ParticipantsOptions{})
	if err != nil || len(gp) != 4 || !gp[0].Creator || gp[0].UserID != w.ann.ID {
		t.Fatalf("group: %+v %v", gp, err)
	}
	if gb, _ := w.a.GetParticipants(ctx(t), g, core.ParticipantsOptions{Filter: core.ParticipantsBots}); len(gb) != 1 || gb[0].UserID != w.bot.ID {
		t.Fatalf("group bots: %+v", gb)
	}
	if gs, _ := w.a.GetParticipants(ctx(t), g, core.ParticipantsOptions{Search: "bear"}); len(gs) != 1 || gs[0].UserID != w.bob.ID {
		t.Fatalf("group search: %+v", gs)
	}
	me, _ := w.a.Self(ctx(t))
	if _, err := w.a.GetParticipants(ctx(t), me, core.ParticipantsOptions{}); !errors.Is(err, core.ErrBadOptions) {
		t.Fatalf("participants of a user: %v", err)
	}
}

// fxBot runs an echo-free helper bot: /start gets an inline keyboard,
// callbacks are answered, inline queries get two articles.
func fxBot(t *testing.T, w *fxWorld) (queries chan *core.CallbackQuery, inline chan *core.InlineQuery) {
	queries, inline = make(chan *core.CallbackQuery, 16), make(chan *core.InlineQuery, 16)
	// Answers run on their own goroutines (a handler must not block the
	// updates); the user's call may return before the bot's: wait for them
	// before the clients close.
	var answers sync.WaitGroup
	t.Cleanup(answers.Wait)
	w.botc.OnEvent(func(ctx context.Context, ev core.Event) {
		switch x := ev.(type) {
		case *core.NewMessage:
			if x.Out || !strings.HasPrefix(x.Message.Message, "/start") {
				return
			}
			chat, err := w.botc.ResolveID(ctx, x.ChatID)
			if err != nil {
				t.Errorf("bot: %v", err)
				return
			}
			kb := core.InlineKeyboard(
				core.InlineRow(core.CallbackButton("Yes", []byte("yes")), core.CallbackButton("No", []byte("no"))),
				core.InlineRow(core.URLButton("Docs", "https://example.org/docs"), core.SwitchInlineButton("Search", "cats", true)))
			if _, err := w.botc.SendMessage(ctx, chat, "Welcome! Pick one.", core.SendOptions{ReplyTo: x.Message.ID, Buttons: kb}); err != nil {
				t.Errorf("bot reply: %v", err)
			}
		case *core.CallbackQuery:
			queries <- x
			answers.Add(1)
			go func() {
				defer answers.Done()
				if err := x.Answer(context.Background(), w.botc, core.CallbackAnswer{Message: "you said " + string(x.Data), Alert: string(x.Data) == "no"}); err != nil {
					t.Errorf("answering: %v", err)
				}
			}()
		case *core.InlineQuery:
			inline <- x
			answers.Add(1)
			go func() {
				defer answers.Done()
				err := x.Answer(context.Background(), w.botc, []core.InlineResult{
					core.InlineArticle{ID: "a1", Title: "About " + x.Query, Text: "**" + x.Query + "** are great", ParseMode: "markdown"},
					core.InlineArticle{ID: "a2", Title: "More", Text: "more " + x.Query,
						Buttons: core.InlineKeyboard(core.InlineRow(core.CallbackButton("Like", []byte("like"))))},
				}, core.InlineAnswerOptions{CacheTime: time.Minute, NextOffset: "2"})
				if err != nil {
					t.Errorf("answering inline: %v", err)
				}
			}()
		}
	})
	if err := w.botc.StartUpdates(ctx(t), false); err != nil {
		t.Fatal(err)
	}
	return queries, inline
}

func TestBotAnswersStartWithAKeyboardAndTheUserClicksIt(t *testing.T) {
	w := fxSetup(t)
	queries, inline := fxBot(t, w)
	annEvents := fxEvents(t, w.a)
	botPeer := fxResolve(t, w.a, "@fx_helper_bot")
	start, err := w.a.SendMessage(ctx(t), botPeer, "/start", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	welcome := fxWait(t, annEvents, func(m *core.NewMessage) bool { return !m.Out && m.ChatID == w.bot.ID })
	msg := welcome.Message
	if msg.Message != "Welcome! Pick one." || msg.ReplyTo == nil || len(core.InlineButtons(msg)) != 2 {
		t.Fatalf("welcome %+v", msg)
	}
	if h, ok := msg.ReplyTo.(*api.MessageReplyHeader); !ok || h.ReplyToMsgID.Val != start {
		t.Fatalf("reply header %+v", msg.ReplyTo)
	}

	res, err := w.a.Click(ctx(t), botPeer, msg, core.ButtonRef{Data: []byte("yes")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Answer == nil || res.Answer.Message != "you said yes" || res.Answer.Alert {
		t.Fatalf("answer %+v", res.Answer)
	}
	q := <-queries
	if q.UserID != w.ann.ID || q.ChatID != w.ann.ID || string(q.Data) != "yes" || q.QueryID == 0 || q.MsgID == 0 {
		t.Fatalf("bot saw %+v", q)
	}
	if res, err := w.a.Click(ctx(t), botPeer, msg, core.ButtonRef{Text: "No"}); err != nil || !res.Answer.Alert || res.Answer.Message != "you said no" {
		t.Fatalf("no: %+v %v", res, err)
	}
	<-queries
	if res, err := w.a.Click(ctx(t), botPeer, msg, core.ButtonRef{Row: 1, Col: 0}); err != nil || res.URL != "https://example.org/docs" {
		t.Fatalf("url: %+v %v", res, err)
	}
	var nf *core.ButtonNotFoundError
	if _, err := w.a.Click(ctx(t), botPeer, msg, core.ButtonRef{Text: "Maybe"}); !errors.As(err, &nf) {
		t.Fatalf("missing button: %v", err)
	}

	// The switch-inline button runs the bot's inline query in this chat.
	res, err = w.a.Click(ctx(t), botPeer, msg, core.ButtonRef{Text: "Search"})
	if err != nil {
		t.Fatal(err)
	}
	si := res.SwitchInline
	if si == nil || si.Query != "cats" || !si.SamePeer || si.Bot.ID != w.bot.ID || si.Results == nil || len(si.Results.Results) != 2 {
		t.Fatalf("switch inline %+v", si)
	}
	iq := <-inline
	if iq.Query != "cats" || iq.UserID != w.ann.ID || iq.PeerType != "same_bot_pm" {
		t.Fatalf("bot's inline query %+v", iq)
	}
	if r := si.Results.Results[0]; r.ID != "a1" || r.Title != "About cats" || r.Text != "cats are great" || si.Results.NextOffset != "2" {
		t.Fatalf("results %+v", si.Results)
	}
}

func TestInlineQueryFromAUserSentToAFriend(t *testing.T) {
	w := fxSetup(t)
	queries, inline := fxBot(t, w)
	botPeer := fxResolve(t, w.a, "@fx_helper_bot")
	bob := fxResolve(t, w.a, "@fx_bob")
	res, err := w.a.InlineQuery(ctx(t), botPeer, bob, "dogs", "")
	if err != nil {
		t.Fatal(err)
	}
	if iq := <-inline; iq.PeerType != "pm" || iq.Query != "dogs" {
		t.Fatalf("bot saw %+v", iq)
	}
	if len(res.Results) != 2 || res.Results[1].Text != "more dogs" {
		t.Fatalf("results %+v", res.Results)
	}
	if _, err := w.a.SendInlineResult(ctx(t), bob, res, "zz", core.SendOptions{}); !errors.Is(err, core.ErrNoSuchResult) {
		t.Fatalf("unknown result: %v", err)
	}
	id, err := w.a.SendInlineResult(ctx(t), bob, res, "a2", core.SendOptions{Silent: true})
	if err != nil || id == 0 {
		t.Fatal(id, err)
	}
	hist, _ := w.emu.History(w.bob.ID, w.ann.ID)
	if len(hist) != 1 || hist[0].Text != "more dogs" || !hist[0].HasMarkup {
		t.Fatalf("bob got %+v", hist)
	}
	// Bob presses the result's button: the bot it came via is asked.
	ann := fxResolve(t, w.b, "@fx_ann")
	m := fxOne(t, w.b, ann, hist[0].ID)
	if m.ViaBotID.Val != w.bot.ID {
		t.Fatalf("via bot %v", m.ViaBotID)
	}
	click, err := w.b.Click(ctx(t), ann, m, core.ButtonRef{})
	if err != nil || click.Answer.Message != "you said like" {
		t.Fatalf("click %+v %v", click, err)
	}
	q := <-queries
	if q.InlineMessageID == nil || q.ChatID != 0 || q.UserID != w.bob.ID || string(q.Data) != "like" {
		t.Fatalf("bot saw %+v", q)
	}
	// The bot edits the message it was sent through, from outside the chat:
	// both sides see the new text and buttons.
	kb := core.InlineKeyboard(core.InlineRow(core.CallbackButton("Liked", []byte("liked"))))
	if err := w.botc.EditInlineMessage(ctx(t), q.InlineMessageID, "**liked** by bob", core.SendOptions{ParseMode: "markdown", Buttons: kb}); err != nil {
		t.Fatal(err)
	}
	for _, side := range [][2]int64{{w.bob.ID, w.ann.ID}, {w.ann.ID, w.bob.ID}} {
		h, _ := w.emu.History(side[0], side[1])
		if len(h) != 1 || h[0].Text != "liked by bob" || !h[0].HasMarkup {
			t.Fatalf("user %d sees %+v", side[0], h)
		}
	}
	if edited := fxOne(t, w.b, ann, hist[0].ID); edited.EditDate.Val == 0 || len(edited.Entities) != 1 {
		t.Fatalf("bob's message after the edit %+v", edited)
	}
	if err := w.botc.EditInlineMessage(ctx(t), q.InlineMessageID, "**liked** by bob", core.SendOptions{ParseMode: "markdown"}); err == nil || !strings.Contains(err.Error(), "MESSAGE_NOT_MODIFIED") {
		t.Fatalf("the same edit again: %v", err)
	}
	if err := w.a.EditInlineMessage(ctx(t), q.InlineMessageID, "not a bot", core.SendOptions{}); err == nil || !strings.Contains(err.Error(), "USER_BOT_REQUIRED") {
		t.Fatalf("a user's edit: %v", err)
	}
	forged := *q.InlineMessageID.(*api.InputBotInlineMessageID)
	forged.AccessHash++
	if err := w.botc.EditInlineMessage(ctx(t), &forged, "forged", core.SendOptions{}); err == nil || !strings.Contains(err.Error(), "MESSAGE_ID_INVALID") {
		t.Fatalf("a forged id: %v", err)
	}
	if err := w.botc.EditInlineMessage(ctx(t), nil, "no id", core.SendOptions{}); !errors.Is(err, core.ErrBadOptions) {
		t.Fatalf("no id: %v", err)
	}
	if err := w.a.AnswerInlineQuery(ctx(t), 1, []core.InlineResult{core.InlineArticle{ID: ""}}, core.InlineAnswerOptions{}); !errors.Is(err, core.ErrBadOptions) {
		t.Fatalf("bad article: %v", err)
	}
}

// fxChat resolves a chat c was added to by its marked id (its dialogs
// fetched first, so that the access hash is known).
func fxChat(t *testing.T, c *core.Client, marked int64) session.Peer {
	t.Helper()
	if _, err := c.GetDialogs(ctx(t), 0); err != nil {
		t.Fatal(err)
	}
	p, err := c.ResolveID(ctx(t), marked)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEditInlineMessageInASupergroup: a message sent through inline mode to
// a supergroup the bot is not in is named by an inputBotInlineMessageID64,
// and the bot edits it through that.
func TestEditInlineMessageInASupergroup(t *testing.T) {
	w := fxSetup(t)
	queries, inline := fxBot(t, w)
	super, err := w.emu.CreateChannel(w.ann.ID, "Inline supergroup", "", true, w.bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	chat := fxChat(t, w.a, super)
	res, err := w.a.InlineQuery(ctx(t), fxResolve(t, w.a, "@fx_helper_bot"), chat, "owls", "")
	if err != nil {
		t.Fatal(err)
	}
	<-inline
	id, err := w.a.SendInlineResult(ctx(t), chat, res, "a2", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bobChat := fxChat(t, w.b, super)
	if _, err := w.b.Click(ctx(t), bobChat, fxOne(t, w.b, bobChat, id), core.ButtonRef{}); err != nil {
		t.Fatal(err)
	}
	q := <-queries
	id64, ok := q.InlineMessageID.(*api.InputBotInlineMessageID64)
	if !ok || q.ChatID != 0 || id64.ID != id {
		t.Fatalf("bot saw %+v (id %#v)", q, q.InlineMessageID)
	}
	if err := w.botc.EditInlineMessage(ctx(t), id64, "owls, edited", core.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	if m := fxOne(t, w.b, bobChat, id); m.Message != "owls, edited" || m.EditDate.Val == 0 {
		t.Fatalf("bob sees %+v", m)
	}
	forged := *id64
	forged.ID++
	if err := w.botc.EditInlineMessage(ctx(t), &forged, "x", core.SendOptions{}); err == nil || !strings.Contains(err.Error(), "MESSAGE_ID_INVALID") {
		t.Fatalf("a forged id: %v", err)
	}
}

func TestBotInGroupAndSupergroup(t *testing.T) {
	w := fxSetup(t)
	queries, _ := fxBot(t, w)
	bobEvents := fxEvents(t, w.b)
	group, err := w.emu.CreateChat(w.ann.ID, "Bot group", w.bob.ID, w.bot.ID)
	if err != nil {
		t.Fatal(err)
	}
	super, err := w.emu.CreateChannel(w.ann.ID, "Bot supergroup", "", true, w.bob.ID, w.bot.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.GetDialogs(ctx(t), 0); err != nil {
		t.Fatal(err)
	}
	for _, marked := range []int64{group, super} {
		chat, err := w.a.ResolveID(ctx(t), marked)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.a.SendMessage(ctx(t), chat, "/start@fx_helper_bot", core.SendOptions{}); err != nil {
			t.Fatal(err)
		}
		// Bob, another member, sees the bot's keyboard and clicks it.
		welcome := fxWait(t, bobEvents, func(m *core.NewMessage) bool {
			return m.ChatID == marked && m.SenderID == w.bot.ID
		})
		bobChat, err := w.b.ResolveID(ctx(t), marked)
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.b.Click(ctx(t), bobChat, welcome.Message, core.ButtonRef{Row: 0, Col: 0})
		if err != nil || res.Answer.Message != "you said yes" {
			t.Fatalf("%d: %+v %v", marked, res, err)
		}
		q := <-queries
		if q.UserID != w.bob.ID || q.ChatID != marked {
			t.Fatalf("%d: bot saw %+v", marked, q)
		}
		// The ann → bob → bot conversation reached everyone.
		if hist, err := w.emu.History(w.bot.ID, marked); err != nil || len(hist) < 2 {
			t.Fatalf("%d: bot's history %v %v", marked, hist, err)
		}
	}
}

// BenchmarkIterMessages1000 walks a 1,000-message history in pages of 100
// over loopback and reports messages per second.
func BenchmarkIterMessages1000(b *testing.B) {
	emu := startEmulator(b)
	ann, _ := emu.CreateUser("9996621791", "Ann", "", "fxbench_ann")
	bob, _ := emu.CreateUser("9996621792", "Bob", "", "fxbench_bob")
	for i := range 1000 {
		if _, err := emu.SendMessage(bob.ID, ann.ID, fmt.Sprint("m", i)); err != nil {
			b.Fatal(err)
		}
	}
	c := newClient(b, emu, nil)
	login(b, emu, c, ann.Phone)
	peer, err := c.ResolvePeer(ctx(b), "@fxbench_bob")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n := 0
	for b.Loop() {
		msgs, err := c.GetHistory(context.Background(), peer, core.HistoryOptions{Limit: core.NoLimit})
		if err != nil || len(msgs) != 1000 {
			b.Fatal(len(msgs), err)
		}
		n += len(msgs)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}
