package core_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/polygram/polygram/core"
)

// With CDN redirects on, a document comes from the CDN DC: fetched with its
// own RSA key (help.getCdnConfig), put there on first request
// (upload.reuploadCdnFile), decrypted (AES-256-CTR) and checked against
// the file DC's hashes, with identical bytes for whole files of several
// sizes, any range, progress complete, and a dropped connection survived.
func TestDownloadThroughTheCDN(t *testing.T) {
	fx := newFileFixture(t)
	fx.emu.SetCDNRedirects(true)
	for _, size := range []int{1, 128<<10 - 1, 128 << 10, 1<<20 + 1, 3<<20 + 12345} {
		data := randomBytes(size)
		m := fx.sendDocument(t, data, "cdn.bin")
		var prog progressLog
		got, err := fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, m, core.TransferOptions{Progress: prog.fn})
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: got %d, equal %v: %v", size, len(got), bytes.Equal(got, data), err)
		}
		prog.check(t, "CDN download", int64(size))
	}
	if n := cdnConnections(fx); n == 0 {
		t.Fatal("no connection to the CDN DC: the parts did not come from it")
	}

	data := randomBytes(2<<20 + 999)
	m := fx.sendDocument(t, data, "cdn-range.bin")
	loc, err := fx.down.MediaLocation(fx.senderPeer, m, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]int64{{0, 1}, {5, 10}, {128<<10 - 3, 7}, {1<<20 - 100, 300}, {200000, 900000}, {int64(len(data)) - 5, -1}} {
		rc := fx.down.IterDownload(ctx(t), loc, c[0], c[1], core.TransferOptions{})
		got, err := io.ReadAll(rc)
		rc.Close()
		want := data[c[0]:]
		if c[1] >= 0 {
			want = want[:c[1]]
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("range %v: got %d bytes, want %d: %v", c, len(got), len(want), err)
		}
	}

	dropped := false
	got, err := fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, m, core.TransferOptions{Progress: func(done, total int64) {
		if done > 1<<20 && !dropped {
			dropped = true
			fx.emu.DropConnections()
		}
	}})
	if err != nil || !bytes.Equal(got, data) || !dropped {
		t.Fatalf("with a drop: %d bytes, dropped %v: %v", len(got), dropped, err)
	}

	// File tokens that expire mid-download: the parts go back through
	// upload.getFile, which redirects again.
	expired := false
	got, err = fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, m, core.TransferOptions{Workers: 1, Progress: func(done, total int64) {
		if done >= 1<<20 && !expired {
			expired = true
			fx.emu.ExpireCDNTokens()
		}
	}})
	if err != nil || !bytes.Equal(got, data) || !expired {
		t.Fatalf("with expired tokens: %d bytes, expired %v: %v", len(got), expired, err)
	}
}

// A CDN that serves altered bytes is caught by the hash check: the
// download fails with ErrCDNHash and writes nothing wrong.
func TestCDNPartThatFailsItsHashIsRefused(t *testing.T) {
	fx := newFileFixture(t)
	data := randomBytes(600 << 10)
	m := fx.sendDocument(t, data, "tampered.bin")
	fx.emu.SetCDNRedirects(true)
	fx.emu.SetCDNTamper(true)
	var buf bytes.Buffer
	_, err := fx.down.DownloadMedia(ctx(t), fx.senderPeer, m, &buf, core.TransferOptions{})
	if !errors.Is(err, core.ErrCDNHash) {
		t.Fatalf("got %v, want ErrCDNHash", err)
	}
	if !bytes.HasPrefix(data, buf.Bytes()) {
		t.Fatal("bytes that fail their hash were written")
	}
	fx.emu.SetCDNTamper(false)
	got, err := fx.down.DownloadMediaBytes(ctx(t), fx.senderPeer, m, core.TransferOptions{})
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after the CDN was mended: %v", err)
	}
}

// cdnConnections counts the emulator's connections to its CDN DC.
func cdnConnections(fx *fileFixture) int {
	return fx.emu.CDNSessions()
}
