package core_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	pngpkg "image/png"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

const eventWait = 10 * time.Second

func TestEveryEventKindReachesAHandler(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996621001", "Ann", "ann_lee", nil, core.UpdateOptions{}, true)
	bob := newAccount(t, emu, "9996621002", "Bob", "bob_ross", nil, core.UpdateOptions{}, false)
	carl := newAccount(t, emu, "9996621003", "Carl", "carl_sagan", nil, core.UpdateOptions{}, false)
	annID, bobID, carlID := ann.user.ID, bob.user.ID, carl.user.ID
	rec := ann.rec

	// NewMessage, then its edit, read receipt and deletion, from Bob's client.
	toAnn := resolve(t, bob.c, "@ann_lee")
	id, err := bob.c.SendMessage(ctx(t), toAnn, "hello Ann", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	evs := rec.waitFor(t, eventWait, "the new message", has(func(m *core.NewMessage) bool { return m.Message.Message == "hello Ann" }))
	nm, _ := first[*core.NewMessage](evs, nil)
	if nm.ChatID != bobID || nm.SenderID != bobID || nm.Out {
		t.Fatalf("NewMessage chat %d sender %d out %v; want chat and sender %d, incoming", nm.ChatID, nm.SenderID, nm.Out, bobID)
	}
	call(t, bob.c, &api.MessagesEditMessageRequest{Peer: core.InputPeer(toAnn), ID: id, Message: tl.Some("hello again")})
	evs = rec.waitFor(t, eventWait, "the edit", has(func(m *core.MessageEdited) bool { return m.Message.Message == "hello again" }))
	if ed, _ := first[*core.MessageEdited](evs, nil); ed.ChatID != bobID || ed.Message.ID != nm.Message.ID {
		t.Fatalf("MessageEdited chat %d id %d", ed.ChatID, ed.Message.ID)
	}

	// Ann answers; Bob reads it: Ann sees her outbox read.
	toBob := resolve(t, ann.c, "@bob_ross")
	mine, err := ann.c.SendMessage(ctx(t), toBob, "hi Bob", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	call(t, bob.c, &api.MessagesReadHistoryRequest{Peer: core.InputPeer(toAnn)})
	evs = rec.waitFor(t, eventWait, "the read receipt", has(func(r *core.MessageRead) bool { return r.Outbox }))
	if rd, _ := first[*core.MessageRead](evs, nil); rd.ChatID != bobID || rd.MaxID != mine {
		t.Fatalf("MessageRead chat %d max %d; want %d, %d", rd.ChatID, rd.MaxID, bobID, mine)
	}

	call(t, bob.c, &api.MessagesDeleteMessagesRequest{Revoke: true, ID: []int32{id}})
	evs = rec.waitFor(t, eventWait, "the deletion", has[*core.MessageDeleted](nil))
	if del, _ := first[*core.MessageDeleted](evs, nil); !slices.Equal(del.IDs, []int32{nm.Message.ID}) || del.ChannelID != 0 {
		t.Fatalf("MessageDeleted %v in channel %d; want [%d]", del.IDs, del.ChannelID, nm.Message.ID)
	}

	// UserUpdate: typing, then online status.
	call(t, bob.c, &api.MessagesSetTypingRequest{Peer: core.InputPeer(toAnn), Action: &api.SendMessageRecordVideoAction{}})
	evs = rec.waitFor(t, eventWait, "typing", has(func(u *core.UserUpdate) bool { return u.Typing != nil }))
	if ty, _ := first(evs, func(u *core.UserUpdate) bool { return u.Typing != nil }); ty.UserID != bobID || ty.ChatID != bobID || ty.Action != "record_video" {
		t.Fatalf("typing: user %d chat %d action %q", ty.UserID, ty.ChatID, ty.Action)
	}
	call(t, bob.c, &api.AccountUpdateStatusRequest{Offline: false})
	evs = rec.waitFor(t, eventWait, "the status", has(func(u *core.UserUpdate) bool { return u.Status != nil }))
	if st, _ := first(evs, func(u *core.UserUpdate) bool { return u.Status != nil }); st.UserID != bobID || !st.Online || st.LastSeen == 0 {
		t.Fatalf("status: user %d online %v until %d", st.UserID, st.Online, st.LastSeen)
	}

	// Album: three messages with one grouped_id arrive as one event.
	if _, err := emu.SendAlbum(bobID, annID, "one", "two", "three"); err != nil {
		t.Fatal(err)
	}
	evs = rec.waitFor(t, eventWait, "the album", has[*core.Album](nil))
	al, _ := first[*core.Album](evs, nil)
	var texts []string
	for _, m := range al.Messages {
		texts = append(texts, m.Message)
	}
	if !slices.Equal(texts, []string{"one", "two", "three"}) || al.ChatID != bobID || al.SenderID != bobID || al.GroupedID == 0 {
		t.Fatalf("album %v chat %d sender %d group %d", texts, al.ChatID, al.SenderID, al.GroupedID)
	}
	if _, dup := first(evs, func(m *core.NewMessage) bool { return m.Message.Message == "two" }); dup {
		t.Fatal("an album message was also delivered as a NewMessage")
	}

	// ChatAction in a basic group: created, title, added, kicked.
	group, err := emu.CreateChat(bobID, "Team", annID)
	if err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, eventWait, "the group's creation", has(func(a *core.ChatAction) bool {
		return a.Kind == core.ActionCreated && a.ChatID == group && a.Title == "Team" && a.SenderID == bobID
	}))
	call(t, bob.c, &api.MessagesEditChatTitleRequest{ChatID: -group, Title: "Dream team"})
	rec.waitFor(t, eventWait, "the title change", has(func(a *core.ChatAction) bool {
		return a.Kind == core.ActionTitle && a.Title == "Dream team" && a.ChatID == group
	}))
	var png bytes.Buffer
	if err := pngpkg.Encode(&png, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	call(t, bob.c, &api.UploadSaveFilePartRequest{FileID: 42, FilePart: 0, Bytes: png.Bytes()})
	call(t, bob.c, &api.MessagesEditChatPhotoRequest{ChatID: -group,
		Photo: &api.InputChatUploadedPhoto{File: &api.InputFile{ID: 42, Parts: 1, Name: "team.png"}}})
	rec.waitFor(t, eventWait, "the new photo", has(func(a *core.ChatAction) bool { return a.Kind == core.ActionPhoto && a.ChatID == group }))
	call(t, bob.c, &api.MessagesEditChatPhotoRequest{ChatID: -group, Photo: &api.InputChatPhotoEmpty{}})
	rec.waitFor(t, eventWait, "the photo removed", has(func(a *core.ChatAction) bool { return a.Kind == core.ActionPhotoRemoved && a.ChatID == group }))

	groupPeer := session.Peer{ID: -group, Kind: session.PeerChat}
	pinned, err := bob.c.SendMessage(ctx(t), groupPeer, "pin me", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	evs = rec.waitFor(t, eventWait, "the message to pin", has(func(m *core.NewMessage) bool { return m.Message.Message == "pin me" }))
	toPin, _ := first(evs, func(m *core.NewMessage) bool { return m.Message.Message == "pin me" })
	call(t, bob.c, &api.MessagesUpdatePinnedMessageRequest{Peer: core.InputPeer(groupPeer), ID: pinned})
	rec.waitFor(t, eventWait, "the pin", has(func(a *core.ChatAction) bool {
		return a.Kind == core.ActionPinned && a.ChatID == group && a.PinnedID == toPin.Message.ID && a.SenderID == bobID
	}))
	carlPeer := resolve(t, bob.c, "@carl_sagan")
	carlIn, _ := core.InputUser(carlPeer)
	call(t, bob.c, &api.MessagesAddChatUserRequest{ChatID: -group, UserID: carlIn})
	rec.waitFor(t, eventWait, "Carl added", has(func(a *core.ChatAction) bool {
		return a.Kind == core.ActionAdded && slices.Equal(a.UserIDs, []int64{carlID}) && a.SenderID == bobID
	}))
	call(t, bob.c, &api.MessagesDeleteChatUserRequest{ChatID: -group, UserID: carlIn})
	rec.waitFor(t, eventWait, "Carl removed", has(func(a *core.ChatAction) bool {
		return a.Kind == core.ActionKicked && slices.Equal(a.UserIDs, []int64{carlID})
	}))

	// A supergroup: Carl joins and leaves; typing and read receipts there.
	super, err := emu.CreateChannel(bobID, "Super", "supergrp", true, annID)
	if err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, eventWait, "the supergroup's first update", has(func(a *core.ChatAction) bool { return a.ChatID == super }))
	if _, err := carl.c.JoinChat(ctx(t), "@supergrp"); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, eventWait, "Carl joining", has(func(a *core.ChatAction) bool {
		return a.Kind == core.ActionJoined && a.ChatID == super && slices.Equal(a.UserIDs, []int64{carlID})
	}))
	superPeer := resolve(t, carl.c, "@supergrp")
	superIn, _ := core.InputChannel(superPeer)
	call(t, carl.c, &api.MessagesSetTypingRequest{Peer: core.InputPeer(superPeer), Action: &api.SendMessageTypingAction{}})
	rec.waitFor(t, eventWait, "typing in the supergroup", has(func(u *core.UserUpdate) bool {
		return u.ChatID == super && u.UserID == carlID && u.Action == "typing"
	}))
	annSuper := resolve(t, ann.c, "@supergrp")
	posted, err := ann.c.SendMessage(ctx(t), annSuper, "read me", core.SendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	call(t, carl.c, &api.ChannelsReadHistoryRequest{Channel: superIn, MaxID: posted})
	rec.waitFor(t, eventWait, "the supergroup read receipt", has(func(r *core.MessageRead) bool {
		return r.ChatID == super && r.Outbox && r.MaxID == posted
	}))
	call(t, carl.c, &api.ChannelsLeaveChannelRequest{Channel: superIn})
	rec.waitFor(t, eventWait, "Carl leaving", has(func(a *core.ChatAction) bool {
		return a.Kind == core.ActionLeft && a.ChatID == super && a.SenderID == carlID
	}))

	// Anything else is a RawUpdate.
	call(t, ann.c, &api.MessagesToggleDialogPinRequest{Pinned: true, Peer: &api.InputDialogPeer{Peer: core.InputPeer(toBob)}})
	rec.waitFor(t, eventWait, "a raw update", has(func(r *core.RawUpdate) bool {
		_, ok := r.Update.(*api.UpdateDialogPinned)
		return ok
	}))
}

func TestAlbumWindowCanBeDisabled(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996621011", "Ann", "", nil, core.UpdateOptions{AlbumWindow: -1}, true)
	bob, _ := emu.CreateUser("9996621012", "Bob", "", "")
	if _, err := emu.SendAlbum(bob.ID, ann.user.ID, "a", "b"); err != nil {
		t.Fatal(err)
	}
	evs := ann.rec.waitFor(t, eventWait, "two messages", func(evs []core.Event) bool { return len(incoming(evs)[bob.ID]) == 2 })
	if _, ok := first[*core.Album](evs, nil); ok {
		t.Fatal("an Album was delivered with albums disabled")
	}
}

func TestEventsOfOneChatStayInOrderWhileChatsRunConcurrently(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996621021", "Ann", "", nil, core.UpdateOptions{Workers: 4}, false)
	var senders []int64
	for _, phone := range []string{"9996621022", "9996621023", "9996621024", "9996621025"} {
		u, err := emu.CreateUser(phone, "Sender", "", "")
		if err != nil {
			t.Fatal(err)
		}
		senders = append(senders, u.ID)
	}
	var (
		mu            sync.Mutex
		running, peak int
		order         = map[int64][]string{}
	)
	ann.c.OnEvent(func(_ context.Context, ev core.Event) {
		m, ok := ev.(*core.NewMessage)
		if !ok {
			return
		}
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond) // a slow handler
		mu.Lock()
		running--
		order[m.ChatID] = append(order[m.ChatID], m.Message.Message)
		mu.Unlock()
	})
	if err := ann.c.StartUpdates(ctx(t), false); err != nil {
		t.Fatal(err)
	}
	const perChat = 20
	for i := range perChat {
		for _, s := range senders {
			if _, err := emu.SendMessage(s, ann.user.ID, fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(eventWait)
	for {
		mu.Lock()
		done := 0
		for _, s := range senders {
			done += len(order[s])
		}
		mu.Unlock()
		if done == perChat*len(senders) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("handled %d of %d messages", done, perChat*len(senders))
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range senders {
		for i, text := range order[s] {
			if text != fmt.Sprint(i) {
				t.Fatalf("chat %d handled out of order: %v", s, order[s])
			}
		}
	}
	if peak < 2 {
		t.Fatalf("at most %d handler ran at once with 4 workers and 4 chats", peak)
	}
}

func TestOneWorkerRunsHandlersOneAtATime(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996621031", "Ann", "", nil, core.UpdateOptions{}, false)
	var (
		mu            sync.Mutex
		running, peak int
		got           []string
	)
	ann.c.OnEvent(func(_ context.Context, ev core.Event) {
		m, ok := ev.(*core.NewMessage)
		if !ok {
			return
		}
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		running--
		got = append(got, m.Message.Message)
		mu.Unlock()
	})
	if err := ann.c.StartUpdates(ctx(t), false); err != nil {
		t.Fatal(err)
	}
	var from []int64
	for _, phone := range []string{"9996621032", "9996621033"} {
		u, err := emu.CreateUser(phone, "S", "", "")
		if err != nil {
			t.Fatal(err)
		}
		from = append(from, u.ID)
	}
	var want []string
	for i := range 10 {
		for _, id := range from {
			text := fmt.Sprint(id, "-", i)
			if _, err := emu.SendMessage(id, ann.user.ID, text); err != nil {
				t.Fatal(err)
			}
			want = append(want, text)
		}
	}
	deadline := time.Now().Add(eventWait)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, want) || peak != 1 {
		t.Fatalf("handled %v with %d at once; want %v one at a time", got, peak, want)
	}
}
