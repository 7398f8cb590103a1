//! The client: a handle to one Telegram session in the Go core, with requests
//! completed as std futures by the library's event callback.

use crate::error::{Error, Result};
use crate::events::{Event, EventQueue, Events, Filter};
use crate::ffi::{check, OutBuf};
use crate::types::QrCode;
use crate::value::{from_msgpack, map, req_i64, to_msgpack, Fields, Value};
use polygram_sys as sys;
use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::os::raw::c_void;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// `{"method": method, "args": args}`, without "args" when it is nil.
pub(crate) fn call_map(method: &str, args: Value) -> Value {
    if args.is_nil() {
        map([("method", Value::from(method))])
    } else {
        map([("method", Value::from(method)), ("args", args)])
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where a client keeps its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// In memory only (the default).
    Memory,
    /// An SQLite file, created if missing and locked while open.
    File(PathBuf),
    /// A Polygram string session (from [`Client::export_session`]).
    String(String),
    /// A Telethon string session.
    Telethon(String),
    /// A Pyrogram string session.
    Pyrogram(String),
}

impl Session {
    fn to_value(&self) -> Value {
        match self {
            Session::Memory => Value::from(":memory:"),
            Session::File(p) => Value::from(p.to_string_lossy().into_owned()),
            Session::String(s) => map([("string", Value::from(s.as_str()))]),
            Session::Telethon(s) => map([("telethon_string", Value::from(s.as_str()))]),
            Session::Pyrogram(s) => map([("pyrogram_string", Value::from(s.as_str()))]),
        }
    }
}

/// A client configuration: the msgpack map given to `polygram_client_new`
/// (keys are listed in docs/capi.md). Unknown keys are rejected by the
/// library when the client is created, so typos fail loudly.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    entries: Vec<(String, Value)>,
}

impl Config {
    /// A configuration with the application's `api_id` and `api_hash`.
    pub fn new(api_id: i32, api_hash: &str) -> Config {
        Config {
            entries: vec![
                ("api_id".into(), Value::from(api_id)),
                ("api_hash".into(), Value::from(api_hash)),
            ],
        }
    }

    /// A configuration from a msgpack map (for example the emulator's `client_config`).
    pub fn from_map(v: Value) -> Result<Config> {
        match v {
            Value::Map(m) => {
                let mut entries = Vec::with_capacity(m.len());
                for (k, v) in m {
                    match k.as_str() {
                        Some(k) => entries.push((k.to_owned(), v)),
                        None => return Err(Error::InvalidArgument(format!("config: keys must be strings, got {k}"))),
                    }
                }
                Ok(Config { entries })
            }
            other => Err(Error::InvalidArgument(format!("config: must be a map, got {other}"))),
        }
    }

    /// Sets any configuration key (replacing an earlier value).
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Config {
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 = value,
            None => self.entries.push((key.to_owned(), value)),
        }
        self
    }

    /// The value of a key, if set.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Where the session lives.
    pub fn session(self, s: Session) -> Config {
        let v = s.to_value();
        self.set("session", v)
    }

    /// FLOOD_WAITs up to this many seconds are slept through; longer ones are
    /// [`Error::FloodWait`]. Negative: never sleep.
    pub fn flood_sleep_threshold(self, seconds: i64) -> Config {
        self.set("flood_sleep_threshold", seconds)
    }

    /// The lowest level of [`Event::Log`] delivered: "debug", "info", "warn", "error" or "off".
    pub fn log_level(self, level: &str) -> Config {
        self.set("log_level", level)
    }

    /// Also deliver every updates object the server pushes as [`Event::RawUpdates`].
    pub fn raw_updates(self, on: bool) -> Config {
        self.set("raw_updates", on)
    }

    /// The msgpack map of this configuration.
    pub fn to_value(&self) -> Value {
        Value::Map(
            self.entries
                .iter()
                .map(|(k, v)| (Value::from(k.as_str()), v.clone()))
                .collect(),
        )
    }
}

// ---------------------------------------------------------------------------
// Completion slots

type Outcome = std::result::Result<Vec<u8>, (i32, Vec<u8>)>;

enum SlotState {
    Waiting(Option<Waker>),
    Done(Outcome),
    Taken,
}

pub(crate) struct Slot(Mutex<SlotState>, AtomicBool, Option<ProgressHook>);

impl Slot {
    fn new(progress: Option<ProgressHook>) -> Self {
        Slot(Mutex::new(SlotState::Waiting(None)), AtomicBool::new(false), progress)
    }

    fn is_done(&self) -> bool {
        self.1.load(Ordering::Acquire)
    }

    fn complete(&self, o: Outcome) {
        let waker = {
            let mut s = lock(&self.0);
            self.1.store(true, Ordering::Release);
            match std::mem::replace(&mut *s, SlotState::Done(o)) {
                SlotState::Waiting(w) => w,
                // Completed twice: keep the first outcome.
                prev => {
                    *s = prev;
                    None
                }
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// A function shown each QR login URL (see `Client::qr_login`).
pub(crate) type QrHook = Box<dyn FnMut(QrCode) + Send>;

thread_local! {
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// State shared between a [`Client`], its futures and streams, and the
/// library's callback thread.
pub(crate) struct Shared {
    handle: AtomicU64,
    pending: Mutex<HashMap<u64, Arc<Slot>>>,
    subscribers: Mutex<Vec<Weak<EventQueue>>>,
    auth_state: Mutex<String>,
    qr_hook: Mutex<Option<QrHook>>,
    closed: AtomicBool,
    /// The strong reference lent to the library as user_data (released after close).
    lent: AtomicBool,
    /// Adaptive first-poll spinning (see `Shared::spin_until_done`).
    spin: SpinPolicy,
}

/// How long a first poll waits, spinning, for a result that is about to
/// arrive, before letting the executor park its thread. Waking a parked thread
/// costs several microseconds, more than a local call takes; the library's
/// own waiters poll the same way (docs/capi.md, "Waiting").
const SPIN: Duration = Duration::from_micros(4);

/// Spinning stops after a miss and is tried again every 8th request, so
/// network-bound clients spend nothing on it.
struct SpinPolicy {
    on: AtomicBool,
    skipped: std::sync::atomic::AtomicU32,
}

impl SpinPolicy {
    fn new() -> Self {
        SpinPolicy {
            on: AtomicBool::new(true),
            skipped: std::sync::atomic::AtomicU32::new(0),
        }
    }

    fn spin_until_done(&self, slot: &Slot) {
        if !self.on.load(Ordering::Relaxed) && self.skipped.fetch_add(1, Ordering::Relaxed) % 8 != 7 {
            return;
        }
        let start = std::time::Instant::now();
        loop {
            if slot.is_done() {
                self.on.store(true, Ordering::Relaxed);
                return;
            }
            if start.elapsed() >= SPIN {
                self.on.store(false, Ordering::Relaxed);
                return;
            }
            for _ in 0..32 {
                std::hint::spin_loop();
            }
        }
    }
}

impl Shared {
    fn handle(&self) -> u64 {
        self.handle.load(Ordering::Acquire)
    }

    /// Sends a request; the returned future completes with its result.
    pub(crate) fn send<T>(self: &Arc<Self>, encoding: i32, req: &[u8], conv: fn(Vec<u8>) -> Result<T>) -> Pending<T> {
        self.send_tracked(encoding, req, conv, None)
    }

    /// Sends a request whose PROGRESS events go to `progress`.
    pub(crate) fn send_tracked<T>(
        self: &Arc<Self>,
        encoding: i32,
        req: &[u8],
        conv: fn(Vec<u8>) -> Result<T>,
        progress: Option<ProgressHook>,
    ) -> Pending<T> {
        let slot = Arc::new(Slot::new(progress));
        let mut err = OutBuf::new();
        let mut id = 0u64;
        {
            // Held across polygram_send: the callback takes it too, so a result
            // delivered before send returns finds its slot.
            let mut pending = lock(&self.pending);
            // SAFETY: req is valid for the call; the out pointers are ours.
            let st = unsafe {
                sys::polygram_send(
                    self.handle(),
                    encoding,
                    req.as_ptr(),
                    req.len(),
                    &mut id,
                    &mut err.ptr,
                    &mut err.len,
                )
            };
            if st != sys::POLYGRAM_OK {
                drop(pending);
                return Pending::failed(self.clone(), Error::from_status(st, &err.take()), conv);
            }
            pending.insert(id, slot.clone());
        }
        Pending {
            shared: self.clone(),
            id,
            slot: Some(slot),
            early: None,
            conv,
            polled: false,
            _t: PhantomData,
        }
    }

    /// Sends a friendly call `{"method", "args"}`.
    pub(crate) fn call<T>(self: &Arc<Self>, method: &str, args: Value, conv: fn(Vec<u8>) -> Result<T>) -> Pending<T> {
        self.send(sys::POLYGRAM_ENCODING_CALL, &to_msgpack(&call_map(method, args)), conv)
    }

    pub(crate) fn subscribe(&self, filter: Filter) -> Events {
        let q = Arc::new(EventQueue::new(filter));
        if self.closed.load(Ordering::Acquire) {
            q.close();
        } else {
            let mut subs = lock(&self.subscribers);
            subs.retain(|w| w.strong_count() > 0);
            subs.push(Arc::downgrade(&q));
        }
        Events::new(q)
    }

    /// Handles one event on the library's callback thread.
    fn deliver(&self, kind: i32, status: i32, id: u64, data: &[u8]) {
        match kind {
            sys::POLYGRAM_EVENT_PROGRESS => {
                // The pending map is locked across polygram_send, so the slot
                // is there even for a report that beats send's return.
                let slot = lock(&self.pending).get(&id).cloned();
                if let (Some(slot), Ok(v)) = (slot, from_msgpack(data)) {
                    if let Some(hook) = &slot.2 {
                        let total = v.i64_of("total");
                        hook.call(Progress {
                            done: v.i64_of("done").max(0) as u64,
                            total: (total >= 0).then_some(total as u64),
                        });
                    }
                }
            }
            sys::POLYGRAM_EVENT_RESULT | sys::POLYGRAM_EVENT_ERROR => {
                let slot = lock(&self.pending).remove(&id);
                if let Some(slot) = slot {
                    slot.complete(if kind == sys::POLYGRAM_EVENT_RESULT {
                        Ok(data.to_vec())
                    } else {
                        Err((status, data.to_vec()))
                    });
                }
            }
            _ => {
                let Ok(v) = from_msgpack(data) else { return };
                let ev = Event::from_map(kind, v);
                let mut closing = false;
                match &ev {
                    Event::AuthState { state, qr } => {
                        *lock(&self.auth_state) = state.clone();
                        if let Some(qr) = qr {
                            if let Some(hook) = lock(&self.qr_hook).as_mut() {
                                hook(qr.clone());
                            }
                        }
                    }
                    Event::ConnectionState(s) if s == "closed" => closing = true,
                    _ => {}
                }
                let subs: Vec<Arc<EventQueue>> = lock(&self.subscribers).iter().filter_map(Weak::upgrade).collect();
                for q in &subs {
                    q.push(&ev);
                }
                if closing {
                    self.closed.store(true, Ordering::Release);
                    for q in &subs {
                        q.close();
                    }
                    lock(&self.subscribers).clear();
                }
            }
        }
    }

    fn close(self: &Arc<Self>) {
        let h = self.handle();
        if h == 0 {
            return;
        }
        // SAFETY: closing is idempotent and valid for any handle.
        unsafe { sys::polygram_client_close(h) };
        self.closed.store(true, Ordering::Release);
        for q in lock(&self.subscribers).drain(..).filter_map(|w| w.upgrade()) {
            q.close();
        }
        // Outside the callback, close returns after the last event was
        // delivered, so the reference lent to the library can go. Inside the
        // callback (a hook that closes its own client) it is leaked instead.
        if !IN_CALLBACK.with(Cell::get) && self.lent.swap(false, Ordering::AcqRel) {
            // SAFETY: this is the reference made by Arc::into_raw in Client::new.
            unsafe { drop(Arc::from_raw(Arc::as_ptr(self))) };
        }
    }
}

unsafe extern "C" fn on_event(user_data: *mut c_void, _client: u64, ev: *const sys::polygram_event) {
    if user_data.is_null() || ev.is_null() {
        return;
    }
    // SAFETY: user_data is the Arc<Shared> lent in Client::new, alive until
    // close returns; the event is lent for this call.
    let shared = &*(user_data as *const Shared);
    let ev = &*ev;
    let data: &[u8] = if ev.data.is_null() || ev.data_len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ev.data, ev.data_len)
    };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        IN_CALLBACK.with(|c| c.set(true));
        shared.deliver(ev.type_, ev.status, ev.request_id, data);
        IN_CALLBACK.with(|c| c.set(false));
    }));
}

// ---------------------------------------------------------------------------
// Futures

/// The future of one request. The request is sent when this value is created;
/// dropping it before completion cancels the request (`polygram_cancel`). It
/// is `'static` and does not keep the client open: closing the client
/// completes it with [`Error::Closed`].
#[must_use = "a request future does nothing useful unless awaited; dropping it cancels the request"]
pub struct Pending<T> {
    shared: Arc<Shared>,
    id: u64,
    slot: Option<Arc<Slot>>,
    early: Option<Error>,
    conv: fn(Vec<u8>) -> Result<T>,
    polled: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T> Pending<T> {
    fn failed(shared: Arc<Shared>, e: Error, conv: fn(Vec<u8>) -> Result<T>) -> Self {
        Pending {
            shared,
            id: 0,
            slot: None,
            early: Some(e),
            conv,
            polled: false,
            _t: PhantomData,
        }
    }

    /// The request id (0 when the request was rejected before sending).
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl<T> Future for Pending<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        if let Some(e) = self.early.take() {
            return Poll::Ready(Err(e));
        }
        let Some(slot) = self.slot.clone() else {
            return Poll::Ready(Err(Error::Failed("request future polled after completion".into())));
        };
        if !self.polled {
            self.polled = true;
            self.shared.spin.spin_until_done(&slot);
        }
        let outcome = {
            let mut s = lock(&slot.0);
            match &mut *s {
                SlotState::Waiting(w) => {
                    match w {
                        Some(w) if w.will_wake(cx.waker()) => {}
                        _ => *w = Some(cx.waker().clone()),
                    }
                    return Poll::Pending;
                }
                SlotState::Done(_) => match std::mem::replace(&mut *s, SlotState::Taken) {
                    SlotState::Done(o) => o,
                    _ => unreachable!(),
                },
                SlotState::Taken => Err((sys::POLYGRAM_ERR_FAILED, Vec::new())),
            }
        };
        self.slot = None;
        Poll::Ready(match outcome {
            Ok(data) => (self.conv)(data),
            Err((status, data)) => Err(Error::from_status(status, &data)),
        })
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            if matches!(&*lock(&slot.0), SlotState::Waiting(_)) {
                // SAFETY: any handle and id are accepted; NOT_FOUND/CLOSED are fine here.
                unsafe { sys::polygram_cancel(self.shared.handle(), self.id) };
            }
        }
    }
}

pub(crate) fn conv_value(b: Vec<u8>) -> Result<Value> {
    from_msgpack(&b)
}

pub(crate) fn conv_bytes(b: Vec<u8>) -> Result<Vec<u8>> {
    Ok(b)
}

/// The "id" of an answer (a sent message).
pub(crate) fn conv_id(b: Vec<u8>) -> Result<i32> {
    Ok(req_i64(&from_msgpack(&b)?, "id")? as i32)
}

/// The "data" of a download answered in memory.
pub(crate) fn conv_data(b: Vec<u8>) -> Result<Vec<u8>> {
    match from_msgpack(&b)? {
        Value::Map(m) => m
            .into_iter()
            .find(|(k, _)| k.as_str() == Some("data"))
            .and_then(|(_, v)| match v {
                Value::Binary(d) => Some(d),
                _ => None,
            })
            .ok_or_else(|| Error::Decode("download: the answer has no data".into())),
        other => Err(Error::Decode(format!("download: the answer is not a map: {other}"))),
    }
}

/// The "size" of a download written to a path.
pub(crate) fn conv_size(b: Vec<u8>) -> Result<u64> {
    Ok(req_i64(&from_msgpack(&b)?, "size")?.max(0) as u64)
}

/// The "path" a download was written to.
pub(crate) fn conv_path(b: Vec<u8>) -> Result<PathBuf> {
    let v = from_msgpack(&b)?;
    match v.field("path").and_then(Value::as_str) {
        Some(p) => Ok(PathBuf::from(p)),
        None => Err(Error::Decode(format!("download: the answer has no path: {v}"))),
    }
}

/// The "ids" of an answer (an album).
pub(crate) fn conv_ids(b: Vec<u8>) -> Result<Vec<i32>> {
    Ok(from_msgpack(&b)?
        .list_of("ids")
        .iter()
        .filter_map(Value::as_i64)
        .map(|i| i as i32)
        .collect())
}

// ---------------------------------------------------------------------------
// Transfers with progress

/// How far a file transfer got (see [`ProgressHook`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes moved so far; never decreases.
    pub done: u64,
    /// The file's size, when known (profile photos are sized only at the end).
    /// The last report, just before the result, has `done == total`.
    pub total: Option<u64>,
}

/// Where the progress of a transfer goes: a callback, or the sending end of
/// a channel ([`ProgressHook::channel`]). The callback runs on the library's
/// event thread, once per part: keep it quick and never block in it.
#[derive(Clone)]
pub struct ProgressHook(Arc<dyn Fn(Progress) + Send + Sync>);

impl ProgressHook {
    /// A hook calling `f` with each report.
    pub fn new(f: impl Fn(Progress) + Send + Sync + 'static) -> ProgressHook {
        ProgressHook(Arc::new(f))
    }

    /// A hook sending each report to the returned receiver (reports sent
    /// after the receiver is dropped are discarded).
    pub fn channel() -> (ProgressHook, std::sync::mpsc::Receiver<Progress>) {
        let (tx, rx) = std::sync::mpsc::channel();
        let tx = Mutex::new(tx);
        (
            ProgressHook::new(move |p| {
                let _ = lock(&tx).send(p);
            }),
            rx,
        )
    }

    fn call(&self, p: Progress) {
        (self.0)(p)
    }
}

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

impl PartialEq for ProgressHook {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A file transfer (an upload or a download) to await: `.await` sends it.
/// [`Transfer::progress`] first asks the library for progress reports.
///
/// ```no_run
/// # async fn f(client: &polygram::Client) -> polygram::Result<()> {
/// use polygram::ProgressHook;
/// let hook = ProgressHook::new(|p| eprintln!("{} of {:?} bytes", p.done, p.total));
/// let data = client.download_media("me", 42).progress(hook).await?;
/// # let _ = data; Ok(()) }
/// ```
#[must_use = "a transfer is sent when awaited"]
pub struct Transfer<T> {
    shared: Arc<Shared>,
    method: &'static str,
    args: Value,
    conv: fn(Vec<u8>) -> Result<T>,
    progress: Option<ProgressHook>,
}

impl<T> Transfer<T> {
    pub(crate) fn new(client: &Client, method: &'static str, args: Value, conv: fn(Vec<u8>) -> Result<T>) -> Self {
        Transfer {
            shared: client.shared.clone(),
            method,
            args,
            conv,
            progress: None,
        }
    }

    /// Reports the transfer's progress to `hook` (the request is sent with
    /// `"progress": true`).
    pub fn progress(mut self, hook: ProgressHook) -> Self {
        self.progress = Some(hook);
        self
    }

    /// Sends the request now; the returned future completes with its result.
    pub fn send(self) -> Pending<T> {
        let mut args = self.args;
        if self.progress.is_some() {
            if let Value::Map(m) = &mut args {
                m.push((Value::from("progress"), Value::from(true)));
            }
        }
        let req = to_msgpack(&call_map(self.method, args));
        self.shared
            .send_tracked(sys::POLYGRAM_ENCODING_CALL, &req, self.conv, self.progress)
    }
}

impl<T> std::fmt::Debug for Transfer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transfer")
            .field("method", &self.method)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl<T> std::future::IntoFuture for Transfer<T> {
    type Output = Result<T>;
    type IntoFuture = Pending<T>;

    fn into_future(self) -> Pending<T> {
        self.send()
    }
}

// ---------------------------------------------------------------------------
// Client

/// A Telegram client. `Send + Sync`: share it with `Arc` between tasks and
/// threads. Dropping it closes it (pending requests end with
/// [`Error::Closed`], the session is flushed).
///
/// Every request method sends at once and returns a future completed by the
/// library's event thread through std wakers, so any executor (or
/// `pollster::block_on`) drives it: no async runtime is required.
pub struct Client {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("handle", &self.shared.handle()).finish()
    }
}

impl Client {
    /// Creates a client. Nothing is sent to Telegram until the first request.
    pub fn new(config: Config) -> Result<Client> {
        let shared = Arc::new(Shared {
            handle: AtomicU64::new(0),
            pending: Mutex::new(HashMap::new()),
            subscribers: Mutex::new(Vec::new()),
            auth_state: Mutex::new(String::new()),
            qr_hook: Mutex::new(None),
            closed: AtomicBool::new(false),
            lent: AtomicBool::new(true),
            spin: SpinPolicy::new(),
        });
        let cfg = to_msgpack(&config.to_value());
        let user_data = Arc::into_raw(shared.clone()) as *mut c_void;
        let mut err = OutBuf::new();
        let mut h = 0u64;
        // SAFETY: cfg is valid for the call; user_data stays alive until close.
        let st = unsafe {
            sys::polygram_client_new(
                cfg.as_ptr(),
                cfg.len(),
                Some(on_event),
                user_data,
                &mut h,
                &mut err.ptr,
                &mut err.len,
            )
        };
        if let Err(e) = check(st, &mut err) {
            // SAFETY: the library did not keep user_data.
            unsafe { drop(Arc::from_raw(user_data as *const Shared)) };
            return Err(e);
        }
        shared.handle.store(h, Ordering::Release);
        Ok(Client { shared })
    }

    /// Creates a client and connects it (`help.getConfig`; the DC list is saved in the session).
    pub async fn connect(config: Config) -> Result<Client> {
        let c = Client::new(config)?;
        c.call("connect", Value::Map(vec![])).await?;
        Ok(c)
    }

    /// The C API handle of this client.
    pub fn handle(&self) -> u64 {
        self.shared.handle()
    }

    /// Closes the client: pending requests end with [`Error::Closed`], event
    /// streams end, the session is flushed. Idempotent; `Drop` calls it.
    pub fn close(&self) {
        self.shared.close();
    }

    /// Whether the client was closed.
    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }

    /// The last auth state reported ("wait_phone", "wait_code", "ready", ...).
    pub fn auth_state(&self) -> String {
        lock(&self.shared.auth_state).clone()
    }

    /// Sets the lowest level of [`Event::Log`] delivered ("debug", "info", "warn", "error", "off").
    pub fn set_log_level(&self, level: &str) -> Result<()> {
        let l = match level {
            "debug" => sys::POLYGRAM_LOG_DEBUG,
            "info" => sys::POLYGRAM_LOG_INFO,
            "warn" => sys::POLYGRAM_LOG_WARN,
            "error" => sys::POLYGRAM_LOG_ERROR,
            "off" => sys::POLYGRAM_LOG_OFF,
            _ => {
                return Err(Error::InvalidArgument(format!(
                    "log level {level:?} is none of debug, info, warn, error, off"
                )))
            }
        };
        // SAFETY: a plain call on our handle.
        let st = unsafe { sys::polygram_set_log_level(self.handle(), l) };
        check(st, &mut OutBuf::new())
    }

    /// A friendly call by name: `{"method": method, "args": args}` (see
    /// docs/capi.md for every method). The result is the method's msgpack map.
    pub fn call(&self, method: &str, args: Value) -> Pending<Value> {
        self.shared.call(method, args, conv_value)
    }

    /// A raw TL call as a msgpack map (`{"_": "help.getNearestDc"}`); the result
    /// is the TL result as a msgpack map. It goes through the same invoke
    /// policy as friendly calls (flood waits, migrations, peer caching).
    pub fn invoke(&self, request: &Value) -> Pending<Value> {
        self.shared
            .send(sys::POLYGRAM_ENCODING_MSGPACK, &to_msgpack(request), conv_value)
    }

    /// A raw TL call as boxed TL bytes; the result is the TL bytes of the result type.
    pub fn invoke_raw(&self, tl: &[u8]) -> Pending<Vec<u8>> {
        self.shared.send(sys::POLYGRAM_ENCODING_TL, tl, conv_bytes)
    }

    /// A friendly call that blocks the calling thread (`polygram_invoke`), for
    /// synchronous programs. `None` waits without limit; on timeout the request
    /// is cancelled and [`Error::Timeout`] returned.
    pub fn call_blocking(&self, method: &str, args: Value, timeout: Option<Duration>) -> Result<Value> {
        let req = to_msgpack(&call_map(method, args));
        let out = self.invoke_blocking_bytes(sys::POLYGRAM_ENCODING_CALL, &req, timeout)?;
        from_msgpack(&out)
    }

    /// A raw TL call (boxed TL bytes) that blocks the calling thread.
    pub fn invoke_raw_blocking(&self, tl: &[u8], timeout: Option<Duration>) -> Result<Vec<u8>> {
        self.invoke_blocking_bytes(sys::POLYGRAM_ENCODING_TL, tl, timeout)
    }

    fn invoke_blocking_bytes(&self, enc: i32, req: &[u8], timeout: Option<Duration>) -> Result<Vec<u8>> {
        let (mut out, mut err) = (OutBuf::new(), OutBuf::new());
        let t = timeout.map_or(0.0, |d| d.as_secs_f64().max(1e-6));
        // SAFETY: req is valid for the call; out pointers are ours.
        let st = unsafe {
            sys::polygram_invoke(
                self.handle(),
                enc,
                req.as_ptr(),
                req.len(),
                t,
                &mut out.ptr,
                &mut out.len,
                &mut err.ptr,
                &mut err.len,
            )
        };
        check(st, &mut err)?;
        Ok(out.take())
    }

    /// A stream of every event of this client (updates, auth and connection
    /// states, logs). Events arriving before the stream was made are not in it.
    pub fn events(&self) -> Events {
        self.shared.subscribe(Filter::all())
    }

    /// A stream of the events that pass `filter`.
    pub fn events_filtered(&self, filter: Filter) -> Events {
        self.shared.subscribe(filter)
    }

    pub(crate) fn set_qr_hook(&self, hook: Option<QrHook>) {
        *lock(&self.shared.qr_hook) = hook;
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn client_and_futures_are_send() {
        assert_send_sync::<Client>();
        fn send<T: Send>() {}
        send::<Pending<Value>>();
        send::<Events>();
        send::<Transfer<Vec<u8>>>();
        assert_send_sync::<ProgressHook>();
        // The async methods' futures can be spawned on multi-threaded executors
        // (creating them sends nothing: an async fn starts when polled).
        fn is_send<T: Send>(_: &T) {}
        let c = Client::new(Config::new(1, "x")).unwrap();
        is_send(&c.send_message("me", "x"));
        is_send(&c.qr_login(|_| {}));
        is_send(&c.iter_messages("me", Some(1)));
        is_send(&Client::connect(Config::new(1, "x")));
    }

    #[test]
    fn config_set_replaces_and_rejects_non_maps() {
        let c = Config::new(1, "h").set("api_id", 5).log_level("off");
        assert_eq!(c.get("api_id").and_then(Value::as_i64), Some(5));
        assert_eq!(c.get("log_level").and_then(Value::as_str), Some("off"));
        assert!(matches!(
            Config::from_map(Value::from(3)),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn bad_configuration_is_a_typed_error() {
        let err = Client::new(Config::new(1, "x").set("no_such_key", 1)).unwrap_err();
        match err {
            Error::InvalidArgument(m) => assert!(m.contains("no_such_key"), "{m}"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
