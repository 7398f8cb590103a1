'use strict';
// Loading libpolygram and the raw koffi bindings of include/polygram.h (ABI 1).
const fs = require('node:fs');
const path = require('node:path');
const { LibraryNotFoundError, PolygramError, errorFromMap } = require('./errors.cjs');
const codec = require('./codec.cjs');

const ABI_VERSION = 1;
const STATUS = {
  OK: 0, INVALID_ARGUMENT: 1, DECODE: 2, INTERNAL: 3, BAD_HANDLE: 4, CLOSED: 5, UNKNOWN_METHOD: 6,
  TIMEOUT: 7, CANCELLED: 8, RPC: 9, FLOOD_WAIT: 10, UNAUTHORIZED: 11, PASSWORD_NEEDED: 12,
  SIGN_UP_REQUIRED: 13, PEER_NOT_FOUND: 14, NETWORK: 15, NOT_FOUND: 16, WRONG_MODE: 17, SESSION: 18, FAILED: 19,
};
const STATUS_NAMES = Object.fromEntries(Object.entries(STATUS).map(([k, v]) => [v, k]));
const ENCODING = { TL: 1, MSGPACK: 2, CALL: 3 };
const EVENT = { RESULT: 1, ERROR: 2, UPDATE: 3, AUTH_STATE: 4, CONNECTION_STATE: 5, LOG: 6, DROPPED: 7, PROGRESS: 8 };

const PACKAGE_DIR = path.resolve(__dirname, '..');

function libraryFileName(platform = process.platform) {
  if (platform === 'win32') return 'polygram.dll';
  if (platform === 'darwin') return 'libpolygram.dylib';
  return 'libpolygram.so';
}

// candidatePaths lists where the library is looked for, in order:
// $POLYGRAM_LIBRARY (alone when set: an explicit choice never falls back),
// the package folder (./, ./lib, ./prebuilds/<platform>-<arch>), then every
// build/ folder from the package folder upwards (the repository's build/).
function candidatePaths({ env = process.env, packageDir = PACKAGE_DIR, searchFrom = PACKAGE_DIR } = {}) {
  if (env.POLYGRAM_LIBRARY) return [path.resolve(env.POLYGRAM_LIBRARY)];
  const name = libraryFileName();
  const out = [
    path.join(packageDir, name),
    path.join(packageDir, 'lib', name),
    path.join(packageDir, 'prebuilds', `${process.platform}-${process.arch}`, name),
  ];
  let dir = path.resolve(searchFrom);
  for (;;) {
    out.push(path.join(dir, 'build', name));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return [...new Set(out)];
}

// findLibrary returns the first existing candidate, or throws
// LibraryNotFoundError naming every path tried.
function findLibrary(options = {}) {
  const tried = candidatePaths(options);
  for (const p of tried) {
    if (fs.existsSync(p)) return p;
  }
  const env = options.env || process.env;
  const how = env.POLYGRAM_LIBRARY
    ? 'POLYGRAM_LIBRARY is set but names no file'
    : 'set POLYGRAM_LIBRARY to its path, or build it with `make lib` in the repository';
  throw new LibraryNotFoundError(
    `libpolygram not found (${how}); tried:\n` + tried.map((p) => `  ${p}`).join('\n'), tried);
}

let native = null;

function bind(lib, koffi) {
  const Event = koffi.struct('polygram_event', {
    type: 'int', status: 'int', request_id: 'uint64_t', encoding: 'int', data: 'uint8_t *', data_len: 'size_t',
  });
  const Callback = koffi.proto('void polygram_callback(void *user_data, uint64_t client, const polygram_event *event)');
  const f = (sig) => lib.func(sig);
  return {
    Event,
    Callback,
    version: f('const char *polygram_version(void)'),
    abiVersion: f('int polygram_abi_version(void)'),
    layer: f('int polygram_layer(void)'),
    statusName: f('const char *polygram_status_name(int status)'),
    free: f('void polygram_free(void *ptr)'),
    schemaMsgpack: f('int polygram_schema_msgpack(_Out_ uint8_t **out, _Out_ size_t *out_len)'),
    clientNew: f('int polygram_client_new(const uint8_t *config, size_t config_len, polygram_callback *callback, void *user_data, _Out_ uint64_t *client, _Out_ uint8_t **err, _Out_ size_t *err_len)'),
    clientClose: f('int polygram_client_close(uint64_t client)'),
    setLogLevel: f('int polygram_set_log_level(uint64_t client, int level)'),
    send: f('int polygram_send(uint64_t client, int encoding, const uint8_t *request, size_t request_len, _Out_ uint64_t *request_id, _Out_ uint8_t **err, _Out_ size_t *err_len)'),
    cancel: f('int polygram_cancel(uint64_t client, uint64_t request_id)'),
    receive: f('int polygram_receive(uint64_t client, double timeout_seconds, _Out_ polygram_event *event)'),
    stats: f('int polygram_stats(int collect, _Out_ uint8_t **out, _Out_ size_t *out_len)'),
    emulatorStart: f('int polygram_emulator_start(const uint8_t *config, size_t config_len, _Out_ uint64_t *emulator, _Out_ uint8_t **err, _Out_ size_t *err_len)'),
    emulatorStop: f('int polygram_emulator_stop(uint64_t emulator)'),
    emulatorCall: f('int polygram_emulator_call(uint64_t emulator, const uint8_t *command, size_t command_len, _Out_ uint8_t **out, _Out_ size_t *out_len, _Out_ uint8_t **err, _Out_ size_t *err_len)'),
    // A later addition to ABI 1: null in older libraries.
    errors: optional(lib, 'int polygram_errors(_Out_ uint8_t **out, _Out_ size_t *out_len)'),
    eventFd: optional(lib, 'int polygram_event_fd(uint64_t client, _Out_ int *fd)'),
    koffi,
  };
}

function optional(lib, sig) {
  try {
    return lib.func(sig);
  } catch {
    return null;
  }
}

// loadLibrary loads the library once per process (options only matter the
// first time) and checks its ABI version.
function loadLibrary(options = {}) {
  if (native) return native;
  const file = options.path ? path.resolve(options.path) : findLibrary(options);
  if (options.path && !fs.existsSync(file)) {
    throw new LibraryNotFoundError(`libpolygram not found; tried:\n  ${file}`, [file]);
  }
  const koffi = require('koffi');
  let lib;
  try {
    lib = koffi.load(file);
  } catch (e) {
    throw new LibraryNotFoundError(`libpolygram at ${file} could not be loaded: ${e.message}`, [file]);
  }
  const n = bind(lib, koffi);
  const abi = n.abiVersion();
  if (abi !== ABI_VERSION) {
    throw new PolygramError({ status: STATUS.FAILED, name: 'ABI_MISMATCH', message: `${file} has ABI ${abi}, this binding needs ABI ${ABI_VERSION}` });
  }
  n.path = file;
  native = n;
  return n;
}

// take copies a library buffer into a Uint8Array and frees it.
function take(n, ptr, len) {
  if (!ptr) return new Uint8Array(0);
  try {
    const count = Number(len);
    if (count === 0) return new Uint8Array(0);
    return Uint8Array.from(n.koffi.decode(ptr, n.koffi.array('uint8_t', count, 'Typed')));
  } finally {
    n.free(ptr);
  }
}

// copyLent copies a buffer the library lends for the duration of a callback.
function copyLent(n, ptr, len) {
  const count = Number(len);
  if (!ptr || count === 0) return new Uint8Array(0);
  return n.koffi.decode(ptr, n.koffi.array('uint8_t', count, 'Typed')).slice();
}

// The process-wide event callback: the library calls it on its own threads;
// koffi runs it on the JS thread while the library thread waits, so the lent
// event is valid throughout. It routes each event to its client by handle.
const receivers = new Map();

function callbackFor(n) {
  if (!n.callback) {
    n.callback = n.koffi.register((_user, handle, evPtr) => {
      const target = receivers.get(Number(handle));
      if (!target) return;
      let ev;
      try {
        const raw = n.koffi.decode(evPtr, n.Event);
        ev = { type: raw.type, status: raw.status, request_id: raw.request_id, data: copyLent(n, raw.data, raw.data_len) };
      } catch (e) {
        target._eventError(e);
        return;
      }
      target._event(ev);
    }, n.koffi.pointer(n.Callback));
  }
  return n.callback;
}

// failure turns a status and an optional error buffer into an Error (the
// buffer is freed).
function failure(n, status, errPtr, errLen, decoded) {
  const map = errPtr ? codec.decodeFriendly(take(n, errPtr, errLen)) : decoded;
  if (map && typeof map === 'object') return errorFromMap(map, status);
  const name = n.statusName(status) || STATUS_NAMES[status] || 'UNKNOWN';
  return errorFromMap({ status, code: status, name, message: name }, status);
}

module.exports = {
  ABI_VERSION, STATUS, STATUS_NAMES, ENCODING, EVENT, PACKAGE_DIR,
  candidatePaths, findLibrary, loadLibrary, take, failure, libraryFileName, callbackFor, receivers,
};
