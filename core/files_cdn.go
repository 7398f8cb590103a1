package core

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Downloads through Telegram's CDN (core.telegram.org/cdn). upload.getFile
// says cdn_supported; a file the server keeps on a CDN is answered with
// upload.fileCdnRedirect, and its parts are then fetched from the CDN DC
// with upload.getCdnFile: AES-256-CTR encrypted under the redirect's key and
// IV (whose last 4 bytes are the offset / 16, big-endian), and checked, 128
// KB at a time, against SHA-256 hashes that only the file's own DC gives
// (the redirect, upload.reuploadCdnFile, upload.getCdnFileHashes): the CDN
// is not trusted with the content. The CDN DC has its own RSA keys
// (help.getCdnConfig) and needs no authorization.

// ErrCDNHash is returned (wrapped) when a part from the CDN does not match
// the hash the file's DC gave for it.
var ErrCDNHash = errors.New("core: a part from the CDN does not match its hash")

// cdnHashChunk is the range each CDN file hash covers.
const cdnHashChunk = 128 << 10

// errCDNToken means the CDN no longer knows the file token: the file is
// asked for again with upload.getFile.
var errCDNToken = errors.New("core: the CDN file token is invalid")

// cdnFile is a file being downloaded from a CDN DC.
type cdnFile struct {
	dc    int
	token []byte
	key   []byte
	iv    []byte

	mu     sync.Mutex
	hashes map[int64][]byte // by offset
}

func newCDNFile(r *api.UploadFileCDNRedirect) (*cdnFile, error) {
	if len(r.EncryptionKey) != 32 || len(r.EncryptionIv) != 16 {
		return nil, fmt.Errorf("core: a CDN redirect with a %d-byte key and a %d-byte IV", len(r.EncryptionKey), len(r.EncryptionIv))
	}
	f := &cdnFile{dc: int(r.DCID), token: r.FileToken, key: r.EncryptionKey, iv: r.EncryptionIv, hashes: map[int64][]byte{}}
	f.addHashes(r.FileHashes)
	return f, nil
}

func (f *cdnFile) addHashes(hs []api.FileHashClass) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range hs {
		if x, ok := h.(*api.FileHash); ok && x.Offset%cdnHashChunk == 0 {
			f.hashes[x.Offset] = x.Hash
		}
	}
}

func (f *cdnFile) hash(offset int64) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, ok := f.hashes[offset]
	return h, ok
}

// cdnWindow returns the request that covers [offset, offset+limit) in whole
// hash chunks: a power-of-two multiple of 128 KB (at most 1 MB, since the
// range never crosses a megabyte) at an offset it divides, as
// upload.getCdnFile wants.
func cdnWindow(offset int64, limit int) (int64, int) {
	lo := offset / cdnHashChunk * cdnHashChunk
	hi := offset + int64(limit)
	n := int64(cdnHashChunk)
	for lo/n*n+n < hi {
		n *= 2
	}
	return lo / n * n, int(n)
}

// cdnPart fetches limit bytes at offset of f from its CDN DC, decrypts and
// checks them.
func (g *getter) cdnPart(ctx context.Context, f *cdnFile, offset int64, limit int) ([]byte, error) {
	at, n := cdnWindow(offset, limit)
	for reuploads := 0; ; reuploads++ {
		res, err := g.c.invokeCDN(ctx, f.dc, &api.UploadGetCDNFileRequest{FileToken: f.token, Offset: at, Limit: int32(n)})
		if err != nil {
			return nil, tokenErr(err)
		}
		switch x := res.(type) {
		case *api.UploadCDNFileReuploadNeeded:
			if reuploads >= 3 {
				return nil, errors.New("core: the CDN still asks for the file after it was uploaded there")
			}
			hs, err := g.c.InvokeOnDC(ctx, g.dc, &api.UploadReuploadCDNFileRequest{FileToken: f.token, RequestToken: x.RequestToken})
			if err != nil {
				return nil, tokenErr(err)
			}
			if v, ok := hs.([]api.FileHashClass); ok {
				f.addHashes(v)
			}
		case *api.UploadCDNFile:
			data := x.Bytes
			if len(data) > n {
				return nil, fmt.Errorf("core: the CDN answered %d bytes for %d", len(data), n)
			}
			if err := cdnCrypt(data, f.key, f.iv, at); err != nil {
				return nil, err
			}
			if err := g.checkCDN(ctx, f, at, data); err != nil {
				return nil, err
			}
			skip := int(offset - at)
			if skip >= len(data) {
				return nil, nil
			}
			return data[skip:min(len(data), skip+limit)], nil
		default:
			return nil, fmt.Errorf("core: upload.getCdnFile answered %T", x)
		}
	}
}

// checkCDN compares every 128 KB of data (the file from at) with its hash,
// asking the file's DC for hashes it does not have yet.
func (g *getter) checkCDN(ctx context.Context, f *cdnFile, at int64, data []byte) error {
	for off := 0; off < len(data); off += cdnHashChunk {
		pos := at + int64(off)
		want, ok := f.hash(pos)
		if !ok {
			hs, err := g.c.InvokeOnDC(ctx, g.dc, &api.UploadGetCDNFileHashesRequest{FileToken: f.token, Offset: pos})
			if err != nil {
				return tokenErr(err)
			}
			if v, ok := hs.([]api.FileHashClass); ok {
				f.addHashes(v)
			}
			if want, ok = f.hash(pos); !ok {
				return fmt.Errorf("core: the file's DC gave no hash for offset %d", pos)
			}
		}
		sum := sha256.Sum256(data[off:min(len(data), off+cdnHashChunk)])
		if subtle.ConstantTimeCompare(sum[:], want) != 1 {
			return fmt.Errorf("%w (offset %d)", ErrCDNHash, pos)
		}
	}
	return nil
}

// tokenErr turns FILE_TOKEN_INVALID, from the CDN or the file's DC, into
// errCDNToken.
func tokenErr(err error) error {
	if e, ok := AsRPCError(err); ok && e.Name == "FILE_TOKEN_INVALID" {
		return errCDNToken
	}
	return err
}

// cdnCrypt decrypts data (from offset of the file) in place with
// AES-256-CTR: the IV's last 4 bytes are offset / 16, big-endian.
func cdnCrypt(data, key, iv []byte, offset int64) error {
	b, err := aes.NewCipher(key)
	if err != nil {
		return fmt.Errorf("core: the CDN key: %w", err)
	}
	var ctr [16]byte
	copy(ctr[:], iv)
	binary.BigEndian.PutUint32(ctr[12:], uint32(offset/16))
	cipher.NewCTR(b, ctr[:]).XORKeyStream(data, data)
	return nil
}

// invokeCDN calls a CDN DC: no authorization is imported there; a dropped
// connection is retried a few times.
func (c *Client) invokeCDN(ctx context.Context, dc int, fn tl.Function) (any, error) {
	body, err := tl.Encode(fn)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		raw, err := c.invokeOnce(ctx, dc, body)
		if err == nil {
			return fn.DecodeResult(tl.NewDecoder(raw))
		}
		var ce *conn.RPCError
		if errors.As(err, &ce) {
			return nil, newRPCError(tl.Name(fn), ce)
		}
		if ctx.Err() != nil || attempt >= 2 {
			return nil, err
		}
	}
}

// isCDN reports whether the session's DC options name id as a CDN DC.
func (c *Client) isCDN(id int) bool {
	opts, err := c.store.DCOptions()
	if err != nil {
		return false
	}
	for _, o := range opts {
		if o.ID == id && o.CDN {
			return true
		}
	}
	return false
}

// cdnPublicKeys returns the RSA keys of the CDN DCs (help.getCdnConfig on
// the main DC), fetched once.
func (c *Client) cdnPublicKeys(ctx context.Context) ([]crypto.PublicKey, error) {
	c.cdnMu.Lock()
	defer c.cdnMu.Unlock()
	if c.cdnKeys != nil {
		return c.cdnKeys, nil
	}
	res, err := c.Invoke(ctx, &api.HelpGetCDNConfigRequest{})
	if err != nil {
		return nil, fmt.Errorf("core: help.getCdnConfig: %w", err)
	}
	var keys []crypto.PublicKey
	if cfg, ok := res.(*api.CDNConfig); ok {
		for _, k := range cfg.PublicKeys {
			if pk, ok := k.(*api.CDNPublicKey); ok {
				key, err := crypto.ParsePublicKeyPEM([]byte(pk.PublicKey))
				if err != nil {
					return nil, fmt.Errorf("core: a CDN public key of DC %d: %w", pk.DCID, err)
				}
				keys = append(keys, key)
			}
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("core: help.getCdnConfig gave no key")
	}
	c.cdnKeys = keys
	return keys, nil
}
