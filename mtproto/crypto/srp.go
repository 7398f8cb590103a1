package crypto

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"io"
	"math/big"
)

// SRPAlgo is the TL name of the only password KDF this file implements
// (https://core.telegram.org/api/srp).
const SRPAlgo = "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow"

const (
	srpPBKDF2Iterations = 100000
	srpSize             = 256 // every number is hashed as 2048-bit big-endian
)

// SRPParams are the parameters of a passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow
// (from account.password.current_algo, or new_algo when setting a password).
type SRPParams struct {
	Salt1 []byte
	Salt2 []byte
	G     int
	P     []byte // dh prime, big-endian
}

// SRPProof is what the client sends in inputCheckPasswordSRP: A (256
// bytes) and M1 (32 bytes).
type SRPProof struct {
	A  []byte
	M1 []byte
}

func srpH(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// srpSH is SH(data, salt) = H(salt | data | salt).
func srpSH(data, salt []byte) []byte { return srpH(salt, data, salt) }

// srpX is PH2(password, salt1, salt2) =
// SH(pbkdf2(sha512, PH1(password, salt1, salt2), salt1, 100000), salt2)
// with PH1 = SH(SH(password, salt1), salt2).
func srpX(password, salt1, salt2 []byte) ([]byte, error) {
	ph1 := srpSH(srpSH(password, salt1), salt2)
	k, err := pbkdf2.Key(sha512.New, string(ph1), salt1, srpPBKDF2Iterations, sha512.Size)
	if err != nil {
		return nil, fmt.Errorf("mtproto/crypto: pbkdf2: %w", err)
	}
	return srpSH(k, salt2), nil
}

func pad256(x *big.Int) []byte { return x.FillBytes(make([]byte, srpSize)) }

// srpGroup is p and g as numbers and in their padded forms.
type srpGroup struct {
	p, g      *big.Int
	pBytes    []byte
	gBytes    []byte
	k         *big.Int // H(p | pad(g))
	hpXorHg   []byte   // H(p) xor H(pad(g))
	salt1Hash []byte
	salt2Hash []byte
	salt1     []byte
	salt2     []byte
}

func newSRPGroup(params SRPParams, check bool) (*srpGroup, error) {
	if len(params.P) == 0 || len(params.P) > srpSize {
		return nil, fmt.Errorf("%w: p is %d bytes, want up to 256", ErrSRPParams, len(params.P))
	}
	if params.G <= 0 {
		return nil, fmt.Errorf("%w: g = %d", ErrSRPParams, params.G)
	}
	p := new(big.Int).SetBytes(params.P)
	if check {
		if err := CheckDHParams(p, params.G); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSRPParams, err)
		}
	} else if p.Cmp(big.NewInt(3)) < 0 {
		return nil, fmt.Errorf("%w: p < 3", ErrSRPParams)
	}
	g := big.NewInt(int64(params.G))
	grp := &srpGroup{
		p:      p,
		g:      g,
		pBytes: pad256(p),
		gBytes: pad256(g),
		salt1:  params.Salt1,
		salt2:  params.Salt2,
	}
	grp.k = new(big.Int).SetBytes(srpH(grp.pBytes, grp.gBytes))
	hp := srpH(grp.pBytes)
	hg := srpH(grp.gBytes)
	grp.hpXorHg = make([]byte, sha256.Size)
	subtle.XORBytes(grp.hpXorHg, hp, hg)
	grp.salt1Hash = srpH(params.Salt1)
	grp.salt2Hash = srpH(params.Salt2)
	return grp, nil
}

// m1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | g_a | g_b | k_a)
func (grp *srpGroup) m1(a, b, k []byte) []byte {
	return srpH(grp.hpXorHg, grp.salt1Hash, grp.salt2Hash, a, b, k)
}

// verifier returns v = g^x mod p.
func (grp *srpGroup) verifier(password []byte) (*big.Int, error) {
	x, err := srpX(password, grp.salt1, grp.salt2)
	if err != nil {
		return nil, err
	}
	return new(big.Int).Exp(grp.g, new(big.Int).SetBytes(x), grp.p), nil
}

// ComputeSRPProof answers a password check as a client: from the password,
// the server's parameters and srp_B, and a 2048-bit secret a read from
// random (crypto/rand if nil), it returns A = g^a mod p and M1.
//
// It first checks p and g (CheckDHParams) and srp_B (CheckDHValue), as
// https://core.telegram.org/api/srp asks. Errors: ErrSRPParams, ErrSRPBadB.
// PBKDF2 with 100000 rounds makes one call take tens of milliseconds.
func ComputeSRPProof(password []byte, params SRPParams, srpB []byte, random io.Reader) (*SRPProof, error) {
	if random == nil {
		random = rand.Reader
	}
	var a [srpSize]byte
	if _, err := io.ReadFull(random, a[:]); err != nil {
		return nil, fmt.Errorf("mtproto/crypto: reading SRP secret: %w", err)
	}
	return srpProof(password, params, srpB, a[:], true)
}

// srpProof is ComputeSRPProof with a given secret a; check=false skips the
// parameter checks (only for test vectors built on toy primes).
func srpProof(password []byte, params SRPParams, srpB, aBytes []byte, check bool) (*SRPProof, error) {
	grp, err := newSRPGroup(params, check)
	if err != nil {
		return nil, err
	}
	if len(srpB) > srpSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrSRPBadB, len(srpB))
	}
	gB := new(big.Int).SetBytes(srpB)
	if gB.Sign() <= 0 || gB.Cmp(grp.p) >= 0 {
		return nil, fmt.Errorf("%w: srp_B is not in (0, p)", ErrSRPBadB)
	}
	if check {
		if err := CheckDHValue(gB, grp.p); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSRPBadB, err)
		}
	}
	a := new(big.Int).SetBytes(aBytes)
	gA := new(big.Int).Exp(grp.g, a, grp.p)
	aPad := pad256(gA)
	bPad := pad256(gB)
	u := new(big.Int).SetBytes(srpH(aPad, bPad))
	if u.Sign() == 0 {
		return nil, fmt.Errorf("%w: u = H(A | B) is zero", ErrSRPBadB)
	}
	xBytes, err := srpX(password, grp.salt1, grp.salt2)
	if err != nil {
		return nil, err
	}
	x := new(big.Int).SetBytes(xBytes)
	v := new(big.Int).Exp(grp.g, x, grp.p)
	kv := new(big.Int).Mul(grp.k, v)
	kv.Mod(kv, grp.p)
	t := new(big.Int).Sub(gB, kv)
	t.Mod(t, grp.p) // Go's Mod is Euclidean: t is in [0, p)
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, a)
	s := new(big.Int).Exp(t, exp, grp.p)
	k := srpH(pad256(s))
	return &SRPProof{A: aPad, M1: grp.m1(aPad, bPad, k)}, nil
}

// PasswordHash returns new_password_hash = pad256(g^x mod p) for
// account.updatePasswordSettings, where x = PH2(password, salt1, salt2) and
// params.Salt1 is the new salt (see NewSalt1). It is also the verifier v a
// server stores. Error: ErrSRPParams.
func PasswordHash(password []byte, params SRPParams) ([]byte, error) {
	return passwordHash(password, params, true)
}

func passwordHash(password []byte, params SRPParams, check bool) ([]byte, error) {
	grp, err := newSRPGroup(params, check)
	if err != nil {
		return nil, err
	}
	v, err := grp.verifier(password)
	if err != nil {
		return nil, err
	}
	return pad256(v), nil
}

// NewSalt1 returns the salt1 of a new password: the server's new_algo.salt1
// followed by 32 bytes from random (crypto/rand if nil), as clients must
// extend it before computing PasswordHash.
func NewSalt1(serverSalt1 []byte, random io.Reader) ([]byte, error) {
	if random == nil {
		random = rand.Reader
	}
	out := make([]byte, len(serverSalt1)+32)
	copy(out, serverSalt1)
	if _, err := io.ReadFull(random, out[len(serverSalt1):]); err != nil {
		return nil, fmt.Errorf("mtproto/crypto: reading salt: %w", err)
	}
	return out, nil
}

// SRPServer is the server half of one password check: it holds the secret
// b for the srp_B it sent. Use a new SRPServer (and srp_id) per attempt.
type SRPServer struct {
	grp *srpGroup
	v   *big.Int
	b   *big.Int
	gB  []byte
}

// NewSRPServer starts a password check for the stored verifier (the
// new_password_hash a client set): srp_B = (k·v + g^b) mod p with b read
// from random (crypto/rand if nil), redrawn until srp_B passes
// CheckDHValue. Errors: ErrSRPParams.
func NewSRPServer(params SRPParams, verifier []byte, random io.Reader) (*SRPServer, error) {
	grp, err := newSRPGroup(params, true)
	if err != nil {
		return nil, err
	}
	if len(verifier) == 0 || len(verifier) > srpSize {
		return nil, fmt.Errorf("%w: verifier is %d bytes", ErrSRPParams, len(verifier))
	}
	v := new(big.Int).SetBytes(verifier)
	if v.Sign() == 0 || v.Cmp(grp.p) >= 0 {
		return nil, fmt.Errorf("%w: verifier is not in (0, p)", ErrSRPParams)
	}
	kv := new(big.Int).Mul(grp.k, v)
	kv.Mod(kv, grp.p)
	for {
		b, err := GenerateDHSecret(random)
		if err != nil {
			return nil, err
		}
		gB := new(big.Int).Exp(grp.g, b, grp.p)
		gB.Add(gB, kv).Mod(gB, grp.p)
		if CheckDHValue(gB, grp.p) == nil {
			return &SRPServer{grp: grp, v: v, b: b, gB: pad256(gB)}, nil
		}
	}
}

// B returns srp_B (256 bytes) to send in account.password.
func (s *SRPServer) B() []byte { return append([]byte(nil), s.gB...) }

// Verify checks the client's A and M1 from inputCheckPasswordSRP. It
// returns nil if the client knows the password, ErrSRPBadA for an A out of
// range, and ErrSRPPassword otherwise (M1 is compared in constant time).
func (s *SRPServer) Verify(a, m1 []byte) error {
	if len(a) == 0 || len(a) > srpSize {
		return fmt.Errorf("%w: A is %d bytes", ErrSRPBadA, len(a))
	}
	gA := new(big.Int).SetBytes(a)
	if err := CheckDHValue(gA, s.grp.p); err != nil {
		return fmt.Errorf("%w: %w", ErrSRPBadA, err)
	}
	aPad := pad256(gA)
	u := new(big.Int).SetBytes(srpH(aPad, s.gB))
	// S = (A · v^u)^b mod p
	sv := new(big.Int).Exp(s.v, u, s.grp.p)
	sv.Mul(sv, gA).Mod(sv, s.grp.p)
	sv.Exp(sv, s.b, s.grp.p)
	k := srpH(pad256(sv))
	want := s.grp.m1(aPad, s.gB, k)
	if subtle.ConstantTimeCompare(want, m1) != 1 {
		return ErrSRPPassword
	}
	return nil
}
