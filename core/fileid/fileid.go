// Package fileid decodes and encodes the Bot API's file_id and
// file_unique_id strings, so files a bot received through the Bot API can be
// downloaded or re-sent with Polygram and files seen here can be handed to a
// bot.
//
// A file_id is base64url (no padding) of a zero-run-length-encoded binary
// record minted by TDLib: int32 type (with flags for a web location and a
// file reference), int32 DC, an optional TL-bytes file reference, int64 id
// and access hash, for photo-like types a photo size source, and two trailing
// bytes: the sub-version and the version (4). Ids from before version 4 end
// in the version byte alone. The layout of the photo size source changed at
// sub-versions 22 (a typed source) and 32 (volume and local ids moved into
// the source); Decode reads every era and Encode writes the era of the id's
// Version and SubVersion, so a decoded id encodes back to the same string.
package fileid

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Type is TDLib's file type, the low bits of a file_id's first field.
type Type int32

// The file types TDLib writes into file ids.
const (
	Thumbnail Type = iota
	ProfilePhoto
	Photo
	Voice
	Video
	Document
	Encrypted
	Temp
	Sticker
	Audio
	Animation
	EncryptedThumbnail
	Wallpaper
	VideoNote
	SecureDecrypted
	Secure
	Background
	DocumentAsFile
	Ringtone
	CallLog
	PhotoStory
	VideoStory
	SelfDestructingPhoto
	SelfDestructingVideo
	SelfDestructingVideoNote
	SelfDestructingVoice
	typeCount
)

var typeNames = [...]string{"thumbnail", "profile_photo", "photo", "voice", "video", "document", "encrypted",
	"temp", "sticker", "audio", "animation", "encrypted_thumbnail", "wallpaper", "video_note", "secure_decrypted",
	"secure", "background", "document_as_file", "ringtone", "call_log", "photo_story", "video_story",
	"self_destructing_photo", "self_destructing_video", "self_destructing_video_note", "self_destructing_voice"}

func (t Type) String() string {
	if t >= 0 && t < typeCount {
		return typeNames[t]
	}
	return fmt.Sprintf("file_type_%d", int32(t))
}

// IsPhoto reports whether ids of this type carry a photo size source (the
// photo-like types); the others are documents.
func (t Type) IsPhoto() bool {
	switch t {
	case Thumbnail, ProfilePhoto, Photo, EncryptedThumbnail, Wallpaper, PhotoStory, SelfDestructingPhoto:
		return true
	}
	return false
}

// SourceKind says where a photo size comes from (TDLib's PhotoSizeSource).
type SourceKind int32

// Photo size sources.
const (
	SourceLegacy SourceKind = iota
	SourceThumbnail
	SourceDialogPhotoSmall
	SourceDialogPhotoBig
	SourceStickerSetThumbnail
	SourceFullLegacy
	SourceDialogPhotoSmallLegacy
	SourceDialogPhotoBigLegacy
	SourceStickerSetThumbnailLegacy
	SourceStickerSetThumbnailVersion
	sourceCount
)

// PhotoSize is the photo size source of a photo-like id. Which fields are
// meaningful depends on Kind.
type PhotoSize struct {
	Kind SourceKind
	// VolumeID, LocalID and Secret locate legacy photos (and are kept for ids
	// from before sub-version 32, where every photo carried them).
	VolumeID int64
	LocalID  int32
	Secret   int64
	// FileType and ThumbType for SourceThumbnail: the kind of file the
	// thumbnail belongs to (Photo for a photo's size, Thumbnail for a
	// document's thumbnail) and its size letter ('s', 'm', 'x', ...).
	FileType  Type
	ThumbType byte
	// DialogID (TDLib's: a user id, -chat id, or -1000000000000-channel id)
	// and its access hash for profile photos.
	DialogID         int64
	DialogAccessHash int64
	// StickerSetID, StickerSetAccessHash and StickerSetVersion for sticker
	// set thumbnails.
	StickerSetID         int64
	StickerSetAccessHash int64
	StickerSetVersion    int32
}

// FileID is a decoded file_id.
type FileID struct {
	Type Type
	DC   int
	// URL and AccessHash for web files (then ID is unused).
	URL           string
	FileReference []byte
	ID            int64
	AccessHash    int64
	// PhotoSize is set for photo-like types.
	PhotoSize *PhotoSize
	// Version and SubVersion select the layout; zero means the current one
	// (CurrentVersion, CurrentSubVersion).
	Version    byte
	SubVersion byte
}

// The layout Encode writes when FileID.Version is zero: the Bot API's at
// the time of writing (ids ending in "NgQ").
const (
	CurrentVersion    = 4
	CurrentSubVersion = 54
)

const (
	webLocationFlag   = 1 << 24
	fileReferenceFlag = 1 << 25
	// TDLib's Version::AddPhotoSizeSource and Version::RemovePhotoVolumeAndLocalId.
	subAddPhotoSizeSource   = 22
	subRemoveVolumeLocalIDs = 32
)

// Error is returned for a string that is not a valid id; Reason says why.
type Error struct {
	ID     string
	Reason string
}

func (e *Error) Error() string {
	id := e.ID
	if len(id) > 80 {
		id = id[:80] + "…"
	}
	return fmt.Sprintf("fileid: %q is not a valid file id: %s", id, e.Reason)
}

// ErrNoLocation is returned by the conversions for ids that cannot be
// turned into the requested input object (for example a web file as a
// document).
var ErrNoLocation = errors.New("fileid: the id has no location of that kind")

var b64 = base64.RawURLEncoding

func decodeB64(s string) ([]byte, error) {
	return b64.DecodeString(strings.TrimRight(s, "="))
}

// rleDecode expands TDLib's zero runs: a zero byte followed by a count.
func rleDecode(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in)*2)
	for i := 0; i < len(in); i++ {
		if in[i] != 0 {
			out = append(out, in[i])
			continue
		}
		if i+1 >= len(in) {
			return nil, errors.New("a zero run has no length")
		}
		i++
		for n := int(in[i]); n > 0; n-- {
			out = append(out, 0)
		}
	}
	return out, nil
}

// rleEncode writes runs of zero bytes as a zero and a count (at most 255).
func rleEncode(in []byte) []byte {
	out := make([]byte, 0, len(in))
	run := 0
	flush := func() {
		for run > 0 {
			n := min(run, 255)
			out = append(out, 0, byte(n))
			run -= n
		}
	}
	for _, b := range in {
		if b == 0 {
			run++
			continue
		}
		flush()
		out = append(out, b)
	}
	flush()
	return out
}

// reader reads little-endian fields, recording the first shortfall.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = errors.New("the record is too short")
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) i32() int32 {
	if b := r.take(4); b != nil {
		return int32(binary.LittleEndian.Uint32(b))
	}
	return 0
}

func (r *reader) i64() int64 {
	if b := r.take(8); b != nil {
		return int64(binary.LittleEndian.Uint64(b))
	}
	return 0
}

// tlBytes reads TL bytes: a one-byte length (or 254 and three bytes),
// the data, and padding to a multiple of four.
func (r *reader) tlBytes() []byte {
	h := r.take(1)
	if h == nil {
		return nil
	}
	n, head := int(h[0]), 1
	if n == 254 {
		l := r.take(3)
		if l == nil {
			return nil
		}
		n, head = int(l[0])|int(l[1])<<8|int(l[2])<<16, 4
	} else if n == 255 {
		r.err = errors.New("a bytes field has an invalid length")
		return nil
	}
	data := r.take(n)
	r.take((4 - (head+n)%4) % 4)
	if r.err != nil {
		return nil
	}
	return append([]byte(nil), data...)
}

type writer struct{ b []byte }

func (w *writer) i32(v int32) { w.b = binary.LittleEndian.AppendUint32(w.b, uint32(v)) }
func (w *writer) i64(v int64) { w.b = binary.LittleEndian.AppendUint64(w.b, uint64(v)) }

func (w *writer) tlBytes(v []byte) {
	head := 1
	if len(v) < 254 {
		w.b = append(w.b, byte(len(v)))
	} else {
		w.b = append(w.b, 254, byte(len(v)), byte(len(v)>>8), byte(len(v)>>16))
		head = 4
	}
	w.b = append(w.b, v...)
	for i := 0; i < (4-(head+len(v))%4)%4; i++ {
		w.b = append(w.b, 0)
	}
}

// Decode parses a Bot API file_id.
func Decode(s string) (*FileID, error) {
	bad := func(format string, a ...any) error { return &Error{ID: s, Reason: fmt.Sprintf(format, a...)} }
	raw, err := decodeB64(s)
	if err != nil {
		return nil, bad("not base64url: %v", err)
	}
	data, err := rleDecode(raw)
	if err != nil {
		return nil, bad("%v", err)
	}
	if len(data) < 1 {
		return nil, bad("empty")
	}
	f := &FileID{Version: data[len(data)-1]}
	switch {
	case f.Version == 4:
		if len(data) < 2 {
			return nil, bad("no sub-version")
		}
		f.SubVersion = data[len(data)-2]
		data = data[:len(data)-2]
	case f.Version == 2 || f.Version == 3:
		data = data[:len(data)-1]
	default:
		return nil, bad("unsupported version %d", f.Version)
	}
	r := &reader{b: data}
	typ := r.i32()
	f.DC = int(r.i32())
	web, ref := typ&webLocationFlag != 0, typ&fileReferenceFlag != 0
	f.Type = Type(typ &^ (webLocationFlag | fileReferenceFlag))
	if f.Type < 0 || f.Type >= typeCount {
		return nil, bad("unknown file type %d", int32(f.Type))
	}
	if ref {
		f.FileReference = r.tlBytes()
	}
	if web {
		f.URL = string(r.tlBytes())
		f.AccessHash = r.i64()
	} else {
		f.ID, f.AccessHash = r.i64(), r.i64()
		if f.Type.IsPhoto() {
			f.PhotoSize = decodePhotoSize(r, f.Version, f.SubVersion)
		}
	}
	if r.err != nil {
		return nil, bad("%v", r.err)
	}
	if len(r.b) != 0 {
		return nil, bad("%d unexpected trailing bytes", len(r.b))
	}
	return f, nil
}

func decodePhotoSize(r *reader, version, sub byte) *PhotoSize {
	p := &PhotoSize{}
	if version < 4 || sub < subAddPhotoSizeSource {
		p.Kind = SourceLegacy
		p.VolumeID, p.Secret, p.LocalID = r.i64(), r.i64(), r.i32()
		return p
	}
	legacyEra := sub < subRemoveVolumeLocalIDs
	if legacyEra {
		p.VolumeID = r.i64()
	}
	p.Kind = SourceKind(r.i32())
	switch p.Kind {
	case SourceLegacy:
		if !legacyEra {
			r.err = errors.New("a legacy photo size source in a current-era id")
		}
		p.Secret = r.i64()
	case SourceThumbnail:
		p.FileType = Type(r.i32())
		t := r.i32()
		if t < 0 || t > 127 {
			r.err = fmt.Errorf("thumbnail type %d is not a letter", t)
		}
		p.ThumbType = byte(t)
	case SourceDialogPhotoSmall, SourceDialogPhotoBig:
		p.DialogID, p.DialogAccessHash = r.i64(), r.i64()
	case SourceStickerSetThumbnail:
		if !legacyEra {
			r.err = errors.New("a sticker set thumbnail source without version in a current-era id")
		}
		p.StickerSetID, p.StickerSetAccessHash = r.i64(), r.i64()
	case SourceFullLegacy:
		p.VolumeID, p.Secret, p.LocalID = r.i64(), r.i64(), r.i32()
	case SourceDialogPhotoSmallLegacy, SourceDialogPhotoBigLegacy:
		p.DialogID, p.DialogAccessHash, p.VolumeID, p.LocalID = r.i64(), r.i64(), r.i64(), r.i32()
	case SourceStickerSetThumbnailLegacy:
		p.StickerSetID, p.StickerSetAccessHash, p.VolumeID, p.LocalID = r.i64(), r.i64(), r.i64(), r.i32()
	case SourceStickerSetThumbnailVersion:
		p.StickerSetID, p.StickerSetAccessHash, p.StickerSetVersion = r.i64(), r.i64(), r.i32()
	default:
		r.err = fmt.Errorf("unknown photo size source %d", int32(p.Kind))
	}
	if legacyEra {
		if p.Kind >= SourceFullLegacy {
			r.err = fmt.Errorf("photo size source %d did not exist at sub-version %d", int32(p.Kind), sub)
		}
		p.LocalID = r.i32()
	}
	return p
}

// Encode returns the file_id string of f in the layout of its Version and
// SubVersion (the current one when Version is zero).
func (f *FileID) Encode() (string, error) {
	version, sub := f.Version, f.SubVersion
	if version == 0 {
		version, sub = CurrentVersion, CurrentSubVersion
	}
	if version != 2 && version != 3 && version != 4 {
		return "", fmt.Errorf("fileid: cannot encode version %d", version)
	}
	if f.Type < 0 || f.Type >= typeCount {
		return "", fmt.Errorf("fileid: unknown file type %d", int32(f.Type))
	}
	w := &writer{}
	typ := int32(f.Type)
	web := f.URL != ""
	if web {
		typ |= webLocationFlag
	}
	if len(f.FileReference) > 0 {
		typ |= fileReferenceFlag
	}
	w.i32(typ)
	w.i32(int32(f.DC))
	if len(f.FileReference) > 0 {
		w.tlBytes(f.FileReference)
	}
	if web {
		w.tlBytes([]byte(f.URL))
		w.i64(f.AccessHash)
	} else {
		w.i64(f.ID)
		w.i64(f.AccessHash)
		if f.Type.IsPhoto() {
			if f.PhotoSize == nil {
				return "", fmt.Errorf("fileid: a %s id needs a PhotoSize", f.Type)
			}
			if err := encodePhotoSize(w, f.PhotoSize, version, sub); err != nil {
				return "", err
			}
		}
	}
	if version == 4 {
		w.b = append(w.b, sub)
	}
	w.b = append(w.b, version)
	return b64.EncodeToString(rleEncode(w.b)), nil
}

func encodePhotoSize(w *writer, p *PhotoSize, version, sub byte) error {
	if version < 4 || sub < subAddPhotoSizeSource {
		if p.Kind != SourceLegacy && p.Kind != SourceFullLegacy {
			return fmt.Errorf("fileid: photo size source %d needs sub-version %d or later", int32(p.Kind), subAddPhotoSizeSource)
		}
		w.i64(p.VolumeID)
		w.i64(p.Secret)
		w.i32(p.LocalID)
		return nil
	}
	legacyEra := sub < subRemoveVolumeLocalIDs
	switch {
	case legacyEra && p.Kind >= SourceFullLegacy:
		return fmt.Errorf("fileid: photo size source %d needs sub-version %d or later", int32(p.Kind), subRemoveVolumeLocalIDs)
	case !legacyEra && (p.Kind == SourceLegacy || p.Kind == SourceStickerSetThumbnail):
		return fmt.Errorf("fileid: photo size source %d is not written after sub-version %d", int32(p.Kind), subRemoveVolumeLocalIDs-1)
	case p.Kind < 0 || p.Kind >= sourceCount:
		return fmt.Errorf("fileid: unknown photo size source %d", int32(p.Kind))
	case p.Kind == SourceThumbnail && p.ThumbType > 127:
		return fmt.Errorf("fileid: thumbnail type %d is not a letter", p.ThumbType)
	}
	if legacyEra {
		w.i64(p.VolumeID)
	}
	w.i32(int32(p.Kind))
	switch p.Kind {
	case SourceLegacy:
		w.i64(p.Secret)
	case SourceThumbnail:
		w.i32(int32(p.FileType))
		w.i32(int32(p.ThumbType))
	case SourceDialogPhotoSmall, SourceDialogPhotoBig:
		w.i64(p.DialogID)
		w.i64(p.DialogAccessHash)
	case SourceStickerSetThumbnail:
		w.i64(p.StickerSetID)
		w.i64(p.StickerSetAccessHash)
	case SourceFullLegacy:
		w.i64(p.VolumeID)
		w.i64(p.Secret)
		w.i32(p.LocalID)
	case SourceDialogPhotoSmallLegacy, SourceDialogPhotoBigLegacy:
		w.i64(p.DialogID)
		w.i64(p.DialogAccessHash)
		w.i64(p.VolumeID)
		w.i32(p.LocalID)
	case SourceStickerSetThumbnailLegacy:
		w.i64(p.StickerSetID)
		w.i64(p.StickerSetAccessHash)
		w.i64(p.VolumeID)
		w.i32(p.LocalID)
	case SourceStickerSetThumbnailVersion:
		w.i64(p.StickerSetID)
		w.i64(p.StickerSetAccessHash)
		w.i32(p.StickerSetVersion)
	}
	if legacyEra {
		w.i32(p.LocalID)
	}
	return nil
}

// String returns the encoded id, or "" when it cannot be encoded.
func (f *FileID) String() string {
	s, _ := f.Encode()
	return s
}
