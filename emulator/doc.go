// Package emulator is a Telegram data centre on loopback that speaks real
// MTProto, for tests: Polygram's own, and yours.
//
// It runs several DCs (three by default), each with its own listener, auth
// keys and MTProto server (every transport, obfuscation, salts, containers,
// acks, gzip), over one shared model of users, bots, contacts, private chats,
// basic groups, channels and supergroups, messages, and each user's update
// sequence (pts, qts, seq; per-channel pts). Clients log in the way they do
// on Telegram — a login code, 2FA with SRP, a bot token, a QR token, an
// exported authorization — and receive updates pushed to every connection,
// with updates.getDifference and updates.getChannelDifference to catch up.
//
// Like net/http/httptest, it takes one call to start, one to create a user,
// one to stop:
//
//	emu, err := emulator.Start(emulator.Config{})
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer emu.Close()
//	alice, err := emu.CreateUser("9996621234", "Alice", "", "alice")
//
// Point a client at emu.Addr(alice.DC) (or any DC: it answers PHONE_MIGRATE
// like Telegram) with emu.PublicKey() as the trusted RSA key, send a code to
// alice.Phone and sign in with emu.LoginCode(alice.Phone).
//
// Telegram's test conventions hold: phone 99966XYYYY lives on DC X and its
// login code is X repeated five times; other phones live on DC 2. Bots come
// from CreateBot with a token for auth.importBotAuthorization.
//
// Beyond messaging, files work as on Telegram (upload.saveFilePart and
// saveBigFilePart, messages.sendMedia and sendMultiMedia with photos and
// documents, upload.getFile with Telegram's offset and limit rules, and
// FILE_MIGRATE_X from any DC but the one that received the parts), and so
// do bots' callback buttons and inline queries: the user's call waits for
// the bot's answer, or answers BOT_RESPONSE_TIMEOUT. Bots see every message
// of the groups they are in (as with privacy mode off).
//
// Groups and channels have admins and bans as on Telegram:
// channels.editAdmin (nobody grants a right they lack: RIGHT_FORBIDDEN),
// channels.editBanned (restrictions; view_messages kicks), default banned
// rights (messages.editChatDefaultBannedRights), basic-group admins
// (messages.editChatAdmin, messages.deleteChatUser), participant filters
// (recent, admins, kicked, banned, search, bots, contacts), and the rights
// checked on posting (CHAT_WRITE_FORBIDDEN, USER_BANNED_IN_CHANNEL),
// inviting, deleting others' messages and editing titles
// (CHAT_ADMIN_REQUIRED). Bots that are admins, and a bot whose own
// membership changes, get updateChannelParticipant and
// updateChatParticipant in their qts sequence, which updates.getDifference
// replays from the client's qts. Invite links work too
// (messages.exportChatInvite, checkChatInvite, importChatInvite,
// editExportedChatInvite, getExportedChatInvites, deleteExportedChatInvite,
// getChatInviteImporters): each admin has a permanent link
// "https://t.me/+HASH", replaced when revoked, and may export more with an
// expiry date, a usage limit or join requests. contacts.resolvePhone and
// contacts.resolveUsername find users, channels and supergroups.
//
// Updates without pts are pushed in updates containers carrying their seq;
// several that one call produces for the same user, with consecutive seq,
// are pushed together as one updatesCombined (seq_start..seq).
//
// A connection receives updates once its key is logged in and it has made
// a call not wrapped in invokeWithoutUpdates, as on Telegram; keys
// authorized with auth.importAuthorization on a DC other than the user's
// get none.
//
// The control API acts from outside any client: SendMessage posts as any
// user (pushing updates as a real send does), History reads a dialog back
// for assertions, Promote and Ban act as a chat's creator (channels.editAdmin
// and channels.editBanned; messages.editChatAdmin and messages.deleteChatUser
// in basic groups), InviteLink gives a chat's permanent invite link, and
// the faults — DropConnections, SkewClock, RotateSalt, HoldUpdates,
// LoseUpdates, FailNext, SlowDC, ExpireFileReferences — exercise a
// client's recovery. AuthorizeKey opens ready sessions without
// a key exchange or login, for tests with many connections.
// ControlHandler serves the same API as JSON over HTTP for other languages
// (cmd/polygram-emulator runs it).
//
// Methods the emulator does not implement answer 400 INPUT_METHOD_INVALID_<id>
// rather than hanging; a failure inside the emulator answers 500 INTERNAL.
// The default RSA key is embedded and public: use the emulator for testing
// only.
package emulator
