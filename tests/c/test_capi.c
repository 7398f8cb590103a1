/*
 * Tests of Polygram's C API through the shared library, as a C program uses
 * it: every entry point, against the emulator started through the ABI.
 * The last line of the output is "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include "polygram.h"
#include "check.h"
#include "mp.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int failures = 0;
int passed = 0;

static polygram_handle emu;

/* ---- helpers ----------------------------------------------------------- */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static long rss_kb(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void print_err(const char *what, const unsigned char *err, size_t len) {
    char name[64], msg[512];
    if (err == NULL) {
        fprintf(stderr, "  %s: (no error map)\n", what);
        return;
    }
    fprintf(stderr, "  %s: %s: %s\n", what, mp_get_str(err, len, "name", name, sizeof name),
            mp_get_str(err, len, "message", msg, sizeof msg));
}

/* emu_cmd runs an emulator command built from a format (see mp.h); it
 * returns the answer (free with polygram_free) or NULL. */
static unsigned char *emu_cmd(size_t *len, const char *format, ...) {
    mp_buf b = {0, 0, 0};
    va_list ap;
    unsigned char *out = NULL, *err = NULL;
    size_t out_len = 0, err_len = 0;
    polygram_status st;
    va_start(ap, format);
    mp_build_value(&b, format, &ap);
    va_end(ap);
    st = polygram_emulator_call(emu, b.data, b.len, &out, &out_len, &err, &err_len);
    mp_free(&b);
    if (st != POLYGRAM_OK) {
        print_err("emulator command", err, err_len);
        polygram_free(err);
        return NULL;
    }
    if (len) *len = out_len;
    return out;
}

/* What a receive-mode client has seen besides the results waited for. */
typedef struct tracker {
    char auth[32];
    char conn[256]; /* connection states, space separated */
    int updates, logs, dropped_events;
    int64_t dropped;
    int new_messages;
    char last_text[256];
    int64_t last_chat;
    char qr_url[256];
} tracker;

static void track(tracker *t, const polygram_event *ev) {
    char buf[64];
    switch (ev->type) {
    case POLYGRAM_EVENT_AUTH_STATE:
        mp_get_str(ev->data, ev->data_len, "state", t->auth, sizeof t->auth);
        mp_get_str(ev->data, ev->data_len, "url", t->qr_url, sizeof t->qr_url);
        break;
    case POLYGRAM_EVENT_CONNECTION_STATE:
        mp_get_str(ev->data, ev->data_len, "state", buf, sizeof buf);
        if (strlen(t->conn) + strlen(buf) + 2 < sizeof t->conn) {
            if (t->conn[0]) strcat(t->conn, " ");
            strcat(t->conn, buf);
        }
        break;
    case POLYGRAM_EVENT_UPDATE:
        t->updates++;
        mp_get_str(ev->data, ev->data_len, "type", buf, sizeof buf);
        if (strcmp(buf, "new_message") == 0) {
            t->new_messages++;
            mp_get_str(ev->data, ev->data_len, "message.message", t->last_text, sizeof t->last_text);
            t->last_chat = mp_get_int(ev->data, ev->data_len, "chat_id", 0);
        }
        break;
    case POLYGRAM_EVENT_LOG:
        t->logs++;
        break;
    case POLYGRAM_EVENT_DROPPED:
        t->dropped_events++;
        t->dropped += mp_get_int(ev->data, ev->data_len, "count", 0);
        break;
    }
}

/* pump receives events until the one for request id (kept in *out, data to
 * be freed) or, with id 0, until timeout. Returns the event's status, or
 * POLYGRAM_ERR_TIMEOUT. */
static int pump(polygram_handle c, tracker *t, uint64_t id, double timeout, polygram_event *out) {
    double end = now_s() + timeout;
    polygram_event ev;
    for (;;) {
        double left = end - now_s();
        polygram_status st;
        if (left < 0) return POLYGRAM_ERR_TIMEOUT;
        st = polygram_receive(c, left, &ev);
        if (st != POLYGRAM_OK) return st;
        if (id != 0 && ev.request_id == id && (ev.type == POLYGRAM_EVENT_RESULT || ev.type == POLYGRAM_EVENT_ERROR)) {
            if (out) {
                *out = ev;
            } else {
                polygram_free(ev.data);
            }
            return ev.status;
        }
        if (t) track(t, &ev);
        polygram_free(ev.data);
    }
}

/* pump_until receives until cond(t) holds or timeout; returns cond. */
static int pump_until(polygram_handle c, tracker *t, double timeout, int (*cond)(const tracker *)) {
    double end = now_s() + timeout;
    polygram_event ev;
    while (!cond(t)) {
        double left = end - now_s();
        if (left < 0) return 0;
        if (polygram_receive(c, left < 0.05 ? left : 0.05, &ev) == POLYGRAM_OK) {
            track(t, &ev);
            polygram_free(ev.data);
        }
    }
    return 1;
}

/* call sends a friendly call built from a format and waits for its event. */
static int call(polygram_handle c, tracker *t, polygram_event *out, const char *format, ...) {
    mp_buf b = {0, 0, 0};
    va_list ap;
    unsigned char *err = NULL;
    size_t err_len = 0;
    uint64_t id = 0;
    polygram_status st;
    va_start(ap, format);
    mp_build_value(&b, format, &ap);
    va_end(ap);
    st = polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, &err, &err_len);
    mp_free(&b);
    if (st != POLYGRAM_OK) {
        print_err("send", err, err_len);
        polygram_free(err);
        return st;
    }
    return pump(c, t, id, 20, out);
}

/* send_call sends a friendly call and returns the status of polygram_send
 * (its error map, if any, in *err). */
static polygram_status send_call(polygram_handle c, uint64_t *id, unsigned char **err, size_t *err_len, const char *format, ...) {
    mp_buf b = {0, 0, 0};
    va_list ap;
    polygram_status st;
    va_start(ap, format);
    mp_build_value(&b, format, &ap);
    va_end(ap);
    st = polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, id, err, err_len);
    mp_free(&b);
    return st;
}

/* new_client creates a client for the emulator with extra config keys
 * (a format of map entries, e.g. "log_level:s", "info"). */
static polygram_handle new_client(polygram_callback cb, void *ud, const char *extra, ...) {
    unsigned char *cfg, *err = NULL;
    size_t cfg_len = 0, err_len = 0;
    polygram_handle h = 0;
    polygram_status st;
    mp_buf b = {0, 0, 0};
    va_list ap;
    char fmt[512];
    sprintf(fmt, "{%s}", extra ? extra : "");
    mp_header(&b, 0x80, 0xde, 2);
    mp_str_n(&b, "method", 6);
    mp_str_n(&b, "client_config", 13);
    mp_str_n(&b, "args", 4);
    va_start(ap, extra);
    mp_build_value(&b, fmt, &ap);
    va_end(ap);
    st = polygram_emulator_call(emu, b.data, b.len, &cfg, &cfg_len, &err, &err_len);
    mp_free(&b);
    if (st != POLYGRAM_OK) {
        print_err("client_config", err, err_len);
        polygram_free(err);
        return 0;
    }
    st = polygram_client_new(cfg, cfg_len, cb, ud, &h, &err, &err_len);
    polygram_free(cfg);
    if (st != POLYGRAM_OK) {
        print_err("client_new", err, err_len);
        polygram_free(err);
        return 0;
    }
    return h;
}

/* has reports whether a path exists in a msgpack value. */
static int has(const unsigned char *data, size_t len, const char *path) {
    mp_val v;
    return mp_get(data, len, path, &v);
}

/* login_user logs a receive-mode client in with login {phone, code}. */
static int login_user(polygram_handle c, tracker *t, const char *phone) {
    unsigned char *code_ans;
    size_t len = 0;
    char code[16];
    polygram_event ev;
    int st;
    code_ans = emu_cmd(&len, "{method:s args:{phone:s}}", "login_code", phone);
    if (code_ans == NULL) return -1;
    mp_get_str(code_ans, len, "code", code, sizeof code);
    polygram_free(code_ans);
    st = call(c, t, &ev, "{method:s args:{phone:s code:s}}", "login", phone, code);
    if (st == POLYGRAM_OK) polygram_free(ev.data);
    else if (st != POLYGRAM_ERR_TIMEOUT) {
        print_err("login", ev.data, ev.data_len);
        polygram_free(ev.data);
    }
    return st;
}

static int64_t create_user(const char *phone, const char *first, const char *username) {
    size_t len = 0;
    unsigned char *u = emu_cmd(&len, "{method:s args:{phone:s first_name:s username:s}}", "create_user", phone, first, username);
    int64_t id;
    if (u == NULL) return 0;
    id = mp_get_int(u, len, "id", 0);
    polygram_free(u);
    return id;
}

/* ---- identity and utilities ------------------------------------------- */

static void test_identity(void) {
    unsigned char *out = NULL;
    size_t len = 0;
    mp_val v;
    CHECK(polygram_abi_version() == 1 && POLYGRAM_ABI_VERSION == 1, "ABI version is 1");
    CHECK(strcmp(polygram_status_name(POLYGRAM_ERR_FLOOD_WAIT), "FLOOD_WAIT") == 0, "status names");
    CHECK(strcmp(polygram_status_name(POLYGRAM_OK), "OK") == 0, "status name of OK");
    CHECK(strcmp(polygram_status_name((polygram_status)999), "UNKNOWN") == 0, "unknown status name");

    CHECK(polygram_schema_msgpack(&out, &len) == POLYGRAM_OK, "schema as msgpack");
    CHECK(mp_get_int(out, len, "layer", 0) == polygram_layer(), "schema msgpack has the layer");
    CHECK(mp_get(out, len, "types.InputPeer", &v) && mp_len(v) >= 5, "types map to their constructors");
    CHECK(mp_get(out, len, "functions", &v) && mp_len(v) > 500, "functions listed");
    CHECK(mp_get(out, len, "constructors.0.params", &v), "constructors have params");
    polygram_free(out);
    CHECK(polygram_schema_msgpack(NULL, &len) == POLYGRAM_ERR_INVALID_ARGUMENT, "schema_msgpack rejects NULL");

    CHECK(polygram_stats(0, &out, &len) == POLYGRAM_OK && mp_get_int(out, len, "go_heap_alloc", 0) > 0, "stats");
    polygram_free(out);
    CHECK(polygram_stats(1, NULL, NULL) == POLYGRAM_ERR_INVALID_ARGUMENT, "stats rejects NULL");
}

/* ---- emulator through the ABI ----------------------------------------- */

static void test_emulator(void) {
    unsigned char *out = NULL, *err = NULL;
    size_t len = 0, err_len = 0;
    polygram_handle e2 = 0;
    int64_t ann, bob, chat, channel;
    mp_buf b = {0, 0, 0};
    char buf[256];

    CHECK(polygram_emulator_start(NULL, 0, &emu, &err, &err_len) == POLYGRAM_OK && emu != 0, "emulator starts");
    out = emu_cmd(&len, "{method:s}", "info");
    CHECK(out && mp_get_int(out, len, "dcs.2.id", 0) == 3, "info lists three DCs");
    CHECK(out && strstr(mp_get_str(out, len, "public_key_pem", buf, sizeof buf), "RSA PUBLIC KEY") != NULL, "info has the PEM key");
    CHECK(out && mp_get_int(out, len, "dcs.0.port", 0) > 0, "DC ports");
    polygram_free(out);

    ann = create_user("9996621001", "Ann", "ann_c");
    bob = create_user("9996621002", "Bob", "bob_c");
    CHECK(ann > 0 && bob > 0 && ann != bob, "create_user");
    out = emu_cmd(&len, "{method:s args:{username:s first_name:s}}", "create_bot", "ctest_bot", "CTest");
    CHECK(out && strchr(mp_get_str(out, len, "token", buf, sizeof buf), ':') != NULL, "create_bot returns a token");
    CHECK(out && mp_get_int(out, len, "user.id", 0) > 0, "create_bot returns the bot");
    if (out) {
        int64_t bot = mp_get_int(out, len, "user.id", 0);
        unsigned char *t = emu_cmd(&len, "{method:s args:{bot_id:I}}", "bot_token", bot);
        CHECK(t && strchr(mp_get_str(t, len, "token", buf, sizeof buf), ':') != NULL, "bot_token");
        polygram_free(t);
    }
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{phone:s}}", "login_code", "9996631234");
    CHECK(out && strcmp(mp_get_str(out, len, "code", buf, sizeof buf), "33333") == 0, "login_code follows the DC digit");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{owner:I contact:I}}", "add_contact", ann, bob);
    CHECK(out != NULL, "add_contact");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{from:I peer:I text:s}}", "send_message", ann, bob, "hello from the control API");
    CHECK(out && mp_get_int(out, len, "id", 0) > 0, "send_message");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{viewer:I peer:I}}", "history", bob, ann);
    CHECK(out && strcmp(mp_get_str(out, len, "messages.0.text", buf, sizeof buf), "hello from the control API") == 0, "history");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{creator:I title:s members:[I]}}", "create_chat", ann, "C chat", bob);
    chat = out ? mp_get_int(out, len, "peer", 0) : 0;
    CHECK(chat < 0, "create_chat returns a marked id");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{creator:I title:s username:s megagroup:b members:[I]}}", "create_channel", ann,
                  "C channel", "c_channel", 1, bob);
    channel = out ? mp_get_int(out, len, "peer", 0) : 0;
    CHECK(channel < -1000000000000L, "create_channel returns a -100... id");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{id:I}}", "lookup_user", ann);
    CHECK(out && strcmp(mp_get_str(out, len, "first_name", buf, sizeof buf), "Ann") == 0, "lookup_user");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{user_id:I}}", "update_state", bob);
    CHECK(out && mp_get_int(out, len, "pts", 0) > 0, "update_state");
    polygram_free(out);

    /* Faults. */
    out = emu_cmd(&len, "{method:s}", "rotate_salt");
    CHECK(out != NULL, "rotate_salt");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{seconds:i}}", "skew_clock", 0);
    CHECK(out != NULL, "skew_clock");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{user_id:I hold:b}}", "hold_updates", bob, 0);
    CHECK(out != NULL, "hold_updates");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{user_id:I n:i}}", "lose_updates", bob, 0);
    CHECK(out != NULL, "lose_updates");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{dc:i delay_ms:i}}", "slow_dc", 1, 0);
    CHECK(out != NULL, "slow_dc");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s}", "drop_connections");
    CHECK(out != NULL, "drop_connections");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s}", "expire_file_references");
    CHECK(out != NULL, "expire_file_references");
    polygram_free(out);
    out = emu_cmd(&len, "{method:s args:{user_id:I password:s hint:s}}", "set_password", bob, "", "");
    CHECK(out != NULL, "set_password (empty removes)");
    polygram_free(out);

    /* Errors. */
    mp_build(&b, "{method:s}", "no_such_command");
    CHECK(polygram_emulator_call(emu, b.data, b.len, &out, &len, &err, &err_len) == POLYGRAM_ERR_UNKNOWN_METHOD, "unknown command");
    CHECK(err && strstr(mp_get_str(err, err_len, "message", buf, sizeof buf), "create_user") != NULL, "the error lists the commands");
    polygram_free(err);
    err = NULL;
    mp_reset(&b);
    mp_build(&b, "{method:s args:{phone:i}}", "create_user", 5);
    CHECK(polygram_emulator_call(emu, b.data, b.len, &out, &len, &err, &err_len) == POLYGRAM_ERR_INVALID_ARGUMENT, "wrong argument type");
    CHECK(err && strstr(mp_get_str(err, err_len, "message", buf, sizeof buf), "phone") != NULL, "the error names the argument");
    polygram_free(err);
    err = NULL;
    mp_reset(&b);
    mp_build(&b, "{method:s args:{phone:s}}", "create_user", "12");
    CHECK(polygram_emulator_call(emu, b.data, b.len, &out, &len, &err, &err_len) == POLYGRAM_ERR_FAILED, "an emulator refusal is FAILED");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_emulator_call(emu, (const unsigned char *)"\xc1", 1, &out, &len, &err, &err_len) == POLYGRAM_ERR_DECODE, "malformed command");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_emulator_call(0, b.data, b.len, &out, &len, NULL, NULL) == POLYGRAM_ERR_BAD_HANDLE, "handle 0");
    CHECK(polygram_emulator_call(emu, b.data, b.len, NULL, NULL, NULL, NULL) == POLYGRAM_ERR_INVALID_ARGUMENT, "NULL out");
    mp_reset(&b);
    mp_build(&b, "{dcs:i}", 1);
    CHECK(polygram_emulator_start(b.data, b.len, &e2, NULL, NULL) == POLYGRAM_OK, "emulator with one DC");
    mp_reset(&b);
    mp_build(&b, "{method:s}", "info");
    CHECK(polygram_emulator_call(e2, b.data, b.len, &out, &len, NULL, NULL) == POLYGRAM_OK && mp_get_int(out, len, "dcs.0.id", 0) == 1 &&
              !has(out, len, "dcs.1"),
          "one DC");
    polygram_free(out);
    CHECK(polygram_emulator_stop(e2) == POLYGRAM_OK, "stop");
    CHECK(polygram_emulator_stop(e2) == POLYGRAM_OK, "stop is idempotent");
    CHECK(polygram_emulator_call(e2, b.data, b.len, &out, &len, NULL, NULL) == POLYGRAM_ERR_CLOSED, "a stopped emulator answers CLOSED");
    mp_reset(&b);
    mp_build(&b, "{dcs:i color:s}", 1, "red");
    CHECK(polygram_emulator_start(b.data, b.len, &e2, &err, &err_len) == POLYGRAM_ERR_INVALID_ARGUMENT, "unknown emulator config key");
    polygram_free(err);
    err = NULL;
    mp_free(&b);
}

/* ---- client creation and the boundary's error handling ---------------- */

static void test_client_errors(void) {
    polygram_handle c = 0;
    unsigned char *err = NULL, *out = NULL;
    size_t err_len = 0, len = 0;
    mp_buf b = {0, 0, 0};
    char buf[512];
    char methods_buf[8192]; /* the unknown-method error lists every method */
    uint64_t id = 0;
    polygram_event ev;

    CHECK(polygram_client_new(NULL, 0, NULL, NULL, &c, &err, &err_len) == POLYGRAM_ERR_DECODE, "empty config");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_client_new(NULL, 5, NULL, NULL, &c, &err, &err_len) == POLYGRAM_ERR_INVALID_ARGUMENT, "NULL config with a length");
    polygram_free(err);
    err = NULL;
    mp_build(&b, "{api_hash:s}", "x");
    CHECK(polygram_client_new(b.data, b.len, NULL, NULL, &c, &err, &err_len) == POLYGRAM_ERR_INVALID_ARGUMENT, "api_id required");
    CHECK(err && strstr(mp_get_str(err, err_len, "message", buf, sizeof buf), "api_id") != NULL, "the error names api_id");
    CHECK(err && mp_get_int(err, err_len, "status", -1) == POLYGRAM_ERR_INVALID_ARGUMENT && mp_get_int(err, err_len, "code", -1) == 1,
          "error map has status and code");
    polygram_free(err);
    err = NULL;
    mp_reset(&b);
    mp_build(&b, "{api_id:i api_hash:s apihash:s}", 1, "x", "y");
    CHECK(polygram_client_new(b.data, b.len, NULL, NULL, &c, &err, &err_len) == POLYGRAM_ERR_INVALID_ARGUMENT, "unknown key");
    CHECK(err && strstr(mp_get_str(err, err_len, "message", buf, sizeof buf), "apihash") != NULL, "the error names the typo");
    polygram_free(err);
    err = NULL;
    mp_reset(&b);
    mp_build(&b, "{api_id:s api_hash:s}", "1", "x");
    CHECK(polygram_client_new(b.data, b.len, NULL, NULL, &c, NULL, NULL) == POLYGRAM_ERR_INVALID_ARGUMENT, "wrong type");
    mp_reset(&b);
    mp_build(&b, "{api_id:i api_hash:s transport:s}", 1, "x", "carrier_pigeon");
    CHECK(polygram_client_new(b.data, b.len, NULL, NULL, &c, NULL, NULL) == POLYGRAM_ERR_INVALID_ARGUMENT, "bad transport");
    mp_reset(&b);
    mp_build(&b, "{api_id:i api_hash:s public_keys:[s]}", 1, "x", "not a key");
    CHECK(polygram_client_new(b.data, b.len, NULL, NULL, &c, NULL, NULL) == POLYGRAM_ERR_INVALID_ARGUMENT, "bad PEM");
    mp_reset(&b);
    mp_build(&b, "{api_id:i api_hash:s session:{string:s}}", 1, "x", "garbage");
    CHECK(polygram_client_new(b.data, b.len, NULL, NULL, &c, &err, &err_len) == POLYGRAM_ERR_SESSION, "bad session string");
    polygram_free(err);
    err = NULL;
    mp_reset(&b);
    mp_build(&b, "{api_id:i api_hash:s dcs:[{id:i addr:s}] transport:s obfuscated:b flood_sleep_threshold:i "
                 "log_level:s event_queue_size:i device_model:s session:s}",
             1, "x", 2, "127.0.0.1:1", "abridged", 1, 5, "debug", 100, "C test", ":memory:");
    CHECK(polygram_client_new(b.data, b.len, NULL, NULL, &c, NULL, NULL) == POLYGRAM_OK && c != 0, "a full config");
    CHECK(polygram_client_new(b.data, b.len, NULL, NULL, NULL, NULL, NULL) == POLYGRAM_ERR_INVALID_ARGUMENT, "NULL handle out");

    /* Requests rejected before anything is sent. */
    mp_reset(&b);
    mp_build(&b, "{method:s args:{}}", "no_such_method");
    CHECK(polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, &err, &err_len) == POLYGRAM_ERR_UNKNOWN_METHOD, "unknown method");
    CHECK(err && strstr(mp_get_str(err, err_len, "message", methods_buf, sizeof methods_buf), "send_message") != NULL, "the error lists the methods");
    polygram_free(err);
    err = NULL;
    mp_reset(&b);
    mp_build(&b, "{method:s args:{peer:s text:i}}", "send_message", "me", 5);
    CHECK(polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, &err, &err_len) == POLYGRAM_ERR_INVALID_ARGUMENT, "wrong argument type");
    CHECK(err && strstr(mp_get_str(err, err_len, "message", buf, sizeof buf), "\"text\"") != NULL, "the error names the argument");
    polygram_free(err);
    err = NULL;
    mp_reset(&b);
    mp_build(&b, "{method:s args:{peer:s text:s colour:s}}", "send_message", "me", "x", "red");
    CHECK(polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, &err, &err_len) == POLYGRAM_ERR_INVALID_ARGUMENT, "unknown argument");
    polygram_free(err);
    err = NULL;
    mp_reset(&b);
    mp_build(&b, "{method:s args:{text:s}}", "send_message", "x");
    CHECK(polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, &err, &err_len) == POLYGRAM_ERR_INVALID_ARGUMENT, "missing argument");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_send(c, POLYGRAM_ENCODING_CALL, (const unsigned char *)"\x81\xa1", 2, &id, &err, &err_len) == POLYGRAM_ERR_DECODE, "truncated msgpack");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_send(c, POLYGRAM_ENCODING_TL, (const unsigned char *)"\x26\x30", 2, &id, &err, &err_len) == POLYGRAM_ERR_DECODE, "short TL");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_send(c, POLYGRAM_ENCODING_TL, (const unsigned char *)"\x01\x02\x03\x04", 4, &id, &err, &err_len) == POLYGRAM_ERR_UNKNOWN_METHOD, "unknown TL id");
    polygram_free(err);
    err = NULL;
    /* inputPeerEmpty#7f3b18ea: a constructor, not a function. */
    CHECK(polygram_send(c, POLYGRAM_ENCODING_TL, (const unsigned char *)"\xea\x18\x3b\x7f", 4, &id, &err, &err_len) == POLYGRAM_ERR_UNKNOWN_METHOD, "a constructor is not a request");
    polygram_free(err);
    err = NULL;
    /* help.getNearestDc#1fb33026 with trailing bytes. */
    CHECK(polygram_send(c, POLYGRAM_ENCODING_TL, (const unsigned char *)"\x26\x30\xb3\x1f\x00", 5, &id, &err, &err_len) == POLYGRAM_ERR_DECODE, "trailing TL bytes");
    polygram_free(err);
    err = NULL;
    mp_reset(&b);
    mp_build(&b, "{_:s}", "messages.sendMessage");
    CHECK(polygram_send(c, POLYGRAM_ENCODING_MSGPACK, b.data, b.len, &id, &err, &err_len) == POLYGRAM_ERR_DECODE, "msgpack TL missing fields");
    CHECK(err && strstr(mp_get_str(err, err_len, "message", buf, sizeof buf), "peer") != NULL, "the error names the field");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_send(c, (polygram_encoding)42, b.data, b.len, &id, &err, &err_len) == POLYGRAM_ERR_INVALID_ARGUMENT, "bad encoding");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, NULL, NULL, NULL) == POLYGRAM_ERR_INVALID_ARGUMENT, "NULL id out");
    CHECK(polygram_send(0, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, NULL, NULL) == POLYGRAM_ERR_BAD_HANDLE, "handle 0");
    CHECK(polygram_send(c + 4000, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, NULL, NULL) == POLYGRAM_ERR_BAD_HANDLE, "never issued");
    CHECK(polygram_send(emu, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, &err, &err_len) == POLYGRAM_ERR_BAD_HANDLE, "an emulator is not a client");
    CHECK(err && strstr(mp_get_str(err, err_len, "message", buf, sizeof buf), "emulator") != NULL, "the error says what the handle is");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_emulator_stop(c) == POLYGRAM_ERR_BAD_HANDLE, "a client is not an emulator");
    CHECK(polygram_receive(c, 0, NULL) == POLYGRAM_ERR_INVALID_ARGUMENT, "receive with NULL event");
    CHECK(polygram_set_log_level(c, 99) == POLYGRAM_ERR_INVALID_ARGUMENT, "bad log level");
    CHECK(polygram_set_log_level(c, POLYGRAM_LOG_ERROR) == POLYGRAM_OK, "set_log_level");
    CHECK(polygram_cancel(c, 123456789) == POLYGRAM_ERR_NOT_FOUND, "cancel of an unknown request");
    CHECK(polygram_invoke(c, POLYGRAM_ENCODING_CALL, b.data, b.len, 1, NULL, NULL, NULL, NULL) == POLYGRAM_ERR_INVALID_ARGUMENT, "invoke NULL out");

    /* The first event of a client is its auth state. */
    CHECK(polygram_receive(c, 1, &ev) == POLYGRAM_OK && ev.type == POLYGRAM_EVENT_AUTH_STATE &&
              strcmp(mp_get_str(ev.data, ev.data_len, "state", buf, sizeof buf), "wait_phone") == 0,
          "the first event is auth_state wait_phone");
    polygram_free(ev.data);
    CHECK(polygram_receive(c, 0, &ev) == POLYGRAM_ERR_TIMEOUT && ev.data == NULL && ev.data_len == 0 && ev.type == 0,
          "receive with timeout 0 and nothing queued (the event is cleared: freeing its data stays safe)");
    polygram_free(ev.data);

    /* ping_local: the boundary alone. */
    mp_reset(&b);
    mp_build(&b, "{method:s args:{n:i s:s}}", "ping_local", 7, "x");
    CHECK(polygram_invoke(c, POLYGRAM_ENCODING_CALL, b.data, b.len, 1, &out, &len, NULL, NULL) == POLYGRAM_OK &&
              mp_get_int(out, len, "n", 0) == 7,
          "invoke ping_local echoes its arguments");
    polygram_free(out);
    CHECK(polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, NULL, NULL) == POLYGRAM_OK && id != 0, "send ping_local");
    CHECK(polygram_receive(c, 1, &ev) == POLYGRAM_OK && ev.type == POLYGRAM_EVENT_RESULT && ev.request_id == id &&
              ev.encoding == POLYGRAM_ENCODING_MSGPACK && mp_get_int(ev.data, ev.data_len, "n", 0) == 7,
          "its result event carries the id");
    polygram_free(ev.data);

    /* A network failure is a NETWORK error (nothing listens on port 1). */
    mp_reset(&b);
    mp_build(&b, "{method:s}", "connect");
    CHECK(polygram_invoke(c, POLYGRAM_ENCODING_CALL, b.data, b.len, 20, &out, &len, &err, &err_len) == POLYGRAM_ERR_NETWORK, "connection refused is NETWORK");
    polygram_free(err);
    err = NULL;

    CHECK(polygram_client_close(c) == POLYGRAM_OK, "close");
    CHECK(polygram_client_close(c) == POLYGRAM_OK, "close is idempotent");
    CHECK(polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, NULL, NULL) == POLYGRAM_ERR_CLOSED, "send after close");
    {
        int last_closed = 0, n = 0;
        while (polygram_receive(c, 0, &ev) == POLYGRAM_OK) {
            n++;
            last_closed = ev.type == POLYGRAM_EVENT_CONNECTION_STATE &&
                          strcmp(mp_get_str(ev.data, ev.data_len, "state", buf, sizeof buf), "closed") == 0;
            polygram_free(ev.data);
        }
        CHECK(n > 0 && last_closed, "the last event is connection_state closed");
    }
    CHECK(polygram_receive(c, 0, &ev) == POLYGRAM_ERR_CLOSED, "then receive answers CLOSED");
    CHECK(polygram_client_close(c) == POLYGRAM_OK, "close after draining");
    mp_free(&b);
}

/* ---- logins, requests, errors ------------------------------------------ */

static int auth_ready(const tracker *t) { return strcmp(t->auth, "ready") == 0; }
static int has_qr(const tracker *t) { return t->qr_url[0] != 0; }
static int got_message(const tracker *t) { return t->new_messages > 0; }

/* A file sent and downloaded again with the emulator's CDN redirects on:
 * download_media fetches it from the CDN DC (decrypted and checked against
 * the file DC's hashes) with the same bytes; with the CDN serving altered
 * bytes the download fails and leaves no file. */
static int same_file(const char *a, const char *b) {
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa != NULL && fb != NULL, ca, cb;
    while (same) {
        ca = fgetc(fa);
        cb = fgetc(fb);
        if (ca != cb) same = 0;
        if (ca == EOF || cb == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

static void test_cdn_download(polygram_handle c, tracker *t) {
    char in[64], out[64];
    FILE *f;
    size_t i, len;
    unsigned char *r;
    polygram_event ev;
    int64_t id;
    int st;
    sprintf(in, "/tmp/polygram-cdn-in-%ld", (long)getpid());
    sprintf(out, "/tmp/polygram-cdn-out-%ld", (long)getpid());
    f = fopen(in, "wb");
    CHECK(f != NULL, "a file to send");
    if (f == NULL) return;
    for (i = 0; i < 300000; i++) fputc((int)((i * 2654435761u) >> 13) & 0xff, f);
    fclose(f);
    r = emu_cmd(&len, "{method:s args:{redirects:b}}", "cdn", 1);
    CHECK(r != NULL, "emulator cdn {redirects: true}");
    polygram_free(r);
    st = call(c, t, &ev, "{method:s args:{peer:s path:s name:s}}", "send_file", "me", in, "cdn.bin");
    CHECK(st == POLYGRAM_OK, "send_file (to download through the CDN)");
    id = st == POLYGRAM_OK ? mp_get_int(ev.data, ev.data_len, "id", 0) : 0;
    polygram_free(ev.data);
    st = call(c, t, &ev, "{method:s args:{peer:s message_id:I path:s}}", "download_media", "me", id, out);
    CHECK(st == POLYGRAM_OK && mp_get_int(ev.data, ev.data_len, "size", 0) == 300000 && same_file(in, out),
          "download_media through the CDN: the same bytes");
    polygram_free(ev.data);
    remove(out);
    r = emu_cmd(&len, "{method:s args:{redirects:b tamper:b}}", "cdn", 1, 1);
    polygram_free(r);
    st = call(c, t, &ev, "{method:s args:{peer:s message_id:I path:s}}", "download_media", "me", id, out);
    CHECK(st != POLYGRAM_OK && fopen(out, "rb") == NULL, "a CDN part that fails its hash fails the download, no file left");
    polygram_free(ev.data);
    r = emu_cmd(&len, "{method:s args:{redirects:b tamper:b}}", "cdn", 0, 0);
    polygram_free(r);
    remove(in);
    remove(out);
}

static void test_user_flows(void) {
    polygram_handle c, c2;
    tracker t, t2;
    polygram_event ev;
    unsigned char *out = NULL, *err = NULL, *tl = NULL;
    size_t len = 0, err_len = 0, tl_len = 0;
    char buf[256], hash[64];
    int st;
    uint64_t id;
    mp_buf b = {0, 0, 0};
    int64_t carol;
    /* help.getNearestDc#1fb33026 */
    static const unsigned char get_nearest_dc[] = {0x26, 0x30, 0xb3, 0x1f};

    memset(&t, 0, sizeof t);
    carol = create_user("9996631003", "Carol", "carol_c");
    c = new_client(NULL, NULL, "log_level:s", "info");
    CHECK(c != 0, "client for the emulator");

    /* Interactive login: send_code, a wrong code, the right one. */
    st = call(c, &t, &ev, "{method:s args:{phone:s}}", "send_code", "+999 663 1003");
    CHECK(st == POLYGRAM_OK, "send_code");
    mp_get_str(ev.data, ev.data_len, "hash", hash, sizeof hash);
    CHECK(hash[0] != 0, "send_code returns the hash");
    polygram_free(ev.data);
    pump(c, &t, 0, 0.3, NULL);
    CHECK(strcmp(t.auth, "wait_code") == 0, "auth_state wait_code");
    CHECK(t.logs > 0, "log events at level info (the migration to DC 3)");
    st = call(c, &t, &ev, "{method:s args:{phone:s hash:s code:s}}", "sign_in", "9996631003", hash, "00000");
    CHECK(st == POLYGRAM_ERR_RPC, "a wrong code is an RPC error");
    CHECK(mp_get_int(ev.data, ev.data_len, "code", 0) == 400 &&
              strcmp(mp_get_str(ev.data, ev.data_len, "name", buf, sizeof buf), "PHONE_CODE_INVALID") == 0 &&
              strcmp(mp_get_str(ev.data, ev.data_len, "method", buf, sizeof buf), "auth.signIn") == 0,
          "with Telegram's code, name and method");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{phone:s hash:s code:s}}", "sign_in", "9996631003", hash, "33333");
    CHECK(st == POLYGRAM_OK && strcmp(mp_get_str(ev.data, ev.data_len, "first_name", buf, sizeof buf), "Carol") == 0,
          "sign_in returns the user");
    CHECK(st == POLYGRAM_OK && strcmp(mp_get_str(ev.data, ev.data_len, "_", buf, sizeof buf), "user") == 0, "as a TL map");
    polygram_free(ev.data);
    CHECK(pump_until(c, &t, 2, auth_ready), "auth_state ready");
    CHECK(strstr(t.conn, "connecting connected") != NULL, "connection states connecting, connected");

    /* Friendly methods. */
    st = call(c, &t, &ev, "{method:s}", "get_me");
    CHECK(st == POLYGRAM_OK && mp_get_int(ev.data, ev.data_len, "id", 0) == carol, "get_me");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s}", "get_state");
    CHECK(st == POLYGRAM_OK && mp_get_int(ev.data, ev.data_len, "main_dc", 0) == 3 &&
              strcmp(mp_get_str(ev.data, ev.data_len, "auth_state", buf, sizeof buf), "ready") == 0,
          "get_state: DC 3, ready");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s}}", "resolve_peer", "@ann_c");
    CHECK(st == POLYGRAM_OK && strcmp(mp_get_str(ev.data, ev.data_len, "kind", buf, sizeof buf), "user") == 0 &&
              mp_get_int(ev.data, ev.data_len, "access_hash", 0) != 0,
          "resolve_peer by username");
    if (st == POLYGRAM_OK) {
        /* The peer map is accepted back as a peer. */
        polygram_event e2;
        int st2 = call(c, &t, &e2, "{method:s args:{peer:R text:s parse_mode:s}}", "send_message", ev.data, ev.data_len,
                       "**hi** Ann", "markdown");
        CHECK(st2 == POLYGRAM_OK && mp_get_int(e2.data, e2.data_len, "id", 0) > 0, "send_message to a peer map, markdown");
        polygram_free(e2.data);
    }
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s text:s}}", "send_message", "@bob_c", "one");
    CHECK(st == POLYGRAM_OK, "send_message by username");
    id = (uint64_t)mp_get_int(ev.data, ev.data_len, "id", 0);
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s id:I text:s}}", "edit_message", "@bob_c", (int64_t)id, "one (edited)");
    CHECK(st == POLYGRAM_OK, "edit_message");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s ids:[I]}}", "get_messages", "@bob_c", (int64_t)id);
    CHECK(st == POLYGRAM_OK && strcmp(mp_get_str(ev.data, ev.data_len, "messages.0.message", buf, sizeof buf), "one (edited)") == 0,
          "get_messages sees the edit");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{from_peer:s ids:[I] to_peer:s}}", "forward_messages", "@bob_c", (int64_t)id, "me");
    CHECK(st == POLYGRAM_OK && mp_get_int(ev.data, ev.data_len, "ids.0", 0) > 0, "forward_messages to me");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s limit:i}}", "get_history", "@bob_c", 10);
    CHECK(st == POLYGRAM_OK && has(ev.data, ev.data_len, "messages.0"), "get_history");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{limit:i}}", "get_dialogs", 10);
    CHECK(st == POLYGRAM_OK && mp_get_int(ev.data, ev.data_len, "dialogs.0.peer.id", 0) > 0, "get_dialogs");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s}}", "send_read_acknowledge", "@bob_c");
    CHECK(st == POLYGRAM_OK, "send_read_acknowledge");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s}}", "typing", "@bob_c");
    CHECK(st == POLYGRAM_OK, "typing");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s id:I}}", "pin_message", "@bob_c", (int64_t)id);
    /* The emulator does not implement messages.updatePinnedMessage yet: the
     * call must reach it and come back as its INPUT_METHOD_INVALID error. */
    CHECK(st == POLYGRAM_OK || (st == POLYGRAM_ERR_RPC && strcmp(mp_get_str(ev.data, ev.data_len, "method", buf, sizeof buf),
                                                                 "messages.updatePinnedMessage") == 0),
          "pin_message reaches the server");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s}}", "get_entity", "@bob_c");
    CHECK(st == POLYGRAM_OK && strcmp(mp_get_str(ev.data, ev.data_len, "_", buf, sizeof buf), "users.userFull") == 0, "get_entity");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:s ids:[I]}}", "delete_messages", "@bob_c", (int64_t)id);
    CHECK(st == POLYGRAM_OK, "delete_messages");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{peer:I text:s}}", "send_message", (int64_t)424242, "x");
    CHECK(st == POLYGRAM_ERR_PEER_NOT_FOUND, "an unknown peer id is PEER_NOT_FOUND");
    CHECK(strstr(mp_get_str(ev.data, ev.data_len, "message", buf, sizeof buf), "424242") != NULL, "naming the id");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s}", "is_authorized");
    CHECK(st == POLYGRAM_OK && has(ev.data, ev.data_len, "authorized"), "is_authorized");
    polygram_free(ev.data);
    test_cdn_download(c, &t);

    /* Raw TL bytes in, TL bytes out. */
    CHECK(polygram_invoke(c, POLYGRAM_ENCODING_TL, get_nearest_dc, sizeof get_nearest_dc, 10, &tl, &tl_len, &err, &err_len) == POLYGRAM_OK &&
              tl_len >= 4 && tl[0] == 0x75 && tl[1] == 0x17 && tl[2] == 0x1a && tl[3] == 0x8e,
          "a raw TL request answers nearestDc as TL");
    if (tl && polygram_tl_to_msgpack(tl, tl_len, &out, &len, NULL, NULL) == POLYGRAM_OK) {
        CHECK(mp_get_int(out, len, "this_dc", 0) == 3, "nearestDc names DC 3");
        polygram_free(out);
    }
    polygram_free(tl);
    tl = NULL;
    CHECK(polygram_send(c, POLYGRAM_ENCODING_TL, get_nearest_dc, sizeof get_nearest_dc, &id, NULL, NULL) == POLYGRAM_OK, "send TL");
    st = pump(c, &t, id, 10, &ev);
    CHECK(st == POLYGRAM_OK && ev.encoding == POLYGRAM_ENCODING_TL && ev.data[0] == 0x75, "its event carries TL");
    polygram_free(ev.data);

    /* msgpack TL in, msgpack out. */
    mp_reset(&b);
    mp_build(&b, "{_:s id:[{_:s}]}", "users.getUsers", "inputUserSelf");
    CHECK(polygram_send(c, POLYGRAM_ENCODING_MSGPACK, b.data, b.len, &id, NULL, NULL) == POLYGRAM_OK, "send msgpack TL");
    st = pump(c, &t, id, 10, &ev);
    CHECK(st == POLYGRAM_OK && ev.encoding == POLYGRAM_ENCODING_MSGPACK &&
              strcmp(mp_get_str(ev.data, ev.data_len, "0.first_name", buf, sizeof buf), "Carol") == 0,
          "users.getUsers answers a vector of user maps");
    polygram_free(ev.data);

    /* Typed errors: FLOOD_WAIT over the threshold, an RPC error. */
    out = emu_cmd(&len, "{method:s args:{method:s n:i error:s}}", "fail_next", "help.getNearestDc", 1, "FLOOD_WAIT_120");
    polygram_free(out);
    CHECK(polygram_invoke(c, POLYGRAM_ENCODING_TL, get_nearest_dc, 4, 10, &tl, &tl_len, &err, &err_len) == POLYGRAM_ERR_FLOOD_WAIT,
          "FLOOD_WAIT_120 over the 60 s threshold");
    CHECK(err && mp_get_int(err, err_len, "seconds", 0) == 120 && mp_get_int(err, err_len, "code", 0) == 420 &&
              strcmp(mp_get_str(err, err_len, "name", buf, sizeof buf), "FLOOD_WAIT_X") == 0,
          "error map: code 420, FLOOD_WAIT_X, seconds 120");
    polygram_free(err);
    err = NULL;
    out = emu_cmd(&len, "{method:s args:{method:s error:s}}", "fail_next", "help.getNearestDc", "CHAT_ADMIN_REQUIRED");
    polygram_free(out);
    CHECK(polygram_invoke(c, POLYGRAM_ENCODING_TL, get_nearest_dc, 4, 10, &tl, &tl_len, &err, &err_len) == POLYGRAM_ERR_RPC &&
              mp_get_int(err, err_len, "code", 0) == 400,
          "an RPC error through invoke");
    polygram_free(err);
    err = NULL;

    /* QR login: a second client shows a URL; this one accepts it. */
    memset(&t2, 0, sizeof t2);
    c2 = new_client(NULL, NULL, "session:s", ":memory:");
    CHECK(send_call(c2, &id, NULL, NULL, "{method:s}", "qr_login") == POLYGRAM_OK, "qr_login sent");
    CHECK(pump_until(c2, &t2, 10, has_qr) && strncmp(t2.qr_url, "tg://login?token=", 17) == 0, "auth_state wait_qr with the URL");
    st = call(c, &t, &ev, "{method:s args:{url:s}}", "accept_qr_login", t2.qr_url);
    CHECK(st == POLYGRAM_OK, "accept_qr_login");
    polygram_free(ev.data);
    st = pump(c2, &t2, id, 10, &ev);
    CHECK(st == POLYGRAM_OK && mp_get_int(ev.data, ev.data_len, "id", 0) == carol, "qr_login completes with the user");
    polygram_free(ev.data);
    CHECK(pump_until(c2, &t2, 2, auth_ready), "and the QR client is ready");

    /* The string session carries the login to a new client. */
    st = call(c2, &t2, &ev, "{method:s}", "export_session");
    CHECK(st == POLYGRAM_OK, "export_session");
    if (st == POLYGRAM_OK) {
        char *s = (char *)malloc(ev.data_len + 1);
        polygram_handle c3;
        polygram_event e3;
        tracker t3;
        memset(&t3, 0, sizeof t3);
        mp_get_str(ev.data, ev.data_len, "string", s, ev.data_len + 1);
        c3 = new_client(NULL, NULL, "session:{string:s}", s);
        CHECK(c3 != 0, "client from a string session");
        CHECK(call(c3, &t3, &e3, "{method:s}", "get_me") == POLYGRAM_OK && mp_get_int(e3.data, e3.data_len, "id", 0) == carol,
              "logged in without a code");
        polygram_free(e3.data);
        polygram_client_close(c3);
        free(s);
    }
    polygram_free(ev.data);

    /* Cancellation and timeouts (qr_login waits until accepted). */
    st = call(c2, &t2, &ev, "{method:s}", "log_out");
    CHECK(st == POLYGRAM_OK, "log_out");
    polygram_free(ev.data);
    CHECK(send_call(c2, &id, NULL, NULL, "{method:s}", "qr_login") == POLYGRAM_OK, "a pending request");
    sleep_ms(50);
    CHECK(polygram_cancel(c2, id) == POLYGRAM_OK, "cancel");
    CHECK(polygram_cancel(c2, id) == POLYGRAM_ERR_NOT_FOUND, "cancel twice");
    st = pump(c2, &t2, id, 5, &ev);
    CHECK(st == POLYGRAM_ERR_CANCELLED, "the request ends CANCELLED");
    polygram_free(ev.data);
    mp_reset(&b);
    mp_build(&b, "{method:s}", "qr_login");
    {
        double t0 = now_s();
        CHECK(polygram_invoke(c2, POLYGRAM_ENCODING_CALL, b.data, b.len, 0.3, &out, &len, &err, &err_len) == POLYGRAM_ERR_TIMEOUT &&
                  now_s() - t0 < 3,
              "invoke times out");
        polygram_free(err);
        err = NULL;
    }
    /* Close with a request pending: it ends CLOSED, "closed" comes last. */
    CHECK(send_call(c2, &id, NULL, NULL, "{method:s}", "qr_login") == POLYGRAM_OK, "another pending request");
    sleep_ms(50);
    CHECK(polygram_client_close(c2) == POLYGRAM_OK, "close with a pending request");
    st = pump(c2, &t2, id, 5, &ev);
    CHECK(st == POLYGRAM_ERR_CLOSED, "the pending request ends CLOSED");
    polygram_free(ev.data);
    memset(t2.conn, 0, sizeof t2.conn);
    pump(c2, &t2, 0, 1, NULL);
    CHECK(strcmp(t2.conn, "closed") == 0, "then connection_state closed");
    CHECK(polygram_receive(c2, 1, &ev) == POLYGRAM_ERR_CLOSED, "then CLOSED");

    polygram_client_close(c);
    mp_free(&b);
}

static void test_password_and_sign_up(void) {
    polygram_handle c;
    tracker t;
    polygram_event ev;
    char buf[128], hash[64];
    int st;
    int64_t dora = create_user("9996621004", "Dora", "");
    unsigned char *out = emu_cmd(NULL, "{method:s args:{user_id:I password:s hint:s}}", "set_password", dora, "hunter2", "the usual");
    polygram_free(out);
    memset(&t, 0, sizeof t);
    c = new_client(NULL, NULL, NULL);
    st = call(c, &t, &ev, "{method:s args:{phone:s}}", "send_code", "9996621004");
    mp_get_str(ev.data, ev.data_len, "hash", hash, sizeof hash);
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{phone:s hash:s code:s}}", "sign_in", "9996621004", hash, "22222");
    CHECK(st == POLYGRAM_ERR_PASSWORD_NEEDED, "a 2FA account answers PASSWORD_NEEDED");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s}", "password_hint");
    CHECK(st == POLYGRAM_OK && strcmp(mp_get_str(ev.data, ev.data_len, "hint", buf, sizeof buf), "the usual") == 0, "password_hint");
    polygram_free(ev.data);
    CHECK(strcmp(t.auth, "wait_password") == 0, "auth_state wait_password");
    st = call(c, &t, &ev, "{method:s args:{password:s}}", "check_password", "wrong");
    CHECK(st == POLYGRAM_ERR_RPC, "a wrong password");
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{password:s}}", "check_password", "hunter2");
    CHECK(st == POLYGRAM_OK && mp_get_int(ev.data, ev.data_len, "id", 0) == dora, "check_password");
    polygram_free(ev.data);
    polygram_client_close(c);

    memset(&t, 0, sizeof t);
    c = new_client(NULL, NULL, NULL);
    st = call(c, &t, &ev, "{method:s args:{phone:s}}", "send_code", "9996621999");
    mp_get_str(ev.data, ev.data_len, "hash", hash, sizeof hash);
    polygram_free(ev.data);
    st = call(c, &t, &ev, "{method:s args:{phone:s hash:s code:s}}", "sign_in", "9996621999", hash, "22222");
    CHECK(st == POLYGRAM_ERR_SIGN_UP_REQUIRED, "a new number answers SIGN_UP_REQUIRED");
    polygram_free(ev.data);
    pump(c, &t, 0, 0.2, NULL);
    CHECK(strcmp(t.auth, "wait_registration") == 0, "auth_state wait_registration");
    st = call(c, &t, &ev, "{method:s args:{phone:s hash:s first_name:s}}", "sign_up", "9996621999", hash, "Newt");
    CHECK(st == POLYGRAM_OK && strcmp(mp_get_str(ev.data, ev.data_len, "first_name", buf, sizeof buf), "Newt") == 0, "sign_up");
    polygram_free(ev.data);
    pump(c, &t, 0, 0.2, NULL);
    CHECK(strcmp(t.auth, "ready") == 0, "auth_state ready after sign_up");
    polygram_client_close(c);
}

/* ---- a bot in callback mode, re-entering the library ------------------- */

typedef struct bot_state {
    pthread_mutex_t mu;
    polygram_handle self;
    int messages, replies_sent, invoke_ok, results, closed_seen, after_closed, errors;
    int close_on_result; /* close the client from inside the callback */
    int close_status;
} bot_state;

static void bot_callback(void *user_data, polygram_handle client, const polygram_event *ev) {
    bot_state *s = (bot_state *)user_data;
    char type[32], text[128], reply[160];
    pthread_mutex_lock(&s->mu);
    if (s->closed_seen) s->after_closed++;
    pthread_mutex_unlock(&s->mu);
    if (ev->type == POLYGRAM_EVENT_CONNECTION_STATE) {
        mp_get_str(ev->data, ev->data_len, "state", type, sizeof type);
        if (strcmp(type, "closed") == 0) {
            pthread_mutex_lock(&s->mu);
            s->closed_seen = 1;
            pthread_mutex_unlock(&s->mu);
        }
        return;
    }
    if (ev->type == POLYGRAM_EVENT_RESULT || ev->type == POLYGRAM_EVENT_ERROR) {
        pthread_mutex_lock(&s->mu);
        s->results++;
        if (ev->type == POLYGRAM_EVENT_ERROR) s->errors++;
        pthread_mutex_unlock(&s->mu);
        if (s->close_on_result) {
            s->close_on_result = 0;
            s->close_status = polygram_client_close(client); /* re-entrant close */
        }
        return;
    }
    if (ev->type != POLYGRAM_EVENT_UPDATE) return;
    mp_get_str(ev->data, ev->data_len, "type", type, sizeof type);
    if (strcmp(type, "new_message") == 0) {
        int out = 0;
        mp_val v;
        if (mp_get(ev->data, ev->data_len, "out", &v)) mp_bool(v, &out);
        if (!out) {
            mp_buf b = {0, 0, 0};
            uint64_t id;
            unsigned char *res = NULL;
            size_t res_len = 0;
            pthread_mutex_lock(&s->mu);
            s->messages++;
            pthread_mutex_unlock(&s->mu);
            /* A blocking call from inside the callback. */
            mp_build(&b, "{method:s}", "get_me");
            if (polygram_invoke(client, POLYGRAM_ENCODING_CALL, b.data, b.len, 10, &res, &res_len, NULL, NULL) == POLYGRAM_OK) {
                pthread_mutex_lock(&s->mu);
                s->invoke_ok++;
                pthread_mutex_unlock(&s->mu);
                polygram_free(res);
            }
            /* And an asynchronous reply. */
            mp_get_str(ev->data, ev->data_len, "message.message", text, sizeof text);
            sprintf(reply, "echo: %s", text);
            mp_reset(&b);
            mp_build(&b, "{method:s args:{peer:I text:s reply_to:I}}", "send_message", mp_get_int(ev->data, ev->data_len, "chat_id", 0),
                     reply, mp_get_int(ev->data, ev->data_len, "message.id", 0));
            if (polygram_send(client, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, NULL, NULL) == POLYGRAM_OK) {
                pthread_mutex_lock(&s->mu);
                s->replies_sent++;
                pthread_mutex_unlock(&s->mu);
            }
            mp_free(&b);
        }
    }
}

static void test_bot_callback(void) {
    bot_state s;
    polygram_handle bot, user, c3;
    tracker t;
    polygram_event ev;
    unsigned char *ans;
    size_t len = 0;
    char token[128];
    int st, i;
    double t0;
    mp_buf b = {0, 0, 0};
    uint64_t id;

    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    ans = emu_cmd(&len, "{method:s args:{username:s first_name:s}}", "create_bot", "cecho_bot", "Echo");
    mp_get_str(ans, len, "token", token, sizeof token);
    polygram_free(ans);
    create_user("9996621005", "Eve", "eve_c");

    bot = new_client(bot_callback, &s, NULL);
    CHECK(bot != 0, "a client with a callback");
    CHECK(polygram_receive(bot, 0, &ev) == POLYGRAM_ERR_WRONG_MODE, "receive on a callback client is WRONG_MODE");
    mp_build(&b, "{method:s args:{bot_token:s}}", "login", token);
    CHECK(polygram_invoke(bot, POLYGRAM_ENCODING_CALL, b.data, b.len, 10, &ans, &len, NULL, NULL) == POLYGRAM_OK, "bot login");
    polygram_free(ans);
    mp_reset(&b);
    mp_build(&b, "{method:s}", "start_updates");
    CHECK(polygram_invoke(bot, POLYGRAM_ENCODING_CALL, b.data, b.len, 10, &ans, &len, NULL, NULL) == POLYGRAM_OK, "bot start_updates");
    polygram_free(ans);

    memset(&t, 0, sizeof t);
    user = new_client(NULL, NULL, NULL);
    CHECK(login_user(user, &t, "9996621005") == POLYGRAM_OK, "user login");
    CHECK(call(user, &t, &ev, "{method:s}", "start_updates") == POLYGRAM_OK, "user start_updates");
    polygram_free(ev.data);
    CHECK(call(user, &t, &ev, "{method:s args:{peer:s text:s}}", "send_message", "@cecho_bot", "Hello, bot") == POLYGRAM_OK,
          "the user writes to the bot");
    polygram_free(ev.data);
    CHECK(pump_until(user, &t, 10, got_message), "the user receives an update");
    CHECK(strcmp(t.last_text, "echo: Hello, bot") == 0, "the bot's reply, sent from inside its callback");
    CHECK(s.messages == 1 && s.invoke_ok == 1 && s.replies_sent == 1, "the callback re-entered the library (invoke, send)");

    /* Close from outside: returns after the last event; no call after. */
    CHECK(polygram_client_close(bot) == POLYGRAM_OK, "close a callback client from outside");
    CHECK(s.closed_seen && s.after_closed == 0, "the callback saw closed last, before close returned");
    polygram_client_close(user);

    /* Close from inside the callback. */
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    c3 = new_client(bot_callback, &s, NULL);
    s.close_on_result = 1;
    mp_reset(&b);
    mp_build(&b, "{method:s}", "ping_local");
    for (i = 0; i < 3; i++) polygram_send(c3, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, NULL, NULL);
    t0 = now_s();
    while (!s.closed_seen && now_s() - t0 < 5) sleep_ms(5);
    CHECK(s.closed_seen && s.close_status == POLYGRAM_OK, "close from inside the callback does not deadlock");
    CHECK(s.after_closed == 0, "nothing after closed");
    st = polygram_client_close(c3);
    CHECK(st == POLYGRAM_OK, "and closing again from outside is fine");
    CHECK(polygram_send(c3, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, NULL, NULL) == POLYGRAM_ERR_CLOSED, "a closed callback client");
    mp_free(&b);
    pthread_mutex_destroy(&s.mu);
}

/* ---- backpressure -------------------------------------------------------- */

static void test_backpressure(void) {
    polygram_handle c;
    tracker t;
    polygram_event ev;
    int64_t fay, gus;
    unsigned char *out;
    int i, results = 0, n_sent = 20, pings = 10;
    uint64_t ids[10];
    mp_buf b = {0, 0, 0};

    fay = create_user("9996621006", "Fay", "");
    gus = create_user("9996621007", "Gus", "");
    memset(&t, 0, sizeof t);
    c = new_client(NULL, NULL, "event_queue_size:i log_level:s", 4, "off");
    CHECK(login_user(c, &t, "9996621006") == POLYGRAM_OK, "login");
    CHECK(call(c, &t, &ev, "{method:s}", "start_updates") == POLYGRAM_OK, "start_updates");
    polygram_free(ev.data);
    pump(c, &t, 0, 0.2, NULL);
    memset(&t, 0, sizeof t);
    for (i = 0; i < n_sent; i++) {
        out = emu_cmd(NULL, "{method:s args:{from:I peer:I text:s}}", "send_message", gus, fay, "flood");
        polygram_free(out);
    }
    mp_build(&b, "{method:s}", "ping_local");
    for (i = 0; i < pings; i++) polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, &ids[i], NULL, NULL);
    sleep_ms(700); /* a slow consumer */
    while (polygram_receive(c, 0.3, &ev) == POLYGRAM_OK) {
        if (ev.type == POLYGRAM_EVENT_RESULT) results++;
        track(&t, &ev);
        polygram_free(ev.data);
    }
    CHECK(results == pings, "results are never dropped");
    CHECK(t.new_messages <= 4, "at most event_queue_size updates were kept");
    CHECK(t.dropped_events >= 1 && t.dropped + t.new_messages == n_sent, "a DROPPED event counts the rest");
    polygram_client_close(c);
    mp_free(&b);
}

/* ---- concurrency ------------------------------------------------------- */

typedef struct conc {
    polygram_handle c;
    int sent, received;
    pthread_mutex_t mu;
} conc;

static void *conc_sender(void *arg) {
    conc *x = (conc *)arg;
    mp_buf b = {0, 0, 0};
    uint64_t id;
    int i, n = 0;
    mp_build(&b, "{method:s}", "ping_local");
    for (i = 0; i < 2000; i++) {
        if (polygram_send(x->c, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, NULL, NULL) == POLYGRAM_OK) n++;
    }
    pthread_mutex_lock(&x->mu);
    x->sent += n;
    pthread_mutex_unlock(&x->mu);
    mp_free(&b);
    return NULL;
}

static void *conc_receiver(void *arg) {
    conc *x = (conc *)arg;
    polygram_event ev;
    int n = 0;
    while (polygram_receive(x->c, 0.5, &ev) == POLYGRAM_OK) {
        if (ev.type == POLYGRAM_EVENT_RESULT) n++;
        polygram_free(ev.data);
    }
    pthread_mutex_lock(&x->mu);
    x->received += n;
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

static void test_concurrency(void) {
    conc x;
    pthread_t th[6];
    int i;
    memset(&x, 0, sizeof x);
    pthread_mutex_init(&x.mu, NULL);
    x.c = new_client(NULL, NULL, "log_level:s", "off");
    for (i = 0; i < 4; i++) pthread_create(&th[i], NULL, conc_sender, &x);
    for (i = 4; i < 6; i++) pthread_create(&th[i], NULL, conc_receiver, &x);
    for (i = 0; i < 6; i++) pthread_join(th[i], NULL);
    CHECK(x.sent == 8000 && x.received == 8000, "4 senders and 2 receivers on one client: every result once");
    polygram_client_close(x.c);
    pthread_mutex_destroy(&x.mu);
}

/* ---- a session file ------------------------------------------------------ */

static void test_session_file(void) {
    char path[256];
    polygram_handle c, c2;
    tracker t;
    polygram_event ev;
    unsigned char *err = NULL;
    size_t err_len = 0;
    mp_buf b = {0, 0, 0};
    unsigned char *cfg;
    size_t cfg_len = 0;

    sprintf(path, "/tmp/polygram-ctest-%ld.session", (long)getpid());
    remove(path);
    create_user("9996621008", "Hal", "");
    memset(&t, 0, sizeof t);
    c = new_client(NULL, NULL, "session:s", path);
    CHECK(c != 0, "a client with a session file");
    CHECK(login_user(c, &t, "9996621008") == POLYGRAM_OK, "login");
    /* The file is locked while in use. */
    mp_build(&b, "{method:s args:{session:s}}", "client_config", path);
    CHECK(polygram_emulator_call(emu, b.data, b.len, &cfg, &cfg_len, NULL, NULL) == POLYGRAM_OK, "config");
    CHECK(polygram_client_new(cfg, cfg_len, NULL, NULL, &c2, &err, &err_len) == POLYGRAM_ERR_SESSION, "a second client on the file: SESSION");
    polygram_free(err);
    err = NULL;
    CHECK(polygram_client_close(c) == POLYGRAM_OK, "close flushes the session");
    CHECK(polygram_client_new(cfg, cfg_len, NULL, NULL, &c2, NULL, NULL) == POLYGRAM_OK, "reopen");
    memset(&t, 0, sizeof t);
    pump(c2, &t, 0, 0.1, NULL);
    CHECK(strcmp(t.auth, "ready") == 0, "the reopened session starts ready");
    CHECK(call(c2, &t, &ev, "{method:s}", "get_me") == POLYGRAM_OK, "and works without a login");
    polygram_free(ev.data);
    polygram_client_close(c2);
    polygram_free(cfg);
    mp_free(&b);
    remove(path);
}

/* ---- raw updates and log level ---------------------------------------- */

static void test_raw_updates(void) {
    polygram_handle c;
    tracker t;
    polygram_event ev;
    int64_t ida, ivo;
    unsigned char *out;
    int raw_seen = 0, new_seen = 0;
    char type[32];
    double t0;
    ida = create_user("9996621009", "Ida", "");
    ivo = create_user("9996621010", "Ivo", "");
    memset(&t, 0, sizeof t);
    c = new_client(NULL, NULL, "raw_updates:b", 1);
    login_user(c, &t, "9996621009");
    CHECK(call(c, &t, &ev, "{method:s}", "start_updates") == POLYGRAM_OK, "start_updates");
    polygram_free(ev.data);
    out = emu_cmd(NULL, "{method:s args:{from:I peer:I text:s}}", "send_message", ivo, ida, "raw?");
    polygram_free(out);
    t0 = now_s();
    while ((!raw_seen || !new_seen) && now_s() - t0 < 5) {
        if (polygram_receive(c, 0.1, &ev) != POLYGRAM_OK) continue;
        if (ev.type == POLYGRAM_EVENT_UPDATE) {
            mp_get_str(ev.data, ev.data_len, "type", type, sizeof type);
            if (strcmp(type, "raw_updates") == 0 && mp_get_int(ev.data, ev.data_len, "dc", 0) == 2) raw_seen = 1;
            if (strcmp(type, "new_message") == 0 && mp_get_int(ev.data, ev.data_len, "sender_id", 0) == ivo &&
                mp_get_int(ev.data, ev.data_len, "chat_id", 0) == ivo)
                new_seen = 1;
        }
        polygram_free(ev.data);
    }
    CHECK(raw_seen, "raw_updates events carry the pushed updates");
    CHECK(new_seen, "new_message with chat_id and sender_id");
    polygram_client_close(c);
}

/* ---- random input never crashes ---------------------------------------- */

static void test_random_input(void) {
    unsigned char buf[64], *out = NULL, *err = NULL;
    size_t len = 0, err_len = 0;
    polygram_handle c = new_client(NULL, NULL, "log_level:s", "off"), h;
    int i, j, crashed = 0;
    uint64_t id;
    srand(42);
    for (i = 0; i < 3000; i++) {
        size_t n = (size_t)(rand() % (int)sizeof buf);
        polygram_status st;
        for (j = 0; j < (int)n; j++) buf[j] = (unsigned char)rand();
        if (i % 3 == 0 && n > 0) buf[0] = (unsigned char)(0x80 | (rand() % 16)); /* often a map */
        st = polygram_send(c, (polygram_encoding)(1 + i % 3), buf, n, &id, &err, &err_len);
        if (st == POLYGRAM_ERR_INTERNAL) crashed++;
        polygram_free(err);
        err = NULL;
        if (polygram_client_new(buf, n, NULL, NULL, &h, &err, &err_len) == POLYGRAM_OK) polygram_client_close(h);
        polygram_free(err);
        err = NULL;
        if (polygram_emulator_call(emu, buf, n, &out, &len, &err, &err_len) == POLYGRAM_OK) polygram_free(out);
        polygram_free(err);
        err = NULL;
        if (polygram_tl_to_msgpack(buf, n, &out, &len, &err, &err_len) == POLYGRAM_OK) polygram_free(out);
        polygram_free(err);
        err = NULL;
        if (polygram_msgpack_to_tl(buf, n, &out, &len, &err, &err_len) == POLYGRAM_OK) polygram_free(out);
        polygram_free(err);
        err = NULL;
    }
    CHECK(crashed == 0, "3000 random inputs to every entry point: errors, never a crash or an internal fault");
    polygram_client_close(c);
}

/* ---- memory across 100,000 cycles ------------------------------------- */

static void test_memory(void) {
    polygram_handle c = new_client(NULL, NULL, "log_level:s", "off");
    mp_buf b = {0, 0, 0};
    polygram_event ev;
    uint64_t id;
    int i, bad = 0;
    long rss1 = 0, rss2;
    unsigned char *st;
    size_t st_len;
    int64_t heap1 = 0, heap2;
    mp_build(&b, "{method:s args:{text:s}}", "ping_local", "some payload to copy around");
    while (polygram_receive(c, 0.1, &ev) == POLYGRAM_OK) polygram_free(ev.data); /* the initial auth state */
    for (i = 0; i < 100000; i++) {
        if (polygram_send(c, POLYGRAM_ENCODING_CALL, b.data, b.len, &id, NULL, NULL) != POLYGRAM_OK ||
            polygram_receive(c, 1, &ev) != POLYGRAM_OK) {
            bad++;
            continue;
        }
        if (ev.request_id != id) bad++;
        polygram_free(ev.data);
        if (i == 999) {
            polygram_stats(1, &st, &st_len);
            heap1 = mp_get_int(st, st_len, "go_heap_alloc", 0);
            polygram_free(st);
            rss1 = rss_kb();
        }
    }
    polygram_stats(1, &st, &st_len);
    heap2 = mp_get_int(st, st_len, "go_heap_alloc", 0);
    polygram_free(st);
    rss2 = rss_kb();
    printf("memory: RSS %ld KB after 1,000 cycles, %ld KB after 100,000 (%+.1f%%); Go heap %ld KB -> %ld KB\n", rss1, rss2,
           100.0 * (double)(rss2 - rss1) / (double)rss1, (long)(heap1 / 1024), (long)(heap2 / 1024));
    CHECK(bad == 0, "100,000 send/receive cycles");
    CHECK(rss2 <= rss1 + rss1 / 10, "RSS within 10% after 100,000 cycles");
    CHECK(heap2 <= heap1 + heap1 / 10 + 512 * 1024, "Go heap flat after 100,000 cycles");
    polygram_client_close(c);
    mp_free(&b);
}

#include "test_additions.inc"

int main(void) {
    test_bridge();
    test_identity();
    test_emulator();
    test_client_errors();
    test_user_flows();
    test_password_and_sign_up();
    test_bot_callback();
    test_backpressure();
    test_concurrency();
    test_session_file();
    test_raw_updates();
    test_errors_list();
    test_event_fd();
    test_connection_states_after_a_drop();
    test_progress();
    test_update_kinds();
    test_random_input();
    test_memory();
    CHECK(polygram_emulator_stop(emu) == POLYGRAM_OK, "emulator stops");
    printf("%d passed, %d failed\n", passed, failures);
    return failures == 0 ? 0 : 1;
}
