#ifndef SWITCHBOARD_CSQLITE_SHIM_H
#define SWITCHBOARD_CSQLITE_SHIM_H

#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/// `SQLITE_TRANSIENT` is a macro casting -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type sb_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// Process-wide settings, applied once before the first connection opens.
///
/// Memory statistics take a global mutex on every allocation; nothing here reads them.
static inline int sb_sqlite_configure(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// State for `sb_busy_wait`, owned by one connection.
typedef struct sb_busy_state {
    long long timeout_ns;
    long long started_ns;
    unsigned int seed;
} sb_busy_state;

static inline long long sb_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/// A busy handler that polls the lock often, with jitter, until a deadline.
///
/// SQLite's own `sqlite3_busy_timeout` sleeps 1, 2, 5, 10 ... 100 ms between tries. A process that
/// commits and begins again within microseconds then wins every hand-over and starves the sleeper
/// for seconds. Short random sleeps (50-400 us) let a waiter land in the holder's gap between two
/// transactions, so several processes sharing one file all make progress.
static inline int sb_busy_wait(void *context, int attempt) {
    sb_busy_state *state = (sb_busy_state *)context;
    long long now = sb_monotonic_ns();
    if (attempt == 0) {
        state->started_ns = now;
    } else if (now - state->started_ns > state->timeout_ns) {
        return 0;
    }
    usleep(20u + (unsigned int)rand_r(&state->seed) % 60u);
    return 1;
}

static inline int sb_install_busy_handler(sqlite3 *db, sb_busy_state *state) {
    return sqlite3_busy_handler(db, sb_busy_wait, state);
}

#endif
