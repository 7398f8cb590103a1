package handshake

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/mt"
)

// ErrRSA reports req_DH_params whose encrypted_data does not decrypt with the
// server's key (Telegram answers with the transport error -404).
var ErrRSA = errors.New("handshake: encrypted_data does not decrypt with the server key")

// Server runs the server half for one connection: OnReqPQ, OnReqDHParams,
// OnSetClientDHParams in turn.
type Server struct {
	// Key is the server's RSA key.
	Key *rsa.PrivateKey
	// DHPrime and G are the DH group (Telegram's 2048-bit prime and g = 3
	// when nil/0).
	DHPrime *big.Int
	G       int
	// Rand and Now are the random source and clock (defaults: crypto/rand,
	// time.Now).
	Rand io.Reader
	Now  func() time.Time
	// KeyInUse, when set, is asked whether an auth_key_id is already taken;
	// the server then answers dh_gen_retry.
	KeyInUse func(id int64) bool

	step        int
	nonce       tl.Int128
	serverNonce tl.Int128
	newNonce    tl.Int256
	pq          string
	p, q        string
	a           *big.Int
	gA          *big.Int
	tmpKey      [32]byte
	tmpIV       [32]byte
	expiresIn   int
	dc          int
}

func (s *Server) rand() io.Reader { return orRand(s.Rand) }

func (s *Server) now() time.Time { return orNow(s.Now) }

func (s *Server) prime() *big.Int {
	if s.DHPrime == nil {
		return crypto.TelegramDHPrime()
	}
	return s.DHPrime
}

func (s *Server) g() int {
	if s.G == 0 {
		return 3
	}
	return s.G
}

// OnReqPQ takes req_pq_multi (or the older req_pq) and returns resPQ.
func (s *Server) OnReqPQ(body []byte) ([]byte, error) {
	if s.step != 0 {
		return nil, ErrState
	}
	o, err := decodeAs(body, &mt.ReqPQMultiRequest{}, &mt.ReqPQRequest{})
	if err != nil {
		return nil, err
	}
	switch r := o.(type) {
	case *mt.ReqPQMultiRequest:
		s.nonce = r.Nonce
	case *mt.ReqPQRequest:
		s.nonce = r.Nonce
	}
	if _, err := io.ReadFull(s.rand(), s.serverNonce[:]); err != nil {
		return nil, fmt.Errorf("handshake: random source: %w", err)
	}
	p, q, err := s.primes()
	if err != nil {
		return nil, err
	}
	s.p, s.q = string(crypto.Uint64ToBytes(p)), string(crypto.Uint64ToBytes(q))
	s.pq = string(crypto.Uint64ToBytes(p * q))
	s.step = 1
	fp := crypto.RSAFingerprint(&s.Key.PublicKey)
	return encode(&mt.ResPQ{Nonce: s.nonce, ServerNonce: s.serverNonce, PQ: s.pq, ServerPublicKeyFingerprints: []int64{fp}}), nil
}

// primes draws two distinct 31-bit primes, p < q, as Telegram's pq uses.
func (s *Server) primes() (uint64, uint64, error) {
	draw := func() (uint64, error) {
		var b [4]byte
		for {
			if _, err := io.ReadFull(s.rand(), b[:]); err != nil {
				return 0, fmt.Errorf("handshake: random source: %w", err)
			}
			v := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
			v |= 1<<30 | 1 // 31 bits, odd
			v &= 1<<31 - 1
			if new(big.Int).SetUint64(v).ProbablyPrime(20) {
				return v, nil
			}
		}
	}
	p, err := draw()
	if err != nil {
		return 0, 0, err
	}
	q := p
	for q == p {
		if q, err = draw(); err != nil {
			return 0, 0, err
		}
	}
	if p > q {
		p, q = q, p
	}
	return p, q, nil
}

// OnReqDHParams takes req_DH_params and returns server_DH_params_ok.
func (s *Server) OnReqDHParams(body []byte) ([]byte, error) {
	if s.step != 1 {
		return nil, ErrState
	}
	o, err := decodeAs(body, &mt.ReqDHParamsRequest{})
	if err != nil {
		return nil, err
	}
	req := o.(*mt.ReqDHParamsRequest)
	if req.Nonce != s.nonce || req.ServerNonce != s.serverNonce {
		return nil, fmt.Errorf("%w: req_DH_params", ErrNonce)
	}
	if req.P != s.p || req.Q != s.q {
		return nil, fmt.Errorf("%w: p and q do not factor our pq", ErrUnexpected)
	}
	if req.PublicKeyFingerprint != crypto.RSAFingerprint(&s.Key.PublicKey) {
		return nil, fmt.Errorf("%w: unknown key fingerprint %d", ErrRSA, req.PublicKeyFingerprint)
	}
	data, err := crypto.RSAPadDecrypt(s.Key, []byte(req.EncryptedData))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRSA, err)
	}
	// RSA_PAD data is padded to 192 bytes: decode the inner data and ignore
	// what follows it.
	d := tl.NewDecoder(data)
	inner := mt.New(d.Uint32())
	var pq, p, q string
	var nonce, serverNonce tl.Int128
	switch x := inner.(type) {
	case *mt.PQInnerData:
		x.DecodeBare(d)
		pq, p, q, nonce, serverNonce, s.newNonce = x.PQ, x.P, x.Q, x.Nonce, x.ServerNonce, x.NewNonce
	case *mt.PQInnerDataDC:
		x.DecodeBare(d)
		pq, p, q, nonce, serverNonce, s.newNonce, s.dc = x.PQ, x.P, x.Q, x.Nonce, x.ServerNonce, x.NewNonce, int(x.DC)
	case *mt.PQInnerDataTemp:
		x.DecodeBare(d)
		pq, p, q, nonce, serverNonce, s.newNonce, s.expiresIn = x.PQ, x.P, x.Q, x.Nonce, x.ServerNonce, x.NewNonce, int(x.ExpiresIn)
	case *mt.PQInnerDataTempDC:
		x.DecodeBare(d)
		pq, p, q, nonce, serverNonce, s.newNonce = x.PQ, x.P, x.Q, x.Nonce, x.ServerNonce, x.NewNonce
		s.dc, s.expiresIn = int(x.DC), int(x.ExpiresIn)
	default:
		return nil, fmt.Errorf("%w: encrypted_data holds no p_q_inner_data", ErrUnexpected)
	}
	if d.Err() != nil {
		return nil, fmt.Errorf("%w: p_q_inner_data: %v", ErrUnexpected, d.Err())
	}
	if nonce != s.nonce || serverNonce != s.serverNonce {
		return nil, fmt.Errorf("%w: p_q_inner_data", ErrNonce)
	}
	if pq != s.pq || p != s.p || q != s.q {
		return nil, fmt.Errorf("%w: p_q_inner_data does not match resPQ", ErrUnexpected)
	}
	s.tmpKey, s.tmpIV = crypto.TmpAESKeyIV(s.serverNonce, s.newNonce)
	if s.a, err = crypto.GenerateDHSecret(s.rand()); err != nil {
		return nil, err
	}
	gA, err := crypto.DHPublicValue(s.g(), s.a, s.prime())
	if err != nil {
		return nil, err
	}
	s.gA = new(big.Int).SetBytes(gA)
	answer := encode(&mt.ServerDHInnerData{Nonce: s.nonce, ServerNonce: s.serverNonce, G: int32(s.g()),
		DHPrime: string(s.prime().FillBytes(make([]byte, 256))), GA: string(gA), ServerTime: int32(s.now().Unix())})
	plain, err := hashed(answer, s.rand())
	if err != nil {
		return nil, err
	}
	enc, err := crypto.IGEEncrypt(s.tmpKey[:], s.tmpIV[:], plain)
	if err != nil {
		return nil, err
	}
	s.step = 2
	return encode(&mt.ServerDHParamsOk{Nonce: s.nonce, ServerNonce: s.serverNonce, EncryptedAnswer: string(enc)}), nil
}

// OnSetClientDHParams takes set_client_DH_params. It returns dh_gen_ok with
// the result, or dh_gen_retry (nil result) when KeyInUse reports a clash; the
// client then sends set_client_DH_params again.
func (s *Server) OnSetClientDHParams(body []byte) ([]byte, *Result, error) {
	if s.step != 2 {
		return nil, nil, ErrState
	}
	o, err := decodeAs(body, &mt.SetClientDHParamsRequest{})
	if err != nil {
		return nil, nil, err
	}
	req := o.(*mt.SetClientDHParamsRequest)
	if req.Nonce != s.nonce || req.ServerNonce != s.serverNonce {
		return nil, nil, fmt.Errorf("%w: set_client_DH_params", ErrNonce)
	}
	plain, err := crypto.IGEDecrypt(s.tmpKey[:], s.tmpIV[:], []byte(req.EncryptedData))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrAnswerHash, err)
	}
	inner, err := checkHashed(plain, &mt.ClientDHInnerData{})
	if err != nil {
		return nil, nil, err
	}
	cd := inner.(*mt.ClientDHInnerData)
	if cd.Nonce != s.nonce || cd.ServerNonce != s.serverNonce {
		return nil, nil, fmt.Errorf("%w: client_DH_inner_data", ErrNonce)
	}
	gB := new(big.Int).SetBytes([]byte(cd.GB))
	raw, err := crypto.DHSharedKey(gB, s.a, s.prime())
	if err != nil {
		return nil, nil, fmt.Errorf("g_b: %w", err)
	}
	key, err := crypto.NewAuthKey(raw)
	if err != nil {
		return nil, nil, err
	}
	if s.KeyInUse != nil && s.KeyInUse(key.IDInt64()) {
		h, err := crypto.NewNonceHash(s.newNonce, 2, raw)
		if err != nil {
			return nil, nil, err
		}
		return encode(&mt.DHGenRetry{Nonce: s.nonce, ServerNonce: s.serverNonce, NewNonceHash2: h}), nil, nil
	}
	h, err := crypto.NewNonceHash(s.newNonce, 1, raw)
	if err != nil {
		return nil, nil, err
	}
	s.step = 3
	res := &Result{AuthKey: key, Salt: crypto.InitialServerSalt(s.newNonce, s.serverNonce), DC: s.dc}
	if s.expiresIn > 0 {
		res.ExpiresAt = s.now().Add(time.Duration(s.expiresIn) * time.Second)
	}
	return encode(&mt.DHGenOk{Nonce: s.nonce, ServerNonce: s.serverNonce, NewNonceHash1: h}), res, nil
}
