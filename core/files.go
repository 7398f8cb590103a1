package core

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"path/filepath"
	"sync"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/rpcerr"
)

// ErrEmptyFile is returned for an empty upload: Telegram refuses empty files
// (FILE_PART_EMPTY), so nothing is sent.
var ErrEmptyFile = errors.New("core: Telegram does not accept empty files")

// Progress reports bytes transferred so far of a total (-1 when unknown).
// It is called from transfer goroutines, in increasing order of done.
type Progress func(done, total int64)

// Telegram's file rules (core.telegram.org/api/files).
const (
	partSize     = 512 << 10 // the largest allowed part
	bigFileSize  = 10 << 20  // from here on, saveBigFilePart
	maxFileParts = 4000
)

// TransferOptions tune uploads and downloads.
type TransferOptions struct {
	// Workers is how many parts are in flight at once (default 4).
	Workers int
	// Progress is called as parts complete.
	Progress Progress
}

func (o TransferOptions) workers() int {
	if o.Workers <= 0 {
		return 4
	}
	return o.Workers
}

// progressor serialises progress reports.
type progressor struct {
	mu    sync.Mutex
	done  int64
	total int64
	fn    Progress
}

func (p *progressor) add(n int) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += int64(n)
	p.fn(p.done, p.total)
}

// UploadFile uploads size bytes read from r in parallel parts and returns
// the InputFile to attach to a message (saveFilePart with an MD5 for files up
// to 10 MB, saveBigFilePart above).
func (c *Client) UploadFile(ctx context.Context, r io.Reader, size int64, name string, o TransferOptions) (api.InputFileClass, error) {
	if size < 0 {
		return nil, errors.New("core: UploadFile needs the size")
	}
	if size == 0 {
		return nil, ErrEmptyFile
	}
	parts := int((size + partSize - 1) / partSize)
	if parts > maxFileParts {
		return nil, fmt.Errorf("core: a %d-byte file is larger than Telegram accepts (%d parts of 512 KB)", size, maxFileParts)
	}
	big := size > bigFileSize
	fileID := randomID()
	hash := md5.New()
	prog := &progressor{total: size, fn: o.Progress}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type part struct {
		n    int
		data []byte
	}
	jobs := make(chan part)
	errc := make(chan error, 1)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
		cancel()
	}
	var wg sync.WaitGroup
	for w := 0; w < o.workers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				var req tl.Function
				if big {
					req = &api.UploadSaveBigFilePartRequest{FileID: fileID, FilePart: int32(p.n), FileTotalParts: int32(parts), Bytes: p.data}
				} else {
					req = &api.UploadSaveFilePartRequest{FileID: fileID, FilePart: int32(p.n), Bytes: p.data}
				}
				ok, err := c.Invoke(ctx, req)
				if err == nil && ok != true {
					err = fmt.Errorf("core: part %d of the upload was refused", p.n)
				}
				if err != nil {
					fail(err)
					return
				}
				prog.add(len(p.data))
			}
		}()
	}
	var readErr error
	for n := 0; n < parts; n++ {
		want := partSize
		if rest := size - int64(n)*partSize; rest < partSize {
			want = int(rest)
		}
		buf := make([]byte, want)
		if _, err := io.ReadFull(r, buf); err != nil {
			readErr = fmt.Errorf("core: reading part %d of the file: %w", n, err)
			break
		}
		if !big {
			hash.Write(buf)
		}
		select {
		case jobs <- part{n, buf}:
		case <-ctx.Done():
			n = parts
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	if readErr != nil {
		return nil, readErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if big {
		return &api.InputFileBig{ID: fileID, Parts: int32(parts), Name: name}, nil
	}
	return &api.InputFile{ID: fileID, Parts: int32(parts), Name: name, MD5Checksum: hex.EncodeToString(hash.Sum(nil))}, nil
}

// SendFileOptions describe a file message.
type SendFileOptions struct {
	Caption string
	// Name is the file name shown (default: none).
	Name string
	// MimeType defaults to one guessed from Name.
	MimeType string
	// AsPhoto sends an image as a compressed photo rather than a document.
	AsPhoto  bool
	ReplyTo  int32
	Transfer TransferOptions
}

// SendFile uploads size bytes from r and sends them to a chat as a document
// (or a photo), returning the new message id.
func (c *Client) SendFile(ctx context.Context, to session.Peer, r io.Reader, size int64, o SendFileOptions) (int32, error) {
	in, err := c.UploadFile(ctx, r, size, o.Name, o.Transfer)
	if err != nil {
		return 0, err
	}
	var media api.InputMediaClass
	if o.AsPhoto {
		media = &api.InputMediaUploadedPhoto{File: in}
	} else {
		mt := o.MimeType
		if mt == "" {
			mt = mime.TypeByExtension(filepath.Ext(o.Name))
		}
		if mt == "" {
			mt = "application/octet-stream"
		}
		var attrs []api.DocumentAttributeClass
		if o.Name != "" {
			attrs = append(attrs, &api.DocumentAttributeFilename{FileName: o.Name})
		}
		media = &api.InputMediaUploadedDocument{File: in, MIMEType: mt, Attributes: attrs, ForceFile: true}
	}
	req := &api.MessagesSendMediaRequest{Peer: InputPeer(to), Media: media, Message: o.Caption, RandomID: randomID()}
	if o.ReplyTo != 0 {
		req.ReplyTo = &api.InputReplyToMessage{ReplyToMsgID: o.ReplyTo}
	}
	res, err := c.Invoke(ctx, req)
	if err != nil {
		return 0, err
	}
	return sentMessageID(res, req.RandomID)
}

// DownloadFile downloads a file by location from the DC that stores it (0:
// the main DC; FILE_MIGRATE is followed either way) in parallel parts,
// writing them in order to w. size is the expected size (-1 if unknown,
// then parts are fetched one after another until a short one).
func (c *Client) DownloadFile(ctx context.Context, loc api.InputFileLocationClass, dc int, size int64, w io.Writer, o TransferOptions) (int64, error) {
	prog := &progressor{total: size, fn: o.Progress}
	fetch := func(ctx context.Context, n int) ([]byte, error) {
		res, err := c.InvokeOnDC(ctx, dc, &api.UploadGetFileRequest{Location: loc, Offset: int64(n) * partSize, Limit: partSize, Precise: false})
		if err != nil {
			return nil, err
		}
		f, ok := res.(*api.UploadFile)
		if !ok {
			return nil, fmt.Errorf("core: upload.getFile answered %T (CDN files are not supported yet)", res)
		}
		return f.Bytes, nil
	}
	if size < 0 {
		var total int64
		for n := 0; ; n++ {
			b, err := fetch(ctx, n)
			if err != nil {
				return total, err
			}
			if _, err := w.Write(b); err != nil {
				return total, err
			}
			total += int64(len(b))
			prog.add(len(b))
			if len(b) < partSize {
				return total, nil
			}
		}
	}
	parts := int((size + partSize - 1) / partSize)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		n    int
		data []byte
		err  error
	}
	results := make(chan result)
	window := make(chan struct{}, 2*o.workers()) // bounds memory: parts fetched ahead of the writer
	next := make(chan int)
	go func() {
		defer close(next)
		for n := 0; n < parts; n++ {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < o.workers(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				b, err := fetch(ctx, n)
				select {
				case results <- result{n, b, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	pending := map[int][]byte{}
	var written int64
	want := 0
	for r := range results {
		if r.err != nil {
			cancel()
			return written, r.err
		}
		pending[r.n] = r.data
		for {
			b, ok := pending[want]
			if !ok {
				break
			}
			delete(pending, want)
			if _, err := w.Write(b); err != nil {
				cancel()
				return written, err
			}
			written += int64(len(b))
			prog.add(len(b))
			want++
			<-window
		}
		if want == parts {
			break
		}
	}
	if want != parts {
		return written, fmt.Errorf("core: download ended after %d of %d parts", want, parts)
	}
	return written, nil
}

// mediaLocation returns where a message's file is stored.
func mediaLocation(m *api.Message) (loc api.InputFileLocationClass, dc int, size int64, err error) {
	switch media := m.Media.(type) {
	case *api.MessageMediaDocument:
		if d, ok := media.Document.(*api.Document); ok {
			return &api.InputDocumentFileLocation{ID: d.ID, AccessHash: d.AccessHash, FileReference: d.FileReference},
				int(d.DCID), d.Size, nil
		}
	case *api.MessageMediaPhoto:
		if p, ok := media.Photo.(*api.Photo); ok {
			typ, sz := "", int64(-1)
			for _, s := range p.Sizes {
				switch x := s.(type) {
				case *api.PhotoSize:
					if int64(x.Size) > sz {
						typ, sz = x.Type, int64(x.Size)
					}
				case *api.PhotoSizeProgressive:
					if n := len(x.Sizes); n > 0 && int64(x.Sizes[n-1]) > sz {
						typ, sz = x.Type, int64(x.Sizes[n-1])
					}
				}
			}
			if typ == "" {
				return nil, 0, 0, errors.New("core: the photo has no downloadable size")
			}
			return &api.InputPhotoFileLocation{ID: p.ID, AccessHash: p.AccessHash, FileReference: p.FileReference, ThumbSize: typ},
				int(p.DCID), sz, nil
		}
	}
	return nil, 0, 0, errors.New("core: the message has no downloadable media")
}

// DownloadMedia downloads the document or photo of a message to w. An
// expired file reference is refreshed by fetching the message again, and
// the download resumes.
func (c *Client) DownloadMedia(ctx context.Context, chat session.Peer, m *api.Message, w io.Writer, o TransferOptions) (int64, error) {
	loc, dc, size, err := mediaLocation(m)
	if err != nil {
		return 0, err
	}
	n, err := c.DownloadFile(ctx, loc, dc, size, w, o)
	if e, ok := AsRPCError(err); ok && e.Name == rpcerr.ErrFileReferenceExpired && n%partSize == 0 {
		fresh, ferr := c.GetMessages(ctx, chat, []int32{m.ID})
		if ferr != nil || len(fresh) == 0 {
			return n, err
		}
		if loc, dc, size, err = mediaLocation(fresh[0]); err != nil {
			return n, err
		}
		rest, err := c.downloadFrom(ctx, loc, dc, size, n, w, o)
		return n + rest, err
	}
	return n, err
}

// downloadFrom resumes a download at a part boundary.
func (c *Client) downloadFrom(ctx context.Context, loc api.InputFileLocationClass, dc int, size, from int64, w io.Writer, o TransferOptions) (int64, error) {
	var total int64
	for off := from; size < 0 || off < size; off += partSize {
		res, err := c.InvokeOnDC(ctx, dc, &api.UploadGetFileRequest{Location: loc, Offset: off, Limit: partSize})
		if err != nil {
			return total, err
		}
		f, ok := res.(*api.UploadFile)
		if !ok {
			return total, fmt.Errorf("core: upload.getFile answered %T", res)
		}
		if _, err := w.Write(f.Bytes); err != nil {
			return total, err
		}
		total += int64(len(f.Bytes))
		if o.Progress != nil {
			o.Progress(from+total, size)
		}
		if len(f.Bytes) < partSize {
			break
		}
	}
	return total, nil
}
