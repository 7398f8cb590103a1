/*
 * Benchmarks of Polygram's C API from C:
 *  - the boundary alone: a no-op request (friendly ping_local) sent and its
 *    result event received, with polygram_receive and with a callback, and
 *    the blocking polygram_invoke;
 *  - a real RPC (help.getNearestDc as raw TL) against the emulator;
 *  - memory: RSS and Go heap after 1,000 and after 100,000 request/response
 *    cycles, both for ping_local and for the real RPC.
 * Usage: bench_capi [--quick]   (--quick: fewer iterations, for make test)
 */
#define _POSIX_C_SOURCE 200809L
#include "polygram.h"
#include "mp.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long rss_kb(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long heap_kb(void) {
    unsigned char *st;
    size_t len;
    long kb;
    if (polygram_stats(1, &st, &len) != POLYGRAM_OK) return -1;
    kb = (long)(mp_get_int(st, len, "go_heap_alloc", 0) / 1024);
    polygram_free(st);
    return kb;
}

/* ctx_switches returns the voluntary context switches of all the process's
 * threads so far (Linux; -1 elsewhere): each is a thread going to sleep, and
 * each costs a wake-up later (docs/capi.md, "Latency"). */
static long ctx_switches(void) {
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    long total = 0;
    if (d == NULL) return -1;
    while ((e = readdir(d)) != NULL) {
        char path[300], line[256];
        FILE *f;
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
        if ((f = fopen(path, "r")) == NULL) continue;
        while (fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "voluntary_ctxt_switches:", 24) == 0) total += atol(line + 24);
        }
        fclose(f);
    }
    closedir(d);
    return total;
}

static long sw_mark = -1;

/* mark starts counting context switches for the next report. */
static void mark(void) { sw_mark = ctx_switches(); }

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *ns, int n) {
    long sw = ctx_switches();
    qsort(ns, (size_t)n, sizeof *ns, cmp_double);
    printf("%-44s median %7.2f us   p90 %7.2f us   p99 %7.2f us   (%d runs", what, ns[n / 2] / 1e3, ns[n * 9 / 10] / 1e3,
           ns[n * 99 / 100] / 1e3, n);
    if (sw_mark >= 0 && sw >= 0) printf(", %.2f ctxsw/run", (double)(sw - sw_mark) / n);
    printf(")\n");
}

static void drain(polygram_handle c) {
    polygram_event ev;
    while (polygram_receive(c, 0.05, &ev) == POLYGRAM_OK) polygram_free(ev.data);
}

/* One request and its event through polygram_receive; returns 0 on success. */
static int round_trip(polygram_handle c, polygram_encoding enc, const unsigned char *req, size_t len) {
    uint64_t id;
    polygram_event ev;
    if (polygram_send(c, enc, req, len, &id, NULL, NULL) != POLYGRAM_OK) return -1;
    for (;;) {
        if (polygram_receive(c, 10, &ev) != POLYGRAM_OK) return -1;
        polygram_free(ev.data);
        if (ev.request_id == id) return ev.type == POLYGRAM_EVENT_RESULT ? 0 : -1;
    }
}

/* Callback mode: the callback flags the id it saw (and counts errors, so
 * that a failed request ends the wait too). */
static volatile uint64_t cb_seen;
static volatile int cb_errors;

static void on_event(void *ud, polygram_handle c, const polygram_event *ev) {
    (void)ud;
    (void)c;
    if (ev->type == POLYGRAM_EVENT_ERROR) __atomic_add_fetch(&cb_errors, 1, __ATOMIC_RELAXED);
    if (ev->type == POLYGRAM_EVENT_RESULT || ev->type == POLYGRAM_EVENT_ERROR)
        __atomic_store_n(&cb_seen, ev->request_id, __ATOMIC_RELEASE);
}

static unsigned char *emu_call(polygram_handle emu, size_t *len, const char *fmt, const char *method, const char *arg) {
    mp_buf b = {0, 0, 0};
    unsigned char *out = NULL;
    mp_build(&b, fmt, method, arg, "Bench");
    if (polygram_emulator_call(emu, b.data, b.len, &out, len, NULL, NULL) != POLYGRAM_OK) out = NULL;
    mp_free(&b);
    return out;
}

/* memory runs n cycles and prints RSS and Go heap after 1,000 and after n. */
static int memory(const char *what, polygram_handle c, polygram_encoding enc, const unsigned char *req, size_t len, int n) {
    long rss1 = 0, heap1 = 0, rss2, heap2;
    int i, bad = 0;
    double t0 = now_ns();
    for (i = 0; i < n; i++) {
        if (round_trip(c, enc, req, len) != 0) bad++;
        if (i == 999) {
            heap1 = heap_kb();
            rss1 = rss_kb();
        }
    }
    heap2 = heap_kb();
    rss2 = rss_kb();
    printf("%-44s RSS %ld -> %ld KB (%+.1f%%), Go heap %ld -> %ld KB, %d cycles in %.1f s, %d failed\n", what, rss1, rss2,
           100.0 * (double)(rss2 - rss1) / (double)rss1, heap1, heap2, n, (now_ns() - t0) / 1e9, bad);
    return bad == 0 && rss2 <= rss1 + rss1 / 10;
}

int main(int argc, char **argv) {
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int n_local = quick ? 20000 : 200000, n_rpc = quick ? 2000 : 20000, n_mem = quick ? 5000 : 100000, i, ok = 1;
    double *ns = (double *)malloc(sizeof(double) * (size_t)n_local);
    polygram_handle emu, c, cb;
    mp_buf ping = {0, 0, 0};
    unsigned char *cfg, *out;
    size_t cfg_len = 0, out_len = 0;
    /* help.getNearestDc#1fb33026 */
    static const unsigned char nearest[] = {0x26, 0x30, 0xb3, 0x1f};
    char code[16];

    if (polygram_emulator_start(NULL, 0, &emu, NULL, NULL) != POLYGRAM_OK) return 1;
    cfg = emu_call(emu, &cfg_len, "{method:s args:{log_level:s}}", "client_config", "off");
    if (cfg == NULL || polygram_client_new(cfg, cfg_len, NULL, NULL, &c, NULL, NULL) != POLYGRAM_OK) return 1;
    if (polygram_client_new(cfg, cfg_len, on_event, NULL, &cb, NULL, NULL) != POLYGRAM_OK) return 1;
    drain(c);
    mp_build(&ping, "{method:s}", "ping_local");

    /* The boundary alone, polygram_receive. */
    for (i = 0; i < 1000; i++) round_trip(c, POLYGRAM_ENCODING_CALL, ping.data, ping.len);
    mark();
    for (i = 0; i < n_local; i++) {
        double t0 = now_ns();
        if (round_trip(c, POLYGRAM_ENCODING_CALL, ping.data, ping.len) != 0) ok = 0;
        ns[i] = now_ns() - t0;
    }
    report("ping_local: send -> receive", ns, n_local);

    /* The boundary alone, with a callback (another thread delivers). */
    mark();
    for (i = 0; i < n_local; i++) {
        uint64_t id = 0;
        double t0 = now_ns();
        if (polygram_send(cb, POLYGRAM_ENCODING_CALL, ping.data, ping.len, &id, NULL, NULL) != POLYGRAM_OK) ok = 0;
        while (__atomic_load_n(&cb_seen, __ATOMIC_ACQUIRE) != id) {
        }
        ns[i] = now_ns() - t0;
    }
    report("ping_local: send -> callback", ns, n_local);

    /* The blocking call. */
    mark();
    for (i = 0; i < n_local; i++) {
        double t0 = now_ns();
        if (polygram_invoke(c, POLYGRAM_ENCODING_CALL, ping.data, ping.len, 10, &out, &out_len, NULL, NULL) != POLYGRAM_OK) ok = 0;
        else polygram_free(out);
        ns[i] = now_ns() - t0;
    }
    report("ping_local: invoke", ns, n_local);

    /* A real RPC on loopback, logged in as a user. */
    out = emu_call(emu, &out_len, "{method:s args:{phone:s first_name:s}}", "create_user", "9996620042");
    polygram_free(out);
    out = emu_call(emu, &out_len, "{method:s args:{phone:s}}", "login_code", "9996620042");
    mp_get_str(out, out_len, "code", code, sizeof code);
    polygram_free(out);
    {
        mp_buf b = {0, 0, 0};
        mp_build(&b, "{method:s args:{phone:s code:s}}", "login", "9996620042", code);
        unsigned char *err = NULL;
        size_t err_len = 0;
        char msg[256];
        if (polygram_invoke(c, POLYGRAM_ENCODING_CALL, b.data, b.len, 10, &out, &out_len, &err, &err_len) != POLYGRAM_OK) {
            fprintf(stderr, "login failed: %s\n", mp_get_str(err, err_len, "message", msg, sizeof msg));
            polygram_free(err);
            ok = 0;
        } else {
            polygram_free(out);
        }
        mp_free(&b);
    }
    drain(c);
    mark();
    for (i = 0; i < n_rpc; i++) {
        double t0 = now_ns();
        if (round_trip(c, POLYGRAM_ENCODING_TL, nearest, sizeof nearest) != 0) ok = 0;
        ns[i] = now_ns() - t0;
    }
    report("help.getNearestDc (TL): send -> receive", ns, n_rpc);
    mark();
    for (i = 0; i < n_rpc; i++) {
        double t0 = now_ns();
        if (polygram_invoke(c, POLYGRAM_ENCODING_TL, nearest, sizeof nearest, 10, &out, &out_len, NULL, NULL) != POLYGRAM_OK) ok = 0;
        else polygram_free(out);
        ns[i] = now_ns() - t0;
    }
    report("help.getNearestDc (TL): invoke", ns, n_rpc);
    {
        /* The callback client logs in with the session of the first one. */
        mp_buf b = {0, 0, 0};
        unsigned char *s = NULL;
        size_t s_len = 0;
        char str[1024];
        polygram_handle cb2 = 0;
        mp_build(&b, "{method:s}", "export_session");
        if (polygram_invoke(c, POLYGRAM_ENCODING_CALL, b.data, b.len, 10, &s, &s_len, NULL, NULL) == POLYGRAM_OK) {
            unsigned char *cfg2;
            size_t cfg2_len = 0;
            mp_get_str(s, s_len, "string", str, sizeof str);
            polygram_free(s);
            mp_reset(&b);
            mp_build(&b, "{method:s args:{log_level:s session:{string:s}}}", "client_config", "off", str);
            if (polygram_emulator_call(emu, b.data, b.len, &cfg2, &cfg2_len, NULL, NULL) == POLYGRAM_OK) {
                if (polygram_client_new(cfg2, cfg2_len, on_event, NULL, &cb2, NULL, NULL) != POLYGRAM_OK) cb2 = 0;
                polygram_free(cfg2);
            }
        }
        mp_free(&b);
        mark();
        for (i = 0; cb2 != 0 && i < n_rpc; i++) {
            uint64_t id = 0;
            double t0 = now_ns();
            if (polygram_send(cb2, POLYGRAM_ENCODING_TL, nearest, sizeof nearest, &id, NULL, NULL) != POLYGRAM_OK) ok = 0;
            while (__atomic_load_n(&cb_seen, __ATOMIC_ACQUIRE) != id) {
            }
            ns[i] = now_ns() - t0;
        }
        if (cb2 != 0) report("help.getNearestDc (TL): send -> callback", ns, n_rpc);
        else ok = 0;
        if (cb_errors != 0) {
            printf("%d callback requests failed\n", cb_errors);
            ok = 0;
        }
        polygram_client_close(cb2);
    }

    ok &= memory("memory, ping_local:", c, POLYGRAM_ENCODING_CALL, ping.data, ping.len, n_mem);
    /* Reported, not enforced: this run includes the MTProto engine and the
     * emulator (same process), whose growth is theirs (docs/capi.md). */
    if (!memory("memory, help.getNearestDc:", c, POLYGRAM_ENCODING_TL, nearest, sizeof nearest, n_mem))
        printf("  (RSS grew more than 10%%: see docs/capi.md, \"Memory\")\n");

    polygram_client_close(c);
    polygram_client_close(cb);
    polygram_emulator_stop(emu);
    polygram_free(cfg);
    mp_free(&ping);
    free(ns);
    printf("bench: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
