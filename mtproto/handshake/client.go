// Package handshake implements both halves of MTProto's auth-key exchange
// (core.telegram.org/mtproto/auth_key): req_pq_multi → resPQ → req_DH_params
// (p_q_inner_data_dc or _temp_dc, RSA_PAD) → server_DH_params_ok →
// set_client_DH_params → dh_gen_ok / dh_gen_retry / dh_gen_fail.
//
// Both halves are step functions without IO: each takes the peer's message
// body and returns the next one to send. Randomness and the clock are
// injected, so a recorded exchange replays byte for byte. Everything the peer
// sends is verified: nonces, the SHA-1 of the encrypted answers, the DH prime
// and generator, the ranges of g_a and g_b, and the new_nonce hashes.
package handshake

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/mt"
)

// Errors of the exchange. Each is wrapped with details.
var (
	ErrNonce        = errors.New("handshake: nonce mismatch")
	ErrNoKey        = errors.New("handshake: none of the server's RSA keys is known")
	ErrAnswerHash   = errors.New("handshake: SHA-1 of the decrypted answer does not match")
	ErrDHParamsFail = errors.New("handshake: server answered server_DH_params_fail")
	ErrDHGenFail    = errors.New("handshake: server answered dh_gen_fail")
	ErrNewNonceHash = errors.New("handshake: new_nonce_hash mismatch")
	ErrUnexpected   = errors.New("handshake: unexpected message")
	ErrTooManyRetry = errors.New("handshake: too many dh_gen_retry answers")
	ErrState        = errors.New("handshake: step called out of order")
)

// Result is what a completed exchange yields.
type Result struct {
	AuthKey *crypto.AuthKey
	// Salt is the first server salt (new_nonce[0:8] XOR server_nonce[0:8]).
	Salt int64
	// TimeOffset is the server's clock minus ours (client side).
	TimeOffset time.Duration
	// ExpiresAt is set for temporary keys.
	ExpiresAt time.Time
	// DC is the data centre the client asked for (server side; 0 when it
	// sent the dc-less inner data).
	DC int
}

// Client runs the client half. Configure the exported fields, then call
// Start, OnResPQ, OnServerDHParams and OnDHGenAnswer in turn.
type Client struct {
	// Keys are the server RSA keys the client trusts.
	Keys []crypto.PublicKey
	// DC is the data centre id sent in p_q_inner_data_dc (negative for
	// media DCs, +10000 for test DCs, as Telegram expects).
	DC int
	// NoDC sends the older p_q_inner_data without a dc field.
	NoDC bool
	// TempExpiresIn, when positive, asks for a temporary key valid that many
	// seconds (p_q_inner_data_temp_dc), for perfect forward secrecy.
	TempExpiresIn int
	// Rand is the random source (crypto/rand when nil). The exchange reads,
	// in order: the 16-byte nonce; the 32-byte new_nonce and RSA_PAD's
	// padding and temp key; the 256-byte b and the 0–15 padding bytes.
	Rand io.Reader
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	step        int
	nonce       tl.Int128
	serverNonce tl.Int128
	newNonce    tl.Int256
	dhPrime     *big.Int
	g           int
	gA          *big.Int
	retryID     int64
	retries     int
	tmpKey      [32]byte
	tmpIV       [32]byte
	authKey     []byte
	offset      time.Duration
	expiresAt   time.Time
}

func (c *Client) rand() io.Reader { return orRand(c.Rand) }

func (c *Client) now() time.Time { return orNow(c.Now) }

// orRand returns r, or crypto/rand when r is nil.
func orRand(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// orNow returns now(), or the wall clock when now is nil.
func orNow(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}

func encode(o tl.Object) []byte {
	b, err := tl.Encode(o)
	if err != nil {
		panic(err) // only values built here are encoded
	}
	return b
}

// Start returns the req_pq_multi body.
func (c *Client) Start() ([]byte, error) {
	if c.step != 0 {
		return nil, ErrState
	}
	if _, err := io.ReadFull(c.rand(), c.nonce[:]); err != nil {
		return nil, fmt.Errorf("handshake: random source: %w", err)
	}
	c.step = 1
	return encode(&mt.ReqPQMultiRequest{Nonce: c.nonce}), nil
}

// decodeAs decodes a boxed body that must be one of the given constructors.
func decodeAs(body []byte, want ...tl.Object) (tl.Object, error) {
	d := tl.NewDecoder(body)
	id := d.Uint32()
	for _, o := range want {
		if o.TypeID() == id {
			o.DecodeBare(d)
			if d.Err() != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrUnexpected, tl.Name(o), d.Err())
			}
			return o, nil
		}
	}
	if d.Err() != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnexpected, d.Err())
	}
	return nil, fmt.Errorf("%w: constructor %08x", ErrUnexpected, id)
}

// OnResPQ takes resPQ and returns the req_DH_params body.
func (c *Client) OnResPQ(body []byte) ([]byte, error) {
	if c.step != 1 {
		return nil, ErrState
	}
	o, err := decodeAs(body, &mt.ResPQ{})
	if err != nil {
		return nil, err
	}
	res := o.(*mt.ResPQ)
	if res.Nonce != c.nonce {
		return nil, fmt.Errorf("%w: resPQ", ErrNonce)
	}
	key, ok := crypto.FindPublicKey(c.Keys, res.ServerPublicKeyFingerprints)
	if !ok {
		return nil, fmt.Errorf("%w: the server offers %d keys", ErrNoKey, len(res.ServerPublicKeyFingerprints))
	}
	pq, err := crypto.BytesToUint64([]byte(res.PQ))
	if err != nil {
		return nil, err
	}
	p, q, err := crypto.FactorPQ(pq)
	if err != nil {
		return nil, err
	}
	c.serverNonce = res.ServerNonce
	if _, err := io.ReadFull(c.rand(), c.newNonce[:]); err != nil {
		return nil, fmt.Errorf("handshake: random source: %w", err)
	}
	ps, qs := string(crypto.Uint64ToBytes(p)), string(crypto.Uint64ToBytes(q))
	var inner tl.Object
	switch {
	case c.TempExpiresIn > 0:
		inner = &mt.PQInnerDataTempDC{PQ: res.PQ, P: ps, Q: qs, Nonce: c.nonce, ServerNonce: c.serverNonce,
			NewNonce: c.newNonce, DC: int32(c.DC), ExpiresIn: int32(c.TempExpiresIn)}
		c.expiresAt = c.now().Add(time.Duration(c.TempExpiresIn) * time.Second)
	case c.NoDC:
		inner = &mt.PQInnerData{PQ: res.PQ, P: ps, Q: qs, Nonce: c.nonce, ServerNonce: c.serverNonce, NewNonce: c.newNonce}
	default:
		inner = &mt.PQInnerDataDC{PQ: res.PQ, P: ps, Q: qs, Nonce: c.nonce, ServerNonce: c.serverNonce,
			NewNonce: c.newNonce, DC: int32(c.DC)}
	}
	encrypted, err := crypto.RSAPadEncrypt(key.Key, encode(inner), c.rand())
	if err != nil {
		return nil, err
	}
	c.tmpKey, c.tmpIV = crypto.TmpAESKeyIV(c.serverNonce, c.newNonce)
	c.step = 2
	return encode(&mt.ReqDHParamsRequest{Nonce: c.nonce, ServerNonce: c.serverNonce, P: ps, Q: qs,
		PublicKeyFingerprint: key.Fingerprint, EncryptedData: string(encrypted)}), nil
}

// OnServerDHParams takes server_DH_params_ok (or _fail) and returns the
// set_client_DH_params body.
func (c *Client) OnServerDHParams(body []byte) ([]byte, error) {
	if c.step != 2 {
		return nil, ErrState
	}
	o, err := decodeAs(body, &mt.ServerDHParamsOk{}, &mt.ServerDHParamsFail{})
	if err != nil {
		return nil, err
	}
	if f, ok := o.(*mt.ServerDHParamsFail); ok {
		if f.Nonce != c.nonce || f.ServerNonce != c.serverNonce {
			return nil, fmt.Errorf("%w: server_DH_params_fail", ErrNonce)
		}
		return nil, ErrDHParamsFail
	}
	ok := o.(*mt.ServerDHParamsOk)
	if ok.Nonce != c.nonce || ok.ServerNonce != c.serverNonce {
		return nil, fmt.Errorf("%w: server_DH_params_ok", ErrNonce)
	}
	plain, err := crypto.IGEDecrypt(c.tmpKey[:], c.tmpIV[:], []byte(ok.EncryptedAnswer))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAnswerHash, err)
	}
	inner, err := checkHashed(plain, &mt.ServerDHInnerData{})
	if err != nil {
		return nil, err
	}
	data := inner.(*mt.ServerDHInnerData)
	if data.Nonce != c.nonce || data.ServerNonce != c.serverNonce {
		return nil, fmt.Errorf("%w: server_DH_inner_data", ErrNonce)
	}
	c.dhPrime = new(big.Int).SetBytes([]byte(data.DHPrime))
	c.g = int(data.G)
	if err := crypto.CheckDHParams(c.dhPrime, c.g); err != nil {
		return nil, err
	}
	c.gA = new(big.Int).SetBytes([]byte(data.GA))
	if err := crypto.CheckDHValue(c.gA, c.dhPrime); err != nil {
		return nil, fmt.Errorf("g_a: %w", err)
	}
	c.offset = time.Unix(int64(data.ServerTime), 0).Sub(c.now())
	c.step = 3
	return c.clientDH()
}

// checkHashed verifies SHA1(data) ‖ data ‖ padding (0–15 bytes) and decodes
// data into o.
func checkHashed(plain []byte, o tl.Object) (tl.Object, error) {
	if len(plain) < 24 {
		return nil, fmt.Errorf("%w: %d bytes", ErrAnswerHash, len(plain))
	}
	d := tl.NewDecoder(plain[20:])
	if id := d.Uint32(); id != o.TypeID() {
		return nil, fmt.Errorf("%w: expected %s, got %08x", ErrUnexpected, tl.Name(o), id)
	}
	o.DecodeBare(d)
	if d.Err() != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnexpected, tl.Name(o), d.Err())
	}
	n := d.Offset()
	if pad := len(plain) - 20 - n; pad < 0 || pad > 15 {
		return nil, fmt.Errorf("%w: %d padding bytes", ErrAnswerHash, pad)
	}
	sum := sha1.Sum(plain[20 : 20+n])
	if !bytes.Equal(sum[:], plain[:20]) {
		return nil, ErrAnswerHash
	}
	return o, nil
}

// hashed returns SHA1(data) ‖ data ‖ random padding to a multiple of 16.
func hashed(data []byte, random io.Reader) ([]byte, error) {
	sum := sha1.Sum(data)
	out := append(sum[:], data...)
	pad := (16 - len(out)%16) % 16
	p := make([]byte, pad)
	if _, err := io.ReadFull(random, p); err != nil {
		return nil, fmt.Errorf("handshake: random source: %w", err)
	}
	return append(out, p...), nil
}

// clientDH draws b, computes g_b and the auth key, and builds
// set_client_DH_params.
func (c *Client) clientDH() ([]byte, error) {
	b, err := crypto.GenerateDHSecret(c.rand())
	if err != nil {
		return nil, err
	}
	gB, err := crypto.DHPublicValue(c.g, b, c.dhPrime)
	if err != nil {
		return nil, err
	}
	if c.authKey, err = crypto.DHSharedKey(c.gA, b, c.dhPrime); err != nil {
		return nil, err
	}
	inner := encode(&mt.ClientDHInnerData{Nonce: c.nonce, ServerNonce: c.serverNonce, RetryID: c.retryID, GB: string(gB)})
	data, err := hashed(inner, c.rand())
	if err != nil {
		return nil, err
	}
	enc, err := crypto.IGEEncrypt(c.tmpKey[:], c.tmpIV[:], data)
	if err != nil {
		return nil, err
	}
	return encode(&mt.SetClientDHParamsRequest{Nonce: c.nonce, ServerNonce: c.serverNonce, EncryptedData: string(enc)}), nil
}

// maxRetries bounds dh_gen_retry rounds.
const maxRetries = 5

// OnDHGenAnswer takes dh_gen_ok, dh_gen_retry or dh_gen_fail. On dh_gen_ok it
// returns the result; on dh_gen_retry it returns a new set_client_DH_params
// body to send (and a nil result).
func (c *Client) OnDHGenAnswer(body []byte) (*Result, []byte, error) {
	if c.step != 3 {
		return nil, nil, ErrState
	}
	o, err := decodeAs(body, &mt.DHGenOk{}, &mt.DHGenRetry{}, &mt.DHGenFail{})
	if err != nil {
		return nil, nil, err
	}
	key, err := crypto.NewAuthKey(c.authKey)
	if err != nil {
		return nil, nil, err
	}
	check := func(nonce, serverNonce, hash tl.Int128, n byte) error {
		if nonce != c.nonce || serverNonce != c.serverNonce {
			return fmt.Errorf("%w: dh_gen answer", ErrNonce)
		}
		want, err := crypto.NewNonceHash(c.newNonce, n, c.authKey)
		if err != nil {
			return err
		}
		if tl.Int128(want) != hash {
			return fmt.Errorf("%w: new_nonce_hash%d", ErrNewNonceHash, n)
		}
		return nil
	}
	switch a := o.(type) {
	case *mt.DHGenOk:
		if err := check(a.Nonce, a.ServerNonce, a.NewNonceHash1, 1); err != nil {
			return nil, nil, err
		}
		c.step = 4
		return &Result{AuthKey: key, Salt: crypto.InitialServerSalt(c.newNonce, c.serverNonce),
			TimeOffset: c.offset, ExpiresAt: c.expiresAt}, nil, nil
	case *mt.DHGenRetry:
		if err := check(a.Nonce, a.ServerNonce, a.NewNonceHash2, 2); err != nil {
			return nil, nil, err
		}
		c.retries++
		if c.retries > maxRetries {
			return nil, nil, ErrTooManyRetry
		}
		aux := key.AuxHash()
		c.retryID = int64(leUint64(aux[:]))
		next, err := c.clientDH()
		return nil, next, err
	case *mt.DHGenFail:
		if err := check(a.Nonce, a.ServerNonce, a.NewNonceHash3, 3); err != nil {
			return nil, nil, err
		}
		return nil, nil, ErrDHGenFail
	}
	return nil, nil, ErrUnexpected
}

func leUint64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}
