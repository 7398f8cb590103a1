/* Tests of the TL <-> msgpack bridge and the library's identity, through the
 * shared library as a C program uses it (run by test_capi.c). */
#include "polygram.h"
#include "check.h"

#include <string.h>

/* inputPeerUser#dde8a54c user_id:long=777000 access_hash:long=-4242 */
static const unsigned char input_peer_user[] = {
    0x4c, 0xa5, 0xe8, 0xdd, 0x28, 0xdb, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x6e, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static int contains(const unsigned char *buf, size_t len, const char *needle) {
    size_t n = strlen(needle), i;
    for (i = 0; i + n <= len; i++) {
        if (memcmp(buf + i, needle, n) == 0) return 1;
    }
    return 0;
}

void test_bridge(void) {
    unsigned char *mp = NULL, *tl = NULL, *err = NULL, *schema = NULL;
    size_t mp_len = 0, tl_len = 0, err_len = 0, schema_len = 0;
    polygram_status st;

    CHECK(strcmp(polygram_version(), "") != 0, "version is not empty");
    CHECK(polygram_abi_version() == POLYGRAM_ABI_VERSION, "ABI version matches the header");
    CHECK(polygram_layer() == 229, "layer is 229");

    st = polygram_schema(&schema, &schema_len);
    CHECK(st == POLYGRAM_OK && contains(schema, schema_len, "messages.sendMessage#"), "schema text exported");
    polygram_free(schema);

    st = polygram_tl_to_msgpack(input_peer_user, sizeof input_peer_user, &mp, &mp_len, &err, &err_len);
    CHECK(st == POLYGRAM_OK, "TL to msgpack succeeds");
    CHECK(contains(mp, mp_len, "inputPeerUser") && contains(mp, mp_len, "access_hash"), "msgpack names constructor and fields");

    st = polygram_msgpack_to_tl(mp, mp_len, &tl, &tl_len, &err, &err_len);
    CHECK(st == POLYGRAM_OK, "msgpack to TL succeeds");
    CHECK(tl_len == sizeof input_peer_user && memcmp(tl, input_peer_user, tl_len) == 0, "round trip gives the same TL bytes");
    polygram_free(tl);

    /* Drop the last field: the error must name the missing field. */
    mp[0] = (unsigned char)(mp[0]);
    {
        /* {"_": "inputPeerUser", "user_id": 1} */
        static const unsigned char partial[] = {
            0x82, 0xa1, '_', 0xad, 'i', 'n', 'p', 'u', 't', 'P', 'e', 'e', 'r', 'U', 's', 'e', 'r',
            0xa7, 'u', 's', 'e', 'r', '_', 'i', 'd', 0x01};
        st = polygram_msgpack_to_tl(partial, sizeof partial, &tl, &tl_len, &err, &err_len);
        CHECK(st == POLYGRAM_ERR_DECODE, "missing field is a decode error");
        CHECK(err != NULL && contains(err, err_len, "access_hash") && contains(err, err_len, "message"), "error map names the field");
        polygram_free(err);
        err = NULL;
    }
    polygram_free(mp);

    /* Truncated TL. */
    st = polygram_tl_to_msgpack(input_peer_user, 10, &mp, &mp_len, &err, &err_len);
    CHECK(st == POLYGRAM_ERR_DECODE && err != NULL && contains(err, err_len, "DECODE"), "truncated TL is rejected");
    polygram_free(err);
    err = NULL;

    /* NULL pointers never crash. */
    st = polygram_tl_to_msgpack(NULL, 20, &mp, &mp_len, &err, &err_len);
    CHECK(st == POLYGRAM_ERR_INVALID_ARGUMENT, "NULL input with a length is rejected");
    polygram_free(err);
    st = polygram_tl_to_msgpack(input_peer_user, sizeof input_peer_user, NULL, NULL, NULL, NULL);
    CHECK(st == POLYGRAM_ERR_INVALID_ARGUMENT, "NULL outputs are rejected");
    st = polygram_msgpack_to_tl(NULL, 0, &tl, &tl_len, NULL, NULL);
    CHECK(st == POLYGRAM_ERR_DECODE, "empty msgpack is a decode error");
    polygram_free(NULL);
}
