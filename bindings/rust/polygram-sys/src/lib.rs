//! Raw declarations of the Polygram C API, `include/polygram.h`, ABI version 1.
//!
//! Every function here is `unsafe` to call and follows the header's
//! conventions: buffers returned through `out`, `err` or
//! [`polygram_event::data`] (from [`polygram_receive`]) are owned by the
//! caller and released with [`polygram_free`]; the event given to a callback
//! is lent for the duration of the call. Use the `polygram` crate for a safe
//! API.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_double, c_int, c_uchar, c_void};

/// The ABI version these declarations describe (`POLYGRAM_ABI_VERSION`).
pub const POLYGRAM_ABI_VERSION: c_int = 1;

/// A client or emulator handle. 0 is never valid.
pub type polygram_handle = u64;

/// A status code (`polygram_status`).
pub type polygram_status = c_int;
pub const POLYGRAM_OK: polygram_status = 0;
pub const POLYGRAM_ERR_INVALID_ARGUMENT: polygram_status = 1;
pub const POLYGRAM_ERR_DECODE: polygram_status = 2;
pub const POLYGRAM_ERR_INTERNAL: polygram_status = 3;
pub const POLYGRAM_ERR_BAD_HANDLE: polygram_status = 4;
pub const POLYGRAM_ERR_CLOSED: polygram_status = 5;
pub const POLYGRAM_ERR_UNKNOWN_METHOD: polygram_status = 6;
pub const POLYGRAM_ERR_TIMEOUT: polygram_status = 7;
pub const POLYGRAM_ERR_CANCELLED: polygram_status = 8;
pub const POLYGRAM_ERR_RPC: polygram_status = 9;
pub const POLYGRAM_ERR_FLOOD_WAIT: polygram_status = 10;
pub const POLYGRAM_ERR_UNAUTHORIZED: polygram_status = 11;
pub const POLYGRAM_ERR_PASSWORD_NEEDED: polygram_status = 12;
pub const POLYGRAM_ERR_SIGN_UP_REQUIRED: polygram_status = 13;
pub const POLYGRAM_ERR_PEER_NOT_FOUND: polygram_status = 14;
pub const POLYGRAM_ERR_NETWORK: polygram_status = 15;
pub const POLYGRAM_ERR_NOT_FOUND: polygram_status = 16;
pub const POLYGRAM_ERR_WRONG_MODE: polygram_status = 17;
pub const POLYGRAM_ERR_SESSION: polygram_status = 18;
pub const POLYGRAM_ERR_FAILED: polygram_status = 19;

/// How a request is encoded (`polygram_encoding`).
pub type polygram_encoding = c_int;
/// A boxed TL function call; the result is TL bytes.
pub const POLYGRAM_ENCODING_TL: polygram_encoding = 1;
/// A TL call as a msgpack map; the result is msgpack.
pub const POLYGRAM_ENCODING_MSGPACK: polygram_encoding = 2;
/// A friendly call `{"method", "args"}`; the result is a msgpack map.
pub const POLYGRAM_ENCODING_CALL: polygram_encoding = 3;

/// The kind of an event (`polygram_event_type`).
pub type polygram_event_type = c_int;
pub const POLYGRAM_EVENT_RESULT: polygram_event_type = 1;
pub const POLYGRAM_EVENT_ERROR: polygram_event_type = 2;
pub const POLYGRAM_EVENT_UPDATE: polygram_event_type = 3;
pub const POLYGRAM_EVENT_AUTH_STATE: polygram_event_type = 4;
pub const POLYGRAM_EVENT_CONNECTION_STATE: polygram_event_type = 5;
pub const POLYGRAM_EVENT_LOG: polygram_event_type = 6;
pub const POLYGRAM_EVENT_DROPPED: polygram_event_type = 7;
/// Progress of a file transfer sent with `"progress": true`: `request_id` is
/// the request, the data `{"type": "progress", "done", "total"}` (library 0.2).
pub const POLYGRAM_EVENT_PROGRESS: polygram_event_type = 8;

/// Log levels (`polygram_log_level`).
pub type polygram_log_level = c_int;
pub const POLYGRAM_LOG_DEBUG: polygram_log_level = 0;
pub const POLYGRAM_LOG_INFO: polygram_log_level = 1;
pub const POLYGRAM_LOG_WARN: polygram_log_level = 2;
pub const POLYGRAM_LOG_ERROR: polygram_log_level = 3;
pub const POLYGRAM_LOG_OFF: polygram_log_level = 4;

/// One event (`polygram_event`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct polygram_event {
    /// A `polygram_event_type`.
    pub type_: c_int,
    /// `POLYGRAM_OK`, or the error of an ERROR event.
    pub status: c_int,
    /// RESULT and ERROR: the request; 0 otherwise.
    pub request_id: u64,
    /// `POLYGRAM_ENCODING_TL` for the result of a TL request, `POLYGRAM_ENCODING_MSGPACK` otherwise.
    pub encoding: c_int,
    /// The payload (never NULL for a delivered event).
    pub data: *mut c_uchar,
    pub data_len: usize,
}

impl Default for polygram_event {
    fn default() -> Self {
        polygram_event {
            type_: 0,
            status: 0,
            request_id: 0,
            encoding: 0,
            data: std::ptr::null_mut(),
            data_len: 0,
        }
    }
}

/// An event callback (`polygram_callback`): called on a library thread, one
/// event at a time per client; the event is lent for the call.
pub type polygram_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, client: polygram_handle, event: *const polygram_event)>;

extern "C" {
    pub fn polygram_version() -> *const c_char;
    pub fn polygram_abi_version() -> c_int;
    pub fn polygram_layer() -> c_int;
    pub fn polygram_status_name(status: polygram_status) -> *const c_char;
    pub fn polygram_free(ptr: *mut c_void);
    pub fn polygram_schema(out: *mut *mut c_uchar, out_len: *mut usize) -> polygram_status;
    pub fn polygram_schema_msgpack(out: *mut *mut c_uchar, out_len: *mut usize) -> polygram_status;
    pub fn polygram_tl_to_msgpack(
        tl: *const c_uchar,
        tl_len: usize,
        out: *mut *mut c_uchar,
        out_len: *mut usize,
        err: *mut *mut c_uchar,
        err_len: *mut usize,
    ) -> polygram_status;
    pub fn polygram_msgpack_to_tl(
        msgpack: *const c_uchar,
        msgpack_len: usize,
        out: *mut *mut c_uchar,
        out_len: *mut usize,
        err: *mut *mut c_uchar,
        err_len: *mut usize,
    ) -> polygram_status;
    pub fn polygram_stats(collect: c_int, out: *mut *mut c_uchar, out_len: *mut usize) -> polygram_status;

    pub fn polygram_client_new(
        config: *const c_uchar,
        config_len: usize,
        callback: polygram_callback,
        user_data: *mut c_void,
        client: *mut polygram_handle,
        err: *mut *mut c_uchar,
        err_len: *mut usize,
    ) -> polygram_status;
    pub fn polygram_client_close(client: polygram_handle) -> polygram_status;
    pub fn polygram_set_log_level(client: polygram_handle, level: c_int) -> polygram_status;

    pub fn polygram_send(
        client: polygram_handle,
        encoding: polygram_encoding,
        request: *const c_uchar,
        request_len: usize,
        request_id: *mut u64,
        err: *mut *mut c_uchar,
        err_len: *mut usize,
    ) -> polygram_status;
    pub fn polygram_cancel(client: polygram_handle, request_id: u64) -> polygram_status;
    pub fn polygram_invoke(
        client: polygram_handle,
        encoding: polygram_encoding,
        request: *const c_uchar,
        request_len: usize,
        timeout_seconds: c_double,
        out: *mut *mut c_uchar,
        out_len: *mut usize,
        err: *mut *mut c_uchar,
        err_len: *mut usize,
    ) -> polygram_status;
    pub fn polygram_receive(
        client: polygram_handle,
        timeout_seconds: c_double,
        event: *mut polygram_event,
    ) -> polygram_status;

    pub fn polygram_emulator_start(
        config: *const c_uchar,
        config_len: usize,
        emulator: *mut polygram_handle,
        err: *mut *mut c_uchar,
        err_len: *mut usize,
    ) -> polygram_status;
    pub fn polygram_emulator_stop(emulator: polygram_handle) -> polygram_status;
    pub fn polygram_emulator_call(
        emulator: polygram_handle,
        command: *const c_uchar,
        command_len: usize,
        out: *mut *mut c_uchar,
        out_len: *mut usize,
        err: *mut *mut c_uchar,
        err_len: *mut usize,
    ) -> polygram_status;
}

/// The signature of `polygram_errors` (Telegram's known RPC errors as
/// msgpack), a later addition to ABI 1: find it with [`polygram_errors_fn`],
/// which also works with libraries that predate it.
pub type polygram_errors_t = unsafe extern "C" fn(out: *mut *mut c_uchar, out_len: *mut usize) -> polygram_status;

/// Looks `polygram_errors` up in the loaded library (`dlsym`), as the header
/// advises: `None` when the library predates it (or on Windows).
pub fn polygram_errors_fn() -> Option<polygram_errors_t> {
    let p = lookup(c"polygram_errors")?;
    // SAFETY: the symbol is the function the header declares.
    Some(unsafe { std::mem::transmute::<*mut c_void, polygram_errors_t>(p) })
}

/// The signature of `polygram_event_fd` (a descriptor readable while
/// `polygram_receive` with timeout 0 has an event, for event loops such as
/// tokio's `AsyncFd` or mio), a later addition to ABI 1: find it with
/// [`polygram_event_fd_fn`].
pub type polygram_event_fd_t = unsafe extern "C" fn(client: polygram_handle, fd: *mut c_int) -> polygram_status;

/// Looks `polygram_event_fd` up in the loaded library: `None` when the
/// library predates it (or on Windows, where it does not exist).
pub fn polygram_event_fd_fn() -> Option<polygram_event_fd_t> {
    let p = lookup(c"polygram_event_fd")?;
    // SAFETY: the symbol is the function the header declares.
    Some(unsafe { std::mem::transmute::<*mut c_void, polygram_event_fd_t>(p) })
}

/// Finds a symbol of the loaded library with `dlsym(RTLD_DEFAULT, name)`.
fn lookup(name: &std::ffi::CStr) -> Option<*mut c_void> {
    #[cfg(unix)]
    {
        extern "C" {
            fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
        }
        #[cfg(any(target_os = "macos", target_os = "ios"))]
        let default = -2isize as *mut c_void; // RTLD_DEFAULT
        #[cfg(not(any(target_os = "macos", target_os = "ios")))]
        let default = std::ptr::null_mut(); // RTLD_DEFAULT
                                            // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name.
        let p = unsafe { dlsym(default, name.as_ptr()) };
        (!p.is_null()).then_some(p)
    }
    #[cfg(not(unix))]
    {
        let _ = name;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn library_identity_matches_the_declarations() {
        unsafe {
            assert_eq!(polygram_abi_version(), POLYGRAM_ABI_VERSION);
            assert!(polygram_layer() > 0);
            let v = CStr::from_ptr(polygram_version()).to_str().unwrap();
            assert!(!v.is_empty());
            let name = CStr::from_ptr(polygram_status_name(POLYGRAM_ERR_FLOOD_WAIT));
            assert_eq!(name.to_str().unwrap(), "FLOOD_WAIT");
            let name = CStr::from_ptr(polygram_status_name(POLYGRAM_ERR_FAILED));
            assert_eq!(name.to_str().unwrap(), "FAILED");
        }
    }

    #[cfg(unix)]
    #[test]
    fn event_fd_is_readable_exactly_while_receive_has_something() {
        #[repr(C)]
        struct PollFd {
            fd: c_int,
            events: i16,
            revents: i16,
        }
        extern "C" {
            fn poll(fds: *mut PollFd, n: u64, timeout_ms: c_int) -> c_int;
            fn close(fd: c_int) -> c_int;
        }
        let readable = |fd: c_int, ms: c_int| {
            let mut p = PollFd {
                fd,
                events: 1,
                revents: 0,
            }; // POLLIN
               // SAFETY: one valid pollfd.
            unsafe { poll(&mut p, 1, ms) == 1 }
        };
        let event_fd = polygram_event_fd_fn().expect("the library exports polygram_event_fd");
        // {"api_id": 1, "api_hash": "t", "session": ":memory:", "dcs": [{"id": 2, "addr": "127.0.0.1:1"}]}:
        // receive mode, no network needed.
        let mut cfg = vec![0x84, 0xa6];
        cfg.extend(b"api_id");
        cfg.extend([0x01, 0xa8]);
        cfg.extend(b"api_hash");
        cfg.extend([0xa1, b't', 0xa7]);
        cfg.extend(b"session");
        cfg.push(0xa8);
        cfg.extend(b":memory:");
        cfg.push(0xa3);
        cfg.extend(b"dcs");
        cfg.extend([0x91, 0x82, 0xa2, b'i', b'd', 0x02, 0xa4]);
        cfg.extend(b"addr");
        cfg.push(0xab);
        cfg.extend(b"127.0.0.1:1");
        unsafe {
            let mut client: polygram_handle = 0;
            let (mut err, mut err_len) = (std::ptr::null_mut(), 0usize);
            let st = polygram_client_new(
                cfg.as_ptr(),
                cfg.len(),
                None,
                std::ptr::null_mut(),
                &mut client,
                &mut err,
                &mut err_len,
            );
            assert_eq!(st, POLYGRAM_OK, "client_new");
            let mut fd: c_int = -1;
            assert_eq!(event_fd(client, &mut fd), POLYGRAM_OK);
            assert!(fd >= 0);
            assert!(readable(fd, 2000), "the initial auth state makes it readable");
            let mut ev = polygram_event::default();
            let mut taken = 0;
            while polygram_receive(client, 0.0, &mut ev) == POLYGRAM_OK {
                polygram_free(ev.data as *mut c_void);
                taken += 1;
            }
            assert!(taken >= 1);
            assert!(!readable(fd, 20), "quiet once drained");
            polygram_client_close(client);
            assert!(readable(fd, 2000), "readable after close");
            let mut end = POLYGRAM_OK;
            for _ in 0..100 {
                end = polygram_receive(client, 0.0, &mut ev);
                if end != POLYGRAM_OK {
                    break;
                }
                polygram_free(ev.data as *mut c_void);
            }
            assert_eq!(end, POLYGRAM_ERR_CLOSED);
            let mut bad: c_int = 7;
            assert_ne!(event_fd(0, &mut bad), POLYGRAM_OK);
            assert_eq!(bad, -1);
            close(fd);
        }
    }

    #[test]
    fn event_layout_matches_c() {
        // int, int, uint64_t, int, pointer, size_t on an LP64 target.
        if cfg!(target_pointer_width = "64") {
            assert_eq!(std::mem::size_of::<polygram_event>(), 40);
            assert_eq!(std::mem::offset_of!(polygram_event, request_id), 8);
            assert_eq!(std::mem::offset_of!(polygram_event, data), 24);
        }
    }
}
