//! Typed errors, mapped from the C API's status codes and error maps.

use crate::ffi::{check, OutBuf};
use crate::value::{from_msgpack, Fields, Value};
use polygram_sys as sys;
use std::fmt;
use std::sync::OnceLock;

/// A Polygram error. Each variant corresponds to a `polygram_status` of the
/// C API; Telegram's own errors are [`Error::Rpc`] and [`Error::FloodWait`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A bad argument: unknown or mistyped call arguments, configuration keys, values out of range.
    InvalidArgument(String),
    /// Malformed TL or msgpack, or a request that does not match the schema.
    Decode(String),
    /// A fault inside the library.
    Internal(String),
    /// A handle that names nothing (or an object of another kind).
    BadHandle(String),
    /// The client was closed; requests pending at close end with this error.
    Closed,
    /// A friendly method, emulator command or TL function that does not exist.
    UnknownMethod(String),
    /// A blocking call ran out of time (the request was cancelled).
    Timeout,
    /// The request was cancelled.
    Cancelled,
    /// Telegram answered with an error.
    Rpc {
        /// Telegram's error code (400, 401, 403, 500, ...).
        code: i32,
        /// The error name with its number replaced by X (`USERNAME_INVALID`, `PHONE_MIGRATE_X`).
        name: String,
        /// The library's description.
        message: String,
        /// The TL function that failed, when known.
        method: Option<String>,
        /// The number the error carried (seconds of a `SLOWMODE_WAIT_X`, DC of a `*_MIGRATE_X`).
        value: Option<i64>,
    },
    /// Telegram asked to wait longer than the configured `flood_sleep_threshold`.
    FloodWait {
        /// How long to wait.
        seconds: i64,
        /// The TL function that was refused, when known.
        method: Option<String>,
    },
    /// The session is not logged in, or was logged out.
    Unauthorized(String),
    /// The account has a 2FA password: call `check_password`.
    PasswordNeeded,
    /// The phone number has no account: call `sign_up`.
    SignUpRequired,
    /// A peer could not be resolved; the message says how to meet it.
    PeerNotFound(String),
    /// The network failed.
    Network(String),
    /// No pending request has this id.
    NotFound,
    /// `polygram_receive` used on a client created with a callback.
    WrongMode,
    /// The session store failed.
    Session(String),
    /// Any other failure.
    Failed(String),
}

/// A result with a Polygram [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The C API status code of this error (`polygram_status`).
    pub fn status(&self) -> i32 {
        match self {
            Error::InvalidArgument(_) => sys::POLYGRAM_ERR_INVALID_ARGUMENT,
            Error::Decode(_) => sys::POLYGRAM_ERR_DECODE,
            Error::Internal(_) => sys::POLYGRAM_ERR_INTERNAL,
            Error::BadHandle(_) => sys::POLYGRAM_ERR_BAD_HANDLE,
            Error::Closed => sys::POLYGRAM_ERR_CLOSED,
            Error::UnknownMethod(_) => sys::POLYGRAM_ERR_UNKNOWN_METHOD,
            Error::Timeout => sys::POLYGRAM_ERR_TIMEOUT,
            Error::Cancelled => sys::POLYGRAM_ERR_CANCELLED,
            Error::Rpc { .. } => sys::POLYGRAM_ERR_RPC,
            Error::FloodWait { .. } => sys::POLYGRAM_ERR_FLOOD_WAIT,
            Error::Unauthorized(_) => sys::POLYGRAM_ERR_UNAUTHORIZED,
            Error::PasswordNeeded => sys::POLYGRAM_ERR_PASSWORD_NEEDED,
            Error::SignUpRequired => sys::POLYGRAM_ERR_SIGN_UP_REQUIRED,
            Error::PeerNotFound(_) => sys::POLYGRAM_ERR_PEER_NOT_FOUND,
            Error::Network(_) => sys::POLYGRAM_ERR_NETWORK,
            Error::NotFound => sys::POLYGRAM_ERR_NOT_FOUND,
            Error::WrongMode => sys::POLYGRAM_ERR_WRONG_MODE,
            Error::Session(_) => sys::POLYGRAM_ERR_SESSION,
            Error::Failed(_) => sys::POLYGRAM_ERR_FAILED,
        }
    }

    /// Telegram's error name (`FLOOD_WAIT_X`, `USERNAME_INVALID`) for RPC errors.
    pub fn rpc_name(&self) -> Option<&str> {
        match self {
            Error::Rpc { name, .. } => Some(name),
            Error::FloodWait { .. } => Some("FLOOD_WAIT_X"),
            _ => None,
        }
    }

    /// What the library knows of this RPC error ([`Error::Rpc`] or
    /// [`Error::FloodWait`]): its codes and description. `None` for other
    /// errors, errors missing from the list, or a library without it.
    pub fn rpc_info(&self) -> Option<&'static RpcErrorInfo> {
        rpc_error_info(self.rpc_name()?)
    }

    /// Whether this is the RPC error `name` (`"USERNAME_INVALID"`, `"FLOOD_WAIT_X"`).
    pub fn is_rpc(&self, name: &str) -> bool {
        self.rpc_name() == Some(name)
    }

    /// Builds the error of a status and its msgpack error map (which may be empty).
    pub(crate) fn from_status(status: i32, err: &[u8]) -> Error {
        let map = if err.is_empty() {
            Value::Nil
        } else {
            from_msgpack(err).unwrap_or(Value::Nil)
        };
        Error::from_map(status, &map)
    }

    /// Builds the error of a status and its decoded error map
    /// `{status, code, name, message, seconds?, dc?, method?}`.
    pub fn from_map(status: i32, map: &Value) -> Error {
        let status = match map.field("status").and_then(Value::as_i64) {
            Some(s) if status == 0 => s as i32,
            _ => status,
        };
        let mut message = map.str_of("message");
        if message.is_empty() {
            message = status_name(status).to_owned();
        }
        let method = map.field("method").and_then(Value::as_str).map(str::to_owned);
        let seconds = map.field("seconds").and_then(Value::as_i64);
        match status {
            sys::POLYGRAM_ERR_INVALID_ARGUMENT => Error::InvalidArgument(message),
            sys::POLYGRAM_ERR_DECODE => Error::Decode(message),
            sys::POLYGRAM_ERR_INTERNAL => Error::Internal(message),
            sys::POLYGRAM_ERR_BAD_HANDLE => Error::BadHandle(message),
            sys::POLYGRAM_ERR_CLOSED => Error::Closed,
            sys::POLYGRAM_ERR_UNKNOWN_METHOD => Error::UnknownMethod(message),
            sys::POLYGRAM_ERR_TIMEOUT => Error::Timeout,
            sys::POLYGRAM_ERR_CANCELLED => Error::Cancelled,
            sys::POLYGRAM_ERR_RPC => Error::Rpc {
                code: map.field("code").and_then(Value::as_i64).unwrap_or(0) as i32,
                name: map.str_of("name"),
                message,
                method,
                value: seconds.or_else(|| map.field("dc").and_then(Value::as_i64)),
            },
            sys::POLYGRAM_ERR_FLOOD_WAIT => Error::FloodWait {
                seconds: seconds.unwrap_or(0),
                method,
            },
            sys::POLYGRAM_ERR_UNAUTHORIZED => Error::Unauthorized(message),
            sys::POLYGRAM_ERR_PASSWORD_NEEDED => Error::PasswordNeeded,
            sys::POLYGRAM_ERR_SIGN_UP_REQUIRED => Error::SignUpRequired,
            sys::POLYGRAM_ERR_PEER_NOT_FOUND => Error::PeerNotFound(message),
            sys::POLYGRAM_ERR_NETWORK => Error::Network(message),
            sys::POLYGRAM_ERR_NOT_FOUND => Error::NotFound,
            sys::POLYGRAM_ERR_WRONG_MODE => Error::WrongMode,
            sys::POLYGRAM_ERR_SESSION => Error::Session(message),
            _ => Error::Failed(message),
        }
    }
}

/// One of Telegram's known RPC errors, from the library's error list
/// (`polygram_errors`, see [`rpc_errors`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcErrorInfo {
    /// The name, with X for the number it carries (`FLOOD_WAIT_X`).
    pub name: String,
    /// The usual code (the first of `codes`).
    pub code: i32,
    /// Every code Telegram answers it with (400, 420, ...).
    pub codes: Vec<i32>,
    /// What it means (may be empty; `{seconds}` and the like mark where the number goes).
    pub description: String,
}

static RPC_ERRORS: OnceLock<Result<Vec<RpcErrorInfo>>> = OnceLock::new();

fn load_rpc_errors() -> Result<Vec<RpcErrorInfo>> {
    let Some(f) = sys::polygram_errors_fn() else {
        return Err(Error::UnknownMethod(
            "polygram_errors: the loaded library predates the error list (library 0.2)".into(),
        ));
    };
    let mut out = OutBuf::new();
    // SAFETY: the out pointers are ours; the buffer is freed by OutBuf.
    let st = unsafe { f(&mut out.ptr, &mut out.len) };
    check(st, &mut OutBuf::new())?;
    let v = from_msgpack(&out.take())?;
    let list = v
        .as_array()
        .ok_or_else(|| Error::Decode(format!("polygram_errors: not an array: {v}")))?;
    let mut errors: Vec<RpcErrorInfo> = list
        .iter()
        .map(|e| RpcErrorInfo {
            name: e.str_of("name"),
            code: e.i32_of("code"),
            codes: e
                .list_of("codes")
                .iter()
                .filter_map(Value::as_i64)
                .map(|c| c as i32)
                .collect(),
            description: e.str_of("description"),
        })
        .collect();
    errors.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(errors)
}

/// Telegram's known RPC errors as the loaded library lists them (sorted by
/// name; read once). [`Error::UnknownMethod`] when the library predates the
/// list.
pub fn rpc_errors() -> Result<&'static [RpcErrorInfo]> {
    match RPC_ERRORS.get_or_init(load_rpc_errors) {
        Ok(v) => Ok(v),
        Err(e) => Err(e.clone()),
    }
}

/// The known RPC error of this name (`USERNAME_INVALID`, `FLOOD_WAIT_X`).
pub fn rpc_error_info(name: &str) -> Option<&'static RpcErrorInfo> {
    let list = rpc_errors().ok()?;
    list.binary_search_by(|e| e.name.as_str().cmp(name))
        .ok()
        .map(|i| &list[i])
}

/// The library's name of a status ("CLOSED", "FLOOD_WAIT", ...).
pub fn status_name(status: i32) -> &'static str {
    // SAFETY: the library returns a static NUL-terminated string for any value.
    unsafe {
        let p = sys::polygram_status_name(status);
        if p.is_null() {
            return "UNKNOWN";
        }
        std::ffi::CStr::from_ptr(p).to_str().unwrap_or("UNKNOWN")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Rpc {
                code,
                name,
                message,
                method,
                ..
            } => {
                write!(f, "telegram error {code} {name}")?;
                if let Some(m) = method {
                    write!(f, " (in {m})")?;
                }
                if !message.is_empty() && message != name {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            Error::FloodWait { seconds, method } => {
                write!(f, "flood wait: retry in {seconds} s")?;
                if let Some(m) = method {
                    write!(f, " (in {m})")?;
                }
                Ok(())
            }
            Error::Closed => f.write_str("the client is closed"),
            Error::Timeout => f.write_str("timed out"),
            Error::Cancelled => f.write_str("the request was cancelled"),
            Error::PasswordNeeded => f.write_str("the account has a 2FA password: call check_password"),
            Error::SignUpRequired => f.write_str("the phone number has no account: call sign_up"),
            Error::NotFound => f.write_str("no pending request has this id"),
            Error::WrongMode => f.write_str("wrong event delivery mode"),
            Error::InvalidArgument(m)
            | Error::Decode(m)
            | Error::Internal(m)
            | Error::BadHandle(m)
            | Error::UnknownMethod(m)
            | Error::Unauthorized(m)
            | Error::PeerNotFound(m)
            | Error::Network(m)
            | Error::Session(m)
            | Error::Failed(m) => write!(f, "{}: {m}", status_name(self.status())),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::map;

    #[test]
    fn error_maps_become_variants() {
        let m = map([
            ("status", Value::from(9)),
            ("code", Value::from(303)),
            ("name", Value::from("PHONE_MIGRATE_X")),
            ("message", Value::from("see other")),
            ("dc", Value::from(4)),
            ("method", Value::from("auth.sendCode")),
        ]);
        let e = Error::from_map(0, &m);
        assert_eq!(
            e,
            Error::Rpc {
                code: 303,
                name: "PHONE_MIGRATE_X".into(),
                message: "see other".into(),
                method: Some("auth.sendCode".into()),
                value: Some(4),
            }
        );
        assert_eq!(e.status(), sys::POLYGRAM_ERR_RPC);
        assert_eq!(e.rpc_name(), Some("PHONE_MIGRATE_X"));
        assert_eq!(
            e.to_string(),
            "telegram error 303 PHONE_MIGRATE_X (in auth.sendCode): see other"
        );
        let f = Error::from_map(10, &map([("seconds", Value::from(7))]));
        assert_eq!(
            f,
            Error::FloodWait {
                seconds: 7,
                method: None
            }
        );
        assert_eq!(Error::from_status(sys::POLYGRAM_ERR_CLOSED, &[]), Error::Closed);
        assert_eq!(Error::from_status(12, &[]), Error::PasswordNeeded);
        // Every status maps to the variant of the same status.
        for st in 1..=19 {
            let e = Error::from_status(st, &[]);
            assert_eq!(e.status(), st, "{e:?}");
        }
        assert_eq!(Error::from_status(99, &[]).status(), sys::POLYGRAM_ERR_FAILED);
        assert!(matches!(Error::from_status(1, b"\xc1"), Error::InvalidArgument(_)));
    }
}
