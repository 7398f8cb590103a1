'use strict';
// Update events beyond new, edited and deleted messages: read receipts,
// chat actions, user updates (typing, status), albums, and the bot events
// (callback and inline queries). Each wraps one UPDATE map of the library
// (capi/bridge/events*.go); field names are camelCase, TL maps stay as the
// library gives them.
const { Message } = require('./message.cjs');
const { buildMarkup } = require('./buttons.cjs');

function hidden(obj, name, value) {
  Object.defineProperty(obj, name, { value, enumerable: false, writable: true });
}

function date(unix) {
  return unix ? new Date(Number(unix) * 1000) : undefined;
}

// The read mark of a chat moved: `outbox` when the other side read our
// messages up to maxId, else this account read the chat's up to maxId.
class MessageReadEvent {
  constructor(client, data) {
    hidden(this, 'client', client);
    this.type = data.type;
    this.chatId = data.chat_id;
    this.maxId = data.max_id;
    this.outbox = Boolean(data.outbox);
    this.stillUnread = data.still_unread ?? 0;
  }
  get inbox() { return !this.outbox; }
  /** Whether message `id` (of this chat and direction) is read by this event. */
  isRead(id) { return Number(id) <= this.maxId; }
  getChat() { return this.client.getEntity(this.chatId); }
}

const ACTION_FLAGS = {
  created: 'created', userJoined: 'joined', userAdded: 'added', userLeft: 'left', userKicked: 'kicked',
  newTitle: 'title', newPhoto: 'photo', photoRemoved: 'photo_removed', newPin: 'pinned',
};

// A service message: someone joined, was added, left or was kicked, the
// title or photo changed, a message was pinned, the chat was created.
class ChatActionEvent {
  constructor(client, data) {
    hidden(this, 'client', client);
    this.type = data.type;
    /** created, joined, added, left, kicked, title, photo, photo_removed, pinned or other. */
    this.kind = data.kind;
    this.chatId = data.chat_id;
    this.senderId = data.sender_id || undefined;
    this.userIds = data.user_ids || [];
    this.title = data.title || undefined;
    this.pinnedId = data.pinned_id || undefined;
    this.actionMessage = data.message ? new Message(client, data.message, { chatId: data.chat_id, senderId: data.sender_id }) : undefined;
    this.users = data.users || [];
    this.chats = data.chats || [];
    this.patternMatch = null;
  }
  get id() { return this.actionMessage ? this.actionMessage.id : undefined; }
  get out() { return this.actionMessage ? this.actionMessage.out : false; }
  /** The TL messageAction* map of the service message. */
  get action() { return this.actionMessage ? this.actionMessage.raw.action : undefined; }
  /** The new title for a title change (for the pattern filter), else ''. */
  get text() { return this.title ?? ''; }
  /** The users the action is about (TL maps of the update's users). */
  get actionUsers() { return this.users.filter((u) => this.userIds.includes(Number(u.id))); }
  respond(text, options) { return this.client.sendMessage(this.chatId, text, options); }
  reply(text, options = {}) { return this.client.sendMessage(this.chatId, text, { ...options, replyTo: this.id }); }
  delete(options) { return this.client.deleteMessages(this.chatId, [this.id], options); }
  getChat() { return this.client.getEntity(this.chatId); }
  /** The pinned message for a pin, else undefined. */
  async getPinnedMessage() {
    if (!this.pinnedId) return undefined;
    const [m] = await this.client.getMessages(this.chatId, [this.pinnedId]);
    return m;
  }
}
for (const [prop, kind] of Object.entries(ACTION_FLAGS)) {
  Object.defineProperty(ChatActionEvent.prototype, prop, { get() { return this.kind === kind; } });
}

// A user's chat action (typing, recording, uploading, ...) or status
// (online, last seen).
class UserUpdateEvent {
  constructor(client, data) {
    hidden(this, 'client', client);
    this.type = data.type;
    this.userId = data.user_id;
    this.chatId = data.chat_id || data.user_id;
    /** "typing", "cancel", "record_video", "upload_photo", ... ('' for a status). */
    this.action = data.action || '';
    this.online = Boolean(data.online);
    this.lastSeen = date(data.last_seen);
    /** The TL userStatus* map for a status change. */
    this.status = data.status || undefined;
  }
  get senderId() { return this.userId; }
  get typing() { return this.action === 'typing'; }
  get cancel() { return this.action === 'cancel'; }
  get recording() { return this.action.startsWith('record'); }
  get uploading() { return this.action.startsWith('upload'); }
  get isStatus() { return this.status !== undefined; }
  getUser() { return this.client.getEntity(this.userId); }
  getChat() { return this.client.getEntity(this.chatId); }
}

// Messages sharing one grouped_id, delivered once instead of one NewMessage each.
class AlbumEvent {
  constructor(client, data) {
    hidden(this, 'client', client);
    this.type = data.type;
    this.chatId = data.chat_id;
    this.senderId = data.sender_id || undefined;
    this.groupedId = data.grouped_id;
    this.out = Boolean(data.out);
    this.messages = (data.messages || []).map((m) => new Message(client, m, { chatId: data.chat_id, senderId: data.sender_id, out: data.out }));
    this.users = data.users || [];
    this.chats = data.chats || [];
    this.patternMatch = null;
  }
  /** The album's caption: the first non-empty text of its messages. */
  get text() { return (this.messages.find((m) => m.text) || { text: '' }).text; }
  get ids() { return this.messages.map((m) => m.id); }
  respond(text, options) { return this.client.sendMessage(this.chatId, text, options); }
  reply(text, options = {}) { return this.client.sendMessage(this.chatId, text, { ...options, replyTo: this.messages[0].id }); }
  forwardTo(peer) { return this.client.forwardMessages(peer, this.ids, this.chatId); }
  delete(options) { return this.client.deleteMessages(this.chatId, this.ids, options); }
  getChat() { return this.client.getEntity(this.chatId); }
  getSender() { return this.senderId === undefined ? Promise.resolve(undefined) : this.client.getEntity(this.senderId); }
}

// A bot's callback query: a user pressed an inline button with data.
class CallbackQueryEvent {
  constructor(client, data) {
    hidden(this, 'client', client);
    this.type = data.type;
    this.queryId = data.query_id;
    this.userId = data.user_id;
    this.chatId = data.chat_id || undefined;
    this.messageId = data.msg_id || undefined;
    /** The inputBotInlineMessageID* map when the message was sent through inline mode. */
    this.inlineMessageId = data.inline_message_id || undefined;
    this.data = data.data instanceof Uint8Array ? Buffer.from(data.data) : Buffer.alloc(0);
    this.chatInstance = data.chat_instance;
    this.gameShortName = data.game_short_name || undefined;
    this.users = data.users || [];
    this.chats = data.chats || [];
    this.patternMatch = null;
    hidden(this, 'answered', false);
  }
  get senderId() { return this.userId; }
  get query() { return this; }
  /** The data as UTF-8 text (what `pattern` filters match). */
  get text() { return this.data.toString('utf8'); }
  get viaInline() { return this.inlineMessageId !== undefined; }

  /**
   * Answers the query (once): answer('text', {alert, url, cacheTime}) or
   * answer({message, alert, url, cacheTime}); answer() just stops the
   * button's progress indicator.
   */
  answer(message, options = {}) {
    const o = message !== null && typeof message === 'object' ? message : { ...options, message };
    this.answered = true;
    return this.client.answerCallbackQuery(this.queryId, o);
  }

  _needMessage(what) {
    if (this.messageId === undefined) throw new TypeError(`${what}: the callback query came from an inline-mode message, which has no chat message`);
  }
  /** The message whose button was pressed. */
  async getMessage() {
    this._needMessage('getMessage');
    const [m] = await this.client.getMessages(this.chatId, [this.messageId]);
    return m;
  }
  /**
   * Edits the message whose button was pressed (text and options as
   * editMessage; {buttons} too), also one sent through the bot's inline mode
   * (by its inlineMessageId; text may then be '' to change only the buttons).
   */
  edit(text, options) {
    if (this.viaInline) return this.client.editInlineMessage(this.inlineMessageId, text, options);
    this._needMessage('edit');
    return this.client.editMessage(this.chatId, this.messageId, text, options);
  }
  delete(options) {
    this._needMessage('delete');
    return this.client.deleteMessages(this.chatId, [this.messageId], options);
  }
  respond(text, options) {
    this._needMessage('respond');
    return this.client.sendMessage(this.chatId, text, options);
  }
  reply(text, options = {}) {
    this._needMessage('reply');
    return this.client.sendMessage(this.chatId, text, { ...options, replyTo: this.messageId });
  }
  getSender() { return this.client.getEntity(this.userId); }
  getChat() { return this.client.getEntity(this.chatId ?? this.userId); }
}

// inlineResult normalizes one result of InlineQueryEvent.answer.
function inlineResult(r, i) {
  if (!r || typeof r !== 'object') throw new TypeError(`inline results[${i}] must be an object {title, text, ...}`);
  if (typeof r.text !== 'string' || r.text === '') throw new TypeError(`inline results[${i}] needs a text (the message sent when it is chosen)`);
  const out = { id: r.id === undefined ? String(i) : String(r.id), type: 'article', text: r.text };
  if (r.title !== undefined) out.title = String(r.title);
  if (r.description !== undefined) out.description = String(r.description);
  if (r.url !== undefined) out.url = String(r.url);
  if (r.parseMode !== undefined || r.parse_mode !== undefined) out.parse_mode = r.parseMode ?? r.parse_mode;
  if (r.noWebpage || r.no_webpage) out.no_webpage = true;
  const mk = buildMarkup(r.buttons);
  if (mk) out.buttons = mk;
  return out;
}

// Builds inline results (Telethon's event.builder).
const inlineBuilder = {
  /** An article: {title, description, text, url, parseMode, noWebpage, buttons, id}. */
  article(options) { return { ...options }; },
};

// A bot's inline query: a user typed "@bot query" in a chat.
class InlineQueryEvent {
  constructor(client, data) {
    hidden(this, 'client', client);
    this.type = data.type;
    this.queryId = data.query_id;
    this.userId = data.user_id;
    /** The query text. */
    this.text = data.query ?? '';
    this.offset = data.offset ?? '';
    /** "pm", "bot_pm", "same_bot_pm", "chat", "megagroup", "broadcast" ('' when unknown). */
    this.peerType = data.peer_type ?? '';
    this.users = data.users || [];
    this.patternMatch = null;
  }
  get senderId() { return this.userId; }
  get query() { return this.text; }
  get builder() { return inlineBuilder; }
  /**
   * Answers with results (articles: {id, title, description, text, url,
   * parseMode, noWebpage, buttons}); options: cacheTime, nextOffset,
   * gallery, private.
   */
  answer(results = [], options = {}) {
    return this.client.answerInlineQuery(this.queryId, results, options);
  }
  getSender() { return this.client.getEntity(this.userId); }
}

module.exports = {
  MessageReadEvent, ChatActionEvent, UserUpdateEvent, AlbumEvent, CallbackQueryEvent, InlineQueryEvent, inlineResult,
};
