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

export interface SendMessageOptions {
  replyTo?: number; silent?: boolean; noWebpage?: boolean;
  parseMode?: 'markdown' | 'html'; entities?: TLObject[];
}

export interface NewMessageFilters {
  pattern?: RegExp | string | ((text: string) => unknown);
  incoming?: boolean; outgoing?: boolean;
  chats?: number | number[];
  func?: (event: MessageEvent) => boolean;
}

export class Message {
  readonly client: Client;
  raw: Friendly<TL.Message>;
  id: number; chatId: number; senderId?: number; out: boolean;
  readonly text: string; readonly message: string; readonly date?: Date;
  readonly media?: TLObject; readonly entities?: TLObject[];
  readonly replyToMsgId?: number; readonly isReply: boolean;
  reply(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  respond(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  edit(text: string, options?: SendMessageOptions): Promise<{}>;
  delete(options?: { revoke?: boolean }): Promise<{}>;
  forwardTo(peer: Peer): Promise<number[]>;
  downloadMedia(options?: { path?: string }): Promise<Buffer | { path: string; size: number }>;
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
}

export class MessageDeletedEvent { readonly client: Client; type: 'message_deleted'; ids: number[]; channelId: number }
export class RawEvent { readonly client: Client; type: 'raw' | 'raw_updates'; [key: string]: unknown }

export interface PeerInfo { id: number; marked_id: number; kind: 'user' | 'chat' | 'channel'; access_hash: number | bigint; username: string; name: string; phone: string; bot: boolean }
export interface Participant {
  /** The member's user id. */
  id: number;
  user?: User;
  /** channelParticipant*, chatParticipant* TL map. */
  participant: TLObject;
}
export class Dialog {
  readonly client: Client;
  /** The peer's marked id. */
  id: number;
  peer: PeerInfo;
  name: string; unread: number; topId: number; pinned: boolean;
  message?: Message;
  /** The peer as a TL InputPeer, for raw calls. */
  readonly inputPeer: TL.TypeInputPeer;
  sendMessage(text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  iterMessages(options?: Parameters<Client['iterMessages']>[1]): AsyncGenerator<Message, void, undefined>;
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
  on(event: 'authState' | 'connectionState' | 'log' | 'dropped' | 'update', listener: (data: any) => void): this;
  on(event: 'handlerError', listener: (error: unknown, event: unknown) => void): this;
  on(event: 'disconnected', listener: () => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  on(event: string, filters: object, handler: (event: any) => unknown): this;
  addEventHandler(event: 'NewMessage' | 'MessageEdited' | 'MessageDeleted' | 'Raw', filtersOrHandler: any, handler?: (event: any) => unknown): this;
  removeEventHandler(event: string, handler: (event: any) => unknown): this;

  start(options?: StartOptions): Promise<this>;
  disconnect(): Promise<void>;
  runUntilDisconnected(): Promise<void>;
  setLogLevel(level: 'debug' | 'info' | 'warn' | 'error' | 'off' | number): void;

  /** A friendly call of the C API; args keys may be camelCase. */
  call(method: string, args?: Record<string, unknown>): Promise<any>;
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
  deleteMessages(peer: Peer, ids: number | number[], options?: { revoke?: boolean }): Promise<{}>;
  forwardMessages(toPeer: Peer, ids: number | number[], fromPeer: Peer): Promise<number[]>;
  getMessages(peer: Peer, ids: number | number[]): Promise<Message[]>;
  getHistory(peer: Peer, options?: { limit?: number; offsetId?: number; minId?: number; maxId?: number; search?: string }): Promise<Message[]>;
  getDialogs(options?: { limit?: number }): Promise<Dialog[]>;
  /** Messages newest first, paged transparently (batchSize per request, 100 by default). */
  iterMessages(peer: Peer, options?: { limit?: number; batchSize?: number; offsetId?: number; minId?: number; maxId?: number; search?: string }): AsyncGenerator<Message, void, undefined>;
  /** Dialogs newest first, paged transparently with raw messages.getDialogs calls. */
  iterDialogs(options?: { limit?: number; batchSize?: number; excludePinned?: boolean; folderId?: number }): AsyncGenerator<Dialog, void, undefined>;
  /** Members of a group or channel, paged transparently (raw channels.getParticipants; a basic group in one call). */
  iterParticipants(peer: Peer, options?: { limit?: number; batchSize?: number; search?: string }): AsyncGenerator<Participant, void, undefined>;
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
  sendFile(peer: Peer, file: string | Uint8Array, options?: { caption?: string; name?: string; mimeType?: string; asPhoto?: boolean; replyTo?: number }): Promise<{ id: number }>;
  downloadMedia(peer: Peer, messageId: number, options?: { path?: string }): Promise<Buffer | { path: string; size: number }>;
  exportSession(): Promise<string>;
  logOut(): Promise<{}>;
}

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
  PolygramError: typeof PolygramError; RPCError: typeof RPCError; FloodWaitError: typeof FloodWaitError;
  LibraryNotFoundError: typeof LibraryNotFoundError; Status: typeof Status;
  findLibrary: typeof findLibrary; loadLibrary: typeof loadLibrary; libraryInfo: typeof libraryInfo;
  rpcErrorInfo: typeof rpcErrorInfo; defineEvent: typeof defineEvent;
};
export default polygram;
