#ifndef QUAERO_CSQLITE_SHIM_H
#define QUAERO_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro cast of -1 that Swift cannot import; this gives it a name.
static inline sqlite3_destructor_type quaero_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif
