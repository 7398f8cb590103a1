package session

import (
	"sort"
	"strings"
	"sync"
	"time"
)

type peerKey struct {
	kind PeerKind
	id   int64
}

type memPeer struct {
	Peer
	seq uint64 // save order: the last saved peer wins a username or phone
}

// Memory is a [Store] that keeps everything in memory. It has the same
// semantics as the SQLite store and is safe for concurrent use. The zero
// value is an empty store ready to use.
type Memory struct {
	mu       sync.RWMutex
	closed   bool
	keys     map[int]AuthKey
	mainDC   int
	options  []DCOption
	self     *Self
	state    UpdateState
	hasState bool
	channels map[int64]int32
	lastIDs  map[int64]int32
	peers    map[peerKey]*memPeer
	// byUsername and byPhone map a lookup key to every peer claiming it.
	byUsername map[string]map[peerKey]struct{}
	byPhone    map[string]map[peerKey]struct{}
	seq        uint64
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	m := &Memory{}
	m.init()
	return m
}

// init makes the maps of a zero Memory; it runs under the write lock (reads
// of nil maps need none).
func (m *Memory) init() {
	if m.peers != nil {
		return
	}
	m.keys = map[int]AuthKey{}
	m.channels = map[int64]int32{}
	m.lastIDs = map[int64]int32{}
	m.peers = map[peerKey]*memPeer{}
	m.byUsername = map[string]map[peerKey]struct{}{}
	m.byPhone = map[string]map[peerKey]struct{}{}
}

func (m *Memory) read() error {
	m.mu.RLock()
	if m.closed {
		m.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

func (m *Memory) write() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	m.init()
	return nil
}

// AuthKey implements [Store].
func (m *Memory) AuthKey(dc int) (*AuthKey, error) {
	if err := m.read(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	k, ok := m.keys[dc]
	if !ok {
		return nil, nil
	}
	k = cloneAuthKey(k)
	return &k, nil
}

// AuthKeys implements [AuthKeyLister]: every key, by DC.
func (m *Memory) AuthKeys() ([]AuthKey, error) {
	if err := m.read(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	out := make([]AuthKey, 0, len(m.keys))
	for _, k := range m.keys {
		out = append(out, cloneAuthKey(k))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DC < out[j].DC })
	return out, nil
}

// SetAuthKey implements [Store].
func (m *Memory) SetAuthKey(k AuthKey) error {
	if err := validateAuthKey(k); err != nil {
		return err
	}
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.keys[k.DC] = cloneAuthKey(k)
	return nil
}

// DeleteAuthKey implements [Store].
func (m *Memory) DeleteAuthKey(dc int) error {
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	delete(m.keys, dc)
	return nil
}

// MainDC implements [Store].
func (m *Memory) MainDC() (int, error) {
	if err := m.read(); err != nil {
		return 0, err
	}
	defer m.mu.RUnlock()
	return m.mainDC, nil
}

// SetMainDC implements [Store]. 0 unsets it.
func (m *Memory) SetMainDC(dc int) error {
	if dc < 0 {
		return invalid("main DC %d is negative", dc)
	}
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.mainDC = dc
	return nil
}

// DCOptions implements [Store].
func (m *Memory) DCOptions() ([]DCOption, error) {
	if err := m.read(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	return cloneOptions(m.options), nil
}

// SetDCOptions implements [Store].
func (m *Memory) SetDCOptions(opts []DCOption) error {
	if err := validateDCOptions(opts); err != nil {
		return err
	}
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.options = cloneOptions(opts)
	return nil
}

// Self implements [Store].
func (m *Memory) Self() (*Self, error) {
	if err := m.read(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	if m.self == nil {
		return nil, nil
	}
	s := *m.self
	return &s, nil
}

// SetSelf implements [Store].
func (m *Memory) SetSelf(s *Self) error {
	if err := validateSelf(s); err != nil {
		return err
	}
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	if s == nil {
		m.self = nil
		return nil
	}
	c := *s
	m.self = &c
	return nil
}

// UpdateState implements [Store].
func (m *Memory) UpdateState() (UpdateState, bool, error) {
	if err := m.read(); err != nil {
		return UpdateState{}, false, err
	}
	defer m.mu.RUnlock()
	return m.state, m.hasState, nil
}

// SetUpdateState implements [Store].
func (m *Memory) SetUpdateState(s UpdateState) error {
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.state, m.hasState = s, true
	return nil
}

// ChannelPts implements [Store].
func (m *Memory) ChannelPts(channelID int64) (int32, bool, error) {
	if err := m.read(); err != nil {
		return 0, false, err
	}
	defer m.mu.RUnlock()
	pts, ok := m.channels[channelID]
	return pts, ok, nil
}

// SetChannelPts implements [Store].
func (m *Memory) SetChannelPts(channelID int64, pts int32) error {
	if channelID <= 0 {
		return invalid("channel id %d is not positive (ids are bare, not marked)", channelID)
	}
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.channels[channelID] = pts
	return nil
}

// SaveState implements [Store].
func (m *Memory) SaveState(s *UpdateState, channels map[int64]int32, peers []Peer) error {
	if err := validateChannels(channels); err != nil {
		return err
	}
	norm, err := normalizePeers(peers, time.Now())
	if err != nil {
		return err
	}
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.savePeersLocked(norm)
	if s != nil {
		m.state, m.hasState = *s, true
	}
	for id, pts := range channels {
		m.channels[id] = pts
	}
	return nil
}

// LastMessageIDs implements [LastMessageStore].
func (m *Memory) LastMessageIDs() (map[int64]int32, error) {
	if err := m.read(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	out := make(map[int64]int32, len(m.lastIDs))
	for box, id := range m.lastIDs {
		out[box] = id
	}
	return out, nil
}

// SaveStateLastIDs implements [LastMessageStore].
func (m *Memory) SaveStateLastIDs(s *UpdateState, channels map[int64]int32, lastIDs map[int64]int32, peers []Peer) error {
	if err := validateLastIDs(lastIDs); err != nil {
		return err
	}
	if err := validateChannels(channels); err != nil {
		return err
	}
	norm, err := normalizePeers(peers, time.Now())
	if err != nil {
		return err
	}
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.savePeersLocked(norm)
	if s != nil {
		m.state, m.hasState = *s, true
	}
	for id, pts := range channels {
		m.channels[id] = pts
	}
	for box, id := range lastIDs {
		m.lastIDs[box] = id
	}
	return nil
}

// SavePeers implements [Store].
func (m *Memory) SavePeers(peers []Peer) error {
	norm, err := normalizePeers(peers, time.Now())
	if err != nil {
		return err
	}
	if len(norm) == 0 {
		return m.checkOpen()
	}
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.savePeersLocked(norm)
	return nil
}

func (m *Memory) checkOpen() error {
	if err := m.read(); err != nil {
		return err
	}
	m.mu.RUnlock()
	return nil
}

func normalizePeers(peers []Peer, now time.Time) ([]Peer, error) {
	now = now.UTC()
	out := make([]Peer, len(peers))
	for i, p := range peers {
		n, err := normalizePeer(p, now)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func (m *Memory) savePeersLocked(peers []Peer) {
	for _, p := range peers {
		key := peerKey{p.Kind, p.ID}
		old := m.peers[key]
		if old != nil {
			p = mergeMin(&old.Peer, p)
			for _, u := range old.Usernames {
				unindex(m.byUsername, strings.ToLower(u), key)
			}
			unindex(m.byPhone, old.Phone, key)
		}
		m.seq++
		m.peers[key] = &memPeer{Peer: clonePeer(p), seq: m.seq}
		for _, u := range p.Usernames {
			index(m.byUsername, strings.ToLower(u), key)
		}
		index(m.byPhone, p.Phone, key)
	}
}

func index(idx map[string]map[peerKey]struct{}, k string, key peerKey) {
	if k == "" {
		return
	}
	set := idx[k]
	if set == nil {
		set = map[peerKey]struct{}{}
		idx[k] = set
	}
	set[key] = struct{}{}
}

func unindex(idx map[string]map[peerKey]struct{}, k string, key peerKey) {
	if set := idx[k]; set != nil {
		delete(set, key)
		if len(set) == 0 {
			delete(idx, k)
		}
	}
}

// PeerByID implements [Store].
func (m *Memory) PeerByID(id int64, kind PeerKind) (*Peer, error) {
	if !kind.valid() {
		return nil, invalid("peer %d: invalid kind %v", id, kind)
	}
	if err := m.read(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	p := m.peers[peerKey{kind, id}]
	if p == nil {
		return nil, nil
	}
	c := clonePeer(p.Peer)
	return &c, nil
}

// PeerByUsername implements [Store].
func (m *Memory) PeerByUsername(username string) (*Peer, error) {
	u := NormalizeUsername(username)
	if u == "" {
		return nil, invalid("empty username %q", username)
	}
	if err := m.read(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	return m.latest(m.byUsername[u]), nil
}

// PeerByPhone implements [Store].
func (m *Memory) PeerByPhone(phone string) (*Peer, error) {
	ph := NormalizePhone(phone)
	if ph == "" {
		return nil, invalid("phone %q has no digits", phone)
	}
	if err := m.read(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	return m.latest(m.byPhone[ph]), nil
}

func (m *Memory) latest(set map[peerKey]struct{}) *Peer {
	var best *memPeer
	for key := range set {
		if p := m.peers[key]; p != nil && (best == nil || p.seq > best.seq) {
			best = p
		}
	}
	if best == nil {
		return nil
	}
	c := clonePeer(best.Peer)
	return &c
}

// Close implements [Store]. A second Close returns [ErrClosed].
func (m *Memory) Close() error {
	if err := m.write(); err != nil {
		return err
	}
	defer m.mu.Unlock()
	m.closed = true
	m.keys, m.channels, m.peers, m.byUsername, m.byPhone, m.options, m.self = nil, nil, nil, nil, nil, nil, nil
	return nil
}
