package emulator

import (
	"reflect"
	"testing"
	"time"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Tests of the model alone: no sockets, no clients.

func newTestModel(t *testing.T) (*model, *user, *user) {
	t.Helper()
	now := time.Unix(1_800_000_000, 0)
	m := newModel(func() time.Time { return now }, 3)
	a, err := m.newUser("9996620001", "A", "", "", false, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.newUser("9996620002", "B", "", "", false, 2)
	if err != nil {
		t.Fatal(err)
	}
	return m, a, b
}

func TestPageSemantics(t *testing.T) {
	ids := []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	date := func(id int32) int32 { return 100 + id }
	cases := []struct {
		name                                                 string
		offsetID, offsetDate, addOffset, limit, maxID, minID int32
		want                                                 []int32
	}{
		{"top", 0, 0, 0, 3, 0, 0, []int32{10, 9, 8}},
		{"below offset", 5, 0, 0, 2, 0, 0, []int32{4, 3}},
		{"newer than offset", 5, 0, -2, 2, 0, 0, []int32{6, 5}},
		{"offset date", 0, 105, 0, 2, 0, 0, []int32{4, 3}},
		{"min id", 0, 0, 0, 20, 0, 7, []int32{10, 9, 8}},
		{"max id", 0, 0, 0, 2, 4, 0, []int32{3, 2}},
		{"window", 0, 0, 0, 20, 6, 3, []int32{5, 4}},
		{"beyond", 1, 0, 0, 5, 0, 0, nil},
		{"negative past the top", 0, 0, -5, 7, 0, 0, []int32{10, 9}},
	}
	for _, c := range cases {
		got := page(ids, date, c.offsetID, c.offsetDate, c.addOffset, c.limit, c.maxID, c.minID)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestModelPtsAndShortForms(t *testing.T) {
	m, a, b := newTestModel(t)
	ptsA, ptsB := a.pts, b.pts
	res, err := m.send(a, b.ID, sendOpts{text: "hi", randomID: 1}, keyRef{})
	if err != nil {
		t.Fatal(err)
	}
	sent := res.(*api.UpdateShortSentMessage)
	if sent.Pts != ptsA+1 || a.pts != ptsA+1 || b.pts != ptsB+1 {
		t.Fatalf("pts a %d→%d, b %d→%d", ptsA, a.pts, ptsB, b.pts)
	}
	// Deliveries: the sender's other connections, then the recipient
	// (full: B never saw A).
	if len(m.out) != 2 || m.out[0].user != a.ID || m.out[1].user != b.ID {
		t.Fatalf("deliveries %+v", m.out)
	}
	if _, ok := m.out[1].upd.(*api.Updates); !ok {
		t.Fatalf("first contact pushed as %T", m.out[1].upd)
	}
	m.out = nil
	m.send(a, b.ID, sendOpts{text: "again"}, keyRef{})
	if _, ok := m.out[1].upd.(*api.UpdateShortMessage); !ok {
		t.Fatalf("second message pushed as %T", m.out[1].upd)
	}
	m.out = nil
	aff := m.deleteBox(b, []int32{1, 2, 99}, false, keyRef{})
	if aff.PtsCount != 2 || b.pts != ptsB+4 {
		t.Fatalf("delete %+v, pts %d", aff, b.pts)
	}
	if len(a.msgs) != 2 {
		t.Fatal("a deletion without revoke removed the sender's copies")
	}
}

func TestModelDifference(t *testing.T) {
	m, a, b := newTestModel(t)
	start := b.pts
	for i := 0; i < 5; i++ {
		m.send(a, b.ID, sendOpts{text: "x"}, keyRef{})
	}
	bm := b.msgs[2]
	bm.p.text = "edited"
	m.editBox(a, a.msgs[2], keyRef{})
	m.readBox(b, a.ID, 3, keyRef{})
	m.deleteBox(a, []int32{5}, true, keyRef{})
	d := m.difference(b, start, 0, 0, 0).(*api.UpdatesDifference)
	if len(d.NewMessages) != 4 { // 5 sent, one deleted
		t.Fatalf("%d new messages", len(d.NewMessages))
	}
	if d.NewMessages[1].(*api.Message).Message != "edited" {
		t.Fatal("the edit is not folded into the new message")
	}
	kinds := map[string]int{}
	for _, u := range d.OtherUpdates {
		kinds[tl.Name(u)]++
	}
	if kinds["updateReadHistoryInbox"] != 1 || kinds["updateDeleteMessages"] != 1 || kinds["updateEditMessage"] != 0 {
		t.Fatalf("other updates %v", kinds)
	}
	if d.State.(*api.UpdatesState).Pts != b.pts {
		t.Fatal("state")
	}
	if _, ok := m.difference(b, b.pts, 0, 0, 0).(*api.UpdatesDifferenceEmpty); !ok {
		t.Fatal("no empty difference when up to date")
	}
	if _, ok := m.difference(b, b.pts+10, 0, 0, 0).(*api.UpdatesDifferenceTooLong); !ok {
		t.Fatal("a client ahead of the server must start over")
	}
	// a's outbox was read: its journal has the readOut event.
	found := false
	for _, ev := range a.journal {
		if ev.kind == evReadOut && ev.maxID == 3 {
			found = true
		}
	}
	if !found {
		t.Fatal("sender not told of the read")
	}
}

func TestModelJournalIsBounded(t *testing.T) {
	m, a, b := newTestModel(t)
	m.journalMax = 40
	start := b.pts
	for i := 0; i < 100; i++ {
		m.send(a, b.ID, sendOpts{text: "x"}, keyRef{})
	}
	if len(b.journal) > 40 {
		t.Fatalf("journal holds %d", len(b.journal))
	}
	if _, ok := m.difference(b, start, 0, 0, 0).(*api.UpdatesDifferenceTooLong); !ok {
		t.Fatal("a pts older than the journal must be too long")
	}
}

func TestErrorCodesFromNames(t *testing.T) {
	for name, code := range map[string]int32{"FLOOD_WAIT_3": 420, "SLOWMODE_WAIT_10": 420, "PHONE_MIGRATE_3": 303,
		"FILE_MIGRATE_2": 303, "INTERNAL": 500, "AUTH_KEY_UNREGISTERED": 401, "PEER_ID_INVALID": 400,
		"CHAT_WRITE_FORBIDDEN": 403, "MADE_UP_ERROR": 400} {
		if got := errorCode(name); got != code {
			t.Errorf("%s: %d, want %d", name, got, code)
		}
	}
}

func TestModelChatParticipantUpdatesReachAdminBots(t *testing.T) {
	m, a, b := newTestModel(t)
	bot, err := m.newUser("", "Bot", "", "group_bot", true, 2)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := m.createChat(a, "G", []*user{b, bot}, keyRef{})
	if err != nil {
		t.Fatal(err)
	}
	lastQts := func() *api.UpdateChatParticipant {
		ev := bot.journal[len(bot.journal)-1]
		if ev.kind != evQts {
			t.Fatalf("last event %+v", ev)
		}
		return ev.upd.(*api.UpdateChatParticipant)
	}
	if up := lastQts(); bot.qts != 1 || up.UserID != bot.ID || up.PrevParticipant != nil || up.Qts != 1 {
		t.Fatalf("bot added: qts %d %+v", bot.qts, up)
	}
	// A bot that is no admin sees only its own membership.
	if _, err := m.deleteChatUser(a, c, b, false, keyRef{}); err != nil {
		t.Fatal(err)
	}
	if bot.qts != 1 {
		t.Fatalf("qts %d", bot.qts)
	}
	if err := m.setChatAdmin(a, c, bot, true); err != nil {
		t.Fatal(err)
	}
	if up := lastQts(); bot.qts != 2 || up.NewParticipant.(*api.ChatParticipantAdmin).UserID != bot.ID {
		t.Fatalf("bot promoted: %+v", up)
	}
	if _, err := m.addChatUser(a, c, b, keyRef{}); err != nil {
		t.Fatal(err)
	}
	if up := lastQts(); bot.qts != 3 || up.UserID != b.ID || up.ActorID != a.ID || up.PrevParticipant != nil || up.Qts != 3 {
		t.Fatalf("b added back: %+v", up)
	}
	// The qts updates are in the bot's difference.
	d := m.difference(bot, bot.pts, 1, 0, 0).(*api.UpdatesDifference)
	if len(d.OtherUpdates) != 2 || d.State.(*api.UpdatesState).Qts != 3 {
		t.Fatalf("difference %+v", d.OtherUpdates)
	}
}
