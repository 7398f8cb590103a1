/*
 * echo.c -- Polygram from C, end to end on one machine.
 *
 * It starts the bundled Telegram emulator (three data centres on loopback,
 * real MTProto) through the C API, creates a user and a bot, and logs both
 * in: the bot with its token, the user with a phone code (the client starts
 * on DC 2 and migrates to DC 3, where the number lives). The bot runs in
 * callback mode and echoes every message it gets, replying from inside its
 * callback; the user receives events with polygram_receive and talks to it.
 *
 *   make demo      (or: cc -Iinclude -Iexamples/c examples/c/echo.c
 *                   -Lbuild -lpolygram -Wl,-rpath,build -o echo && ./echo)
 *
 * mp.h is a tiny msgpack helper for this example; a real program may use
 * any msgpack library.
 */
#define _POSIX_C_SOURCE 200809L
#include "polygram.h"
#include "mp.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double start;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void step(const char *fmt, ...) {
    va_list ap;
    printf("[%7.1f ms] ", now() - start);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static void die(const char *what, const unsigned char *err, size_t len) {
    char msg[512];
    fprintf(stderr, "echo: %s failed: %s\n", what, err ? mp_get_str(err, len, "message", msg, sizeof msg) : "");
    exit(1);
}

/* emulator runs an emulator command; the answer is freed by the caller. */
static unsigned char *emulator(polygram_handle emu, size_t *len, const char *fmt, ...) {
    mp_buf cmd = {0, 0, 0};
    unsigned char *out = NULL, *err = NULL;
    size_t err_len = 0;
    va_list ap;
    va_start(ap, fmt);
    mp_build_value(&cmd, fmt, &ap);
    va_end(ap);
    if (polygram_emulator_call(emu, cmd.data, cmd.len, &out, len, &err, &err_len) != POLYGRAM_OK) die("emulator command", err, err_len);
    mp_free(&cmd);
    return out;
}

/* invoke makes a friendly call and waits for its result. */
static unsigned char *invoke(polygram_handle client, size_t *len, const char *fmt, ...) {
    mp_buf call = {0, 0, 0};
    unsigned char *out = NULL, *err = NULL;
    size_t err_len = 0;
    va_list ap;
    va_start(ap, fmt);
    mp_build_value(&call, fmt, &ap);
    va_end(ap);
    if (polygram_invoke(client, POLYGRAM_ENCODING_CALL, call.data, call.len, 30, &out, len, &err, &err_len) != POLYGRAM_OK)
        die("a call", err, err_len);
    mp_free(&call);
    return out;
}

static polygram_handle new_client(polygram_handle emu, polygram_callback cb, void *user_data) {
    size_t len = 0, err_len = 0;
    unsigned char *err = NULL;
    /* client_config returns a configuration pointing at the emulator (its
     * DC addresses and RSA key); extra keys are merged in. */
    unsigned char *config = emulator(emu, &len, "{method:s args:{log_level:s}}", "client_config", "warn");
    polygram_handle client = 0;
    if (polygram_client_new(config, len, cb, user_data, &client, &err, &err_len) != POLYGRAM_OK) die("client_new", err, err_len);
    polygram_free(config);
    return client;
}

/* The bot: every incoming message is answered "echo: ..." from inside the
 * callback, which runs on a library thread. */
static void bot_on_event(void *user_data, polygram_handle bot, const polygram_event *ev) {
    char type[32], text[256], reply[300];
    mp_val out;
    int is_out = 0;
    mp_buf call = {0, 0, 0};
    uint64_t id;
    (void)user_data;
    if (ev->type == POLYGRAM_EVENT_LOG) {
        fprintf(stderr, "bot log: %.*s\n", (int)ev->data_len, (const char *)ev->data);
        return;
    }
    if (ev->type == POLYGRAM_EVENT_ERROR) {
        char msg[256];
        fprintf(stderr, "bot: a request failed: %s\n", mp_get_str(ev->data, ev->data_len, "message", msg, sizeof msg));
        return;
    }
    if (ev->type != POLYGRAM_EVENT_UPDATE) return;
    mp_get_str(ev->data, ev->data_len, "type", type, sizeof type);
    if (strcmp(type, "new_message") != 0) return;
    if (mp_get(ev->data, ev->data_len, "out", &out)) mp_bool(out, &is_out);
    if (is_out) return;
    mp_get_str(ev->data, ev->data_len, "message.message", text, sizeof text);
    sprintf(reply, "echo: %s", text);
    /* Re-entering the library from the callback is allowed. */
    mp_build(&call, "{method:s args:{peer:I text:s reply_to:I}}", "send_message", mp_get_int(ev->data, ev->data_len, "chat_id", 0),
             reply, mp_get_int(ev->data, ev->data_len, "message.id", 0));
    polygram_send(bot, POLYGRAM_ENCODING_CALL, call.data, call.len, &id, NULL, NULL);
    mp_free(&call);
}

int main(void) {
    polygram_handle emu, bot, user;
    unsigned char *ans, *err = NULL;
    size_t len = 0, err_len = 0;
    char buf[512], token[128], code[16], name[64];
    int64_t alice_id;
    const char *texts[] = {"Hello, bot!", "Polygram speaks MTProto, from C."};
    int i, updates = 0;

    start = now();
    printf("Polygram %s (ABI %d, layer %d)\n", polygram_version(), polygram_abi_version(), polygram_layer());

    if (polygram_emulator_start(NULL, 0, &emu, &err, &err_len) != POLYGRAM_OK) die("emulator_start", err, err_len);
    ans = emulator(emu, &len, "{method:s}", "info");
    step("emulator up: DC1 %s, DC2 %s, DC3 %s", mp_get_str(ans, len, "dcs.0.addr", buf, 64),
         mp_get_str(ans, len, "dcs.1.addr", buf + 64, 64), mp_get_str(ans, len, "dcs.2.addr", buf + 128, 64));
    polygram_free(ans);

    ans = emulator(emu, &len, "{method:s args:{phone:s first_name:s last_name:s username:s}}", "create_user", "9996631234", "Alice",
                   "Example", "alice");
    alice_id = mp_get_int(ans, len, "id", 0);
    polygram_free(ans);
    ans = emulator(emu, &len, "{method:s args:{username:s first_name:s}}", "create_bot", "echo_bot", "Echo");
    mp_get_str(ans, len, "token", token, sizeof token);
    polygram_free(ans);
    step("created user Alice (+9996631234, id %ld, lives on DC3) and bot @echo_bot", (long)alice_id);

    /* The bot: callback mode, bot-token login, updates on. */
    bot = new_client(emu, bot_on_event, NULL);
    ans = invoke(bot, &len, "{method:s args:{bot_token:s}}", "login", token);
    polygram_free(ans);
    ans = invoke(bot, &len, "{method:s}", "start_updates");
    polygram_free(ans);
    step("bot logged in with its token and listening (callback mode)");

    /* The user: receive mode, phone login with the code the emulator sends
     * (send_code then sign_in, as an interactive program would). */
    user = new_client(emu, NULL, NULL);
    ans = invoke(user, &len, "{method:s args:{phone:s}}", "send_code", "+9996631234");
    mp_get_str(ans, len, "hash", buf, sizeof buf);
    polygram_free(ans);
    ans = emulator(emu, &len, "{method:s args:{phone:s}}", "login_code", "9996631234");
    mp_get_str(ans, len, "code", code, sizeof code);
    polygram_free(ans);
    ans = invoke(user, &len, "{method:s args:{phone:s hash:s code:s}}", "sign_in", "9996631234", buf, code);
    mp_get_str(ans, len, "first_name", name, sizeof name);
    polygram_free(ans);
    ans = invoke(user, &len, "{method:s}", "get_state");
    step("%s logged in on DC%ld with code %s", name, (long)mp_get_int(ans, len, "main_dc", 0), code);
    polygram_free(ans);
    ans = invoke(user, &len, "{method:s}", "start_updates");
    polygram_free(ans);
    for (;;) {
        /* The states the login went through, queued as events meanwhile. */
        polygram_event ev;
        if (polygram_receive(user, 0, &ev) != POLYGRAM_OK) break;
        if (ev.type == POLYGRAM_EVENT_AUTH_STATE || ev.type == POLYGRAM_EVENT_CONNECTION_STATE)
            step("  event: %s %s", ev.type == POLYGRAM_EVENT_AUTH_STATE ? "auth_state" : "connection_state",
                 mp_get_str(ev.data, ev.data_len, "state", buf, sizeof buf));
        polygram_free(ev.data);
    }

    for (i = 0; i < 2; i++) {
        double sent = now();
        int replied = 0;
        ans = invoke(user, &len, "{method:s args:{peer:s text:s}}", "send_message", "@echo_bot", texts[i]);
        step("%s -> @echo_bot: \"%s\" (message %ld)", name, texts[i], (long)mp_get_int(ans, len, "id", 0));
        polygram_free(ans);
        while (!replied) {
            polygram_event ev;
            polygram_status st = polygram_receive(user, 10, &ev);
            if (st != POLYGRAM_OK) {
                fprintf(stderr, "echo: no reply from the bot (%s)\n", polygram_status_name(st));
                return 1;
            }
            if (ev.type == POLYGRAM_EVENT_AUTH_STATE || ev.type == POLYGRAM_EVENT_CONNECTION_STATE) {
                step("  event: %s %s", ev.type == POLYGRAM_EVENT_AUTH_STATE ? "auth_state" : "connection_state",
                     mp_get_str(ev.data, ev.data_len, "state", buf, sizeof buf));
            } else if (ev.type == POLYGRAM_EVENT_UPDATE) {
                int out = 0;
                mp_val v;
                updates++;
                mp_get_str(ev.data, ev.data_len, "type", buf, sizeof buf);
                if (strcmp(buf, "new_message") == 0 && mp_get(ev.data, ev.data_len, "out", &v) && mp_bool(v, &out) && !out) {
                    step("@echo_bot -> %s: \"%s\" (reply to %ld, round trip %.1f ms)", name,
                         mp_get_str(ev.data, ev.data_len, "message.message", buf, sizeof buf),
                         (long)mp_get_int(ev.data, ev.data_len, "message.reply_to.reply_to_msg_id", 0), now() - sent);
                    replied = 1;
                }
            }
            polygram_free(ev.data);
        }
    }

    polygram_client_close(user);
    polygram_client_close(bot);
    polygram_emulator_stop(emu);
    step("done: %d updates received, clients closed, emulator stopped", updates);
    return 0;
}
