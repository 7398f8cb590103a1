package handshake

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/polygram/polygram/internal/testvec"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl/mt"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// script serves reads from a fixed byte string and fails the test when the
// exchange asks for more randomness than was recorded.
type script struct {
	t   *testing.T
	buf []byte
}

func (s *script) Read(p []byte) (int, error) {
	if len(p) > len(s.buf) {
		s.t.Fatalf("exchange read %d random bytes, only %d recorded", len(p), len(s.buf))
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// The grammers recorded exchange against a Telegram test DC (see
// testdata/vectors/README.md, "grammers-emulated-auth-key-flow"): every
// request must match the recording byte for byte.
func TestReplaysRecordedExchange(t *testing.T) {
	v := testvec.ByID(t, "auth_key_exchange", "grammers-emulated-auth-key-flow")
	step2 := v.Hex(t, "step2_random")
	step3 := v.Hex(t, "step3_random")
	inner := v.Hex(t, "p_q_inner_data")
	var random []byte
	random = append(random, v.Hex(t, "step1_random_nonce")...)
	random = append(random, step2[0:32]...)                 // new_nonce
	random = append(random, step2[32:32+192-len(inner)]...) // RSA_PAD padding
	random = append(random, step2[224:256]...)              // temp_key
	random = append(random, step3...)                       // b, then padding
	now := int64(v["step3_now_unixtime"].(float64))
	c := &Client{Keys: crypto.TestKeys(), NoDC: true, Rand: &script{t, random},
		Now: func() time.Time { return time.Unix(now, 0) }}

	req, err := c.Start()
	if err != nil || !bytes.Equal(req, v.Hex(t, "step1_request_req_pq_multi")) {
		t.Fatalf("req_pq_multi: %x %v", req, err)
	}
	req, err = c.OnResPQ(v.Hex(t, "step1_response_resPQ"))
	if err != nil || !bytes.Equal(req, v.Hex(t, "step2_request_req_DH_params")) {
		t.Fatalf("req_DH_params differs (%v)\n got %x\nwant %x", err, req, v.Hex(t, "step2_request_req_DH_params"))
	}
	req, err = c.OnServerDHParams(v.Hex(t, "step2_response_server_DH_params_ok"))
	if err != nil || !bytes.Equal(req, v.Hex(t, "step3_request_set_client_DH_params")) {
		t.Fatalf("set_client_DH_params differs (%v)", err)
	}
	res, retry, err := c.OnDHGenAnswer(v.Hex(t, "step3_response_dh_gen_ok"))
	if err != nil || retry != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.AuthKey.Bytes(), v.Hex(t, "auth_key")) {
		t.Fatal("auth key differs")
	}
	id := res.AuthKey.ID()
	if hex.EncodeToString(id[:]) != v["auth_key_id"] {
		t.Fatalf("auth_key_id %x", id)
	}
	if strconv.FormatInt(res.Salt, 10) != v["first_salt_int64"] {
		t.Fatalf("salt %d", res.Salt)
	}
	if res.TimeOffset != 0 {
		t.Fatalf("time offset %v", res.TimeOffset)
	}
}

// The official 2024 sample (core.telegram.org/mtproto/samples-auth_key) from
// step 3 on: its RSA step cannot be replayed (temp_key is not printed), so the
// client state after step 2 is set from the sample.
func TestOfficialSampleFromServerDHParams(t *testing.T) {
	v := testvec.ByID(t, "auth_key_exchange", "official-samples-auth_key-2024")
	msgs := v["messages"].(map[string]any)
	body := func(name string) []byte {
		b := unhex(t, msgs[name].(string))
		return b[20:] // auth_key_id, msg_id, length
	}
	c := &Client{step: 2}
	copy(c.nonce[:], v.Hex(t, "nonce"))
	copy(c.serverNonce[:], v.Hex(t, "server_nonce"))
	copy(c.newNonce[:], v.Hex(t, "new_nonce"))
	c.tmpKey, c.tmpIV = crypto.TmpAESKeyIV(c.serverNonce, c.newNonce)
	if !bytes.Equal(c.tmpKey[:], v.Hex(t, "tmp_aes_key")) || !bytes.Equal(c.tmpIV[:], v.Hex(t, "tmp_aes_iv")) {
		t.Fatal("tmp key/iv differ")
	}
	c.Rand = &script{t, append(v.Hex(t, "b"), v.Hex(t, "client_padding")...)}
	req, err := c.OnServerDHParams(body("server_DH_params_ok")[:632])
	if err != nil {
		t.Fatal(err)
	}
	if want := body("set_client_DH_params"); !bytes.Equal(req, want[:len(req)]) {
		t.Fatalf("set_client_DH_params differs\n got %x\nwant %x", req, want)
	}
	res, _, err := c.OnDHGenAnswer(body("dh_gen_ok")[:52])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.AuthKey.Bytes(), v.Hex(t, "auth_key")) {
		t.Fatal("auth key differs")
	}
	if strconv.FormatInt(res.Salt, 10) != v["server_salt_int64"] {
		t.Fatalf("salt %d", res.Salt)
	}
}

func serverKey(t testing.TB) (*Server, []crypto.PublicKey) {
	t.Helper()
	k, err := crypto.GenerateServerKey(2048, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Server{Key: k}, []crypto.PublicKey{crypto.NewPublicKey(&k.PublicKey)}
}

var testServer *Server
var testKeys []crypto.PublicKey

func fixture(t testing.TB) (*Server, []crypto.PublicKey) {
	if testServer == nil {
		testServer, testKeys = serverKey(t)
	}
	return &Server{Key: testServer.Key}, testKeys
}

// exchange runs both halves in memory.
func exchange(t testing.TB, c *Client, s *Server) (*Result, *Result) {
	t.Helper()
	m, err := c.Start()
	if err != nil {
		t.Fatal(err)
	}
	if m, err = s.OnReqPQ(m); err != nil {
		t.Fatal(err)
	}
	if m, err = c.OnResPQ(m); err != nil {
		t.Fatal(err)
	}
	if m, err = s.OnReqDHParams(m); err != nil {
		t.Fatal(err)
	}
	if m, err = c.OnServerDHParams(m); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		ans, sres, err := s.OnSetClientDHParams(m)
		if err != nil {
			t.Fatal(err)
		}
		cres, next, err := c.OnDHGenAnswer(ans)
		if err != nil {
			t.Fatal(err)
		}
		if cres != nil {
			return cres, sres
		}
		m = next
		if i > 3 {
			t.Fatal("endless retries")
		}
	}
}

func TestClientAndServerAgree(t *testing.T) {
	s, keys := fixture(t)
	skew := 90 * time.Second
	s.Now = func() time.Time { return time.Now().Add(skew) }
	c := &Client{Keys: keys, DC: 2}
	cres, sres := exchange(t, c, s)
	if !cres.AuthKey.Equal(sres.AuthKey) || cres.Salt != sres.Salt {
		t.Fatal("client and server derived different keys or salts")
	}
	if sres.DC != 2 {
		t.Fatalf("server saw dc %d", sres.DC)
	}
	if d := cres.TimeOffset - skew; d.Abs() > 2*time.Second {
		t.Fatalf("time offset %v, want about %v", cres.TimeOffset, skew)
	}
}

func TestTemporaryKey(t *testing.T) {
	s, keys := fixture(t)
	c := &Client{Keys: keys, DC: 4, TempExpiresIn: 3600}
	cres, sres := exchange(t, c, s)
	if sres.ExpiresAt.IsZero() || cres.ExpiresAt.IsZero() || sres.DC != 4 {
		t.Fatalf("temp key: %+v %+v", cres, sres)
	}
	if d := time.Until(sres.ExpiresAt) - time.Hour; d.Abs() > time.Minute {
		t.Fatalf("expires at %v", sres.ExpiresAt)
	}
}

func TestRetryWhenKeyIDIsTaken(t *testing.T) {
	s, keys := fixture(t)
	calls := 0
	s.KeyInUse = func(int64) bool { calls++; return calls == 1 }
	c := &Client{Keys: keys}
	cres, sres := exchange(t, c, s)
	if calls != 2 || !cres.AuthKey.Equal(sres.AuthKey) || c.retryID == 0 {
		t.Fatalf("calls %d retry_id %d", calls, c.retryID)
	}
}

func TestRejectsWhatTheServerMustNotSend(t *testing.T) {
	_, keys := fixture(t)
	// Each case corrupts one server message and expects a typed error.
	cases := []struct {
		name    string
		step    int // 1: resPQ, 2: server_DH_params
		corrupt func(b []byte) []byte
		want    error
	}{
		{"resPQ nonce", 1, func(b []byte) []byte { b[4] ^= 1; return b }, ErrNonce},
		{"resPQ unknown key", 1, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, ErrNoKey},
		{"answer nonce", 2, func(b []byte) []byte { b[20] ^= 1; return b }, ErrNonce},
		{"answer tampered", 2, func(b []byte) []byte { b[len(b)-5] ^= 1; return b }, ErrAnswerHash},
		{"answer truncated", 2, func(b []byte) []byte { return b[:len(b)-16] }, ErrUnexpected},
		{"fail answer", 2, nil, ErrDHParamsFail},
	}
	for _, tc := range cases {
		s, _ := fixture(t)
		c := &Client{Keys: keys}
		m, _ := c.Start()
		m, _ = s.OnReqPQ(m)
		if tc.step == 1 {
			_, err := c.OnResPQ(tc.corrupt(m))
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: got %v", tc.name, err)
			}
			continue
		}
		m, _ = c.OnResPQ(m)
		m, err := s.OnReqDHParams(m)
		if err != nil {
			t.Fatal(err)
		}
		if tc.corrupt == nil {
			m = encode(&mt.ServerDHParamsFail{Nonce: c.nonce, ServerNonce: c.serverNonce})
		} else {
			m = tc.corrupt(m)
		}
		if _, err := c.OnServerDHParams(m); !errors.Is(err, tc.want) && !errors.Is(err, ErrAnswerHash) {
			t.Errorf("%s: got %v", tc.name, err)
		}
	}
}

func TestRejectsBadDHGroup(t *testing.T) {
	_, keys := fixture(t)
	for _, g := range []int{1, 8} {
		s, _ := fixture(t)
		s.G = g // a server offering a generator outside 2..7
		c := &Client{Keys: keys}
		m, _ := c.Start()
		m, _ = s.OnReqPQ(m)
		m, _ = c.OnResPQ(m)
		m, err := s.OnReqDHParams(m)
		if err != nil {
			continue // the server's own range check refused to build it
		}
		if _, err := c.OnServerDHParams(m); !errors.Is(err, crypto.ErrDHGenerator) {
			t.Fatalf("g = %d accepted: %v", g, err)
		}
	}
	// A prime that is not Telegram's safe prime.
	s, _ := fixture(t)
	s.DHPrime = new(big.Int).Lsh(big.NewInt(1), 2047)
	s.DHPrime.Add(s.DHPrime, big.NewInt(1))
	c := &Client{Keys: keys}
	m, _ := c.Start()
	m, _ = s.OnReqPQ(m)
	m, _ = c.OnResPQ(m)
	if m, err := s.OnReqDHParams(m); err == nil {
		if _, err := c.OnServerDHParams(m); !errors.Is(err, crypto.ErrDHPrime) && !errors.Is(err, crypto.ErrDHGenerator) {
			t.Fatalf("bad prime accepted: %v", err)
		}
	}
}

func TestServerRejectsForeignEncryptedData(t *testing.T) {
	s, _ := fixture(t)
	other, otherKeys := serverKey(t)
	_ = other
	c := &Client{Keys: otherKeys}
	m, _ := c.Start()
	m, _ = s.OnReqPQ(m)
	// The client does not know the server's key.
	if _, err := c.OnResPQ(m); !errors.Is(err, ErrNoKey) {
		t.Fatalf("got %v", err)
	}
	// Out-of-order steps are refused.
	if _, err := s.OnReqPQ(m); !errors.Is(err, ErrState) {
		t.Fatalf("got %v", err)
	}
}

func TestStepsNeverPanicOnGarbage(t *testing.T) {
	_, keys := fixture(t)
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 200; i++ {
		junk := make([]byte, r.IntN(300))
		for j := range junk {
			junk[j] = byte(r.Uint32())
		}
		s, _ := fixture(t)
		c := &Client{Keys: keys}
		c.Start()
		c.OnResPQ(junk)
		s.OnReqPQ(junk)
		c2 := &Client{Keys: keys, step: 2}
		c2.OnServerDHParams(junk)
		c3 := &Client{Keys: keys, step: 3}
		c3.OnDHGenAnswer(junk)
	}
}

func BenchmarkHandshakeInMemory(b *testing.B) {
	s, keys := fixture(b)
	for b.Loop() {
		exchange(b, &Client{Keys: keys}, &Server{Key: s.Key})
	}
}

func TestBindMessageRoundTrip(t *testing.T) {
	perm, _ := crypto.NewAuthKey(bytes.Repeat([]byte{7}, 256))
	temp, _ := crypto.NewAuthKey(bytes.Repeat([]byte{9}, 256))
	inner := &mt.BindAuthKeyInner{Nonce: 42, TempAuthKeyID: temp.IDInt64(), PermAuthKeyID: perm.IDInt64(),
		TempSessionID: 1234, ExpiresAt: 1800000000}
	msg, err := BindMessage(perm, inner, 0x6000000000000004, rand.NewChaCha8([32]byte{1}))
	if err != nil {
		t.Fatal(err)
	}
	got, msgID, err := OpenBindMessage(perm, msg)
	if err != nil || msgID != 0x6000000000000004 || !reflect.DeepEqual(got, inner) {
		t.Fatalf("%+v %x %v", got, msgID, err)
	}
	if _, _, err := OpenBindMessage(temp, msg); !errors.Is(err, ErrBindMessage) {
		t.Fatalf("wrong key: %v", err)
	}
	for i := 24; i < len(msg); i += 7 {
		bad := bytes.Clone(msg)
		bad[i] ^= 0x10
		if _, _, err := OpenBindMessage(perm, bad); !errors.Is(err, ErrBindMessage) {
			t.Fatalf("tampered byte %d accepted: %v", i, err)
		}
	}
}

func TestPlainFraming(t *testing.T) {
	v := testvec.ByID(t, "auth_key_exchange", "official-samples-auth_key-2024")
	raw := unhex(t, v["messages"].(map[string]any)["req_pq_multi"].(string))
	id, body, err := UnwrapPlain(raw)
	if err != nil || !IsPlain(raw) {
		t.Fatal(err)
	}
	if !bytes.Equal(WrapPlain(id, body), raw) {
		t.Fatal("rewrapped message differs from the official sample")
	}
	for _, bad := range [][]byte{raw[:10], append(bytes.Clone(raw), 0, 0, 0, 0), append([]byte{1}, raw[1:]...)} {
		if _, _, err := UnwrapPlain(bad); !errors.Is(err, ErrPlain) {
			t.Fatalf("accepted %x", bad)
		}
	}
}
