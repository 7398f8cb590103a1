package emulator

import (
	"github.com/polygram/polygram/tl/api"
)

// Input peers are checked as Telegram checks them: a user or channel is
// reachable only with the access hash this viewer was given.

// inputUser resolves an InputUser for viewer.
func (m *model) inputUser(viewer *user, in api.InputUserClass) (*user, error) {
	switch x := in.(type) {
	case *api.InputUserSelf:
		return viewer, nil
	case *api.InputUser:
		u := m.users[x.UserID]
		if u == nil {
			return nil, errUserInvalid
		}
		if u.ID != viewer.ID && x.AccessHash != m.accessHash(viewer.ID, 'u', u.ID) {
			return nil, errUserInvalid
		}
		return u, nil
	case *api.InputUserFromMessage:
		u := m.users[x.UserID]
		if u == nil || !m.sawInMessage(viewer, x.Peer, x.MsgID, x.UserID) {
			return nil, errUserInvalid
		}
		return u, nil
	}
	return nil, errUserInvalid
}

// sawInMessage reports whether a message the viewer can see (in peer, id
// msgID) was sent by, or forwarded from, userID.
func (m *model) sawInMessage(viewer *user, in api.InputPeerClass, msgID int32, userID int64) bool {
	marked, err := m.inputPeer(viewer, in)
	if err != nil {
		return false
	}
	var p *post
	if k, id := peerKind(marked); k == 'c' {
		ch := m.channels[id]
		if ch == nil || !ch.canRead(viewer.ID) {
			return false
		}
		p = ch.msgs[msgID]
	} else if bm := viewer.msgs[msgID]; bm != nil && bm.peer == marked {
		p = bm.p
	}
	if p == nil || p.deleted {
		return false
	}
	if p.from == userID {
		return true
	}
	if p.fwd != nil {
		if pu, ok := p.fwd.FromID.(*api.PeerUser); ok && pu.UserID == userID {
			return true
		}
	}
	return false
}

// inputPeer resolves an InputPeer for viewer to a marked id.
func (m *model) inputPeer(viewer *user, in api.InputPeerClass) (int64, error) {
	switch x := in.(type) {
	case *api.InputPeerSelf:
		return viewer.ID, nil
	case *api.InputPeerUser:
		u := m.users[x.UserID]
		if u == nil || (u.ID != viewer.ID && x.AccessHash != m.accessHash(viewer.ID, 'u', u.ID)) {
			return 0, errPeerInvalid
		}
		return u.ID, nil
	case *api.InputPeerChat:
		c := m.chats[x.ChatID]
		if c == nil || (!c.isMember(viewer.ID) && !c.wasMember(viewer.ID)) {
			return 0, errPeerInvalid
		}
		return chatPeer(c.ID), nil
	case *api.InputPeerChannel:
		ch := m.channels[x.ChannelID]
		if ch == nil || x.AccessHash != m.accessHash(viewer.ID, 'c', ch.ID) {
			return 0, errPeerInvalid
		}
		return channelPeer(ch.ID), nil
	case *api.InputPeerUserFromMessage:
		if m.users[x.UserID] == nil || !m.sawInMessage(viewer, x.Peer, x.MsgID, x.UserID) {
			return 0, errPeerInvalid
		}
		return x.UserID, nil
	case *api.InputPeerChannelFromMessage:
		if m.channels[x.ChannelID] == nil {
			return 0, errPeerInvalid
		}
		if _, err := m.inputPeer(viewer, x.Peer); err != nil {
			return 0, errPeerInvalid
		}
		return channelPeer(x.ChannelID), nil
	}
	return 0, errPeerInvalid
}

// inputChannel resolves an InputChannel for viewer.
func (m *model) inputChannel(viewer *user, in api.InputChannelClass) (*channel, error) {
	switch x := in.(type) {
	case *api.InputChannel:
		ch := m.channels[x.ChannelID]
		if ch == nil || x.AccessHash != m.accessHash(viewer.ID, 'c', ch.ID) {
			return nil, errChanInvalid
		}
		return ch, nil
	case *api.InputChannelFromMessage:
		ch := m.channels[x.ChannelID]
		if ch == nil {
			return nil, errChanInvalid
		}
		if _, err := m.inputPeer(viewer, x.Peer); err != nil {
			return nil, errChanInvalid
		}
		return ch, nil
	}
	return nil, errChanInvalid
}

// peerRefs notes a marked peer in the users or chats set.
func peerRefs(marked int64) (users, chats map[int64]bool) {
	users, chats = map[int64]bool{}, map[int64]bool{}
	noteMarked(marked, users, chats)
	return users, chats
}
