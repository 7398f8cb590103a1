package core

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/rpcerr"
)

// Downloads follow upload.getFile's rules (core.telegram.org/api/files):
// offset divisible by 4 KB, limit divisible by 4 KB with 1 MB divisible by
// limit, and no request crossing a 1 MB boundary. Whole files are fetched
// in 1 MB parts, several in flight, and written in order.
const (
	downloadPart  = 1 << 20
	downloadAlign = 4 << 10
)

// FileLocation says where a file is stored and how to renew its file
// reference when it expires.
type FileLocation struct {
	// Location is what upload.getFile is asked for.
	Location api.InputFileLocationClass
	// DC stores the file (0: the main DC; FILE_MIGRATE is followed either way).
	DC int
	// Size in bytes, -1 when unknown (profile photos): then the file is
	// read until a short part.
	Size int64
	// Name is the file name from the document's attributes ("" if none) and
	// MimeType its type, used to name a file downloaded into a directory.
	Name     string
	MimeType string
	// Refresh returns the location with a fresh file reference, when the
	// server answers FILE_REFERENCE_EXPIRED (nil: such an error is returned).
	Refresh func(ctx context.Context) (api.InputFileLocationClass, error)
}

// ErrFileReference is returned (wrapped) when a file reference stays
// expired after refreshing it.
var ErrFileReference = errors.New("core: the file reference is still expired after refreshing it")

// getter fetches parts of one file, renewing the file reference once per
// expiry for all the parts in flight.
type getter struct {
	c   *Client
	dc  int
	ref func(ctx context.Context) (api.InputFileLocationClass, error)

	mu        sync.Mutex
	loc       api.InputFileLocationClass
	gen       int
	refreshes int
	cdn       *cdnFile // set once the file's DC redirected to a CDN (files_cdn.go)
}

func newGetter(c *Client, f *FileLocation) *getter {
	return &getter{c: c, dc: f.DC, loc: f.Location, ref: f.Refresh}
}

// part fetches limit bytes at offset (both aligned as upload.getFile wants).
func (g *getter) part(ctx context.Context, offset int64, limit int) ([]byte, error) {
	for tokens := 0; ; {
		g.mu.Lock()
		loc, gen, cdn := g.loc, g.gen, g.cdn
		g.mu.Unlock()
		if cdn != nil {
			b, err := g.cdnPart(ctx, cdn, offset, limit)
			if !errors.Is(err, errCDNToken) || tokens >= 3 {
				return b, err
			}
			tokens++ // the token expired: ask the file's DC again
			g.mu.Lock()
			if g.cdn == cdn {
				g.cdn = nil
			}
			g.mu.Unlock()
			continue
		}
		body, err := tl.Encode(&api.UploadGetFileRequest{CDNSupported: true, Location: loc, Offset: offset, Limit: int32(limit)})
		if err != nil {
			return nil, err
		}
		raw, err := g.c.invokeFile(ctx, g.dc, "upload.getFile", body)
		if err == nil {
			b, redirect, err := fileBytes(raw)
			if redirect == nil || err != nil {
				return b, err
			}
			if err := g.toCDN(ctx, redirect); err != nil {
				return nil, err
			}
			continue
		}
		if e, ok := AsRPCError(err); !ok || e.Name != rpcerr.ErrFileReferenceExpired || g.ref == nil {
			return nil, err
		}
		if err := g.refresh(ctx, gen); err != nil {
			return nil, err
		}
	}
}

// uploadFileID is the constructor of upload.file.
var uploadFileID = (&api.UploadFile{}).TypeID()

// fileBytes returns the bytes of an upload.file answer (type, mtime,
// bytes) as a slice of the answer itself: no decoding copy of every part;
// or the redirect, when the answer sends the client to a CDN.
func fileBytes(raw []byte) ([]byte, *api.UploadFileCDNRedirect, error) {
	if len(raw) < 4 || binary.LittleEndian.Uint32(raw) != uploadFileID {
		obj, err := tl.Decode(raw, api.New)
		if err != nil {
			return nil, nil, fmt.Errorf("core: decoding upload.getFile's answer: %w", err)
		}
		if r, ok := obj.(*api.UploadFileCDNRedirect); ok {
			return nil, r, nil
		}
		return nil, nil, fmt.Errorf("core: upload.getFile answered %s", tl.Name(obj))
	}
	const head = 4 + 4 + 4 // constructor, storage.FileType, mtime
	if len(raw) < head+1 {
		return nil, nil, errors.New("core: a truncated upload.file")
	}
	b := raw[head:]
	n, skip := int(b[0]), 1
	if n == 254 {
		if len(b) < 4 {
			return nil, nil, errors.New("core: a truncated upload.file")
		}
		n, skip = int(b[1])|int(b[2])<<8|int(b[3])<<16, 4
	}
	if len(b) < skip+n {
		return nil, nil, errors.New("core: a truncated upload.file")
	}
	return b[skip : skip+n : skip+n], nil, nil
}

// toCDN switches the getter to the CDN a redirect names (once for all the
// parts in flight), fetching the configuration again when the CDN DC is not
// in the session's DC options yet.
func (g *getter) toCDN(ctx context.Context, r *api.UploadFileCDNRedirect) error {
	f, err := newCDNFile(r)
	if err != nil {
		return err
	}
	if !g.c.isCDN(f.dc) {
		if err := g.c.Connect(ctx); err != nil {
			return err
		}
		if !g.c.isCDN(f.dc) {
			return fmt.Errorf("core: redirected to CDN DC %d, which help.getConfig does not list", f.dc)
		}
	}
	g.mu.Lock()
	if g.cdn == nil {
		g.cdn = f
	}
	g.mu.Unlock()
	return nil
}

// refresh renews the location unless another part already did since gen.
func (g *getter) refresh(ctx context.Context, gen int) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gen != gen {
		return nil
	}
	if g.refreshes >= 3 {
		return ErrFileReference
	}
	loc, err := g.ref(ctx)
	if err != nil {
		return fmt.Errorf("core: refreshing an expired file reference: %w", err)
	}
	g.loc, g.gen, g.refreshes = loc, g.gen+1, g.refreshes+1
	return nil
}

// request is one aligned upload.getFile call and the part of its answer
// the caller wants.
type request struct {
	offset    int64 // aligned
	limit     int   // aligned
	skip, use int   // bytes of the answer to drop, then to keep (use -1: all)
}

// plan splits [offset, offset+length) into aligned requests of at most
// 1 MB that never cross a 1 MB boundary. length -1 means to the end of a
// file of known size.
func plan(offset, length int64) []request {
	var out []request
	end := offset + length
	for pos := offset; pos < end; {
		start := pos - pos%downloadAlign
		// A power-of-two limit that divides start divides 1 MB too, so the
		// request stays inside one 1 MB window.
		most := int64(downloadPart)
		for start%most != 0 {
			most /= 2
		}
		limit := int64(downloadAlign)
		for limit < end-start && limit < most {
			limit *= 2
		}
		stop := min(end, start+limit)
		out = append(out, request{offset: start, limit: int(limit), skip: int(pos - start), use: int(stop - pos)})
		pos = stop
	}
	return out
}

// fetchOrdered runs requests with several in flight and hands their
// answers to emit in order. A short answer ends the file: emit gets it and
// no later request is emitted.
func (c *Client) fetchOrdered(ctx context.Context, g *getter, reqs []request, workers int, emit func(b []byte) error) error {
	if len(reqs) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	type result struct {
		data []byte
		err  error
	}
	// One buffered slot per request: workers never wait on the writer, and
	// the window below bounds how many answers are held at once.
	slots := make([]chan result, len(reqs))
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	window := make(chan struct{}, 2*workers)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range reqs {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				b, err := g.part(ctx, reqs[i].offset, reqs[i].limit)
				slots[i] <- result{b, err}
				if err != nil {
					return
				}
			}
		}()
	}
	for i, r := range reqs {
		var res result
		select {
		case res = <-slots[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-window
		if res.err != nil {
			return res.err
		}
		b := res.data
		short := len(b) < r.limit
		if r.skip >= len(b) {
			b = nil
		} else {
			b = b[r.skip:]
		}
		if r.use >= 0 && len(b) > r.use {
			b = b[:r.use]
		}
		if err := emit(b); err != nil {
			return err
		}
		if short {
			return nil
		}
	}
	return nil
}

// Download writes a whole file to w in parallel parts, in order, and
// returns the bytes written. Progress is reported as bytes reach w.
func (c *Client) Download(ctx context.Context, f *FileLocation, w io.Writer, o TransferOptions) (int64, error) {
	return c.DownloadRange(ctx, f, 0, -1, w, o)
}

// DownloadRange writes length bytes of a file from offset (any values; -1:
// to the end) to w. Requests are aligned as upload.getFile requires and the
// extra bytes dropped.
func (c *Client) DownloadRange(ctx context.Context, f *FileLocation, offset, length int64, w io.Writer, o TransferOptions) (int64, error) {
	if offset < 0 || length < -1 {
		return 0, fmt.Errorf("core: cannot download %d bytes at offset %d", length, offset)
	}
	if f == nil || f.Location == nil {
		return 0, errors.New("core: download of a nil file location")
	}
	total := int64(-1)
	if f.Size >= 0 {
		if offset > f.Size {
			offset = f.Size
		}
		rest := f.Size - offset
		if length < 0 || length > rest {
			length = rest
		}
		total = length
	}
	prog := &progressor{total: total, fn: o.Progress}
	g := newGetter(c, f)
	var written int64
	emit := func(b []byte) error {
		if len(b) == 0 {
			return nil
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		written += int64(len(b))
		prog.add(len(b))
		return nil
	}
	var err error
	if length >= 0 {
		err = c.fetchOrdered(ctx, g, plan(offset, length), o.workers(), emit)
	} else {
		// Unknown size: one 1 MB window at a time until a short answer.
		for pos := offset; err == nil; {
			reqs := plan(pos, (pos/downloadPart+1)*downloadPart-pos)
			before := written
			err = c.fetchOrdered(ctx, g, reqs, 1, emit)
			if written-before < int64(reqs[0].use) || err != nil {
				break
			}
			pos += written - before
		}
	}
	if err != nil {
		return written, err
	}
	if total >= 0 && written != total {
		return written, fmt.Errorf("core: the file ended after %d of %d bytes", written, total)
	}
	prog.finish(written)
	return written, nil
}

// IterDownload streams length bytes of a file from offset (-1: to the end)
// as a reader, fetching ahead in parallel while memory stays bounded by
// the transfer window. Close the reader to stop early.
func (c *Client) IterDownload(ctx context.Context, f *FileLocation, offset, length int64, o TransferOptions) io.ReadCloser {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		_, err := c.DownloadRange(ctx, f, offset, length, pw, o)
		pw.CloseWithError(err)
	}()
	return &streamReader{PipeReader: pr, cancel: cancel}
}

type streamReader struct {
	*io.PipeReader
	cancel context.CancelFunc
}

func (s *streamReader) Close() error {
	s.cancel()
	return s.PipeReader.Close()
}

// DownloadFile downloads a file by location from the DC that stores it (0:
// the main DC; FILE_MIGRATE is followed either way) in parallel parts,
// writing them in order to w. size is the expected size (-1 if unknown,
// then parts are fetched one after another until a short one).
func (c *Client) DownloadFile(ctx context.Context, loc api.InputFileLocationClass, dc int, size int64, w io.Writer, o TransferOptions) (int64, error) {
	return c.Download(ctx, &FileLocation{Location: loc, DC: dc, Size: size}, w, o)
}
