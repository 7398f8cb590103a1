'use strict';
// Error classes. Every library error map is {status, code, name, message,
// seconds?, dc?, method?} (docs/capi.md). Telegram's errors become RPCError
// subclasses: one base class per error code (BadRequestError for 400, ...)
// and one class per known error name (ChatAdminRequiredError, ...), made
// from the generated table src/rpc-errors.cjs.
const RPC_ERRORS = require('./rpc-errors.cjs');

const STATUS_RPC = 9;
const STATUS_FLOOD_WAIT = 10;

/** Any failure the library reports: `status` (a Status value), `code`, `errorMessage`. */
class PolygramError extends Error {
  constructor(map = {}) {
    super(map.message || map.name || 'polygram error');
    this.status = map.status ?? 19;
    this.code = map.code ?? this.status;
    /** Telegram's error name ("FLOOD_WAIT_X", "CHAT_ADMIN_REQUIRED") or the status name ("CLOSED"). */
    this.errorMessage = map.name || 'FAILED';
    if (map.method !== undefined) this.method = map.method;
    if (map.dc !== undefined) this.dc = Number(map.dc);
    if (map.seconds !== undefined) this.seconds = Number(map.seconds);
  }

  get name() { return this.constructor.name; }
}

/** Telegram answered with an error: `code` is Telegram's (400, 420, ...). */
class RPCError extends PolygramError {}
class InvalidDCError extends RPCError {}
class BadRequestError extends RPCError {}
class UnauthorizedError extends RPCError {}
class ForbiddenError extends RPCError {}
class NotFoundError extends RPCError {}
class AuthKeyError extends RPCError {}
class FloodError extends RPCError {}
class ServerError extends RPCError {}
class TimedOutError extends RPCError {}

/** Telegram asked to wait `seconds` (longer than floodSleepThreshold). */
class FloodWaitError extends FloodError {
  constructor(map = {}) {
    super(map);
    this.seconds = Number(map.seconds ?? 0);
  }
}

class LibraryNotFoundError extends Error {
  constructor(message, tried) {
    super(message);
    this.tried = tried;
  }

  get name() { return 'LibraryNotFoundError'; }
}

const BASES = {
  RPCError, InvalidDCError, BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError,
  AuthKeyError, FloodError, ServerError, TimedOutError, FloodWaitError,
};
const BY_CODE = {
  303: InvalidDCError, 400: BadRequestError, 401: UnauthorizedError, 403: ForbiddenError, 404: NotFoundError,
  406: AuthKeyError, 420: FloodError, 500: ServerError, '-503': TimedOutError,
};

// The classes named by the error list, and the list by error name.
const classes = { ...BASES };
const byName = new Map();
for (const [name, codes, className, baseName, description] of RPC_ERRORS) {
  let cls = classes[className];
  if (!cls) {
    const Base = classes[baseName];
    // A named class: `class ChatAdminRequiredError extends BadRequestError {}`.
    cls = { [className]: class extends Base {} }[className];
    classes[className] = cls;
  }
  byName.set(name, { cls, codes, description });
}

/** The class for Telegram's error `name` ("FLOOD_WAIT_X" or "FLOOD_WAIT_42") and `code`. */
function rpcErrorClass(name, code) {
  let known = byName.get(name);
  if (!known && typeof name === 'string') known = byName.get(name.replace(/(^|_)\d+(_|$)/, '$1X$2'));
  if (known) return known.cls;
  return BY_CODE[code] || RPCError;
}

function errorFromMap(map, status) {
  const m = { ...map };
  if (m.status === undefined) m.status = status;
  if (m.code !== undefined) m.code = Number(m.code);
  if (m.status === STATUS_FLOOD_WAIT && !(typeof m.name === 'string' && byName.has(m.name))) {
    return new FloodWaitError(m);
  }
  // code differs from status exactly for errors Telegram returned.
  if (m.status === STATUS_RPC || m.status === STATUS_FLOOD_WAIT || (m.code !== undefined && m.code !== m.status)) {
    const Cls = rpcErrorClass(m.name, m.code);
    return new Cls(m);
  }
  return new PolygramError(m);
}

/** Describes a known RPC error: {name, codes, description, class}, or undefined. */
function rpcErrorInfo(name) {
  const k = byName.get(name) || byName.get(String(name).replace(/(^|_)\d+(_|$)/, '$1X$2'));
  return k && { name, codes: k.codes, description: k.description, class: k.cls };
}

module.exports = {
  ...classes, PolygramError, LibraryNotFoundError, errorFromMap, rpcErrorClass, rpcErrorInfo,
  RPC_ERROR_CLASSES: classes,
};
