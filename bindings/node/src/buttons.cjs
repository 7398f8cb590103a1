'use strict';
// Reply markup: the Button builders (GramJS/Telethon style) and the buttons
// of received messages.
//
// A button is its TL map ({_: 'keyboardInlineButton', text, type}), so raw
// TL buttons and markups work wherever built ones do. buildMarkup turns what
// sendMessage's `buttons` option takes into a reply markup TL map:
// a markup map as is, one button (one row of one), an array of buttons (one
// row) or an array of rows.

const MAX_CALLBACK_DATA = 64;
// Keyboard options ride on reply keyboard buttons, hidden from msgpack.
const KEYBOARD_OPTIONS = Symbol('polygram.keyboardOptions');

function toBytes(what, v) {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new TypeError(`${what} must be a string or bytes (Buffer/Uint8Array), got ${v === null ? 'null' : typeof v}`);
}

function checkText(what, text) {
  if (typeof text !== 'string' || text.trim() === '') throw new TypeError(`${what}: a button needs a non-empty text, got ${JSON.stringify(text)}`);
}

function keyboardButton(text, type, options) {
  checkText('Button', text);
  const b = { _: 'keyboardButton', text, type };
  Object.defineProperty(b, KEYBOARD_OPTIONS, { value: { ...options }, enumerable: false });
  return b;
}

/** Builders of buttons and reply markups (pass them as `buttons`). */
const Button = {
  /** An inline button sending `data` (1–64 bytes; the text by default) to the bot as a callback query. */
  inline(text, data) {
    checkText('Button.inline', text);
    const bytes = toBytes('Button.inline data', data === undefined ? text : data);
    if (bytes.length === 0 || bytes.length > MAX_CALLBACK_DATA) {
      throw new RangeError(`Button.inline(${JSON.stringify(text)}): callback data must be 1 to ${MAX_CALLBACK_DATA} bytes, not ${bytes.length}`);
    }
    return { _: 'keyboardInlineButton', text, type: { _: 'inlineButtonTypeCallback', data: bytes } };
  },

  /** An inline button opening a link (http://, https:// or tg://; the text by default). */
  url(text, url) {
    checkText('Button.url', text);
    const u = url === undefined ? text : url;
    if (typeof u !== 'string' || !/^(https?|tg):\/\//i.test(u)) {
      throw new TypeError(`Button.url(${JSON.stringify(text)}): the URL must start with http://, https:// or tg://, got ${JSON.stringify(u)}`);
    }
    return { _: 'keyboardInlineButton', text, type: { _: 'inlineButtonTypeUrl', url: u } };
  },

  /**
   * An inline button starting an inline query of the bot with `query`;
   * samePeer keeps it in the current chat instead of letting the user pick one.
   */
  switchInline(text, query = '', samePeer = false) {
    checkText('Button.switchInline', text);
    const type = { _: 'inlineButtonTypeSwitchInline', query: String(query) };
    if (samePeer) type.same_peer = true;
    return { _: 'keyboardInlineButton', text, type };
  },

  /** An inline button copying copyText to the clipboard. */
  copy(text, copyText) {
    checkText('Button.copy', text);
    return { _: 'keyboardInlineButton', text, type: { _: 'inlineButtonTypeCopy', copy_text: String(copyText ?? text) } };
  },

  /**
   * A reply keyboard button sending its text. options (for the whole
   * keyboard): resize, singleUse, selective, persistent, placeholder.
   */
  text(text, options = {}) { return keyboardButton(text, { _: 'buttonTypeDefault' }, options); },
  /** A reply keyboard button sharing the user's phone number. */
  requestPhone(text, options = {}) { return keyboardButton(text, { _: 'buttonTypeRequestPhone' }, options); },
  /** A reply keyboard button sharing the user's location. */
  requestLocation(text, options = {}) { return keyboardButton(text, { _: 'buttonTypeRequestGeoLocation' }, options); },

  /** A markup making the user's app open a reply: options placeholder, singleUse, selective. */
  forceReply(options = {}) {
    const m = { _: 'replyKeyboardForceReply' };
    if (options.singleUse) m.single_use = true;
    if (options.selective) m.selective = true;
    if (options.placeholder) m.placeholder = String(options.placeholder);
    return m;
  },

  /** A markup removing a reply keyboard sent earlier. */
  clear(options = {}) {
    const m = { _: 'replyKeyboardHide' };
    if (options.selective) m.selective = true;
    return m;
  },
};

function isButton(b) {
  return b && typeof b === 'object' && (b._ === 'keyboardInlineButton' || b._ === 'keyboardButton');
}

/**
 * buildMarkup turns the `buttons` option into a reply markup TL map
 * (undefined for none). Throws TypeError naming the bad entry.
 */
function buildMarkup(buttons) {
  if (buttons === undefined || buttons === null) return undefined;
  if (!Array.isArray(buttons)) {
    if (buttons && typeof buttons === 'object' && typeof buttons._ === 'string' && buttons._.startsWith('reply')) return buttons;
    if (!isButton(buttons)) throw new TypeError(`buttons: expected a Button, an array of Buttons, rows of Buttons or a reply markup map, got ${describe(buttons)}`);
    buttons = [buttons];
  }
  if (buttons.length === 0) return undefined;
  // A flat array is one row; arrays inside are rows (a lone button there is a row of its own).
  const rows = buttons.every((b) => !Array.isArray(b)) ? [buttons] : buttons.map((r) => (Array.isArray(r) ? r : [r]));
  let kind;
  rows.forEach((row, i) => row.forEach((b, j) => {
    if (!isButton(b)) throw new TypeError(`buttons: row ${i}, column ${j} is not a button (${describe(b)}); build buttons with Button.inline, Button.url, Button.text, ...`);
    if (kind && kind !== b._) throw new TypeError(`buttons: row ${i}, column ${j} mixes inline buttons with reply keyboard buttons`);
    kind = b._;
  }));
  if (kind === 'keyboardInlineButton') {
    return { _: 'replyInlineMarkup', rows: rows.map((r) => ({ _: 'keyboardInlineButtonRow', buttons: r })) };
  }
  const opts = {};
  for (const row of rows) for (const b of row) Object.assign(opts, b[KEYBOARD_OPTIONS]);
  const m = { _: 'replyKeyboardMarkup', rows: rows.map((r) => ({ _: 'keyboardButtonRow', buttons: r })) };
  if (opts.resize) m.resize = true;
  if (opts.singleUse) m.single_use = true;
  if (opts.selective) m.selective = true;
  if (opts.persistent) m.persistent = true;
  if (opts.placeholder) m.placeholder = String(opts.placeholder);
  return m;
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return typeof v._ === 'string' ? v._ : 'an object';
  return typeof v;
}

const TYPE_NAMES = {
  inlineButtonTypeCallback: 'callback', inlineButtonTypeUrl: 'url', inlineButtonTypeSwitchInline: 'switchInline',
  inlineButtonTypeCopy: 'copy', inlineButtonTypeUrlAuth: 'urlAuth', inlineButtonTypeWebView: 'webView',
  inlineButtonTypeGame: 'game', inlineButtonTypeBuy: 'buy', inlineButtonTypeUserProfile: 'userProfile',
  inlineButtonTypeDisabled: 'disabled',
  buttonTypeDefault: 'text', buttonTypeRequestPhone: 'requestPhone', buttonTypeRequestGeoLocation: 'requestLocation',
  buttonTypeRequestPoll: 'requestPoll', buttonTypeRequestPeer: 'requestPeer', buttonTypeSimpleWebView: 'webView',
};

// A button of a received message: `message.buttons[row][col]`.
class MessageButton {
  constructor(message, raw, row, col, inline) {
    Object.defineProperty(this, 'message', { value: message, enumerable: false });
    this.raw = raw;
    this.row = row;
    this.col = col;
    this.inline = inline;
    this.text = raw.text ?? '';
    const t = raw.type || {};
    this.type = TYPE_NAMES[t._] || t._ || 'unknown';
    if (t.data !== undefined) this.data = Buffer.from(t.data);
    if (t.url !== undefined) this.url = t.url;
    if (t._ === 'inlineButtonTypeSwitchInline') {
      this.query = t.query ?? '';
      this.samePeer = Boolean(t.same_peer);
    }
  }

  /**
   * Presses the button: a callback button asks the bot and resolves to
   * {text, answer: {message, alert, url, cacheTime}}; a URL button to
   * {text, url}; a switch-inline button to {text, switchInline}; a reply
   * keyboard button sends its text (resolving to {text, id}).
   */
  click() {
    const m = this.message;
    if (!this.inline) return m.client.sendMessage(m.chatId, this.text).then((r) => ({ text: this.text, id: r.id }));
    return m.client.click(m.chatId, m.id, { row: this.row, col: this.col });
  }
}

// buttonsOf reads a message's reply markup into rows of MessageButtons
// (undefined when it has none).
function buttonsOf(message) {
  const mk = message.raw && message.raw.reply_markup;
  if (!mk || !Array.isArray(mk.rows)) return undefined;
  const inline = mk._ === 'replyInlineMarkup';
  return mk.rows.map((row, i) => (row.buttons || []).map((b, j) => new MessageButton(message, b, i, j, inline)));
}

module.exports = { Button, buildMarkup, MessageButton, buttonsOf, MAX_CALLBACK_DATA };
