package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/server"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// A snapshot is the whole model as JSON: users, chats, channels, messages,
// update journals, and the permanent auth keys with their logins, so that a
// client keeps its session across emulator restarts. TL values (entities,
// markup, actions) are stored as their TL encoding.

const snapshotVersion = 1

type snapshot struct {
	Version     int
	Secret      []byte
	Salt        int64
	NextUser    int64
	NextChat    int64
	NextChannel int64
	Users       []snapUser
	Chats       []snapChat
	Channels    []snapChannel
	Posts       []snapPost
	Keys        []snapKey
	NextFile    int64
	Files       []snapFile
	Invites     []snapInvite
}

type snapInvite struct {
	Hash                             string
	Peer, Admin                      int64
	Date, Expire, Limit, Usage, Reqs int32
	Revoked, Permanent, Request      bool
	Title                            string
	Importers                        []snapImporter
}

type snapImporter struct {
	User      int64
	Date      int32
	Requested bool
}

type snapFile struct {
	ID, AccessHash int64
	Ref            []byte
	DC             int
	Data           []byte
	Mime, Name     string
	Date           int32
	Photo          bool
	W, H           int32
	Attrs          [][]byte
}

type snapUser struct {
	ID                     int64
	Phone, First, Last     string
	Username               string
	Bot                    bool
	DC                     int
	BotSecret              string
	Password               *password
	Photo                  int64
	Created                int32
	Contacts, Seen         []int64
	Pts, Qts, Seq, LastMsg int32
	Msgs                   []snapBoxMsg
	Dialogs                []snapDialog
	Journal                []snapEvent
}

type snapBoxMsg struct {
	ID   int32
	Peer int64
	Out  bool
	Post int
}

type snapDialog struct {
	Peer            int64
	ReadIn, ReadOut int32
	Pinned          bool
	PinOrder        int64
}

type snapEvent struct {
	Kind                     evKind
	Pts, PtsCount, Seq, Date int32
	Qts                      int32
	Msg                      int32
	IDs                      []int32
	Peer                     int64
	MaxID, Still             int32
	Upd                      []byte
}

type snapPost struct {
	From           int64
	Date, EditDate int32
	Text           string
	Entities       [][]byte
	Markup, Media  []byte
	Action, Fwd    []byte
	Silent         bool
	File, Grouped  int64
	ViaBot         int64
	ReplyTo        int // index+1 in Posts, 0: none
	Copies         map[int64]int32
	Channel        int64
	ID             int32
	Deleted        bool
}

type snapChat struct {
	ID          int64
	Title       string
	Creator     int64
	Date        int32
	Version     int32
	Members     []int64
	Inviter     map[int64]int64
	Joined      map[int64]int32
	Deactivated bool
	Admins      []int64
	Default     []byte // chatBannedRights
}

type snapChannel struct {
	ID                int64
	Title, About      string
	Username          string
	Creator           int64
	Broadcast         bool
	Megagroup         bool
	Date              int32
	Pts, LastID       int32
	LastDate, ReadMax int32
	Journal           []chEvent
	Msgs              []int // indexes in Posts
	Members           []snapMember
	DefaultBanned     []byte // chatBannedRights
}

type snapMember struct {
	User       int64
	Date       int32
	Inviter    int64
	Admin      bool // before admin rights were stored: every right
	Left       bool
	ReadIn     int32
	Rights     []byte // chatAdminRights
	PromotedBy int64
	Rank       string
	Banned     []byte // chatBannedRights
	KickedBy   int64
}

type snapKey struct {
	DC       int
	Key      []byte
	User     int64
	Imported bool
}

// The journal of channel events is stored as is; give its fields names
// encoding/json can see.
func (ev chEvent) MarshalJSON() ([]byte, error) {
	return json.Marshal(snapEvent{Kind: ev.kind, Pts: ev.pts, PtsCount: ev.ptsCount, Msg: ev.msg, IDs: ev.ids, Date: ev.date})
}

func (ev *chEvent) UnmarshalJSON(b []byte) error {
	var s snapEvent
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*ev = chEvent{kind: s.Kind, pts: s.Pts, ptsCount: s.PtsCount, msg: s.Msg, ids: s.IDs, date: s.Date}
	return nil
}

func encodeTL(o tl.Object) []byte {
	if o == nil {
		return nil
	}
	b, err := tl.Encode(o)
	if err != nil {
		return nil
	}
	return b
}

func decodeTL[T any](b []byte) (T, error) {
	var zero T
	if len(b) == 0 {
		return zero, nil
	}
	o, err := tl.Decode(b, api.New)
	if err != nil {
		return zero, err
	}
	v, ok := o.(T)
	if !ok {
		return zero, fmt.Errorf("snapshot: %s is not a %T", tl.Name(o), zero)
	}
	return v, nil
}

// saveSnapshot writes the model to path (atomically).
func (e *Emulator) saveSnapshot(path string) error {
	e.mu.Lock()
	s := e.snapshot()
	e.mu.Unlock()
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*")
	if err != nil {
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	return nil
}

func (e *Emulator) snapshot() *snapshot {
	m := e.m
	s := &snapshot{Version: snapshotVersion, Secret: m.secret[:], Salt: e.salts.base(),
		NextUser: m.nextUser, NextChat: m.nextChat, NextChannel: m.nextChannel}
	postIdx := map[*post]int{}
	var posts []*post
	index := func(p *post) int {
		if i, ok := postIdx[p]; ok {
			return i
		}
		postIdx[p] = len(posts)
		posts = append(posts, p)
		return len(posts) - 1
	}
	for _, id := range sortedKeys(boolSet(m.users)) {
		u := m.users[id]
		su := snapUser{ID: u.ID, Phone: u.Phone, First: u.First, Last: u.Last, Username: u.Username, Bot: u.Bot,
			DC: u.DC, BotSecret: u.botSecret, Password: u.pw, Photo: u.photo, Created: u.created,
			Contacts: sortedKeys(u.contacts), Seen: sortedKeys(u.seen),
			Pts: u.pts, Qts: u.qts, Seq: u.seq, LastMsg: u.lastMsgID}
		ids := make([]int32, 0, len(u.msgs))
		for id := range u.msgs {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			bm := u.msgs[id]
			su.Msgs = append(su.Msgs, snapBoxMsg{ID: id, Peer: bm.peer, Out: bm.out, Post: index(bm.p)})
		}
		for _, peer := range sortedKeys(boolSet(u.dialogs)) {
			d := u.dialogs[peer]
			su.Dialogs = append(su.Dialogs, snapDialog{Peer: peer, ReadIn: d.readIn, ReadOut: d.readOut, Pinned: d.pinned, PinOrder: d.pinOrder})
		}
		for _, ev := range u.journal {
			su.Journal = append(su.Journal, snapEvent{Kind: ev.kind, Pts: ev.pts, PtsCount: ev.ptsCount, Seq: ev.seq, Qts: ev.qts,
				Date: ev.date, Msg: ev.msg, IDs: ev.ids, Peer: ev.peer, MaxID: ev.maxID, Still: ev.still, Upd: encodeTL(ev.upd)})
		}
		s.Users = append(s.Users, su)
	}
	for _, id := range sortedKeys(boolSet(m.chats)) {
		c := m.chats[id]
		sc := snapChat{ID: c.ID, Title: c.Title, Creator: c.Creator, Date: c.Date, Version: c.Version,
			Members: c.members, Inviter: c.inviter, Joined: c.joined, Deactivated: c.deactivated, Admins: sortedKeys(c.admins)}
		if c.defaultBanned != nil {
			sc.Default = encodeTL(c.defaultBanned)
		}
		s.Chats = append(s.Chats, sc)
	}
	for _, id := range sortedKeys(boolSet(m.channels)) {
		ch := m.channels[id]
		sc := snapChannel{ID: ch.ID, Title: ch.Title, About: ch.About, Username: ch.Username, Creator: ch.Creator,
			Broadcast: ch.Broadcast, Megagroup: ch.Megagroup, Date: ch.Date, Pts: ch.pts, LastID: ch.lastID,
			LastDate: ch.lastDate, ReadMax: ch.readMax, Journal: ch.journal}
		if ch.defaultBanned != nil {
			sc.DefaultBanned = encodeTL(ch.defaultBanned)
		}
		ids := make([]int32, 0, len(ch.msgs))
		for id := range ch.msgs {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			sc.Msgs = append(sc.Msgs, index(ch.msgs[id]))
		}
		for _, uid := range ch.order {
			mem := ch.members[uid]
			sm := snapMember{User: uid, Date: mem.date, Inviter: mem.inviter, Left: mem.left, ReadIn: mem.readIn,
				PromotedBy: mem.promotedBy, Rank: mem.rank, KickedBy: mem.kickedBy}
			if mem.rights != nil {
				sm.Rights = encodeTL(mem.rights)
			}
			if mem.banned != nil {
				sm.Banned = encodeTL(mem.banned)
			}
			sc.Members = append(sc.Members, sm)
		}
		s.Channels = append(s.Channels, sc)
	}
	// Reply targets may add posts: index them before writing.
	for i := 0; i < len(posts); i++ {
		if r := posts[i].replyTo; r != nil {
			index(r)
		}
	}
	for _, p := range posts {
		sp := snapPost{From: p.from, Date: p.date, EditDate: p.editDate, Text: p.text, Markup: encodeTL(p.markup),
			Media: encodeTL(p.media), Action: encodeTL(p.action), Silent: p.silent, File: p.file, Grouped: p.grouped, ViaBot: p.viaBot, Copies: p.copies,
			Channel: p.channel, ID: p.id, Deleted: p.deleted}
		if p.fwd != nil {
			sp.Fwd = encodeTL(p.fwd)
		}
		for _, en := range p.entities {
			sp.Entities = append(sp.Entities, encodeTL(en))
		}
		if p.replyTo != nil {
			sp.ReplyTo = postIdx[p.replyTo] + 1
		}
		s.Posts = append(s.Posts, sp)
	}
	s.NextFile = m.nextFile
	for _, id := range sortedKeys(boolSet(m.files)) {
		f := m.files[id]
		sf := snapFile{ID: f.ID, AccessHash: f.AccessHash, Ref: f.Ref, DC: f.DC, Data: f.Data, Mime: f.Mime, Name: f.Name,
			Date: f.Date, Photo: f.Photo, W: f.W, H: f.H}
		for _, a := range f.Attrs {
			sf.Attrs = append(sf.Attrs, encodeTL(a))
		}
		s.Files = append(s.Files, sf)
	}
	hashes := make([]string, 0, len(m.invites))
	for h := range m.invites {
		hashes = append(hashes, h)
	}
	sort.Strings(hashes)
	for _, h := range hashes {
		inv := m.invites[h]
		si := snapInvite{Hash: inv.hash, Peer: inv.peer, Admin: inv.admin, Date: inv.date, Expire: inv.expire, Limit: inv.limit,
			Usage: inv.usage, Reqs: inv.requested, Revoked: inv.revoked, Permanent: inv.permanent, Request: inv.request, Title: inv.title}
		for _, im := range inv.importers {
			si.Importers = append(si.Importers, snapImporter{User: im.user, Date: im.date, Requested: im.requested})
		}
		s.Invites = append(s.Invites, si)
	}
	for _, d := range e.dcs {
		for _, k := range d.keys.all() {
			sk := snapKey{DC: d.id, Key: k.AuthKey.Bytes()}
			if ks := e.keys[keyRef{dc: d.id, id: k.AuthKey.IDInt64()}]; ks != nil {
				sk.User, sk.Imported = ks.user, ks.imported
			}
			s.Keys = append(s.Keys, sk)
		}
	}
	return s
}

// loadSnapshot replaces the model with the snapshot at path, if the file
// exists.
func (e *Emulator) loadSnapshot(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	var s snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("emulator: snapshot %s: %w", path, err)
	}
	if s.Version != snapshotVersion {
		return fmt.Errorf("emulator: snapshot %s: version %d, want %d", path, s.Version, snapshotVersion)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.restore(&s); err != nil {
		return fmt.Errorf("emulator: snapshot %s: %w", path, err)
	}
	return nil
}

func (e *Emulator) restore(s *snapshot) error {
	m := newModel(e.now, e.cfg.DCs)
	copy(m.secret[:], s.Secret)
	m.nextUser, m.nextChat, m.nextChannel = s.NextUser, s.NextChat, s.NextChannel
	if s.Salt != 0 {
		e.salts.cur, e.salts.first = s.Salt, s.Salt
	}
	posts := make([]*post, len(s.Posts))
	for i := range s.Posts {
		posts[i] = &post{}
	}
	for i, sp := range s.Posts {
		p := posts[i]
		*p = post{from: sp.From, date: sp.Date, editDate: sp.EditDate, text: sp.Text, silent: sp.Silent, file: sp.File, grouped: sp.Grouped, viaBot: sp.ViaBot,
			copies: sp.Copies, channel: sp.Channel, id: sp.ID, deleted: sp.Deleted}
		var err error
		if p.markup, err = decodeTL[api.ReplyMarkupClass](sp.Markup); err != nil {
			return err
		}
		if p.media, err = decodeTL[api.MessageMediaClass](sp.Media); err != nil {
			return err
		}
		if p.action, err = decodeTL[api.MessageActionClass](sp.Action); err != nil {
			return err
		}
		if p.fwd, err = decodeTL[*api.MessageFwdHeader](sp.Fwd); err != nil {
			return err
		}
		for _, eb := range sp.Entities {
			en, err := decodeTL[api.MessageEntityClass](eb)
			if err != nil {
				return err
			}
			p.entities = append(p.entities, en)
		}
		if sp.ReplyTo > 0 && sp.ReplyTo <= len(posts) {
			p.replyTo = posts[sp.ReplyTo-1]
		}
	}
	postAt := func(i int) (*post, error) {
		if i < 0 || i >= len(posts) {
			return nil, fmt.Errorf("post %d out of range", i)
		}
		return posts[i], nil
	}
	for _, su := range s.Users {
		u := &user{ID: su.ID, Phone: su.Phone, First: su.First, Last: su.Last, Username: su.Username, Bot: su.Bot,
			DC: su.DC, botSecret: su.BotSecret, pw: su.Password, photo: su.Photo, created: su.Created,
			contacts: map[int64]bool{}, seen: map[int64]bool{}, pts: su.Pts, qts: su.Qts, seq: su.Seq, lastMsgID: su.LastMsg,
			msgs: map[int32]*boxMsg{}, dialogs: map[int64]*dialog{}, random: map[int64]*sentRandom{}}
		for _, id := range su.Contacts {
			u.contacts[id] = true
		}
		for _, id := range su.Seen {
			u.seen[id] = true
		}
		for _, sd := range su.Dialogs {
			u.dialogs[sd.Peer] = &dialog{peer: sd.Peer, readIn: sd.ReadIn, readOut: sd.ReadOut, pinned: sd.Pinned, pinOrder: sd.PinOrder}
		}
		for _, sm := range su.Msgs {
			p, err := postAt(sm.Post)
			if err != nil {
				return err
			}
			bm := &boxMsg{id: sm.ID, peer: sm.Peer, out: sm.Out, p: p}
			u.msgs[sm.ID] = bm
			u.dialogOf(sm.Peer).add(sm.ID)
		}
		for _, se := range su.Journal {
			ev := event{kind: se.Kind, pts: se.Pts, ptsCount: se.PtsCount, seq: se.Seq, qts: se.Qts, date: se.Date, msg: se.Msg,
				ids: se.IDs, peer: se.Peer, maxID: se.MaxID, still: se.Still}
			if len(se.Upd) > 0 {
				upd, err := decodeTL[api.UpdateClass](se.Upd)
				if err != nil {
					return err
				}
				ev.upd = upd
			}
			u.journal = append(u.journal, ev)
		}
		m.users[u.ID] = u
		if u.Phone != "" {
			m.phones[u.Phone] = u.ID
		}
		if u.Username != "" {
			m.usernames[lower(u.Username)] = u.ID
		}
	}
	for _, sc := range s.Chats {
		c := &chat{ID: sc.ID, Title: sc.Title, Creator: sc.Creator, Date: sc.Date, Version: sc.Version,
			members: sc.Members, inviter: sc.Inviter, joined: sc.Joined, deactivated: sc.Deactivated}
		if c.inviter == nil {
			c.inviter = map[int64]int64{}
		}
		if c.joined == nil {
			c.joined = map[int64]int32{}
		}
		c.admins = map[int64]bool{}
		for _, id := range sc.Admins {
			c.admins[id] = true
		}
		var err error
		if c.defaultBanned, err = decodeTL[*api.ChatBannedRights](sc.Default); err != nil {
			return err
		}
		m.chats[c.ID] = c
	}
	for _, sc := range s.Channels {
		ch := &channel{ID: sc.ID, Title: sc.Title, About: sc.About, Username: sc.Username, Creator: sc.Creator,
			Broadcast: sc.Broadcast, Megagroup: sc.Megagroup, Date: sc.Date, pts: sc.Pts, lastID: sc.LastID,
			lastDate: sc.LastDate, readMax: sc.ReadMax, journal: sc.Journal, msgs: map[int32]*post{}, members: map[int64]*chMember{},
			now: m.date}
		var err error
		if ch.defaultBanned, err = decodeTL[*api.ChatBannedRights](sc.DefaultBanned); err != nil {
			return err
		}
		for _, i := range sc.Msgs {
			p, err := postAt(i)
			if err != nil {
				return err
			}
			ch.msgs[p.id] = p
			if !p.deleted {
				ch.ids = append(ch.ids, p.id)
			}
		}
		sort.Slice(ch.ids, func(i, j int) bool { return ch.ids[i] < ch.ids[j] })
		for _, sm := range sc.Members {
			mem := &chMember{date: sm.Date, inviter: sm.Inviter, left: sm.Left, readIn: sm.ReadIn,
				promotedBy: sm.PromotedBy, rank: sm.Rank, kickedBy: sm.KickedBy}
			var err error
			if mem.rights, err = decodeTL[*api.ChatAdminRights](sm.Rights); err != nil {
				return err
			}
			if mem.banned, err = decodeTL[*api.ChatBannedRights](sm.Banned); err != nil {
				return err
			}
			if sm.Admin && mem.rights == nil {
				mem.rights, mem.promotedBy = adminRights(), sc.Creator
			}
			ch.members[sm.User] = mem
			ch.order = append(ch.order, sm.User)
		}
		m.channels[ch.ID] = ch
		if ch.Username != "" {
			m.usernames[lower(ch.Username)] = channelPeer(ch.ID)
		}
	}
	if s.NextFile != 0 {
		m.nextFile = s.NextFile
	}
	for _, sf := range s.Files {
		f := &file{ID: sf.ID, AccessHash: sf.AccessHash, Ref: sf.Ref, DC: sf.DC, Data: sf.Data, Mime: sf.Mime,
			Name: sf.Name, Date: sf.Date, Photo: sf.Photo, W: sf.W, H: sf.H}
		for _, ab := range sf.Attrs {
			a, err := decodeTL[api.DocumentAttributeClass](ab)
			if err != nil {
				return err
			}
			f.Attrs = append(f.Attrs, a)
		}
		m.files[f.ID] = f
	}
	for _, si := range s.Invites {
		inv := &invite{hash: si.Hash, peer: si.Peer, admin: si.Admin, date: si.Date, expire: si.Expire, limit: si.Limit,
			usage: si.Usage, requested: si.Reqs, revoked: si.Revoked, permanent: si.Permanent, request: si.Request, title: si.Title}
		for _, im := range si.Importers {
			inv.importers = append(inv.importers, importer{user: im.User, date: im.Date, requested: im.Requested})
		}
		m.invites[inv.hash] = inv
	}
	e.m = m
	for _, sk := range s.Keys {
		d := e.dc(sk.DC)
		if d == nil {
			continue
		}
		k, err := crypto.NewAuthKey(sk.Key)
		if err != nil {
			return err
		}
		d.keys.Put(&server.Key{AuthKey: k, DC: sk.DC})
		if sk.User != 0 && m.users[sk.User] != nil {
			ks := e.keyState(keyRef{dc: sk.DC, id: k.IDInt64()})
			e.bind(&call{e: e, ks: ks}, m.users[sk.User], sk.Imported)
		}
	}
	return nil
}
