'use strict';
// The Telegram emulator (DCs on loopback) through the C API, for tests.
const native = require('./native.cjs');
const codec = require('./codec.cjs');
const { STATUS } = native;

class Emulator {
  constructor(n, handle) {
    this._n = n;
    this.handle = handle;
    this.stopped = false;
  }

  /** Starts an emulator. options: dcs (1-9), snapshot (path), library (path). */
  static async start(options = {}) {
    const { library, ...config } = options;
    const n = native.loadLibrary(library ? { path: library } : {});
    const bytes = Object.keys(config).length ? codec.encode(codec.snake(config)) : null;
    const h = [0];
    const err = [null];
    const errLen = [0];
    const st = await new Promise((resolve, reject) => {
      n.emulatorStart.async(bytes, bytes ? bytes.length : 0, h, err, errLen, (e, r) => (e ? reject(e) : resolve(r)));
    });
    if (st !== STATUS.OK) throw native.failure(n, st, err[0], errLen[0]);
    return new Emulator(n, h[0]);
  }

  /** Runs one emulator command; resolves to its answer map. */
  async call(method, args) {
    const req = { method };
    if (args !== undefined) req.args = codec.snake(args);
    const bytes = codec.encode(req);
    const out = [null];
    const outLen = [0];
    const err = [null];
    const errLen = [0];
    const st = await new Promise((resolve, reject) => {
      this._n.emulatorCall.async(this.handle, bytes, bytes.length, out, outLen, err, errLen, (e, r) => (e ? reject(e) : resolve(r)));
    });
    if (st !== STATUS.OK) throw native.failure(this._n, st, err[0], errLen[0]);
    return codec.decodeFriendly(native.take(this._n, out[0], outLen[0]));
  }

  stop() {
    if (this.stopped) return;
    this.stopped = true;
    const st = this._n.emulatorStop(this.handle);
    if (st !== STATUS.OK && st !== STATUS.CLOSED) throw native.failure(this._n, st, null, 0);
  }

  info() { return this.call('info'); }

  /** A client configuration pointing at this emulator (extra keys merged). */
  clientConfig(extra = {}) { return this.call('client_config', extra); }

  /** Creates a Client connected to this emulator (options as for Client). */
  async client(options = {}) {
    const { Client } = require('./client.cjs');
    const { library, ...rest } = options;
    const cfg = await this.clientConfig(codec.snake(rest));
    return new Client({ ...cfg, library });
  }

  /** Creates a user: {phone, firstName, lastName, username}; resolves to the user map. */
  createUser(user) { return this.call('create_user', user); }

  /** Creates a bot: {username, firstName}; resolves to its token. */
  async createBot(bot) { return (await this.call('create_bot', bot)).token; }

  botToken(botId) { return this.call('bot_token', { botId }).then((r) => r.token); }
  lookupUser(id) { return this.call('lookup_user', { id }); }

  /** The login code the emulator sent to phone. */
  async loginCode(phone) { return (await this.call('login_code', { phone: String(phone).replace(/^\+/, '') })).code; }

  setPassword(userId, password, hint = '') { return this.call('set_password', { userId, password, hint }); }
  addContact(owner, contact) { return this.call('add_contact', { owner, contact }); }
  sendMessage(from, peer, text) { return this.call('send_message', { from, peer, text }); }
  history(viewer, peer) { return this.call('history', { viewer, peer }).then((r) => r.messages); }
  createChat(args) { return this.call('create_chat', args); }
  createChannel(args) { return this.call('create_channel', args); }
  updateState(userId) { return this.call('update_state', { userId }); }

  // Faults.
  dropConnections() { return this.call('drop_connections'); }
  rotateSalt() { return this.call('rotate_salt'); }
  expireFileReferences() { return this.call('expire_file_references'); }
  skewClock(seconds) { return this.call('skew_clock', { seconds }); }
  holdUpdates(userId, hold = true) { return this.call('hold_updates', { userId, hold }); }
  loseUpdates(userId, n = 1) { return this.call('lose_updates', { userId, n }); }
  /** The next n calls of a TL method fail with error ("FLOOD_WAIT_30", "CHAT_ADMIN_REQUIRED", ...). */
  failNext(method, error, n = 1) { return this.call('fail_next', { method, error, n }); }
  slowDc(dc, delayMs) { return this.call('slow_dc', { dc, delayMs }); }
}

module.exports = { Emulator };
