package core

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
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

// finish reports a completed transfer of done bytes once more when the
// last report did not already say so (unknown totals, empty files).
func (p *progressor) finish(done int64) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total == done && p.done == done && done > 0 {
		return
	}
	p.done, p.total = done, done
	p.fn(done, done)
}

// partBuffers recycles upload part buffers: a part is copied into its
// request when it is encoded, so its buffer can carry the next one.
var partBuffers = sync.Pool{New: func() any { b := make([]byte, partSize); return &b }}

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
				ok, err := c.savePart(ctx, req)
				if err == nil && !ok {
					err = fmt.Errorf("core: part %d of the upload was refused", p.n)
				}
				if err != nil {
					fail(err)
					return
				}
				prog.add(len(p.data))
				if cap(p.data) == partSize {
					partBuffers.Put(&p.data) // encoded into the request: free to reuse
				}
			}
		}()
	}
	var readErr error
	for n := 0; n < parts; n++ {
		want := partSize
		if rest := size - int64(n)*partSize; rest < partSize {
			want = int(rest)
		}
		buf := (*partBuffers.Get().(*[]byte))[:want]
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

// savePart sends upload.saveFilePart or upload.saveBigFilePart on a file
// connection and reports the server's Bool.
func (c *Client) savePart(ctx context.Context, req tl.Function) (bool, error) {
	body, err := tl.Encode(req)
	if err != nil {
		return false, err
	}
	raw, err := c.invokeFile(ctx, 0, tl.Name(req), body)
	if err != nil {
		return false, err
	}
	d := tl.NewDecoder(raw)
	ok := d.Bool()
	if d.Err() != nil {
		return false, fmt.Errorf("core: decoding %s's answer: %w", tl.Name(req), d.Err())
	}
	return ok, nil
}
