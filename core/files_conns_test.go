package core_test

import (
	"bytes"
	crand "crypto/rand"
	"io"
	"net"
	"sync/atomic"
	"testing"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/session"
)

// forwarder relays loopback connections to target and counts them.
type forwarder struct {
	ln       net.Listener
	accepted atomic.Int32
}

func newForwarder(t *testing.T, target string) *forwarder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &forwarder{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.accepted.Add(1)
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { io.Copy(up, c); up.Close() }()
				io.Copy(c, up)
			}()
		}
	}()
	return f
}

func TestFilePartsTravelOnMediaConnectionsToTheMediaOnlyAddress(t *testing.T) {
	fx := newFileFixture(t)
	data := make([]byte, 5<<20+123)
	crand.Read(data)
	msg := fx.sendDocument(t, data, "media.bin")

	// Announce a media-only address for every DC: a relay that counts the
	// connections made to it.
	store := fx.down.Session()
	opts, err := store.DCOptions()
	if err != nil {
		t.Fatal(err)
	}
	var relays []*forwarder
	for _, d := range fx.emu.DCs() {
		f := newForwarder(t, fx.emu.Addr(d.ID))
		relays = append(relays, f)
		port := f.ln.Addr().(*net.TCPAddr).Port
		opts = append(opts, session.DCOption{ID: d.ID, IP: "127.0.0.1", Port: port, MediaOnly: true})
	}
	if err := store.SetDCOptions(opts); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := fx.down.DownloadMedia(ctx(t), fx.senderPeer, msg, &buf, core.TransferOptions{Workers: 4})
	if err != nil || n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("downloaded %d of %d bytes: %v", n, len(data), err)
	}
	total := 0
	for _, f := range relays {
		total += int(f.accepted.Load())
	}
	if total != 2 { // Config.FileConnections' default
		t.Fatalf("%d connections to the media-only addresses, want 2", total)
	}
	// A second download reuses the pool.
	buf.Reset()
	if _, err := fx.down.DownloadMedia(ctx(t), fx.senderPeer, msg, &buf, core.TransferOptions{}); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("second download: %v", err)
	}
	again := 0
	for _, f := range relays {
		again += int(f.accepted.Load())
	}
	if again != total {
		t.Fatalf("the second download opened %d more connections", again-total)
	}
}
