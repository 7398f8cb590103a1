// The error classes every other one derives from (hand-written; the classes
// per error name are generated into errors.d.ts).

export interface ErrorMap { status?: number; code?: number; name?: string; message?: string; seconds?: number; dc?: number; method?: string }

/** Any failure the library reports. */
export declare class PolygramError extends Error {
  constructor(map?: ErrorMap);
  /** A polygram_status (see Status). */
  status: number;
  /** Telegram's error code for Telegram's errors (400, 420, ...), else the status. */
  code: number;
  /** Telegram's error name ("CHAT_ADMIN_REQUIRED", "FLOOD_WAIT_X") or the status name ("CLOSED"). */
  errorMessage: string;
  /** The class name ("ChatAdminRequiredError", "FloodWaitError", "PolygramError"). */
  readonly name: string;
  /** The TL function that failed (Telegram's errors). */
  method?: string;
  /** The data centre an error names (*_MIGRATE_X). */
  dc?: number;
  /** The number an error carries in seconds (FLOOD_WAIT_X, SLOWMODE_WAIT_X, ...). */
  seconds?: number;
}
/** Telegram answered with an error. */
export declare class RPCError extends PolygramError {}
/** 303: the request must be repeated on another data centre. */
export declare class InvalidDCError extends RPCError {}
/** 400 */
export declare class BadRequestError extends RPCError {}
/** 401 */
export declare class UnauthorizedError extends RPCError {}
/** 403 */
export declare class ForbiddenError extends RPCError {}
/** 404 */
export declare class NotFoundError extends RPCError {}
/** 406 */
export declare class AuthKeyError extends RPCError {}
/** 420 */
export declare class FloodError extends RPCError {}
/** 500 */
export declare class ServerError extends RPCError {}
/** -503 */
export declare class TimedOutError extends RPCError {}
/** FLOOD_WAIT_X: Telegram asked to wait `seconds`, longer than floodSleepThreshold. */
export declare class FloodWaitError extends FloodError { seconds: number }
