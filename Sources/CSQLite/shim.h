#ifndef QUAERO_CSQLITE_SHIM_H
#define QUAERO_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro cast of -1 that Swift cannot import; this gives it a name.
static inline sqlite3_destructor_type quaero_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_db_config is variadic, which Swift cannot call; this is its form for the integer options (a value of
// -1 leaves the option as it is; `current` receives its value after the call).
static inline int quaero_sqlite_db_config_int(sqlite3 *db, int op, int value, int *current) {
    return sqlite3_db_config(db, op, value, current);
}
#endif
