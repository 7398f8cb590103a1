// Type declarations for the polygram Node binding (ABI 1 of libpolygram).
import { EventEmitter } from 'node:events';
import { TL } from './types/tl';
import { PolygramError, RPCError, FloodWaitError } from './types/base-errors';

export { TL };
export * from './types/base-errors';
export * from './types/errors';

export type Peer = number | string | bigint | { marked_id: number; access_hash?: bigint | number; [k: string]: unknown };
/** A TL object as msgpack maps it: "_" is the schema name; long fields are bigint in raw results. */
export interface TLObject { _: string; [field: string]: unknown }
/**
 * A TL object as friendly methods return it: integers (long included) are numbers where they
 * fit in 2^53 and bigint beyond (access hashes).
 */
export type Friendly<T> = T extends bigint ? number | bigint
  : T extends Uint8Array ? T
  : T extends (infer U)[] ? Friendly<U>[]
  : T extends object ? { [K in keyof T]: Friendly<T[K]> } : T;
export type User = Friendly<TL.User>;
type ValueOrFn<T, A extends unknown[] = []> = T | ((...args: A) => T | Promise<T>);

export interface ClientOptions {
  apiId?: number; apiHash?: string;
  /** ':memory:' (default), a file path (SQLite), or {string}/{telethon_string}/{pyrogram_string}. */
  session?: string | { string?: string; telethon_string?: string; pyrogram_string?: string };
  dcs?: { id: number; addr: string }[];
  defaultDc?: number; testServers?: boolean; publicKeys?: string[];
  transport?: 'abridged' | 'intermediate' | 'padded_intermediate' | 'full';
  obfuscated?: boolean; proxy?: string; mtproxy?: string; secret?: string; preferIpv6?: boolean;
  floodSleepThreshold?: number; retryLimit?: number; dialTimeout?: number; pingInterval?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'off';
  eventQueueSize?: number; rawUpdates?: boolean;
  deviceModel?: string; systemVersion?: string; appVersion?: string;
  systemLangCode?: string; langPack?: string; langCode?: string;
  /** Path of libpolygram to load (the first load in a process wins). */
  library?: string;
  /** snake_case keys (as the emulator's client_config returns) are accepted too. */
  [key: string]: unknown;
}

export interface SentCode { phone: string; hash: string; type: string; length: number; timeout: number }

export interface StartOptions {
  botToken?: ValueOrFn<string>;
  phone?: ValueOrFn<string>;
  code?: ValueOrFn<string, [SentCode]>;
  password?: ValueOrFn<string, [string]>;
  firstName?: ValueOrFn<string>; lastName?: ValueOrFn<string>;
  catchUp?: boolean;
}

/** A button: its TL map (keyboardInlineButton or keyboardButton), as the Button builders make it. */
export type ButtonLike = TL.KeyboardInlineButton | TL.KeyboardButton;
/**
 * What `buttons` takes: a button (one row of one), an array of buttons (one row), rows of buttons,
 * or a reply markup TL map (replyInlineMarkup, replyKeyboardMarkup, replyKeyboardForceReply, replyKeyboardHide).
 */
export type Buttons = ButtonLike | ButtonLike[] | (ButtonLike | ButtonLike[])[] | TL.TypeReplyMarkup;
export interface KeyboardOptions { resize?: boolean; singleUse?: boolean; selective?: boolean; persistent?: boolean; placeholder?: string }

/** Builders of buttons and reply markups. */
export const Button: {
  /** An inline button sending data (1–64 bytes; the text by default) to the bot as a callback query. */
  inline(text: string, data?: string | Uint8Array): TL.KeyboardInlineButton;
  /** An inline button opening a link (http://, https:// or tg://; the text by default). */
  url(text: string, url?: string): TL.KeyboardInlineButton;
  /** An inline button starting an inline query of the bot; samePeer keeps it in the current chat. */
  switchInline(text: string, query?: string, samePeer?: boolean): TL.KeyboardInlineButton;
  /** An inline button copying copyText to the clipboard. */
  copy(text: string, copyText?: string): TL.KeyboardInlineButton;
  /** A reply keyboard button sending its text (options apply to the whole keyboard). */
  text(text: string, options?: KeyboardOptions): TL.KeyboardButton;
  requestPhone(text: string, options?: KeyboardOptions): TL.KeyboardButton;
  requestLocation(text: string, options?: KeyboardOptions): TL.KeyboardButton;
  forceReply(options?: { placeholder?: string; singleUse?: boolean; selective?: boolean }): TL.ReplyKeyboardForceReply;
  clear(options?: { selective?: boolean }): TL.ReplyKeyboardHide;
};

export interface SendMessageOptions {
  replyTo?: number; silent?: boolean; noWebpage?: boolean;
  parseMode?: 'markdown' | 'md' | 'html'; entities?: TLObject[];
  buttons?: Buttons;
  /** Schedule the message: a Date or Unix seconds (sendMessage only). */
  schedule?: Date | number;
}

/** A transfer's progress: bytes done and the total (-1 while unknown); the last call has done === total. */
export type ProgressCallback = (done: number, total: number) => unknown;

export interface EventFilters<E> {
  /** Matched against the event's text (a message's text, a callback query's data, an inline query, a new title). */
  pattern?: RegExp | string | ((text: string) => unknown);
  incoming?: boolean; outgoing?: boolean;
  /** Marked chat ids. */
  chats?: number | number[];
  func?: (event: E) => boolean;
}
export type NewMessageFilters = EventFilters<MessageEvent>;
export interface CallbackQueryFilters extends EventFilters<CallbackQueryEvent> {
  /** The exact data, or a RegExp over its UTF-8 text (its match in patternMatch). */
  data?: string | Uint8Array | RegExp;
}

export class Message {
  readonly client: Client;
  raw: Friendly<TL.Message>;
  id: number; chatId: number; senderId?: number; out: boolean;
  readonly text: string; readonly message: string; readonly date?: Date;
  readonly media?: TLObject; readonly entities?: TLObject[];
  readonly replyToMsgId?: number; readonly isReply: boolean;
  /** The album id shared by the messages of one album. */
  readonly groupedId?: number | bigint;
  readonly pinned: boolean;
  /** The reply markup's buttons by row, or undefined. */
  readonly buttons?: MessageButton[][];
  /** click(i): the i-th button across rows; click(row, col); click({text}) or click({data}); click(): the first. */
  click(i?: number | { text?: string; data?: string | Uint8Array; row?: number; col?: number }, j?: number): Promise<ClickResult>;
  pin(options?: { silent?: boolean }): Promise<{}>;
  unpin(): Promise<{}>;
  getFileIds(): Promise<{ fileId: string; fileUniqueId: string }>;
  downloadThumbnail(options?: DownloadOptions & { thumb?: string }): Promise<Buffer | { path: string; size: number }>;
  downloadRange(options?: DownloadOptions & { offset?: number; limit?: number }): Promise<Buffer | { path: string; size: number }>;
  iterDownload(options?: { offset?: number; limit?: number; chunkSize?: number }): AsyncGenerator<Buffer, void, undefined>;
  reply(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  respond(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  edit(text: string, options?: SendMessageOptions): Promise<{}>;
  delete(options?: { revoke?: boolean }): Promise<{}>;
  forwardTo(peer: Peer): Promise<number[]>;
  downloadMedia(options?: DownloadOptions & { thumb?: string }): Promise<Buffer | { path: string; size: number }>;
  markRead(): Promise<{}>;
  toJSON(): object;
  getReplyMessage(): Promise<Message | undefined>;
  getChat(): Promise<TLObject>;
  getSender(): Promise<TLObject | undefined>;
}

export class MessageEvent {
  readonly client: Client;
  type: 'new_message' | 'message_edited';
  message: Message; chatId: number; senderId?: number; out: boolean;
  users: TLObject[]; chats: TLObject[];
  /** The RegExp match (or the pattern function's result) of the filter that accepted the event. */
  patternMatch: RegExpExecArray | unknown | null;
  readonly text: string; readonly id: number;
  reply(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  respond(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  edit(text: string, options?: SendMessageOptions): Promise<{}>;
  delete(options?: { revoke?: boolean }): Promise<{}>;
  forwardTo(peer: Peer): Promise<number[]>;
  downloadMedia(options?: { path?: string }): Promise<Buffer | { path: string; size: number }>;
  getChat(): Promise<TLObject>;
  getSender(): Promise<TLObject | undefined>;
  readonly buttons?: MessageButton[][];
  click(i?: number | { text?: string; data?: string | Uint8Array; row?: number; col?: number }, j?: number): Promise<ClickResult>;
  pin(options?: { silent?: boolean }): Promise<{}>;
}

export interface DownloadOptions { path?: string; progressCallback?: ProgressCallback }

/** What pressing a button gives. */
export interface ClickResult {
  text: string;
  /** A callback button: the bot's answer. */
  answer?: { message: string; alert: boolean; url: string; cacheTime: number };
  /** A URL button: the link (nothing is requested). */
  url?: string;
  /** A switch-inline button: its query, and the bot's results when it keeps the chat. */
  switchInline?: { query: string; samePeer: boolean; bot: PeerInfo; results?: InlineResults };
  /** A reply keyboard button: the id of the message sent with its text. */
  id?: number;
}

/** A button of a received message. */
export class MessageButton {
  readonly message: Message;
  raw: TLObject; row: number; col: number;
  /** Whether it is an inline button (else a reply keyboard button). */
  inline: boolean;
  text: string;
  /** callback, url, switchInline, copy, text, requestPhone, requestLocation, ... */
  type: string;
  data?: Buffer; url?: string; query?: string; samePeer?: boolean;
  click(): Promise<ClickResult>;
}

export interface InlineResult {
  id: string; type: string; title?: string; description?: string; url?: string; text?: string;
  /** Sends this result to a chat (the query's chat by default). */
  click(peer?: Peer, options?: { replyTo?: number; silent?: boolean }): Promise<{ id: number }>;
}
export interface InlineResults { queryId: number | bigint; bot: PeerInfo; nextOffset: string; gallery: boolean; results: InlineResult[] }
/** An inline result a bot answers with (an article). */
export interface InlineArticle {
  id?: string; title?: string; description?: string; url?: string;
  /** The message sent when the result is chosen. */
  text: string;
  parseMode?: 'markdown' | 'md' | 'html'; noWebpage?: boolean; buttons?: Buttons;
}

export class MessageReadEvent {
  readonly client: Client; type: 'message_read';
  chatId: number; maxId: number;
  /** The other side read our messages (else this account read the chat's). */
  outbox: boolean; stillUnread: number;
  readonly inbox: boolean;
  isRead(id: number): boolean;
  getChat(): Promise<TLObject>;
}

export class ChatActionEvent {
  readonly client: Client; type: 'chat_action';
  kind: 'created' | 'joined' | 'added' | 'left' | 'kicked' | 'title' | 'photo' | 'photo_removed' | 'pinned' | 'other';
  chatId: number; senderId?: number; userIds: number[]; title?: string; pinnedId?: number;
  /** The service message. */
  actionMessage?: Message;
  users: TLObject[]; chats: TLObject[];
  patternMatch: RegExpExecArray | unknown | null;
  readonly id?: number; readonly out: boolean; readonly action?: TLObject; readonly text: string;
  readonly actionUsers: TLObject[];
  readonly created: boolean; readonly userJoined: boolean; readonly userAdded: boolean; readonly userLeft: boolean;
  readonly userKicked: boolean; readonly newTitle: boolean; readonly newPhoto: boolean; readonly photoRemoved: boolean;
  readonly newPin: boolean;
  respond(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  reply(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  delete(options?: { revoke?: boolean }): Promise<{}>;
  getChat(): Promise<TLObject>;
  getPinnedMessage(): Promise<Message | undefined>;
}

export class UserUpdateEvent {
  readonly client: Client; type: 'user_update';
  userId: number; chatId: number;
  /** "typing", "cancel", "record_video", "upload_photo", ... ('' for a status change). */
  action: string;
  online: boolean; lastSeen?: Date; status?: TLObject;
  readonly senderId: number; readonly typing: boolean; readonly cancel: boolean;
  readonly recording: boolean; readonly uploading: boolean; readonly isStatus: boolean;
  getUser(): Promise<TLObject>;
  getChat(): Promise<TLObject>;
}

export class AlbumEvent {
  readonly client: Client; type: 'album';
  chatId: number; senderId?: number; groupedId: number | bigint; out: boolean;
  messages: Message[]; users: TLObject[]; chats: TLObject[];
  patternMatch: RegExpExecArray | unknown | null;
  /** The caption: the first non-empty text. */
  readonly text: string; readonly ids: number[];
  respond(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  reply(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  forwardTo(peer: Peer): Promise<number[]>;
  delete(options?: { revoke?: boolean }): Promise<{}>;
  getChat(): Promise<TLObject>;
  getSender(): Promise<TLObject | undefined>;
}

export interface CallbackAnswer { message?: string; alert?: boolean; url?: string; cacheTime?: number }

export class CallbackQueryEvent {
  readonly client: Client; type: 'callback_query';
  queryId: number | bigint; userId: number;
  /** The chat and message of the button (undefined for a message sent through inline mode). */
  chatId?: number; messageId?: number;
  inlineMessageId?: TLObject;
  data: Buffer; chatInstance: number | bigint; gameShortName?: string;
  users: TLObject[]; chats: TLObject[];
  patternMatch: RegExpExecArray | unknown | null;
  /** Whether answer() was called. */
  answered: boolean;
  readonly senderId: number; readonly text: string; readonly viaInline: boolean;
  answer(message?: string | CallbackAnswer, options?: CallbackAnswer): Promise<{}>;
  getMessage(): Promise<Message>;
  edit(text: string, options?: SendMessageOptions): Promise<{}>;
  delete(options?: { revoke?: boolean }): Promise<{}>;
  respond(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  reply(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  getSender(): Promise<TLObject>;
  getChat(): Promise<TLObject>;
}

export class InlineQueryEvent {
  readonly client: Client; type: 'inline_query';
  queryId: number | bigint; userId: number;
  /** The query text. */
  text: string; offset: string;
  peerType: '' | 'pm' | 'bot_pm' | 'same_bot_pm' | 'chat' | 'megagroup' | 'broadcast';
  users: TLObject[];
  patternMatch: RegExpExecArray | unknown | null;
  readonly senderId: number; readonly query: string;
  readonly builder: { article(options: InlineArticle): InlineArticle };
  answer(results?: InlineArticle[], options?: InlineAnswerOptions): Promise<{}>;
  getSender(): Promise<TLObject>;
}
export interface InlineAnswerOptions { cacheTime?: number; nextOffset?: string; gallery?: boolean; private?: boolean }

export class MessageDeletedEvent { readonly client: Client; type: 'message_deleted'; ids: number[]; channelId: number }
export class RawEvent { readonly client: Client; type: 'raw' | 'raw_updates'; [key: string]: unknown }

export interface PeerInfo { id: number; marked_id: number; kind: 'user' | 'chat' | 'channel'; access_hash: number | bigint; username: string; name: string; phone: string; bot: boolean }
export type ParticipantFilter = 'recent' | 'admins' | 'bots' | 'banned' | 'kicked';
export class Participant {
  /** The member's user id. */
  id: number;
  user?: User;
  creator: boolean; admin: boolean; banned: boolean; kicked: boolean;
  rank: string; inviterId: number; date?: Date;
  /** The channelParticipant* / chatParticipant* TL map (iterParticipants; not getParticipants). */
  participant?: TLObject;
}
export class Dialog {
  readonly client: Client;
  /** The peer's marked id. */
  id: number;
  peer: PeerInfo;
  name: string; unread: number; topId: number; pinned: boolean;
  /** 1 in the archive, 0 in the main list. */
  folder: number; archived: boolean;
  message?: Message;
  /** The peer as a TL InputPeer, for raw calls. */
  readonly inputPeer: TL.TypeInputPeer;
  sendMessage(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  iterMessages(options?: Parameters<Client['iterMessages']>[1]): AsyncGenerator<Message, void, undefined>;
  archive(archived?: boolean): Promise<{}>;
}

export interface IterMessagesOptions {
  /** Total (all by default). */
  limit?: number;
  /** Messages per request (100 at most). */
  batchSize?: number; pageSize?: number;
  /** Start below this id (with reverse: above it). */
  offsetId?: number;
  offsetDate?: Date | number;
  /** Exclusive bounds. */
  minId?: number; maxId?: number;
  search?: string; fromUser?: Peer; pinned?: boolean;
  /** Oldest first. */
  reverse?: boolean;
  /** Only these messages. */
  ids?: number | number[];
}

export class Client extends EventEmitter {
  constructor(options?: ClientOptions);
  readonly handle: number;
  authState?: string;
  connectionState?: string;
  /** The logged-in user (friendly results: ids are numbers where they fit). */
  me?: User;
  readonly connected: boolean;

  on(event: 'NewMessage' | 'MessageEdited', handler: (event: MessageEvent) => unknown): this;
  on(event: 'NewMessage' | 'MessageEdited', filters: NewMessageFilters, handler: (event: MessageEvent) => unknown): this;
  on(event: 'MessageDeleted', handler: (event: MessageDeletedEvent) => unknown): this;
  on(event: 'Raw', handler: (event: RawEvent) => unknown): this;
  on(event: 'Raw', filters: EventFilters<RawEvent>, handler: (event: RawEvent) => unknown): this;
  on(event: 'MessageDeleted', filters: EventFilters<MessageDeletedEvent>, handler: (event: MessageDeletedEvent) => unknown): this;
  on(event: 'MessageRead', handler: (event: MessageReadEvent) => unknown): this;
  on(event: 'MessageRead', filters: EventFilters<MessageReadEvent>, handler: (event: MessageReadEvent) => unknown): this;
  on(event: 'ChatAction', handler: (event: ChatActionEvent) => unknown): this;
  on(event: 'ChatAction', filters: EventFilters<ChatActionEvent>, handler: (event: ChatActionEvent) => unknown): this;
  on(event: 'UserUpdate', handler: (event: UserUpdateEvent) => unknown): this;
  on(event: 'UserUpdate', filters: EventFilters<UserUpdateEvent>, handler: (event: UserUpdateEvent) => unknown): this;
  on(event: 'Album', handler: (event: AlbumEvent) => unknown): this;
  on(event: 'Album', filters: EventFilters<AlbumEvent>, handler: (event: AlbumEvent) => unknown): this;
  on(event: 'CallbackQuery', handler: (event: CallbackQueryEvent) => unknown): this;
  on(event: 'CallbackQuery', filters: CallbackQueryFilters, handler: (event: CallbackQueryEvent) => unknown): this;
  on(event: 'InlineQuery', handler: (event: InlineQueryEvent) => unknown): this;
  on(event: 'InlineQuery', filters: EventFilters<InlineQueryEvent>, handler: (event: InlineQueryEvent) => unknown): this;
  on(event: 'authState' | 'connectionState' | 'log' | 'dropped' | 'update', listener: (data: any) => void): this;
  on(event: 'handlerError', listener: (error: unknown, event: unknown) => void): this;
  on(event: 'disconnected', listener: () => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  on(event: string, filters: object, handler: (event: any) => unknown): this;
  addEventHandler(event: UpdateEventName, filtersOrHandler: any, handler?: (event: any) => unknown): this;
  removeEventHandler(event: string, handler: (event: any) => unknown): this;

  start(options?: StartOptions): Promise<this>;
  disconnect(): Promise<void>;
  runUntilDisconnected(): Promise<void>;
  setLogLevel(level: 'debug' | 'info' | 'warn' | 'error' | 'off' | number): void;

  /** A friendly call of the C API; args keys may be camelCase; onProgress gets the PROGRESS events of a call with progress: true. */
  call(method: string, args?: Record<string, unknown>, options?: { onProgress?: ProgressCallback }): Promise<any>;
  /**
   * A raw TL call: `{ _: 'messages.getHistory', peer, limit: 10, ... }`, typed from the schema.
   * long fields are bigint both ways, bytes Uint8Array (Buffer accepted).
   */
  invoke<K extends TL.RequestName>(request: { _: K } & TL.Requests[K]): Promise<TL.Results[K]>;
  /** A raw call as boxed TL bytes; resolves to the result's TL bytes. */
  invokeTL(request: Uint8Array): Promise<Uint8Array>;

  getMe(): Promise<User>;
  getState(): Promise<{ main_dc: number; auth_state: string; connection_state: string }>;
  isAuthorized(): Promise<boolean>;
  connect(): Promise<{}>;
  startUpdates(options?: { catchUp?: boolean }): Promise<{}>;
  getEntity(peer: Peer): Promise<TLObject>;
  resolvePeer(peer: Peer): Promise<PeerInfo>;
  pingLocal<T extends Record<string, unknown>>(args?: T): Promise<T>;
  sendMessage(peer: Peer, text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  editMessage(peer: Peer, id: number, text: string, options?: SendMessageOptions): Promise<{}>;
  /** As a bot, edits a message sent through its inline mode (the id a CallbackQueryEvent carries); text may be '' when only buttons change. */
  editInlineMessage(inlineMessageId: TLObject, text: string, options?: SendMessageOptions): Promise<{}>;
  deleteMessages(peer: Peer, ids: number | number[], options?: { revoke?: boolean }): Promise<{}>;
  forwardMessages(toPeer: Peer, ids: number | number[], fromPeer: Peer): Promise<number[]>;
  getMessages(peer: Peer, ids: number | number[]): Promise<Message[]>;
  getHistory(peer: Peer, options?: { limit?: number; offsetId?: number; minId?: number; maxId?: number; search?: string }): Promise<Message[]>;
  getDialogs(options?: { limit?: number; archived?: boolean; excludePinned?: boolean }): Promise<Dialog[]>;
  archiveDialog(peer: Peer, archived?: boolean): Promise<{}>;
  /** Messages newest first (reverse: oldest first), paged transparently (batchSize per request, 100 by default). */
  iterMessages(peer: Peer, options?: IterMessagesOptions): AsyncGenerator<Message, void, undefined>;
  /** Dialogs newest first, paged transparently with raw messages.getDialogs calls. */
  iterDialogs(options?: { limit?: number; batchSize?: number; excludePinned?: boolean; archived?: boolean; folderId?: number }): AsyncGenerator<Dialog, void, undefined>;
  /** Members of a group or channel, paged transparently (raw channels.getParticipants; a basic group in one call). */
  iterParticipants(peer: Peer, options?: { limit?: number; batchSize?: number; search?: string; filter?: ParticipantFilter }): AsyncGenerator<Participant, void, undefined>;
  /** Members in one friendly call. */
  getParticipants(peer: Peer, options?: { limit?: number; search?: string; filter?: ParticipantFilter }): Promise<Participant[]>;
  unpinMessage(peer: Peer, id: number): Promise<{}>;
  unpinAllMessages(peer: Peer): Promise<{}>;
  getPinnedMessages(peer: Peer): Promise<Message[]>;
  getScheduledMessages(peer: Peer): Promise<Message[]>;
  sendScheduledNow(peer: Peer, ids: number | number[]): Promise<{}>;
  deleteScheduledMessages(peer: Peer, ids: number | number[]): Promise<{}>;
  answerCallbackQuery(queryId: number | bigint, options?: CallbackAnswer): Promise<{}>;
  answerInlineQuery(queryId: number | bigint, results: InlineArticle[], options?: InlineAnswerOptions): Promise<{}>;
  /** Runs a bot's inline query (as a user) in a chat ('me' by default). */
  inlineQuery(bot: Peer, query?: string, options?: { peer?: Peer; offset?: string }): Promise<InlineResults>;
  sendInlineResult(peer: Peer, queryId: number | bigint, id: string, options?: { replyTo?: number; silent?: boolean }): Promise<{ id: number }>;
  /** Presses an inline button of a message by text, data, or row and column. */
  click(peer: Peer, msgId: number, ref: { text?: string; data?: string | Uint8Array; row?: number; col?: number }): Promise<ClickResult>;
  /** 2 to 10 files as one album; each a path, bytes or {file, caption, parseMode, kind, name, mimeType}. */
  sendAlbum(peer: Peer, files: AlbumFile[], options?: { caption?: string; parseMode?: 'markdown' | 'md' | 'html'; replyTo?: number; silent?: boolean; progressCallback?: ProgressCallback }): Promise<{ ids: number[] }>;
  downloadThumbnail(peer: Peer, messageId: number, options?: DownloadOptions & { thumb?: string }): Promise<Buffer | { path: string; size: number }>;
  downloadProfilePhoto(peer: Peer, options?: DownloadOptions & { big?: boolean }): Promise<Buffer | { path: string; size: number }>;
  downloadRange(peer: Peer, messageId: number, options: DownloadOptions & { offset?: number; limit?: number }): Promise<Buffer | { path: string; size: number }>;
  iterDownload(peer: Peer, messageId: number, options?: { offset?: number; limit?: number; chunkSize?: number }): AsyncGenerator<Buffer, void, undefined>;
  downloadFileId(fileId: string, options?: DownloadOptions): Promise<Buffer | { path: string; size: number }>;
  getFileIds(peer: Peer, messageId: number): Promise<{ fileId: string; fileUniqueId: string }>;
  decodeFileId(fileId: string): Promise<{ type: string; dcId: number; id: number | bigint; accessHash: number | bigint; fileReference: Uint8Array; version: number; subVersion: number; fileUniqueId: string; url?: string; photoSize?: Record<string, unknown> }>;
  sendCode(phone: string): Promise<SentCode>;
  signIn(args: { phone?: string; code: string | number; hash?: string }): Promise<User>;
  signUp(args: { phone?: string; hash?: string; firstName: string; lastName?: string }): Promise<User>;
  checkPassword(password: string): Promise<User>;
  passwordHint(): Promise<string>;
  signInBot(token: string): Promise<User>;
  qrLogin(): Promise<User>;
  acceptQrLogin(url: string): Promise<{}>;
  login(options: { botToken?: string; phone?: string; code?: string; password?: string; firstName?: string; lastName?: string }): Promise<User>;
  sendReadAcknowledge(peer: Peer, maxId?: number): Promise<{}>;
  typing(peer: Peer, options?: { cancel?: boolean }): Promise<{}>;
  pinMessage(peer: Peer, id: number, options?: { unpin?: boolean; silent?: boolean }): Promise<{}>;
  sendFile(peer: Peer, file: string | Uint8Array, options?: SendFileOptions): Promise<{ id: number }>;
  /** An array of files is one album. */
  sendFile(peer: Peer, file: AlbumFile[], options?: { caption?: string; parseMode?: 'markdown' | 'md' | 'html'; replyTo?: number; silent?: boolean; progressCallback?: ProgressCallback }): Promise<{ ids: number[] }>;
  downloadMedia(peer: Peer, messageId: number, options?: DownloadOptions & { thumb?: string }): Promise<Buffer | { path: string; size: number }>;
  exportSession(): Promise<string>;
  logOut(): Promise<{}>;
}

export interface SendFileOptions {
  caption?: string; parseMode?: 'markdown' | 'md' | 'html'; entities?: TLObject[];
  name?: string; mimeType?: string; asPhoto?: boolean; replyTo?: number;
  progressCallback?: ProgressCallback;
}
export type AlbumFile = string | Uint8Array | {
  file: string | Uint8Array; caption?: string; parseMode?: 'markdown' | 'md' | 'html';
  kind?: 'photo' | 'video' | 'document' | 'audio' | 'voice' | 'animation' | 'video_note'; name?: string; mimeType?: string;
};
export type UpdateEventName = 'NewMessage' | 'MessageEdited' | 'MessageDeleted' | 'MessageRead' | 'ChatAction' | 'UserUpdate'
  | 'Album' | 'CallbackQuery' | 'InlineQuery' | 'Raw';

export interface EmulatorUser { id: number; phone: string; first_name: string; last_name: string; username: string; bot: boolean; dc: number }

export class Emulator {
  static start(options?: { dcs?: number; snapshot?: string; library?: string }): Promise<Emulator>;
  readonly handle: number;
  call(method: string, args?: Record<string, unknown>): Promise<any>;
  stop(): void;
  info(): Promise<{ dcs: { id: number; host: string; port: number; addr: string }[]; public_key_pem: string; fingerprint: number | bigint }>;
  clientConfig(extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
  client(options?: ClientOptions): Promise<Client>;
  createUser(user: { phone: string; firstName?: string; lastName?: string; username?: string }): Promise<EmulatorUser>;
  /** Resolves to the bot's token. */
  createBot(bot: { username: string; firstName?: string }): Promise<string>;
  botToken(botId: number): Promise<string>;
  lookupUser(id: number): Promise<EmulatorUser | null>;
  loginCode(phone: string): Promise<string>;
  setPassword(userId: number, password: string, hint?: string): Promise<{}>;
  addContact(owner: number, contact: number): Promise<{}>;
  sendMessage(from: number, peer: number, text: string): Promise<{ id: number }>;
  history(viewer: number, peer: number): Promise<any[]>;
  createChat(args: { creator: number; title: string; members?: number[] }): Promise<{ peer: number }>;
  createChannel(args: { creator: number; title: string; username?: string; megagroup?: boolean; members?: number[] }): Promise<{ peer: number }>;
  updateState(userId: number): Promise<{ pts: number; qts: number; seq: number }>;
  dropConnections(): Promise<{}>;
  rotateSalt(): Promise<{}>;
  expireFileReferences(): Promise<{}>;
  skewClock(seconds: number): Promise<{}>;
  holdUpdates(userId: number, hold?: boolean): Promise<{}>;
  loseUpdates(userId: number, n?: number): Promise<{}>;
  failNext(method: string, error: string, n?: number): Promise<{}>;
  slowDc(dc: number, delayMs: number): Promise<{}>;
}

export class LibraryNotFoundError extends Error { tried: string[] }
/** What the error list says about a Telegram error name ("FLOOD_WAIT_42" or "FLOOD_WAIT_X"). */
export function rpcErrorInfo(name: string): { name: string; codes: number[]; description: string; class: typeof RPCError } | undefined;
/**
 * Registers an update event kind for handlers: `name` (PascalCase) for update maps
 * whose "type" is one of `types`, made into an event object by `make`.
 */
export function defineEvent(name: string, types: string[], make: (client: Client, data: Record<string, unknown>) => object): void;

export const Status: {
  OK: 0; INVALID_ARGUMENT: 1; DECODE: 2; INTERNAL: 3; BAD_HANDLE: 4; CLOSED: 5; UNKNOWN_METHOD: 6;
  TIMEOUT: 7; CANCELLED: 8; RPC: 9; FLOOD_WAIT: 10; UNAUTHORIZED: 11; PASSWORD_NEEDED: 12;
  SIGN_UP_REQUIRED: 13; PEER_NOT_FOUND: 14; NETWORK: 15; NOT_FOUND: 16; WRONG_MODE: 17; SESSION: 18; FAILED: 19;
};

export function findLibrary(options?: { env?: Record<string, string | undefined>; packageDir?: string; searchFrom?: string }): string;
export function loadLibrary(options?: { path?: string }): unknown;
export function libraryInfo(): { version: string; abi: number; layer: number; path: string };

declare const polygram: {
  Client: typeof Client; Emulator: typeof Emulator; Message: typeof Message; Dialog: typeof Dialog;
  Participant: typeof Participant; Button: typeof Button; MessageButton: typeof MessageButton;
  MessageEvent: typeof MessageEvent; MessageDeletedEvent: typeof MessageDeletedEvent; RawEvent: typeof RawEvent;
  MessageReadEvent: typeof MessageReadEvent; ChatActionEvent: typeof ChatActionEvent; UserUpdateEvent: typeof UserUpdateEvent;
  AlbumEvent: typeof AlbumEvent; CallbackQueryEvent: typeof CallbackQueryEvent; InlineQueryEvent: typeof InlineQueryEvent;
  PolygramError: typeof PolygramError; RPCError: typeof RPCError; FloodWaitError: typeof FloodWaitError;
  LibraryNotFoundError: typeof LibraryNotFoundError; Status: typeof Status;
  findLibrary: typeof findLibrary; loadLibrary: typeof loadLibrary; libraryInfo: typeof libraryInfo;
  rpcErrorInfo: typeof rpcErrorInfo; defineEvent: typeof defineEvent;
};
export default polygram;
