package session_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/polygram/polygram/session"
)

// storeKind opens a fresh, empty store of one implementation.
type storeKind struct {
	name string
	open func(t testing.TB) session.Store
}

var storeKinds = []storeKind{
	{"Memory", func(t testing.TB) session.Store { return session.NewMemory() }},
	{"ZeroMemory", func(t testing.TB) session.Store { return &session.Memory{} }},
	{"SQLite", func(t testing.TB) session.Store { return openSQLite(t, filepath.Join(t.TempDir(), "test.session")) }},
}

// openSQLite opens path and closes it when the test ends (unless the test
// closed it itself).
func openSQLite(t testing.TB, path string, opts ...session.Option) *session.SQLite {
	t.Helper()
	s, err := session.Open(path, opts...)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, session.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// testKey returns a distinct 256-byte key per seed.
func testKey(seed byte) []byte {
	k := make([]byte, session.AuthKeySize)
	for i := range k {
		k[i] = seed ^ byte(i*7+1)
	}
	return k
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want one matching %v", err, target)
	}
}

func samePeer(a, b session.Peer) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.AccessHash == b.AccessHash &&
		a.Username == b.Username && slices.Equal(a.Usernames, b.Usernames) && a.Phone == b.Phone &&
		a.Name == b.Name && a.Bot == b.Bot && a.Min == b.Min && a.UpdatedAt.Equal(b.UpdatedAt)
}

func checkPeer(t testing.TB, got *session.Peer, want session.Peer) {
	t.Helper()
	if got == nil {
		t.Fatalf("peer %v %d not found, want %+v", want.Kind, want.ID, want)
	}
	if !samePeer(*got, want) {
		t.Fatalf("peer = %+v\n       want %+v", *got, want)
	}
}

func getPeer(t testing.TB, s session.Store, id int64, kind session.PeerKind) *session.Peer {
	t.Helper()
	p, err := s.PeerByID(id, kind)
	must(t, err)
	return p
}

func sameKey(a, b session.AuthKey) bool {
	return a.DC == b.DC && bytes.Equal(a.Key, b.Key) && a.Salt == b.Salt && a.TimeOffset == b.TimeOffset &&
		a.CreatedAt.Equal(b.CreatedAt)
}

func sameOptions(a, b []session.DCOption) bool {
	return slices.EqualFunc(a, b, func(x, y session.DCOption) bool {
		return x.ID == y.ID && x.IP == y.IP && x.Port == y.Port && x.IPv6 == y.IPv6 && x.MediaOnly == y.MediaOnly &&
			x.CDN == y.CDN && x.TCPOOnly == y.TCPOOnly && x.Static == y.Static && x.ThisPortOnly == y.ThisPortOnly &&
			bytes.Equal(x.Secret, y.Secret)
	})
}

// at is a fixed time with sub-second precision, to check times survive.
var at = time.Date(2024, 5, 17, 10, 20, 30, 123456789, time.UTC)

// loginState is everything a session string carries.
type loginState struct {
	mainDC  int
	keys    []session.AuthKey
	options []session.DCOption
	self    *session.Self
}

func sampleLogin() loginState {
	return loginState{
		mainDC: 2,
		keys: []session.AuthKey{
			{DC: 2, Key: testKey(2), Salt: -1234567890123, TimeOffset: -1500 * time.Millisecond, CreatedAt: at},
			{DC: 4, Key: testKey(4), Salt: 77, TimeOffset: 3 * time.Second},
		},
		options: []session.DCOption{
			{ID: 2, IP: "149.154.167.51", Port: 443},
			{ID: 2, IP: "2001:67c:4e8:f002::a", Port: 443, IPv6: true},
			{ID: 4, IP: "149.154.167.92", Port: 443, MediaOnly: true, Static: true, ThisPortOnly: true},
			{ID: 203, IP: "91.105.192.100", Port: 443, CDN: true, TCPOOnly: true, Secret: []byte{0xdd, 1, 2, 3}},
		},
		self: &session.Self{UserID: 777000123, Bot: true, DC: 2},
	}
}

func writeLogin(t testing.TB, s session.Store, l loginState) {
	t.Helper()
	must(t, s.SetMainDC(l.mainDC))
	for _, k := range l.keys {
		must(t, s.SetAuthKey(k))
	}
	must(t, s.SetDCOptions(l.options))
	must(t, s.SetSelf(l.self))
}

func checkLogin(t testing.TB, s session.Store, l loginState) {
	t.Helper()
	dc, err := s.MainDC()
	must(t, err)
	if dc != l.mainDC {
		t.Errorf("MainDC = %d, want %d", dc, l.mainDC)
	}
	for _, want := range l.keys {
		got, err := s.AuthKey(want.DC)
		must(t, err)
		if got == nil || !sameKey(*got, want) {
			t.Errorf("AuthKey(%d) = %+v, want %+v", want.DC, got, want)
		}
	}
	opts, err := s.DCOptions()
	must(t, err)
	if !sameOptions(opts, l.options) {
		t.Errorf("DCOptions = %+v\nwant %+v", opts, l.options)
	}
	me, err := s.Self()
	must(t, err)
	if (me == nil) != (l.self == nil) || me != nil && *me != *l.self {
		t.Errorf("Self = %+v, want %+v", me, l.self)
	}
}
