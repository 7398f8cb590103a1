package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/polygram/polygram/core/fileid"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// ErrNoMedia is returned (wrapped) for a message, photo size or profile
// photo that has nothing to download.
var ErrNoMedia = errors.New("core: nothing to download")

// photoSizeBytes returns the type, byte size and pixel area of a photo
// size; the size is -1 for sizes that are not downloaded (stripped, path or
// empty ones).
func photoSizeBytes(s api.PhotoSizeClass) (string, int64, int64) {
	switch x := s.(type) {
	case *api.PhotoSize:
		return x.Type, int64(x.Size), int64(x.W) * int64(x.H)
	case *api.PhotoSizeProgressive:
		if n := len(x.Sizes); n > 0 {
			return x.Type, int64(x.Sizes[n-1]), int64(x.W) * int64(x.H)
		}
	case *api.PhotoCachedSize:
		return x.Type, int64(len(x.Bytes)), int64(x.W) * int64(x.H)
	}
	return "", -1, 0
}

// pickSize returns the size named thumb, or the largest (in pixels) when
// thumb is "".
func pickSize(sizes []api.PhotoSizeClass, thumb string) (string, int64, bool) {
	typ, best, bestArea := "", int64(-1), int64(-1)
	for _, s := range sizes {
		t, n, area := photoSizeBytes(s)
		if n < 0 {
			continue
		}
		if thumb != "" {
			if t == thumb {
				return t, n, true
			}
			continue
		}
		// Telegram lists sizes smallest first: on a tie the later wins.
		if area >= bestArea {
			typ, best, bestArea = t, n, area
		}
	}
	return typ, best, typ != ""
}

// documentName returns a document's file name attribute.
func documentName(d *api.Document) string {
	for _, a := range d.Attributes {
		if f, ok := a.(*api.DocumentAttributeFilename); ok {
			return f.FileName
		}
	}
	return ""
}

// PhotoLocation returns where one size of a photo is stored ("" for the
// largest; "s", "m", "x", ... for the others).
func PhotoLocation(p *api.Photo, thumb string) (*FileLocation, error) {
	typ, size, ok := pickSize(p.Sizes, thumb)
	if !ok {
		if thumb == "" {
			return nil, fmt.Errorf("%w: photo %d has no downloadable size", ErrNoMedia, p.ID)
		}
		return nil, fmt.Errorf("%w: photo %d has no size %q", ErrNoMedia, p.ID, thumb)
	}
	return &FileLocation{Location: &api.InputPhotoFileLocation{ID: p.ID, AccessHash: p.AccessHash, FileReference: p.FileReference, ThumbSize: typ},
		DC: int(p.DCID), Size: size, MimeType: "image/jpeg"}, nil
}

// DocumentLocation returns where a document (thumb "") or one of its
// thumbnails is stored.
func DocumentLocation(d *api.Document, thumb string) (*FileLocation, error) {
	if thumb == "" {
		return &FileLocation{Location: &api.InputDocumentFileLocation{ID: d.ID, AccessHash: d.AccessHash, FileReference: d.FileReference},
			DC: int(d.DCID), Size: d.Size, Name: documentName(d), MimeType: d.MIMEType}, nil
	}
	typ, size, ok := pickSize(d.Thumbs, thumb)
	if !ok {
		return nil, fmt.Errorf("%w: document %d has no thumbnail %q", ErrNoMedia, d.ID, thumb)
	}
	return &FileLocation{Location: &api.InputDocumentFileLocation{ID: d.ID, AccessHash: d.AccessHash, FileReference: d.FileReference, ThumbSize: typ},
		DC: int(d.DCID), Size: size, MimeType: "image/jpeg"}, nil
}

// mediaLocationOf returns where a message's photo or document (or one of
// their thumbnails) is stored.
func mediaLocationOf(m *api.Message, thumb string) (*FileLocation, error) {
	switch media := m.Media.(type) {
	case *api.MessageMediaDocument:
		if d, ok := media.Document.(*api.Document); ok {
			return DocumentLocation(d, thumb)
		}
	case *api.MessageMediaPhoto:
		if p, ok := media.Photo.(*api.Photo); ok {
			return PhotoLocation(p, thumb)
		}
	}
	return nil, fmt.Errorf("%w: message %d has no photo or document", ErrNoMedia, m.ID)
}

// MediaLocation returns where a message's media is stored (thumb "": the
// file itself; otherwise a photo size or document thumbnail type), with a
// Refresh that fetches the message again from chat for a new file
// reference.
func (c *Client) MediaLocation(chat session.Peer, m *api.Message, thumb string) (*FileLocation, error) {
	f, err := mediaLocationOf(m, thumb)
	if err != nil {
		return nil, err
	}
	id := m.ID
	f.Refresh = func(ctx context.Context) (api.InputFileLocationClass, error) {
		fresh, err := c.GetMessages(ctx, chat, []int32{id})
		if err != nil {
			return nil, err
		}
		if len(fresh) == 0 {
			return nil, fmt.Errorf("%w: message %d is gone", ErrNoMedia, id)
		}
		nf, err := mediaLocationOf(fresh[0], thumb)
		if err != nil {
			return nil, err
		}
		return nf.Location, nil
	}
	return f, nil
}

// DownloadMedia downloads the document or photo of a message to w. An
// expired file reference is refreshed by fetching the message again, and
// the download resumes.
func (c *Client) DownloadMedia(ctx context.Context, chat session.Peer, m *api.Message, w io.Writer, o TransferOptions) (int64, error) {
	f, err := c.MediaLocation(chat, m, "")
	if err != nil {
		return 0, err
	}
	return c.Download(ctx, f, w, o)
}

// DownloadThumbnail downloads one thumbnail of a message's media ("s",
// "m", ... as listed in the photo's sizes or the document's thumbs; "" is
// the largest photo size).
func (c *Client) DownloadThumbnail(ctx context.Context, chat session.Peer, m *api.Message, thumb string, w io.Writer, o TransferOptions) (int64, error) {
	f, err := c.MediaLocation(chat, m, thumb)
	if err != nil {
		return 0, err
	}
	return c.Download(ctx, f, w, o)
}

// DownloadMediaBytes downloads a message's media into memory.
func (c *Client) DownloadMediaBytes(ctx context.Context, chat session.Peer, m *api.Message, o TransferOptions) ([]byte, error) {
	f, err := c.MediaLocation(chat, m, "")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if f.Size > 0 {
		buf.Grow(int(f.Size))
	}
	_, err = c.Download(ctx, f, &buf, o)
	return buf.Bytes(), err
}

// DownloadMediaTo downloads a message's media to a file and returns its
// path. When path is an existing directory (or ends in a separator) the
// file is named from the document's file name attribute, else from the
// message ("photo_<id>.jpg", "document_<id>.<ext>"). The file is written
// through a temporary name and renamed when complete, so a failed download
// leaves no partial file behind.
func (c *Client) DownloadMediaTo(ctx context.Context, chat session.Peer, m *api.Message, path string, o TransferOptions) (string, error) {
	f, err := c.MediaLocation(chat, m, "")
	if err != nil {
		return "", err
	}
	return c.DownloadTo(ctx, f, path, defaultName(f, m.ID), o)
}

// defaultName names a downloaded file when no name is given.
func defaultName(f *FileLocation, id int32) string {
	if f.Name != "" {
		return filepath.Base(f.Name)
	}
	kind := "document"
	if _, ok := f.Location.(*api.InputPhotoFileLocation); ok {
		kind = "photo"
	}
	ext := ""
	if exts, _ := mime.ExtensionsByType(f.MimeType); len(exts) > 0 {
		ext = exts[0]
		for _, e := range exts {
			if e == ".jpg" || e == ".mp4" || e == ".ogg" || e == ".mp3" || e == ".pdf" || e == ".png" {
				ext = e
			}
		}
	}
	return kind + "_" + strconv.Itoa(int(id)) + ext
}

// DownloadTo downloads a file to path (a directory gets name inside it)
// through a temporary file renamed on success.
func (c *Client) DownloadTo(ctx context.Context, f *FileLocation, path, name string, o TransferOptions) (string, error) {
	if path == "" {
		path = "."
	}
	if st, err := os.Stat(path); (err == nil && st.IsDir()) || strings.HasSuffix(path, string(os.PathSeparator)) {
		if err := os.MkdirAll(path, 0o755); err != nil {
			return "", err
		}
		if name == "" {
			name = "download"
		}
		path = filepath.Join(path, name)
	}
	if _, err := SaveFile(path, func(w io.Writer) (int64, error) { return c.Download(ctx, f, w, o) }); err != nil {
		return "", err
	}
	return path, nil
}

// SaveFile writes a file at path through a temporary file in the same
// directory (created 0600), renamed over path once write has succeeded: a
// failed or cancelled download leaves nothing behind, and an existing file
// at path stays as it was.
func SaveFile(path string, write func(w io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part-*")
	if err != nil {
		return 0, err
	}
	n, err := write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, err
	}
	return n, nil
}

// ProfilePhotoLocation returns where the current profile photo of a user,
// chat or channel is stored (big: the large size, else the small one). It
// fetches the peer to learn the photo id.
func (c *Client) ProfilePhotoLocation(ctx context.Context, p session.Peer, big bool) (*FileLocation, error) {
	var photoID int64
	var dc int32
	chatPhoto := func(chats []api.ChatClass) {
		for _, ch := range chats {
			var ph api.ChatPhotoClass
			switch x := ch.(type) {
			case *api.Chat:
				ph = x.Photo
			case *api.Channel:
				ph = x.Photo
			}
			if cp, ok := ph.(*api.ChatPhoto); ok {
				photoID, dc = cp.PhotoID, cp.DCID
			}
		}
	}
	switch p.Kind {
	case session.PeerUser:
		in, err := InputUser(p)
		if err != nil {
			return nil, err
		}
		res, err := c.Invoke(ctx, &api.UsersGetUsersRequest{ID: []api.InputUserClass{in}})
		if err != nil {
			return nil, err
		}
		for _, u := range res.([]api.UserClass) {
			if x, ok := u.(*api.User); ok {
				if ph, ok := x.Photo.(*api.UserProfilePhoto); ok {
					photoID, dc = ph.PhotoID, ph.DCID
				}
			}
		}
	case session.PeerChat:
		res, err := c.Invoke(ctx, &api.MessagesGetChatsRequest{ID: []int64{p.ID}})
		if err != nil {
			return nil, err
		}
		if x, ok := res.(*api.MessagesChats); ok {
			chatPhoto(x.Chats)
		}
	default:
		in, err := InputChannel(p)
		if err != nil {
			return nil, err
		}
		res, err := c.Invoke(ctx, &api.ChannelsGetChannelsRequest{ID: []api.InputChannelClass{in}})
		if err != nil {
			return nil, err
		}
		if x, ok := res.(*api.MessagesChats); ok {
			chatPhoto(x.Chats)
		}
	}
	if photoID == 0 {
		return nil, fmt.Errorf("%w: %v has no profile photo", ErrNoMedia, p)
	}
	return &FileLocation{Location: &api.InputPeerPhotoFileLocation{Big: big, Peer: InputPeer(p), PhotoID: photoID},
		DC: int(dc), Size: -1, MimeType: "image/jpeg"}, nil
}

// DownloadProfilePhoto downloads the current profile photo of a user, chat
// or channel to w (big: the large size).
func (c *Client) DownloadProfilePhoto(ctx context.Context, p session.Peer, w io.Writer, big bool, o TransferOptions) (int64, error) {
	f, err := c.ProfilePhotoLocation(ctx, p, big)
	if err != nil {
		return 0, err
	}
	return c.Download(ctx, f, w, o)
}

// GetProfilePhotos lists a user's profile photos (photos.getUserPhotos),
// newest first; download one with PhotoLocation.
func (c *Client) GetProfilePhotos(ctx context.Context, p session.Peer, limit int) ([]*api.Photo, error) {
	in, err := InputUser(p)
	if err != nil {
		return nil, err
	}
	res, err := c.Invoke(ctx, &api.PhotosGetUserPhotosRequest{UserID: in, Limit: int32(limit)})
	if err != nil {
		return nil, err
	}
	var list []api.PhotoClass
	switch x := res.(type) {
	case *api.PhotosPhotos:
		list = x.Photos
	case *api.PhotosPhotosSlice:
		list = x.Photos
	}
	var out []*api.Photo
	for _, ph := range list {
		if p, ok := ph.(*api.Photo); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// FileIDLocation returns where the file of a Bot API file_id is stored.
func FileIDLocation(id string) (*FileLocation, error) {
	f, err := fileid.Decode(id)
	if err != nil {
		return nil, err
	}
	loc, dc, err := f.Location()
	if err != nil {
		return nil, err
	}
	return &FileLocation{Location: loc, DC: dc, Size: -1}, nil
}

// FileIDs returns the Bot API file_id and file_unique_id of a message's
// photo (largest size) or document.
func FileIDs(m *api.Message) (fileID, uniqueID string, err error) {
	var f *fileid.FileID
	switch media := m.Media.(type) {
	case *api.MessageMediaDocument:
		if d, ok := media.Document.(*api.Document); ok {
			f = fileid.FromDocument(d, fileid.DocumentType(d))
		}
	case *api.MessageMediaPhoto:
		if p, ok := media.Photo.(*api.Photo); ok {
			typ, _, ok := pickSize(p.Sizes, "")
			if !ok {
				return "", "", fmt.Errorf("%w: photo %d has no size", ErrNoMedia, p.ID)
			}
			f = fileid.FromPhoto(p, typ)
		}
	}
	if f == nil {
		return "", "", fmt.Errorf("%w: message %d has no photo or document", ErrNoMedia, m.ID)
	}
	s, err := f.Encode()
	if err != nil {
		return "", "", err
	}
	return s, f.Unique().Encode(), nil
}
