package crypto_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/polygram/polygram/mtproto/crypto"
)

// testServerKey is testdata/rsa_test_key.pem, a throwaway key.
var testServerKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	data, err := os.ReadFile("testdata/rsa_test_key.pem")
	if err != nil {
		return nil, err
	}
	return crypto.ParsePrivateKeyPEM(data)
})

func serverKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := testServerKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func publicKeyByFingerprint(t *testing.T, fp int64) *rsa.PublicKey {
	t.Helper()
	for _, v := range vectors(t).RSAPublicKeys {
		if atoi64(t, v.Fingerprint) == fp {
			k, err := crypto.ParsePublicKeyPEM([]byte(v.PEM))
			if err != nil {
				t.Fatal(err)
			}
			return k.Key
		}
	}
	t.Fatalf("no key with fingerprint %d", fp)
	return nil
}

// Vectors: rsa_public_keys, 17 keys (tdesktop, TDLib, gotd, grammers,
// DrKLO/Telegram, Pyrogram, Telethon; see each entry's sources). Every PEM
// (PKCS#1 and SPKI) parses to the stated n and e and gives the stated
// fingerprint.
func TestRSAPublicKeyVectors(t *testing.T) {
	keys := vectors(t).RSAPublicKeys
	if len(keys) != 17 {
		t.Fatalf("%d keys, want 17", len(keys))
	}
	for _, v := range keys {
		t.Run(v.ID, func(t *testing.T) {
			k, err := crypto.ParsePublicKeyPEM([]byte(v.PEM))
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(k.Key.N.Bytes()) != v.NHex || k.Key.E != v.E || k.Key.N.BitLen() != v.Bits {
				t.Errorf("n/e differ from the vector")
			}
			if want := atoi64(t, v.Fingerprint); k.Fingerprint != want || crypto.RSAFingerprint(k.Key) != want {
				t.Errorf("fingerprint %d (%x), want %d (%s)", k.Fingerprint, uint64(k.Fingerprint), want, v.FingerprintHex)
			}
		})
	}
	// All of them as one file, in order.
	var all strings.Builder
	for _, v := range keys {
		all.WriteString(v.PEM + "\n")
	}
	parsed, err := crypto.ParsePublicKeysPEM([]byte(all.String()))
	if err != nil || len(parsed) != len(keys) {
		t.Fatalf("ParsePublicKeysPEM: %d keys, %v", len(parsed), err)
	}
}

// The built-in PEM constants are the keys of the vector file, with the
// fingerprints stated by their sources.
func TestBuiltinServerKeys(t *testing.T) {
	byID := map[string]string{}
	for _, v := range vectors(t).RSAPublicKeys {
		byID[v.ID] = v.PEM
	}
	for _, c := range []struct{ pem, id string }{
		{crypto.ProductionRSAKeyPEM, "rsa-d09d1d85de64fd85"},
		{crypto.ProductionRSAKey2PEM, "rsa-9dbe5a4c45febeff"},
		{crypto.TestRSAKeyPEM, "rsa-b25898df208d2603"},
	} {
		if strings.TrimSpace(c.pem) != strings.TrimSpace(byID[c.id]) {
			t.Errorf("built-in key differs from vector %s", c.id)
		}
	}
	fps := func(keys []crypto.PublicKey) []int64 {
		var out []int64
		for _, k := range keys {
			out = append(out, k.Fingerprint)
		}
		return out
	}
	prod := crypto.ProductionKeys()
	if got := fps(prod); len(got) != 2 || got[0] != -3414540481677951611 || got[1] != -7080122280541503745 {
		t.Errorf("ProductionKeys fingerprints %v", got)
	}
	if got := fps(crypto.TestKeys()); len(got) != 1 || got[0] != -5595554452916591101 {
		t.Errorf("TestKeys fingerprints %v", got)
	}
	// Callers get copies.
	prod[0].Key.N.SetInt64(1)
	if crypto.ProductionKeys()[0].Key.N.BitLen() != 2048 {
		t.Error("ProductionKeys shares state between calls")
	}
	// resPQ of the 2024 official sample offers 0bc35f35…, c3b42b02… and d09d1d85….
	offered := []int64{847625836280919973, -4344800451088585951, -3414540481677951611}
	k, ok := crypto.FindPublicKey(crypto.ProductionKeys(), offered)
	if !ok || k.Fingerprint != -3414540481677951611 {
		t.Errorf("FindPublicKey = %d, %v", k.Fingerprint, ok)
	}
	if _, ok := crypto.FindPublicKey(crypto.TestKeys(), offered); ok {
		t.Error("FindPublicKey matched the test key")
	}
}

func TestParsePEMErrors(t *testing.T) {
	if _, err := crypto.ParsePublicKeyPEM([]byte("not a pem")); !errors.Is(err, crypto.ErrPEM) {
		t.Errorf("garbage: %v", err)
	}
	if _, err := crypto.ParsePublicKeysPEM(nil); !errors.Is(err, crypto.ErrPEM) {
		t.Errorf("empty: %v", err)
	}
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}})
	if _, err := crypto.ParsePublicKeyPEM(cert); !errors.Is(err, crypto.ErrPEM) {
		t.Errorf("certificate block: %v", err)
	}
	broken := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: []byte{1, 2, 3}})
	if _, err := crypto.ParsePublicKeyPEM(broken); !errors.Is(err, crypto.ErrPEM) {
		t.Errorf("broken PKCS#1: %v", err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	if _, err := crypto.ParsePublicKeyPEM(ecPEM); !errors.Is(err, crypto.ErrNotRSAKey) {
		t.Errorf("EC key: %v", err)
	}
	der, _ = x509.MarshalPKCS8PrivateKey(ec)
	if _, err := crypto.ParsePrivateKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); !errors.Is(err, crypto.ErrNotRSAKey) {
		t.Errorf("EC private key: %v", err)
	}
	if _, err := crypto.ParsePrivateKeyPEM([]byte("-")); !errors.Is(err, crypto.ErrPEM) {
		t.Errorf("garbage private key: %v", err)
	}
}

// Vector: rsa_raw tdlib-rsa-raw-encrypt (tdlib/td test/mtproto.cpp @022d6020,
// TEST(Mtproto, RSA)): m^e mod n where m is the first 256 bytes of a PEM
// and the key is that same PEM. The entry's n_hex and key_fingerprint_int64
// name another key (DrKLO's 9dbe5a4c…); the output (whose SHA-256 TDLib
// asserts) only matches the key the input text comes from, TDLib's test key
// rsa-9692106da14b9f02 (-7596991558377038078), so the test takes the key
// from the input.
func TestRSARawVector(t *testing.T) {
	for _, v := range vectors(t).RSARaw {
		input := unhex(t, v.Input)
		var pub *rsa.PublicKey
		for _, k := range vectors(t).RSAPublicKeys {
			if strings.HasPrefix(k.PEM, string(input)) {
				parsed, err := crypto.ParsePublicKeyPEM([]byte(k.PEM))
				if err != nil {
					t.Fatal(err)
				}
				pub = parsed.Key
			}
		}
		if pub == nil {
			t.Fatalf("%s: no key PEM starts with the input", v.ID)
		}
		if fp := crypto.RSAFingerprint(pub); fp != -7596991558377038078 {
			t.Errorf("%s: key fingerprint %d, want TDLib's test key", v.ID, fp)
		}
		got, err := crypto.RSAEncryptRaw(pub, input)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, unhex(t, v.Output)) {
			t.Errorf("%s: output differs", v.ID)
		}
		sum := sha256.Sum256(got)
		if base64.StdEncoding.EncodeToString(sum[:]) != v.OutputSHA256 {
			t.Errorf("%s: SHA-256 of the output differs from TDLib's assertion", v.ID)
		}
	}
}

// Vectors: rsa_pad. gotd-rsapad-zero-random (gotd/td crypto/rsa_pad_test.go
// @d0d567ee, every random byte zero) and grammers-rsa-encrypt-hashed
// (Lonami/grammers grammers-crypto/src/rsa.rs @85dc9374), whose first
// temp_key gives key_aes_encrypted >= n, so a second temp_key is read.
func TestRSAPadVectors(t *testing.T) {
	for _, v := range vectors(t).RSAPad {
		t.Run(v.ID, func(t *testing.T) {
			pub := publicKeyByFingerprint(t, atoi64(t, v.Fingerprint))
			random := unhex(t, v.RandomPadding)
			if v.TempKeyAttempts == 2 {
				random = append(random, unhex(t, v.TempKeyFirstTry)...)
			}
			random = append(random, unhex(t, v.TempKey)...)
			r := bytes.NewReader(random)
			got, err := crypto.RSAPadEncrypt(pub, unhex(t, v.Data), r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, unhex(t, v.EncryptedData)) {
				t.Errorf("encrypted_data differs:\n got %x\nwant %s", got, v.EncryptedData)
			}
			if r.Len() != 0 {
				t.Errorf("%d random bytes left unread", r.Len())
			}
		})
	}
}

// Vector: grammers-emulated-auth-key-flow step 2 (auth_key_exchange group):
// the RSA_PAD ciphertext inside a recorded req_DH_params, test-DC key.
func TestRSAPadRecordedHandshake(t *testing.T) {
	for _, e := range exchanges(t) {
		if e.Step2Random == "" {
			continue
		}
		pub := publicKeyByFingerprint(t, atoi64(t, e.ChosenFingerprint))
		// grammers draws 256 bytes: new_nonce [0:32], padding from [32:], and
		// temp_key [224:256]; bytes it does not use are skipped here.
		step2 := unhex(t, e.Step2Random)
		padLen := 192 - len(unhex(t, e.PQInnerData))
		random := append(bytes.Clone(step2[32:32+padLen]), step2[224:256]...)
		got, err := crypto.RSAPadEncrypt(pub, unhex(t, e.PQInnerData), bytes.NewReader(random))
		if err != nil {
			t.Fatal(err)
		}
		req := unhex(t, e.Step2Request)
		if !bytes.Equal(got, req[len(req)-256:]) {
			t.Errorf("RSA_PAD ciphertext differs from the recorded req_DH_params")
		}
		return
	}
	t.Fatal("grammers flow missing")
}

func TestRSAPadRoundTrip(t *testing.T) {
	priv := serverKey(t)
	r := rand.NewChaCha8([32]byte{1})
	for _, n := range []int{0, 1, 96, 143, 144} {
		data := make([]byte, n)
		io.ReadFull(r, data)
		enc, err := crypto.RSAPadEncrypt(&priv.PublicKey, data, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) != 256 {
			t.Fatalf("%d-byte ciphertext", len(enc))
		}
		dec, err := crypto.RSAPadDecrypt(priv, enc)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if len(dec) != 192 || !bytes.Equal(dec[:n], data) {
			t.Fatalf("%d bytes: round trip differs", n)
		}
		for _, pos := range []int{0, 100, 255} {
			bad := bytes.Clone(enc)
			bad[pos] ^= 0x40
			if _, err := crypto.RSAPadDecrypt(priv, bad); !errors.Is(err, crypto.ErrRSAPadHash) && !errors.Is(err, crypto.ErrRSACiphertext) {
				t.Errorf("flip at %d: %v", pos, err)
			}
		}
	}
	enc, _ := crypto.RSAPadEncrypt(&priv.PublicKey, []byte("x"), nil)
	if _, err := crypto.RSAPadDecrypt(priv, enc[1:]); !errors.Is(err, crypto.ErrRSACiphertext) {
		t.Errorf("255 bytes: %v", err)
	}
	if _, err := crypto.RSAPadDecrypt(priv, priv.N.FillBytes(make([]byte, 256))); !errors.Is(err, crypto.ErrRSACiphertext) {
		t.Errorf("c = n: %v", err)
	}
	if _, err := crypto.RSAPadDecrypt(nil, enc); !errors.Is(err, crypto.ErrRSAKeySize) {
		t.Errorf("nil key: %v", err)
	}
	// Encrypted for another key: the hash check fails.
	other := publicKeyByFingerprint(t, -3414540481677951611)
	enc, _ = crypto.RSAPadEncrypt(other, []byte("hello"), nil)
	if new(big.Int).SetBytes(enc).Cmp(priv.N) < 0 {
		if _, err := crypto.RSAPadDecrypt(priv, enc); !errors.Is(err, crypto.ErrRSAPadHash) {
			t.Errorf("other key: %v", err)
		}
	}
	if _, err := crypto.RSAPadEncrypt(&priv.PublicKey, make([]byte, 145), nil); !errors.Is(err, crypto.ErrRSADataTooLong) {
		t.Errorf("145 bytes: %v", err)
	}
	if _, err := crypto.RSAPadEncrypt(&priv.PublicKey, nil, bytes.NewReader(make([]byte, 10))); err == nil {
		t.Error("short random source accepted")
	}
	if _, err := crypto.RSAPadEncrypt(nil, nil, nil); !errors.Is(err, crypto.ErrRSAKeySize) {
		t.Errorf("nil key: %v", err)
	}
	small := publicKeyByFingerprint(t, 1914007313702140277) // gotd's 1024-bit test key
	if _, err := crypto.RSAPadEncrypt(small, nil, nil); !errors.Is(err, crypto.ErrRSAKeySize) {
		t.Errorf("1024-bit key: %v", err)
	}
}

func TestRSALegacyRoundTrip(t *testing.T) {
	priv := serverKey(t)
	data := []byte("p_q_inner_data goes here")
	enc, err := crypto.RSALegacyEncrypt(&priv.PublicKey, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := crypto.RSALegacyDecrypt(priv, enc)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha1.Sum(data); payload.Hash != sum || len(payload.DataWithPadding) != 235 {
		t.Fatalf("hash %x, %d bytes", payload.Hash, len(payload.DataWithPadding))
	}
	got, err := payload.Data(len(data))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Data = %q, %v", got, err)
	}
	if _, err := payload.Data(len(data) + 1); !errors.Is(err, crypto.ErrRSAPadHash) {
		t.Errorf("wrong length: %v", err)
	}
	if _, err := payload.Data(300); !errors.Is(err, crypto.ErrRSAPadHash) {
		t.Errorf("length 300: %v", err)
	}
	max := make([]byte, crypto.RSALegacyMaxData)
	if _, err := crypto.RSALegacyEncrypt(&priv.PublicKey, max, nil); err != nil {
		t.Errorf("235 bytes: %v", err)
	}
	if _, err := crypto.RSALegacyEncrypt(&priv.PublicKey, append(max, 0), nil); !errors.Is(err, crypto.ErrRSADataTooLong) {
		t.Errorf("236 bytes: %v", err)
	}
	// An RSA_PAD ciphertext is not a legacy one: the leading byte is
	// (almost always) non-zero, and if it happens to be zero the hash fails.
	enc, _ = crypto.RSAPadEncrypt(&priv.PublicKey, data, nil)
	if m, err := crypto.RSALegacyDecrypt(priv, enc); err == nil {
		if _, err := m.Data(len(data)); !errors.Is(err, crypto.ErrRSAPadHash) {
			t.Errorf("RSA_PAD as legacy: %v", err)
		}
	} else if !errors.Is(err, crypto.ErrRSACiphertext) {
		t.Errorf("RSA_PAD as legacy: %v", err)
	}
}

func TestGenerateServerKey(t *testing.T) {
	if _, err := crypto.GenerateServerKey(1024, nil); !errors.Is(err, crypto.ErrRSAKeySize) {
		t.Errorf("1024 bits: %v", err)
	}
	seeded := func() io.Reader { return rand.NewChaCha8([32]byte{'p', 'o', 'l', 'y'}) }
	k1, err := crypto.GenerateServerKey(2048, seeded())
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		t.Log("short: skipping the determinism check")
	} else {
		k2, err := crypto.GenerateServerKey(2048, seeded())
		if err != nil {
			t.Fatal(err)
		}
		if k1.N.Cmp(k2.N) != 0 {
			t.Error("the same seed gave two keys")
		}
	}
	if k1.N.BitLen() != 2048 || k1.E != 65537 {
		t.Errorf("%d-bit key, e = %d", k1.N.BitLen(), k1.E)
	}
	// PEM round trips, and the key works for RSA_PAD.
	priv, err := crypto.ParsePrivateKeyPEM(crypto.MarshalPrivateKeyPEM(k1))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := crypto.ParsePublicKeyPEM(crypto.MarshalPublicKeyPEM(&k1.PublicKey))
	if err != nil || pub.Fingerprint != crypto.RSAFingerprint(&k1.PublicKey) {
		t.Fatalf("public PEM: %v", err)
	}
	enc, err := crypto.RSAPadEncrypt(pub.Key, []byte("data"), nil)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := crypto.RSAPadDecrypt(priv, enc)
	if err != nil || string(dec[:4]) != "data" {
		t.Fatalf("RSA_PAD with a generated key: %v", err)
	}
	k3, err := crypto.GenerateServerKey(2048, nil)
	if err != nil || k3.N.BitLen() != 2048 {
		t.Fatalf("GenerateServerKey(nil): %v", err)
	}
	if _, err := crypto.GenerateServerKey(2048, bytes.NewReader(make([]byte, 50))); err == nil {
		t.Error("short random source accepted")
	}
}
