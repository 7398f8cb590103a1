package fileid

import "fmt"

// UniqueType is the first field of a file_unique_id.
type UniqueType int32

// Unique id classes (TDLib's FullRemoteFileLocation::AsUnique).
const (
	UniqueWeb UniqueType = iota
	UniquePhoto
	UniqueDocument
	UniqueSecure
	UniqueEncrypted
	UniqueTemp
)

// UniqueID is a decoded file_unique_id: the same file always has the same
// one, whoever sees it and whenever, but it cannot be used to download.
type UniqueID struct {
	Type UniqueType
	// URL of a web file.
	URL string
	// ID of a document, or of a current-era photo.
	ID int64
	// VolumeID and LocalID of a legacy photo size.
	VolumeID int64
	LocalID  int32
	// PhotoSize is, for a current-era photo, the byte(s) that tell its sizes
	// apart (TDLib's PhotoSizeSource::get_unique).
	PhotoSize []byte
}

func uniqueClass(t Type) UniqueType {
	switch {
	case t.IsPhoto():
		return UniquePhoto
	case t == Secure || t == SecureDecrypted:
		return UniqueSecure
	case t == Encrypted:
		return UniqueEncrypted
	case t == Temp:
		return UniqueTemp
	}
	return UniqueDocument
}

// sizeUnique is TDLib's per-source distinguishing suffix: the thumbnail
// letter ('a' 0, 'c' 1, others letter+5), 0 or 1 for small and big dialog
// photos, and the sticker set thumbnail version.
func sizeUnique(p *PhotoSize) []byte {
	switch p.Kind {
	case SourceThumbnail:
		switch p.ThumbType {
		case 'a':
			return []byte{0}
		case 'c':
			return []byte{1}
		}
		return []byte{p.ThumbType + 5}
	case SourceDialogPhotoSmall:
		return []byte{0}
	case SourceDialogPhotoBig:
		return []byte{1}
	case SourceStickerSetThumbnailVersion:
		w := &writer{}
		w.i32(p.StickerSetVersion)
		return w.b
	}
	return nil
}

// Unique returns the file_unique_id of a file id.
func (f *FileID) Unique() *UniqueID {
	u := &UniqueID{Type: uniqueClass(f.Type)}
	switch {
	case f.URL != "":
		u.Type, u.URL = UniqueWeb, f.URL
	case u.Type == UniquePhoto && f.PhotoSize != nil:
		p := f.PhotoSize
		modern := f.Version == 0 || (f.Version == 4 && f.SubVersion >= subRemoveVolumeLocalIDs)
		if !modern || p.Kind == SourceLegacy || p.Kind == SourceFullLegacy || p.Kind == SourceDialogPhotoSmallLegacy ||
			p.Kind == SourceDialogPhotoBigLegacy || p.Kind == SourceStickerSetThumbnailLegacy || p.Kind == SourceStickerSetThumbnail {
			u.VolumeID, u.LocalID = p.VolumeID, p.LocalID
		} else {
			u.ID, u.PhotoSize = f.ID, sizeUnique(p)
		}
	default:
		u.ID = f.ID
	}
	return u
}

// Encode returns the file_unique_id string.
func (u *UniqueID) Encode() string {
	w := &writer{}
	w.i32(int32(u.Type))
	switch {
	case u.Type == UniqueWeb:
		w.tlBytes([]byte(u.URL))
	case u.Type == UniquePhoto && u.ID == 0:
		w.i64(u.VolumeID)
		w.i32(u.LocalID)
	case u.Type == UniquePhoto:
		w.i64(u.ID)
		w.b = append(w.b, u.PhotoSize...)
	default:
		w.i64(u.ID)
	}
	return b64.EncodeToString(rleEncode(w.b))
}

func (u *UniqueID) String() string { return u.Encode() }

// DecodeUnique parses a file_unique_id.
func DecodeUnique(s string) (*UniqueID, error) {
	bad := func(format string, a ...any) error { return &Error{ID: s, Reason: fmt.Sprintf(format, a...)} }
	raw, err := decodeB64(s)
	if err != nil {
		return nil, bad("not base64url: %v", err)
	}
	data, err := rleDecode(raw)
	if err != nil {
		return nil, bad("%v", err)
	}
	r := &reader{b: data}
	u := &UniqueID{Type: UniqueType(r.i32())}
	switch u.Type {
	case UniqueWeb:
		u.URL = string(r.tlBytes())
	case UniquePhoto:
		// Legacy sizes are volume_id + local_id (12 bytes); current ones are
		// the photo id and a short size suffix.
		if len(r.b) == 12 {
			u.VolumeID, u.LocalID = r.i64(), r.i32()
		} else {
			u.ID = r.i64()
			if r.err == nil {
				u.PhotoSize = append([]byte{}, r.b...)
				r.b = nil
			}
		}
	case UniqueDocument, UniqueSecure, UniqueEncrypted, UniqueTemp:
		u.ID = r.i64()
	default:
		return nil, bad("unknown unique id type %d", int32(u.Type))
	}
	if r.err != nil {
		return nil, bad("%v", r.err)
	}
	if len(r.b) != 0 {
		return nil, bad("%d unexpected trailing bytes", len(r.b))
	}
	return u, nil
}
