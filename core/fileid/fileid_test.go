package fileid_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/polygram/polygram/core/fileid"
	"github.com/polygram/polygram/tl/api"
)

// Known answers. The ids and their fields come from the test fixtures of
// puregram's @puregram/file-id package (packages/file-id/test/fixtures/
// file-ids.ts and test/file-id/parse.test.ts, github.com/nitreojs/puregram),
// which collected them from real Bot API traffic; the sub-version 54 photo
// is quoted in a comment of a Pyrogram fork's pyrogram/file_id.py showing
// that current ids need the RemovePhotoVolumeAndLocalId layout.
func TestDecodeKnownIDs(t *testing.T) {
	cases := []struct {
		name, id      string
		typ           fileid.Type
		version, sub  byte
		dc            int
		mediaID, hash int64
		hasRef        bool
		check         func(t *testing.T, p *fileid.PhotoSize)
	}{
		{name: "sticker v2", id: "CAADBAADwwADmFmqDf6xBrPTReqHAg", typ: fileid.Sticker, version: 2, dc: 4,
			mediaID: 984697977903775939, hash: -8653026958495010306},
		{name: "sticker v4.22", id: "CAADBAADwwADmFmqDf6xBrPTReqHFgQ", typ: fileid.Sticker, version: 4, sub: 22, dc: 4,
			mediaID: 984697977903775939, hash: -8653026958495010306},
		{name: "sticker v4.27 with file reference", id: "CAACAgIAAxkBAAIEol9yQhBqFnT4HXldAh31a-hYXuDIAAIECwACAoujAAFFn1sl9AABHbkbBA",
			typ: fileid.Sticker, version: 4, sub: 27, dc: 2, hasRef: true},
		{name: "photo v2 legacy", id: "AgADAgADRaoxG64rCUlfm3fj3nihW3PHUQ8ABA0Pma0G3xt2bLABAAEC", typ: fileid.Photo, version: 2, dc: 2,
			mediaID: 5262785666339678789, hash: 6602691427396197215,
			check: func(t *testing.T, p *fileid.PhotoSize) {
				if p.Kind != fileid.SourceLegacy || p.VolumeID != 257017715 || p.Secret != 8510641140621971213 || p.LocalID != 110700 {
					t.Fatalf("photo size %+v", p)
				}
			}},
		{name: "photo v4.22 thumbnail", id: "AgADAgADRaoxG64rCUlfm3fj3nihW3PHUQ8ABAEAAwIAA3gAA2uwAQABFgQ", typ: fileid.Photo, version: 4, sub: 22, dc: 2,
			mediaID: 5262785666339678789, hash: 6602691427396197215,
			check: func(t *testing.T, p *fileid.PhotoSize) {
				if p.Kind != fileid.SourceThumbnail || p.FileType != fileid.Photo || p.ThumbType != 'x' || p.LocalID != 110699 || p.VolumeID != 257017715 {
					t.Fatalf("photo size %+v", p)
				}
			}},
		{name: "photo v4.30 with file reference", id: "AgACAgIAAxkBAAIE2F-nHvTX7tX2Hg946DOPJWEahhgUAAI1sDEbClw4SX8n9AqBZEu9FpVJli4AAwEAAwIAA3gAA-YMBAABHgQ",
			typ: fileid.Photo, version: 4, sub: 30, dc: 2, mediaID: 5276068161940205621, hash: -4806637671890540673, hasRef: true,
			check: func(t *testing.T, p *fileid.PhotoSize) {
				if p.Kind != fileid.SourceThumbnail || p.ThumbType != 'x' || p.LocalID != 265446 {
					t.Fatalf("photo size %+v", p)
				}
			}},
		{name: "photo v4.32", id: "AgADBAADewAHyAEABgEAAwIAA20AAyAE", typ: fileid.Photo, version: 4, sub: 32, dc: 4,
			check: func(t *testing.T, p *fileid.PhotoSize) {
				if p.Kind != fileid.SourceThumbnail || p.FileType != fileid.Photo || p.ThumbType != 'm' || p.VolumeID != 0 || p.LocalID != 0 {
					t.Fatalf("photo size %+v", p)
				}
			}},
		{name: "photo v4.54", id: "AgACAgIAAxkBAAIENGfeY4AfRquwTL2LpDrzqvFMVNt_AAIG9DEbXX3wSq3oI7t_PqQGAQADAgADbQADNgQ",
			typ: fileid.Photo, version: 4, sub: 54, dc: 2, hasRef: true,
			check: func(t *testing.T, p *fileid.PhotoSize) {
				if p.Kind != fileid.SourceThumbnail || p.FileType != fileid.Photo || p.ThumbType != 'm' {
					t.Fatalf("photo size %+v", p)
				}
			}},
		{name: "sticker v4.27 (old set)", id: "CAACAgEAAx0CVgtngQACAuFfU1GY9wiRG7A7jlIBbP2yvAostAACegAD997LEUiQZafDlhIeGwQ",
			typ: fileid.Sticker, version: 4, sub: 27, dc: 1, hasRef: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := fileid.Decode(c.id)
			if err != nil {
				t.Fatal(err)
			}
			if f.Type != c.typ || f.Version != c.version || f.SubVersion != c.sub || f.DC != c.dc {
				t.Fatalf("got type %v version %d.%d dc %d", f.Type, f.Version, f.SubVersion, f.DC)
			}
			if c.mediaID != 0 && (f.ID != c.mediaID || f.AccessHash != c.hash) {
				t.Fatalf("id %d hash %d", f.ID, f.AccessHash)
			}
			if (len(f.FileReference) > 0) != c.hasRef {
				t.Fatalf("file reference %x", f.FileReference)
			}
			if c.check != nil {
				c.check(t, f.PhotoSize)
			}
			again, err := f.Encode()
			if err != nil || again != c.id {
				t.Fatalf("re-encoded as %q (%v)", again, err)
			}
		})
	}
}

func TestTwoEncodingsOfOneStickerShareTheUniqueID(t *testing.T) {
	// The same sticker as a v2 and a v4.22 id: one file, one unique id.
	a, _ := fileid.Decode("CAADBAADwwADmFmqDf6xBrPTReqHAg")
	b, _ := fileid.Decode("CAADBAADwwADmFmqDf6xBrPTReqHFgQ")
	if a.Unique().Encode() != b.Unique().Encode() {
		t.Fatalf("%s != %s", a.Unique(), b.Unique())
	}
	u, err := fileid.DecodeUnique(a.Unique().Encode())
	if err != nil || u.Type != fileid.UniqueDocument || u.ID != 984697977903775939 {
		t.Fatalf("unique %+v %v", u, err)
	}
}

func randomID(r *rand.Rand) *fileid.FileID {
	f := &fileid.FileID{DC: 1 + r.IntN(5), ID: r.Int64(), AccessHash: int64(r.Uint64()), Version: 4, SubVersion: fileid.CurrentSubVersion}
	if r.IntN(2) == 0 {
		f.FileReference = make([]byte, r.IntN(300))
		for i := range f.FileReference {
			f.FileReference[i] = byte(r.IntN(3)) // plenty of zero runs
		}
	}
	docTypes := []fileid.Type{fileid.Voice, fileid.Video, fileid.Document, fileid.Sticker, fileid.Audio, fileid.Animation, fileid.VideoNote}
	switch r.IntN(4) {
	case 0:
		f.Type = fileid.Photo
		f.PhotoSize = &fileid.PhotoSize{Kind: fileid.SourceThumbnail, FileType: fileid.Photo, ThumbType: "smxyw"[r.IntN(5)]}
	case 1:
		f.Type = fileid.ProfilePhoto
		f.PhotoSize = &fileid.PhotoSize{Kind: fileid.SourceDialogPhotoSmall + fileid.SourceKind(r.IntN(2)),
			DialogID: r.Int64N(1 << 40), DialogAccessHash: int64(r.Uint64())}
	case 2:
		f.Type = fileid.Thumbnail
		f.PhotoSize = &fileid.PhotoSize{Kind: fileid.SourceStickerSetThumbnailVersion, StickerSetID: r.Int64(),
			StickerSetAccessHash: r.Int64(), StickerSetVersion: r.Int32()}
	default:
		f.Type = docTypes[r.IntN(len(docTypes))]
	}
	return f
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 2000; i++ {
		f := randomID(r)
		s, err := f.Encode()
		if err != nil {
			t.Fatal(err)
		}
		g, err := fileid.Decode(s)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		if g.Type != f.Type || g.DC != f.DC || g.ID != f.ID || g.AccessHash != f.AccessHash || !bytes.Equal(g.FileReference, f.FileReference) {
			t.Fatalf("%+v became %+v", f, g)
		}
		if (f.PhotoSize == nil) != (g.PhotoSize == nil) || (f.PhotoSize != nil && *f.PhotoSize != *g.PhotoSize) {
			t.Fatalf("photo size %+v became %+v", f.PhotoSize, g.PhotoSize)
		}
		if s2, _ := g.Encode(); s2 != s {
			t.Fatalf("%q re-encoded as %q", s, s2)
		}
		u := f.Unique().Encode()
		if back, err := fileid.DecodeUnique(u); err != nil || back.Encode() != u {
			t.Fatalf("unique %q: %v", u, err)
		}
	}
}

func TestBadIDsGetTypedErrors(t *testing.T) {
	for _, s := range []string{"", "!!!", "AAAA", "CAADBAADwwADmFmqDf6xBrPTReqHBQ", "CAADBAADwwADmFmqDf6xBrPTReq", "AgADBAADewAHyAEABgEAAwIAA20AAyAEAA"} {
		_, err := fileid.Decode(s)
		var fe *fileid.Error
		if !errors.As(err, &fe) {
			t.Fatalf("%q: %v", s, err)
		}
	}
}

func TestLocationsForDownloadAndResend(t *testing.T) {
	f, _ := fileid.Decode("AgACAgIAAxkBAAIE2F-nHvTX7tX2Hg946DOPJWEahhgUAAI1sDEbClw4SX8n9AqBZEu9FpVJli4AAwEAAwIAA3gAA-YMBAABHgQ")
	loc, dc, err := f.Location()
	if err != nil || dc != 2 {
		t.Fatal(err, dc)
	}
	pl, ok := loc.(*api.InputPhotoFileLocation)
	if !ok || pl.ID != 5276068161940205621 || pl.ThumbSize != "x" || !bytes.Equal(pl.FileReference, f.FileReference) {
		t.Fatalf("%#v", loc)
	}
	if _, err := f.InputDocument(); !errors.Is(err, fileid.ErrNoLocation) {
		t.Fatalf("a photo as a document: %v", err)
	}
	if m, err := f.InputMedia(); err != nil || m.(*api.InputMediaPhoto).ID.(*api.InputPhoto).ID != f.ID {
		t.Fatalf("media %v %v", m, err)
	}
	s, _ := fileid.Decode("CAACAgIAAxkBAAIEol9yQhBqFnT4HXldAh31a-hYXuDIAAIECwACAoujAAFFn1sl9AABHbkbBA")
	if loc, _, err := s.Location(); err != nil || loc.(*api.InputDocumentFileLocation).ThumbSize != "" {
		t.Fatalf("%v %v", loc, err)
	}
	prof := &fileid.FileID{Type: fileid.ProfilePhoto, DC: 3, ID: 9, PhotoSize: &fileid.PhotoSize{Kind: fileid.SourceDialogPhotoBig,
		DialogID: fileid.DialogID('C', 77), DialogAccessHash: 5}}
	loc, _, err = prof.Location()
	pp, ok := loc.(*api.InputPeerPhotoFileLocation)
	if err != nil || !ok || !pp.Big || pp.Peer.(*api.InputPeerChannel).ChannelID != 77 || pp.PhotoID != 9 {
		t.Fatalf("%#v %v", loc, err)
	}
}

func FuzzDecodeNeverPanics(f *testing.F) {
	for _, s := range []string{"CAADBAADwwADmFmqDf6xBrPTReqHAg", "AgADBAADewAHyAEABgEAAwIAA20AAyAE",
		"AgACAgIAAxkBAAIE2F-nHvTX7tX2Hg946DOPJWEahhgUAAI1sDEbClw4SX8n9AqBZEu9FpVJli4AAwEAAwIAA3gAA-YMBAABHgQ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if id, err := fileid.Decode(s); err == nil {
			if _, err := id.Encode(); err != nil {
				t.Fatalf("decoded %q but cannot encode it: %v", s, err)
			}
			id.Unique().Encode()
			id.Location()
		}
		fileid.DecodeUnique(s)
	})
}
