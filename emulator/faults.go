package emulator

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/polygram/polygram/tl/rpcerr"
)

// faults holds the injected faults consulted at dispatch.
type faults struct {
	mu   sync.Mutex
	fail map[string][]failRule // by method schema name
	slow map[int]time.Duration // by DC
	// tooLong lists users whose next updates.getDifference answers
	// differenceTooLong; chTooLong users and channels whose next
	// updates.getChannelDifference answers channelDifferenceTooLong.
	tooLong   map[int64]bool
	chTooLong map[[2]int64]bool
}

type failRule struct {
	n   int
	err *rpcError
}

func (f *faults) init() {
	f.fail = map[string][]failRule{}
	f.slow = map[int]time.Duration{}
	f.tooLong = map[int64]bool{}
	f.chTooLong = map[[2]int64]bool{}
}

// takeTooLong consumes a ForceDifferenceTooLong for a user.
func (f *faults) takeTooLong(userID int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tooLong[userID] {
		delete(f.tooLong, userID)
		return true
	}
	return false
}

// takeChannelTooLong consumes a ForceChannelDifferenceTooLong.
func (f *faults) takeChannelTooLong(userID, channelID int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := [2]int64{userID, channelID}
	if f.chTooLong[k] {
		delete(f.chTooLong, k)
		return true
	}
	return false
}

// ForceDifferenceTooLong makes the next updates.getDifference of a user
// that is behind answer differenceTooLong (with the current pts), as
// Telegram does after a long absence: the client must refetch what it
// missed some other way.
func (e *Emulator) ForceDifferenceTooLong(userID int64) {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.tooLong[userID] = true
}

// ForceChannelDifferenceTooLong makes the next updates.getChannelDifference
// of a user for a channel (marked id -100…) that is behind answer
// channelDifferenceTooLong: the channel's dialog and only its newest
// messages (up to the request's limit), as Telegram does when too much
// happened since.
func (e *Emulator) ForceChannelDifferenceTooLong(userID, channelMarkedID int64) error {
	k, id := peerKind(channelMarkedID)
	if k != 'c' {
		return fmt.Errorf("emulator: ForceChannelDifferenceTooLong: %d is not a marked channel id (-100…)", channelMarkedID)
	}
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.chTooLong[[2]int64{userID, id}] = true
	return nil
}

// next returns the error to answer a call of method with, if a FailNext rule
// applies, and consumes one use of it.
func (f *faults) next(method string) *rpcError {
	f.mu.Lock()
	defer f.mu.Unlock()
	rules := f.fail[method]
	if len(rules) == 0 {
		return nil
	}
	err := rules[0].err
	if rules[0].n--; rules[0].n <= 0 {
		rules = rules[1:]
	}
	if len(rules) == 0 {
		delete(f.fail, method)
	} else {
		f.fail[method] = rules
	}
	return err
}

func (f *faults) delay(dc int) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slow[dc]
}

// FailNext makes the next n calls of method (a schema name such as
// "messages.sendMessage", matched after unwrapping invokeWithLayer and the
// like) fail with rpcError, on any DC. The error code is chosen from the
// name as Telegram does: 420 for FLOOD_WAIT_X and SLOWMODE_WAIT_X, 303 for
// *_MIGRATE_X, 500 for INTERNAL and other server failures, 401 for
// AUTH_KEY_UNREGISTERED and the like, the listed code for other known names,
// and 400 otherwise. Rules for the same method queue up.
func (e *Emulator) FailNext(method string, n int, name string) {
	if n <= 0 {
		return
	}
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.fail[method] = append(e.faults.fail[method], failRule{n: n, err: &rpcError{Code: errorCode(name), Msg: name}})
}

// errorCode returns the code Telegram uses for an error name.
func errorCode(name string) int32 {
	switch {
	case strings.HasPrefix(name, "FLOOD_") || strings.HasPrefix(name, "SLOWMODE_WAIT_"):
		return 420
	case strings.Contains(name, "_MIGRATE_"):
		return 303
	case name == "INTERNAL" || strings.HasSuffix(name, "_FAIL") || strings.HasSuffix(name, "_FAILED") ||
		strings.HasPrefix(name, "INTERNAL") || name == "RANDOM_ID_DUPLICATE" || name == "TIMEOUT":
		return 500
	case name == "AUTH_KEY_UNREGISTERED" || name == "AUTH_KEY_INVALID" || name == "USER_DEACTIVATED" ||
		name == "SESSION_REVOKED" || name == "SESSION_EXPIRED" || name == "SESSION_PASSWORD_NEEDED" ||
		name == "AUTH_KEY_PERM_EMPTY" || name == "USER_DEACTIVATED_BAN":
		return 401
	}
	if info, _, ok := rpcerr.Match(name); ok && len(info.Codes) > 0 {
		return int32(info.Codes[0])
	}
	return 400
}

// SlowDC delays every call on a DC by d before it is handled (0 removes the
// delay).
func (e *Emulator) SlowDC(dc int, delay time.Duration) {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	if delay <= 0 {
		delete(e.faults.slow, dc)
		return
	}
	e.faults.slow[dc] = delay
}

// DropConnections closes every client connection on every DC. Sessions
// survive: a client that reconnects with its auth key continues where it
// was, and answers to requests in flight are delivered after the reconnect.
func (e *Emulator) DropConnections() {
	for _, d := range e.servers() {
		if d.srv == nil {
			continue
		}
		for _, s := range d.srv.Sessions() {
			s.Close()
		}
	}
}

// SkewClock shifts the emulator's clock by d (cumulative): message ids,
// dates and salts follow the shifted clock, so clients see their clock as
// wrong and must resynchronise (bad_msg_notification 16/17). Server msg_ids
// never go back, so a backward shift only shows on auth keys that first
// connect after it; shift forward to disturb running sessions.
func (e *Emulator) SkewClock(d time.Duration) { e.skew.Add(int64(d)) }

// HoldUpdates stops (hold) or resumes pushing updates to a user's
// connections. Held updates are not sent later; updates.getDifference still
// returns them, as after a real outage.
func (e *Emulator) HoldUpdates(userID int64, hold bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := e.m.users[userID]; u != nil {
		u.hold = hold
	}
}

// LoseUpdates drops the next n pushes to a user (every connection of the
// user misses them), which leaves a pts gap the client must fill with
// updates.getDifference. Calls add up; n <= 0 cancels the losses still
// pending.
func (e *Emulator) LoseUpdates(userID int64, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := e.m.users[userID]; u != nil {
		if n <= 0 {
			u.lose = 0
			return
		}
		u.lose += n
	}
}

// saltGrace is how long a replaced salt stays valid (Telegram keeps a salt
// valid for about 30 minutes after the next one starts).
const saltGrace = 30 * time.Minute

// saltState is the current server salt and recently replaced ones.
type saltState struct {
	mu    sync.Mutex
	first int64 // the salt every session engine starts with
	cur   int64
	old   []oldSalt
}

type oldSalt struct {
	salt  int64
	until time.Time
}

func (s *saltState) base() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first == 0 {
		s.first = s.cur
	}
	return s.first
}

// validSalt is server.Config.ValidSalt: the current salt, and replaced ones
// during their grace period.
func (e *Emulator) validSalt(salt int64) bool {
	s := &e.salts
	s.mu.Lock()
	defer s.mu.Unlock()
	if salt == s.cur {
		return true
	}
	now := e.now()
	for _, o := range s.old {
		if o.salt == salt && now.Before(o.until) {
			return true
		}
	}
	return false
}

// saltSetter is implemented by servers whose session engines can switch to
// a new salt (they then answer bad_server_salt with it).
type saltSetter interface{ SetSalt(salt int64) }

// RotateSalt makes a new server salt current on every DC; the previous one
// keeps working for a grace period, as on Telegram. Clients learn the new
// salt from bad_server_salt once the old one expires, or from
// get_future_salts.
func (e *Emulator) RotateSalt() {
	var setters []saltSetter
	for _, d := range e.dcs {
		if s, ok := any(d.srv).(saltSetter); ok {
			setters = append(setters, s)
		}
	}
	if len(setters) != len(e.dcs) {
		e.log.Warn("emulator: RotateSalt is not supported by mtproto/server (no SetSalt); the salt is unchanged")
		return
	}
	s := &e.salts
	s.mu.Lock()
	s.old = append(s.old, oldSalt{salt: s.cur, until: e.now().Add(saltGrace)})
	s.cur = randInt64()
	cur := s.cur
	s.mu.Unlock()
	for _, st := range setters {
		st.SetSalt(cur)
	}
}
