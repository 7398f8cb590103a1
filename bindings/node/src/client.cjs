'use strict';
// The client: requests as Promises, events through an EventEmitter.
//
// Event delivery: the client is created in polygram_receive mode (no C
// callback). A pump drains ready events synchronously with a zero timeout on
// the JS thread, then waits for the next one with an asynchronous koffi call
// of polygram_receive (on a libuv pool thread, RECEIVE_WAIT seconds at most),
// and starts over. Everything JS-visible happens on the JS thread, so nothing
// can deadlock: polygram_client_close in receive mode returns at once, even
// from inside a handler, and the pump then drains the remaining events up to
// CLOSED. (A koffi callback would run on a library thread and have to block
// it on the JS thread; a close from JS waiting for that thread would
// deadlock.) Cost: one pool thread per connected client while it waits; raise
// UV_THREADPOOL_SIZE (default 4) for many clients in one process.
const { EventEmitter } = require('node:events');
const native = require('./native.cjs');
const codec = require('./codec.cjs');
const { PolygramError } = require('./errors.cjs');
const { Message, MessageEvent, MessageDeletedEvent, RawEvent } = require('./message.cjs');

const { STATUS, ENCODING, EVENT } = native;
const RECEIVE_WAIT = 1.0;
const DRAIN_BATCH = 256;

// Update event names and the "type" of the library's UPDATE maps.
const UPDATE_EVENTS = {
  NewMessage: ['new_message'],
  MessageEdited: ['message_edited'],
  MessageDeleted: ['message_deleted'],
  Raw: ['raw', 'raw_updates'],
};

function makeFilter(event, filters) {
  if (!filters) return () => true;
  const { pattern, incoming, outgoing, chats, func } = filters;
  const chatSet = chats ? new Set([].concat(chats).map(Number)) : null;
  return (ev) => {
    if (incoming && !outgoing && ev.out) return false;
    if (outgoing && !incoming && ev.out === false) return false;
    if (chatSet && !chatSet.has(Number(ev.chatId))) return false;
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
    const st = this._n.clientNew(bytes, bytes.length, null, null, h, err, errLen);
    if (st !== STATUS.OK) throw native.failure(this._n, st, err[0], errLen[0]);
    this.handle = h[0];
    this._pending = new Map();
    this._handlers = [];
    this._closed = false;
    this._finished = false;
    this.authState = undefined;
    this.connectionState = undefined;
    this.me = undefined;
    this._done = new Promise((resolve) => { this._resolveDone = resolve; });
    this._pump();
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
    this._handlers.push({ event, types: UPDATE_EVENTS[event], handler, accept: makeFilter(event, filters) });
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
    let ev = null;
    for (const h of this._handlers.slice()) {
      if (!h.types.includes(type)) continue;
      if (!ev) {
        if (type === 'new_message' || type === 'message_edited') ev = new MessageEvent(this, data);
        else if (type === 'message_deleted') ev = new MessageDeletedEvent(this, data);
        else ev = new RawEvent(this, data);
      }
      // Each handler sees its own pattern match.
      const view = Object.create(ev);
      try {
        if (!h.accept(view)) continue;
        const r = h.handler(view);
        if (r && typeof r.then === 'function') r.then(undefined, (e) => this._handlerError(e, view));
      } catch (e) {
        this._handlerError(e, view);
      }
    }
    this._safeEmit('update', data);
  }

  // ---- the pump ------------------------------------------------------------

  _pump() {
    for (let i = 0; i < DRAIN_BATCH; i++) {
      const ev = {};
      const st = this._n.receive(this.handle, 0, ev);
      if (st === STATUS.OK) this._handle(ev);
      else if (st === STATUS.TIMEOUT) return this._wait();
      else return this._finish(st);
    }
    setImmediate(() => this._pump());
  }

  _wait() {
    const ev = {};
    this._n.receive.async(this.handle, RECEIVE_WAIT, ev, (err, st) => {
      if (err) return this._finish(STATUS.INTERNAL, err);
      if (st === STATUS.OK) this._handle(ev);
      else if (st !== STATUS.TIMEOUT) return this._finish(st);
      this._pump();
    });
  }

  _handle(ev) {
    let data;
    try {
      const bytes = native.take(this._n, ev.data, ev.data_len);
      if (ev.type === EVENT.RESULT || ev.type === EVENT.ERROR) {
        const id = Number(ev.request_id);
        const p = this._pending.get(id);
        if (!p) return;
        this._pending.delete(id);
        if (ev.type === EVENT.ERROR) {
          p.reject(native.failure(this._n, ev.status, null, 0, codec.decodeFriendly(bytes)));
        } else if (p.kind === 'tl') p.resolve(bytes);
        else if (p.kind === 'raw') p.resolve(codec.decodeRaw(this._n, bytes));
        else p.resolve(codec.decodeFriendly(bytes));
        return;
      }
      data = codec.decodeFriendly(bytes);
    } catch (e) {
      this._handlerError(e);
      return;
    }
    switch (ev.type) {
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
    const err = native.failure(this._n, STATUS.CLOSED, null, 0);
    if (status !== STATUS.CLOSED && cause) err.cause = cause;
    for (const p of this._pending.values()) p.reject(err);
    this._pending.clear();
    this._safeEmit('disconnected');
    this._resolveDone();
  }

  // ---- requests ------------------------------------------------------------

  _send(encoding, bytes, kind) {
    if (this._closed) return Promise.reject(native.failure(this._n, STATUS.CLOSED, null, 0));
    const id = [0];
    const err = [null];
    const errLen = [0];
    const st = this._n.send(this.handle, encoding, bytes, bytes.length, id, err, errLen);
    if (st !== STATUS.OK) return Promise.reject(native.failure(this._n, st, err[0], errLen[0]));
    // Results are handled on this thread after send returned, so the id is
    // always registered before its result is looked up.
    return new Promise((resolve, reject) => {
      this._pending.set(Number(id[0]), { resolve, reject, kind });
    });
  }

  /** A friendly call of the C API ({method, args}); args keys may be camelCase. */
  call(method, args) {
    const req = { method };
    if (args !== undefined) req.args = codec.snake(args);
    return this._send(ENCODING.CALL, codec.encode(req), 'call');
  }

  /**
   * A raw TL call as an object ({_: 'messages.getHistory', peer: ..., ...});
   * longs are bigint in the result, bytes Uint8Array.
   */
  invoke(request) {
    if (!request || typeof request._ !== 'string') return Promise.reject(new TypeError('invoke needs a TL object with a "_" name'));
    return this._send(ENCODING.MSGPACK, codec.encode(request), 'raw');
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
      const st = this._n.clientClose(this.handle);
      if (st !== STATUS.OK && st !== STATUS.CLOSED) this._finish(st);
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

  /** Sends a text message; resolves to {id}. options: replyTo, silent, noWebpage, parseMode, entities. */
  sendMessage(peer, text, options = {}) {
    return this.call('send_message', { peer, text: String(text), ...options });
  }

  editMessage(peer, id, text, options = {}) {
    return this.call('edit_message', { peer, id, text: String(text), ...options });
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

  async getDialogs(options = {}) {
    const r = await this.call('get_dialogs', options);
    return (r.dialogs || []).map((d) => ({ ...d, message: d.message ? new Message(this, d.message) : undefined }));
  }

  sendReadAcknowledge(peer, maxId) { return this.call('send_read_acknowledge', { peer, maxId }); }
  typing(peer, options = {}) { return this.call('typing', { peer, ...options }); }
  pinMessage(peer, id, options = {}) { return this.call('pin_message', { peer, id, ...options }); }

  /**
   * Sends a file: `file` is a path (string) or the bytes (Uint8Array/Buffer).
   * options: caption, name, mimeType, asPhoto, replyTo. Resolves to {id}.
   */
  sendFile(peer, file, options = {}) {
    const src = typeof file === 'string' ? { path: file } : { data: file };
    return this.call('send_file', { peer, ...src, ...options });
  }

  /**
   * Downloads a message's media: to options.path (resolves to {path, size}),
   * else into memory (resolves to a Buffer).
   */
  async downloadMedia(peer, messageId, options = {}) {
    const r = await this.call('download_media', { peer, messageId, ...options });
    return r.data !== undefined ? Buffer.from(r.data) : r;
  }

  exportSession() { return this.call('export_session').then((r) => r.string); }
  logOut() { return this.call('log_out'); }
}

module.exports = { Client, UPDATE_EVENTS };
