// Counts, for each SQL text a process runs, its executions (sqlite3_step calls that start a run are not told
// apart from the steps of a multi-row SELECT: a statement returning n rows counts n + 1) and the SQLite VM steps
// it took (sqlite3_stmt_status(SQLITE_STMTSTATUS_VM_STEP), read and reset at each sqlite3_reset and
// sqlite3_finalize), and at exit the process's write counters from /proc/self/io. Loaded with LD_PRELOAD into a
// `quaero` that links the system's libsqlite3; writes to $SQLITE_STEPS_OUT.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sqlite3_stmt sqlite3_stmt;
enum { VM_STEP = 4, MAX_TEXTS = 4096 };

static int (*real_step)(sqlite3_stmt *);
static int (*real_reset)(sqlite3_stmt *);
static int (*real_finalize)(sqlite3_stmt *);
static int (*real_status)(sqlite3_stmt *, int, int);
static const char *(*real_sql)(sqlite3_stmt *);
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *texts[MAX_TEXTS];
static long steps[MAX_TEXTS], calls[MAX_TEXTS];
static int used;

static void resolve(void) {
    real_step = dlsym(RTLD_NEXT, "sqlite3_step");
    real_reset = dlsym(RTLD_NEXT, "sqlite3_reset");
    real_finalize = dlsym(RTLD_NEXT, "sqlite3_finalize");
    real_status = dlsym(RTLD_NEXT, "sqlite3_stmt_status");
    real_sql = dlsym(RTLD_NEXT, "sqlite3_sql");
}

// The slot of `text`, under `lock`; -1 when the table is full.
static int slot(const char *text) {
    for (int i = 0; i < used; i++) if (strcmp(texts[i], text) == 0) return i;
    if (used == MAX_TEXTS) return -1;
    texts[used] = strdup(text);
    return used++;
}

static void count(sqlite3_stmt *statement, long addSteps, long addCalls) {
    const char *text = real_sql(statement);
    pthread_mutex_lock(&lock);
    int i = slot(text ? text : "(no text)");
    if (i >= 0) { steps[i] += addSteps; calls[i] += addCalls; }
    pthread_mutex_unlock(&lock);
}

int sqlite3_step(sqlite3_stmt *statement) {
    pthread_once(&once, resolve);
    count(statement, 0, 1);
    return real_step(statement);
}

static void settle(sqlite3_stmt *statement) {
    if (!statement) return;
    int n = real_status(statement, VM_STEP, 1);
    if (n > 0) count(statement, n, 0);
}

int sqlite3_reset(sqlite3_stmt *statement) {
    pthread_once(&once, resolve);
    settle(statement);
    return real_reset(statement);
}

int sqlite3_finalize(sqlite3_stmt *statement) {
    pthread_once(&once, resolve);
    settle(statement);
    return real_finalize(statement);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("SQLITE_STEPS_OUT");
    FILE *out = path ? fopen(path, "w") : NULL;
    if (!out) return;
    for (int i = 0; i < used; i++) {
        fprintf(out, "%ld\t%ld\t", steps[i], calls[i]);
        for (const char *c = texts[i]; *c; c++) fputc(*c == '\n' || *c == '\t' ? ' ' : *c, out);
        fputc('\n', out);
    }
    FILE *io = fopen("/proc/self/io", "r");
    char line[256];
    while (io && fgets(line, sizeof line, io)) fprintf(out, "#io %s", line);
    if (io) fclose(io);
    fclose(out);
}
