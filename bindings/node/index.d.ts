// Type declarations for the polygram Node binding (ABI 1 of libpolygram).
import { EventEmitter } from 'node:events';

export type Peer = number | string | bigint | { marked_id: number; access_hash?: bigint | number; [k: string]: unknown };
/** A TL object as msgpack maps it: "_" is the schema name; long fields are bigint in raw results. */
export interface TLObject { _: string; [field: string]: unknown }
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
  raw: TLObject;
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
  getChat(): Promise<TLObject>;
  getSender(): Promise<TLObject | undefined>;
}

export class MessageDeletedEvent { readonly client: Client; type: 'message_deleted'; ids: number[]; channelId: number }
export class RawEvent { readonly client: Client; type: 'raw' | 'raw_updates'; [key: string]: unknown }

export interface Dialog { peer: unknown; name: string; unread: number; top_id: number; pinned: boolean; message?: Message }

export class Client extends EventEmitter {
  constructor(options?: ClientOptions);
  readonly handle: number;
  authState?: string;
  connectionState?: string;
  me?: TLObject & { id: number; bot?: boolean; username?: string; first_name?: string };
  readonly connected: boolean;

  on(event: 'NewMessage' | 'MessageEdited', handler: (event: MessageEvent) => unknown): this;
  on(event: 'NewMessage' | 'MessageEdited', filters: NewMessageFilters, handler: (event: MessageEvent) => unknown): this;
  on(event: 'MessageDeleted', handler: (event: MessageDeletedEvent) => unknown): this;
  on(event: 'Raw', handler: (event: RawEvent) => unknown): this;
  on(event: 'authState' | 'connectionState' | 'log' | 'dropped' | 'update', listener: (data: any) => void): this;
  on(event: 'handlerError', listener: (error: unknown, event: unknown) => void): this;
  on(event: 'disconnected', listener: () => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  addEventHandler(event: 'NewMessage' | 'MessageEdited' | 'MessageDeleted' | 'Raw', filtersOrHandler: any, handler?: (event: any) => unknown): this;
  removeEventHandler(event: string, handler: (event: any) => unknown): this;

  start(options?: StartOptions): Promise<this>;
  disconnect(): Promise<void>;
  runUntilDisconnected(): Promise<void>;
  setLogLevel(level: 'debug' | 'info' | 'warn' | 'error' | 'off' | number): void;

  /** A friendly call of the C API; args keys may be camelCase. */
  call(method: string, args?: Record<string, unknown>): Promise<any>;
  /** A raw TL call; long fields of the result are bigint, bytes Uint8Array. */
  invoke<T = TLObject>(request: TLObject): Promise<T>;
  /** A raw call as boxed TL bytes; resolves to the result's TL bytes. */
  invokeTL(request: Uint8Array): Promise<Uint8Array>;

  getMe(): Promise<TLObject & { id: number }>;
  getState(): Promise<{ main_dc: number; auth_state: string; connection_state: string }>;
  isAuthorized(): Promise<boolean>;
  connect(): Promise<{}>;
  startUpdates(options?: { catchUp?: boolean }): Promise<{}>;
  getEntity(peer: Peer): Promise<TLObject>;
  resolvePeer(peer: Peer): Promise<{ id: number; marked_id: number; kind: string; access_hash: number | bigint; username?: string; name?: string; phone?: string; bot?: boolean }>;
  pingLocal<T extends Record<string, unknown>>(args?: T): Promise<T>;
  sendMessage(peer: Peer, text: string, options?: SendMessageOptions): Promise<{ id: number }>;
  editMessage(peer: Peer, id: number, text: string, options?: SendMessageOptions): Promise<{}>;
  deleteMessages(peer: Peer, ids: number | number[], options?: { revoke?: boolean }): Promise<{}>;
  forwardMessages(toPeer: Peer, ids: number | number[], fromPeer: Peer): Promise<number[]>;
  getMessages(peer: Peer, ids: number | number[]): Promise<Message[]>;
  getHistory(peer: Peer, options?: { limit?: number; offsetId?: number; minId?: number; maxId?: number; search?: string }): Promise<Message[]>;
  getDialogs(options?: { limit?: number }): Promise<Dialog[]>;
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

export interface ErrorMap { status?: number; code?: number; name?: string; message?: string; seconds?: number; dc?: number; method?: string }
export class PolygramError extends Error {
  constructor(map?: ErrorMap);
  /** A polygram_status (see Status). */
  status: number;
  /** Telegram's error code for Telegram's errors, else the status. */
  code: number;
  /** Telegram's error name ("CHAT_ADMIN_REQUIRED", "FLOOD_WAIT_X") or the status name ("CLOSED"). */
  name: string;
  method?: string;
  dc?: number;
}
export class RPCError extends PolygramError {}
export class FloodWaitError extends RPCError { seconds: number }
export class LibraryNotFoundError extends Error { tried: string[] }

export const Status: {
  OK: 0; INVALID_ARGUMENT: 1; DECODE: 2; INTERNAL: 3; BAD_HANDLE: 4; CLOSED: 5; UNKNOWN_METHOD: 6;
  TIMEOUT: 7; CANCELLED: 8; RPC: 9; FLOOD_WAIT: 10; UNAUTHORIZED: 11; PASSWORD_NEEDED: 12;
  SIGN_UP_REQUIRED: 13; PEER_NOT_FOUND: 14; NETWORK: 15; NOT_FOUND: 16; WRONG_MODE: 17; SESSION: 18; FAILED: 19;
};

export function findLibrary(options?: { env?: Record<string, string | undefined>; packageDir?: string; searchFrom?: string }): string;
export function loadLibrary(options?: { path?: string }): unknown;
export function libraryInfo(): { version: string; abi: number; layer: number; path: string };

declare const polygram: {
  Client: typeof Client; Emulator: typeof Emulator; Message: typeof Message;
  PolygramError: typeof PolygramError; RPCError: typeof RPCError; FloodWaitError: typeof FloodWaitError;
  LibraryNotFoundError: typeof LibraryNotFoundError; Status: typeof Status;
  findLibrary: typeof findLibrary; loadLibrary: typeof loadLibrary; libraryInfo: typeof libraryInfo;
};
export default polygram;
