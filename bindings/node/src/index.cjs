'use strict';
const native = require('./native.cjs');
const { Client, defineEvent } = require('./client.cjs');
const { Emulator } = require('./emulator.cjs');
const { Message, MessageEvent, MessageDeletedEvent, RawEvent, Dialog, Participant } = require('./message.cjs');
const {
  MessageReadEvent, ChatActionEvent, UserUpdateEvent, AlbumEvent, CallbackQueryEvent, InlineQueryEvent,
} = require('./events.cjs');
const { Button, MessageButton } = require('./buttons.cjs');
const errors = require('./errors.cjs');

/** Version, ABI and layer of the loaded library (loads it). */
function libraryInfo(options) {
  const n = native.loadLibrary(options);
  return { version: n.version(), abi: n.abiVersion(), layer: n.layer(), path: n.path };
}

module.exports = {
  Client, Emulator, Message, MessageEvent, MessageDeletedEvent, RawEvent, Dialog, Participant, defineEvent,
  MessageReadEvent, ChatActionEvent, UserUpdateEvent, AlbumEvent, CallbackQueryEvent, InlineQueryEvent,
  Button, MessageButton,
  ...errors.RPC_ERROR_CLASSES,
  PolygramError: errors.PolygramError,
  LibraryNotFoundError: errors.LibraryNotFoundError,
  rpcErrorInfo: errors.rpcErrorInfo,
  Status: native.STATUS, findLibrary: native.findLibrary, loadLibrary: native.loadLibrary, libraryInfo,
};
