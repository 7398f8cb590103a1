package emulator

import (
	"fmt"
	"sync"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/server"
)

// keyStore is the auth-key store of one DC. Keys made on one DC are unknown
// to the others, as on Telegram (a client that brings one gets -404).
type keyStore struct {
	dc   int
	mu   sync.Mutex
	keys map[int64]*server.Key
}

func newKeyStore(dc int) *keyStore { return &keyStore{dc: dc, keys: map[int64]*server.Key{}} }

// Get returns the key with the given id.
func (s *keyStore) Get(id int64) (*server.Key, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	return k, ok
}

// Put stores a key.
func (s *keyStore) Put(k *server.Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[k.AuthKey.IDInt64()] = k
}

// all returns the permanent keys (temporary keys are not worth keeping).
func (s *keyStore) all() []*server.Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*server.Key, 0, len(s.keys))
	for _, k := range s.keys {
		if !k.Temp {
			out = append(out, k)
		}
	}
	return out
}

// AddAuthKey registers a 256-byte permanent auth key on a DC, as if a client
// had made it with the key exchange. It lets tests open many connections
// without paying for many exchanges; the client must then use the same key.
func (e *Emulator) AddAuthKey(dc int, key []byte) error {
	d := e.dc(dc)
	if d == nil {
		return errf(400, "DC_ID_INVALID")
	}
	k, err := crypto.NewAuthKey(key)
	if err != nil {
		return err
	}
	d.keys.Put(&server.Key{AuthKey: k, DC: dc})
	return nil
}

// keyRef names a permanent auth key on one DC.
type keyRef struct {
	dc int
	id int64
}

// keyState is what the emulator knows about one permanent auth key: the user
// it is authorized as, login state in progress, and where its updates go.
type keyState struct {
	ref      keyRef
	user     int64 // 0: not authorized
	imported bool  // authorized by auth.importAuthorization: no updates here
	created  time.Time

	pendingUser int64                 // signed in, waiting for the 2FA password
	srp         map[int64]*srpAttempt // by srp_id
	loginTokens map[string]struct{}   // QR tokens this key exported
	device      deviceInfo            // from initConnection
	out         *outbox               // updates for this key
}

type srpAttempt struct {
	srv *crypto.SRPServer
	pw  *password // the password the attempt was made for
}

type deviceInfo struct {
	apiID                                int32
	model, system, app, langCode, langPk string
}

// keyState returns (creating) the state of a key. e.mu must be held.
func (e *Emulator) keyState(ref keyRef) *keyState {
	ks := e.keys[ref]
	if ks == nil {
		ks = &keyState{ref: ref, created: e.now(), out: &outbox{e: e, ref: ref}}
		e.keys[ref] = ks
	}
	return ks
}

// outbox queues the updates pushed to one auth key and delivers them in
// order on whichever connection carries the key, from a goroutine that runs
// only while there is something to deliver.
type outbox struct {
	e   *Emulator
	ref keyRef

	mu      sync.Mutex
	q       [][]byte
	running bool
	sess    *server.Session // the connection that last brought a request
	wants   bool            // the client asked for updates on this key
}

// attach records the connection a request came on.
func (o *outbox) attach(s *server.Session, wants bool) {
	o.mu.Lock()
	o.sess = s
	if wants {
		o.wants = true
	}
	o.mu.Unlock()
}

// wantsUpdates reports whether the key's client asked for updates.
func (o *outbox) wantsUpdates() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.wants
}

// reset stops updates (the key logged out).
func (o *outbox) reset() {
	o.mu.Lock()
	o.wants = false
	o.mu.Unlock()
}

// push queues an update for a client that asked for updates; it never
// blocks on the network.
func (o *outbox) push(body []byte) {
	o.mu.Lock()
	if !o.wants {
		o.mu.Unlock()
		return
	}
	o.enqueue(body)
}

// force queues an update even for a key not logged in (updateLoginToken).
func (o *outbox) force(body []byte) {
	o.mu.Lock()
	o.enqueue(body)
}

// enqueue queues body and starts delivery; o.mu is held and released.
func (o *outbox) enqueue(body []byte) {
	o.q = append(o.q, body)
	if o.running {
		o.mu.Unlock()
		return
	}
	o.running = true
	o.mu.Unlock()
	go o.drain()
}

func (o *outbox) drain() {
	for {
		o.mu.Lock()
		if len(o.q) == 0 {
			o.running = false
			o.mu.Unlock()
			return
		}
		body := o.q[0]
		o.q[0] = nil
		o.q = o.q[1:]
		s := o.sess
		o.mu.Unlock()
		if s == nil || isDone(s) {
			s = o.e.findSession(o.ref)
			o.mu.Lock()
			if s != nil {
				o.sess = s
			}
			o.mu.Unlock()
		}
		if s == nil || !s.Push(body) {
			// Not connected: the update is lost for this connection, as on
			// Telegram; the client recovers it with updates.getDifference.
			o.e.log.Debug("emulator: update dropped, key not connected", "dc", o.ref.dc)
		}
	}
}

func isDone(s *server.Session) bool {
	select {
	case <-s.Done():
		return true
	default:
		return false
	}
}

// findSession finds a live connection carrying a key (after a reconnect
// the client may not have sent a request yet, only pings).
func (e *Emulator) findSession(ref keyRef) *server.Session {
	d := e.dc(ref.dc)
	if d == nil || d.srv == nil {
		return nil
	}
	var found *server.Session
	for _, s := range d.srv.Sessions() {
		if s.PermKeyID() == ref.id && !isDone(s) {
			found = s // any will do; the engine sends on the newest owner
		}
	}
	return found
}

// AuthorizeKey registers a 256-byte permanent auth key on a DC (if it is not
// known yet) and logs it in as a user, as a completed login would. Tests use
// it to open ready sessions without the key exchange and login calls.
func (e *Emulator) AuthorizeKey(dc int, key []byte, userID int64) error {
	if err := e.AddAuthKey(dc, key); err != nil {
		return err
	}
	k, _ := crypto.NewAuthKey(key)
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.m.users[userID]
	if u == nil {
		return fmt.Errorf("emulator: AuthorizeKey: no user %d", userID)
	}
	ks := e.keyState(keyRef{dc: dc, id: k.IDInt64()})
	e.bind(&call{e: e, ks: ks}, u, false)
	return nil
}
