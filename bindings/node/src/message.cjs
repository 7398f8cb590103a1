'use strict';
// Message objects and update events.

// markedId turns a TL peer map into a Bot-API style marked id.
function markedId(peer) {
  if (!peer || typeof peer !== 'object') return undefined;
  switch (peer._) {
    case 'peerUser': return Number(peer.user_id);
    case 'peerChat': return -Number(peer.chat_id);
    case 'peerChannel': return -(1e12 + Number(peer.channel_id));
    default: return undefined;
  }
}

class Message {
  constructor(client, raw, context = {}) {
    Object.defineProperty(this, 'client', { value: client, enumerable: false });
    this.raw = raw || {};
    this.id = this.raw.id;
    this.chatId = context.chatId ?? markedId(this.raw.peer_id);
    this.senderId = context.senderId ?? markedId(this.raw.from_id) ?? (this.raw.out ? undefined : this.chatId);
    this.out = Boolean(context.out ?? this.raw.out);
  }

  get text() { return this.raw.message ?? ''; }
  get message() { return this.text; }
  get date() { return this.raw.date ? new Date(Number(this.raw.date) * 1000) : undefined; }
  get media() { return this.raw.media; }
  get entities() { return this.raw.entities; }
  get replyToMsgId() { return this.raw.reply_to ? this.raw.reply_to.reply_to_msg_id : undefined; }
  get isReply() { return this.replyToMsgId !== undefined; }

  /** Sends a message to the same chat as a reply to this one. */
  reply(text, options = {}) {
    return this.client.sendMessage(this.chatId, text, { ...options, replyTo: this.id });
  }

  /** Sends a message to the same chat (not a reply). */
  respond(text, options = {}) {
    return this.client.sendMessage(this.chatId, text, options);
  }

  edit(text, options = {}) { return this.client.editMessage(this.chatId, this.id, text, options); }
  delete(options = {}) { return this.client.deleteMessages(this.chatId, [this.id], options); }
  forwardTo(peer) { return this.client.forwardMessages(peer, [this.id], this.chatId); }
  downloadMedia(options = {}) { return this.client.downloadMedia(this.chatId, this.id, options); }
  markRead() { return this.client.sendReadAcknowledge(this.chatId, this.id); }

  async getReplyMessage() {
    if (!this.isReply) return undefined;
    const [m] = await this.client.getMessages(this.chatId, [this.replyToMsgId]);
    return m;
  }

  getChat() { return this.client.getEntity(this.chatId); }
  getSender() { return this.senderId === undefined ? Promise.resolve(undefined) : this.client.getEntity(this.senderId); }

  toJSON() {
    return { id: this.id, chatId: this.chatId, senderId: this.senderId, out: this.out, text: this.text, date: this.raw.date, replyToMsgId: this.replyToMsgId };
  }
}

// An update event for NewMessage / MessageEdited: the message plus context;
// reply/respond/text delegate to the message.
class MessageEvent {
  constructor(client, data) {
    Object.defineProperty(this, 'client', { value: client, enumerable: false });
    this.type = data.type;
    this.message = new Message(client, data.message, { chatId: data.chat_id, senderId: data.sender_id, out: data.out });
    this.chatId = this.message.chatId;
    this.senderId = this.message.senderId;
    this.out = this.message.out;
    this.users = data.users || [];
    this.chats = data.chats || [];
    this.patternMatch = null;
  }
  get text() { return this.message.text; }
  get id() { return this.message.id; }
  reply(text, options) { return this.message.reply(text, options); }
  respond(text, options) { return this.message.respond(text, options); }
  getChat() { return this.message.getChat(); }
  getSender() { return this.message.getSender(); }
}

class MessageDeletedEvent {
  constructor(client, data) {
    Object.defineProperty(this, 'client', { value: client, enumerable: false });
    this.type = data.type;
    this.ids = data.ids || [];
    this.channelId = data.channel_id || 0;
  }
}

class RawEvent {
  constructor(client, data) {
    Object.defineProperty(this, 'client', { value: client, enumerable: false });
    Object.assign(this, data);
  }
}

module.exports = { Message, MessageEvent, MessageDeletedEvent, RawEvent, markedId };
