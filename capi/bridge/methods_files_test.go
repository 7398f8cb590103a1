package bridge

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/tl/api"
)

func signedIn(t *testing.T, emu *emulator.Emulator, phone, first, username string) *Client {
	t.Helper()
	if _, err := emu.CreateUser(phone, first, "", username); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, emu, nil)
	sent := call(t, c, "send_code", kv{"phone", "+" + phone})
	call(t, c, "sign_in", kv{"phone", phone, "hash", sent["hash"], "code", emu.LoginCode(phone)})
	return c
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{B: uint8(x), A: 255})
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

func TestFileCallsThroughTheBridge(t *testing.T) {
	emu := startTestEmulator(t)
	a := signedIn(t, emu, "9996638801", "Ann", "files_ann")
	b := signedIn(t, emu, "9996618802", "Ben", "files_ben")
	data := bytes.Repeat([]byte("0123456789abcdef"), 200_000) // 3.2 MB
	call(t, a, "send_file", kv{"peer", "@files_ben", "data", data, "name", "digits.txt"})
	hist := call(t, b, "get_history", kv{"peer", "@files_ann", "limit", 1})
	msgs := hist["messages"].([]any)
	id := msgs[0].(map[string]any)["id"].(int64)

	got := call(t, b, "download_range", kv{"peer", "@files_ann", "message_id", id, "offset", 1<<20 - 3, "limit", 10})
	if !bytes.Equal(got["data"].([]byte), data[1<<20-3:1<<20+7]) {
		t.Fatalf("range %q", got["data"])
	}
	ids := call(t, b, "file_ids", kv{"peer", "@files_ann", "message_id", id})
	dec := call(t, b, "decode_file_id", kv{"file_id", ids["file_id"]})
	if dec["type"] != "document" || dec["file_unique_id"] != ids["file_unique_id"] {
		t.Fatalf("decoded %v", dec)
	}
	path := filepath.Join(t.TempDir(), "by-id.txt")
	res := call(t, b, "download_file_id", kv{"file_id", ids["file_id"], "path", path})
	if on, _ := os.ReadFile(path); res["size"] != int64(len(data)) || !bytes.Equal(on, data) {
		t.Fatalf("download_file_id %v", res)
	}
	if _, e := b.Invoke(encCall, kv{"method", "decode_file_id", "args", kv{"file_id", "nope"}}.encode(), time.Second); e == nil ||
		!strings.Contains(e.message, "not a valid file id") {
		t.Fatalf("bad file id: %v", e)
	}

	// An album of two photos, one group.
	album := call(t, a, "send_album", kv{"peer", "@files_ben", "files", []any{
		kv{"data", pngBytes(t, 30, 20), "kind", "photo", "caption", "**one**", "parse_mode", "markdown"},
		kv{"data", pngBytes(t, 20, 30), "kind", "photo", "caption", "two"}}})
	if len(album["ids"].([]any)) != 2 {
		t.Fatalf("album %v", album)
	}
	last := call(t, b, "get_history", kv{"peer", "@files_ann", "limit", 2})["messages"].([]any)
	g0, g1 := last[0].(map[string]any)["grouped_id"], last[1].(map[string]any)["grouped_id"]
	if g0 == nil || g0 != g1 {
		t.Fatalf("grouped ids %v %v", g0, g1)
	}
	thumb := call(t, b, "download_thumbnail", kv{"peer", "@files_ann", "message_id", last[0].(map[string]any)["id"], "thumb", "s"})
	if _, format, err := image.DecodeConfig(bytes.NewReader(thumb["data"].([]byte))); err != nil || format != "jpeg" {
		t.Fatalf("thumbnail %v %s", err, format)
	}
	if _, e := a.Invoke(encCall, kv{"method", "send_album", "args", kv{"peer", "@files_ben", "files", []any{kv{"data", []byte("x")}}}}.encode(), time.Second); e == nil {
		t.Fatal("a one-file album was accepted")
	}

	// A profile photo set through the core client, fetched through the bridge.
	pic := pngBytes(t, 200, 200)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	in, err := a.core.UploadFile(ctx, bytes.NewReader(pic), int64(len(pic)), "me.png", core.TransferOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.core.Invoke(ctx, &api.PhotosUploadProfilePhotoRequest{File: in}); err != nil {
		t.Fatal(err)
	}
	big := call(t, b, "download_profile_photo", kv{"peer", "@files_ann"})
	if !bytes.Equal(big["data"].([]byte), pic) {
		t.Fatal("the profile photo differs")
	}
}
