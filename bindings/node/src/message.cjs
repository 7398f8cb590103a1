'use strict';
// Message objects and update events.
const { narrow } = require('./codec.cjs');
const { buttonsOf } = require('./buttons.cjs');

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
  /** The album id shared by the messages of one album (undefined otherwise). */
  get groupedId() { return this.raw.grouped_id; }
  get pinned() { return Boolean(this.raw.pinned); }
  /** The reply markup's buttons by row (MessageButton[][]), or undefined. */
  get buttons() {
    if (this._buttons === undefined) Object.defineProperty(this, '_buttons', { value: buttonsOf(this) ?? null, writable: true, enumerable: false });
    return this._buttons ?? undefined;
  }

  /**
   * Presses a button: click(i) the i-th button counting across rows,
   * click(row, col), click({text}) or click({data}) (bytes or string);
   * click() the first. Resolves as MessageButton.click does.
   */
  click(i, j) {
    if (i !== null && typeof i === 'object' && !(i instanceof Uint8Array)) {
      const { text, data, row, col } = i;
      if (text === undefined && data === undefined && row === undefined) throw new TypeError('click: give {text}, {data} or {row, col}');
      const kb = this.buttons;
      if (kb && kb.length && !kb[0][0].inline && text !== undefined) {
        const b = kb.flat().find((x) => x.text === text);
        if (!b) return Promise.reject(new RangeError(`click: message ${this.id} has no button with the text ${JSON.stringify(text)}`));
        return b.click();
      }
      return this.client.click(this.chatId, this.id, { text, data, row, col });
    }
    const kb = this.buttons;
    if (!kb) return Promise.reject(new RangeError(`click: message ${this.id} has no buttons`));
    let b;
    if (j !== undefined) b = kb[i] && kb[i][j];
    else b = kb.flat()[i ?? 0];
    if (!b) return Promise.reject(new RangeError(`click: message ${this.id} has no button ${j === undefined ? i : `(${i}, ${j})`}`));
    return b.click();
  }

  pin(options = {}) { return this.client.pinMessage(this.chatId, this.id, options); }
  unpin() { return this.client.unpinMessage(this.chatId, this.id); }
  /** The Bot API file ids of the media: {fileId, fileUniqueId}. */
  getFileIds() { return this.client.getFileIds(this.chatId, this.id); }
  downloadThumbnail(options = {}) { return this.client.downloadThumbnail(this.chatId, this.id, options); }
  /** Bytes offset..offset+limit of the media (options: offset, limit, path). */
  downloadRange(options = {}) { return this.client.downloadRange(this.chatId, this.id, options); }
  iterDownload(options = {}) { return this.client.iterDownload(this.chatId, this.id, options); }

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
  edit(text, options) { return this.message.edit(text, options); }
  delete(options) { return this.message.delete(options); }
  forwardTo(peer) { return this.message.forwardTo(peer); }
  downloadMedia(options) { return this.message.downloadMedia(options); }
  getChat() { return this.message.getChat(); }
  getSender() { return this.message.getSender(); }
  get buttons() { return this.message.buttons; }
  click(i, j) { return this.message.click(i, j); }
  pin(options) { return this.message.pin(options); }
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


function inputPeerOf(peer) {
  switch (peer.kind) {
    case 'user': return { _: 'inputPeerUser', user_id: BigInt(peer.id), access_hash: BigInt(peer.access_hash || 0) };
    case 'chat': return { _: 'inputPeerChat', chat_id: BigInt(peer.id) };
    case 'channel': return { _: 'inputPeerChannel', channel_id: BigInt(peer.id), access_hash: BigInt(peer.access_hash || 0) };
    default: return { _: 'inputPeerEmpty' };
  }
}

function nameOf(obj) {
  if (!obj) return '';
  if (obj.title !== undefined) return obj.title;
  return [obj.first_name, obj.last_name].filter(Boolean).join(' ');
}

// A dialog: `id` is the peer's marked id, `peer` its resolve_peer-style map
// ({id, marked_id, kind, access_hash, username, name, ...}); `message` the
// top message.
class Dialog {
  constructor(client, fields) {
    Object.defineProperty(this, 'client', { value: client, enumerable: false });
    Object.assign(this, fields);
  }

  /** The peer as a TL InputPeer map, for raw calls. */
  get inputPeer() { return inputPeerOf(this.peer); }

  sendMessage(text, options) { return this.client.sendMessage(this.id, text, options); }
  iterMessages(options) { return this.client.iterMessages(this.id, options); }
  /** Moves the dialog to the archive (archive(false): back to the main list). */
  archive(archived = true) { return this.client.archiveDialog(this.id, archived); }

  static fromFriendly(client, d) {
    return new Dialog(client, {
      id: d.peer.marked_id, peer: d.peer, name: d.name, unread: d.unread, topId: d.top_id, pinned: Boolean(d.pinned),
      folder: d.folder ?? 0, archived: d.folder === 1,
      message: d.message ? new Message(client, d.message) : undefined,
    });
  }

  // fromRaw reads a messages.dialogs / messages.dialogsSlice result of a raw call.
  static fromRaw(client, res) {
    const users = new Map((res.users || []).map((u) => [Number(u.id), u]));
    const chats = new Map((res.chats || []).map((c) => [Number(c.id), c]));
    const tops = new Map();
    for (const m of res.messages || []) {
      if (m._ === 'messageEmpty') continue;
      tops.set(`${markedId(m.peer_id)}/${m.id}`, m);
    }
    const out = [];
    for (const d of res.dialogs || []) {
      if (d._ !== 'dialog') continue;
      const marked = markedId(d.peer);
      let peer;
      if (d.peer._ === 'peerUser') {
        const u = users.get(Number(d.peer.user_id)) || {};
        peer = { id: Number(d.peer.user_id), marked_id: marked, kind: 'user', access_hash: narrow(u.access_hash ?? 0), username: u.username || '', name: nameOf(u), phone: u.phone || '', bot: Boolean(u.bot) };
      } else {
        const isChannel = d.peer._ === 'peerChannel';
        const id = Number(isChannel ? d.peer.channel_id : d.peer.chat_id);
        const c = chats.get(id) || {};
        peer = { id, marked_id: marked, kind: isChannel ? 'channel' : 'chat', access_hash: narrow(c.access_hash ?? 0), username: c.username || '', name: nameOf(c), phone: '', bot: false };
      }
      const top = tops.get(`${marked}/${d.top_message}`);
      out.push(new Dialog(client, {
        id: marked, peer, name: peer.name, unread: d.unread_count, topId: d.top_message, pinned: Boolean(d.pinned),
        folder: d.folder_id ?? 0, archived: d.folder_id === 1,
        message: top ? new Message(client, narrow(top)) : undefined,
      }));
    }
    return out;
  }
}

// A member of a group or channel: `id` the user's id, `user` its TL map,
// the flags of its participant entry, and `participant` the raw TL entry
// when it came from a raw page (iterParticipants of a channel).
class Participant {
  constructor(fields) { Object.assign(this, fields); }

  // fromFriendly reads an entry of the friendly get_participants answer.
  static fromFriendly(p) {
    return new Participant({
      id: p.user_id, user: p.user || undefined, creator: Boolean(p.creator), admin: Boolean(p.admin),
      banned: Boolean(p.banned), kicked: Boolean(p.kicked), rank: p.rank || '', inviterId: p.inviter_id || 0,
      date: p.date ? new Date(Number(p.date) * 1000) : undefined,
    });
  }

  // fromRaw reads a channelParticipant* or chatParticipant* TL map (friendly numbers).
  static fromRaw(part, users) {
    const f = { id: 0, creator: false, admin: false, banned: false, kicked: false, rank: part.rank || '', inviterId: part.inviter_id || 0, date: undefined };
    switch (part._) {
      case 'channelParticipantCreator': case 'chatParticipantCreator':
        f.creator = true; f.admin = true; break;
      case 'channelParticipantAdmin': case 'chatParticipantAdmin':
        f.admin = true; break;
      case 'channelParticipantBanned':
        f.banned = true; f.kicked = Boolean(part.banned_rights && part.banned_rights.view_messages); break;
      default: break;
    }
    f.id = part.user_id !== undefined ? Number(part.user_id) : markedId(part.peer);
    if (part.date) f.date = new Date(Number(part.date) * 1000);
    f.user = users.get(f.id);
    f.participant = part;
    return new Participant(f);
  }
}

module.exports = { Message, MessageEvent, MessageDeletedEvent, RawEvent, Dialog, Participant, markedId, inputPeerOf };
