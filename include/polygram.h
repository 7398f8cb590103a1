/*
 * polygram.h — the C API of Polygram, a Telegram client library with a Go
 * MTProto core.
 *
 * STATUS: preview (POLYGRAM_ABI_VERSION 0). This first part of the API covers
 * the library's identity and the TL <-> msgpack bridge; clients, requests and
 * events are added by the C API issue and will bump the ABI version to 1.
 *
 * Conventions (they hold for every function of this header):
 *  - Every buffer the library returns is owned by the caller and must be
 *    released with polygram_free(). Buffers passed in are only read during the
 *    call and may be reused afterwards.
 *  - Functions that can fail return a polygram_status. On failure, when an
 *    `err` out-parameter is given, it receives a msgpack map
 *    {"code": int, "name": str, "message": str} describing the failure.
 *  - Nothing the caller passes can crash the process: invalid input yields
 *    POLYGRAM_ERR_INVALID_ARGUMENT or POLYGRAM_ERR_DECODE, and an internal
 *    fault is reported as POLYGRAM_ERR_INTERNAL.
 *  - Every function may be called from any thread, concurrently.
 *
 * The header compiles as C89, C11 and C++.
 */
#ifndef POLYGRAM_H
#define POLYGRAM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. Compare with polygram_abi_version()
 * at run time to detect a mismatched shared library. */
#define POLYGRAM_ABI_VERSION 0

/* Status codes returned by fallible functions. */
typedef enum polygram_status {
    POLYGRAM_OK = 0,
    /* A required pointer was NULL or a length was out of range. */
    POLYGRAM_ERR_INVALID_ARGUMENT = 1,
    /* Input bytes (TL or msgpack) are malformed or do not match the schema. */
    POLYGRAM_ERR_DECODE = 2,
    /* The library met an internal fault; the call had no effect. */
    POLYGRAM_ERR_INTERNAL = 3
} polygram_status;

/* Returns the library version as a static NUL-terminated string ("0.1.0").
 * The string must not be freed. */
const char *polygram_version(void);

/* Returns the ABI version of the loaded library (POLYGRAM_ABI_VERSION of the
 * header it was built with). */
int polygram_abi_version(void);

/* Returns the Telegram API layer the library speaks (for example 229). */
int polygram_layer(void);

/* Releases a buffer returned by the library. NULL is ignored. */
void polygram_free(void *ptr);

/* Returns the TL schema the library was generated from, as text (one
 * combinator per line), in *out (of *out_len bytes, not NUL-terminated).
 * Bindings use it to generate typed wrappers. Free *out with polygram_free. */
polygram_status polygram_schema(unsigned char **out, size_t *out_len);

/* Converts one boxed TL object (constructor or function call) to its msgpack
 * form: a map whose "_" key is the schema name and whose other keys are the
 * schema's field names. On success *out holds the msgpack bytes; on failure
 * *err (if err is not NULL) holds an error map. Free both with polygram_free. */
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

#ifdef __cplusplus
}
#endif

#endif /* POLYGRAM_H */
