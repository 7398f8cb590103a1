package bridge

import (
	"maps"

	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/tl/api"
)

// Emulator commands for the emulator controls beyond the first set:
// albums, chat administration, invite links, auth keys and the
// "difference too long" faults.

func init() {
	for name, c := range map[string]emuCommand{
		"send_album":                        emuSendAlbum,
		"promote":                           emuPromote,
		"ban":                               emuBan,
		"invite_link":                       emuInviteLink,
		"auth_key":                          emuAuthKey,
		"force_difference_too_long":         emuForceDifferenceTooLong,
		"force_channel_difference_too_long": emuForceChannelDifferenceTooLong,
	} {
		registerEmulatorCommand(name, c)
	}
}

// emuSendAlbum: from, peer (marked id), captions ([str], 2 to 10: one
// photo each) → {"ids"}.
func emuSendAlbum(e *emulator.Emulator, a *fields) func() (any, error) {
	from, peer := a.reqInt("from"), a.reqInt("peer")
	a.required("captions")
	captions := a.strs("captions")
	if a.err == nil && (len(captions) < 2 || len(captions) > 10) {
		a.fail("send_album: an album has 2 to 10 captions (one photo each), not %d", len(captions))
	}
	return func() (any, error) {
		ids, err := e.SendAlbum(from, peer, captions...)
		if err != nil {
			return nil, err
		}
		list := make([]any, len(ids))
		for i, id := range ids {
			list[i] = int64(id)
		}
		return kv{"ids", list}, nil
	}
}

// rights reads an optional map of chatAdminRights / chatBannedRights
// fields (TL names: {"change_info": true, "until_date": 1700000000}) into
// the TL object; absent or nil is nil (the command's default).
func rights[T any](a *fields, k, constructor string) *T {
	v := a.value(k)
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		a.wrongType(k, "a map of "+constructor+" fields", v)
		return nil
	}
	if _, has := m["_"]; has {
		a.fail("%s: argument %q: give the %s fields only, without \"_\"", a.what, k, constructor)
		return nil
	}
	m = maps.Clone(m)
	m["_"] = constructor
	o, err := tlObject(m)
	if err != nil {
		a.fail("%s: argument %q: %v", a.what, k, err)
		return nil
	}
	r, ok := any(o).(*T)
	if !ok {
		a.fail("%s: argument %q: not a %s", a.what, k, constructor)
	}
	return r
}

// emuPromote: chat (marked id), user_id, rights (chatAdminRights fields;
// absent: every right; {} demotes) → {}.
func emuPromote(e *emulator.Emulator, a *fields) func() (any, error) {
	chat, user := a.reqInt("chat"), a.reqInt("user_id")
	r := rights[api.ChatAdminRights](a, "rights", "chatAdminRights")
	return func() (any, error) { return kv{}, e.Promote(chat, user, r) }
}

// emuBan: chat, user_id, rights (chatBannedRights fields; absent: kicked
// for good; {} lifts every restriction) → {}.
func emuBan(e *emulator.Emulator, a *fields) func() (any, error) {
	chat, user := a.reqInt("chat"), a.reqInt("user_id")
	r := rights[api.ChatBannedRights](a, "rights", "chatBannedRights")
	return func() (any, error) { return kv{}, e.Ban(chat, user, r) }
}

// emuInviteLink: chat → {"link"}; an unknown chat is an error.
func emuInviteLink(e *emulator.Emulator, a *fields) func() (any, error) {
	chat := a.reqInt("chat")
	return func() (any, error) {
		link := e.InviteLink(chat)
		if link == "" {
			return nil, errorf(statusFailed, "invite_link: no chat or channel %d", chat)
		}
		return kv{"link", link}, nil
	}
}

// emuAuthKey: dc, key (bin, 256 bytes), user_id (optional) → {}: registers
// a permanent auth key on a DC as if a client had made it, and with
// user_id also logs it in as that user.
func emuAuthKey(e *emulator.Emulator, a *fields) func() (any, error) {
	dc := int(a.reqInt32("dc"))
	var key []byte
	if a.required("key") {
		var ok bool
		if key, ok = a.value("key").([]byte); !ok {
			a.wrongType("key", "bin (256 bytes)", a.value("key"))
		} else if len(key) != 256 {
			a.fail("auth_key: argument \"key\" must be 256 bytes, not %d", len(key))
		}
	}
	user := a.int("user_id", 0)
	return func() (any, error) {
		if user != 0 {
			return kv{}, e.AuthorizeKey(dc, key, user)
		}
		return kv{}, e.AddAuthKey(dc, key)
	}
}

// emuForceDifferenceTooLong: user_id → {}.
func emuForceDifferenceTooLong(e *emulator.Emulator, a *fields) func() (any, error) {
	user := a.reqInt("user_id")
	return func() (any, error) { e.ForceDifferenceTooLong(user); return kv{}, nil }
}

// emuForceChannelDifferenceTooLong: user_id, channel (-100… id) → {}.
func emuForceChannelDifferenceTooLong(e *emulator.Emulator, a *fields) func() (any, error) {
	user, channel := a.reqInt("user_id"), a.reqInt("channel")
	return func() (any, error) { return kv{}, e.ForceChannelDifferenceTooLong(user, channel) }
}
