// Package session keeps a Telegram client's persistent state: auth keys per
// data center, DC addresses, the logged-in user, the update state (pts, qts,
// date, seq and per-channel pts) and the peers the client has seen, with
// their access hashes.
//
// [Store] is the interface the client core talks to. There are two stores:
//
//   - [Open] returns an [SQLite] store in a file: WAL mode, one writer, file
//     mode 0600, schema migrations, and exclusive use — a second client on the
//     same file gets an [*InUseError] at once instead of hanging.
//   - [NewMemory] returns a [Memory] store with the same semantics, for tests
//     and for sessions kept elsewhere.
//
// A session also travels as a string: [Export] writes one, [ImportString]
// reads it back (format below). Users of other libraries keep their login:
// [ImportTelethon], [ImportTelethonString], [ImportPyrogram] and
// [ImportPyrogramString] read Telethon's and Pyrogram's session files and
// strings into any Store.
//
// # Peers
//
// Peers are keyed by bare id and kind ([PeerUser], [PeerChat],
// [PeerChannel]); [Peer.MarkedID] and [SplitMarkedID] convert to and from
// Bot-API style ids. Saving a peer replaces what was stored, with one
// exception: a peer seen only as a "min" constructor ([Peer.Min]) never
// replaces the access hash of a non-min peer, and fills in only the fields it
// carries. Usernames are matched without case and without a leading @;
// phones by their digits only. When two peers claim the same username or
// phone (it changed hands), the one saved last wins.
//
// # Session strings
//
// A session string is the version character '1' followed by the unpadded
// base64url encoding (RFC 4648 §5) of this payload, all integers big endian:
//
//	u8    flags          bit 0: self follows; bit 1: DC options follow; other bits 0
//	u16   main DC        0 when unset
//	u8    key count      n
//	n ×   auth key       u16 DC, 256 bytes key, i64 salt,
//	                     i64 time offset (nanoseconds, server minus local),
//	                     i64 creation time (unix nanoseconds, 0 if unknown)
//	[self]               i64 user id, u16 DC, u8 bot (0 or 1)
//	[DC options]         u16 count m (at least 1), then m ×
//	                     u16 DC, u8 flags (bit 0 IPv6, 1 media only, 2 CDN,
//	                     3 TCPO only, 4 static, 5 this port only),
//	                     u8 address length, address (text),
//	                     u16 port, u8 secret length, secret
//	u32   CRC-32 (IEEE) of every byte above
//
// The checksum catches a string damaged by copy and paste. A reader refuses
// unknown flag bits, unknown versions and trailing bytes: a format change is
// a new version character, never a silent reinterpretation. FORMAT.md in
// this directory has the same description with an example.
//
// A session string, like a session file, is a secret: it logs in as the
// account. Errors never quote it.
package session
