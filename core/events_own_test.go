package core_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// msgKey names a message: marked chat id and id.
type msgKey struct {
	chat int64
	id   int32
}

// outgoing lists the NewMessage events with Out set, by message.
func outgoing(evs []core.Event) map[msgKey][]*core.NewMessage {
	out := map[msgKey][]*core.NewMessage{}
	for _, ev := range evs {
		if m, ok := ev.(*core.NewMessage); ok && m.Out {
			k := msgKey{m.ChatID, m.Message.ID}
			out[k] = append(out[k], m)
		}
	}
	return out
}

func TestOwnSendsAreNewMessageEventsWithOutOnce(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996621901", "Ann", "own_ann", nil, core.UpdateOptions{OwnMessages: true}, true)
	bob := newAccount(t, emu, "9996621902", "Bob", "own_bob", nil, core.UpdateOptions{}, true)
	toBob := resolve(t, ann.c, "@own_bob")

	// Plain text: answered by updateShortSentMessage, rebuilt from the request.
	first, err := ann.c.SendMessage(ctx(t), toBob, "hello **bob**", core.SendOptions{ParseMode: "markdown", Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := ann.c.SendMessage(ctx(t), toBob, "and again", core.SendOptions{ReplyTo: first})
	if err != nil {
		t.Fatal(err)
	}
	// A forward: answered by an updates container with updateNewMessage.
	fwd, err := ann.c.ForwardMessages(ctx(t), toBob, []int32{first}, toBob)
	if err != nil || len(fwd) != 1 {
		t.Fatalf("forward: %v %v", fwd, err)
	}
	// A channel post: updateNewChannelMessage in the container.
	chMarked, err := emu.CreateChannel(ann.user.ID, "Own posts", "own_posts", false, bob.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := ann.c.ResolvePeer(ctx(t), "@own_posts")
	if err != nil {
		t.Fatal(err)
	}
	post, err := ann.c.SendMessage(ctx(t), ch, "a post", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}

	evs := ann.rec.waitFor(t, 5*time.Second, "four outgoing messages", func(evs []core.Event) bool { return len(outgoing(evs)) >= 4 })
	out := outgoing(evs)
	m := out[msgKey{bob.user.ID, first}][0].Message
	if out[msgKey{bob.user.ID, first}][0].ChatID != bob.user.ID || out[msgKey{bob.user.ID, first}][0].SenderID != ann.user.ID || m.Message != "hello bob" || !m.Silent || !m.Out {
		t.Fatalf("first: chat %d sender %d %+v", out[msgKey{bob.user.ID, first}][0].ChatID, out[msgKey{bob.user.ID, first}][0].SenderID, m)
	}
	if len(m.Entities) != 1 {
		t.Fatalf("entities %v", m.Entities)
	}
	if b, ok := m.Entities[0].(*api.MessageEntityBold); !ok || b.Offset != 6 || b.Length != 3 {
		t.Fatalf("entity %#v", m.Entities[0])
	}
	if h, ok := out[msgKey{bob.user.ID, reply}][0].Message.ReplyTo.(*api.MessageReplyHeader); !ok || h.ReplyToMsgID.Val != first || out[msgKey{bob.user.ID, reply}][0].Message.Message != "and again" {
		t.Fatalf("reply: %+v", out[msgKey{bob.user.ID, reply}][0].Message)
	}
	if out[msgKey{bob.user.ID, fwd[0]}][0].Message.FwdFrom == nil || out[msgKey{bob.user.ID, fwd[0]}][0].ChatID != bob.user.ID {
		t.Fatalf("forward: %+v", out[msgKey{bob.user.ID, fwd[0]}][0].Message)
	}
	if out[msgKey{chMarked, post}][0].ChatID != chMarked || out[msgKey{chMarked, post}][0].Message.Message != "a post" {
		t.Fatalf("post: chat %d %+v", out[msgKey{chMarked, post}][0].ChatID, out[msgKey{chMarked, post}][0].Message)
	}

	// A difference covering the same pts (after a dropped connection) and
	// the pushes of later messages repeat none of them.
	emu.DropConnections()
	if _, err := emu.SendMessage(bob.user.ID, ann.user.ID, "after the drop"); err != nil {
		t.Fatal(err)
	}
	evs = ann.rec.waitFor(t, 10*time.Second, "the message after the drop", func(evs []core.Event) bool {
		return len(incoming(evs)[bob.user.ID]) == 1
	})
	last, err := ann.c.SendMessage(ctx(t), toBob, "last", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	evs = ann.rec.waitFor(t, 5*time.Second, "the last send", func(evs []core.Event) bool { return len(outgoing(evs)[msgKey{bob.user.ID, last}]) > 0 })
	time.Sleep(200 * time.Millisecond)
	for id, ms := range outgoing(ann.rec.events()) {
		if len(ms) != 1 {
			t.Fatalf("message %d dispatched %d times", id, len(ms))
		}
	}
	if n := len(outgoing(evs)); n != 5 {
		t.Fatalf("%d outgoing messages, want 5", n)
	}
	// Bob saw them as incoming; his only outgoing message is the one the
	// emulator sent for him (as from another session).
	got := bob.rec.waitFor(t, 5*time.Second, "ann's messages at bob", func(evs []core.Event) bool { return len(incoming(evs)[ann.user.ID]) >= 4 })
	if own := outgoing(got); len(own) != 1 {
		t.Fatalf("bob saw %d outgoing messages: %s", len(own), describe(got))
	}
}

// By default (as in Telethon) the client's own sends are not dispatched:
// an echo handler does not answer itself.
func TestOwnSendsAreNotDispatchedByDefault(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996621903", "Ann", "skip_ann", nil, core.UpdateOptions{}, true)
	bob := newAccount(t, emu, "9996621904", "Bob", "skip_bob", nil, core.UpdateOptions{}, false)
	toBob := resolve(t, ann.c, "@skip_bob")
	first, err := ann.c.SendMessage(ctx(t), toBob, "text", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ann.c.ForwardMessages(ctx(t), toBob, []int32{first}, toBob); err != nil {
		t.Fatal(err)
	}
	if _, err := emu.CreateChannel(ann.user.ID, "Skip posts", "skip_posts", false); err != nil {
		t.Fatal(err)
	}
	if _, err := ann.c.SendMessage(ctx(t), resolve(t, ann.c, "@skip_posts"), "a post", core.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	// The pts of the sends moved on: bob's answer comes at once, no gap.
	start := time.Now()
	if _, err := emu.SendMessage(bob.user.ID, ann.user.ID, "answer"); err != nil {
		t.Fatal(err)
	}
	evs := ann.rec.waitFor(t, 5*time.Second, "bob's answer", func(evs []core.Event) bool { return len(incoming(evs)[bob.user.ID]) == 1 })
	if took := time.Since(start); took > 400*time.Millisecond {
		t.Errorf("the answer took %v: the own sends were taken for a gap", took)
	}
	// A message the account sends from another session is still an event.
	if _, err := emu.SendMessage(ann.user.ID, bob.user.ID, "from elsewhere"); err != nil {
		t.Fatal(err)
	}
	evs = ann.rec.waitFor(t, 5*time.Second, "the message from another session", func(evs []core.Event) bool { return len(outgoing(evs)) == 1 })
	for _, ms := range outgoing(evs) {
		if ms[0].Message.Message != "from elsewhere" {
			t.Fatalf("own send dispatched: %s", describe(evs))
		}
	}
}

// A bot whose session is new (it logged in again, elsewhere) gets short
// updates naming users it met before but this session never cached: the
// handler must still be able to answer them.
func TestEventPeersAreCachedBeforeTheHandlerRuns(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996621905", "Ann", "peer_ann", nil, core.UpdateOptions{}, true)
	bot, token, err := emu.CreateBot("peer_echo_bot", "Echo")
	if err != nil {
		t.Fatal(err)
	}
	toBot := resolve(t, ann.c, "@peer_echo_bot")
	if _, err := ann.c.SendMessage(ctx(t), toBot, "hi before", core.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	// A group the bot is in, met by the bot only through its first session.
	group, err := emu.CreateChat(ann.user.ID, "Peers", bot.ID)
	if err != nil {
		t.Fatal(err)
	}

	store := session.NewMemory()
	b := newClient(t, emu, store)
	if _, err := b.Login(ctx(t), core.LoginOptions{BotToken: token}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var failures []error
	var attached int
	b.OnEvent(func(ctx context.Context, ev core.Event) {
		m, ok := ev.(*core.NewMessage)
		if !ok || m.Out {
			return
		}
		peer, err := b.ResolveID(ctx, m.ChatID)
		if err == nil {
			_, err = b.SendMessage(ctx, peer, "echo: "+m.Message.Message, core.SendOptions{})
		}
		if err == nil {
			_, err = b.ResolveID(ctx, m.SenderID)
		}
		mu.Lock()
		if err != nil {
			failures = append(failures, err)
		}
		for _, u := range m.Users {
			if x, ok := u.(*api.User); ok && x.ID == ann.user.ID {
				attached++
			}
		}
		mu.Unlock()
	})
	if err := b.StartUpdates(ctx(t), false); err != nil {
		t.Fatal(err)
	}
	if p, _ := store.PeerByID(ann.user.ID, session.PeerUser); p != nil {
		t.Fatal("the new session already knows ann; the test proves nothing")
	}
	if _, err := ann.c.SendMessage(ctx(t), toBot, "hi private", core.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	groupPeer, err := ann.c.ResolveID(ctx(t), group)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ann.c.SendMessage(ctx(t), groupPeer, "hi group", core.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	evs := ann.rec.waitFor(t, 10*time.Second, "both echoes", func(evs []core.Event) bool {
		n := 0
		for _, ev := range evs {
			if m, ok := ev.(*core.NewMessage); ok && !m.Out && (m.Message.Message == "echo: hi private" || m.Message.Message == "echo: hi group") {
				n++
			}
		}
		return n == 2
	})
	_ = evs
	mu.Lock()
	defer mu.Unlock()
	if len(failures) > 0 {
		t.Fatalf("the handler could not answer: %v", failures)
	}
	// The first event that met ann carries her (the second finds her cached).
	if attached < 1 {
		t.Fatal("ann attached to no event")
	}
}
