package core_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

func startEmulator(t testing.TB) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

// config points a client at the emulator.
func config(emu *emulator.Emulator, store session.Store) core.Config {
	var dcs []core.DCAddr
	for _, d := range emu.DCs() {
		dcs = append(dcs, core.DCAddr{ID: d.ID, Addr: emu.Addr(d.ID)})
	}
	return core.Config{APIID: 1, APIHash: "test", DCs: dcs, Session: store,
		PublicKeys: []crypto.PublicKey{emu.PublicKey()}}
}

func newClient(t testing.TB, emu *emulator.Emulator, store session.Store) *core.Client {
	t.Helper()
	if store == nil {
		store = session.NewMemory()
	}
	c, err := core.New(config(emu, store))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// login signs in a user with the emulator's code.
func login(t testing.TB, emu *emulator.Emulator, c *core.Client, phone string) *api.User {
	t.Helper()
	u, err := c.Login(ctx(t), core.LoginOptions{
		Phone: func(context.Context) (string, error) { return phone, nil },
		Code:  func(context.Context, *core.SentCode) (string, error) { return emu.LoginCode(phone), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLoginWithCodeMigratesToTheUsersDC(t *testing.T) {
	emu := startEmulator(t)
	want, err := emu.CreateUser("9996631234", "Ann", "Lee", "ann_lee")
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, emu, nil)
	var states []core.AuthState
	u, err := c.Login(ctx(t), core.LoginOptions{
		Phone:   func(context.Context) (string, error) { return "+999 663 1234", nil },
		Code:    func(context.Context, *core.SentCode) (string, error) { return "33333", nil },
		OnState: func(s core.AuthState) { states = append(states, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != want.ID || c.MainDC() != 3 {
		t.Fatalf("user %d on DC %d", u.ID, c.MainDC())
	}
	if len(states) != 3 || states[2] != core.AuthReady {
		t.Fatalf("states %v", states)
	}
	me, err := c.ResolvePeer(ctx(t), "me")
	if err != nil || me.ID != want.ID {
		t.Fatalf("me = %+v, %v", me, err)
	}
}

func TestWrongCodeAndSignUp(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu, nil)
	sent, err := c.SendCode(ctx(t), "9996625555")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SignIn(ctx(t), sent.Phone, sent.Hash, "00000")
	if e, ok := core.AsRPCError(err); !ok || e.Message != "PHONE_CODE_INVALID" {
		t.Fatalf("wrong code: %v", err)
	}
	_, err = c.SignIn(ctx(t), sent.Phone, sent.Hash, "22222")
	if !errors.Is(err, core.ErrSignUpRequired) {
		t.Fatalf("unknown number: %v", err)
	}
	u, err := c.SignUp(ctx(t), sent.Phone, sent.Hash, "New", "User")
	if err != nil || u.FirstName.Val != "New" {
		t.Fatalf("%+v %v", u, err)
	}
}

func TestTwoFactorPassword(t *testing.T) {
	emu := startEmulator(t)
	user, _ := emu.CreateUser("9996627777", "Pat", "", "")
	if err := emu.SetPassword(user.ID, "correct horse", "horse"); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, emu, nil)
	sent, err := c.SendCode(ctx(t), "9996627777")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(ctx(t), sent.Phone, sent.Hash, "22222"); !errors.Is(err, core.ErrPasswordNeeded) {
		t.Fatalf("got %v", err)
	}
	if hint, _ := c.PasswordHint(ctx(t)); hint != "horse" {
		t.Fatalf("hint %q", hint)
	}
	if _, err := c.CheckPassword(ctx(t), "wrong"); err == nil {
		t.Fatal("wrong password accepted")
	}
	if u, err := c.CheckPassword(ctx(t), "correct horse"); err != nil || u.ID != user.ID {
		t.Fatalf("%v %v", u, err)
	}
}

func TestBotTokenLogin(t *testing.T) {
	emu := startEmulator(t)
	bot, token, err := emu.CreateBot("echo_bot", "Echo")
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, emu, nil)
	u, err := c.Login(ctx(t), core.LoginOptions{BotToken: token})
	if err != nil || u.ID != bot.ID || !u.Bot {
		t.Fatalf("%+v %v", u, err)
	}
	if _, err := newClient(t, emu, nil).SignInBot(ctx(t), "1:wrong"); err == nil {
		t.Fatal("bad token accepted")
	}
}

func TestQRLoginAcceptedFromSecondSession(t *testing.T) {
	emu := startEmulator(t)
	emu.CreateUser("9996621111", "Quinn", "", "")
	phone := newClient(t, emu, nil)
	login(t, emu, phone, "9996621111")
	desktop := newClient(t, emu, nil)
	u, err := desktop.QRLogin(ctx(t), func(url string, _ time.Time) error {
		go phone.AcceptQRLogin(context.Background(), url)
		return nil
	})
	if err != nil || u.FirstName.Val != "Quinn" {
		t.Fatalf("%+v %v", u, err)
	}
}

func TestStoredSQLiteSessionNeedsNoNewLogin(t *testing.T) {
	emu := startEmulator(t)
	emu.CreateUser("9996631000", "Sam", "", "sam_smith")
	path := filepath.Join(t.TempDir(), "me.session")
	store, err := session.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, emu, store)
	login(t, emu, c, "9996631000")
	c.Close()
	// A second open of the same file while in use fails at once.
	if _, err := session.Open(path); err == nil {
		t.Fatal("session opened twice")
	}
	store.Close()

	store2, err := session.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer store2.Close()
	c2 := newClient(t, emu, store2)
	if ok, err := c2.IsAuthorized(ctx(t)); !ok || err != nil {
		t.Fatalf("restarted client not authorized: %v", err)
	}
	if c2.MainDC() != 3 {
		t.Fatalf("main DC %d", c2.MainDC())
	}
}

func TestStringSessionRoundTrip(t *testing.T) {
	emu := startEmulator(t)
	emu.CreateUser("9996621212", "Str", "", "")
	c := newClient(t, emu, nil)
	login(t, emu, c, "9996621212")
	s, err := session.Export(c.Session())
	if err != nil {
		t.Fatal(err)
	}
	imported, err := session.ImportString(s)
	if err != nil {
		t.Fatal(err)
	}
	c2 := newClient(t, emu, imported)
	if ok, err := c2.IsAuthorized(ctx(t)); !ok || err != nil {
		t.Fatalf("not authorized from a string session: %v", err)
	}
}

func TestFloodWaitSleepAndThreshold(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu, nil)
	if err := c.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	emu.FailNext("help.getNearestDc", 1, "FLOOD_WAIT_1")
	start := time.Now()
	if _, err := c.Invoke(ctx(t), &api.HelpGetNearestDCRequest{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("did not sleep through the flood wait (%v)", d)
	}
	emu.FailNext("help.getNearestDc", 1, "FLOOD_WAIT_120")
	_, err := c.Invoke(ctx(t), &api.HelpGetNearestDCRequest{})
	var fw *core.FloodWaitError
	if !errors.As(err, &fw) || fw.Wait != 120*time.Second || fw.Number != 120 || fw.Name != "FLOOD_WAIT_X" {
		t.Fatalf("got %v", err)
	}
}

func TestFileMigrateUsesAnotherDCWithImportedAuthorization(t *testing.T) {
	emu := startEmulator(t)
	u, _ := emu.CreateUser("9996624444", "Fay", "", "")
	c := newClient(t, emu, nil)
	login(t, emu, c, "9996624444")
	emu.FailNext("users.getUsers", 1, "FILE_MIGRATE_1")
	res, err := c.Invoke(ctx(t), &api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.([]api.UserClass)[0].(*api.User); got.ID != u.ID {
		t.Fatalf("user %d", got.ID)
	}
}

func TestReconnectAfterDropLosesAndDoublesNothing(t *testing.T) {
	emu := startEmulator(t)
	rae, _ := emu.CreateUser("9996625151", "Rae", "", "")
	ola, _ := emu.CreateUser("9996625152", "Ola", "", "ola_nord")
	c := newClient(t, emu, nil)
	login(t, emu, c, "9996625151")
	peer, err := c.ResolvePeer(ctx(t), "@ola_nord")
	if err != nil {
		t.Fatal(err)
	}
	const n = 30
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := c.Invoke(ctx(t), &api.MessagesSendMessageRequest{Peer: core.InputPeer(peer),
				Message: "msg", RandomID: int64(1000 + i)})
			errs <- err
		}(i)
		if i%10 == 5 {
			emu.DropConnections()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Ola's view of the chat with Rae: every message exactly once.
	hist, err := emu.History(ola.ID, rae.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != n {
		t.Fatalf("the recipient has %d messages, want %d", len(hist), n)
	}
}

func TestPeersResolveFromCacheAfterRestartWithoutNetwork(t *testing.T) {
	emu := startEmulator(t)
	emu.CreateUser("9996626161", "Kim", "", "")
	target, _ := emu.CreateUser("9996626162", "Lou", "", "lou_here")
	store := session.NewMemory()
	c := newClient(t, emu, store)
	login(t, emu, c, "9996626161")
	if _, err := c.ResolvePeer(ctx(t), "t.me/lou_here"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	emu.Close() // no network from here on
	c2, err := core.New(config(emu, store))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	for _, q := range []string{"@lou_here", "LOU_HERE", "https://t.me/lou_here"} {
		p, err := c2.ResolvePeer(ctx(t), q)
		if err != nil || p.ID != target.ID || p.AccessHash == 0 {
			t.Fatalf("%s: %+v %v", q, p, err)
		}
	}
	if _, err := c2.ResolveID(ctx(t), 424242); !errors.Is(err, core.ErrPeerNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

// BenchmarkConnectStoredSessionAndCall measures connecting with a stored
// session and completing one RPC; it reports the median.
func BenchmarkConnectStoredSessionAndCall(b *testing.B) {
	emu := startEmulator(b)
	emu.CreateUser("9996620001", "Ben", "", "")
	store := session.NewMemory()
	c := newClient(b, emu, store)
	login(b, emu, c, "9996620001")
	c.Close()
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		c, err := core.New(config(emu, store))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Invoke(context.Background(), &api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}}); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
		c.Close()
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkIdleClients connects many logged-in clients to one emulator and
// reports the Go heap per idle client (client and emulator side together,
// since both live in this process: an upper bound for the client alone).
func BenchmarkIdleClients(b *testing.B) {
	const n = 1000
	emu := startEmulator(b)
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		clients := make([]*core.Client, 0, n)
		for i := 0; i < n; i++ {
			u, err := emu.CreateUser(fmt.Sprintf("99966%05d", 20000+i), "Idle", "", "")
			if err != nil {
				b.Fatal(err)
			}
			key := make([]byte, 256)
			crand.Read(key)
			if err := emu.AuthorizeKey(2, key, u.ID); err != nil {
				b.Fatal(err)
			}
			store := session.NewMemory()
			store.SetAuthKey(session.AuthKey{DC: 2, Key: key})
			store.SetMainDC(2)
			store.SetSelf(&session.Self{UserID: u.ID, DC: 2})
			c, err := core.New(config(emu, store))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.GetMe(context.Background()); err != nil {
				b.Fatal(err)
			}
			clients = append(clients, c)
		}
		time.Sleep(200 * time.Millisecond)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n/1024, "heap-KB/client")
		b.ReportMetric(float64(runtime.NumGoroutine())/n, "goroutines/client")
		for _, c := range clients {
			c.Close()
		}
	}
}

func TestPFSSessionSurvivesRestart(t *testing.T) {
	emu := startEmulator(t)
	emu.CreateUser("9996627070", "Pia", "", "")
	store := session.NewMemory()
	cfg := config(emu, store)
	cfg.PFS = true
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	login(t, emu, c, "9996627070")
	c.Close()
	c2, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if ok, err := c2.IsAuthorized(ctx(t)); !ok || err != nil {
		t.Fatalf("a PFS session is not authorized after a restart: %v", err)
	}
}

func TestJoinAndResolveByInviteLink(t *testing.T) {
	emu := startEmulator(t)
	owner, _ := emu.CreateUser("9996628080", "Own", "", "")
	emu.CreateUser("9996628081", "Joe", "", "")
	chID, err := emu.CreateChannel(owner.ID, "Secret club", "", true)
	if err != nil {
		t.Fatal(err)
	}
	link := emu.InviteLink(chID)
	if link == "" {
		t.Fatal("no invite link")
	}
	c := newClient(t, emu, nil)
	login(t, emu, c, "9996628081")
	if _, err := c.ResolvePeer(ctx(t), link); !errors.Is(err, core.ErrPeerNotFound) {
		t.Fatalf("a non-member resolved the link: %v", err)
	}
	p, err := c.JoinChat(ctx(t), link)
	if err != nil {
		t.Fatal(err)
	}
	if p.MarkedID() != chID || p.Name != "Secret club" {
		t.Fatalf("joined %+v", p)
	}
	again, err := c.ResolvePeer(ctx(t), link)
	if err != nil || again.ID != p.ID {
		t.Fatalf("%+v %v", again, err)
	}
	if _, err := c.SendMessage(ctx(t), p, "hello club", core.SendOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestResolvePhoneAndMarkedIDs(t *testing.T) {
	emu := startEmulator(t)
	me, _ := emu.CreateUser("9996629090", "Me", "", "")
	friend, _ := emu.CreateUser("9996629091", "Friend", "", "")
	emu.AddContact(me.ID, friend.ID)
	c := newClient(t, emu, nil)
	login(t, emu, c, "9996629090")
	p, err := c.ResolvePeer(ctx(t), "+999 662 9091")
	if err != nil || p.ID != friend.ID || p.AccessHash == 0 {
		t.Fatalf("%+v %v", p, err)
	}
	// Now cached: the marked id resolves without the network.
	byID, err := c.ResolvePeer(ctx(t), fmt.Sprint(friend.ID))
	if err != nil || byID.AccessHash != p.AccessHash {
		t.Fatalf("%+v %v", byID, err)
	}
	if _, err := c.ResolvePeer(ctx(t), "+999 662 0000"); !errors.Is(err, core.ErrPeerNotFound) {
		t.Fatalf("unknown phone: %v", err)
	}
}

func TestFilesRoundTripAcrossDCs(t *testing.T) {
	emu := startEmulator(t)
	emu.CreateUser("9996631500", "Up", "", "uploader1")
	down, _ := emu.CreateUser("9996611501", "Down", "", "") // lives on DC1
	up := newClient(t, emu, nil)
	login(t, emu, up, "9996631500")
	getter := newClient(t, emu, nil)
	login(t, emu, getter, "9996611501")
	_ = down
	rnd := mrand.New(mrand.NewPCG(1, 2))
	if _, err := up.UploadFile(ctx(t), bytes.NewReader(nil), 0, "empty", core.TransferOptions{}); !errors.Is(err, core.ErrEmptyFile) {
		t.Fatalf("empty upload: %v", err)
	}
	sizes := []int{1, 512<<10 - 1, 512 << 10, 512<<10 + 1, 3<<20 + 7}
	if !testing.Short() {
		sizes = append(sizes, 10<<20+1) // the first size that takes saveBigFilePart
	}
	uploaderPeer, err := getter.ResolvePeer(ctx(t), "@uploader1")
	if err != nil {
		t.Fatal(err)
	}
	// The downloader writes first so the uploader has the peer cached.
	if _, err := getter.SendMessage(ctx(t), uploaderPeer, "send me files", core.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	hist, err := up.GetDialogs(ctx(t), 10)
	if err != nil || len(hist) == 0 {
		t.Fatalf("dialogs %v %v", hist, err)
	}
	to := hist[0].Peer
	for _, size := range sizes {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rnd.Uint32())
		}
		var last int64
		id, err := up.SendFile(ctx(t), to, bytes.NewReader(data), int64(size), core.SendFileOptions{
			Name: fmt.Sprintf("f%d.bin", size), Caption: "file",
			Transfer: core.TransferOptions{Progress: func(done, total int64) { last = done }}})
		if err != nil {
			t.Fatalf("%d bytes: upload: %v", size, err)
		}
		if last != int64(size) {
			t.Fatalf("%d bytes: progress ended at %d", size, last)
		}
		// The recipient (another DC) downloads it from the uploader's DC.
		msgs, err := getter.GetHistory(ctx(t), uploaderPeer, core.HistoryOptions{Limit: 1})
		if err != nil || len(msgs) == 0 {
			t.Fatalf("%d bytes: history %v", size, err)
		}
		_ = id
		var buf bytes.Buffer
		n, err := getter.DownloadMedia(ctx(t), uploaderPeer, msgs[0], &buf, core.TransferOptions{})
		if err != nil || n != int64(size) || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("%d bytes: downloaded %d (%v), equal %v", size, n, err, bytes.Equal(buf.Bytes(), data))
		}
	}
}

func TestExpiredFileReferenceIsRefreshed(t *testing.T) {
	emu := startEmulator(t)
	emu.CreateUser("9996632600", "Ref", "", "ref_sender")
	emu.CreateUser("9996632601", "Rec", "", "")
	a := newClient(t, emu, nil)
	login(t, emu, a, "9996632600")
	b := newClient(t, emu, nil)
	login(t, emu, b, "9996632601")
	sender, err := b.ResolvePeer(ctx(t), "@ref_sender")
	if err != nil {
		t.Fatal(err)
	}
	b.SendMessage(ctx(t), sender, "hi", core.SendOptions{})
	dl, _ := a.GetDialogs(ctx(t), 1)
	data := bytes.Repeat([]byte("polygram"), 100000) // 800 KB: two parts
	if _, err := a.SendFile(ctx(t), dl[0].Peer, bytes.NewReader(data), int64(len(data)), core.SendFileOptions{Name: "x.txt"}); err != nil {
		t.Fatal(err)
	}
	msgs, err := b.GetHistory(ctx(t), sender, core.HistoryOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	emu.ExpireFileReferences()
	var buf bytes.Buffer
	n, err := b.DownloadMedia(ctx(t), sender, msgs[0], &buf, core.TransferOptions{})
	if err != nil || n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("downloaded %d: %v", n, err)
	}
}
