package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/server"
)

// Config configures an Emulator. The zero value is ready to use.
type Config struct {
	// DCs is the number of data centres, with ids 1..DCs (default 3).
	DCs int
	// Key is the RSA key of every DC. By default it is a fixed 2048-bit key
	// embedded in this package: it is public and only fit for local testing,
	// but it makes Start fast and lets clients hard-code the key.
	Key *rsa.PrivateKey
	// Now is the clock (default time.Now); SkewClock shifts it.
	Now func() time.Time
	// Logger receives diagnostics (discarded by default).
	Logger *slog.Logger
	// Snapshot, when set, is a file the model (users, chats, messages,
	// update state, auth keys) is loaded from at Start if it exists, and
	// saved to at Close.
	Snapshot string
}

// DC is the address of one emulated data centre.
type DC struct {
	ID   int
	Host string
	Port int
}

// Emulator is a running set of emulated Telegram data centres that share one
// model of users, chats and messages. Its methods are safe for concurrent
// use.
type Emulator struct {
	cfg    Config
	key    *rsa.PrivateKey
	pub    crypto.PublicKey
	log    *slog.Logger
	dcs    []*dcServer // index dc-1
	faults faults

	cdnKey    *rsa.PrivateKey
	cdnServer *dcServer // the CDN DC (cdn.go)

	mu       sync.Mutex // guards everything below and the model
	m        *model
	keys     map[keyRef]*keyState
	userKeys map[int64]map[keyRef]bool // the keys each user is logged in with
	salts    saltState
	cdn      cdnState
	skew     atomic.Int64 // nanoseconds added to Config.Now

	botTimeout time.Duration // how long callback and inline queries wait for the bot

	closeOnce sync.Once
	closeErr  error
}

// dcServer is one data centre: a listener and an MTProto server.
type dcServer struct {
	e    *Emulator
	id   int
	key  *rsa.PrivateKey
	ln   net.Listener
	srv  *server.Server
	keys *keyStore
	host string
	port int
	done chan struct{}
}

var (
	defaultKeyOnce sync.Once
	defaultKey     *rsa.PrivateKey
	defaultKeyErr  error

	cdnKeyOnce sync.Once
	cdnKey     *rsa.PrivateKey
	cdnKeyErr  error
)

// cdnTestKey returns the fixed, public RSA key of the CDN DC.
func cdnTestKey() (*rsa.PrivateKey, error) {
	cdnKeyOnce.Do(func() {
		cdnKey, cdnKeyErr = crypto.ParsePrivateKeyPEM([]byte(testCDNKeyPEM))
	})
	return cdnKey, cdnKeyErr
}

// DefaultKey returns the fixed, public RSA key the emulator uses when
// Config.Key is nil. It is for local testing only.
func DefaultKey() (*rsa.PrivateKey, error) {
	defaultKeyOnce.Do(func() {
		defaultKey, defaultKeyErr = crypto.ParsePrivateKeyPEM([]byte(testKeyPEM))
	})
	return defaultKey, defaultKeyErr
}

// Start starts the emulator: one listener on 127.0.0.1 (a free port) per DC.
// Stop it with Close.
func Start(cfg Config) (*Emulator, error) {
	if cfg.DCs <= 0 {
		cfg.DCs = 3
	}
	if cfg.DCs > 9 {
		return nil, fmt.Errorf("emulator: %d DCs asked, at most 9 are supported (test phones name their DC with one digit)", cfg.DCs)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	key := cfg.Key
	if key == nil {
		var err error
		if key, err = DefaultKey(); err != nil {
			return nil, fmt.Errorf("emulator: embedded key: %w", err)
		}
	}
	ck, err := cdnTestKey()
	if err != nil {
		return nil, fmt.Errorf("emulator: embedded CDN key: %w", err)
	}
	e := &Emulator{cfg: cfg, key: key, pub: crypto.NewPublicKey(&key.PublicKey), log: cfg.Logger,
		keys: map[keyRef]*keyState{}, userKeys: map[int64]map[keyRef]bool{}, cdnKey: ck}
	e.faults.init()
	e.botTimeout = botAnswerTimeout
	e.m = newModel(e.now, cfg.DCs)
	e.salts.cur = randInt64()
	for i := 1; i <= cfg.DCs; i++ {
		e.dcs = append(e.dcs, &dcServer{e: e, id: i, key: key, keys: newKeyStore(i), done: make(chan struct{})})
	}
	e.cdnServer = &dcServer{e: e, id: cdnDC, key: ck, keys: newKeyStore(cdnDC), done: make(chan struct{})}
	if cfg.Snapshot != "" {
		if err := e.loadSnapshot(cfg.Snapshot); err != nil {
			return nil, err
		}
	}
	for _, d := range e.servers() {
		if err := d.start(); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

func (d *dcServer) start() error {
	e := d.e
	srv, err := server.New(server.Config{
		Key:       d.key,
		Handler:   d,
		Keys:      d.keys,
		Salt:      e.salts.base(),
		ValidSalt: e.validSalt,
		Now:       e.now,
		Logger:    e.log.With("dc", d.id),
	})
	if err != nil {
		return fmt.Errorf("emulator: DC %d: %w", d.id, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("emulator: DC %d: listen: %w", d.id, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	d.srv, d.ln, d.host = srv, ln, host
	d.port, _ = strconv.Atoi(port)
	go func() {
		defer close(d.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, server.ErrClosed) {
			e.log.Error("emulator: serve failed", "dc", d.id, "err", err)
		}
	}()
	return nil
}

// Close stops every DC, closes every connection, and saves the snapshot when
// Config.Snapshot is set. It is idempotent.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		for _, d := range e.servers() {
			if d.srv != nil {
				d.srv.Close()
				<-d.done
			}
		}
		if e.cfg.Snapshot != "" {
			e.closeErr = e.saveSnapshot(e.cfg.Snapshot)
		}
	})
	return e.closeErr
}

// DCs returns the address of every DC, by id.
func (e *Emulator) DCs() []DC {
	out := make([]DC, 0, len(e.dcs))
	for _, d := range e.dcs {
		out = append(out, DC{ID: d.id, Host: d.host, Port: d.port})
	}
	return out
}

// Addr returns host:port of a DC ("" for an unknown DC).
func (e *Emulator) Addr(dc int) string {
	d := e.dc(dc)
	if d == nil {
		return ""
	}
	return net.JoinHostPort(d.host, strconv.Itoa(d.port))
}

// servers returns every DC's server, the CDN's last.
func (e *Emulator) servers() []*dcServer {
	return append(e.dcs[:len(e.dcs):len(e.dcs)], e.cdnServer)
}

// addr returns the DC's host:port.
func (d *dcServer) addr() string { return net.JoinHostPort(d.host, strconv.Itoa(d.port)) }

func (e *Emulator) dc(id int) *dcServer {
	if id < 1 || id > len(e.dcs) {
		return nil
	}
	return e.dcs[id-1]
}

// PublicKey returns the RSA public key clients must trust, with its
// fingerprint.
func (e *Emulator) PublicKey() crypto.PublicKey { return e.pub }

// PublicKeyPEM returns the RSA public key as a PKCS#1 "RSA PUBLIC KEY" PEM
// block, the form Telegram clients embed.
func (e *Emulator) PublicKeyPEM() string { return string(crypto.MarshalPublicKeyPEM(&e.key.PublicKey)) }

// now is the emulator's clock: Config.Now shifted by SkewClock.
func (e *Emulator) now() time.Time {
	return e.cfg.Now().Add(time.Duration(e.skew.Load()))
}

func randInt64() int64 {
	var b [8]byte
	rand.Read(b[:])
	var v int64
	for _, x := range b {
		v = v<<8 | int64(x)
	}
	return v
}
