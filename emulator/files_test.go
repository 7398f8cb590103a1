package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/polygram/polygram/tl/api"
)

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{R: uint8(x), A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadSmall uploads data in parts of partSize with saveFilePart.
func uploadSmall(t *testing.T, cl *client, id int64, data []byte, partSize int) *api.InputFile {
	t.Helper()
	parts := 0
	for off := 0; off < len(data); off += partSize {
		end := min(off+partSize, len(data))
		if !cl.must(&api.UploadSaveFilePartRequest{FileID: id, FilePart: int32(parts), Bytes: data[off:end]}).(bool) {
			t.Fatal("saveFilePart answered false")
		}
		parts++
	}
	sum := md5.Sum(data)
	return &api.InputFile{ID: id, Parts: int32(parts), Name: "file.bin", MD5Checksum: hex.EncodeToString(sum[:])}
}

// download fetches a whole file in 1 MB chunks.
func download(t *testing.T, cl *client, loc api.InputFileLocationClass) []byte {
	t.Helper()
	var out []byte
	for off := int64(0); ; off += 1 << 20 {
		f := cl.must(&api.UploadGetFileRequest{Location: loc, Offset: off, Limit: 1 << 20}).(*api.UploadFile)
		out = append(out, f.Bytes...)
		if len(f.Bytes) < 1<<20 {
			return out
		}
	}
}

func TestPhotoUploadSendAndDownload(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620500", "A")
	b, cb := newUserClient(t, e, "9996620501", "B")
	pic := testPNG(t, 64, 32)
	in := uploadSmall(t, ca, 77, pic, 1024)
	res := ca.must(&api.MessagesSendMediaRequest{Peer: e.testInputPeer(a.ID, b.ID), Media: &api.InputMediaUploadedPhoto{File: in},
		Message: "look", RandomID: nextRandom()}).(*api.Updates)
	msg := res.Updates[1].(*api.UpdateNewMessage).Message.(*api.Message)
	ph := msg.Media.(*api.MessageMediaPhoto).Photo.(*api.Photo)
	if ph.DCID != 2 || ph.Sizes[0].(*api.PhotoSize).W != 64 || msg.Message != "look" {
		t.Fatalf("photo %+v", ph)
	}
	got := nextOf[*api.Updates](cb).Updates[0].(*api.UpdateNewMessage).Message.(*api.Message)
	bph := got.Media.(*api.MessageMediaPhoto).Photo.(*api.Photo)
	loc := &api.InputPhotoFileLocation{ID: bph.ID, AccessHash: bph.AccessHash, FileReference: bph.FileReference, ThumbSize: "x"}
	if data := download(t, cb, loc); !bytes.Equal(data, pic) {
		t.Fatalf("downloaded %d bytes, uploaded %d", len(data), len(pic))
	}
	if got := cb.rpcErr(&api.UploadGetFileRequest{Location: loc, Offset: 100, Limit: 4096}); got != "400 OFFSET_INVALID" {
		t.Fatalf("unaligned offset: %q", got)
	}
	if got := cb.rpcErr(&api.UploadGetFileRequest{Location: loc, Limit: 3000}); got != "400 LIMIT_INVALID" {
		t.Fatalf("bad limit: %q", got)
	}
	// Another DC sends the client to the file's DC.
	ex := cb.must(&api.AuthExportAuthorizationRequest{DCID: 1}).(*api.AuthExportedAuthorization)
	dc1 := dialDC(t, e, 1)
	dc1.must(&api.AuthImportAuthorizationRequest{ID: ex.ID, Bytes: ex.Bytes})
	if got := dc1.rpcErr(&api.UploadGetFileRequest{Location: loc, Limit: 4096}); got != "303 FILE_MIGRATE_2" {
		t.Fatalf("wrong DC: %q", got)
	}
	e.ExpireFileReferences()
	if got := cb.rpcErr(&api.UploadGetFileRequest{Location: loc, Limit: 4096}); got != "400 FILE_REFERENCE_EXPIRED" {
		t.Fatalf("old reference: %q", got)
	}
	h, _ := e.History(b.ID, a.ID)
	if !bytes.Equal(h[0].Data, pic) {
		t.Fatal("History has no data")
	}
}

func TestBigDocumentAndUploadErrors(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620510", "A")
	data := make([]byte, 3*512<<10+1234)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	const part = 512 << 10
	total := int32((len(data) + part - 1) / part)
	for i := int32(0); i < total; i++ {
		end := min(int(i+1)*part, len(data))
		ca.must(&api.UploadSaveBigFilePartRequest{FileID: 9, FilePart: i, FileTotalParts: total, Bytes: data[int(i)*part : end]})
	}
	if got := ca.rpcErr(&api.UploadSaveFilePartRequest{FileID: 10, FilePart: 0, Bytes: make([]byte, part+1)}); got != "400 FILE_PART_TOO_BIG" {
		t.Fatalf("big part: %q", got)
	}
	ca.must(&api.UploadSaveFilePartRequest{FileID: 11, FilePart: 1, Bytes: []byte("x")})
	missing := &api.InputMediaUploadedDocument{File: &api.InputFile{ID: 11, Parts: 2, Name: "m"}, MIMEType: "text/plain"}
	if got := ca.rpcErr(&api.MessagesSendMediaRequest{Peer: &api.InputPeerSelf{}, Media: missing, RandomID: nextRandom()}); got != "400 FILE_PART_0_MISSING" {
		t.Fatalf("missing part: %q", got)
	}
	doc := &api.InputMediaUploadedDocument{File: &api.InputFileBig{ID: 9, Parts: total, Name: "big.bin"}, MIMEType: "application/x-test"}
	res := ca.must(&api.MessagesSendMediaRequest{Peer: &api.InputPeerSelf{}, Media: doc, RandomID: nextRandom()}).(*api.Updates)
	d := res.Updates[1].(*api.UpdateNewMessage).Message.(*api.Message).Media.(*api.MessageMediaDocument).Document.(*api.Document)
	if d.Size != int64(len(data)) || d.Attributes[0].(*api.DocumentAttributeFilename).FileName != "big.bin" {
		t.Fatalf("document %+v", d)
	}
	loc := &api.InputDocumentFileLocation{ID: d.ID, AccessHash: d.AccessHash, FileReference: d.FileReference}
	if got := download(t, ca, loc); !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes of %d", len(got), len(data))
	}
	// The stored document can be sent again by reference.
	again := &api.InputMediaDocument{ID: &api.InputDocument{ID: d.ID, AccessHash: d.AccessHash, FileReference: d.FileReference}}
	ca.must(&api.MessagesSendMediaRequest{Peer: &api.InputPeerSelf{}, Media: again, RandomID: nextRandom(), Message: "again"})
	if h, _ := e.History(a.ID, a.ID); len(h) != 2 || !bytes.Equal(h[1].Data, data) {
		t.Fatal("resent document lost")
	}
}

func TestAlbumAndProfilePhoto(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620520", "A")
	b, cb := newUserClient(t, e, "9996620521", "B")
	var items []api.InputSingleMediaClass
	for i := 0; i < 3; i++ {
		in := uploadSmall(t, ca, int64(100+i), testPNG(t, 8+i, 8), 4096)
		items = append(items, &api.InputSingleMedia{Media: &api.InputMediaUploadedPhoto{File: in}, RandomID: nextRandom(), Message: "album"})
	}
	ca.must(&api.MessagesSendMultiMediaRequest{Peer: e.testInputPeer(a.ID, b.ID), MultiMedia: items})
	h, _ := e.History(b.ID, a.ID)
	if len(h) != 3 || h[0].GroupedID == 0 || h[0].GroupedID != h[2].GroupedID {
		t.Fatalf("album %+v", h)
	}
	pic := testPNG(t, 20, 20)
	in := uploadSmall(t, cb, 5, pic, 1024)
	pp := cb.must(&api.PhotosUploadProfilePhotoRequest{File: in}).(*api.PhotosPhoto)
	photo := pp.Photo.(*api.Photo)
	full := ca.must(&api.UsersGetFullUserRequest{ID: e.testInputUser(a.ID, b.ID)}).(*api.UsersUserFull)
	if up := full.Users[0].(*api.User).Photo.(*api.UserProfilePhoto); up.PhotoID != photo.ID {
		t.Fatalf("profile photo %+v", up)
	}
	got := download(t, ca, &api.InputPeerPhotoFileLocation{Big: true, Peer: e.testInputPeer(a.ID, b.ID), PhotoID: photo.ID})
	if !bytes.Equal(got, pic) {
		t.Fatal("profile photo differs")
	}
	small := download(t, ca, &api.InputPeerPhotoFileLocation{Peer: e.testInputPeer(a.ID, b.ID), PhotoID: photo.ID})
	if cfg, format, err := image.DecodeConfig(bytes.NewReader(small)); err != nil || format != "jpeg" || cfg.Width != 20 {
		t.Fatalf("small profile photo: %v %s %+v", err, format, cfg)
	}
	photos := ca.must(&api.PhotosGetUserPhotosRequest{UserID: e.testInputUser(a.ID, b.ID), Limit: 10}).(*api.PhotosPhotos)
	if len(photos.Photos) != 1 || photos.Photos[0].(*api.Photo).ID != photo.ID {
		t.Fatalf("getUserPhotos %+v", photos)
	}
}

func TestPhotoSizesAndDocumentThumbs(t *testing.T) {
	e := startEmu(t, Config{})
	_, ca := newUserClient(t, e, "9996620530", "A")
	pic := testPNG(t, 400, 200)
	in := uploadSmall(t, ca, 11, pic, 4096)
	res := ca.must(&api.MessagesSendMediaRequest{Peer: &api.InputPeerSelf{}, Media: &api.InputMediaUploadedPhoto{File: in}, RandomID: nextRandom()}).(*api.Updates)
	ph := res.Updates[1].(*api.UpdateNewMessage).Message.(*api.Message).Media.(*api.MessageMediaPhoto).Photo.(*api.Photo)
	var types []string
	for _, s := range ph.Sizes {
		types = append(types, s.(*api.PhotoSize).Type)
	}
	if len(types) != 3 || types[0] != "s" || types[1] != "m" || types[2] != "x" {
		t.Fatalf("sizes %v", types)
	}
	m := ph.Sizes[1].(*api.PhotoSize)
	data := download(t, ca, &api.InputPhotoFileLocation{ID: ph.ID, AccessHash: ph.AccessHash, FileReference: ph.FileReference, ThumbSize: "m"})
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width != 320 || cfg.Height != 160 || int32(len(data)) != m.Size || m.W != 320 {
		t.Fatalf("m: %v %+v (%d bytes, announced %+v)", err, cfg, len(data), m)
	}
	if got := ca.rpcErr(&api.UploadGetFileRequest{Location: &api.InputPhotoFileLocation{ID: ph.ID, AccessHash: ph.AccessHash,
		FileReference: ph.FileReference, ThumbSize: "w"}, Limit: 4096}); got != "400 LOCATION_INVALID" {
		t.Fatalf("unknown size: %q", got)
	}
	// A document with an uploaded thumbnail serves it as "m".
	thumb := testJPEG(t, 32, 16)
	doc := &api.InputMediaUploadedDocument{File: uploadSmall(t, ca, 12, []byte("%PDF-1.4 not really"), 1024), MIMEType: "application/pdf",
		Thumb: uploadSmall(t, ca, 13, thumb, 1024)}
	res = ca.must(&api.MessagesSendMediaRequest{Peer: &api.InputPeerSelf{}, Media: doc, RandomID: nextRandom()}).(*api.Updates)
	d := res.Updates[1].(*api.UpdateNewMessage).Message.(*api.Message).Media.(*api.MessageMediaDocument).Document.(*api.Document)
	if len(d.Thumbs) != 1 || d.Thumbs[0].(*api.PhotoSize).Type != "m" || d.Thumbs[0].(*api.PhotoSize).W != 32 {
		t.Fatalf("thumbs %+v", d.Thumbs)
	}
	got := download(t, ca, &api.InputDocumentFileLocation{ID: d.ID, AccessHash: d.AccessHash, FileReference: d.FileReference, ThumbSize: "m"})
	if !bytes.Equal(got, thumb) {
		t.Fatal("document thumbnail differs")
	}
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
