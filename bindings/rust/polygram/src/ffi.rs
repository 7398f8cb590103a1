//! Small safe wrappers around the C API's buffer conventions.

use crate::error::{Error, Result};
use polygram_sys as sys;
use std::os::raw::c_uchar;
use std::ptr;

/// Copies a library-owned buffer and frees it.
///
/// # Safety
/// `p` must be NULL or a buffer of `len` bytes returned by the library.
pub(crate) unsafe fn take(p: *mut c_uchar, len: usize) -> Vec<u8> {
    if p.is_null() {
        return Vec::new();
    }
    let v = std::slice::from_raw_parts(p, len).to_vec();
    sys::polygram_free(p.cast());
    v
}

/// A pair of out pointers (`out`/`out_len` or `err`/`err_len`).
pub(crate) struct OutBuf {
    pub ptr: *mut c_uchar,
    pub len: usize,
}

impl OutBuf {
    pub fn new() -> Self {
        OutBuf {
            ptr: ptr::null_mut(),
            len: 0,
        }
    }
    /// Takes the buffer (copying and freeing it).
    pub fn take(&mut self) -> Vec<u8> {
        // SAFETY: ptr/len were filled by the library (or are still NULL).
        let v = unsafe { take(self.ptr, self.len) };
        self.ptr = ptr::null_mut();
        self.len = 0;
        v
    }
}

impl Drop for OutBuf {
    fn drop(&mut self) {
        self.take();
    }
}

/// Turns a status and error buffer into a result.
pub(crate) fn check(status: i32, err: &mut OutBuf) -> Result<()> {
    if status == sys::POLYGRAM_OK {
        Ok(())
    } else {
        Err(Error::from_status(status, &err.take()))
    }
}

/// Converts one boxed TL object to its msgpack map.
pub fn tl_to_msgpack(tl: &[u8]) -> Result<crate::Value> {
    let (mut out, mut err) = (OutBuf::new(), OutBuf::new());
    // SAFETY: the input slice is valid for the call; out pointers are ours.
    let st = unsafe {
        sys::polygram_tl_to_msgpack(
            tl.as_ptr(),
            tl.len(),
            &mut out.ptr,
            &mut out.len,
            &mut err.ptr,
            &mut err.len,
        )
    };
    check(st, &mut err)?;
    crate::value::from_msgpack(&out.take())
}

/// Converts a msgpack TL map (`{"_": "help.getNearestDc"}`) to boxed TL bytes.
pub fn msgpack_to_tl(v: &crate::Value) -> Result<Vec<u8>> {
    let b = crate::value::to_msgpack(v);
    let (mut out, mut err) = (OutBuf::new(), OutBuf::new());
    // SAFETY: as above.
    let st = unsafe {
        sys::polygram_msgpack_to_tl(
            b.as_ptr(),
            b.len(),
            &mut out.ptr,
            &mut out.len,
            &mut err.ptr,
            &mut err.len,
        )
    };
    check(st, &mut err)?;
    Ok(out.take())
}

/// The library version ("0.1.0").
pub fn version() -> &'static str {
    // SAFETY: a static NUL-terminated string.
    unsafe {
        let p = sys::polygram_version();
        if p.is_null() {
            return "";
        }
        std::ffi::CStr::from_ptr(p).to_str().unwrap_or("")
    }
}

/// The ABI version of the loaded library (must equal [`polygram_sys::POLYGRAM_ABI_VERSION`]).
pub fn abi_version() -> i32 {
    // SAFETY: no arguments.
    unsafe { sys::polygram_abi_version() }
}

/// The Telegram API layer the library speaks.
pub fn layer() -> i32 {
    // SAFETY: no arguments.
    unsafe { sys::polygram_layer() }
}

/// Process-wide figures (`go_heap_alloc`, `clients`, `pending_requests`, ...).
pub fn stats(collect: bool) -> Result<crate::Value> {
    let mut out = OutBuf::new();
    // SAFETY: out pointers are ours.
    let st = unsafe { sys::polygram_stats(collect as i32, &mut out.ptr, &mut out.len) };
    check(st, &mut OutBuf::new())?;
    crate::value::from_msgpack(&out.take())
}
