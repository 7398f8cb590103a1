package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"path/filepath"
	"strings"
	"time"

	"github.com/polygram/polygram/core/fileid"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// MediaKind says how a file is shown in the chat.
type MediaKind int

// Kinds of file message. MediaAuto sends a document, or a photo when
// SendFileOptions.AsPhoto is set.
const (
	MediaAuto MediaKind = iota
	MediaDocument
	MediaPhoto
	MediaVoice
	MediaVideo
	MediaAudio
	MediaAnimation
	MediaVideoNote
)

// SendFileOptions describe a file message.
type SendFileOptions struct {
	Caption string
	// ParseMode formats the caption ("markdown", "html" or ""); Entities win
	// over it.
	ParseMode string
	Entities  []api.MessageEntityClass
	// Name is the file name shown (default: none).
	Name string
	// MimeType defaults to one detected from the content, then from Name.
	MimeType string
	// AsPhoto sends an image as a compressed photo rather than a document
	// (the same as Kind MediaPhoto).
	AsPhoto bool
	Kind    MediaKind
	// Duration, Width and Height describe voice, audio and video files;
	// Title and Performer audio files.
	Duration          time.Duration
	Width, Height     int
	Title, Performer  string
	SupportsStreaming bool
	// Thumb is a JPEG thumbnail (at most 320 px) shown for documents.
	Thumb   []byte
	ReplyTo int32
	Silent  bool
	// FileID sends a file already on Telegram by its Bot API file_id: no
	// upload, the reader is ignored.
	FileID   string
	Transfer TransferOptions
}

// ErrKind is returned (wrapped) for a MediaKind the call cannot send.
var ErrKind = errors.New("core: unsupported media kind")

// sniffed is how DetectMime recognises formats: a prefix at an offset.
var sniffed = []struct {
	offset int
	magic  string
	mime   string
}{
	{0, "\xff\xd8\xff", "image/jpeg"},
	{0, "\x89PNG\r\n\x1a\n", "image/png"},
	{0, "GIF87a", "image/gif"},
	{0, "GIF89a", "image/gif"},
	{8, "WEBP", "image/webp"},
	{0, "%PDF-", "application/pdf"},
	{0, "OggS", "audio/ogg"},
	{0, "ID3", "audio/mpeg"},
	{0, "\xff\xfb", "audio/mpeg"},
	{0, "\xff\xf3", "audio/mpeg"},
	{0, "\xff\xf2", "audio/mpeg"},
	{0, "fLaC", "audio/flac"},
	{8, "WAVE", "audio/wav"},
	{4, "ftypM4A", "audio/mp4"},
	{4, "ftypqt", "video/quicktime"},
	{4, "ftyp", "video/mp4"},
	{0, "\x1a\x45\xdf\xa3", "video/webm"},
	{0, "PK\x03\x04", "application/zip"},
	{0, "PK\x05\x06", "application/zip"},
	{0, "Rar!\x1a\x07", "application/x-rar-compressed"},
	{0, "7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"},
	{0, "\x1f\x8b", "application/gzip"},
	{0, "BM", "image/bmp"},
	{0, "II*\x00", "image/tiff"},
	{0, "MM\x00*", "image/tiff"},
	{0, "\x00\x00\x00\x0cjP  ", "image/jp2"},
	{0, "{\"tgs\"", "application/x-tgsticker"},
}

// DetectMime returns the MIME type of a file from its first bytes (512
// are enough), or "" when no format is recognised.
func DetectMime(head []byte) string {
	for _, s := range sniffed {
		if len(head) >= s.offset+len(s.magic) && string(head[s.offset:s.offset+len(s.magic)]) == s.magic {
			if s.mime == "image/webp" && !bytes.HasPrefix(head, []byte("RIFF")) {
				continue
			}
			if s.mime == "audio/wav" && !bytes.HasPrefix(head, []byte("RIFF")) {
				continue
			}
			return s.mime
		}
	}
	return ""
}

// mimeOf picks a MIME type: given, detected, from the name, then a default.
func mimeOf(given string, head []byte, name, fallback string) string {
	if given != "" {
		return given
	}
	if m := DetectMime(head); m != "" {
		return m
	}
	if m := mime.TypeByExtension(filepath.Ext(name)); m != "" {
		if i := strings.IndexByte(m, ';'); i > 0 {
			m = m[:i]
		}
		return m
	}
	return fallback
}

// kind resolves MediaAuto and AsPhoto.
func (o SendFileOptions) kind() MediaKind {
	if o.AsPhoto && (o.Kind == MediaAuto || o.Kind == MediaPhoto) {
		return MediaPhoto
	}
	if o.Kind == MediaAuto {
		return MediaDocument
	}
	return o.Kind
}

// media builds the InputMedia for an uploaded file.
func (o SendFileOptions) media(in api.InputFileClass, head []byte, thumb api.InputFileClass) (api.InputMediaClass, error) {
	k := o.kind()
	if k == MediaPhoto {
		return &api.InputMediaUploadedPhoto{File: in}, nil
	}
	secs := o.Duration.Seconds()
	var attrs []api.DocumentAttributeClass
	fallback := "application/octet-stream"
	doc := &api.InputMediaUploadedDocument{File: in, Thumb: thumb}
	switch k {
	case MediaDocument:
		doc.ForceFile = true
	case MediaVoice:
		fallback = "audio/ogg"
		attrs = append(attrs, &api.DocumentAttributeAudio{Voice: true, Duration: int32(secs)})
	case MediaAudio:
		fallback = "audio/mpeg"
		a := &api.DocumentAttributeAudio{Duration: int32(secs)}
		if o.Title != "" {
			a.Title = tl.Some(o.Title)
		}
		if o.Performer != "" {
			a.Performer = tl.Some(o.Performer)
		}
		attrs = append(attrs, a)
	case MediaVideo, MediaVideoNote, MediaAnimation:
		fallback = "video/mp4"
		attrs = append(attrs, &api.DocumentAttributeVideo{Duration: secs, W: int32(o.Width), H: int32(o.Height),
			SupportsStreaming: o.SupportsStreaming, RoundMessage: k == MediaVideoNote})
		if k == MediaAnimation {
			attrs = append(attrs, &api.DocumentAttributeAnimated{})
		}
	default:
		return nil, fmt.Errorf("%w %d", ErrKind, k)
	}
	if o.Name != "" {
		attrs = append(attrs, &api.DocumentAttributeFilename{FileName: o.Name})
	}
	if k == MediaDocument && o.Width > 0 && o.Height > 0 {
		attrs = append(attrs, &api.DocumentAttributeImageSize{W: int32(o.Width), H: int32(o.Height)})
	}
	doc.MIMEType = mimeOf(o.MimeType, head, o.Name, fallback)
	doc.Attributes = attrs
	return doc, nil
}

// prepare uploads a file (and its thumbnail) and returns the media to send.
func (c *Client) prepareMedia(ctx context.Context, r io.Reader, size int64, o SendFileOptions) (api.InputMediaClass, error) {
	if o.FileID != "" {
		f, err := fileid.Decode(o.FileID)
		if err != nil {
			return nil, err
		}
		return f.InputMedia()
	}
	if r == nil {
		return nil, errors.New("core: no file to send: give a reader (or SendFileOptions.FileID)")
	}
	// The first bytes tell the format; they are read here and put back.
	head := make([]byte, max(0, min(size, 512)))
	if _, err := io.ReadFull(r, head); err != nil && size > 0 {
		return nil, fmt.Errorf("core: reading the file: %w", err)
	}
	r = io.MultiReader(bytes.NewReader(head), r)
	in, err := c.UploadFile(ctx, r, size, o.Name, o.Transfer)
	if err != nil {
		return nil, err
	}
	var thumb api.InputFileClass
	if len(o.Thumb) > 0 && o.kind() != MediaPhoto {
		if thumb, err = c.UploadFile(ctx, bytes.NewReader(o.Thumb), int64(len(o.Thumb)), "thumb.jpg", TransferOptions{}); err != nil {
			return nil, fmt.Errorf("core: uploading the thumbnail: %w", err)
		}
	}
	return o.media(in, head, thumb)
}

// caption formats the caption per ParseMode or Entities.
func (o SendFileOptions) caption() (string, []api.MessageEntityClass, error) {
	if o.Entities != nil {
		return o.Caption, o.Entities, nil
	}
	return SendOptions{ParseMode: o.ParseMode}.format(o.Caption)
}

// SendFile uploads size bytes from r and sends them to a chat as a
// document, photo, voice note, video, audio file, animation or video note
// (o.Kind), returning the new message id. Attributes come from the options;
// the MIME type, when not given, is detected from the content.
func (c *Client) SendFile(ctx context.Context, to session.Peer, r io.Reader, size int64, o SendFileOptions) (int32, error) {
	text, ents, err := o.caption()
	if err != nil {
		return 0, err
	}
	media, err := c.prepareMedia(ctx, r, size, o)
	if err != nil {
		return 0, err
	}
	req := &api.MessagesSendMediaRequest{Peer: InputPeer(to), Media: media, Message: text, Entities: ents,
		RandomID: randomID(), Silent: o.Silent}
	if o.ReplyTo != 0 {
		req.ReplyTo = &api.InputReplyToMessage{ReplyToMsgID: o.ReplyTo}
	}
	res, err := c.Invoke(ctx, req)
	if err != nil {
		return 0, err
	}
	return sentMessageID(res, req.RandomID)
}

// AlbumItem is one file of an album.
type AlbumItem struct {
	Reader  io.Reader
	Size    int64
	Options SendFileOptions // Kind (photo, video, document, audio), caption, name...
}

// ErrAlbumSize is returned for albums of fewer than 2 or more than 10 files.
var ErrAlbumSize = errors.New("core: an album has 2 to 10 files")

// SendAlbum sends 2 to 10 files as one album (messages.sendMultiMedia;
// Telegram groups them with one grouped_id). Each file is uploaded and
// registered with messages.uploadMedia first, as Telegram requires. It
// returns the message ids in order.
func (c *Client) SendAlbum(ctx context.Context, to session.Peer, items []AlbumItem, replyTo int32, silent bool) ([]int32, error) {
	if len(items) < 2 || len(items) > 10 {
		return nil, fmt.Errorf("%w, not %d", ErrAlbumSize, len(items))
	}
	var multi []api.InputSingleMediaClass
	var randoms []int64
	for i, it := range items {
		text, ents, err := it.Options.caption()
		if err != nil {
			return nil, err
		}
		media, err := c.prepareMedia(ctx, it.Reader, it.Size, it.Options)
		if err != nil {
			return nil, fmt.Errorf("core: album file %d: %w", i, err)
		}
		if it.Options.FileID == "" {
			res, err := c.Invoke(ctx, &api.MessagesUploadMediaRequest{Peer: InputPeer(to), Media: media})
			if err != nil {
				return nil, fmt.Errorf("core: album file %d: %w", i, err)
			}
			if media, err = storedMedia(res); err != nil {
				return nil, fmt.Errorf("core: album file %d: %w", i, err)
			}
		}
		rid := randomID()
		randoms = append(randoms, rid)
		multi = append(multi, &api.InputSingleMedia{Media: media, RandomID: rid, Message: text, Entities: ents})
	}
	req := &api.MessagesSendMultiMediaRequest{Peer: InputPeer(to), MultiMedia: multi, Silent: silent}
	if replyTo != 0 {
		req.ReplyTo = &api.InputReplyToMessage{ReplyToMsgID: replyTo}
	}
	res, err := c.Invoke(ctx, req)
	if err != nil {
		return nil, err
	}
	var ups []api.UpdateClass
	switch x := res.(type) {
	case *api.Updates:
		ups = x.Updates
	case *api.UpdatesCombined:
		ups = x.Updates
	default:
		return nil, fmt.Errorf("core: unexpected answer %T to an album", res)
	}
	byRandom := map[int64]int32{}
	for _, u := range ups {
		if x, ok := u.(*api.UpdateMessageID); ok {
			byRandom[x.RandomID] = x.ID
		}
	}
	ids := make([]int32, len(randoms))
	for i, r := range randoms {
		id, ok := byRandom[r]
		if !ok {
			return nil, fmt.Errorf("core: the album's answer lacks the id of file %d", i)
		}
		ids[i] = id
	}
	return ids, nil
}

// storedMedia turns messages.uploadMedia's answer into media to send.
func storedMedia(res any) (api.InputMediaClass, error) {
	switch m := res.(type) {
	case *api.MessageMediaPhoto:
		if p, ok := m.Photo.(*api.Photo); ok {
			return &api.InputMediaPhoto{ID: &api.InputPhoto{ID: p.ID, AccessHash: p.AccessHash, FileReference: p.FileReference}}, nil
		}
	case *api.MessageMediaDocument:
		if d, ok := m.Document.(*api.Document); ok {
			return &api.InputMediaDocument{ID: &api.InputDocument{ID: d.ID, AccessHash: d.AccessHash, FileReference: d.FileReference}}, nil
		}
	}
	return nil, fmt.Errorf("core: messages.uploadMedia answered %T", res)
}
