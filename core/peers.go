package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// ErrPeerNotFound is returned when a peer cannot be resolved.
var ErrPeerNotFound = errors.New("core: peer not found")

// PeerError explains why a peer could not be resolved and how to meet it.
type PeerError struct {
	Query string
	Why   string
}

func (e *PeerError) Error() string { return fmt.Sprintf("core: cannot resolve %q: %s", e.Query, e.Why) }

func (e *PeerError) Unwrap() error { return ErrPeerNotFound }

// cacheResult stores every user and chat a result carries (one batched write).
func (c *Client) cacheResult(res any) {
	o, ok := res.(tl.Object)
	if !ok {
		if users, ok := res.([]api.UserClass); ok {
			c.cachePeers(users, nil)
		}
		return
	}
	users, chats := api.Entities(o)
	c.cachePeers(users, chats)
}

// cachePeers converts users and chats to session peers and saves them.
func (c *Client) cachePeers(users []api.UserClass, chats []api.ChatClass) {
	if len(users) == 0 && len(chats) == 0 {
		return
	}
	now := time.Now()
	peers := make([]session.Peer, 0, len(users)+len(chats))
	for _, u := range users {
		if p, ok := userPeer(u); ok {
			p.UpdatedAt = now
			peers = append(peers, p)
		}
	}
	for _, ch := range chats {
		if p, ok := chatPeer(ch); ok {
			p.UpdatedAt = now
			peers = append(peers, p)
		}
	}
	if err := c.store.SavePeers(peers); err != nil {
		c.cfg.Logger.Error("caching peers failed", "err", err)
	}
}

func userPeer(u api.UserClass) (session.Peer, bool) {
	x, ok := u.(*api.User)
	if !ok {
		return session.Peer{}, false
	}
	p := session.Peer{ID: x.ID, Kind: session.PeerUser, AccessHash: x.AccessHash.Val, Bot: x.Bot, Min: x.Min,
		Phone: x.Phone.Val, Name: strings.TrimSpace(x.FirstName.Val + " " + x.LastName.Val)}
	if x.Username.Set {
		p.Username = x.Username.Val
	}
	for _, un := range x.Usernames {
		if v, ok := un.(*api.Username); ok && v.Active {
			p.Usernames = append(p.Usernames, v.Username)
		}
	}
	if p.Username == "" && len(p.Usernames) > 0 {
		p.Username = p.Usernames[0]
	}
	return p, true
}

func chatPeer(ch api.ChatClass) (session.Peer, bool) {
	switch x := ch.(type) {
	case *api.Chat:
		return session.Peer{ID: x.ID, Kind: session.PeerChat, Name: x.Title}, true
	case *api.ChatForbidden:
		return session.Peer{ID: x.ID, Kind: session.PeerChat, Name: x.Title}, true
	case *api.Channel:
		p := session.Peer{ID: x.ID, Kind: session.PeerChannel, AccessHash: x.AccessHash.Val, Name: x.Title, Min: x.Min}
		p.Username = x.Username.Val
		for _, un := range x.Usernames {
			if v, ok := un.(*api.Username); ok && v.Active {
				p.Usernames = append(p.Usernames, v.Username)
			}
		}
		if p.Username == "" && len(p.Usernames) > 0 {
			p.Username = p.Usernames[0]
		}
		return p, true
	case *api.ChannelForbidden:
		return session.Peer{ID: x.ID, Kind: session.PeerChannel, AccessHash: x.AccessHash, Name: x.Title}, true
	}
	return session.Peer{}, false
}

// InputPeer converts a cached peer to the InputPeer the API takes.
func InputPeer(p session.Peer) api.InputPeerClass {
	switch p.Kind {
	case session.PeerChat:
		return &api.InputPeerChat{ChatID: p.ID}
	case session.PeerChannel:
		return &api.InputPeerChannel{ChannelID: p.ID, AccessHash: p.AccessHash}
	}
	return &api.InputPeerUser{UserID: p.ID, AccessHash: p.AccessHash}
}

// InputUser converts a cached user to an InputUser.
func InputUser(p session.Peer) (api.InputUserClass, error) {
	if p.Kind != session.PeerUser {
		return nil, fmt.Errorf("core: peer %d is not a user", p.MarkedID())
	}
	return &api.InputUser{UserID: p.ID, AccessHash: p.AccessHash}, nil
}

// InputChannel converts a cached channel to an InputChannel.
func InputChannel(p session.Peer) (api.InputChannelClass, error) {
	if p.Kind != session.PeerChannel {
		return nil, fmt.Errorf("core: peer %d is not a channel", p.MarkedID())
	}
	return &api.InputChannel{ChannelID: p.ID, AccessHash: p.AccessHash}, nil
}

// ResolvePeer finds a peer the way users name them: "me" or "self", a
// username ("@name" or "name"), a t.me link ("t.me/name",
// "https://t.me/name"), a phone number of a contact ("+99966…"), or a
// marked id as a string ("12345", "-123", "-100123…"). The session cache is
// consulted first; the network only on a miss.
func (c *Client) ResolvePeer(ctx context.Context, query string) (session.Peer, error) {
	q := strings.TrimSpace(query)
	switch {
	case q == "":
		return session.Peer{}, &PeerError{query, "empty peer"}
	case strings.EqualFold(q, "me") || strings.EqualFold(q, "self"):
		return c.Self(ctx)
	case strings.HasPrefix(q, "+"):
		return c.resolvePhone(ctx, q)
	}
	if n, err := strconv.ParseInt(q, 10, 64); err == nil {
		return c.ResolveID(ctx, n)
	}
	if hash, ok := InviteHash(q); ok {
		return c.resolveInvite(ctx, q, hash)
	}
	return c.resolveUsername(ctx, usernameOf(q))
}

// InviteHash extracts the hash of an invite link ("t.me/+HASH",
// "t.me/joinchat/HASH", "tg://join?invite=HASH").
func InviteHash(link string) (string, bool) {
	l := link
	for _, p := range []string{"https://", "http://", "www."} {
		l = strings.TrimPrefix(l, p)
	}
	for _, p := range []string{"t.me/+", "telegram.me/+", "t.me/joinchat/", "telegram.me/joinchat/", "tg://join?invite="} {
		if rest, ok := strings.CutPrefix(l, p); ok && rest != "" {
			if i := strings.IndexAny(rest, "/?&"); i >= 0 {
				rest = rest[:i]
			}
			return rest, true
		}
	}
	return "", false
}

// resolveInvite resolves a chat by invite link when this account is (or can
// peek into) a member.
func (c *Client) resolveInvite(ctx context.Context, link, hash string) (session.Peer, error) {
	res, err := c.Invoke(ctx, &api.MessagesCheckChatInviteRequest{Hash: hash})
	if err != nil {
		if e, ok := AsRPCError(err); ok && e.Code == 400 {
			return session.Peer{}, &PeerError{link, "the invite link is invalid or expired (" + e.Message + ")"}
		}
		return session.Peer{}, err
	}
	var chat api.ChatClass
	switch x := res.(type) {
	case *api.ChatInviteAlready:
		chat = x.Chat
	case *api.ChatInvitePeek:
		chat = x.Chat
	default:
		return session.Peer{}, &PeerError{link, "this account is not a member of the chat; join it first with JoinChat"}
	}
	c.cachePeers(nil, []api.ChatClass{chat})
	p, ok := chatPeer(chat)
	if !ok {
		return session.Peer{}, &PeerError{link, "the invite names no usable chat"}
	}
	return p, nil
}

// JoinChat joins a chat by invite link, or a public channel or supergroup by
// username or link, and returns it.
func (c *Client) JoinChat(ctx context.Context, linkOrUsername string) (session.Peer, error) {
	if hash, ok := InviteHash(linkOrUsername); ok {
		res, err := c.Invoke(ctx, &api.MessagesImportChatInviteRequest{Hash: hash})
		if err != nil {
			if e, ok := AsRPCError(err); !ok || e.Message != "USER_ALREADY_PARTICIPANT" {
				return session.Peer{}, err
			}
		}
		if ok, is := res.(*api.MessagesChatInviteJoinResultOk); is {
			c.cacheResult(ok.Updates)
			c.feedResult(ok.Updates)
		}
		return c.resolveInvite(ctx, linkOrUsername, hash)
	}
	p, err := c.resolveUsername(ctx, usernameOf(linkOrUsername))
	if err != nil {
		return session.Peer{}, err
	}
	ch, err := InputChannel(p)
	if err != nil {
		return session.Peer{}, err
	}
	if _, err := c.Invoke(ctx, &api.ChannelsJoinChannelRequest{Channel: ch}); err != nil {
		return session.Peer{}, err
	}
	return p, nil
}

// usernameOf extracts a username from "@name", "t.me/name" or a link.
func usernameOf(q string) string {
	for _, p := range []string{"https://", "http://", "www."} {
		q = strings.TrimPrefix(q, p)
	}
	for _, p := range []string{"t.me/", "telegram.me/", "telegram.dog/"} {
		if strings.HasPrefix(strings.ToLower(q), p) {
			q = q[len(p):]
			if i := strings.IndexAny(q, "/?"); i >= 0 {
				q = q[:i]
			}
		}
	}
	return strings.TrimPrefix(q, "@")
}

func (c *Client) resolveUsername(ctx context.Context, name string) (session.Peer, error) {
	if name == "" {
		return session.Peer{}, &PeerError{name, "empty username"}
	}
	if p, err := c.store.PeerByUsername(name); err != nil {
		return session.Peer{}, err
	} else if p != nil && !p.Min {
		return *p, nil
	}
	res, err := c.Invoke(ctx, &api.ContactsResolveUsernameRequest{Username: name})
	if err != nil {
		if e, ok := AsRPCError(err); ok && (e.Message == "USERNAME_NOT_OCCUPIED" || e.Message == "USERNAME_INVALID") {
			return session.Peer{}, &PeerError{name, "no user, bot or channel has this username"}
		}
		return session.Peer{}, err
	}
	return c.peerOfResolved(name, res.(*api.ContactsResolvedPeer))
}

func (c *Client) resolvePhone(ctx context.Context, phone string) (session.Peer, error) {
	if p, err := c.store.PeerByPhone(phone); err != nil {
		return session.Peer{}, err
	} else if p != nil {
		return *p, nil
	}
	res, err := c.Invoke(ctx, &api.ContactsResolvePhoneRequest{Phone: strings.TrimPrefix(phone, "+")})
	if err != nil {
		if e, ok := AsRPCError(err); ok && e.Code == 400 {
			return session.Peer{}, &PeerError{phone, "no contact has this phone number; import it as a contact first"}
		}
		return session.Peer{}, err
	}
	return c.peerOfResolved(phone, res.(*api.ContactsResolvedPeer))
}

func (c *Client) peerOfResolved(query string, r *api.ContactsResolvedPeer) (session.Peer, error) {
	var id int64
	var kind session.PeerKind
	switch p := r.Peer.(type) {
	case *api.PeerUser:
		id, kind = p.UserID, session.PeerUser
	case *api.PeerChat:
		id, kind = p.ChatID, session.PeerChat
	case *api.PeerChannel:
		id, kind = p.ChannelID, session.PeerChannel
	}
	got, err := c.store.PeerByID(id, kind)
	if err != nil {
		return session.Peer{}, err
	}
	if got == nil {
		return session.Peer{}, &PeerError{query, "the server named a peer it did not describe"}
	}
	return *got, nil
}

// ResolveID finds a peer by marked id (Bot-API style: user id, chat -id,
// channel -100…id) in the cache.
func (c *Client) ResolveID(ctx context.Context, marked int64) (session.Peer, error) {
	id, kind := session.SplitMarkedID(marked)
	p, err := c.store.PeerByID(id, kind)
	if err != nil {
		return session.Peer{}, err
	}
	if p != nil {
		return *p, nil
	}
	if kind == session.PeerChat {
		// Basic groups need no access hash.
		return session.Peer{ID: id, Kind: kind}, nil
	}
	return session.Peer{}, &PeerError{strconv.FormatInt(marked, 10),
		"PEER_ID_INVALID: this session never saw it; get it from a dialog, a participant list, a message or its username first"}
}

// Self returns the logged-in user.
func (c *Client) Self(ctx context.Context) (session.Peer, error) {
	self, err := c.store.Self()
	if err != nil {
		return session.Peer{}, err
	}
	if self == nil {
		return session.Peer{}, ErrUnauthorized
	}
	if p, err := c.store.PeerByID(self.UserID, session.PeerUser); err == nil && p != nil {
		return *p, nil
	}
	res, err := c.Invoke(ctx, &api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}})
	if err != nil {
		return session.Peer{}, err
	}
	users := res.([]api.UserClass)
	if len(users) == 0 {
		return session.Peer{}, ErrUnauthorized
	}
	p, _ := userPeer(users[0])
	return p, nil
}

// onUpdate handles a message the server pushed: peers are cached, QR-login
// waiters woken, and the raw updates passed on.
func (c *Client) onUpdate(dc int, body []byte) {
	if u, ok := decodeUpdates(body); ok {
		c.cacheResult(u)
		for _, up := range updatesOf(u) {
			if _, ok := up.(*api.UpdateLoginToken); ok {
				select {
				case c.loginTokens <- struct{}{}:
				default:
				}
			}
		}
		if dc == c.MainDC() {
			c.feedResult(u)
		}
	}
	if c.cfg.OnUpdates != nil {
		c.cfg.OnUpdates(dc, body)
	}
}

// updatesOf lists the individual updates inside an Updates object.
func updatesOf(u api.UpdatesClass) []api.UpdateClass {
	switch x := u.(type) {
	case *api.Updates:
		return x.Updates
	case *api.UpdatesCombined:
		return x.Updates
	case *api.UpdateShort:
		return []api.UpdateClass{x.Update}
	}
	return nil
}
