package emulator

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// The CDN (core.telegram.org/cdn). With redirects on (SetCDNRedirects), a
// document asked for with upload.getFile's cdn_supported flag is answered
// with upload.fileCdnRedirect: the client then fetches it from the CDN DC
// (cdnDC, its own address and RSA key, announced by help.getConfig with the
// cdn flag and help.getCdnConfig) with upload.getCdnFile, AES-256-CTR
// encrypted under the key and IV of the redirect (the IV's last 4 bytes are
// the offset / 16, big-endian). A file is not on the CDN until the client
// asks for it there once: the CDN answers upload.cdnFileReuploadNeeded, and
// upload.reuploadCdnFile on the file's DC puts it there. The client checks
// every 128 KB against the SHA-256 hashes the file's DC gives
// (file_hashes of the redirect, upload.reuploadCdnFile,
// upload.getCdnFileHashes). The CDN DC serves nothing else; its keys need
// no authorization.

func init() {
	on(anyKey, uploadGetCDNFile)
	on(needUser, uploadReuploadCDNFile)
	on(needUser, uploadGetCDNFileHashes)
	on(anyKey, helpGetCDNConfig)
}

const (
	// cdnDC is the id of the emulated CDN DC (Telegram's CDN DCs have ids
	// from 201).
	cdnDC = 201
	// cdnHashChunk is the range each CDN file hash covers.
	cdnHashChunk = 128 << 10
	// cdnHashesPerAnswer is how many hashes one answer carries.
	cdnHashesPerAnswer = 8
)

// cdnState is the CDN's part of the emulator (guarded by Emulator.mu).
type cdnState struct {
	redirects bool
	tamper    bool
	tokens    map[string]*cdnFile
}

// cdnFile is a file the DCs redirected to the CDN, by its file_token.
type cdnFile struct {
	f        *file
	key      []byte // 32 bytes
	iv       []byte // 16 bytes
	onCDN    bool   // upload.reuploadCdnFile has run
	reupload []byte // the request_token of cdnFileReuploadNeeded
}

// SetCDNRedirects turns CDN redirects on or off: when on, documents asked
// for with cdn_supported go through the CDN DC.
func (e *Emulator) SetCDNRedirects(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cdn.redirects = on
}

// SetCDNTamper makes the CDN DC flip a byte of every file part it serves
// (on) or serve them intact (off), for tests of the client's hash checks.
func (e *Emulator) SetCDNTamper(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cdn.tamper = on
}

// ExpireCDNTokens forgets every file token the DCs gave: the CDN answers
// FILE_TOKEN_INVALID and clients must ask upload.getFile again.
func (e *Emulator) ExpireCDNTokens() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.cdn.tokens)
}

// CDNSessions returns how many connections the CDN DC has open.
func (e *Emulator) CDNSessions() int { return len(e.cdnServer.srv.Sessions()) }

// CDNAddr returns host:port of the CDN DC.
func (e *Emulator) CDNAddr() string { return e.cdnServer.addr() }

// cdnRedirect answers upload.getFile for f with a redirect to the CDN, with
// the hashes of the first megabyte.
func (c *call) cdnRedirect(f *file) tl.Object {
	st := &c.e.cdn
	if st.tokens == nil {
		st.tokens = map[string]*cdnFile{}
	}
	token := randomToken(32)
	cf := &cdnFile{f: f, key: randomToken(32), iv: randomToken(16)}
	st.tokens[string(token)] = cf
	return &api.UploadFileCDNRedirect{DCID: cdnDC, FileToken: token, EncryptionKey: cf.key,
		EncryptionIv: cf.iv, FileHashes: cdnHashes(f.Data, 0)}
}

// cdnHashes returns the hashes of up to cdnHashesPerAnswer chunks of data
// from the chunk that holds offset.
func cdnHashes(data []byte, offset int64) []api.FileHashClass {
	var out []api.FileHashClass
	for at := offset / cdnHashChunk * cdnHashChunk; at < int64(len(data)) && len(out) < cdnHashesPerAnswer; at += cdnHashChunk {
		end := min(at+cdnHashChunk, int64(len(data)))
		sum := sha256.Sum256(data[at:end])
		out = append(out, &api.FileHash{Offset: at, Limit: cdnHashChunk, Hash: sum[:]})
	}
	return out
}

func (c *call) cdnToken(token []byte) (*cdnFile, error) {
	cf := c.e.cdn.tokens[string(token)]
	if cf == nil {
		return nil, errf(400, "FILE_TOKEN_INVALID")
	}
	return cf, nil
}

func uploadGetCDNFile(c *call, q *api.UploadGetCDNFileRequest) (tl.Object, error) {
	if c.dc.id != cdnDC {
		return nil, errf(400, "CDN_METHOD_INVALID")
	}
	cf, err := c.cdnToken(q.FileToken)
	if err != nil {
		return nil, err
	}
	if err := checkDownload(q.Offset, q.Limit, false); err != nil {
		return nil, err
	}
	if !cf.onCDN {
		if cf.reupload == nil {
			cf.reupload = randomToken(16)
		}
		return &api.UploadCDNFileReuploadNeeded{RequestToken: cf.reupload}, nil
	}
	var part []byte
	if q.Offset < int64(len(cf.f.Data)) {
		end := min(q.Offset+int64(q.Limit), int64(len(cf.f.Data)))
		part = make([]byte, end-q.Offset)
		if err := cdnCrypt(part, cf.f.Data[q.Offset:end], cf.key, cf.iv, q.Offset); err != nil {
			return nil, err
		}
		if c.e.cdn.tamper && len(part) > 0 {
			part[len(part)/2] ^= 0x55
		}
	}
	return &api.UploadCDNFile{Bytes: part}, nil
}

// cdnCrypt encrypts (or decrypts) src at offset of a CDN file into dst with
// AES-256-CTR: the IV's last 4 bytes are offset / 16, big-endian.
func cdnCrypt(dst, src, key, iv []byte, offset int64) error {
	b, err := aes.NewCipher(key)
	if err != nil {
		return fmt.Errorf("emulator: CDN key: %w", err)
	}
	ctr := make([]byte, 16)
	copy(ctr, iv)
	binary.BigEndian.PutUint32(ctr[12:], uint32(offset/16))
	cipher.NewCTR(b, ctr).XORKeyStream(dst, src)
	return nil
}

func uploadReuploadCDNFile(c *call, q *api.UploadReuploadCDNFileRequest) (tl.Object, error) {
	cf, err := c.cdnToken(q.FileToken)
	if err != nil {
		return nil, err
	}
	if cf.f.DC != c.dc.id {
		return nil, errf(303, "FILE_MIGRATE_"+strconv.Itoa(cf.f.DC))
	}
	if cf.reupload == nil || string(q.RequestToken) != string(cf.reupload) {
		return nil, errf(400, "REQUEST_TOKEN_INVALID")
	}
	cf.onCDN = true
	return hashVector(cdnHashes(cf.f.Data, 0)), nil
}

func uploadGetCDNFileHashes(c *call, q *api.UploadGetCDNFileHashesRequest) (tl.Object, error) {
	cf, err := c.cdnToken(q.FileToken)
	if err != nil {
		return nil, err
	}
	if cf.f.DC != c.dc.id {
		return nil, errf(303, "FILE_MIGRATE_"+strconv.Itoa(cf.f.DC))
	}
	if q.Offset < 0 || q.Offset >= int64(len(cf.f.Data)) {
		return nil, errf(400, "OFFSET_INVALID")
	}
	return hashVector(cdnHashes(cf.f.Data, q.Offset)), nil
}

func hashVector(hs []api.FileHashClass) vectorResult {
	out := make(vectorResult, len(hs))
	for i, h := range hs {
		out[i] = h
	}
	return out
}

func helpGetCDNConfig(c *call, q *api.HelpGetCDNConfigRequest) (tl.Object, error) {
	pem := string(crypto.MarshalPublicKeyPEM(&c.e.cdnKey.PublicKey))
	return &api.CDNConfig{PublicKeys: []api.CDNPublicKeyClass{&api.CDNPublicKey{DCID: cdnDC, PublicKey: pem}}}, nil
}

// cdnAllows reports whether the CDN DC serves a method: upload.getCdnFile
// and the help.* calls clients make on any connection.
func cdnAllows(method string) bool {
	return method == "upload.getCdnFile" || method == "help.getConfig" || method == "help.getNearestDc" ||
		method == "help.getCdnConfig"
}
