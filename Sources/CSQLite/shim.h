#ifndef SWITCHBOARD_CSQLITE_SHIM_H
#define SWITCHBOARD_CSQLITE_SHIM_H

#include <sqlite3.h>

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

#endif
