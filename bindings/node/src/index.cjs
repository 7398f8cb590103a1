'use strict';
const native = require('./native.cjs');
const { Client, defineEvent } = require('./client.cjs');
const { Emulator } = require('./emulator.cjs');
const { Message, MessageEvent, MessageDeletedEvent, RawEvent, Dialog } = require('./message.cjs');
const errors = require('./errors.cjs');

/** Version, ABI and layer of the loaded library (loads it). */
function libraryInfo(options) {
  const n = native.loadLibrary(options);
  return { version: n.version(), abi: n.abiVersion(), layer: n.layer(), path: n.path };
}

module.exports = {
  Client, Emulator, Message, MessageEvent, MessageDeletedEvent, RawEvent, Dialog, defineEvent,
  ...errors.RPC_ERROR_CLASSES,
  PolygramError: errors.PolygramError,
  LibraryNotFoundError: errors.LibraryNotFoundError,
  rpcErrorInfo: errors.rpcErrorInfo,
  Status: native.STATUS, findLibrary: native.findLibrary, loadLibrary: native.loadLibrary, libraryInfo,
};
