'use strict';
const native = require('./native.cjs');
const { Client } = require('./client.cjs');
const { Emulator } = require('./emulator.cjs');
const { Message, MessageEvent, MessageDeletedEvent, RawEvent } = require('./message.cjs');
const { PolygramError, RPCError, FloodWaitError, LibraryNotFoundError } = require('./errors.cjs');

/** Version, ABI and layer of the loaded library (loads it). */
function libraryInfo(options) {
  const n = native.loadLibrary(options);
  return { version: n.version(), abi: n.abiVersion(), layer: n.layer(), path: n.path };
}

module.exports = {
  Client, Emulator, Message, MessageEvent, MessageDeletedEvent, RawEvent,
  PolygramError, RPCError, FloodWaitError, LibraryNotFoundError,
  Status: native.STATUS, findLibrary: native.findLibrary, loadLibrary: native.loadLibrary, libraryInfo,
};
