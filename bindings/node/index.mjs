// ESM entry: the same module instance as the CommonJS entry.
import polygram from './src/index.cjs';

export * from './src/errors.mjs';
export const {
  Client, Emulator, Message, MessageEvent, MessageDeletedEvent, RawEvent, Dialog, Participant, defineEvent,
  MessageReadEvent, ChatActionEvent, UserUpdateEvent, AlbumEvent, CallbackQueryEvent, InlineQueryEvent,
  Button, MessageButton,
  PolygramError, LibraryNotFoundError, rpcErrorInfo,
  Status, findLibrary, loadLibrary, libraryInfo,
} = polygram;
export default polygram;
