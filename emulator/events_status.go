package emulator

import (
	"fmt"
	"slices"

	"github.com/polygram/polygram/tl/api"
)

// statusOnlineFor is how long an "online" status lasts without a renewal
// (Telegram clients renew it every few minutes).
const statusOnlineFor = 300

// pushStatus tells the users who know u (they have u in their contacts or
// a private chat with u) that u went online or offline, as
// account.updateStatus does on Telegram (updateUserStatus, no pts).
func (m *model) pushStatus(u *user, offline bool) {
	now := m.date()
	var status api.UserStatusClass = &api.UserStatusOnline{Expires: now + statusOnlineFor}
	if offline {
		status = &api.UserStatusOffline{WasOnline: now}
	}
	ids := make([]int64, 0, len(m.users))
	for id := range m.users {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		o := m.users[id]
		if o.ID == u.ID || (!o.contacts[u.ID] && o.dialogs[u.ID] == nil) {
			continue
		}
		m.push(o, keyRef{}, &api.UpdateShort{Update: &api.UpdateUserStatus{UserID: u.ID, Status: status}, Date: now})
	}
}

// SendAlbum posts several photos, with the given captions, as one album (the
// same grouped_id, as messages.sendMultiMedia does) from a user to a marked peer, and
// returns their ids in the sender's box (or the channel). Each participant
// gets the messages in one updates container.
func (e *Emulator) SendAlbum(from, toPeer int64, captions ...string) ([]int32, error) {
	if len(captions) < 2 || len(captions) > 10 {
		return nil, fmt.Errorf("emulator: SendAlbum: an album has 2 to 10 messages, not %d", len(captions))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.m.users[from]
	if u == nil {
		return nil, fmt.Errorf("emulator: SendAlbum: no user %d", from)
	}
	if err := e.m.checkPeer(toPeer); err != nil {
		return nil, fmt.Errorf("emulator: SendAlbum to %d: %w", toPeer, err)
	}
	grouped := randInt64() & (1<<62 - 1)
	var ids []int32
	for i, text := range captions {
		photo := e.m.newFile([]byte(fmt.Sprintf("album %d photo %d", grouped, i)), "photo.jpg", "image/jpeg", u.DC, true)
		res, err := e.m.send(u, toPeer, sendOpts{text: text, file: photo, grouped: grouped}, keyRef{})
		if err != nil {
			return nil, fmt.Errorf("emulator: SendAlbum from %d to %d: %w", from, toPeer, err)
		}
		ids = append(ids, sentID(res))
	}
	e.flushUpdates()
	return ids, nil
}

// pushChannelTyping tells the other members of a supergroup that u is
// typing (updateChannelUserTyping). Broadcast channels have no typing.
func (m *model) pushChannelTyping(u *user, ch *channel, q *api.MessagesSetTypingRequest) {
	if ch == nil || ch.Broadcast {
		return
	}
	for _, mid := range ch.order {
		mem := ch.members[mid]
		if mid == u.ID || mem == nil || mem.left {
			continue
		}
		if to := m.users[mid]; to != nil {
			m.push(to, keyRef{}, &api.UpdateShort{Update: &api.UpdateChannelUserTyping{ChannelID: ch.ID,
				TopMsgID: q.TopMsgID, FromID: &api.PeerUser{UserID: u.ID}, Action: q.Action}, Date: m.date()})
		}
	}
}
