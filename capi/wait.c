/*
 * wait.c -- polygram_receive and polygram_invoke wait here, in C, not inside
 * Go. A host thread that blocks in a Go function runs a goroutine locked to
 * it: each park and wake-up passes the Go scheduler's P between two threads,
 * and work the call started waits on the P the thread keeps while it is in
 * C. Waiting in C costs one futex wake-up when the result comes, and the Go
 * side runs on ordinary goroutines. See capi/bridge/wake.go and docs/capi.md
 * ("Latency"). Waiters sleep at once: a spin before sleeping (50 us, tried)
 * took the vCPU the Go side needed on a 2-vCPU machine and doubled the
 * median round trip.
 *
 * Each client hashes to one of WAIT_SLOTS slots (a counter, a mutex and a
 * condition variable). The Go side bumps the counter on every change of the
 * client (an event queued, a blocking call done) and signals the condition
 * only when a thread sleeps on it. Two clients sharing a slot only cost a
 * spurious wake-up. Slots are static: a waiter may outlive its client.
 */
#define _POSIX_C_SOURCE 200809L
#undef POLYGRAM_BUILDING_LIBRARY
#include "polygram.h"
#include "wait.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

/* Go exports (capi/main.go). They never block. */
extern int polygram_internal_receive_now(polygram_handle client, polygram_event *event);
extern int polygram_internal_invoke_start(polygram_handle client, int encoding, unsigned char *request, size_t request_len,
                                          double timeout_seconds, uintptr_t *call, unsigned char **out, size_t *out_len,
                                          unsigned char **err, size_t *err_len);
extern int polygram_internal_invoke_poll(uintptr_t call, unsigned char **out, size_t *out_len, unsigned char **err,
                                         size_t *err_len);

/* What polygram_internal_invoke_poll returns while the call runs. */
#define WAIT_PENDING (-1)

#define WAIT_SLOTS 64
typedef struct wait_slot {
    uint32_t seq;
    int32_t sleepers;
    pthread_mutex_t mu;
    pthread_cond_t cond;
} wait_slot;

static wait_slot slots[WAIT_SLOTS];
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;
#if defined(__APPLE__)
#define WAIT_CLOCK CLOCK_REALTIME
#else
#define WAIT_CLOCK CLOCK_MONOTONIC
#endif

static void slots_init(void) {
    int i;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
#if !defined(__APPLE__)
    pthread_condattr_setclock(&attr, WAIT_CLOCK);
#endif
    for (i = 0; i < WAIT_SLOTS; i++) {
        pthread_mutex_init(&slots[i].mu, NULL);
        pthread_cond_init(&slots[i].cond, &attr);
    }
    pthread_condattr_destroy(&attr);
}

static wait_slot *slot_of(uint64_t handle) {
    pthread_once(&slots_once, slots_init);
    return &slots[(handle >> 2) % WAIT_SLOTS];
}

uint32_t *polygram_wait_seq(uint64_t handle) { return &slot_of(handle)->seq; }
int32_t *polygram_wait_sleepers(uint64_t handle) { return &slot_of(handle)->sleepers; }

void polygram_wait_wake(uint64_t handle) {
    wait_slot *s = slot_of(handle);
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(WAIT_CLOCK, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint32_t load_seq(wait_slot *s) { return __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST); }

/* wait_change sleeps until the counter differs from seen or the deadline
 * (0: none) passes. */
static void wait_change(wait_slot *s, uint32_t seen, double deadline) {
    pthread_mutex_lock(&s->mu);
    __atomic_add_fetch(&s->sleepers, 1, __ATOMIC_SEQ_CST);
    while (load_seq(s) == seen) {
        if (deadline > 0) {
            struct timespec ts;
            ts.tv_sec = (time_t)(deadline / 1e9);
            ts.tv_nsec = (long)(deadline - (double)ts.tv_sec * 1e9);
            if (ts.tv_nsec < 0) ts.tv_nsec = 0;
            if (ts.tv_nsec > 999999999L) ts.tv_nsec = 999999999L;
            if (pthread_cond_timedwait(&s->cond, &s->mu, &ts) != 0 && now_ns() >= deadline) break;
        } else {
            pthread_cond_wait(&s->cond, &s->mu);
        }
    }
    __atomic_sub_fetch(&s->sleepers, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&s->mu);
}

/* deadline_of converts a timeout in seconds: negative, NaN or absurdly long
 * is no deadline (0). */
static double deadline_of(double timeout) {
    if (!(timeout >= 0) || timeout > 1e9) return 0;
    return now_ns() + timeout * 1e9;
}

polygram_status polygram_receive(polygram_handle client, double timeout_seconds, polygram_event *event) {
    wait_slot *s = slot_of(client);
    double deadline = 0;
    int first = 1;
    if (event == NULL) return POLYGRAM_ERR_INVALID_ARGUMENT;
    /* Cleared first, so that on any status but OK event->data is NULL and a
     * caller that frees it anyway (the previous event's pointer) is safe. */
    memset(event, 0, sizeof *event);
    for (;;) {
        uint32_t seen = load_seq(s);
        int st = polygram_internal_receive_now(client, event);
        if (st != POLYGRAM_ERR_TIMEOUT) return (polygram_status)st;
        if (timeout_seconds == 0) return POLYGRAM_ERR_TIMEOUT;
        if (first) {
            deadline = deadline_of(timeout_seconds);
            first = 0;
        } else if (deadline > 0 && now_ns() >= deadline) {
            return POLYGRAM_ERR_TIMEOUT;
        }
        wait_change(s, seen, deadline);
    }
}

polygram_status polygram_invoke(polygram_handle client, polygram_encoding encoding, const unsigned char *request,
                                size_t request_len, double timeout_seconds, unsigned char **out, size_t *out_len,
                                unsigned char **err, size_t *err_len) {
    uintptr_t call = 0;
    wait_slot *s = slot_of(client);
    int st = polygram_internal_invoke_start(client, (int)encoding, (unsigned char *)request, request_len, timeout_seconds,
                                            &call, out, out_len, err, err_len);
    if (st != WAIT_PENDING) return (polygram_status)st;
    for (;;) {
        uint32_t seen = load_seq(s);
        st = polygram_internal_invoke_poll(call, out, out_len, err, err_len);
        if (st != WAIT_PENDING) return (polygram_status)st;
        /* The Go side enforces the timeout: the call ends with TIMEOUT. */
        wait_change(s, seen, 0);
    }
}
