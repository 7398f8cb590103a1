/* check.h -- the counters and CHECK macro of the C test suite. */
#ifndef POLYGRAM_TEST_CHECK_H
#define POLYGRAM_TEST_CHECK_H

#include <stdio.h>

extern int failures;
extern int passed;

#define CHECK(cond, what)                                                  \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failures++;                                                    \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what); \
        }                                                                  \
    } while (0)

void test_bridge(void);

#endif
