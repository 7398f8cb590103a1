'use strict';
// The client: requests as Promises, events through an EventEmitter.
//
// Event delivery: the client is created with the library's event callback
// (one koffi callback for the process, routing by handle). The library calls
// it on its own thread, one event at a time per client; koffi hands the call
// to the JS thread and the library thread waits until it returns, so the
// lent event is copied safely and everything JS-visible runs on the JS
// thread, in order, without polling and without holding a worker thread per
// client. Handlers are not awaited: a slow async handler never stalls the
// library, and a burst of events is bounded by the library's event queue
// (DROPPED events say when updates were dropped).
//
// polygram_client_close, called from outside the callback, waits until the
// last event was delivered, which needs the JS thread: it therefore runs on a
// koffi worker thread (close.async), so disconnect() works from anywhere,
// handlers included. A connected client keeps the process alive (a ref'd
// timer, like a socket); disconnect() releases it.
const { EventEmitter } = require('node:events');
const native = require('./native.cjs');
const codec = require('./codec.cjs');
const { PolygramError } = require('./errors.cjs');
const { Message, MessageEvent, MessageDeletedEvent, RawEvent, Dialog, markedId } = require('./message.cjs');

const { STATUS, ENCODING, EVENT } = native;
const KEEP_ALIVE_MS = 2 ** 31 - 1;

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
defineEvent('Raw', ['raw', 'raw_updates'], (c, d) => new RawEvent(c, d));

function makeFilter(event, filters) {
  if (!filters) return () => true;
  const { pattern, incoming, outgoing, chats, func } = filters;
  const chatSet = chats === undefined || chats === null ? null : new Set([].concat(chats).map((c) => {
    const n = Number(c);
    if (!Number.isSafeInteger(n) || n === 0) throw new TypeError(`${event} filter: chats takes marked ids (numbers), got ${String(c)}; resolve names with resolvePeer first`);
    return n;
  }));
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
    const st = this._n.clientNew(bytes, bytes.length, native.callbackFor(this._n), null, h, err, errLen);
    if (st !== STATUS.OK) throw native.failure(this._n, st, err[0], errLen[0]);
    this.handle = h[0];
    // Events cannot run before this constructor returns: they wait for the JS thread.
    native.receivers.set(Number(this.handle), this);
    this._keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
    this._pending = new Map();
    this._sendQueue = [];
    this._sending = false;
    this._early = new Map();
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

  _handle(ev) {
    let data;
    try {
      const bytes = ev.data;
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
    this._safeEmit('disconnected');
    this._resolveDone();
  }

  // ---- requests ------------------------------------------------------------

  // Requests go to polygram_send in order, one call at a time per client, on
  // a koffi worker thread: a cgo call from Node's main thread is slow (the Go
  // runtime re-reads the main thread's stack bounds from /proc/self/maps on
  // every call, as koffi runs it on its own stack: ~170 µs), from a worker it
  // is not (~1 µs). A result may then overtake the send's completion: it
  // waits in _early until the id is known.
  _send(encoding, bytes, kind, fn) {
    if (this._closed) return Promise.reject(native.failure(this._n, STATUS.CLOSED, null, 0));
    return new Promise((resolve, reject) => {
      this._sendQueue.push({ encoding, bytes, kind, fn, resolve, reject });
      if (!this._sending) this._nextSend();
    });
  }

  _nextSend() {
    const item = this._sendQueue.shift();
    if (!item) {
      this._sending = false;
      return;
    }
    this._sending = true;
    const id = [0];
    const err = [null];
    const errLen = [0];
    this._n.send.async(this.handle, item.encoding, item.bytes, item.bytes.length, id, err, errLen, (e, st) => {
      if (e) item.reject(e);
      else if (st !== STATUS.OK) item.reject(native.failure(this._n, st, err[0], errLen[0]));
      else {
        const rid = Number(id[0]);
        const early = this._early.get(rid);
        if (early) {
          this._early.delete(rid);
          this._complete(item, early);
        } else if (this._finished) {
          item.reject(native.failure(this._n, STATUS.CLOSED, null, 0));
        } else this._pending.set(rid, item);
      }
      this._nextSend();
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
      this._n.clientClose.async(this.handle, (e, st) => this._finish(e ? STATUS.INTERNAL : st, e));
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

  /** The first options.limit (100) dialogs, newest first. */
  async getDialogs(options = {}) {
    const r = await this.call('get_dialogs', options);
    return (r.dialogs || []).map((d) => Dialog.fromFriendly(this, d));
  }

  /**
   * Iterates over a chat's messages, newest first, fetching pages of
   * options.batchSize (100) as the loop goes. options: limit (total; all by
   * default), offsetId (start below this id), minId, maxId, search.
   */
  async *iterMessages(peer, options = {}) {
    const { limit = Infinity, batchSize = 100, offsetId = 0, ...rest } = options;
    checkCount('limit', limit);
    checkCount('batchSize', batchSize);
    let offset = offsetId;
    let left = limit;
    while (left > 0) {
      const want = Math.min(batchSize, left);
      const page = await this.getHistory(peer, { ...rest, limit: want, offsetId: offset });
      for (const m of page) {
        yield m;
        if (--left === 0) return;
      }
      if (page.length < want) return;
      offset = page[page.length - 1].id;
    }
  }

  /**
   * Iterates over the dialogs, newest first, paging with raw
   * messages.getDialogs calls of options.batchSize (100) as the loop goes.
   * options: limit (total; all by default), excludePinned, folderId.
   */
  async *iterDialogs(options = {}) {
    const { limit = Infinity, batchSize = 100, excludePinned = false, folderId } = options;
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

  /**
   * Iterates over the members of a group or channel, paging with raw
   * channels.getParticipants calls of options.batchSize (100); a basic
   * group's members come from messages.getFullChat in one call. Yields
   * {id, user, participant}: the user and participant TL maps (friendly
   * numbers). options: limit (all by default), search (names, usernames).
   */
  async *iterParticipants(peer, options = {}) {
    const { limit = Infinity, batchSize = 100, search = '' } = options;
    checkCount('limit', limit);
    checkCount('batchSize', batchSize);
    const p = await this.resolvePeer(peer);
    let left = limit;
    const entry = (part, users) => {
      const id = Number(part.user_id ?? (part.peer && part.peer.user_id));
      return { id, user: users.get(id), participant: codec.narrow(part) };
    };
    const userMap = (list) => new Map((list || []).map((u) => [Number(u.id), codec.narrow(u)]));
    if (p.kind === 'chat') {
      const res = await this.invoke({ _: 'messages.getFullChat', chat_id: BigInt(p.id) });
      const parts = res.full_chat.participants.participants || [];
      const users = userMap(res.users);
      const q = search.toLowerCase();
      for (const part of parts) {
        const e = entry(part, users);
        const u = e.user || {};
        if (q && ![u.first_name, u.last_name, u.username].join(' ').toLowerCase().includes(q)) continue;
        yield e;
        if (--left === 0) return;
      }
      return;
    }
    if (p.kind !== 'channel') throw new TypeError(`iterParticipants: ${peer} is a ${p.kind}, not a group or channel`);
    const channel = { _: 'inputChannel', channel_id: BigInt(p.id), access_hash: BigInt(p.access_hash) };
    const filter = search ? { _: 'channelParticipantsSearch', q: search } : { _: 'channelParticipantsRecent' };
    let offset = 0;
    while (left > 0) {
      const want = Math.min(batchSize, left, 200);
      const res = await this.invoke({ _: 'channels.getParticipants', channel, filter, offset, limit: want, hash: 0n });
      if (res._ !== 'channels.channelParticipants') return;
      const users = userMap(res.users);
      for (const part of res.participants) {
        yield entry(part, users);
        if (--left === 0) return;
      }
      if (res.participants.length < want) return;
      offset += res.participants.length;
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
