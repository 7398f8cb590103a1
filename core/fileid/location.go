package fileid

import (
	"fmt"

	"github.com/polygram/polygram/tl/api"
)

// TDLib's dialog ids: users positive, basic groups negated, channels below
// -1000000000000.
const channelDialogBase = 1_000_000_000_000

// InputPeer turns a TDLib dialog id and access hash into an input peer.
func InputPeer(dialogID, accessHash int64) (api.InputPeerClass, error) {
	switch {
	case dialogID > 0:
		return &api.InputPeerUser{UserID: dialogID, AccessHash: accessHash}, nil
	case dialogID < -channelDialogBase:
		return &api.InputPeerChannel{ChannelID: -dialogID - channelDialogBase, AccessHash: accessHash}, nil
	case dialogID < 0:
		return &api.InputPeerChat{ChatID: -dialogID}, nil
	}
	return nil, fmt.Errorf("%w: dialog id 0", ErrNoLocation)
}

// DialogID is the inverse of InputPeer's numbering for a user, chat or
// channel id: kind is 'u', 'c' (basic group) or 'C' (channel).
func DialogID(kind byte, id int64) int64 {
	switch kind {
	case 'c':
		return -id
	case 'C':
		return -channelDialogBase - id
	}
	return id
}

// Location returns the upload.getFile location of the file and the DC that
// stores it.
func (f *FileID) Location() (api.InputFileLocationClass, int, error) {
	if f.URL != "" {
		return nil, 0, fmt.Errorf("%w: %s is a web file (%s), fetched with upload.getWebFile", ErrNoLocation, f.Type, f.URL)
	}
	if !f.Type.IsPhoto() {
		return &api.InputDocumentFileLocation{ID: f.ID, AccessHash: f.AccessHash, FileReference: f.FileReference}, f.DC, nil
	}
	p := f.PhotoSize
	if p == nil {
		return nil, 0, fmt.Errorf("%w: a %s id without a photo size", ErrNoLocation, f.Type)
	}
	switch p.Kind {
	case SourceThumbnail:
		thumb := string(rune(p.ThumbType))
		if p.FileType == Photo || p.FileType == PhotoStory || p.FileType == SelfDestructingPhoto || p.FileType == ProfilePhoto {
			return &api.InputPhotoFileLocation{ID: f.ID, AccessHash: f.AccessHash, FileReference: f.FileReference, ThumbSize: thumb}, f.DC, nil
		}
		return &api.InputDocumentFileLocation{ID: f.ID, AccessHash: f.AccessHash, FileReference: f.FileReference, ThumbSize: thumb}, f.DC, nil
	case SourceDialogPhotoSmall, SourceDialogPhotoBig, SourceDialogPhotoSmallLegacy, SourceDialogPhotoBigLegacy:
		peer, err := InputPeer(p.DialogID, p.DialogAccessHash)
		if err != nil {
			return nil, 0, err
		}
		big := p.Kind == SourceDialogPhotoBig || p.Kind == SourceDialogPhotoBigLegacy
		return &api.InputPeerPhotoFileLocation{Big: big, Peer: peer, PhotoID: f.ID}, f.DC, nil
	case SourceStickerSetThumbnail, SourceStickerSetThumbnailLegacy, SourceStickerSetThumbnailVersion:
		return &api.InputStickerSetThumb{Stickerset: &api.InputStickerSetID{ID: p.StickerSetID, AccessHash: p.StickerSetAccessHash},
			ThumbVersion: p.StickerSetVersion}, f.DC, nil
	case SourceLegacy, SourceFullLegacy:
		return &api.InputPhotoLegacyFileLocation{ID: f.ID, AccessHash: f.AccessHash, FileReference: f.FileReference,
			VolumeID: p.VolumeID, LocalID: p.LocalID, Secret: p.Secret}, f.DC, nil
	}
	return nil, 0, fmt.Errorf("%w: photo size source %d", ErrNoLocation, int32(p.Kind))
}

// InputDocument returns the document to re-send (messages.sendMedia with
// InputMediaDocument) for a document-like id.
func (f *FileID) InputDocument() (*api.InputDocument, error) {
	if f.URL != "" || f.Type.IsPhoto() {
		return nil, fmt.Errorf("%w: a %s id is not a document", ErrNoLocation, f.Type)
	}
	return &api.InputDocument{ID: f.ID, AccessHash: f.AccessHash, FileReference: f.FileReference}, nil
}

// InputPhoto returns the photo to re-send (InputMediaPhoto) for a photo id.
func (f *FileID) InputPhoto() (*api.InputPhoto, error) {
	if f.URL != "" || (f.Type != Photo && f.Type != ProfilePhoto && f.Type != PhotoStory && f.Type != SelfDestructingPhoto) {
		return nil, fmt.Errorf("%w: a %s id is not a photo", ErrNoLocation, f.Type)
	}
	return &api.InputPhoto{ID: f.ID, AccessHash: f.AccessHash, FileReference: f.FileReference}, nil
}

// InputMedia returns the media to send the file again: a photo or a
// document.
func (f *FileID) InputMedia() (api.InputMediaClass, error) {
	if f.Type == Photo {
		p, err := f.InputPhoto()
		if err != nil {
			return nil, err
		}
		return &api.InputMediaPhoto{ID: p}, nil
	}
	d, err := f.InputDocument()
	if err != nil {
		return nil, err
	}
	return &api.InputMediaDocument{ID: d}, nil
}

// FromDocument makes the file id of a document as type t (Document, Video,
// Voice, Audio, Animation, Sticker, VideoNote).
func FromDocument(d *api.Document, t Type) *FileID {
	return &FileID{Type: t, DC: int(d.DCID), FileReference: d.FileReference, ID: d.ID, AccessHash: d.AccessHash}
}

// FromPhoto makes the file id of one size of a photo ("x", "y", ...).
func FromPhoto(p *api.Photo, size string) *FileID {
	var letter byte = 'x'
	if size != "" {
		letter = size[0]
	}
	return &FileID{Type: Photo, DC: int(p.DCID), FileReference: p.FileReference, ID: p.ID, AccessHash: p.AccessHash,
		PhotoSize: &PhotoSize{Kind: SourceThumbnail, FileType: Photo, ThumbType: letter}}
}

// DocumentType picks the Bot API kind of a document from its attributes.
func DocumentType(d *api.Document) Type {
	t := Document
	for _, a := range d.Attributes {
		switch x := a.(type) {
		case *api.DocumentAttributeSticker:
			return Sticker
		case *api.DocumentAttributeAnimated:
			t = Animation
		case *api.DocumentAttributeVideo:
			if x.RoundMessage {
				return VideoNote
			}
			if t != Animation {
				t = Video
			}
		case *api.DocumentAttributeAudio:
			if x.Voice {
				return Voice
			}
			t = Audio
		}
	}
	return t
}
