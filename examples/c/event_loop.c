/*
 * event_loop.c -- one thread, poll(2), and Polygram.
 *
 * A program that already waits on descriptors (poll, epoll, kqueue, libuv,
 * GLib) need not park a thread in polygram_receive: polygram_event_fd gives
 * a descriptor that is readable while polygram_receive(client, 0, ...) has
 * an event. This example logs a user in against the bundled emulator, then,
 * from a single poll loop, keeps several requests in flight (raw TL
 * help.getNearestDc and friendly calls), receives the messages another user
 * sends it as UPDATE events, and ends when the client is closed and drained.
 *
 *   cc -std=c99 -Iinclude -Iexamples/c examples/c/event_loop.c \
 *      -Lbuild -lpolygram -Wl,-rpath,build -o event_loop && ./event_loop
 */
#define _POSIX_C_SOURCE 200809L
#include "polygram.h"
#include "mp.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die(const char *what, const unsigned char *err, size_t len) {
    char msg[512];
    fprintf(stderr, "event_loop: %s failed: %s\n", what, err ? mp_get_str(err, len, "message", msg, sizeof msg) : "");
    exit(1);
}

static unsigned char *emulator(polygram_handle emu, size_t *len, mp_buf *cmd) {
    unsigned char *out = NULL, *err = NULL;
    size_t err_len = 0;
    if (polygram_emulator_call(emu, cmd->data, cmd->len, &out, len, &err, &err_len) != POLYGRAM_OK) die("emulator command", err, err_len);
    mp_free(cmd);
    return out;
}

/* send_request queues a request; its result arrives as an event. */
static uint64_t send_request(polygram_handle c, polygram_encoding enc, const unsigned char *data, size_t len) {
    uint64_t id = 0;
    unsigned char *err = NULL;
    size_t err_len = 0;
    if (polygram_send(c, enc, data, len, &id, &err, &err_len) != POLYGRAM_OK) die("send", err, err_len);
    return id;
}

int main(void) {
    polygram_handle emu, c;
    mp_buf b = {0, 0, 0};
    unsigned char *ans, *err = NULL;
    size_t len = 0, err_len = 0;
    char buf[256], code[16], hash[128];
    /* help.getNearestDc#1fb33026 as boxed TL (little-endian constructor id). */
    const unsigned char nearest_dc[4] = {0x26, 0x30, 0xb3, 0x1f};
    int fd = -1, i, results = 0, updates = 0, login_step = 0, closing = 0, done = 0;
    uint64_t login_id;
    int64_t lea_id, max_id;

    if (polygram_emulator_start(NULL, 0, &emu, &err, &err_len) != POLYGRAM_OK) die("emulator_start", err, err_len);
    mp_build(&b, "{method:s args:{phone:s first_name:s last_name:s username:s}}", "create_user", "9996631301", "Lea", "", "lea_loop");
    ans = emulator(emu, &len, &b);
    lea_id = mp_get_int(ans, len, "id", 0);
    polygram_free(ans);
    mp_build(&b, "{method:s args:{phone:s first_name:s last_name:s username:s}}", "create_user", "9996631302", "Max", "", "max_loop");
    ans = emulator(emu, &len, &b);
    max_id = mp_get_int(ans, len, "id", 0);
    polygram_free(ans);

    mp_build(&b, "{method:s args:{log_level:s}}", "client_config", "warn");
    ans = emulator(emu, &len, &b);
    if (polygram_client_new(ans, len, NULL, NULL, &c, &err, &err_len) != POLYGRAM_OK) die("client_new", err, err_len);
    polygram_free(ans);
    if (polygram_event_fd(c, &fd) != POLYGRAM_OK) die("event_fd", NULL, 0);

    /* The login runs as a small state machine driven by its results. */
    mp_build(&b, "{method:s args:{phone:s}}", "send_code", "9996631301");
    login_id = send_request(c, POLYGRAM_ENCODING_CALL, b.data, b.len);
    mp_free(&b);

    while (!done) {
        struct pollfd p;
        polygram_event ev;
        polygram_status st;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, 10000) <= 0) {
            fprintf(stderr, "event_loop: nothing for 10 s\n");
            return 1;
        }
        /* Readable: take everything queued, without waiting. */
        while ((st = polygram_receive(c, 0, &ev)) == POLYGRAM_OK) {
            if (ev.type == POLYGRAM_EVENT_ERROR) die("a request", ev.data, ev.data_len);
            if (ev.type == POLYGRAM_EVENT_RESULT && ev.request_id == login_id && login_step == 0) {
                mp_get_str(ev.data, ev.data_len, "hash", hash, sizeof hash);
                mp_build(&b, "{method:s args:{phone:s}}", "login_code", "9996631301");
                ans = emulator(emu, &len, &b);
                mp_get_str(ans, len, "code", code, sizeof code);
                polygram_free(ans);
                mp_build(&b, "{method:s args:{phone:s hash:s code:s}}", "sign_in", "9996631301", hash, code);
                login_id = send_request(c, POLYGRAM_ENCODING_CALL, b.data, b.len);
                mp_free(&b);
                login_step = 1;
            } else if (ev.type == POLYGRAM_EVENT_RESULT && ev.request_id == login_id && login_step == 1) {
                printf("logged in as %s\n", mp_get_str(ev.data, ev.data_len, "first_name", buf, sizeof buf));
                mp_build(&b, "{method:s}", "start_updates");
                login_id = send_request(c, POLYGRAM_ENCODING_CALL, b.data, b.len);
                mp_free(&b);
                login_step = 2;
            } else if (ev.type == POLYGRAM_EVENT_RESULT && ev.request_id == login_id && login_step == 2) {
                /* Updates on: eight raw requests in flight at once, and
                 * three messages from Max, all answered in this loop. */
                for (i = 0; i < 8; i++) send_request(c, POLYGRAM_ENCODING_TL, nearest_dc, sizeof nearest_dc);
                for (i = 0; i < 3; i++) {
                    sprintf(buf, "message %d from Max", i + 1);
                    mp_build(&b, "{method:s args:{from:I peer:I text:s}}", "send_message", max_id, lea_id, buf);
                    polygram_free(emulator(emu, &len, &b));
                }
                login_step = 3;
            } else if (ev.type == POLYGRAM_EVENT_RESULT && ev.encoding == POLYGRAM_ENCODING_TL) {
                results++; /* nearestDc as TL bytes: constructor, country, this_dc, nearest_dc */
            } else if (ev.type == POLYGRAM_EVENT_UPDATE &&
                       strcmp(mp_get_str(ev.data, ev.data_len, "type", buf, sizeof buf), "new_message") == 0) {
                printf("update: \"%s\"\n", mp_get_str(ev.data, ev.data_len, "message.message", buf, sizeof buf));
                updates++;
            }
            polygram_free(ev.data);
        }
        if (st == POLYGRAM_ERR_CLOSED) done = 1; /* closed and drained: the descriptor reads end of file */
        if (!closing && results == 8 && updates == 3) {
            printf("8 raw results and 3 updates, from one thread\n");
            polygram_client_close(c); /* the loop sees the last events, then CLOSED */
            closing = 1;
        }
    }
    close(fd);
    polygram_emulator_stop(emu);
    return results == 8 && updates == 3 ? 0 : 1;
}
