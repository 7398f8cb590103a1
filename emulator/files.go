package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"image"
	_ "image/gif" // photo dimensions
	_ "image/jpeg"
	_ "image/png"
	"strconv"
	"strings"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Files: parts uploaded with upload.saveFilePart/saveBigFilePart live on the
// DC that received them; the photo or document made from them lives there
// too, and upload.getFile on any other DC answers FILE_MIGRATE_X, as on
// Telegram.

func init() {
	on(needUser, uploadSaveFilePart)
	on(needUser, uploadSaveBigFilePart)
	on(needUser, uploadGetFile)
	on(needUser, messagesSendMedia)
	on(needUser, messagesSendMultiMedia)
	on(needUser, messagesUploadMedia)
	on(needUser, photosUploadProfilePhoto)
}

// File limits, as documented by Telegram.
const (
	maxPartSize     = 512 << 10
	maxSmallParts   = 4000 // 2000 MB in 512 KB parts
	maxBigParts     = 8000
	maxSmallFile    = 10 << 20
	downloadChunk   = 1 << 20
	firstFileID     = 5_000_000_000_000_001
	fileRefLength   = 16
	defaultDocument = "application/octet-stream"
)

type uploadKey struct {
	user int64
	dc   int
	id   int64
}

// upload is a file being uploaded in parts.
type upload struct {
	parts map[int32][]byte
	total int32 // declared by saveBigFilePart (0 for small files)
	big   bool
}

// file is a stored photo or document.
type file struct {
	ID         int64
	AccessHash int64
	Ref        []byte
	DC         int
	Data       []byte
	Mime       string
	Name       string
	Date       int32
	Photo      bool
	W, H       int32
	Attrs      []api.DocumentAttributeClass

	uploadedThumb []byte      // a document's thumbnail sent with it
	thumbsDone    bool        // thumbCache is filled (media_thumbs.go)
	thumbCache    []thumbSize // smallest first
}

func (c *call) uploadOf(id int64, big bool) *upload {
	m := c.e.m
	k := uploadKey{user: c.u.ID, dc: c.dc.id, id: id}
	up := m.uploads[k]
	if up == nil {
		up = &upload{parts: map[int32][]byte{}, big: big}
		m.uploads[k] = up
	}
	return up
}

func checkPart(part int32, b []byte, maxParts int32) error {
	switch {
	case part < 0 || part >= maxParts:
		return errf(400, "FILE_PART_INVALID")
	case len(b) == 0:
		return errf(400, "FILE_PART_EMPTY")
	case len(b) > maxPartSize:
		return errf(400, "FILE_PART_TOO_BIG")
	}
	return nil
}

func uploadSaveFilePart(c *call, q *api.UploadSaveFilePartRequest) (tl.Object, error) {
	if err := checkPart(q.FilePart, q.Bytes, maxSmallParts); err != nil {
		return nil, err
	}
	up := c.uploadOf(q.FileID, false)
	up.parts[q.FilePart] = q.Bytes // the decoder's own copy: kept as is
	return boolResult(true), nil
}

func uploadSaveBigFilePart(c *call, q *api.UploadSaveBigFilePartRequest) (tl.Object, error) {
	if q.FileTotalParts <= 0 || q.FileTotalParts > maxBigParts {
		return nil, errf(400, "FILE_PARTS_INVALID")
	}
	if err := checkPart(q.FilePart, q.Bytes, q.FileTotalParts); err != nil {
		return nil, err
	}
	up := c.uploadOf(q.FileID, true)
	if up.total != 0 && up.total != q.FileTotalParts {
		return nil, errf(400, "FILE_PARTS_INVALID")
	}
	up.total = q.FileTotalParts
	up.parts[q.FilePart] = q.Bytes
	return boolResult(true), nil
}

// assemble joins the parts of an uploaded file, looking on the calling DC
// first. It returns the bytes and the DC they were uploaded to.
func (c *call) assemble(in api.InputFileClass) (data []byte, name string, dc int, err error) {
	var id int64
	var parts int32
	var md5sum string
	big := false
	switch f := in.(type) {
	case *api.InputFile:
		id, parts, name, md5sum = f.ID, f.Parts, f.Name, f.MD5Checksum
	case *api.InputFileBig:
		id, parts, name, big = f.ID, f.Parts, f.Name, true
	default:
		return nil, "", 0, errf(400, "FILE_ID_INVALID")
	}
	m := c.e.m
	k := uploadKey{user: c.u.ID, dc: c.dc.id, id: id}
	up := m.uploads[k]
	if up == nil {
		for _, d := range c.e.dcs {
			if u := m.uploads[uploadKey{user: c.u.ID, dc: d.id, id: id}]; u != nil {
				k, up = uploadKey{user: c.u.ID, dc: d.id, id: id}, u
				break
			}
		}
	}
	if up == nil || parts <= 0 {
		return nil, "", 0, errf(400, "FILE_PART_0_MISSING")
	}
	if up.big != big || (big && up.total != parts) {
		return nil, "", 0, errf(400, "FILE_PARTS_INVALID")
	}
	total := 0
	for i := int32(0); i < parts; i++ {
		p, ok := up.parts[i]
		if !ok {
			return nil, "", 0, errf(400, "FILE_PART_"+strconv.Itoa(int(i))+"_MISSING")
		}
		total += len(p)
	}
	buf := bytes.NewBuffer(make([]byte, 0, total)) // one allocation for the whole file
	partSize := -1
	for i := int32(0); i < parts; i++ {
		p := up.parts[i]
		if i < parts-1 {
			// Every part but the last has the same size, a divisor of 512 KB
			// and a multiple of 1 KB.
			if partSize == -1 {
				partSize = len(p)
			}
			if len(p) != partSize || len(p)%1024 != 0 || maxPartSize%len(p) != 0 {
				return nil, "", 0, errf(400, "FILE_PART_SIZE_INVALID")
			}
		}
		buf.Write(p)
	}
	if !big && buf.Len() > maxSmallFile {
		return nil, "", 0, errf(400, "FILE_PARTS_INVALID")
	}
	if md5sum != "" {
		sum := md5.Sum(buf.Bytes())
		if !strings.EqualFold(md5sum, hex.EncodeToString(sum[:])) {
			return nil, "", 0, errf(400, "MD5_CHECKSUM_INVALID")
		}
	}
	delete(m.uploads, k)
	return buf.Bytes(), name, k.dc, nil
}

// newFile stores a photo or document.
func (m *model) newFile(data []byte, name, mime string, dc int, photo bool) *file {
	f := &file{ID: m.nextFile, AccessHash: randInt64(), Ref: randomToken(fileRefLength), DC: dc, Data: data,
		Mime: mime, Name: name, Date: m.date(), Photo: photo}
	m.nextFile++
	m.files[f.ID] = f
	return f
}

func (f *file) photo() *api.Photo {
	sizes := append(f.photoSizes(), &api.PhotoSize{Type: "x", W: f.W, H: f.H, Size: int32(len(f.Data))})
	return &api.Photo{ID: f.ID, AccessHash: f.AccessHash, FileReference: f.Ref, Date: f.Date, DCID: int32(f.DC), Sizes: sizes}
}

func (f *file) document() *api.Document {
	return &api.Document{ID: f.ID, AccessHash: f.AccessHash, FileReference: f.Ref, Date: f.Date, MIMEType: f.Mime,
		Size: int64(len(f.Data)), DCID: int32(f.DC), Attributes: f.Attrs, Thumbs: f.photoSizes()}
}

// mediaOf returns the stored media a file is shown as.
func (f *file) media() api.MessageMediaClass {
	if f.Photo {
		return &api.MessageMediaPhoto{Photo: f.photo()}
	}
	return &api.MessageMediaDocument{Document: f.document()}
}

func (c *call) newPhoto(in api.InputFileClass) (*file, error) {
	data, name, dc, err := c.assemble(in)
	if err != nil {
		return nil, err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, errf(400, "IMAGE_PROCESS_FAILED")
	}
	f := c.e.m.newFile(data, name, "image/"+format, dc, true)
	f.W, f.H = int32(cfg.Width), int32(cfg.Height)
	return f, nil
}

// inputMedia turns an InputMedia into a stored file, creating it from
// uploads.
func (c *call) inputMedia(in api.InputMediaClass) (*file, error) {
	m := c.e.m
	switch x := in.(type) {
	case *api.InputMediaUploadedPhoto:
		return c.newPhoto(x.File)
	case *api.InputMediaUploadedDocument:
		data, name, dc, err := c.assemble(x.File)
		if err != nil {
			return nil, err
		}
		mime := x.MIMEType
		if mime == "" {
			mime = defaultDocument
		}
		var thumb []byte
		if x.Thumb != nil {
			if thumb, _, _, err = c.assemble(x.Thumb); err != nil {
				return nil, err
			}
		}
		f := m.newFile(data, name, mime, dc, false)
		f.Attrs = x.Attributes
		f.uploadedThumb = thumb
		hasName := false
		for _, a := range f.Attrs {
			if _, ok := a.(*api.DocumentAttributeFilename); ok {
				hasName = true
			}
		}
		if !hasName && name != "" {
			f.Attrs = append(f.Attrs, &api.DocumentAttributeFilename{FileName: name})
		}
		return f, nil
	case *api.InputMediaPhoto:
		ip, ok := x.ID.(*api.InputPhoto)
		if !ok {
			return nil, errf(400, "PHOTO_INVALID")
		}
		f := m.files[ip.ID]
		if f == nil || !f.Photo || f.AccessHash != ip.AccessHash {
			return nil, errf(400, "PHOTO_INVALID")
		}
		if !bytes.Equal(ip.FileReference, f.Ref) {
			return nil, errf(400, "FILE_REFERENCE_EXPIRED")
		}
		return f, nil
	case *api.InputMediaDocument:
		id, ok := x.ID.(*api.InputDocument)
		if !ok {
			return nil, errf(400, "DOCUMENT_INVALID")
		}
		f := m.files[id.ID]
		if f == nil || f.Photo || f.AccessHash != id.AccessHash {
			return nil, errf(400, "DOCUMENT_INVALID")
		}
		if !bytes.Equal(id.FileReference, f.Ref) {
			return nil, errf(400, "FILE_REFERENCE_EXPIRED")
		}
		return f, nil
	case *api.InputMediaEmpty:
		return nil, errf(400, "MEDIA_EMPTY")
	}
	return nil, errf(400, "MEDIA_INVALID")
}

func messagesSendMedia(c *call, q *api.MessagesSendMediaRequest) (tl.Object, error) {
	m := c.e.m
	if q.RandomID == 0 {
		return nil, errf(400, "RANDOM_ID_EMPTY")
	}
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	if c.u.random[q.RandomID] != nil {
		// A repeated request: the first answer, or RANDOM_ID_DUPLICATE.
		return m.send(c.u, peer, sendOpts{randomID: q.RandomID}, c.ks.ref)
	}
	f, err := c.inputMedia(q.Media)
	if err != nil {
		return nil, err
	}
	if utf16Len(q.Message) > 1024 {
		return nil, errf(400, "MEDIA_CAPTION_TOO_LONG")
	}
	return m.send(c.u, peer, sendOpts{text: q.Message, entities: q.Entities, markup: q.ReplyMarkup, file: f,
		replyTo: q.ReplyTo, silent: q.Silent, randomID: q.RandomID}, c.ks.ref)
}

func messagesSendMultiMedia(c *call, q *api.MessagesSendMultiMediaRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	if len(q.MultiMedia) < 1 || len(q.MultiMedia) > 10 {
		return nil, errf(400, "MULTI_MEDIA_TOO_LONG")
	}
	type item struct {
		f *file
		s *api.InputSingleMedia
	}
	var items []item
	for _, in := range q.MultiMedia {
		s, ok := in.(*api.InputSingleMedia)
		if !ok || s.RandomID == 0 {
			return nil, errf(400, "RANDOM_ID_EMPTY")
		}
		f, err := c.inputMedia(s.Media)
		if err != nil {
			return nil, err
		}
		items = append(items, item{f, s})
	}
	grouped := randInt64() & (1<<62 - 1)
	out := &api.Updates{Date: m.date()}
	users, chats := map[int64]bool{}, map[int64]bool{}
	for i, it := range items {
		o := sendOpts{text: it.s.Message, entities: it.s.Entities, file: it.f, silent: q.Silent,
			randomID: it.s.RandomID, grouped: grouped}
		if i == 0 {
			o.replyTo = q.ReplyTo
		}
		res, err := m.send(c.u, peer, o, c.ks.ref)
		if err != nil {
			return nil, err
		}
		if u, ok := res.(*api.Updates); ok {
			out.Updates = append(out.Updates, u.Updates...)
			for _, x := range u.Users {
				users[x.(*api.User).ID] = true
			}
			for _, x := range u.Chats {
				switch ch := x.(type) {
				case *api.Chat:
					chats[chatPeer(ch.ID)] = true
				case *api.Channel:
					chats[channelPeer(ch.ID)] = true
				}
			}
		}
	}
	out.Users, out.Chats = m.renderUsers(c.u, users), m.renderChats(c.u, chats)
	return out, nil
}

func messagesUploadMedia(c *call, q *api.MessagesUploadMediaRequest) (tl.Object, error) {
	if _, err := c.e.m.inputPeer(c.u, q.Peer); err != nil {
		return nil, err
	}
	f, err := c.inputMedia(q.Media)
	if err != nil {
		return nil, err
	}
	return f.media(), nil
}

func photosUploadProfilePhoto(c *call, q *api.PhotosUploadProfilePhotoRequest) (tl.Object, error) {
	m := c.e.m
	if q.File == nil {
		return nil, errf(400, "PHOTO_FILE_MISSING")
	}
	f, err := c.newPhoto(q.File)
	if err != nil {
		return nil, err
	}
	c.u.photo = f.ID
	return &api.PhotosPhoto{Photo: f.photo(), Users: []api.UserClass{m.renderUser(c.u, c.u, false)}}, nil
}

// checkDownload validates upload.getFile's offset and limit.
func checkDownload(offset int64, limit int32, precise bool) error {
	if limit <= 0 || limit > downloadChunk {
		return errf(400, "LIMIT_INVALID")
	}
	if offset < 0 {
		return errf(400, "OFFSET_INVALID")
	}
	align := int64(4096)
	if precise {
		align = 1024
	}
	if offset%align != 0 {
		return errf(400, "OFFSET_INVALID")
	}
	if int64(limit)%align != 0 || (!precise && downloadChunk%limit != 0) {
		return errf(400, "LIMIT_INVALID")
	}
	if offset/downloadChunk != (offset+int64(limit)-1)/downloadChunk {
		return errf(400, "LIMIT_INVALID")
	}
	return nil
}

func uploadGetFile(c *call, q *api.UploadGetFileRequest) (tl.Object, error) {
	m := c.e.m
	var f *file
	size := ""
	switch x := q.Location.(type) {
	case *api.InputPhotoFileLocation:
		f = m.files[x.ID]
		if f == nil || !f.Photo || f.AccessHash != x.AccessHash {
			return nil, errf(400, "LOCATION_INVALID")
		}
		if !bytes.Equal(x.FileReference, f.Ref) {
			return nil, errf(400, "FILE_REFERENCE_EXPIRED")
		}
		size = x.ThumbSize
	case *api.InputDocumentFileLocation:
		f = m.files[x.ID]
		if f == nil || f.Photo || f.AccessHash != x.AccessHash {
			return nil, errf(400, "LOCATION_INVALID")
		}
		if !bytes.Equal(x.FileReference, f.Ref) {
			return nil, errf(400, "FILE_REFERENCE_EXPIRED")
		}
		size = x.ThumbSize
	case *api.InputPeerPhotoFileLocation:
		var err error
		if f, err = c.peerPhoto(x.Peer, x.PhotoID); err != nil {
			return nil, err
		}
		if !x.Big {
			// The small profile photo is the smallest size there is.
			if th := f.thumbs(); len(th) > 0 {
				size = th[0].typ
			}
		}
	default:
		return nil, errf(400, "LOCATION_INVALID")
	}
	if f.DC != c.dc.id {
		return nil, errf(303, "FILE_MIGRATE_"+strconv.Itoa(f.DC))
	}
	if err := checkDownload(q.Offset, q.Limit, q.Precise); err != nil {
		return nil, err
	}
	if q.CDNSupported && c.e.cdn.redirects && !f.Photo && size == "" {
		return c.cdnRedirect(f), nil
	}
	data, ok := f.sizeData(size)
	if !ok {
		return nil, errf(400, "LOCATION_INVALID")
	}
	var typ api.StorageFileTypeClass = &api.StorageFilePartial{}
	if f.Photo || size != "" {
		switch {
		case size != "" && !(f.Photo && size == "x"):
			typ = &api.StorageFileJpeg{} // thumbnails are JPEG
		case f.Mime == "image/jpeg":
			typ = &api.StorageFileJpeg{}
		case f.Mime == "image/png":
			typ = &api.StorageFilePng{}
		case f.Mime == "image/gif":
			typ = &api.StorageFileGIF{}
		}
	}
	var chunk []byte
	if q.Offset < int64(len(data)) {
		end := min(q.Offset+int64(q.Limit), int64(len(data)))
		chunk = data[q.Offset:end] // stored bytes never change: no copy
	}
	return &api.UploadFile{Type: typ, Mtime: f.Date, Bytes: chunk}, nil
}

// peerPhoto returns the current profile photo of a user, checking the id
// the client asks for.
func (c *call) peerPhoto(in api.InputPeerClass, photoID int64) (*file, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, in)
	if err != nil {
		return nil, err
	}
	u := m.users[peer]
	if u == nil || u.photo == 0 || (photoID != 0 && u.photo != photoID) || m.files[u.photo] == nil {
		return nil, errf(400, "LOCATION_INVALID")
	}
	return m.files[u.photo], nil
}

// userPhotos answers photos.getUserPhotos: the user's current profile
// photo (the emulator keeps no older ones).
func userPhotos(c *call, q *api.PhotosGetUserPhotosRequest) (tl.Object, error) {
	m := c.e.m
	u, err := m.inputUser(c.u, q.UserID)
	if err != nil {
		return nil, err
	}
	out := &api.PhotosPhotos{}
	if u != nil && u.photo != 0 && q.Offset == 0 && q.Limit >= 0 {
		if f := m.files[u.photo]; f != nil {
			out.Photos = append(out.Photos, f.photo())
		}
	}
	if u != nil {
		out.Users = []api.UserClass{m.renderUser(c.u, u, false)}
	}
	return out, nil
}

// ExpireFileReferences gives every stored photo and document a new file
// reference, so clients holding the old ones get FILE_REFERENCE_EXPIRED
// and must fetch the message again.
func (e *Emulator) ExpireFileReferences() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, f := range e.m.files {
		f.Ref = randomToken(fileRefLength)
	}
}
