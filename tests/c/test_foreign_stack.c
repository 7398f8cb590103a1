/*
 * Calls into the library from a stack the host allocated, as FFI layers
 * such as koffi (Node) do: on the main thread, whose stack bounds
 * capi/stackbound.c caches, and on a second thread, which goes to glibc.
 * Every call must return the right answer; the last line of the output is
 * "N passed, N failed". A separate program because ucontext needs
 * _XOPEN_SOURCE, which test_capi.c (C89) does not use.
 */
#define _XOPEN_SOURCE 700
#include "polygram.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#define STACK_SIZE (256 * 1024)
#define CALLS 2000

static ucontext_t host_ctx, foreign_ctx;
static int good_calls;

static void calls(void) {
    int i;
    for (i = 0; i < CALLS; i++) {
        unsigned char *out = NULL;
        size_t out_len = 0;
        if (polygram_abi_version() != POLYGRAM_ABI_VERSION) continue;
        if (strcmp(polygram_status_name(POLYGRAM_ERR_CLOSED), "CLOSED") != 0) continue;
        if (i % 100 == 0) { /* one that allocates and returns Go-built data */
            if (polygram_stats(0, &out, &out_len) != POLYGRAM_OK || out_len == 0) continue;
            polygram_free(out);
        }
        good_calls++;
    }
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int run_on_foreign_stack(void) {
    void *stack = malloc(STACK_SIZE);
    if (stack == NULL) return -1;
    good_calls = 0;
    if (getcontext(&foreign_ctx) != 0) return -1;
    foreign_ctx.uc_stack.ss_sp = stack;
    foreign_ctx.uc_stack.ss_size = STACK_SIZE;
    foreign_ctx.uc_link = &host_ctx;
    makecontext(&foreign_ctx, calls, 0);
    if (swapcontext(&host_ctx, &foreign_ctx) != 0) return -1;
    free(stack);
    return good_calls;
}

static void *thread_main(void *arg) {
    *(int *)arg = run_on_foreign_stack();
    return NULL;
}

int main(void) {
    int passed = 0, failed = 0, got, on_thread = -1;
    pthread_t t;
    double t0, t1, t2;

    t0 = now_us();
    got = run_on_foreign_stack();
    t1 = now_us();
    if (got == CALLS) passed++; else { failed++; fprintf(stderr, "main thread, foreign stack: %d/%d calls right\n", got, CALLS); }

    calls(); /* back on the main thread's own stack: the cached bounds still fit */
    good_calls = 0;
    t2 = now_us();
    calls();
    /* a figure, not a check: without capi/stackbound.c the first is ~60x the second */
    printf("main thread: %.2f us per call from a foreign stack, %.2f us from its own\n",
           (t1 - t0) / CALLS, (now_us() - t2) / CALLS);
    if (good_calls == CALLS) passed++; else { failed++; fprintf(stderr, "main thread, own stack: %d/%d\n", good_calls, CALLS); }

    if (pthread_create(&t, NULL, thread_main, &on_thread) != 0 || pthread_join(t, NULL) != 0) on_thread = -1;
    if (on_thread == CALLS) passed++; else { failed++; fprintf(stderr, "second thread, foreign stack: %d/%d\n", on_thread, CALLS); }

    got = run_on_foreign_stack(); /* and the main thread once more after the other thread */
    if (got == CALLS) passed++; else { failed++; fprintf(stderr, "main thread again: %d/%d\n", got, CALLS); }

    printf("foreign stacks: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
