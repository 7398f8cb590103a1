'use strict';
// The client: requests as Promises, events through an EventEmitter.
//
// Event delivery. Where the library has polygram_event_fd (POSIX), the
// client is created in receive mode and the JS thread drains its queue: a
// socket on the descriptor wakes the loop when the queue goes from empty to
// non-empty, and _drain takes events with non-blocking polygram_receive
// calls until none is left, all on the JS thread (each call ~1 us). One loop
// wake-up per burst, no thread hand-off, and a long burst yields to the loop
// every DRAIN_BATCH events. Otherwise (Windows, an older library, or
// POLYGRAM_NODE_DELIVERY=callback) the client is created with the library's
// event callback (one koffi callback for the process, routing by handle): the
// library calls it on its own thread, koffi hands the call to the JS thread
// and the library thread waits until it returns. In both modes everything
// JS-visible runs on the JS thread, in order. Handlers are not awaited: a
// slow async handler never stalls the library, and a burst of events is
// bounded by the library's event queue (DROPPED events say when updates
// were dropped).
//
// polygram_client_close, called from outside the callback, waits until the
// last event was delivered, which in callback mode needs the JS thread: it
// therefore runs on a koffi worker thread (close.async), so disconnect()
// works from anywhere, handlers included. A connected client keeps the
// process alive (a ref'd timer, like a socket); disconnect() releases it.
const { EventEmitter } = require('node:events');
const net = require('node:net');
const native = require('./native.cjs');
const codec = require('./codec.cjs');
const { PolygramError } = require('./errors.cjs');
const { Message, MessageEvent, MessageDeletedEvent, RawEvent, Dialog, Participant, markedId, inputPeerOf } = require('./message.cjs');
const {
  MessageReadEvent, ChatActionEvent, UserUpdateEvent, AlbumEvent, CallbackQueryEvent, InlineQueryEvent, inlineResult,
} = require('./events.cjs');
const { buildMarkup } = require('./buttons.cjs');

const { STATUS, ENCODING, EVENT } = native;
const KEEP_ALIVE_MS = 2 ** 31 - 1;
const DRAIN_BATCH = 512;

// useEventFd says whether clients drain their queue on the JS thread.
function useEventFd(n) {
  return Boolean(n.eventFd) && process.platform !== 'win32' && process.env.POLYGRAM_NODE_DELIVERY !== 'callback';
}

// Update events: the event name handlers register for, the "type" values of
// the library's UPDATE maps it covers, and how its event object is made.
// defineEvent adds a kind (the core may grow more: each is one entry).
const UPDATE_EVENTS = {};

/**
 * Registers an update event kind: `name` ('NewMessage') for update maps whose
 * "type" is one of `types`, made into an event object by make(client, data).
 */
function defineEvent(name, types, make) {
  if (typeof name !== 'string' || !/^[A-Z][A-Za-z]*$/.test(name)) throw new TypeError(`event name ${name} must be PascalCase`);
  if (!Array.isArray(types) || types.length === 0) throw new TypeError('types must be a non-empty array of update types');
  UPDATE_EVENTS[name] = { types, make };
}

defineEvent('NewMessage', ['new_message'], (c, d) => new MessageEvent(c, d));
defineEvent('MessageEdited', ['message_edited'], (c, d) => new MessageEvent(c, d));
defineEvent('MessageDeleted', ['message_deleted'], (c, d) => new MessageDeletedEvent(c, d));
defineEvent('MessageRead', ['message_read'], (c, d) => new MessageReadEvent(c, d));
defineEvent('ChatAction', ['chat_action'], (c, d) => new ChatActionEvent(c, d));
defineEvent('UserUpdate', ['user_update'], (c, d) => new UserUpdateEvent(c, d));
defineEvent('Album', ['album'], (c, d) => new AlbumEvent(c, d));
defineEvent('CallbackQuery', ['callback_query'], (c, d) => new CallbackQueryEvent(c, d));
defineEvent('InlineQuery', ['inline_query'], (c, d) => new InlineQueryEvent(c, d));
defineEvent('Raw', ['raw', 'raw_updates'], (c, d) => new RawEvent(c, d));

function makeFilter(event, filters) {
  if (!filters) return () => true;
  const { pattern, incoming, outgoing, chats, func, data } = filters;
  const wantData = data === undefined || data === null ? null : (data instanceof RegExp ? data : Buffer.from(data));
  const chatSet = chats === undefined || chats === null ? null : new Set([].concat(chats).map((c) => {
    const n = Number(c);
    if (!Number.isSafeInteger(n) || n === 0) throw new TypeError(`${event} filter: chats takes marked ids (numbers), got ${String(c)}; resolve names with resolvePeer first`);
    return n;
  }));
  return (ev) => {
    if (incoming && !outgoing && ev.out) return false;
    if (outgoing && !incoming && ev.out === false) return false;
    if (chatSet && !chatSet.has(Number(ev.chatId))) return false;
    if (wantData) {
      const got = ev.data instanceof Uint8Array ? Buffer.from(ev.data) : null;
      if (!got) return false;
      if (wantData instanceof RegExp) {
        const m = wantData.exec(got.toString('utf8'));
        if (!m) return false;
        ev.patternMatch = m;
      } else if (!got.equals(wantData)) return false;
    }
    if (pattern !== undefined && pattern !== null) {
      const text = ev.text ?? '';
      if (typeof pattern === 'function') {
        const r = pattern(text);
        if (!r) return false;
        ev.patternMatch = r;
      } else {
        const re = pattern instanceof RegExp ? pattern : new RegExp(String(pattern));
        const m = re.exec(text);
        if (!m) return false;
        ev.patternMatch = m;
      }
    }
    if (func && !func(ev)) return false;
    return true;
  };
}

const PARTICIPANT_FILTERS = ['recent', 'admins', 'bots', 'banned', 'kicked'];
function checkFilter(filter) {
  if (!PARTICIPANT_FILTERS.includes(filter)) throw new TypeError(`participants filter ${JSON.stringify(filter)} is none of ${PARTICIPANT_FILTERS.join(', ')}`);
}

// messageOptions turns sendMessage/editMessage options into call args:
// buttons into a reply markup map, schedule into Unix seconds.
function messageOptions(what, options) {
  const { buttons, schedule, ...rest } = options || {};
  const out = { ...rest };
  const markup = buildMarkup(buttons);
  if (markup) out.buttons = markup;
  if (schedule !== undefined && schedule !== null) {
    const t = schedule instanceof Date ? Math.floor(schedule.getTime() / 1000) : schedule;
    if (!Number.isSafeInteger(t) || t <= 0) throw new TypeError(`${what}: schedule must be a Date or Unix seconds, got ${String(schedule)}`);
    out.schedule = t;
  }
  return out;
}

// fileAnswer turns a download answer into a Buffer ({data}) or {path, size}.
function fileAnswer(r) {
  return r.data !== undefined ? Buffer.from(r.data) : r;
}

function camelKey(k) {
  return k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

function checkCount(name, v) {
  if (!(v === Infinity || (Number.isInteger(v) && v > 0))) throw new TypeError(`${name} must be a positive integer, got ${v}`);
}

async function resolveValue(v, ...args) {
  return typeof v === 'function' ? v(...args) : v;
}

class Client extends EventEmitter {
  /**
   * @param {object} options configuration keys of docs/capi.md, camelCase or
   *   snake_case (apiId, apiHash, session, dcs, publicKeys, logLevel, ...);
   *   `library` (a path) chooses the shared library.
   */
  constructor(options = {}) {
    super();
    const { library, ...config } = options;
    this._n = native.loadLibrary(library ? { path: library } : {});
    const cfg = codec.snake(config);
    if (cfg.session === undefined) cfg.session = ':memory:';
    const bytes = codec.encode(cfg);
    const h = [0];
    const err = [null];
    const errLen = [0];
    const drain = useEventFd(this._n);
    const st = this._n.clientNew(bytes, bytes.length, drain ? null : native.callbackFor(this._n), null, h, err, errLen);
    if (st !== STATUS.OK) throw native.failure(this._n, st, err[0], errLen[0]);
    this.handle = h[0];
    // Events cannot run before this constructor returns: they wait for the JS thread.
    if (drain) this._watch();
    else native.receivers.set(Number(this.handle), this);
    this._keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
    this._pending = new Map();
    this._sendQueue = [];
    this._sending = false;
    this._early = new Map();
    this._earlyProgress = new Map();
    this._handlers = [];
    this._closed = false;
    this._finished = false;
    this.authState = undefined;
    this.connectionState = undefined;
    this.me = undefined;
    this._done = new Promise((resolve) => { this._resolveDone = resolve; });
  }

  // ---- events --------------------------------------------------------------

  on(event, filtersOrHandler, maybeHandler) {
    if (!Object.prototype.hasOwnProperty.call(UPDATE_EVENTS, event)) return super.on(event, filtersOrHandler);
    return this.addEventHandler(event, filtersOrHandler, maybeHandler);
  }

  addListener(event, a, b) { return this.on(event, a, b); }

  off(event, handler) {
    if (!Object.prototype.hasOwnProperty.call(UPDATE_EVENTS, event)) return super.off(event, handler);
    return this.removeEventHandler(event, handler);
  }

  removeListener(event, handler) { return this.off(event, handler); }

  /** Registers handler(event) for an update event, with optional filters. */
  addEventHandler(event, filtersOrHandler, maybeHandler) {
    if (!UPDATE_EVENTS[event]) throw new TypeError(`unknown update event ${event}; one of ${Object.keys(UPDATE_EVENTS).join(', ')}`);
    const handler = typeof filtersOrHandler === 'function' ? filtersOrHandler : maybeHandler;
    const filters = typeof filtersOrHandler === 'function' ? undefined : filtersOrHandler;
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    const { types, make } = UPDATE_EVENTS[event];
    this._handlers.push({ event, types, make, handler, accept: makeFilter(event, filters) });
    return this;
  }

  removeEventHandler(event, handler) {
    this._handlers = this._handlers.filter((h) => !(h.event === event && h.handler === handler));
    return this;
  }

  _handlerError(err, ev) {
    // Never fatal: reported on 'handlerError', else on stderr.
    try {
      if (this.listenerCount('handlerError') > 0) {
        super.emit('handlerError', err, ev);
        return;
      }
    } catch (e) { err = e; }
    console.error('polygram: an event handler failed:', err);
  }

  _safeEmit(name, ...args) {
    try {
      super.emit(name, ...args);
    } catch (e) {
      this._handlerError(e, args[0]);
    }
  }

  _dispatchUpdate(data) {
    const type = data.type;
    const made = new Map(); // one event object per kind, made on first use
    for (const h of this._handlers.slice()) {
      if (!h.types.includes(type)) continue;
      try {
        let ev = made.get(h.event);
        if (!ev) {
          ev = h.make(this, data);
          made.set(h.event, ev);
        }
        // Each handler sees its own pattern match.
        const view = Object.create(ev);
        if (!h.accept(view)) continue;
        const r = h.handler(view);
        if (r && typeof r.then === 'function') r.then(undefined, (e) => this._handlerError(e, view));
      } catch (e) {
        this._handlerError(e, data);
      }
    }
    this._safeEmit('update', data);
  }

  // ---- events from the library (on the JS thread) --------------------------

  _event(ev) {
    try {
      this._handle(ev);
    } catch (e) {
      this._handlerError(e);
    }
  }

  _eventError(e) { this._handlerError(e); }

  // _watch opens a socket on the client's event descriptor (receive mode).
  // libuv reads the descriptor's byte, which is harmless: every wake-up
  // drains the queue, and the library writes again once it found the queue
  // empty. The socket is unref'd: the keep-alive timer decides the
  // process's life, in both modes alike.
  _watch() {
    const fd = [-1];
    const st = this._n.eventFd(this.handle, fd);
    if (st !== STATUS.OK) {
      this._n.clientClose(this.handle);
      throw native.failure(this._n, st, null, 0);
    }
    this._ev = {};
    this._drainScheduled = false;
    this._watcher = new net.Socket({
      fd: fd[0],
      readable: true,
      writable: false,
      onread: { buffer: Buffer.alloc(16), callback: () => { this._drain(); } },
    });
    this._watcher.on('end', () => this._drain());
    this._watcher.on('error', (e) => this._handlerError(e));
    this._watcher.unref();
    // Events queued before the socket existed (the initial auth state).
    this._scheduleDrain();
  }

  _scheduleDrain() {
    if (this._drainScheduled) return;
    this._drainScheduled = true;
    setImmediate(() => {
      this._drainScheduled = false;
      this._drain();
    });
  }

  // _drain takes every queued event with polygram_receive(0) on the JS
  // thread and handles it; at the end of a closed client it finishes.
  _drain(all = false) {
    if (!this._watcher || this._draining) return;
    this._draining = true;
    try {
      const ev = this._ev;
      for (let i = 0; all || i < DRAIN_BATCH; i++) {
        const st = this._n.receive(this.handle, 0, ev);
        if (st === STATUS.OK) {
          let data;
          try {
            data = native.take(this._n, ev.data, ev.data_len);
          } catch (e) {
            this._eventError(e);
            continue;
          }
          this._event({ type: ev.type, status: ev.status, request_id: ev.request_id, data });
          continue;
        }
        if (st === STATUS.TIMEOUT) return;
        // CLOSED (drained) or BAD_HANDLE (spent): the end.
        this._unwatch();
        this._finish(STATUS.CLOSED);
        return;
      }
      this._scheduleDrain(); // a long burst: let the loop breathe, then go on
    } finally {
      this._draining = false;
    }
  }

  _unwatch() {
    const w = this._watcher;
    if (!w) return;
    this._watcher = null;
    w.destroy();
  }

  _handle(ev) {
    let data;
    try {
      const bytes = ev.data;
      if (ev.type === EVENT.PROGRESS) {
        this._progress(Number(ev.request_id), codec.decodeFriendly(bytes));
        return;
      }
      if (ev.type === EVENT.RESULT || ev.type === EVENT.ERROR) {
        const id = Number(ev.request_id);
        const p = this._pending.get(id);
        if (!p) {
          // The result overtook the completion of its polygram_send call.
          if (this._sending) this._early.set(id, ev);
          return;
        }
        this._pending.delete(id);
        this._complete(p, ev);
        return;
      }
      data = codec.decodeFriendly(bytes);
    } catch (e) {
      this._handlerError(e);
      return;
    }
    this._dispatchEvent(ev.type, data);
  }

  // _progress hands a PROGRESS event {done, total} to its request's
  // progressCallback; one that overtook the send's completion waits.
  _progress(id, data) {
    const p = this._pending.get(id);
    if (!p) {
      if (this._sending) this._earlyProgress.set(id, data);
      return;
    }
    if (!p.onProgress) return;
    try {
      const r = p.onProgress(data.done, data.total);
      if (r && typeof r.then === 'function') r.then(undefined, (e) => this._handlerError(e));
    } catch (e) {
      this._handlerError(e);
    }
  }

  // _complete settles a request's promise with its RESULT or ERROR event.
  _complete(p, ev) {
    const bytes = ev.data;
    try {
      if (ev.type === EVENT.ERROR) {
          p.reject(native.failure(this._n, ev.status, null, 0, codec.decodeFriendly(bytes)));
        } else if (p.kind === 'tl') p.resolve(bytes);
        else if (p.kind === 'raw') p.resolve(codec.decodeRaw(this._n, bytes, p.fn));
        else p.resolve(codec.decodeFriendly(bytes));
    } catch (e) {
      p.reject(e);
    }
  }

  _dispatchEvent(type, data) {
    switch (type) {
      case EVENT.UPDATE: this._dispatchUpdate(data); break;
      case EVENT.AUTH_STATE: this.authState = data.state; this._safeEmit('authState', data); break;
      case EVENT.CONNECTION_STATE: this.connectionState = data.state; this._safeEmit('connectionState', data); break;
      case EVENT.LOG: this._safeEmit('log', data); break;
      case EVENT.DROPPED: this._safeEmit('dropped', data); break;
      default: break;
    }
  }

  _finish(status, cause) {
    if (this._finished) return;
    this._finished = true;
    this._closed = true;
    clearInterval(this._keepAlive);
    native.receivers.delete(Number(this.handle));
    const err = native.failure(this._n, STATUS.CLOSED, null, 0);
    if (status !== STATUS.CLOSED && cause) err.cause = cause;
    for (const p of this._pending.values()) p.reject(err);
    this._pending.clear();
    for (const p of this._sendQueue) p.reject(err);
    this._sendQueue.length = 0;
    this._early.clear();
    this._earlyProgress.clear();
    this._safeEmit('disconnected');
    this._resolveDone();
  }

  // ---- requests ------------------------------------------------------------

  // Requests go to polygram_send in order (see _nextSend). In callback mode
  // a result may overtake the send's completion: it waits in _early until
  // the id is known.
  _send(encoding, bytes, kind, fn, onProgress) {
    if (this._closed) return Promise.reject(native.failure(this._n, STATUS.CLOSED, null, 0));
    return new Promise((resolve, reject) => {
      this._sendQueue.push({ encoding, bytes, kind, fn, onProgress, resolve, reject });
      if (!this._sending) this._nextSend();
    });
  }

  // _nextSend hands queued requests to the library. polygram_send never
  // waits for the network (it queues the request and returns its id), so it
  // runs synchronously on the JS thread: ~1 us, where a koffi worker-thread
  // round trip costs tens. (It is cheap from this thread because the library
  // answers the Go runtime's stack-bounds question for the main thread
  // without re-reading /proc/self/maps; see capi/stackbound.c.)
  _nextSend() {
    this._sending = true;
    for (let item = this._sendQueue.shift(); item; item = this._sendQueue.shift()) {
      const id = [0];
      const err = [null];
      const errLen = [0];
      let st;
      try {
        st = this._n.send(this.handle, item.encoding, item.bytes, item.bytes.length, id, err, errLen);
      } catch (e) {
        item.reject(e);
        continue;
      }
      if (st !== STATUS.OK) {
        item.reject(native.failure(this._n, st, err[0], errLen[0]));
        continue;
      }
      const rid = Number(id[0]);
      const progress = this._earlyProgress.get(rid);
      if (progress) {
        this._earlyProgress.delete(rid);
        this._pending.set(rid, item);
        this._progress(rid, progress);
        this._pending.delete(rid);
      }
      const early = this._early.get(rid);
      if (early) {
        this._early.delete(rid);
        this._complete(item, early);
      } else if (this._finished) {
        item.reject(native.failure(this._n, STATUS.CLOSED, null, 0));
      } else this._pending.set(rid, item);
    }
    this._sending = false;
  }

  /**
   * A friendly call of the C API ({method, args}); args keys may be
   * camelCase. options.onProgress(done, total) receives the PROGRESS
   * events of a file call given `progress: true`.
   */
  call(method, args, options = {}) {
    const req = { method };
    if (args !== undefined) req.args = codec.snake(args);
    return this._send(ENCODING.CALL, codec.encode(req), 'call', undefined, options.onProgress);
  }

  // _transfer is a file call with an optional progressCallback(done, total):
  // the library then reports progress (POLYGRAM_EVENT_PROGRESS, library 0.2).
  async _transfer(method, args, progressCallback) {
    if (progressCallback === undefined || progressCallback === null) return this.call(method, args);
    if (typeof progressCallback !== 'function') throw new TypeError(`${method}: progressCallback must be a function (done, total) => void`);
    try {
      return await this.call(method, { ...args, progress: true }, { onProgress: progressCallback });
    } catch (e) {
      if (e instanceof PolygramError && e.status === STATUS.INVALID_ARGUMENT && /unknown argument "progress"/.test(e.message)) {
        const err = new PolygramError({
          status: STATUS.INVALID_ARGUMENT, name: 'PROGRESS_UNSUPPORTED',
          message: `${method}: progressCallback needs a libpolygram with transfer progress events (POLYGRAM_EVENT_PROGRESS); ${this._n.path} (${this._n.version()}) has none`,
        });
        err.cause = e;
        throw err;
      }
      throw e;
    }
  }

  /**
   * A raw TL call as an object ({_: 'messages.getHistory', peer: ..., ...});
   * longs are bigint in the result, bytes Uint8Array.
   */
  invoke(request) {
    if (!request || typeof request._ !== 'string') return Promise.reject(new TypeError('invoke needs a TL object with a "_" name'));
    let bytes;
    try {
      bytes = codec.encode(request);
    } catch (e) {
      return Promise.reject(new TypeError(`invoke: ${request._} cannot be encoded: ${e.message}`));
    }
    return this._send(ENCODING.MSGPACK, bytes, 'raw', request._);
  }

  /** A raw TL call as boxed TL bytes; the result is TL bytes. */
  invokeTL(bytes) {
    return this._send(ENCODING.TL, bytes, 'tl');
  }

  // ---- login ---------------------------------------------------------------

  /**
   * Logs in unless the session already is, starts updates and fetches `me`.
   * phone, code, password, botToken are values or (async) functions.
   */
  async start(options = {}) {
    const { phone, code, password, botToken, firstName, lastName, catchUp = true } = options;
    const { authorized } = await this.call('is_authorized');
    if (!authorized) {
      if (botToken !== undefined) {
        await this.call('sign_in_bot', { token: await resolveValue(botToken) });
      } else {
        if (phone === undefined) throw new TypeError('start() needs botToken or phone (and code)');
        const ph = String(await resolveValue(phone));
        const sent = await this.call('send_code', { phone: ph });
        if (code === undefined) throw new TypeError('start() needs code for a phone login');
        const c = String(await resolveValue(code, sent));
        try {
          await this.call('sign_in', { phone: ph, hash: sent.hash, code: c });
        } catch (e) {
          if (e.status === STATUS.PASSWORD_NEEDED) {
            if (password === undefined) throw e;
            const hint = await this.call('password_hint').then((r) => r.hint, () => '');
            await this.call('check_password', { password: String(await resolveValue(password, hint)) });
          } else if (e.status === STATUS.SIGN_UP_REQUIRED && firstName !== undefined) {
            await this.call('sign_up', { phone: ph, hash: sent.hash, firstName: await resolveValue(firstName), lastName: (await resolveValue(lastName)) || '' });
          } else throw e;
        }
      }
    }
    await this.call('start_updates', { catchUp });
    this.me = await this.getMe();
    return this;
  }

  /**
   * Closes the client; resolves once the last event was delivered. Safe to
   * call from inside a handler and more than once.
   */
  disconnect() {
    if (!this._closed) {
      this._closed = true;
      // On a worker thread: close waits for the last event, delivered on this one.
      this._n.clientClose.async(this.handle, (e, st) => {
        // Receive mode: the queue now ends with the last events; take them.
        if (this._watcher && !e) this._drain(true);
        this._unwatch();
        this._finish(e ? STATUS.INTERNAL : st, e);
      });
    }
    return this._done;
  }

  get connected() { return !this._closed; }

  /** Resolves when the client is disconnected (for `await client.runUntilDisconnected()`). */
  runUntilDisconnected() { return this._done; }

  setLogLevel(level) {
    const levels = { debug: 0, info: 1, warn: 2, error: 3, off: 4 };
    const v = typeof level === 'string' ? levels[level] : level;
    const st = this._n.setLogLevel(this.handle, v ?? -1);
    if (st !== STATUS.OK) throw native.failure(this._n, st, null, 0);
  }

  // ---- friendly methods (docs/capi.md) --------------------------------------

  _messages(list) { return (list || []).map((m) => new Message(this, m)); }

  getMe() { return this.call('get_me'); }
  getState() { return this.call('get_state'); }
  isAuthorized() { return this.call('is_authorized').then((r) => r.authorized); }
  connect() { return this.call('connect'); }
  startUpdates(options = {}) { return this.call('start_updates', { catchUp: options.catchUp ?? true }); }
  getEntity(peer) { return this.call('get_entity', { peer }); }
  resolvePeer(peer) { return this.call('resolve_peer', { peer }); }
  pingLocal(args = {}) { return this.call('ping_local', args); }

  /**
   * Sends a text message; resolves to {id} (a scheduled message's id with
   * `schedule`). options: replyTo, silent, noWebpage, parseMode, entities,
   * buttons (Button rows or a reply markup map), schedule (a Date or Unix
   * seconds).
   */
  sendMessage(peer, text, options = {}) {
    let args;
    try {
      args = messageOptions('sendMessage', options);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.call('send_message', { peer, text: String(text), ...args });
  }

  /** Edits a message's text (and with `buttons` its markup; '' with buttons changes the buttons only). */
  editMessage(peer, id, text, options = {}) {
    let args;
    try {
      args = messageOptions('editMessage', options);
    } catch (e) {
      return Promise.reject(e);
    }
    if (args.schedule !== undefined) return Promise.reject(new TypeError('editMessage: schedule applies to sendMessage only'));
    return this.call('edit_message', { peer, id, text: String(text ?? ''), ...args });
  }

  /**
   * As a bot, edits a message sent through its inline mode, named by the id
   * its callback queries carry (event.inlineMessageId); the bot need not be
   * in that chat. text may be '' when only options.buttons change.
   * CallbackQueryEvent.edit uses it for such messages.
   */
  editInlineMessage(inlineMessageId, text, options = {}) {
    const id = inlineMessageId;
    if (id === null || typeof id !== 'object' || !['inputBotInlineMessageID', 'inputBotInlineMessageID64'].includes(id._)) {
      return Promise.reject(new TypeError('editInlineMessage: inlineMessageId must be the inputBotInlineMessageID(64) a callback query carries (event.inlineMessageId)'));
    }
    let args;
    try {
      args = messageOptions('editInlineMessage', options);
    } catch (e) {
      return Promise.reject(e);
    }
    if (args.schedule !== undefined) return Promise.reject(new TypeError('editInlineMessage: schedule applies to sendMessage only'));
    const t = String(text ?? '');
    return this.call('edit_inline_message', { inlineMessageId: id, ...(t ? { text: t } : {}), ...args });
  }

  deleteMessages(peer, ids, options = {}) {
    return this.call('delete_messages', { peer, ids: [].concat(ids), ...options });
  }

  /** Forwards messages ids from fromPeer to toPeer; resolves to the new ids. */
  forwardMessages(toPeer, ids, fromPeer) {
    return this.call('forward_messages', { fromPeer, ids: [].concat(ids), toPeer }).then((r) => r.ids);
  }

  async getMessages(peer, ids) {
    const r = await this.call('get_messages', { peer, ids: [].concat(ids) });
    return this._messages(r.messages);
  }

  /** options: limit, offsetId, minId, maxId, search. */
  async getHistory(peer, options = {}) {
    const r = await this.call('get_history', { peer, ...options });
    return this._messages(r.messages);
  }

  /**
   * The first options.limit (100) dialogs, newest first. options: limit,
   * archived (the archive folder), excludePinned.
   */
  async getDialogs(options = {}) {
    const { limit = 100, archived = false, excludePinned = false } = options;
    checkCount('limit', limit);
    const r = await this.call('iter_dialogs', { limit: limit === Infinity ? -1 : limit, archived, excludePinned });
    return (r.dialogs || []).map((d) => Dialog.fromFriendly(this, d));
  }

  /** Moves a dialog to the archive (archived false: back to the main list). */
  archiveDialog(peer, archived = true) { return this.call('archive_dialog', { peer, archived: Boolean(archived) }); }

  /**
   * Iterates over a chat's messages, newest first (oldest first with
   * reverse), fetching pages of options.batchSize (100) with the friendly
   * iter_messages as the loop goes. options: limit (total; all by default),
   * offsetId (start below this id; with reverse above it), offsetDate (a
   * Date or Unix seconds), minId, maxId (exclusive bounds), search,
   * fromUser (a peer), pinned, reverse, ids (those messages only).
   */
  async *iterMessages(peer, options = {}) {
    const { limit = Infinity, batchSize, pageSize, offsetId = 0, offsetDate, reverse = false, ids, fromUser, ...rest } = options;
    const batch = batchSize ?? pageSize ?? 100;
    checkCount('limit', limit);
    checkCount('batchSize', batch);
    if (ids !== undefined) {
      const list = [].concat(ids);
      const r = await this.call('iter_messages', { peer, ids: list, limit: list.length || 1 });
      let left = limit;
      for (const m of this._messages(r.messages)) {
        yield m;
        if (--left === 0) return;
      }
      return;
    }
    const base = { peer, reverse, ...rest };
    if (fromUser !== undefined) base.fromUser = fromUser;
    let offset = offsetId;
    let date = offsetDate instanceof Date ? Math.floor(offsetDate.getTime() / 1000) : offsetDate;
    let left = limit;
    while (left > 0) {
      const want = Math.min(batch, left, 100);
      const args = { ...base, limit: want, pageSize: want, offsetId: offset };
      if (date) args.offsetDate = date;
      const r = await this.call('iter_messages', args);
      const page = this._messages(r.messages);
      for (const m of page) {
        yield m;
        if (--left === 0) return;
      }
      if (page.length < want) return;
      offset = page[page.length - 1].id;
      date = undefined;
    }
  }

  /**
   * Iterates over the dialogs, newest first, paging with raw
   * messages.getDialogs calls of options.batchSize (100) as the loop goes.
   * options: limit (total; all by default), excludePinned, archived (the
   * archive folder; or folderId).
   */
  async *iterDialogs(options = {}) {
    const { limit = Infinity, batchSize = 100, excludePinned = false, archived = false } = options;
    const folderId = options.folderId ?? (archived ? 1 : undefined);
    checkCount('limit', limit);
    checkCount('batchSize', batchSize);
    let offsetDate = 0;
    let offsetId = 0;
    let offsetPeer = { _: 'inputPeerEmpty' };
    let left = limit;
    const seen = new Set();
    while (left > 0) {
      const want = Math.min(batchSize, left, 100);
      const req = {
        _: 'messages.getDialogs', offset_date: offsetDate, offset_id: offsetId, offset_peer: offsetPeer,
        limit: want, hash: 0n,
      };
      if (excludePinned) req.exclude_pinned = true;
      if (folderId !== undefined) req.folder_id = folderId;
      const res = await this.invoke(req);
      if (res._ === 'messages.dialogsNotModified') return;
      const page = Dialog.fromRaw(this, res);
      let fresh = 0;
      for (const d of page) {
        if (seen.has(d.id)) continue;
        seen.add(d.id);
        fresh++;
        yield d;
        if (--left === 0) return;
      }
      if (res._ === 'messages.dialogs' || page.length < want || fresh === 0) return;
      const last = page[page.length - 1];
      offsetDate = last.message ? Number(last.message.raw.date) : 0;
      offsetId = last.topId;
      offsetPeer = last.inputPeer;
    }
  }

  sendReadAcknowledge(peer, maxId) { return this.call('send_read_acknowledge', { peer, maxId }); }
  /** Shows "typing…" in a chat (options.cancel stops it). */
  typing(peer, options = {}) { return this.call('typing', { peer, ...options }); }
  /** Pins a message; options: silent, unpin. */
  pinMessage(peer, id, options = {}) { return this.call('pin_message', { peer, id, ...options }); }
  unpinMessage(peer, id) { return this.call('unpin_message', { peer, id }); }
  unpinAllMessages(peer) { return this.call('unpin_all_messages', { peer }); }
  /** The pinned messages of a chat, newest first. */
  async getPinnedMessages(peer) { return this._messages((await this.call('get_pinned_messages', { peer })).messages); }

  /** The messages scheduled in a chat (sendMessage with `schedule`). */
  async getScheduledMessages(peer) { return this._messages((await this.call('get_scheduled_messages', { peer })).messages); }
  /** Sends scheduled messages now. */
  sendScheduledNow(peer, ids) { return this.call('send_scheduled_now', { peer, ids: [].concat(ids) }); }
  deleteScheduledMessages(peer, ids) { return this.call('delete_scheduled_messages', { peer, ids: [].concat(ids) }); }

  // ---- bots ----------------------------------------------------------------

  /**
   * Answers a callback query (as a bot): options message, alert, url,
   * cacheTime (seconds). CallbackQueryEvent.answer is the same.
   */
  answerCallbackQuery(queryId, options = {}) {
    const { message, alert, url, cacheTime } = options;
    return this.call('answer_callback_query', { queryId, message, alert, url, cacheTime });
  }

  /**
   * Answers an inline query (as a bot) with articles ({id, title,
   * description, text, url, parseMode, noWebpage, buttons}); options:
   * cacheTime, nextOffset, gallery, private.
   */
  answerInlineQuery(queryId, results = [], options = {}) {
    let list;
    try {
      if (!Array.isArray(results)) throw new TypeError('answerInlineQuery: results must be an array');
      list = results.map(inlineResult);
    } catch (e) {
      return Promise.reject(e);
    }
    const { cacheTime, nextOffset, gallery, private: personal } = options;
    return this.call('answer_inline_query', { queryId, results: list, cacheTime, nextOffset, gallery, private: personal });
  }

  /**
   * Runs an inline query of a bot (as a user) in a chat (options.peer,
   * 'me' by default); resolves to {queryId, bot, nextOffset, gallery,
   * results}, each result with click(peer?, {replyTo, silent}) sending it.
   */
  async inlineQuery(bot, query = '', options = {}) {
    const { peer = 'me', offset = '' } = options;
    const r = await this.call('inline_query', { bot, peer, query: String(query), offset });
    return this._inlineResults(r, peer);
  }

  _inlineResults(r, peer) {
    const out = { queryId: r.query_id, bot: r.bot, nextOffset: r.next_offset || '', gallery: Boolean(r.gallery), results: [] };
    for (const it of r.results || []) {
      const res = { id: it.id, type: it.type, title: it.title, description: it.description, url: it.url, text: it.text };
      Object.defineProperty(res, 'click', {
        enumerable: false,
        value: (to = peer, opts = {}) => this.sendInlineResult(to, out.queryId, it.id, opts),
      });
      out.results.push(res);
    }
    return out;
  }

  /** Sends result `id` of an inline query (inlineQuery's queryId) to a chat; resolves to {id}. */
  sendInlineResult(peer, queryId, id, options = {}) {
    const { replyTo, silent } = options;
    return this.call('send_inline_result', { peer, queryId, id: String(id), replyTo, silent });
  }

  /**
   * Presses an inline button of message msgId: ref {text}, {data} or
   * {row, col}. Resolves to {text, answer: {message, alert, url,
   * cacheTime}} for a callback button, {text, url} for a link,
   * {text, switchInline: {query, samePeer, bot, results}} for a
   * switch-inline button.
   */
  async click(peer, msgId, ref = {}) {
    const { text, data, row, col } = ref;
    const r = await this.call('click', { peer, msgId, text, data: typeof data === 'string' ? Buffer.from(data) : data, row, col });
    const out = { text: r.text };
    if (r.answer) out.answer = { message: r.answer.message || '', alert: Boolean(r.answer.alert), url: r.answer.url || '', cacheTime: r.answer.cache_time || 0 };
    if (r.url !== undefined) out.url = r.url;
    if (r.switch_inline) {
      const si = r.switch_inline;
      out.switchInline = { query: si.query, samePeer: Boolean(si.same_peer), bot: si.bot };
      if (si.results) out.switchInline.results = this._inlineResults(si.results, peer);
    }
    return out;
  }

  // ---- files ---------------------------------------------------------------

  /**
   * Sends a file: `file` is a path (string) or the bytes (Uint8Array/Buffer);
   * an array of 2 to 10 of them (or {file, caption, parseMode, kind, name,
   * mimeType} objects) is sent as one album and resolves to {ids}.
   * options: caption, parseMode, entities, name, mimeType, asPhoto,
   * replyTo (albums: caption for the first file, replyTo, silent). Resolves to {id}.
   */
  sendFile(peer, file, options = {}) {
    if (Array.isArray(file)) return this.sendAlbum(peer, file, options);
    if (typeof file !== 'string' && !(file instanceof Uint8Array)) {
      return Promise.reject(new TypeError(`sendFile: file must be a path or bytes (Buffer/Uint8Array), or an array of them for an album; got ${file === null ? 'null' : typeof file}`));
    }
    const { progressCallback, ...rest } = options;
    const src = typeof file === 'string' ? { path: file } : { data: file };
    return this._transfer('send_file', { peer, ...src, ...rest }, progressCallback);
  }

  /**
   * Sends 2 to 10 files as one album: each a path, bytes, or {file,
   * caption, parseMode, kind ('photo', 'video', 'document', ...), name,
   * mimeType}. options: caption (for the first file), parseMode, replyTo,
   * silent. Resolves to {ids}.
   */
  sendAlbum(peer, files, options = {}) {
    const { caption, parseMode, replyTo, silent, progressCallback } = options;
    let list;
    try {
      if (!Array.isArray(files) || files.length < 2 || files.length > 10) {
        throw new RangeError(`sendAlbum: an album has 2 to 10 files, got ${Array.isArray(files) ? files.length : typeof files}`);
      }
      list = files.map((f, i) => {
        const o = f instanceof Uint8Array || typeof f === 'string' ? { file: f } : f;
        if (!o || (typeof o.file !== 'string' && !(o.file instanceof Uint8Array))) {
          throw new TypeError(`sendAlbum: files[${i}] must be a path, bytes, or {file, caption, ...}`);
        }
        const { file, ...rest } = o;
        const item = codec.snake({ ...rest });
        if (typeof file === 'string') item.path = file;
        else item.data = file;
        if (i === 0 && caption !== undefined && item.caption === undefined) {
          item.caption = caption;
          if (parseMode !== undefined && item.parse_mode === undefined) item.parse_mode = parseMode;
        }
        return item;
      });
    } catch (e) {
      return Promise.reject(e);
    }
    return this._transfer('send_album', { peer, files: list, replyTo, silent }, progressCallback);
  }

  /**
   * Downloads a message's media: to options.path (resolves to {path, size}),
   * else into memory (resolves to a Buffer). options.thumb downloads a
   * thumbnail instead (see downloadThumbnail).
   */
  async downloadMedia(peer, messageId, options = {}) {
    if (options.thumb !== undefined) return this.downloadThumbnail(peer, messageId, options);
    const { progressCallback, ...rest } = options;
    return fileAnswer(await this._transfer('download_media', { peer, messageId, ...rest }, progressCallback));
  }

  /** A thumbnail of a message's photo or document: options.thumb a size type ('s', 'm'; '' the largest), path. */
  async downloadThumbnail(peer, messageId, options = {}) {
    const { thumb = '', path, progressCallback } = options;
    return fileAnswer(await this._transfer('download_thumbnail', { peer, messageId, thumb, path }, progressCallback));
  }

  /** The profile photo of a user, group or channel: options big (true), path. */
  async downloadProfilePhoto(peer, options = {}) {
    const { big = true, path, progressCallback } = options;
    return fileAnswer(await this._transfer('download_profile_photo', { peer, big, path }, progressCallback));
  }

  /**
   * Bytes of a message's media from options.offset (0), options.limit
   * bytes (all: give a path), into memory or to options.path.
   */
  async downloadRange(peer, messageId, options = {}) {
    const { offset = 0, limit, path, progressCallback } = options;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`downloadRange: offset must be a non-negative integer, got ${offset}`);
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new RangeError(`downloadRange: limit must be a non-negative integer, got ${limit}`);
    if (limit === undefined && path === undefined) throw new TypeError('downloadRange: give a limit, or a path to download to the end');
    if (limit === 0) return path === undefined ? Buffer.alloc(0) : { path, size: 0 };
    return fileAnswer(await this._transfer('download_range', { peer, messageId, offset, limit: limit ?? -1, path }, progressCallback));
  }

  /**
   * Streams a message's media as Buffers of options.chunkSize (1 MB) from
   * options.offset, up to options.limit bytes (to the end by default),
   * fetching each chunk as the loop asks.
   */
  async *iterDownload(peer, messageId, options = {}) {
    const { offset = 0, limit = Infinity, chunkSize = 1 << 20 } = options;
    checkCount('chunkSize', chunkSize);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`iterDownload: offset must be a non-negative integer, got ${offset}`);
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit >= 0))) throw new RangeError(`iterDownload: limit must be a non-negative integer, got ${limit}`);
    let pos = offset;
    let left = limit;
    while (left > 0) {
      const want = Math.min(chunkSize, left);
      const chunk = await this.downloadRange(peer, messageId, { offset: pos, limit: want });
      if (chunk.length > 0) yield chunk;
      if (chunk.length < want) return;
      pos += chunk.length;
      left -= chunk.length;
    }
  }

  /** A file by its Bot API file id: to options.path, else a Buffer. */
  async downloadFileId(fileId, options = {}) {
    return fileAnswer(await this._transfer('download_file_id', { fileId: String(fileId), path: options.path }, options.progressCallback));
  }

  /** The Bot API file ids of a message's media: {fileId, fileUniqueId}. */
  async getFileIds(peer, messageId) {
    const r = await this.call('file_ids', { peer, messageId });
    return { fileId: r.file_id, fileUniqueId: r.file_unique_id };
  }

  /** The fields of a Bot API file id (no network): {type, dcId, id, accessHash, fileReference, ...}. */
  async decodeFileId(fileId) {
    const r = await this.call('decode_file_id', { fileId: String(fileId) });
    const out = {};
    for (const [k, v] of Object.entries(r)) out[camelKey(k)] = v;
    if (r.photo_size) {
      out.photoSize = {};
      for (const [k, v] of Object.entries(r.photo_size)) out.photoSize[camelKey(k)] = v;
    }
    return out;
  }

  exportSession() { return this.call('export_session').then((r) => r.string); }

  /**
   * The members of a group or channel in one friendly call: options
   * filter ('recent', 'admins', 'bots', 'banned', 'kicked'), search,
   * limit (all by default). Resolves to Participant[].
   */
  async getParticipants(peer, options = {}) {
    const { filter = 'recent', search = '', limit = Infinity } = options;
    checkCount('limit', limit);
    checkFilter(filter);
    const r = await this.call('get_participants', { peer, filter, search, limit: limit === Infinity ? 0 : limit });
    return (r.participants || []).map((p) => Participant.fromFriendly(p));
  }

  /**
   * Iterates over the members of a group or channel, paging with raw
   * channels.getParticipants calls of options.batchSize (100, at most 200)
   * as the loop goes; a basic group's members come from
   * messages.getFullChat in one call. Yields Participants. options: limit
   * (all by default), search (names, usernames), filter ('recent',
   * 'admins', 'bots', 'banned', 'kicked').
   */
  async *iterParticipants(peer, options = {}) {
    const { limit = Infinity, batchSize = 100, search = '', filter = 'recent' } = options;
    checkCount('limit', limit);
    checkCount('batchSize', batchSize);
    checkFilter(filter);
    const p = await this.resolvePeer(peer);
    let left = limit;
    const userMap = (list) => new Map((list || []).map((u) => [Number(u.id), codec.narrow(u)]));
    const q = search.toLowerCase();
    const matches = (u) => !q || [u && u.first_name, u && u.last_name, u && u.username].join(' ').toLowerCase().includes(q);
    if (p.kind === 'chat') {
      const res = await this.invoke({ _: 'messages.getFullChat', chat_id: BigInt(p.id) });
      const parts = res.full_chat.participants.participants || [];
      const users = userMap(res.users);
      for (const part of parts) {
        const e = Participant.fromRaw(codec.narrow(part), users);
        if (!matches(e.user)) continue;
        if ((filter === 'admins' && !e.admin) || (filter === 'bots' && !(e.user && e.user.bot)) || filter === 'banned' || filter === 'kicked') continue;
        yield e;
        if (--left === 0) return;
      }
      return;
    }
    if (p.kind !== 'channel') throw new TypeError(`iterParticipants: ${peer} is a ${p.kind}, not a group or channel`);
    const channel = { _: 'inputChannel', channel_id: BigInt(p.id), access_hash: BigInt(p.access_hash) };
    const tl = {
      recent: search ? { _: 'channelParticipantsSearch', q: search } : { _: 'channelParticipantsRecent' },
      admins: { _: 'channelParticipantsAdmins' }, bots: { _: 'channelParticipantsBots' },
      banned: { _: 'channelParticipantsBanned', q: search }, kicked: { _: 'channelParticipantsKicked', q: search },
    }[filter];
    const localSearch = search && (filter === 'admins' || filter === 'bots');
    const seen = new Set();
    let offset = 0;
    while (left > 0) {
      const want = Math.min(batchSize, 200);
      const res = await this.invoke({ _: 'channels.getParticipants', channel, filter: tl, offset, limit: want, hash: 0n });
      if (res._ !== 'channels.channelParticipants') return;
      const users = userMap(res.users);
      for (const part of res.participants) {
        const e = Participant.fromRaw(codec.narrow(part), users);
        if (seen.has(e.id) || (localSearch && !matches(e.user))) continue;
        seen.add(e.id);
        yield e;
        if (--left === 0) return;
      }
      offset += res.participants.length;
      if (res.participants.length < want || offset >= res.count) return;
    }
  }

  // ---- login steps (start() drives them; these are for custom flows) ----------

  /** Sends a login code; resolves to {phone, hash, type, length, timeout}. */
  async sendCode(phone) {
    const sent = await this.call('send_code', { phone: String(phone) });
    this._sentCode = sent;
    return sent;
  }

  /** Signs in with the code; hash defaults to the last sendCode's. Rejects with PASSWORD_NEEDED / SIGN_UP_REQUIRED statuses. */
  signIn({ phone, code, hash } = {}) {
    const sent = this._sentCode || {};
    return this.call('sign_in', { phone: String(phone ?? sent.phone), hash: hash ?? sent.hash, code: String(code) });
  }

  signUp({ phone, hash, firstName, lastName = '' } = {}) {
    const sent = this._sentCode || {};
    return this.call('sign_up', { phone: String(phone ?? sent.phone), hash: hash ?? sent.hash, firstName, lastName });
  }

  checkPassword(password) { return this.call('check_password', { password: String(password) }); }
  passwordHint() { return this.call('password_hint').then((r) => r.hint); }
  signInBot(token) { return this.call('sign_in_bot', { token: String(token) }); }
  /** QR login: each tg://login URL comes as an 'authState' event {state: 'wait_qr', url, expires}. */
  qrLogin() { return this.call('qr_login'); }
  acceptQrLogin(url) { return this.call('accept_qr_login', { url }); }
  /** The whole login in one call: {botToken} or {phone, code, password?, firstName?, lastName?} as values. */
  login(options) { return this.call('login', options); }
  logOut() { return this.call('log_out'); }
}

module.exports = { Client, UPDATE_EVENTS, defineEvent };
