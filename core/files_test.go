package core_test

import (
	"bytes"
	crand "crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/core/fileid"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

var fixturePhones atomic.Int32

// fileFixture is an uploader living on DC3 and a downloader on DC1 who
// have talked, so each can name the other.
type fileFixture struct {
	emu        *emulator.Emulator
	up, down   *core.Client
	upUser     *api.User
	toDown     session.Peer // the downloader, as the uploader sees them
	senderPeer session.Peer // the uploader, as the downloader sees them
}

func newFileFixture(t testing.TB) *fileFixture {
	t.Helper()
	emu := startEmulator(t)
	n := fixturePhones.Add(1)
	upPhone, downPhone := fmt.Sprintf("99966370%02d", n), fmt.Sprintf("99966170%02d", n)
	name := fmt.Sprintf("files_up_%d", n)
	emu.CreateUser(upPhone, "Up", "", name)
	emu.CreateUser(downPhone, "Down", "", "")
	fx := &fileFixture{emu: emu, up: newClient(t, emu, nil), down: newClient(t, emu, nil)}
	fx.upUser = login(t, emu, fx.up, upPhone)
	login(t, emu, fx.down, downPhone)
	var err error
	if fx.senderPeer, err = fx.down.ResolvePeer(ctx(t), "@"+name); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.down.SendMessage(ctx(t), fx.senderPeer, "hello", core.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	dl, err := fx.up.GetDialogs(ctx(t), 5)
	if err != nil || len(dl) == 0 {
		t.Fatalf("dialogs %v %v", dl, err)
	}
	fx.toDown = dl[0].Peer
	return fx
}

// sendDocument sends data as a document and returns the message as the
// downloader sees it.
func (fx *fileFixture) sendDocument(t testing.TB, data []byte, name string) *api.Message {
	t.Helper()
	if _, err := fx.up.SendFile(ctx(t), fx.toDown, bytes.NewReader(data), int64(len(data)), core.SendFileOptions{Name: name}); err != nil {
		t.Fatalf("sending %d bytes: %v", len(data), err)
	}
	return fx.last(t)
}

// last returns the newest message of the chat, as the downloader sees it.
func (fx *fileFixture) last(t testing.TB) *api.Message {
	t.Helper()
	msgs, err := fx.down.GetHistory(ctx(t), fx.senderPeer, core.HistoryOptions{Limit: 1})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("history: %v", err)
	}
	return msgs[0]
}

// progressLog checks that reports only grow and end complete.
type progressLog struct {
	mu    sync.Mutex
	calls int
	done  int64
	total int64
	bad   error
}

func (p *progressLog) fn(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < p.done && p.bad == nil {
		p.bad = fmt.Errorf("progress went back from %d to %d", p.done, done)
	}
	p.calls++
	p.done, p.total = done, total
}

func (p *progressLog) check(t *testing.T, what string, size int64) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bad != nil {
		t.Fatalf("%s: %v", what, p.bad)
	}
	if p.calls == 0 || p.done != size || p.total != size {
		t.Fatalf("%s: progress ended at %d of %d after %d calls, want %d", what, p.done, p.total, p.calls, size)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	crand.Read(b)
	return b
}

func TestFileSizesRoundTripWithIdenticalHashes(t *testing.T) {
	fx := newFileFixture(t)
	if _, err := fx.up.SendFile(ctx(t), fx.toDown, bytes.NewReader(nil), 0, core.SendFileOptions{Name: "empty"}); !errors.Is(err, core.ErrEmptyFile) {
		t.Fatalf("a 0-byte file: %v, want ErrEmptyFile (Telegram refuses empty files)", err)
	}
	sizes := []int{1, 512<<10 - 1, 512 << 10, 512<<10 + 1}
	if !testing.Short() {
		sizes = append(sizes, 10<<20-1, 10<<20, 10<<20+1)
	}
	if os.Getenv("POLYGRAM_BIG_FILES") != "" {
		sizes = append(sizes, 100<<20)
	}
	for _, size := range sizes {
		data := randomBytes(size)
		var up, down progressLog
		if _, err := fx.up.SendFile(ctx(t), fx.toDown, bytes.NewReader(data), int64(size), core.SendFileOptions{
			Name: fmt.Sprintf("f%d.bin", size), Transfer: core.TransferOptions{Progress: up.fn}}); err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		up.check(t, fmt.Sprintf("upload of %d bytes", size), int64(size))
		got, err := fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, fx.last(t), core.TransferOptions{Progress: down.fn})
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		if sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("%d bytes: downloaded %d bytes with another hash", size, len(got))
		}
		down.check(t, fmt.Sprintf("download of %d bytes", size), int64(size))
	}
}

func TestFileOnAnotherDCIsFetchedThere(t *testing.T) {
	fx := newFileFixture(t)
	data := randomBytes(3<<20 + 5)
	m := fx.sendDocument(t, data, "far.bin")
	d := m.Media.(*api.MessageMediaDocument).Document.(*api.Document)
	if int(d.DCID) == fx.down.MainDC() {
		t.Fatalf("the file is on the downloader's DC %d", d.DCID)
	}
	// Asked on the wrong DC, FILE_MIGRATE leads to the right one.
	var buf bytes.Buffer
	n, err := fx.down.DownloadFile(ctx(t), &api.InputDocumentFileLocation{ID: d.ID, AccessHash: d.AccessHash, FileReference: d.FileReference},
		0, d.Size, &buf, core.TransferOptions{})
	if err != nil || n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("downloaded %d: %v", n, err)
	}
}

func TestDownloadSurvivesDroppedConnections(t *testing.T) {
	fx := newFileFixture(t)
	data := randomBytes(6<<20 + 123)
	m := fx.sendDocument(t, data, "drop.bin")
	var drops atomic.Int32
	var prog progressLog
	got, err := fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, m, core.TransferOptions{Progress: func(done, total int64) {
		prog.fn(done, total)
		if (done > 1<<20 && drops.Load() == 0) || (done > 4<<20 && drops.Load() == 1) {
			drops.Add(1)
			fx.emu.DropConnections()
		}
	}})
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, equal %v: %v", len(got), bytes.Equal(got, data), err)
	}
	if drops.Load() != 2 {
		t.Fatalf("%d drops", drops.Load())
	}
	prog.check(t, "download", int64(len(data)))
}

func TestUploadSurvivesDroppedConnections(t *testing.T) {
	fx := newFileFixture(t)
	data := randomBytes(4<<20 + 7)
	var dropped atomic.Bool
	_, err := fx.up.SendFile(ctx(t), fx.toDown, bytes.NewReader(data), int64(len(data)), core.SendFileOptions{Name: "up.bin",
		Transfer: core.TransferOptions{Progress: func(done, total int64) {
			if done > 1<<20 && !dropped.Swap(true) {
				fx.emu.DropConnections()
			}
		}}})
	if err != nil || !dropped.Load() {
		t.Fatalf("upload: %v (dropped %v)", err, dropped.Load())
	}
	got, err := fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, fx.last(t), core.TransferOptions{})
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("download: %v", err)
	}
}

func TestExpiredFileReferenceMidTransferIsRefreshed(t *testing.T) {
	fx := newFileFixture(t)
	data := randomBytes(5<<20 + 1)
	m := fx.sendDocument(t, data, "ref.bin")
	fx.emu.ExpireFileReferences() // before the first part
	var expired atomic.Bool
	got, err := fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, m, core.TransferOptions{Progress: func(done, total int64) {
		if done > 2<<20 && !expired.Swap(true) {
			fx.emu.ExpireFileReferences() // and in the middle
		}
	}})
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes: %v", len(got), err)
	}
}

func TestDownloadToPathDirectoryAndMemory(t *testing.T) {
	fx := newFileFixture(t)
	data := randomBytes(700 << 10)
	m := fx.sendDocument(t, data, "report.pdf")
	dir := t.TempDir()
	path, err := fx.down.DownloadMediaTo(ctx(t), fx.senderPeer, m, dir, core.TransferOptions{})
	if err != nil || path != filepath.Join(dir, "report.pdf") {
		t.Fatalf("into a directory: %q %v", path, err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, data) {
		t.Fatal("the file in the directory differs")
	}
	named := filepath.Join(dir, "named.bin")
	if path, err = fx.down.DownloadMediaTo(ctx(t), fx.senderPeer, m, named, core.TransferOptions{}); err != nil || path != named {
		t.Fatalf("to a path: %q %v", path, err)
	}
	if b, _ := os.ReadFile(named); !bytes.Equal(b, data) {
		t.Fatal("the named file differs")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	if b, err := fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, m, core.TransferOptions{}); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("into memory: %v", err)
	}
}

func TestRangeDownloadStreamsAnyOffsetAndLength(t *testing.T) {
	fx := newFileFixture(t)
	data := randomBytes(3<<20 + 4321)
	m := fx.sendDocument(t, data, "range.bin")
	loc, err := fx.down.MediaLocation(fx.senderPeer, m, "")
	if err != nil {
		t.Fatal(err)
	}
	rnd := mrand.New(mrand.NewPCG(3, 4))
	cases := [][2]int64{{0, 1}, {1, 1}, {4095, 2}, {1<<20 - 10, 20}, {1<<20 - 4096, 1 << 20}, {int64(len(data)) - 5, 5},
		{int64(len(data)) - 5, -1}, {123, -1}, {int64(len(data)), -1}}
	for i := 0; i < 12; i++ {
		off := rnd.Int64N(int64(len(data)))
		cases = append(cases, [2]int64{off, rnd.Int64N(int64(len(data)) - off + 1)})
	}
	for _, c := range cases {
		off, n := c[0], c[1]
		want := data[off:]
		if n >= 0 {
			want = want[:n]
		}
		rc := fx.down.IterDownload(ctx(t), loc, off, n, core.TransferOptions{})
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("offset %d length %d: got %d bytes, want %d: %v", off, n, len(got), len(want), err)
		}
	}
	// Closing early stops the stream.
	rc := fx.down.IterDownload(ctx(t), loc, 0, -1, core.TransferOptions{})
	buf := make([]byte, 10)
	if _, err := io.ReadFull(rc, buf); err != nil || !bytes.Equal(buf, data[:10]) {
		t.Fatal(err)
	}
	rc.Close()
	if _, err := rc.Read(buf); err == nil {
		t.Fatal("read after close")
	}
}

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{G: uint8(x), A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSendFileKindsAttributesAndDetectedMime(t *testing.T) {
	fx := newFileFixture(t)
	ogg := append([]byte("OggS\x00\x02"), randomBytes(3000)...)
	mp4 := append([]byte("\x00\x00\x00\x18ftypmp42"), randomBytes(5000)...)
	mp3 := append([]byte("ID3\x04"), randomBytes(4000)...)
	pdf := append([]byte("%PDF-1.7\n"), randomBytes(2000)...)
	zip := append([]byte("PK\x03\x04"), randomBytes(100)...)
	pic := testPNG(t, 200, 100)
	send := func(data []byte, o core.SendFileOptions) *api.Message {
		t.Helper()
		if _, err := fx.up.SendFile(ctx(t), fx.toDown, bytes.NewReader(data), int64(len(data)), o); err != nil {
			t.Fatal(err)
		}
		return fx.last(t)
	}
	doc := func(m *api.Message) *api.Document {
		return m.Media.(*api.MessageMediaDocument).Document.(*api.Document)
	}

	m := send(ogg, core.SendFileOptions{Kind: core.MediaVoice, Duration: 3 * time.Second, Caption: "**hear** this", ParseMode: "markdown"})
	d := doc(m)
	if a := d.Attributes[0].(*api.DocumentAttributeAudio); !a.Voice || a.Duration != 3 || d.MIMEType != "audio/ogg" {
		t.Fatalf("voice %+v %s", a, d.MIMEType)
	}
	if m.Message != "hear this" || len(m.Entities) != 1 {
		t.Fatalf("caption %q %v", m.Message, m.Entities)
	}
	d = doc(send(mp4, core.SendFileOptions{Kind: core.MediaVideo, Duration: 1500 * time.Millisecond, Width: 640, Height: 360, SupportsStreaming: true, Name: "clip"}))
	if v := d.Attributes[0].(*api.DocumentAttributeVideo); v.W != 640 || v.H != 360 || v.Duration != 1.5 || !v.SupportsStreaming || d.MIMEType != "video/mp4" {
		t.Fatalf("video %+v %s", v, d.MIMEType)
	}
	d = doc(send(mp3, core.SendFileOptions{Kind: core.MediaAudio, Title: "Song", Performer: "Band", Duration: time.Minute}))
	if a := d.Attributes[0].(*api.DocumentAttributeAudio); a.Voice || a.Title.Val != "Song" || a.Performer.Val != "Band" || a.Duration != 60 || d.MIMEType != "audio/mpeg" {
		t.Fatalf("audio %+v %s", a, d.MIMEType)
	}
	if d = doc(send(pdf, core.SendFileOptions{Name: "no-extension"})); d.MIMEType != "application/pdf" {
		t.Fatalf("pdf detected as %s", d.MIMEType)
	}
	if d = doc(send(zip, core.SendFileOptions{})); d.MIMEType != "application/zip" {
		t.Fatalf("zip detected as %s", d.MIMEType)
	}
	if d = doc(send(randomBytes(50), core.SendFileOptions{Name: "notes.txt"})); d.MIMEType != "text/plain" {
		t.Fatalf("text from the name: %s", d.MIMEType)
	}
	if d = doc(send(pic, core.SendFileOptions{Name: "pic.png"})); d.MIMEType != "image/png" || len(d.Thumbs) == 0 {
		t.Fatalf("png document %s thumbs %v", d.MIMEType, d.Thumbs)
	}
	ph := send(pic, core.SendFileOptions{Kind: core.MediaPhoto, Caption: "<b>pic</b>", ParseMode: "html"})
	if _, ok := ph.Media.(*api.MessageMediaPhoto); !ok || ph.Message != "pic" {
		t.Fatalf("photo %T %q", ph.Media, ph.Message)
	}
	// The largest size is the original; the "s" thumbnail is a small JPEG.
	got, err := fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, ph, core.TransferOptions{})
	if err != nil || !bytes.Equal(got, pic) {
		t.Fatalf("photo download: %v", err)
	}
	var thumb bytes.Buffer
	if _, err := fx.down.DownloadThumbnail(ctx(t), fx.senderPeer, ph, "s", &thumb, core.TransferOptions{}); err != nil {
		t.Fatal(err)
	}
	if cfg, format, err := image.DecodeConfig(&thumb); err != nil || format != "jpeg" || cfg.Width != 90 || cfg.Height != 45 {
		t.Fatalf("thumbnail %v %s %+v", err, format, cfg)
	}
	if _, err := fx.down.DownloadThumbnail(ctx(t), fx.senderPeer, ph, "q", io.Discard, core.TransferOptions{}); !errors.Is(err, core.ErrNoMedia) {
		t.Fatalf("missing thumbnail: %v", err)
	}
	if _, err := fx.up.SendFile(ctx(t), fx.toDown, bytes.NewReader(pdf), int64(len(pdf)), core.SendFileOptions{Caption: "x", ParseMode: "rst"}); !errors.Is(err, core.ErrParseMode) {
		t.Fatalf("bad parse mode: %v", err)
	}
}

func TestDetectMimeFromMagicBytes(t *testing.T) {
	cases := map[string]string{
		"\xff\xd8\xff\xe0..JFIF": "image/jpeg", "\x89PNG\r\n\x1a\n....": "image/png", "GIF89a..": "image/gif",
		"RIFF\x00\x00\x00\x00WEBPVP8 ": "image/webp", "\x00\x00\x00\x20ftypisom": "video/mp4", "OggS\x00": "audio/ogg",
		"ID3\x03": "audio/mpeg", "\xff\xfb\x90": "audio/mpeg", "%PDF-1.4": "application/pdf", "PK\x03\x04": "application/zip",
		"RIFF\x00\x00\x00\x00WAVEfmt ": "audio/wav", "\x1a\x45\xdf\xa3": "video/webm", "plain text": "", "": "",
		"RIFF\x00\x00\x00\x00AVI ": "",
	}
	for in, want := range cases {
		if got := core.DetectMime([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestAlbumIsOneGroup(t *testing.T) {
	fx := newFileFixture(t)
	var items []core.AlbumItem
	for i := 0; i < 3; i++ {
		pic := testPNG(t, 20+i, 20)
		items = append(items, core.AlbumItem{Reader: bytes.NewReader(pic), Size: int64(len(pic)),
			Options: core.SendFileOptions{Kind: core.MediaPhoto, Caption: fmt.Sprintf("**item %d**", i), ParseMode: "markdown"}})
	}
	doc := randomBytes(1000)
	items = append(items, core.AlbumItem{Reader: bytes.NewReader(doc), Size: int64(len(doc)), Options: core.SendFileOptions{Name: "a.bin"}})
	ids, err := fx.up.SendAlbum(ctx(t), fx.toDown, items, 0, false)
	if err != nil || len(ids) != 4 {
		t.Fatalf("album %v %v", ids, err)
	}
	msgs, err := fx.down.GetHistory(ctx(t), fx.senderPeer, core.HistoryOptions{Limit: 4})
	if err != nil || len(msgs) != 4 {
		t.Fatal(err)
	}
	g := msgs[0].GroupedID
	for _, m := range msgs {
		if !g.Set || m.GroupedID != g {
			t.Fatalf("grouped ids %v %v", m.GroupedID, g)
		}
	}
	if msgs[3].Message != "item 0" || len(msgs[3].Entities) != 1 {
		t.Fatalf("first caption %q", msgs[3].Message)
	}
	if _, err := fx.up.SendAlbum(ctx(t), fx.toDown, items[:1], 0, false); !errors.Is(err, core.ErrAlbumSize) {
		t.Fatalf("one-item album: %v", err)
	}
}

func TestProfilePhotoDownloads(t *testing.T) {
	fx := newFileFixture(t)
	if _, err := fx.down.DownloadProfilePhoto(ctx(t), fx.senderPeer, io.Discard, true, core.TransferOptions{}); !errors.Is(err, core.ErrNoMedia) {
		t.Fatalf("no photo yet: %v", err)
	}
	pic := testPNG(t, 300, 300)
	in, err := fx.up.UploadFile(ctx(t), bytes.NewReader(pic), int64(len(pic)), "me.png", core.TransferOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.up.Invoke(ctx(t), &api.PhotosUploadProfilePhotoRequest{File: in}); err != nil {
		t.Fatal(err)
	}
	var big, small bytes.Buffer
	var prog progressLog
	if _, err := fx.down.DownloadProfilePhoto(ctx(t), fx.senderPeer, &big, true, core.TransferOptions{Progress: prog.fn}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(big.Bytes(), pic) {
		t.Fatal("the big profile photo differs")
	}
	prog.check(t, "profile photo", int64(len(pic)))
	if _, err := fx.down.DownloadProfilePhoto(ctx(t), fx.senderPeer, &small, false, core.TransferOptions{}); err != nil {
		t.Fatal(err)
	}
	if cfg, _, err := image.DecodeConfig(&small); err != nil || cfg.Width > 160 {
		t.Fatalf("small profile photo %+v %v", cfg, err)
	}
	photos, err := fx.down.GetProfilePhotos(ctx(t), fx.senderPeer, 10)
	if err != nil || len(photos) != 1 {
		t.Fatalf("profile photos %v %v", photos, err)
	}
	loc, err := core.PhotoLocation(photos[0], "")
	if err != nil {
		t.Fatal(err)
	}
	var full bytes.Buffer
	if _, err := fx.down.Download(ctx(t), loc, &full, core.TransferOptions{}); err != nil || !bytes.Equal(full.Bytes(), pic) {
		t.Fatalf("photo from the list: %v", err)
	}
}

func TestBotAPIFileIDsDownloadAndResend(t *testing.T) {
	fx := newFileFixture(t)
	data := randomBytes(1<<20 + 99)
	m := fx.sendDocument(t, data, "id.bin")
	id, unique, err := core.FileIDs(m)
	if err != nil {
		t.Fatal(err)
	}
	f, err := fileid.Decode(id)
	if err != nil || f.Type != fileid.Document {
		t.Fatalf("%q: %+v %v", id, f, err)
	}
	if u, err := fileid.DecodeUnique(unique); err != nil || u.ID != m.Media.(*api.MessageMediaDocument).Document.(*api.Document).ID {
		t.Fatalf("unique %q: %+v %v", unique, u, err)
	}
	loc, err := core.FileIDLocation(id)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := fx.down.Download(ctx(t), loc, &buf, core.TransferOptions{}); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("download by file id: %v", err)
	}
	// The downloader sends the same file on by its id, without uploading.
	if _, err := fx.down.SendFile(ctx(t), fx.senderPeer, nil, 0, core.SendFileOptions{FileID: id, Caption: "again"}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.FileIDLocation("not a file id"); err == nil {
		t.Fatal("a bad id was accepted")
	}
}
