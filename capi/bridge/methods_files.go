package bridge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/core/fileid"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// File calls of docs/files.md beyond send_file and download_media: range
// downloads, thumbnails, profile photos, albums and Bot API file ids.

func init() {
	for name, m := range map[string]method{
		"download_range":         downloadRange,
		"download_thumbnail":     downloadThumbnail,
		"download_profile_photo": downloadProfilePhoto,
		"download_file_id":       downloadFileID,
		"send_album":             sendAlbum,
		"file_ids":               fileIDs,
		"decode_file_id":         decodeFileID,
	} {
		register(name, m)
	}
}

// maxMemoryDownload bounds a download answered in memory ("data").
const maxMemoryDownload = 256 << 20

// deliver downloads f to "path" (a file or a directory, then named
// name) or into memory, and encodes the answer: {"path", "size"} or
// {"data", "size"}.
func deliver(ctx context.Context, c *Client, f *core.FileLocation, path, name string,
	get func(ctx context.Context, w io.Writer) (int64, error)) ([]byte, error) {
	if path != "" {
		if get == nil {
			out, err := c.core.DownloadTo(ctx, f, path, name, transfer(ctx))
			if err != nil {
				return nil, err
			}
			st, err := os.Stat(out)
			if err != nil {
				return nil, err
			}
			return kv{"path", out, "size", st.Size()}.encode(), nil
		}
		n, err := core.SaveFile(path, func(w io.Writer) (int64, error) { return get(ctx, w) })
		if err != nil {
			return nil, err
		}
		return kv{"path", path, "size", n}.encode(), nil
	}
	if f != nil && f.Size > maxMemoryDownload {
		return nil, fmt.Errorf("a %d-byte file is too large to return in memory: give \"path\"", f.Size)
	}
	var buf bytes.Buffer
	var n int64
	var err error
	if get != nil {
		n, err = get(ctx, &buf)
	} else {
		n, err = c.core.Download(ctx, f, &buf, transfer(ctx))
	}
	if err != nil {
		return nil, err
	}
	return kv{"data", buf.Bytes(), "size", n}.encode(), nil
}

// message fetches one message of a chat.
func message(ctx context.Context, c *Client, p session.Peer, id int32) (*api.Message, error) {
	msgs, err := c.core.GetMessages(ctx, p, []int32{id})
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, fmt.Errorf("message %d not found", id)
	}
	return msgs[0], nil
}

// downloadRange: peer, message_id, offset (default 0), limit (default -1:
// to the end), path (optional: else "data").
func downloadRange(a *fields) *job {
	r := a.peer("peer")
	id := a.reqInt32("message_id")
	offset, limit := a.int("offset", 0), a.int("limit", -1)
	path := a.str("path", "")
	if offset < 0 || limit < -1 {
		a.fail("download_range: offset %d and limit %d must be >= 0 (limit -1: to the end)", offset, limit)
	}
	if path == "" && (limit < 0 || limit > maxMemoryDownload) {
		a.fail("download_range: without \"path\" give a limit of at most %d bytes", maxMemoryDownload)
	}
	return a.withProgress(withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		m, err := message(ctx, c, p, id)
		if err != nil {
			return nil, err
		}
		f, err := c.core.MediaLocation(p, m, "")
		if err != nil {
			return nil, err
		}
		return deliver(ctx, c, nil, path, "", func(ctx context.Context, w io.Writer) (int64, error) {
			return c.core.DownloadRange(ctx, f, offset, limit, w, transfer(ctx))
		})
	}))
}

// downloadThumbnail: peer, message_id, thumb (a size type such as "s" or
// "m"; "" the largest photo size), path (optional).
func downloadThumbnail(a *fields) *job {
	r := a.peer("peer")
	id := a.reqInt32("message_id")
	thumb := a.str("thumb", "")
	path := a.str("path", "")
	return a.withProgress(withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		m, err := message(ctx, c, p, id)
		if err != nil {
			return nil, err
		}
		f, err := c.core.MediaLocation(p, m, thumb)
		if err != nil {
			return nil, err
		}
		return deliver(ctx, c, f, path, fmt.Sprintf("thumb_%d_%s.jpg", id, thumb), nil)
	}))
}

// downloadProfilePhoto: peer, big (default true), path (optional).
func downloadProfilePhoto(a *fields) *job {
	r := a.peer("peer")
	big := a.bool("big", true)
	path := a.str("path", "")
	return a.withProgress(withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		f, err := c.core.ProfilePhotoLocation(ctx, p, big)
		if err != nil {
			return nil, err
		}
		return deliver(ctx, c, f, path, fmt.Sprintf("profile_%d.jpg", p.MarkedID()), nil)
	}))
}

// downloadFileID: file_id (Bot API), path (optional).
func downloadFileID(a *fields) *job {
	id := a.reqStr("file_id")
	path := a.str("path", "")
	f, err := core.FileIDLocation(id)
	if err != nil && a.err == nil {
		a.fail("download_file_id: %v", err)
	}
	return a.withProgress(&job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		return deliver(ctx, c, f, path, "file", nil)
	}})
}

// fileIDs: peer, message_id → {"file_id", "file_unique_id"}.
func fileIDs(a *fields) *job {
	r := a.peer("peer")
	id := a.reqInt32("message_id")
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		m, err := message(ctx, c, p, id)
		if err != nil {
			return nil, err
		}
		fid, uid, err := core.FileIDs(m)
		if err != nil {
			return nil, err
		}
		return kv{"file_id", fid, "file_unique_id", uid}.encode(), nil
	})
}

// decodeFileID: file_id → its fields, without the network.
func decodeFileID(a *fields) *job {
	s := a.reqStr("file_id")
	f, err := fileid.Decode(s)
	if err != nil && a.err == nil {
		a.fail("decode_file_id: %v", err)
	}
	return &job{local: true, run: func(context.Context, *Client) ([]byte, error) {
		out := kv{"type", f.Type.String(), "dc_id", f.DC, "id", f.ID, "access_hash", f.AccessHash,
			"file_reference", f.FileReference, "version", int(f.Version), "sub_version", int(f.SubVersion),
			"file_unique_id", f.Unique().Encode()}
		if f.URL != "" {
			out = append(out, "url", f.URL)
		}
		if p := f.PhotoSize; p != nil {
			out = append(out, "photo_size", kv{"source", int(p.Kind), "thumb_type", string(rune(p.ThumbType)),
				"volume_id", p.VolumeID, "local_id", p.LocalID, "dialog_id", p.DialogID,
				"sticker_set_id", p.StickerSetID, "sticker_set_version", p.StickerSetVersion})
		}
		return out.encode(), nil
	}}
}

var mediaKinds = map[string]core.MediaKind{"": core.MediaAuto, "document": core.MediaDocument, "photo": core.MediaPhoto,
	"voice": core.MediaVoice, "video": core.MediaVideo, "audio": core.MediaAudio, "animation": core.MediaAnimation,
	"video_note": core.MediaVideoNote}

// sendAlbum: peer, files (2 to 10 maps: path or data, kind, caption,
// parse_mode, name, mime_type), reply_to, silent → {"ids": [...]}.
func sendAlbum(a *fields) *job {
	r := a.peer("peer")
	replyTo := a.int32("reply_to", 0)
	silent := a.bool("silent", false)
	type item struct {
		path string
		data []byte
		o    core.SendFileOptions
	}
	var items []item
	for i, v := range a.list("files") {
		m, ok := v.(map[string]any)
		if !ok {
			a.fail("send_album: files[%d] must be a map", i)
			break
		}
		ff := newFields(fmt.Sprintf("send_album: files[%d]", i), "key", m)
		it := item{path: ff.str("path", "")}
		if ff.has("data") {
			b, ok := ff.value("data").([]byte)
			if !ok {
				ff.wrongType("data", "bin", ff.value("data"))
			}
			it.data = b
		} else if it.path == "" {
			ff.fail(`send_album: files[%d]: give "path" or "data"`, i)
		}
		caption, ents := ff.text("caption", false)
		kind, known := mediaKinds[ff.str("kind", "")]
		if !known {
			ff.fail("send_album: files[%d]: kind %q is none of photo, video, document, audio, voice, animation, video_note", i, ff.str("kind", ""))
		}
		name := ff.str("name", "")
		if name == "" && it.path != "" {
			name = filepath.Base(it.path)
		}
		it.o = core.SendFileOptions{Caption: caption, Entities: ents, Kind: kind, Name: name, MimeType: ff.str("mime_type", "")}
		if e := ff.finish(); e != nil {
			a.err = e
			break
		}
		items = append(items, it)
	}
	if a.err == nil && (len(items) < 2 || len(items) > 10) {
		a.fail("send_album: an album has 2 to 10 files, not %d", len(items))
	}
	return a.withProgress(withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		var album []core.AlbumItem
		var whole int64
		for _, it := range items {
			ai := core.AlbumItem{Reader: bytes.NewReader(it.data), Size: int64(len(it.data)), Options: it.o}
			if it.path != "" {
				f, err := os.Open(it.path)
				if err != nil {
					return nil, err
				}
				defer f.Close()
				st, err := f.Stat()
				if err != nil {
					return nil, err
				}
				ai.Reader, ai.Size = f, st.Size()
			}
			whole += ai.Size
			album = append(album, ai)
		}
		if tr := transfer(ctx); tr.Progress != nil {
			var base int64
			for i := range album {
				album[i].Options.Transfer = offsetProgress(tr, base, whole)
				base += album[i].Size
			}
		}
		ids, err := c.core.SendAlbum(ctx, p, album, replyTo, silent)
		if err != nil {
			return nil, err
		}
		list := make([]any, len(ids))
		for i, id := range ids {
			list[i] = int64(id)
		}
		return kv{"ids", list}.encode(), nil
	}))
}
