//! The emulator: Telegram DCs on loopback speaking real MTProto, for tests.

use crate::client::{call_map, Client, Config};
use crate::error::{Error, Result};
use crate::ffi::{check, OutBuf};
use crate::types::PeerRef;
use crate::value::{from_msgpack, map, to_msgpack, Fields, Value};
use polygram_sys as sys;

/// A user of the emulator (`create_user`, `lookup_user`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmuUser {
    /// The user id.
    pub id: i64,
    /// The phone.
    pub phone: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Username.
    pub username: String,
    /// Whether it is a bot.
    pub bot: bool,
    /// The DC the account lives on.
    pub dc: i32,
}

impl EmuUser {
    fn from_value(v: &Value) -> Self {
        EmuUser {
            id: v.i64_of("id"),
            phone: v.str_of("phone"),
            first_name: v.str_of("first_name"),
            last_name: v.str_of("last_name"),
            username: v.str_of("username"),
            bot: v.bool_of("bot"),
            dc: v.i32_of("dc"),
        }
    }
}

/// An emulator started through the C API (`polygram_emulator_*`); stopped on
/// drop. Phones `99966XYYYY` live on DC X and their login code is X repeated
/// five times.
#[derive(Debug)]
pub struct Emulator {
    handle: u64,
}

impl Emulator {
    /// Starts an emulator with three DCs on 127.0.0.1.
    pub fn start() -> Result<Emulator> {
        Emulator::start_with(None)
    }

    /// Starts an emulator with `dcs` DCs (1 to 9).
    pub fn start_with(dcs: Option<i32>) -> Result<Emulator> {
        let cfg = dcs.map(|n| to_msgpack(&map([("dcs", Value::from(n))])));
        let (p, len) = cfg.as_ref().map_or((std::ptr::null(), 0), |b| (b.as_ptr(), b.len()));
        let mut err = OutBuf::new();
        let mut h = 0u64;
        // SAFETY: the config buffer outlives the call; out pointers are ours.
        let st = unsafe { sys::polygram_emulator_start(p, len, &mut h, &mut err.ptr, &mut err.len) };
        check(st, &mut err)?;
        Ok(Emulator { handle: h })
    }

    /// Stops the emulator (every connection to it is closed). Idempotent.
    pub fn stop(&self) {
        // SAFETY: idempotent for any handle.
        unsafe { sys::polygram_emulator_stop(self.handle) };
    }

    /// Runs one emulator command (see `polygram_emulator_call`).
    pub fn call(&self, method: &str, args: Value) -> Result<Value> {
        let cmd = to_msgpack(&call_map(method, args));
        let (mut out, mut err) = (OutBuf::new(), OutBuf::new());
        // SAFETY: cmd outlives the call; out pointers are ours.
        let st = unsafe {
            sys::polygram_emulator_call(
                self.handle,
                cmd.as_ptr(),
                cmd.len(),
                &mut out.ptr,
                &mut out.len,
                &mut err.ptr,
                &mut err.len,
            )
        };
        check(st, &mut err)?;
        let b = out.take();
        if b.is_empty() {
            return Ok(Value::Nil);
        }
        from_msgpack(&b)
    }

    /// `{"dcs": [{id, host, port, addr}], "public_key_pem", "fingerprint"}`.
    pub fn info(&self) -> Result<Value> {
        self.call("info", Value::Map(vec![]))
    }

    /// A client configuration pointing at this emulator, with `log_level` "off".
    pub fn client_config(&self) -> Result<Config> {
        Config::from_map(self.call("client_config", Value::Map(vec![]))?).map(|c| c.log_level("off"))
    }

    /// A new client of this emulator (in-memory session).
    pub fn client(&self) -> Result<Client> {
        Client::new(self.client_config()?)
    }

    /// Creates a user.
    pub fn create_user(&self, phone: &str, first_name: &str, last_name: &str, username: &str) -> Result<EmuUser> {
        let v = self.call(
            "create_user",
            map([
                ("phone", Value::from(phone)),
                ("first_name", Value::from(first_name)),
                ("last_name", Value::from(last_name)),
                ("username", Value::from(username)),
            ]),
        )?;
        Ok(EmuUser::from_value(&v))
    }

    /// Creates a bot; returns it and its token.
    pub fn create_bot(&self, username: &str, first_name: &str) -> Result<(EmuUser, String)> {
        let v = self.call(
            "create_bot",
            map([
                ("username", Value::from(username)),
                ("first_name", Value::from(first_name)),
            ]),
        )?;
        let user = v
            .field("user")
            .map(EmuUser::from_value)
            .ok_or_else(|| Error::Decode(format!("create_bot: {v}")))?;
        Ok((user, v.str_of("token")))
    }

    /// A user by id, if it exists.
    pub fn lookup_user(&self, id: i64) -> Result<Option<EmuUser>> {
        let v = self.call("lookup_user", map([("id", Value::from(id))]))?;
        Ok(if v.is_nil() {
            None
        } else {
            Some(EmuUser::from_value(&v))
        })
    }

    /// The login code sent to a phone.
    pub fn login_code(&self, phone: &str) -> Result<String> {
        Ok(self
            .call("login_code", map([("phone", Value::from(phone))]))?
            .str_of("code"))
    }

    /// Sets a user's 2FA password.
    pub fn set_password(&self, user_id: i64, password: &str, hint: &str) -> Result<()> {
        let a = map([
            ("user_id", Value::from(user_id)),
            ("password", Value::from(password)),
            ("hint", Value::from(hint)),
        ]);
        self.call("set_password", a).map(drop)
    }

    /// Adds `contact` to `owner`'s contacts.
    pub fn add_contact(&self, owner: i64, contact: i64) -> Result<()> {
        self.call(
            "add_contact",
            map([("owner", Value::from(owner)), ("contact", Value::from(contact))]),
        )
        .map(drop)
    }

    /// Sends a message as user `from` to a peer (a marked id); returns its id.
    pub fn send_message(&self, from: i64, peer: i64, text: &str) -> Result<i64> {
        let a = map([
            ("from", Value::from(from)),
            ("peer", Value::from(peer)),
            ("text", Value::from(text)),
        ]);
        Ok(self.call("send_message", a)?.i64_of("id"))
    }

    /// A chat's history as `viewer` sees it (`{"messages": [...]}`).
    pub fn history(&self, viewer: i64, peer: impl Into<PeerRef>) -> Result<Value> {
        self.call(
            "history",
            map([("viewer", Value::from(viewer)), ("peer", peer.into().to_value())]),
        )
    }

    /// Creates a basic group of `creator` with `members`; returns its marked id (negative).
    pub fn create_chat(&self, creator: i64, title: &str, members: &[i64]) -> Result<i64> {
        let a = map([
            ("creator", Value::from(creator)),
            ("title", Value::from(title)),
            (
                "members",
                Value::Array(members.iter().map(|&m| Value::from(m)).collect()),
            ),
        ]);
        Ok(self.call("create_chat", a)?.i64_of("peer"))
    }

    /// Creates a channel (a supergroup with `megagroup`) of `creator` with
    /// `members` and an optional public username; returns its marked id.
    pub fn create_channel(
        &self,
        creator: i64,
        title: &str,
        username: &str,
        megagroup: bool,
        members: &[i64],
    ) -> Result<i64> {
        let a = map([
            ("creator", Value::from(creator)),
            ("title", Value::from(title)),
            ("username", Value::from(username)),
            ("megagroup", Value::from(megagroup)),
            (
                "members",
                Value::Array(members.iter().map(|&m| Value::from(m)).collect()),
            ),
        ]);
        Ok(self.call("create_channel", a)?.i64_of("peer"))
    }

    /// Makes the next `n` calls of a TL `method` fail with `error` (e.g. "FLOOD_WAIT_120").
    pub fn fail_next(&self, method: &str, error: &str, n: i32) -> Result<()> {
        let a = map([
            ("method", Value::from(method)),
            ("n", Value::from(n)),
            ("error", Value::from(error)),
        ]);
        self.call("fail_next", a).map(drop)
    }

    /// Delays every answer of a DC.
    pub fn slow_dc(&self, dc: i32, delay_ms: i64) -> Result<()> {
        self.call(
            "slow_dc",
            map([("dc", Value::from(dc)), ("delay_ms", Value::from(delay_ms))]),
        )
        .map(drop)
    }

    /// Closes every client connection.
    pub fn drop_connections(&self) -> Result<()> {
        self.call("drop_connections", Value::Map(vec![])).map(drop)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}
