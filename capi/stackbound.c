/*
 * stackbound.c -- keeps calls into the library from a host's main thread
 * cheap when the caller runs them on a stack of its own.
 *
 * Each time a foreign thread calls into Go, the Go runtime checks that the
 * stack pointer lies within the bounds it knows for that thread; when it
 * does not, it asks pthread_getattr_np again (runtime/cgo,
 * x_cgo_getstackbound). FFI layers that run calls on a stack they allocate
 * (koffi, which Node programs use) are never within the bounds, so that
 * question is asked on every call. For a process's main thread glibc
 * answers it by reading and parsing /proc/self/maps: ~65 us per call in a
 * Node process, against ~1 us for the whole call otherwise.
 *
 * The main thread's stack does not move, and glibc derives its extent from
 * the same mappings and RLIMIT_STACK each time, so this file answers for
 * the main thread from the first answer. Its pthread_getattr_np is hidden:
 * it replaces glibc's for the code linked into libpolygram.so only (the Go
 * runtime's cgo objects), never for the host program.
 */
#define _GNU_SOURCE
#include <pthread.h> /* defines __GLIBC__ with glibc */
#if defined(__linux__) && defined(__GLIBC__)
#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef int (*getattr_fn)(pthread_t, pthread_attr_t *);

static getattr_fn real_getattr;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;
static void *main_addr;
static size_t main_size;
static int main_known; /* 1 once main_addr and main_size hold glibc's answer */

static void find_real(void) { *(void **)(&real_getattr) = dlsym(RTLD_NEXT, "pthread_getattr_np"); }

__attribute__((visibility("hidden"))) int pthread_getattr_np(pthread_t thread, pthread_attr_t *attr) {
    int main_thread, rc;
    pthread_once(&real_once, find_real);
    if (real_getattr == NULL) return -1;
    main_thread = pthread_equal(thread, pthread_self()) && (pid_t)syscall(SYS_gettid) == getpid();
    if (!main_thread) return real_getattr(thread, attr);
    if (__atomic_load_n(&main_known, __ATOMIC_ACQUIRE)) {
        rc = pthread_attr_init(attr);
        if (rc == 0) rc = pthread_attr_setstack(attr, main_addr, main_size);
        if (rc == 0) return 0;
        pthread_attr_destroy(attr);
    }
    rc = real_getattr(thread, attr);
    if (rc == 0 && !__atomic_load_n(&main_known, __ATOMIC_ACQUIRE)) {
        void *addr;
        size_t size;
        if (pthread_attr_getstack(attr, &addr, &size) == 0) {
            main_addr = addr; /* only the main thread writes, once */
            main_size = size;
            __atomic_store_n(&main_known, 1, __ATOMIC_RELEASE);
        }
    }
    return rc;
}
#else
typedef int polygram_stackbound_unused; /* ISO C wants a declaration */
#endif
