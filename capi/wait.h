/* wait.h -- how host threads wait for the library outside Go (wait.c). */
#ifndef POLYGRAM_WAIT_H
#define POLYGRAM_WAIT_H

#include <stdint.h>

/* Internal to the library: not exported from libpolygram.so. */
#if defined(__GNUC__)
#define POLYGRAM_INTERNAL __attribute__((visibility("hidden")))
#else
#define POLYGRAM_INTERNAL
#endif

/* The counter a client's waker bumps on every change (Go adds to it
 * atomically), and the number of threads asleep on it. */
POLYGRAM_INTERNAL uint32_t *polygram_wait_seq(uint64_t handle);
POLYGRAM_INTERNAL int32_t *polygram_wait_sleepers(uint64_t handle);
/* Wakes the threads asleep on a client's counter. */
POLYGRAM_INTERNAL void polygram_wait_wake(uint64_t handle);

#endif
