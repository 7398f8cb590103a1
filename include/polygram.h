/*
 * polygram.h -- the C API of Polygram, a Telegram client library with a Go
 * MTProto core. ABI version 1.
 *
 * The whole API in five minutes
 * -----------------------------
 *   polygram_client_new(config)          -> a client handle
 *   polygram_send(client, enc, request)  -> a request id, at once
 *   ... the result (or a typed error) arrives later as an event with that id,
 *       together with updates, auth-state, connection-state and log events,
 *       through the callback given to polygram_client_new or through
 *       polygram_receive(client, timeout).
 *   polygram_invoke(client, enc, request, timeout) -> the result, blocking.
 *   polygram_client_close(client)
 * Everything else is data, in msgpack: the configuration, friendly calls
 * ({"method": "send_message", "args": {...}}), TL objects, results, events,
 * errors. The emulator (a Telegram DC on loopback, for tests) is driven the
 * same way through polygram_emulator_*.
 *
 * Conventions (they hold for every function of this header)
 * ----------------------------------------------------------
 *  Ownership.  Every buffer the library returns (through an `out`, `err` or
 *    polygram_event.data pointer filled by polygram_receive) belongs to the
 *    caller and is released with polygram_free(). Buffers passed in are only
 *    read during the call and may be reused at once. The one exception is the
 *    event given to a callback: it is lent for the duration of the call (copy
 *    what you keep; do not free it).
 *  Handles.  Clients and emulators are named by integer handles
 *    (polygram_handle), never by pointers. 0 is never a valid handle and
 *    handles are never reused within a process, so a stale handle is always
 *    detected (POLYGRAM_ERR_BAD_HANDLE, or POLYGRAM_ERR_CLOSED for a closed
 *    client).
 *  Errors.  Fallible functions return a polygram_status. Those that take
 *    input bytes also take `err`/`err_len`: on failure, when err is not NULL,
 *    *err receives a msgpack error map (see "Error maps" below). The others
 *    fail only for reasons the status says entirely (bad handle, closed).
 *    Nothing a caller passes can crash the process: malformed msgpack or TL,
 *    unknown methods, wrong argument types, NULL pointers and stale handles
 *    are reported as errors, and a fault inside the library is caught at the
 *    boundary and reported as POLYGRAM_ERR_INTERNAL.
 *  Threads.  Every function may be called from any thread, concurrently,
 *    including from inside an event callback (see polygram_callback).
 *  Memory.  The library holds a bounded amount per client: see "Events and
 *    backpressure".
 *
 * msgpack shapes
 * --------------
 *  TL object: a map whose "_" key is the schema name ("messages.sendMessage",
 *    "message") and whose other keys are the schema's field names; long ->
 *    int, int128/int256/bytes -> bin, string -> str, Bool and true flags ->
 *    bool, vectors -> arrays; absent optional fields are omitted.
 *  Friendly call: {"method": "send_message", "args": {"peer": "@alice",
 *    "text": "hi"}}. Peers are given as a marked id (int: user id, -chat id,
 *    -100...channel id), a string ("me", "@username", "username",
 *    "t.me/username", "+phone" of a contact, or a marked id as text), or the
 *    peer map resolve_peer returns. Methods and their arguments are listed in
 *    docs/capi.md; polygram_send rejects an unknown method
 *    (POLYGRAM_ERR_UNKNOWN_METHOD), an unknown argument or an argument of the
 *    wrong type (POLYGRAM_ERR_INVALID_ARGUMENT) before sending anything.
 *  Error map: {"status": int (a polygram_status), "code": int, "name": str,
 *    "message": str} plus, where the error carries a number, "seconds"
 *    (FLOOD_WAIT_X, SLOWMODE_WAIT_X, ...) or "dc" (*_MIGRATE_X), and for
 *    Telegram errors "method" (the TL function that failed). "code" is
 *    Telegram's error code (400, 401, 420, 500, ...) for errors Telegram
 *    returned, else equal to "status". "name" is Telegram's error name with
 *    the number replaced by X ("FLOOD_WAIT_X"), or the library's name for the
 *    status ("CLOSED", "DECODE", ...).
 *
 * Compatibility
 * -------------
 *  Within one ABI version the library only grows: new functions, new event
 *  types, new keys in maps, new friendly methods and emulator commands. A
 *  program therefore ignores event types and map keys it does not know
 *  (they are never needed to use what it knows), and a program built
 *  against a newer header that must also run with an older library of the
 *  same ABI looks newer functions up before calling them. Nothing is
 *  removed or changes meaning without a new POLYGRAM_ABI_VERSION.
 *
 * This header compiles as C89, C99, C11 and C++ (-Wall -Wextra -pedantic).
 */
#ifndef POLYGRAM_H
#define POLYGRAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. Compare with polygram_abi_version()
 * at run time to detect a mismatched shared library. It changes whenever a
 * function, type or constant of this header changes incompatibly. */
#define POLYGRAM_ABI_VERSION 1

/* A client or emulator handle. 0 is never valid. */
typedef uint64_t polygram_handle;

/* Status codes. Every error map carries the same value in "status". */
typedef enum polygram_status {
    POLYGRAM_OK = 0,
    /* A required pointer was NULL, a length or value was out of range, a
     * friendly call named an unknown argument or gave one of the wrong type,
     * or a configuration key is unknown or of the wrong type. */
    POLYGRAM_ERR_INVALID_ARGUMENT = 1,
    /* Input bytes (TL or msgpack) are malformed or do not match the schema. */
    POLYGRAM_ERR_DECODE = 2,
    /* A fault inside the library (a bug); the call had no effect. */
    POLYGRAM_ERR_INTERNAL = 3,
    /* The handle is 0, was never issued, or names an object of another kind
     * (an emulator given where a client is expected, or the reverse). */
    POLYGRAM_ERR_BAD_HANDLE = 4,
    /* The client (or emulator) was closed; requests pending at close end
     * with this error. */
    POLYGRAM_ERR_CLOSED = 5,
    /* A friendly call or emulator command names no known method, or a TL
     * request's constructor is not a function of the schema. */
    POLYGRAM_ERR_UNKNOWN_METHOD = 6,
    /* polygram_invoke or polygram_receive ran out of time. */
    POLYGRAM_ERR_TIMEOUT = 7,
    /* The request was cancelled with polygram_cancel. */
    POLYGRAM_ERR_CANCELLED = 8,
    /* Telegram answered with an error (the map has code, name, message and
     * seconds or dc where the error carries a number). */
    POLYGRAM_ERR_RPC = 9,
    /* Telegram asked to wait longer than flood_sleep_threshold; "seconds"
     * says how long. */
    POLYGRAM_ERR_FLOOD_WAIT = 10,
    /* The session is not logged in, or was logged out elsewhere. */
    POLYGRAM_ERR_UNAUTHORIZED = 11,
    /* The account has a 2FA password: call check_password. */
    POLYGRAM_ERR_PASSWORD_NEEDED = 12,
    /* The phone number has no account: call sign_up. */
    POLYGRAM_ERR_SIGN_UP_REQUIRED = 13,
    /* A peer could not be resolved; the message says how to meet it. */
    POLYGRAM_ERR_PEER_NOT_FOUND = 14,
    /* The network failed (no connection to the data centre). */
    POLYGRAM_ERR_NETWORK = 15,
    /* polygram_cancel: no pending request has this id (it may have just
     * completed: its event is on its way). */
    POLYGRAM_ERR_NOT_FOUND = 16,
    /* polygram_receive on a client created with a callback. */
    POLYGRAM_ERR_WRONG_MODE = 17,
    /* The session store failed: a file in use by another process, not a
     * session file, a bad session string. */
    POLYGRAM_ERR_SESSION = 18,
    /* Any other failure; the message says what happened. */
    POLYGRAM_ERR_FAILED = 19
} polygram_status;

/* How a request is encoded (polygram_send, polygram_invoke). */
typedef enum polygram_encoding {
    /* A boxed TL function call, as sent on the wire. The result comes back
     * as the TL bytes of the function's result type. */
    POLYGRAM_ENCODING_TL = 1,
    /* A TL function call as a msgpack map ({"_": "help.getConfig"}). The
     * result comes back as msgpack. */
    POLYGRAM_ENCODING_MSGPACK = 2,
    /* A friendly call: {"method": "send_message", "args": {...}}. The
     * result comes back as a msgpack map (docs/capi.md lists each). */
    POLYGRAM_ENCODING_CALL = 3
} polygram_encoding;

/* The kinds of event (polygram_event.type). The data of every event but a
 * RESULT of a TL request is a msgpack map; for UPDATE, AUTH_STATE,
 * CONNECTION_STATE, LOG and DROPPED it has a "type" key:
 *  UPDATE: {"type": "new_message", "chat_id": int, "sender_id": int,
 *           "out": bool, "message": <TL message map>, "users": [...],
 *           "chats": [...]}; "message_edited" (same keys but out);
 *           "message_deleted" {"ids": [int], "channel_id": int};
 *           "raw" {"update": <TL update map>, "users", "chats"} for every
 *           update without a dedicated event; "message_read",
 *           "chat_action", "user_update", "album", "callback_query" and
 *           "inline_query" (their keys are listed in docs/capi.md); and,
 *           when the configuration
 *           sets raw_updates, "raw_updates" {"dc": int, "updates": <TL
 *           Updates map>} for every updates object the server pushes, before
 *           gap recovery.
 *  AUTH_STATE: {"type": "auth_state", "state": "wait_phone" | "wait_code" |
 *           "wait_password" | "wait_registration" | "wait_qr" | "ready"}
 *           (wait_qr also has "url" and "expires" (unix time)).
 *  CONNECTION_STATE: {"type": "connection_state", "state": "connecting" |
 *           "connected" | "disconnected" | "closed"}; "closed" is the last
 *           event a client ever delivers.
 *  LOG: {"type": "log", "level": "debug" | "info" | "warn" | "error",
 *           "message": str, "time": int (unix ms), "attrs": {str: str}}.
 *  DROPPED: {"type": "dropped", "count": int, "total": int}: count update
 *           and log events were dropped since the previous DROPPED event
 *           because the consumer was slow (total: since the client began).
 *  PROGRESS: {"type": "progress", "done": int, "total": int}, with the
 *           request_id of a file call sent with "progress": true.
 * A program ignores event types it does not know (see "Compatibility"). */
typedef enum polygram_event_type {
    /* A request succeeded: data is its result (TL bytes for a TL request,
     * msgpack otherwise). */
    POLYGRAM_EVENT_RESULT = 1,
    /* A request failed: status is the error, data the error map. */
    POLYGRAM_EVENT_ERROR = 2,
    POLYGRAM_EVENT_UPDATE = 3,
    POLYGRAM_EVENT_AUTH_STATE = 4,
    POLYGRAM_EVENT_CONNECTION_STATE = 5,
    POLYGRAM_EVENT_LOG = 6,
    POLYGRAM_EVENT_DROPPED = 7,
    /* Progress of a file transfer asked for with "progress": true (a later
     * addition to ABI 1: see "Compatibility"): request_id is the request,
     * data {"type": "progress", "done": int, "total": int}; done never
     * decreases, total is -1 while unknown, and the last PROGRESS event of
     * a request, just before its RESULT, has done == total. */
    POLYGRAM_EVENT_PROGRESS = 8
} polygram_event_type;

/* Log levels (polygram_set_log_level, and "log_level" in the config as
 * "debug", "info", "warn", "error" or "off"). */
typedef enum polygram_log_level {
    POLYGRAM_LOG_DEBUG = 0,
    POLYGRAM_LOG_INFO = 1,
    POLYGRAM_LOG_WARN = 2,
    POLYGRAM_LOG_ERROR = 3,
    POLYGRAM_LOG_OFF = 4
} polygram_log_level;

/* One event. Enumerations are stored as int so the layout is the same for
 * every compiler. */
typedef struct polygram_event {
    int type;             /* a polygram_event_type */
    int status;           /* POLYGRAM_OK, or the error of an ERROR event */
    uint64_t request_id;  /* RESULT and ERROR: the request; 0 otherwise */
    int encoding;         /* POLYGRAM_ENCODING_TL for the result of a TL
                             request, POLYGRAM_ENCODING_MSGPACK otherwise */
    unsigned char *data;  /* the payload (never NULL for a delivered event) */
    size_t data_len;
} polygram_event;

/* An event callback. It is called on a library thread, one event at a time
 * per client, in order, never concurrently for one client. The event and its
 * data are lent for the duration of the call: copy what you keep.
 *
 * Reentrancy: the callback may call any function of this header, including
 * polygram_send, the blocking polygram_invoke and polygram_client_close for
 * its own client, without deadlock. It must not block waiting for another
 * thread that is itself waiting in polygram_client_close of the same
 * client.
 *
 * A result may be delivered before polygram_send has returned its id to the
 * thread that sent it: a binding that maps ids to futures registers the id
 * under a lock that it holds across polygram_send and that the callback also
 * takes.
 *
 * Blocking in the callback slows only this client's events: see
 * backpressure at polygram_receive. */
typedef void (*polygram_callback)(void *user_data, polygram_handle client, const polygram_event *event);

/* The library's own build defines POLYGRAM_BUILDING_LIBRARY: cgo declares
 * the exported functions itself (without const), so the prototypes below are
 * for users only. Never define it in a program. */
#ifndef POLYGRAM_BUILDING_LIBRARY

/* ------------------------------------------------------------------------ */
/* Identity and utilities                                                    */

/* Returns the library version as a static NUL-terminated string ("0.1.0").
 * The string must not be freed. */
const char *polygram_version(void);

/* Returns the ABI version of the loaded library (POLYGRAM_ABI_VERSION of the
 * header it was built with). */
int polygram_abi_version(void);

/* Returns the Telegram API layer the library speaks (for example 229). */
int polygram_layer(void);

/* Returns the name of a status as a static string ("OK", "CLOSED",
 * "FLOOD_WAIT", ...; "UNKNOWN" for a value not in polygram_status). */
const char *polygram_status_name(polygram_status status);

/* Releases a buffer returned by the library. NULL is ignored. */
void polygram_free(void *ptr);

/* Returns the TL schema the library was generated from, as text (one
 * combinator per line), in *out (of *out_len bytes, not NUL-terminated).
 * Free *out with polygram_free. */
polygram_status polygram_schema(unsigned char **out, size_t *out_len);

/* Returns the schema as msgpack, for bindings that generate typed helpers:
 *   {"layer": int,
 *    "constructors": [{"name", "id" (int, the unsigned 32-bit id), "type",
 *                      "params": [param...]}],
 *    "functions":    [{"name", "id", "result" (type text), "params"}],
 *    "types": {"InputPeer": ["inputPeerEmpty", ...], ...}}
 * where a param is {"name", "type" (as written: "int", "Vector<InputUser>",
 * "%Message", "!X"), and for a conditional field "flag_field" ("flags") and
 * "flag_bit" (int), for a flags word "is_flags": true}.
 * Free *out with polygram_free. */
polygram_status polygram_schema_msgpack(unsigned char **out, size_t *out_len);

/* Returns Telegram's known RPC errors (the library's copy of the error list,
 * schema/errors.csv) as msgpack, for bindings that generate exception
 * classes from the library they load: an array, sorted by name, of
 *   {"name": "FLOOD_WAIT_X" (X stands for the number the error carries),
 *    "code": int (the first of codes), "codes": [int] (400, 420, ...),
 *    "description": str (may be empty; "{seconds}" and the like mark where
 *    the number goes)}.
 * An error map's "name" (see "Error maps") matches one of these names when
 * the error is known. Free *out with polygram_free. A later addition to ABI
 * 1 (see "Compatibility"): look the symbol up (dlsym) to support older
 * libraries. */
polygram_status polygram_errors(unsigned char **out, size_t *out_len);

/* Converts one boxed TL object (constructor or function call) to its msgpack
 * form. On success *out holds the msgpack bytes; on failure *err (if err is
 * not NULL) holds an error map. Free both with polygram_free. */
polygram_status polygram_tl_to_msgpack(const unsigned char *tl, size_t tl_len,
                                       unsigned char **out, size_t *out_len,
                                       unsigned char **err, size_t *err_len);

/* Converts a msgpack object (as produced by polygram_tl_to_msgpack, or built
 * by the caller) to boxed TL bytes. Flags words are computed from the fields
 * present. Errors name the offending field, e.g.
 * "messages.sendMessage.peer: missing required field". */
polygram_status polygram_msgpack_to_tl(const unsigned char *msgpack, size_t msgpack_len,
                                       unsigned char **out, size_t *out_len,
                                       unsigned char **err, size_t *err_len);

/* Returns process-wide figures as a msgpack map, for leak checks and
 * benchmarks: {"go_heap_alloc", "go_heap_sys", "go_total_sys" (bytes),
 * "goroutines", "clients", "emulators", "pending_requests",
 * "queued_events"}. With collect != 0 a garbage collection runs first and
 * the memory it frees is returned to the operating system (a few
 * milliseconds), so RSS measured next is comparable. Free *out with
 * polygram_free. */
polygram_status polygram_stats(int collect, unsigned char **out, size_t *out_len);

/* ------------------------------------------------------------------------ */
/* Clients                                                                   */

/* Creates a client from a msgpack configuration map:
 *   api_id (int, required), api_hash (str, required),
 *   device_model, system_version, app_version, system_lang_code, lang_pack,
 *     lang_code (str),
 *   dcs ([{"id": int, "addr": "host:port"}]: bootstrap addresses;
 *     production by default), default_dc (int), test_servers (bool),
 *   public_keys ([str]: RSA keys as PEM; Telegram's by default),
 *   transport ("abridged" | "intermediate" | "padded_intermediate" |
 *     "full"), obfuscated (bool), proxy ("socks5://..." | "http://..."),
 *     mtproxy ("host:port") with secret (str), prefer_ipv6 (bool),
 *   session (":memory:" (the default) | a file path (SQLite, created if
 *     missing) | {"string": "..."} (a Polygram string session) |
 *     {"telethon_string": "..."} | {"pyrogram_string": "..."}),
 *   flood_sleep_threshold (seconds; FLOOD_WAITs up to it are slept through;
 *     negative: never sleep), retry_limit (int), dial_timeout and
 *     ping_interval (seconds),
 *   log_level ("debug" | "info" | "warn" (default) | "error" | "off"),
 *   event_queue_size (int, default 10000: see backpressure),
 *   raw_updates (bool: also deliver every pushed updates object).
 * Unknown keys are an error (they are usually typos).
 *
 * callback: NULL to receive events with polygram_receive, else the function
 * every event of this client is delivered to (with user_data); the choice
 * is fixed for the client's life. Nothing is sent to Telegram until the
 * first request. On success *client holds the new handle; on failure *err
 * (if not NULL) an error map. */
polygram_status polygram_client_new(const unsigned char *config, size_t config_len,
                                    polygram_callback callback, void *user_data,
                                    polygram_handle *client,
                                    unsigned char **err, size_t *err_len);

/* Closes a client: requests still pending end at once with a
 * POLYGRAM_ERR_CLOSED error event, connections are closed, the session is
 * flushed and its file (if any) closed, and a CONNECTION_STATE "closed"
 * event is queued last. Idempotent: closing a closed client returns
 * POLYGRAM_OK.
 *
 * With a callback: called from outside the callback, it returns once every
 * remaining event has been delivered and the callback will never be called
 * again (user_data may then be released). Called from inside the client's
 * own callback, it returns at once; the remaining events follow on the same
 * library thread after the callback returns.
 * With polygram_receive: the remaining events (ending with "closed") stay
 * available to polygram_receive, which then returns POLYGRAM_ERR_CLOSED. */
polygram_status polygram_client_close(polygram_handle client);

/* Sets the lowest level of LOG events the client delivers (a
 * polygram_log_level; POLYGRAM_LOG_OFF delivers none). Another value is
 * POLYGRAM_ERR_INVALID_ARGUMENT. */
polygram_status polygram_set_log_level(polygram_handle client, int level);

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */

/* Sends a request (encoded as `encoding` says) and returns at once, with its
 * id (never 0, unique in the process) in *request_id. The request is checked
 * before anything is sent: malformed bytes, an unknown function or method,
 * or bad arguments fail here with an error map in *err. Otherwise exactly
 * one event follows for the request: POLYGRAM_EVENT_RESULT or
 * POLYGRAM_EVENT_ERROR, with this id -- possibly before polygram_send
 * returns (see polygram_callback).
 *
 * Raw TL and msgpack requests go through the same invoke policy as friendly
 * calls: flood waits under the threshold are slept through, migrations and
 * retries are handled, and every user and chat in the result is cached for
 * later friendly calls. The friendly method "ping_local" answers its own
 * arguments without touching the network (to measure the boundary). */
polygram_status polygram_send(polygram_handle client, polygram_encoding encoding,
                              const unsigned char *request, size_t request_len,
                              uint64_t *request_id,
                              unsigned char **err, size_t *err_len);

/* Cancels a pending request: its ERROR event (POLYGRAM_ERR_CANCELLED) is
 * queued at once, and a result arriving later is discarded. Returns
 * POLYGRAM_ERR_NOT_FOUND when the request is not pending (already
 * completed, or never existed). */
polygram_status polygram_cancel(polygram_handle client, uint64_t request_id);

/* Sends a request and waits for its result, for simple programs: on
 * POLYGRAM_OK *out holds the result (encoded as for polygram_send), on
 * failure *err the error map. timeout_seconds <= 0 waits without limit; on
 * timeout the request is cancelled and POLYGRAM_ERR_TIMEOUT returned. No
 * event is queued for a blocking call (so a file call asking for
 * "progress" is POLYGRAM_ERR_INVALID_ARGUMENT here: use polygram_send). It
 * may be called from inside a callback. */
polygram_status polygram_invoke(polygram_handle client, polygram_encoding encoding,
                                const unsigned char *request, size_t request_len,
                                double timeout_seconds,
                                unsigned char **out, size_t *out_len,
                                unsigned char **err, size_t *err_len);

/* ------------------------------------------------------------------------ */
/* Events and backpressure                                                   */

/* Waits up to timeout_seconds (0: do not wait; negative: without limit) for
 * the client's next event and stores it in *event; free event->data with
 * polygram_free. *event is cleared first, so with any other status
 * event->data is NULL. Returns POLYGRAM_ERR_TIMEOUT when none came,
 * POLYGRAM_ERR_CLOSED once a closed client has no event left, and
 * POLYGRAM_ERR_WRONG_MODE for a client created with a callback. Several
 * threads may receive from one client; each event goes to one of them.
 *
 * Backpressure (both modes): events wait in a queue per client. RESULT,
 * ERROR, AUTH_STATE and CONNECTION_STATE events are never dropped (their
 * number is bounded by the requests the program makes). UPDATE and LOG
 * events are bounded by event_queue_size: when a new one finds the bound
 * reached, the oldest queued UPDATE or LOG is dropped, and a DROPPED event
 * (with the count) is delivered next. A slow consumer therefore never makes
 * the library grow without bound; it loses the oldest updates, which
 * get_history or a raw updates.getDifference can recover. */
polygram_status polygram_receive(polygram_handle client, double timeout_seconds,
                                 polygram_event *event);

/* Gives a file descriptor for event loops (POSIX systems), so a program
 * that already waits on descriptors (epoll, kqueue, poll, libuv's uv_poll,
 * GLib, asyncio's add_reader) need not park a thread in polygram_receive.
 * The descriptor is readable while polygram_receive with a timeout of 0
 * has something to return: an event, or POLYGRAM_ERR_CLOSED once the
 * client is closed and drained. When it is readable, call polygram_receive
 * with timeout 0 until it returns POLYGRAM_ERR_TIMEOUT (the descriptor is
 * then quiet until the next event) or POLYGRAM_ERR_CLOSED (stop watching).
 * It need not be read (the library resets it); a loop that can only watch
 * by reading (Node's streams) may read it, as long as every wake-up drains
 * the queue until POLYGRAM_ERR_TIMEOUT. Each call returns a new
 * descriptor in *fd, owned by the caller, who closes it with close(2);
 * after the client is drained it stays readable (end of file). Clients
 * created with a callback get POLYGRAM_ERR_WRONG_MODE; platforms without
 * pipes (Windows) get POLYGRAM_ERR_FAILED. *fd is -1 on any error. */
polygram_status polygram_event_fd(polygram_handle client, int *fd);

/* ------------------------------------------------------------------------ */
/* Emulator: a Telegram data centre on loopback, for tests                   */

/* Starts an emulator (three DCs on 127.0.0.1 by default). config may be
 * NULL/0 or a msgpack map {"dcs": int (1-9), "snapshot": "path" (model
 * loaded at start if present, saved at stop)}. *emulator receives its
 * handle. The emulator's RSA key is public and fixed: for tests only. */
polygram_status polygram_emulator_start(const unsigned char *config, size_t config_len,
                                        polygram_handle *emulator,
                                        unsigned char **err, size_t *err_len);

/* Stops an emulator: every connection to it is closed. Idempotent. */
polygram_status polygram_emulator_stop(polygram_handle emulator);

/* Runs one emulator command, a msgpack map {"method": "...", "args": {...}}
 * (args may be omitted), and returns its answer as a msgpack map in *out:
 *   info                          -> {"dcs": [{"id","host","port","addr"}],
 *                                     "public_key_pem", "fingerprint"}
 *   client_config {any config keys to add}
 *                                 -> a config map for polygram_client_new
 *                                    (api_id, api_hash, dcs, public_keys)
 *   create_user {phone, first_name, last_name, username} -> user
 *   create_bot {username, first_name} -> {"user": user, "token": str}
 *   bot_token {bot_id}            -> {"token"}
 *   lookup_user {id}              -> user, or nil
 *   login_code {phone}            -> {"code"}
 *   set_password {user_id, password, hint}
 *   add_contact {owner, contact}
 *   send_message {from, peer, text} -> {"id"}
 *   history {viewer, peer}        -> {"messages": [{"id", "from_id",
 *                                     "peer_id", "out", "text", "date", ...}]}
 *   create_chat {creator, title, members} -> {"peer"}
 *   create_channel {creator, title, username, megagroup, members} -> {"peer"}
 *   update_state {user_id}        -> {"pts", "qts", "seq"}
 *   send_album {from, peer, captions: [str] (2-10, a photo each)} -> {"ids"}
 *   promote {chat, user_id, rights (chatAdminRights fields as a map, e.g.
 *     {"pin_messages": true}; absent: every right; {}: demote)}
 *   ban {chat, user_id, rights (chatBannedRights fields; absent: kick for
 *     good; {}: lift every restriction)}
 *   invite_link {chat}            -> {"link"}
 *   auth_key {dc, key (bin, 256 bytes), user_id (optional: also log the
 *     key in as that user)}
 *   faults: drop_connections, rotate_salt, expire_file_references,
 *     skew_clock {seconds}, hold_updates {user_id, hold},
 *     lose_updates {user_id, n}, fail_next {method, n, error},
 *     slow_dc {dc, delay_ms}, force_difference_too_long {user_id},
 *     force_channel_difference_too_long {user_id, channel}
 * where a user is {"id","phone","first_name","last_name","username","bot",
 * "dc"}. Commands without an answer return {}. Phones 99966XYYYY live on
 * DC X and their login code is X repeated five times. */
polygram_status polygram_emulator_call(polygram_handle emulator,
                                       const unsigned char *command, size_t command_len,
                                       unsigned char **out, size_t *out_len,
                                       unsigned char **err, size_t *err_len);

#endif /* POLYGRAM_BUILDING_LIBRARY */

#ifdef __cplusplus
}
#endif

#endif /* POLYGRAM_H */
