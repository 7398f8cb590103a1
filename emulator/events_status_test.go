package emulator

import (
	"testing"

	"github.com/polygram/polygram/tl/api"
)

func TestUpdateStatusReachesContactsOnly(t *testing.T) {
	e := startEmu(t, Config{})
	ann, annC := newUserClient(t, e, "9996625001", "Ann")
	bob, bobC := newUserClient(t, e, "9996625002", "Bob")
	_, carlC := newUserClient(t, e, "9996625003", "Carl")
	if err := e.AddContact(bob.ID, ann.ID); err != nil {
		t.Fatal(err)
	}
	annC.must(&api.AccountUpdateStatusRequest{Offline: true})
	u := nextOf[*api.UpdateShort](bobC)
	st, ok := u.Update.(*api.UpdateUserStatus)
	if !ok || st.UserID != ann.ID {
		t.Fatalf("Bob got %+v", u.Update)
	}
	if off, ok := st.Status.(*api.UserStatusOffline); !ok || off.WasOnline == 0 {
		t.Fatalf("status %+v", st.Status)
	}
	carlC.quiet(100_000_000) // Carl does not know Ann
}

func TestSendAlbumGroupsMessagesAndChecksItsInput(t *testing.T) {
	e := startEmu(t, Config{})
	ann, _ := e.CreateUser("9996625011", "Ann", "", "")
	bob, _ := e.CreateUser("9996625012", "Bob", "", "")
	if _, err := e.SendAlbum(ann.ID, bob.ID, "only one"); err == nil {
		t.Fatal("an album of one message was accepted")
	}
	ids, err := e.SendAlbum(ann.ID, bob.ID, "a", "b", "c")
	if err != nil || len(ids) != 3 {
		t.Fatalf("ids %v, %v", ids, err)
	}
	hist, err := e.History(bob.ID, ann.ID)
	if err != nil || len(hist) != 3 {
		t.Fatalf("history %d, %v", len(hist), err)
	}
	for _, m := range hist {
		if m.GroupedID == 0 || m.GroupedID != hist[0].GroupedID || m.Media == nil {
			t.Fatalf("message %d: group %d media %v", m.ID, m.GroupedID, m.Media)
		}
	}
}

func TestForcedTooLongDifferences(t *testing.T) {
	e := startEmu(t, Config{})
	ann, annC := newUserClient(t, e, "9996625021", "Ann")
	bob, _ := e.CreateUser("9996625022", "Bob", "", "")
	if err := e.ForceChannelDifferenceTooLong(ann.ID, bob.ID); err == nil {
		t.Fatal("a user id was taken for a channel")
	}
	st := annC.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	ch, err := e.CreateChannel(bob.ID, "News", "", false, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := e.SendMessage(bob.ID, ann.ID, "hi"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.SendMessage(bob.ID, ch, "post"); err != nil {
			t.Fatal(err)
		}
	}
	e.ForceDifferenceTooLong(ann.ID)
	d := annC.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Qts: st.Qts, Date: st.Date})
	if tl, ok := d.(*api.UpdatesDifferenceTooLong); !ok || tl.Pts != st.Pts+3 {
		t.Fatalf("forced difference %+v", d)
	}
	// Only once.
	if _, ok := annC.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Qts: st.Qts, Date: st.Date}).(*api.UpdatesDifference); !ok {
		t.Fatal("the second difference is still too long")
	}
	if err := e.ForceChannelDifferenceTooLong(ann.ID, ch); err != nil {
		t.Fatal(err)
	}
	in := e.testInputChannel(ann.ID, ch)
	cd := annC.must(&api.UpdatesGetChannelDifferenceRequest{Channel: in, Filter: &api.ChannelMessagesFilterEmpty{}, Pts: 1, Limit: 2})
	tl, ok := cd.(*api.UpdatesChannelDifferenceTooLong)
	if !ok || len(tl.Messages) != 2 {
		t.Fatalf("forced channel difference %T", cd)
	}
	if _, ok := annC.must(&api.UpdatesGetChannelDifferenceRequest{Channel: in, Filter: &api.ChannelMessagesFilterEmpty{}, Pts: 1, Limit: 2}).(*api.UpdatesChannelDifference); !ok {
		t.Fatal("the second channel difference is still too long")
	}
}
