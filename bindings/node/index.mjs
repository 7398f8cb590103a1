// ESM entry: the same module instance as the CommonJS entry.
import polygram from './src/index.cjs';

export const {
  Client, Emulator, Message, MessageEvent, MessageDeletedEvent, RawEvent,
  PolygramError, RPCError, FloodWaitError, LibraryNotFoundError,
  Status, findLibrary, loadLibrary, libraryInfo,
} = polygram;
export default polygram;
