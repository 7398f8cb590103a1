package core

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// ParticipantFilter selects which members IterParticipants lists.
type ParticipantFilter int

// Participant filters. Basic groups know no bans: Banned and Kicked list
// nobody there.
const (
	// ParticipantsRecent lists every member, the most recent first in
	// channels (the default).
	ParticipantsRecent ParticipantFilter = iota
	// ParticipantsAdmins lists the creator and the admins.
	ParticipantsAdmins
	// ParticipantsBots lists the bots.
	ParticipantsBots
	// ParticipantsBanned lists restricted members (admins only).
	ParticipantsBanned
	// ParticipantsKicked lists users removed and banned (admins only).
	ParticipantsKicked
)

// ParticipantsOptions select members for IterParticipants.
type ParticipantsOptions struct {
	Filter ParticipantFilter
	// Search keeps members whose name or username contains this text.
	Search string
	// Limit bounds the members returned (0 or NoLimit: all of them).
	Limit int
	// PageSize is the number asked per request (0: 200, the most).
	PageSize int
}

// Participant is a member of a group or channel.
type Participant struct {
	// User is the member (nil if the answer did not describe it).
	User *api.User
	// UserID is the member's id.
	UserID  int64
	Creator bool
	Admin   bool
	// Banned reports a restricted or kicked user (Kicked for the latter).
	Banned, Kicked bool
	Rank           string
	InviterID      int64
	Date           time.Time
	// Raw is the channelParticipant* or chatParticipant* value.
	Raw any
}

const maxParticipantsPage = 200

// IterParticipants yields the members of a basic group
// (messages.getFullChat), supergroup or channel (channels.getParticipants,
// paginated).
func (c *Client) IterParticipants(ctx context.Context, p session.Peer, o ParticipantsOptions) iter.Seq2[Participant, error] {
	return func(yield func(Participant, error) bool) {
		limit := o.Limit
		if limit == 0 {
			limit = NoLimit
		}
		switch p.Kind {
		case session.PeerChat:
			c.iterChatParticipants(ctx, p, o, limit, yield)
		case session.PeerChannel:
			c.iterChannelParticipants(ctx, p, o, limit, yield)
		default:
			yield(Participant{}, fmt.Errorf("%w: peer %d is a user, not a group or channel", ErrBadOptions, p.MarkedID()))
		}
	}
}

// GetParticipants collects IterParticipants.
func (c *Client) GetParticipants(ctx context.Context, p session.Peer, o ParticipantsOptions) ([]Participant, error) {
	return collect(c.IterParticipants(ctx, p, o))
}

func (c *Client) iterChannelParticipants(ctx context.Context, p session.Peer, o ParticipantsOptions, limit int, yield func(Participant, error) bool) {
	ch, _ := InputChannel(p)
	batch := pageSize(o.PageSize, maxParticipantsPage)
	var filter api.ChannelParticipantsFilterClass
	switch o.Filter {
	case ParticipantsAdmins:
		filter = &api.ChannelParticipantsAdmins{}
	case ParticipantsBots:
		filter = &api.ChannelParticipantsBots{}
	case ParticipantsBanned:
		filter = &api.ChannelParticipantsBanned{Q: o.Search}
	case ParticipantsKicked:
		filter = &api.ChannelParticipantsKicked{Q: o.Search}
	case ParticipantsRecent:
		filter = &api.ChannelParticipantsRecent{}
		if o.Search != "" {
			filter = &api.ChannelParticipantsSearch{Q: o.Search}
		}
	default:
		yield(Participant{}, fmt.Errorf("%w: unknown participant filter %d", ErrBadOptions, o.Filter))
		return
	}
	local := o.Search != "" && (o.Filter == ParticipantsAdmins || o.Filter == ParticipantsBots)
	seen, offset := 0, 0
	got := map[int64]bool{}
	for limit < 0 || seen < limit {
		res, err := c.Invoke(ctx, &api.ChannelsGetParticipantsRequest{Channel: ch, Filter: filter,
			Offset: int32(offset), Limit: int32(batch)})
		if err != nil {
			yield(Participant{}, err)
			return
		}
		page, ok := res.(*api.ChannelsChannelParticipants)
		if !ok || len(page.Participants) == 0 {
			return
		}
		users := usersByID(page.Users)
		for _, raw := range page.Participants {
			pt := channelParticipant(raw, users)
			if got[pt.UserID] || (local && !matchesUser(pt.User, o.Search)) {
				continue
			}
			got[pt.UserID] = true
			seen++
			if !yield(pt, nil) {
				return
			}
			if limit >= 0 && seen >= limit {
				return
			}
		}
		offset += len(page.Participants)
		if offset >= int(page.Count) || len(page.Participants) < batch {
			return
		}
	}
}

func (c *Client) iterChatParticipants(ctx context.Context, p session.Peer, o ParticipantsOptions, limit int, yield func(Participant, error) bool) {
	res, err := c.Invoke(ctx, &api.MessagesGetFullChatRequest{ChatID: p.ID})
	if err != nil {
		yield(Participant{}, err)
		return
	}
	full, _ := res.(*api.MessagesChatFull)
	var cf *api.ChatFull
	if full != nil {
		cf, _ = full.FullChat.(*api.ChatFull)
	}
	if cf == nil {
		return
	}
	parts, ok := cf.Participants.(*api.ChatParticipants)
	if !ok {
		yield(Participant{}, fmt.Errorf("core: the members of chat %d are hidden from this account", p.ID))
		return
	}
	users := usersByID(full.Users)
	seen := 0
	for _, raw := range parts.Participants {
		pt := Participant{Raw: raw}
		switch x := raw.(type) {
		case *api.ChatParticipant:
			pt.UserID, pt.InviterID, pt.Date = x.UserID, x.InviterID, time.Unix(int64(x.Date), 0)
		case *api.ChatParticipantCreator:
			pt.UserID, pt.Creator, pt.Admin = x.UserID, true, true
		case *api.ChatParticipantAdmin:
			pt.UserID, pt.Admin, pt.InviterID, pt.Date = x.UserID, true, x.InviterID, time.Unix(int64(x.Date), 0)
		default:
			continue
		}
		pt.User = users[pt.UserID]
		switch o.Filter {
		case ParticipantsAdmins:
			if !pt.Admin {
				continue
			}
		case ParticipantsBots:
			if pt.User == nil || !pt.User.Bot {
				continue
			}
		case ParticipantsBanned, ParticipantsKicked:
			continue
		}
		if o.Search != "" && !matchesUser(pt.User, o.Search) {
			continue
		}
		seen++
		if !yield(pt, nil) {
			return
		}
		if limit >= 0 && seen >= limit {
			return
		}
	}
}

func usersByID(list []api.UserClass) map[int64]*api.User {
	out := make(map[int64]*api.User, len(list))
	for _, u := range list {
		if x, ok := u.(*api.User); ok {
			out[x.ID] = x
		}
	}
	return out
}

func matchesUser(u *api.User, q string) bool {
	if u == nil {
		return false
	}
	text := strings.ToLower(u.FirstName.Val + " " + u.LastName.Val + " " + u.Username.Val)
	return strings.Contains(text, strings.ToLower(q))
}

func channelParticipant(raw api.ChannelParticipantClass, users map[int64]*api.User) Participant {
	pt := Participant{Raw: raw}
	switch x := raw.(type) {
	case *api.ChannelParticipant:
		pt.UserID, pt.Date, pt.Rank = x.UserID, time.Unix(int64(x.Date), 0), x.Rank.Val
	case *api.ChannelParticipantSelf:
		pt.UserID, pt.InviterID, pt.Date, pt.Rank = x.UserID, x.InviterID, time.Unix(int64(x.Date), 0), x.Rank.Val
	case *api.ChannelParticipantCreator:
		pt.UserID, pt.Creator, pt.Admin, pt.Rank = x.UserID, true, true, x.Rank.Val
	case *api.ChannelParticipantAdmin:
		pt.UserID, pt.Admin, pt.InviterID, pt.Rank = x.UserID, true, x.InviterID.Val, x.Rank.Val
		pt.Date = time.Unix(int64(x.Date), 0)
	case *api.ChannelParticipantBanned:
		pt.UserID, pt.Banned, pt.Date = MarkedPeerID(x.Peer), true, time.Unix(int64(x.Date), 0)
		if r, ok := x.BannedRights.(*api.ChatBannedRights); ok {
			pt.Kicked = r.ViewMessages
		}
	case *api.ChannelParticipantLeft:
		pt.UserID = MarkedPeerID(x.Peer)
	}
	pt.User = users[pt.UserID]
	return pt
}
