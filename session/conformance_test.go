package session_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/session"
)

// conformance is the behaviour every Store shares; TestConformance runs it
// against each implementation.
var conformance = []struct {
	name string
	run  func(t *testing.T, s session.Store)
}{
	{"EmptyStoreHasNothing", func(t *testing.T, s session.Store) {
		k, err := s.AuthKey(2)
		if k != nil || err != nil {
			t.Errorf("AuthKey = %v, %v; want nil, nil", k, err)
		}
		if dc, err := s.MainDC(); dc != 0 || err != nil {
			t.Errorf("MainDC = %d, %v; want 0, nil", dc, err)
		}
		if opts, err := s.DCOptions(); len(opts) != 0 || err != nil {
			t.Errorf("DCOptions = %v, %v; want none", opts, err)
		}
		if me, err := s.Self(); me != nil || err != nil {
			t.Errorf("Self = %v, %v; want nil, nil", me, err)
		}
		if _, ok, err := s.UpdateState(); ok || err != nil {
			t.Errorf("UpdateState ok = %v, %v; want false, nil", ok, err)
		}
		if _, ok, err := s.ChannelPts(1); ok || err != nil {
			t.Errorf("ChannelPts ok = %v, %v; want false, nil", ok, err)
		}
		if p, err := s.PeerByID(1, session.PeerUser); p != nil || err != nil {
			t.Errorf("PeerByID = %v, %v; want nil, nil", p, err)
		}
		if p, err := s.PeerByUsername("durov"); p != nil || err != nil {
			t.Errorf("PeerByUsername = %v, %v; want nil, nil", p, err)
		}
		if p, err := s.PeerByPhone("+1 555"); p != nil || err != nil {
			t.Errorf("PeerByPhone = %v, %v; want nil, nil", p, err)
		}
	}},
	{"LoginStateRoundTrips", func(t *testing.T, s session.Store) {
		l := sampleLogin()
		writeLogin(t, s, l)
		checkLogin(t, s, l)
	}},
	{"AuthKeyIsReplacedAndDeleted", func(t *testing.T, s session.Store) {
		must(t, s.SetAuthKey(session.AuthKey{DC: 1, Key: testKey(1), Salt: 1}))
		want := session.AuthKey{DC: 1, Key: testKey(9), Salt: 2, TimeOffset: time.Second}
		must(t, s.SetAuthKey(want))
		got, err := s.AuthKey(1)
		must(t, err)
		if got == nil || !sameKey(*got, want) {
			t.Fatalf("AuthKey = %+v, want %+v", got, want)
		}
		must(t, s.DeleteAuthKey(1))
		must(t, s.DeleteAuthKey(1)) // deleting what is not there is fine
		if got, err := s.AuthKey(1); got != nil || err != nil {
			t.Fatalf("AuthKey after delete = %v, %v", got, err)
		}
	}},
	{"AuthKeyIsCopiedInAndOut", func(t *testing.T, s session.Store) {
		key := testKey(3)
		must(t, s.SetAuthKey(session.AuthKey{DC: 3, Key: key}))
		key[0] ^= 0xff
		got, err := s.AuthKey(3)
		must(t, err)
		got.Key[1] ^= 0xff
		again, err := s.AuthKey(3)
		must(t, err)
		if string(again.Key) != string(testKey(3)) {
			t.Fatal("the store shares memory with a caller's key slice")
		}
	}},
	{"AuthKeyListsEveryDC", func(t *testing.T, s session.Store) {
		l, ok := s.(session.AuthKeyLister)
		if !ok {
			t.Skip("no AuthKeyLister")
		}
		for _, dc := range []int{5, 1, 3} {
			must(t, s.SetAuthKey(session.AuthKey{DC: dc, Key: testKey(byte(dc))}))
		}
		keys, err := l.AuthKeys()
		must(t, err)
		if len(keys) != 3 || keys[0].DC != 1 || keys[1].DC != 3 || keys[2].DC != 5 {
			t.Fatalf("AuthKeys = %v DCs, want 1, 3, 5", keys)
		}
	}},
	{"InvalidArgumentsAreRefused", func(t *testing.T, s session.Store) {
		wantErr(t, s.SetAuthKey(session.AuthKey{DC: 2, Key: make([]byte, 255)}), session.ErrInvalid)
		wantErr(t, s.SetAuthKey(session.AuthKey{DC: 0, Key: testKey(1)}), session.ErrInvalid)
		wantErr(t, s.SetMainDC(-1), session.ErrInvalid)
		wantErr(t, s.SetDCOptions([]session.DCOption{{ID: 1, IP: "1.2.3.4", Port: 70000}}), session.ErrInvalid)
		wantErr(t, s.SetDCOptions([]session.DCOption{{ID: 1, Port: 443}}), session.ErrInvalid)
		wantErr(t, s.SetSelf(&session.Self{UserID: 0}), session.ErrInvalid)
		wantErr(t, s.SetChannelPts(-1001234, 5), session.ErrInvalid)
		wantErr(t, s.SavePeers([]session.Peer{{ID: 1}}), session.ErrInvalid)
		wantErr(t, s.SavePeers([]session.Peer{{ID: -5, Kind: session.PeerChat}}), session.ErrInvalid)
		_, err := s.PeerByID(1, 0)
		wantErr(t, err, session.ErrInvalid)
		_, err = s.PeerByUsername("@")
		wantErr(t, err, session.ErrInvalid)
		_, err = s.PeerByPhone("+")
		wantErr(t, err, session.ErrInvalid)
	}},
	{"MainDCCanBeUnset", func(t *testing.T, s session.Store) {
		must(t, s.SetMainDC(4))
		must(t, s.SetMainDC(0))
		if dc, err := s.MainDC(); dc != 0 || err != nil {
			t.Fatalf("MainDC = %d, %v", dc, err)
		}
	}},
	{"DCOptionsAreReplacedWhole", func(t *testing.T, s session.Store) {
		must(t, s.SetDCOptions(sampleLogin().options))
		next := []session.DCOption{{ID: 1, IP: "149.154.175.53", Port: 443}}
		must(t, s.SetDCOptions(next))
		got, err := s.DCOptions()
		must(t, err)
		if !sameOptions(got, next) {
			t.Fatalf("DCOptions = %+v, want %+v", got, next)
		}
		must(t, s.SetDCOptions(nil))
		if got, err := s.DCOptions(); len(got) != 0 || err != nil {
			t.Fatalf("DCOptions after clearing = %v, %v", got, err)
		}
	}},
	{"SetSelfNilLogsOut", func(t *testing.T, s session.Store) {
		must(t, s.SetSelf(&session.Self{UserID: 1, DC: 2}))
		must(t, s.SetSelf(&session.Self{UserID: 42, DC: 4}))
		me, err := s.Self()
		must(t, err)
		if me == nil || *me != (session.Self{UserID: 42, DC: 4}) {
			t.Fatalf("Self = %+v", me)
		}
		must(t, s.SetSelf(nil))
		if me, err := s.Self(); me != nil || err != nil {
			t.Fatalf("Self after log out = %v, %v", me, err)
		}
	}},
	{"UpdateStateAndChannelPts", func(t *testing.T, s session.Store) {
		want := session.UpdateState{Pts: 100, Qts: -3, Date: 1700000000, Seq: 9}
		must(t, s.SetUpdateState(want))
		got, ok, err := s.UpdateState()
		if got != want || !ok || err != nil {
			t.Fatalf("UpdateState = %+v, %v, %v", got, ok, err)
		}
		must(t, s.SetChannelPts(1234567890, 5))
		must(t, s.SetChannelPts(1234567890, 6))
		pts, ok, err := s.ChannelPts(1234567890)
		if pts != 6 || !ok || err != nil {
			t.Fatalf("ChannelPts = %d, %v, %v", pts, ok, err)
		}
	}},
	{"SaveStateStoresAllTogether", func(t *testing.T, s session.Store) {
		must(t, s.SetUpdateState(session.UpdateState{Pts: 1}))
		peers := []session.Peer{{ID: 10, Kind: session.PeerUser, AccessHash: 1, UpdatedAt: at}}
		st := session.UpdateState{Pts: 2, Qts: 3, Date: 4, Seq: 5}
		must(t, s.SaveState(&st, map[int64]int32{7: 70, 8: 80}, peers))
		got, ok, err := s.UpdateState()
		if got != st || !ok || err != nil {
			t.Fatalf("UpdateState = %+v, %v, %v", got, ok, err)
		}
		for id, want := range map[int64]int32{7: 70, 8: 80} {
			if pts, ok, err := s.ChannelPts(id); pts != want || !ok || err != nil {
				t.Fatalf("ChannelPts(%d) = %d, %v, %v", id, pts, ok, err)
			}
		}
		checkPeer(t, getPeer(t, s, 10, session.PeerUser), peers[0])

		// A nil state leaves the update state alone.
		must(t, s.SaveState(nil, map[int64]int32{7: 71}, nil))
		if got, _, _ := s.UpdateState(); got != st {
			t.Fatalf("UpdateState after SaveState(nil) = %+v, want %+v", got, st)
		}
		if pts, _, _ := s.ChannelPts(7); pts != 71 {
			t.Fatalf("ChannelPts(7) = %d, want 71", pts)
		}
	}},
	{"LastMessageIDsGoWithTheState", func(t *testing.T, s session.Store) {
		lm, ok := s.(session.LastMessageStore)
		if !ok {
			t.Fatalf("%T does not keep last message ids", s)
		}
		if ids, err := lm.LastMessageIDs(); err != nil || len(ids) != 0 {
			t.Fatalf("LastMessageIDs of a new store = %v, %v", ids, err)
		}
		st := session.UpdateState{Pts: 9, Qts: 1, Date: 3, Seq: 4}
		must(t, lm.SaveStateLastIDs(&st, map[int64]int32{7: 70}, map[int64]int32{0: 120, 7: 15},
			[]session.Peer{{ID: 1, Kind: session.PeerUser, AccessHash: 5}}))
		must(t, lm.SaveStateLastIDs(nil, nil, map[int64]int32{7: 16}, nil))
		ids, err := lm.LastMessageIDs()
		if err != nil || len(ids) != 2 || ids[0] != 120 || ids[7] != 16 {
			t.Fatalf("LastMessageIDs = %v, %v; want 0:120 7:16", ids, err)
		}
		if got, ok, _ := s.UpdateState(); !ok || got != st {
			t.Fatalf("UpdateState = %+v", got)
		}
		if pts, _, _ := s.ChannelPts(7); pts != 70 {
			t.Fatalf("ChannelPts = %d", pts)
		}
		getPeer(t, s, 1, session.PeerUser)
		// All or nothing: a bad peer or id stores none of it.
		err = lm.SaveStateLastIDs(&session.UpdateState{Pts: 99}, nil, map[int64]int32{0: 130}, []session.Peer{{ID: 2}})
		wantErr(t, err, session.ErrInvalid)
		wantErr(t, lm.SaveStateLastIDs(nil, nil, map[int64]int32{-5: 1}, nil), session.ErrInvalid)
		if ids, _ := lm.LastMessageIDs(); ids[0] != 120 || len(ids) != 2 {
			t.Fatalf("a failed save changed the ids: %v", ids)
		}
		if got, _, _ := s.UpdateState(); got != st {
			t.Fatalf("a failed save changed the state: %+v", got)
		}
	}},
	{"SaveStateIsAllOrNothing", func(t *testing.T, s session.Store) {
		st := session.UpdateState{Pts: 2}
		err := s.SaveState(&st, map[int64]int32{7: 70}, []session.Peer{{ID: 1, Kind: session.PeerUser}, {ID: 2}})
		wantErr(t, err, session.ErrInvalid)
		if _, ok, _ := s.UpdateState(); ok {
			t.Fatal("the update state was stored by a failed SaveState")
		}
		if _, ok, _ := s.ChannelPts(7); ok {
			t.Fatal("channel pts were stored by a failed SaveState")
		}
		if getPeer(t, s, 1, session.PeerUser) != nil {
			t.Fatal("a peer was stored by a failed SaveState")
		}
	}},
	{"PeerRoundTripsEveryField", func(t *testing.T, s session.Store) {
		peers := []session.Peer{
			{ID: 136817688, Kind: session.PeerUser, AccessHash: -8230284389562, Username: "durov",
				Usernames: []string{"durov", "Pavel"}, Phone: "15551234567", Name: "Pavel Durov", UpdatedAt: at},
			{ID: 93372553, Kind: session.PeerUser, AccessHash: 5, Username: "botfather", Usernames: []string{"BotFather"},
				Name: "BotFather", Bot: true, UpdatedAt: at},
			{ID: 4567, Kind: session.PeerChat, Name: "Family", UpdatedAt: at},
			{ID: 1006503122, Kind: session.PeerChannel, AccessHash: 1, Username: "telegram", Usernames: []string{"telegram"},
				Name: "Telegram News", Min: true, UpdatedAt: at},
		}
		must(t, s.SavePeers(peers))
		for _, want := range peers {
			checkPeer(t, getPeer(t, s, want.ID, want.Kind), want)
		}
		// Ids live in their kind's namespace.
		if p := getPeer(t, s, 4567, session.PeerUser); p != nil {
			t.Fatalf("user 4567 = %+v, want none (4567 is a chat)", p)
		}
	}},
	{"PeerFieldsAreNormalized", func(t *testing.T, s session.Store) {
		before := time.Now().Add(-time.Second)
		must(t, s.SavePeers([]session.Peer{{ID: 5, Kind: session.PeerUser, Username: "@Durov",
			Usernames: []string{"@durov", "DUROV", "", "Second"}, Phone: "+1 (555) 123-45-67"}}))
		p := getPeer(t, s, 5, session.PeerUser)
		if p.Username != "durov" || fmt.Sprint(p.Usernames) != "[durov Second]" || p.Phone != "15551234567" {
			t.Fatalf("normalized peer = %+v", p)
		}
		if p.UpdatedAt.Before(before) || p.UpdatedAt.After(time.Now().Add(time.Second)) {
			t.Fatalf("UpdatedAt = %v, want about now", p.UpdatedAt)
		}
		// A main username missing from Usernames joins them; with none, the
		// first active one becomes the main one.
		must(t, s.SavePeers([]session.Peer{
			{ID: 6, Kind: session.PeerUser, Username: "Main", Usernames: []string{"other"}},
			{ID: 7, Kind: session.PeerUser, Usernames: []string{"Collectible", "x_y"}},
		}))
		if p := getPeer(t, s, 6, session.PeerUser); p.Username != "main" || fmt.Sprint(p.Usernames) != "[main other]" {
			t.Fatalf("peer 6 = %+v", p)
		}
		if p := getPeer(t, s, 7, session.PeerUser); p.Username != "collectible" || fmt.Sprint(p.Usernames) != "[Collectible x_y]" {
			t.Fatalf("peer 7 = %+v", p)
		}
	}},
	{"PeerIsCopiedInAndOut", func(t *testing.T, s session.Store) {
		names := []string{"abcde"}
		must(t, s.SavePeers([]session.Peer{{ID: 5, Kind: session.PeerUser, Usernames: names}}))
		names[0] = "zzzzz"
		p := getPeer(t, s, 5, session.PeerUser)
		p.Usernames[0] = "yyyyy"
		if p := getPeer(t, s, 5, session.PeerUser); p.Usernames[0] != "abcde" {
			t.Fatalf("Usernames = %v: the store shares memory with a caller", p.Usernames)
		}
	}},
	{"MinPeerKeepsStoredAccessHash", func(t *testing.T, s session.Store) {
		full := session.Peer{ID: 9, Kind: session.PeerUser, AccessHash: 1111, Username: "alice", Usernames: []string{"alice"},
			Phone: "123", Name: "Alice", UpdatedAt: at}
		must(t, s.SavePeers([]session.Peer{full}))
		later := at.Add(time.Hour)
		must(t, s.SavePeers([]session.Peer{{ID: 9, Kind: session.PeerUser, AccessHash: 2222, Min: true, Name: "Alice B.", UpdatedAt: later}}))
		want := full
		want.Name, want.UpdatedAt = "Alice B.", later
		checkPeer(t, getPeer(t, s, 9, session.PeerUser), want)
		if p, _ := s.PeerByUsername("alice"); p == nil || p.ID != 9 {
			t.Fatalf("PeerByUsername after a min update = %v", p)
		}
		if p, _ := s.PeerByPhone("123"); p == nil || p.ID != 9 {
			t.Fatalf("PeerByPhone after a min update = %v", p)
		}
		// A min peer that carries a username replaces the usernames.
		must(t, s.SavePeers([]session.Peer{{ID: 9, Kind: session.PeerUser, AccessHash: 3333, Min: true, Username: "alice2", UpdatedAt: later}}))
		want.Username, want.Usernames = "alice2", []string{"alice2"}
		checkPeer(t, getPeer(t, s, 9, session.PeerUser), want)
	}},
	{"MinPeerIsReplacedByFullPeer", func(t *testing.T, s session.Store) {
		minPeer := session.Peer{ID: 9, Kind: session.PeerChannel, AccessHash: 1, Min: true, Name: "C", UpdatedAt: at}
		must(t, s.SavePeers([]session.Peer{minPeer}))
		checkPeer(t, getPeer(t, s, 9, session.PeerChannel), minPeer)
		newer := minPeer
		newer.AccessHash = 2
		must(t, s.SavePeers([]session.Peer{newer})) // min over min replaces
		checkPeer(t, getPeer(t, s, 9, session.PeerChannel), newer)
		full := session.Peer{ID: 9, Kind: session.PeerChannel, AccessHash: 3, Name: "C", UpdatedAt: at}
		must(t, s.SavePeers([]session.Peer{full}))
		checkPeer(t, getPeer(t, s, 9, session.PeerChannel), full)
	}},
	{"MinPeerInSameBatchAfterFullPeer", func(t *testing.T, s session.Store) {
		must(t, s.SavePeers([]session.Peer{
			{ID: 9, Kind: session.PeerUser, AccessHash: 1, UpdatedAt: at},
			{ID: 9, Kind: session.PeerUser, AccessHash: 2, Min: true, UpdatedAt: at},
		}))
		if p := getPeer(t, s, 9, session.PeerUser); p.AccessHash != 1 || p.Min {
			t.Fatalf("peer = %+v, want access hash 1, not min", p)
		}
	}},
	{"UsernameLookupIgnoresCaseAndAt", func(t *testing.T, s session.Store) {
		want := session.Peer{ID: 1, Kind: session.PeerChannel, AccessHash: 7, Usernames: []string{"TelegramTips", "tips_alias"}, UpdatedAt: at}
		must(t, s.SavePeers([]session.Peer{want}))
		want.Username = "telegramtips"
		for _, q := range []string{"telegramtips", "@TelegramTips", " TELEGRAMTIPS ", "@tips_ALIAS"} {
			p, err := s.PeerByUsername(q)
			must(t, err)
			checkPeer(t, p, want)
		}
		if p, err := s.PeerByUsername("telegram"); p != nil || err != nil {
			t.Fatalf("PeerByUsername(prefix) = %v, %v", p, err)
		}
	}},
	{"RenamedPeerLosesOldUsername", func(t *testing.T, s session.Store) {
		must(t, s.SavePeers([]session.Peer{{ID: 1, Kind: session.PeerUser, Username: "oldname"}}))
		must(t, s.SavePeers([]session.Peer{{ID: 1, Kind: session.PeerUser, Username: "newname"}}))
		if p, err := s.PeerByUsername("oldname"); p != nil || err != nil {
			t.Fatalf("PeerByUsername(old) = %+v, %v; want nothing", p, err)
		}
		if p, _ := s.PeerByUsername("newname"); p == nil || p.ID != 1 {
			t.Fatalf("PeerByUsername(new) = %+v", p)
		}
		must(t, s.SavePeers([]session.Peer{{ID: 1, Kind: session.PeerUser}}))
		if p, err := s.PeerByUsername("newname"); p != nil || err != nil {
			t.Fatalf("PeerByUsername after the username was dropped = %+v, %v", p, err)
		}
	}},
	{"UsernameGoesToPeerSavedLast", func(t *testing.T, s session.Store) {
		must(t, s.SavePeers([]session.Peer{{ID: 1, Kind: session.PeerUser, Username: "shared"}}))
		must(t, s.SavePeers([]session.Peer{{ID: 2, Kind: session.PeerChannel, Username: "shared"}}))
		if p, _ := s.PeerByUsername("shared"); p == nil || p.ID != 2 || p.Kind != session.PeerChannel {
			t.Fatalf("PeerByUsername = %+v, want channel 2", p)
		}
		must(t, s.SavePeers([]session.Peer{{ID: 1, Kind: session.PeerUser, Username: "shared", Name: "again"}}))
		if p, _ := s.PeerByUsername("shared"); p == nil || p.ID != 1 {
			t.Fatalf("PeerByUsername = %+v, want user 1", p)
		}
		// When the last owner drops it, an earlier claimant still holds it.
		must(t, s.SavePeers([]session.Peer{{ID: 1, Kind: session.PeerUser}}))
		if p, _ := s.PeerByUsername("shared"); p == nil || p.ID != 2 {
			t.Fatalf("PeerByUsername = %+v, want channel 2", p)
		}
	}},
	{"PhoneLookupComparesDigits", func(t *testing.T, s session.Store) {
		must(t, s.SavePeers([]session.Peer{{ID: 1, Kind: session.PeerUser, Phone: "15551234567"}}))
		for _, q := range []string{"15551234567", "+1 555 123 45 67", "+1 (555) 123-4567"} {
			if p, err := s.PeerByPhone(q); err != nil || p == nil || p.ID != 1 {
				t.Fatalf("PeerByPhone(%q) = %+v, %v", q, p, err)
			}
		}
		if p, err := s.PeerByPhone("1555123456"); p != nil || err != nil {
			t.Fatalf("PeerByPhone(prefix) = %+v, %v", p, err)
		}
		// A number that changed hands belongs to the peer saved last.
		must(t, s.SavePeers([]session.Peer{{ID: 2, Kind: session.PeerUser, Phone: "+15551234567"}}))
		if p, _ := s.PeerByPhone("15551234567"); p == nil || p.ID != 2 {
			t.Fatalf("PeerByPhone = %+v, want user 2", p)
		}
	}},
	{"SavePeersIsAllOrNothing", func(t *testing.T, s session.Store) {
		peers := make([]session.Peer, 100)
		for i := range peers {
			peers[i] = session.Peer{ID: int64(i + 1), Kind: session.PeerUser, Username: fmt.Sprintf("user%d", i)}
		}
		peers[99].Kind = 0
		wantErr(t, s.SavePeers(peers), session.ErrInvalid)
		if p := getPeer(t, s, 1, session.PeerUser); p != nil {
			t.Fatalf("peer 1 = %+v: saved by a failed batch", p)
		}
		must(t, s.SavePeers(nil))
	}},
	{"PeerByMarkedID", func(t *testing.T, s session.Store) {
		must(t, s.SavePeers([]session.Peer{
			{ID: 1, Kind: session.PeerUser}, {ID: 1, Kind: session.PeerChat}, {ID: 1, Kind: session.PeerChannel}}))
		for marked, kind := range map[int64]session.PeerKind{1: session.PeerUser, -1: session.PeerChat, -1000000000001: session.PeerChannel} {
			p, err := session.PeerByMarkedID(s, marked)
			must(t, err)
			if p == nil || p.Kind != kind || p.MarkedID() != marked {
				t.Fatalf("PeerByMarkedID(%d) = %+v", marked, p)
			}
		}
		_, err := session.PeerByMarkedID(s, 0)
		wantErr(t, err, session.ErrInvalid)
	}},
	{"ConcurrentUse", func(t *testing.T, s session.Store) {
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := range 4 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := range 25 {
					id := int64(w*1000 + i + 1)
					err := s.SaveState(&session.UpdateState{Pts: int32(i)}, map[int64]int32{id: int32(i)},
						[]session.Peer{{ID: id, Kind: session.PeerUser, Username: fmt.Sprintf("u%d", id), Phone: fmt.Sprint(id)}})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for i := range 25 {
					id := int64(w*1000 + i + 1)
					if _, err := s.PeerByID(id, session.PeerUser); err != nil {
						errs <- err
						return
					}
					if _, err := s.PeerByUsername(fmt.Sprintf("u%d", id)); err != nil {
						errs <- err
						return
					}
					if _, _, err := s.UpdateState(); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for w := range 4 {
			for i := range 25 {
				id := int64(w*1000 + i + 1)
				if p, _ := s.PeerByPhone(fmt.Sprint(id)); p == nil || p.ID != id {
					t.Fatalf("PeerByPhone(%d) = %+v", id, p)
				}
			}
		}
	}},
	{"ClosedStoreReturnsErrClosed", func(t *testing.T, s session.Store) {
		must(t, s.Close())
		calls := map[string]error{
			"Close":          s.Close(),
			"SetAuthKey":     s.SetAuthKey(session.AuthKey{DC: 1, Key: testKey(1)}),
			"DeleteAuthKey":  s.DeleteAuthKey(1),
			"SetMainDC":      s.SetMainDC(1),
			"SetDCOptions":   s.SetDCOptions(nil),
			"SetSelf":        s.SetSelf(nil),
			"SetUpdateState": s.SetUpdateState(session.UpdateState{}),
			"SetChannelPts":  s.SetChannelPts(1, 1),
			"SaveState":      s.SaveState(nil, nil, nil),
			"SavePeers":      s.SavePeers(nil),
		}
		_, calls["AuthKey"] = s.AuthKey(1)
		_, calls["MainDC"] = s.MainDC()
		_, calls["DCOptions"] = s.DCOptions()
		_, calls["Self"] = s.Self()
		_, _, calls["UpdateState"] = s.UpdateState()
		_, _, calls["ChannelPts"] = s.ChannelPts(1)
		_, calls["PeerByID"] = s.PeerByID(1, session.PeerUser)
		_, calls["PeerByUsername"] = s.PeerByUsername("x")
		_, calls["PeerByPhone"] = s.PeerByPhone("1")
		if l, ok := s.(session.AuthKeyLister); ok {
			_, calls["AuthKeys"] = l.AuthKeys()
		}
		for name, err := range calls {
			if !errors.Is(err, session.ErrClosed) {
				t.Errorf("%s on a closed store = %v, want ErrClosed", name, err)
			}
		}
	}},
}

func TestConformance(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			for _, c := range conformance {
				t.Run(c.name, func(t *testing.T) {
					c.run(t, kind.open(t))
				})
			}
		})
	}
}

func TestMarkedIDs(t *testing.T) {
	cases := []struct {
		peer   session.Peer
		marked int64
	}{
		{session.Peer{ID: 136817688, Kind: session.PeerUser}, 136817688},
		{session.Peer{ID: 4567, Kind: session.PeerChat}, -4567},
		{session.Peer{ID: 999999999999, Kind: session.PeerChat}, -999999999999},
		{session.Peer{ID: 1006503122, Kind: session.PeerChannel}, -1001006503122},
		{session.Peer{ID: 1, Kind: session.PeerChannel}, -1000000000001},
		{session.Peer{ID: 2147483648000, Kind: session.PeerChannel}, -3147483648000},
	}
	for _, c := range cases {
		if got := c.peer.MarkedID(); got != c.marked {
			t.Errorf("%v %d: MarkedID = %d, want %d", c.peer.Kind, c.peer.ID, got, c.marked)
		}
		id, kind := session.SplitMarkedID(c.marked)
		if id != c.peer.ID || kind != c.peer.Kind {
			t.Errorf("SplitMarkedID(%d) = %d, %v; want %d, %v", c.marked, id, kind, c.peer.ID, c.peer.Kind)
		}
	}
	for _, bad := range []int64{0, -1000000000000} {
		if id, kind := session.SplitMarkedID(bad); id != 0 || kind != 0 {
			t.Errorf("SplitMarkedID(%d) = %d, %v; want 0, 0", bad, id, kind)
		}
	}
	if got := (session.Peer{ID: 5}).MarkedID(); got != 0 {
		t.Errorf("MarkedID without a kind = %d, want 0", got)
	}
	if s := session.PeerChannel.String(); s != "channel" {
		t.Errorf("PeerChannel.String() = %q", s)
	}
}
