'use strict';
// Error classes. Every library error map is {status, code, name, message,
// seconds?, dc?, method?}; see docs/capi.md.

class PolygramError extends Error {
  constructor(map = {}) {
    super(map.message || map.name || 'polygram error');
    this.status = map.status ?? 19;
    this.code = map.code ?? this.status;
    this.name = map.name || 'FAILED';
    if (map.method !== undefined) this.method = map.method;
    if (map.dc !== undefined) this.dc = Number(map.dc);
  }
}

// RPCError: Telegram answered with an error. `name` is Telegram's name with
// the number replaced by X ("FLOOD_WAIT_X"), `code` Telegram's code.
class RPCError extends PolygramError {}

// FloodWaitError: Telegram asked to wait `seconds` (longer than
// flood_sleep_threshold).
class FloodWaitError extends RPCError {
  constructor(map = {}) {
    super(map);
    this.seconds = Number(map.seconds ?? 0);
  }
}

class LibraryNotFoundError extends Error {
  constructor(message, tried) {
    super(message);
    this.name = 'LibraryNotFoundError';
    this.tried = tried;
  }
}

const STATUS_RPC = 9;
const STATUS_FLOOD_WAIT = 10;

function errorFromMap(map, status) {
  const m = { ...map };
  if (m.status === undefined) m.status = status;
  if (m.code !== undefined) m.code = Number(m.code);
  if (m.status === STATUS_FLOOD_WAIT || (typeof m.name === 'string' && m.name.startsWith('FLOOD_WAIT'))) {
    return new FloodWaitError(m);
  }
  // code differs from status exactly for errors Telegram returned.
  if (m.status === STATUS_RPC || (m.code !== undefined && m.code !== m.status)) return new RPCError(m);
  return new PolygramError(m);
}

module.exports = { PolygramError, RPCError, FloodWaitError, LibraryNotFoundError, errorFromMap };
