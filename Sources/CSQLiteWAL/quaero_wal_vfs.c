// SQLite's default VFS with the writes of a transaction to its write-ahead log gathered in memory and written
// with one call at the transaction's commit frame.
//
// Why: SQLite writes each WAL frame with two calls (its 24-byte header, then the page: walWriteOneFrame in
// wal.c), so a commit of six pages is twelve pwrite(2) calls, each of which takes the inode's lock and updates
// its times. In the enqueue-to-start loop of `quaero bench` (one job a commit, three commits a job), 24 pwrite
// calls a job were 14 % of the process's CPU samples (perf, 2026-11-29).
//
// Why it is safe: what reaches the file, and in which order, is what SQLite wrote, only later within one
// transaction. A transaction becomes visible to other connections when its writer copies the new wal-index
// header into shared memory (walIndexWriteHdr), and survives the writer's crash once its frames are in the
// file; both happen after the commit frame's page is written, which is where the buffer is written (and where
// a failure is returned to SQLite as that write's error, so the commit fails as it would without the buffer).
// The one commit header that no page follows, walRewriteChecksums' (after a transaction overwrote one of its own
// frames, it rewrites the headers from that frame on, each right after reading that frame whole), is told by
// that read and written at once. Every other way SQLite looks at or changes the file (read, size, truncate,
// sync, file control, close) writes the buffer first. Nothing is kept across transactions: the end of the write lock writes what is left (frames
// of a transaction that rolled back, which SQLite would have written anyway). One check guards the cases this
// reasoning does not foresee: the shared-memory barrier that precedes the header's publication writes any
// buffered bytes (and aborts the process if that fails: better a crash, which loses only this unacknowledged
// commit, than a header naming frames that are not in the file).
//
// A WAL file is matched with its connection's main database file by the name SQLite opened them with: the
// pager opens both from one block of names, and sqlite3_filename_database() of the WAL's name is the main
// file's name pointer. A WAL that matches none is written through, unbuffered.

#include "quaero_wal_vfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The WAL's frame header (wal.c: WAL_FRAME_HDRSIZE); bytes 4-7 are the database size after a commit, zero for
// other frames.
#define FRAME_HEADER 24
// The most a buffer holds before it is written (a transaction of many pages is written in pieces this size):
// 92 frames of Quaero's 1 KB pages. The default VFS writes at most 0x1ffff bytes a call (seekAndWriteFd in
// os_unix.c masks the length with it: a write of 256 KB became one of 0 bytes, which SQLite reports as
// SQLITE_FULL).
#define BUFFER_CAPACITY (96 * 1024)
_Static_assert(BUFFER_CAPACITY <= 0x1ffff, "the default VFS writes at most 0x1ffff bytes a call");
// The shared-memory lock slot of the one writer (wal.c: WAL_WRITE_LOCK).
#define WRITE_LOCK 0

typedef struct QuaeroFile QuaeroFile;
struct QuaeroFile {
    sqlite3_file base;
    sqlite3_file *real;      // the default VFS's file, allocated right after this struct
    int isWAL;
    const char *owner;       // main file: its name; WAL: its main file's name (sqlite3_filename_database)
    QuaeroFile *wal;         // main file: its connection's WAL while open
    QuaeroFile *main;        // WAL: its connection's main file
    QuaeroFile *next;        // the registry of open main files
    unsigned char *buffer;   // WAL: the writes not yet made, contiguous from `start`
    sqlite3_int64 start;
    int length;
    sqlite3_int64 lastRead;  // WAL: where the last read began, until the next write (-1: none)
    int commitPending;       // WAL: a commit frame's header was buffered; its page comes next
    long long writes;        // WAL: the writes SQLite made
    long long flushes;       // WAL: the writes made to the file for them
};

static sqlite3_vfs *realVFS;
static sqlite3_vfs quaeroVFS;
static sqlite3_io_methods methods[4];
static pthread_mutex_t registryLock = PTHREAD_MUTEX_INITIALIZER;
static QuaeroFile *registry;
static pthread_once_t registration = PTHREAD_ONCE_INIT;
static int registrationResult = SQLITE_OK;

#define REAL(f) (((QuaeroFile *)(f))->real)
#define REAL_METHODS(f) (REAL(f)->pMethods)

// MARK: The buffer

static int flushWAL(QuaeroFile *wal) {
    if (wal->length == 0) return SQLITE_OK;
    int rc = wal->real->pMethods->xWrite(wal->real, wal->buffer, wal->length, wal->start);
    wal->flushes++;
    wal->length = 0;
    return rc;
}

static int isCommitHeader(const void *data, int amount) {
    const unsigned char *bytes = data;
    return amount == FRAME_HEADER && (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

static int writeWAL(QuaeroFile *wal, const void *data, int amount, sqlite3_int64 offset) {
    wal->writes++;
    int rc;
    if (wal->length > 0 && offset != wal->start + wal->length && (rc = flushWAL(wal)) != SQLITE_OK) return rc;
    if (wal->length + amount > BUFFER_CAPACITY && (rc = flushWAL(wal)) != SQLITE_OK) return rc;
    int rewrite = offset == wal->lastRead;
    wal->lastRead = -1;
    if (amount > BUFFER_CAPACITY || (wal->buffer == NULL && (wal->buffer = malloc(BUFFER_CAPACITY)) == NULL)) {
        // Too large for the buffer, or no memory for one: written as it comes (the buffer is empty here).
        wal->commitPending = 0;
        wal->flushes++;
        return wal->real->pMethods->xWrite(wal->real, data, amount, offset);
    }
    if (wal->length == 0) wal->start = offset;
    memcpy(wal->buffer + wal->length, data, (size_t)amount);
    wal->length += amount;
    if (wal->commitPending) {
        // The commit frame's page (walWriteOneFrame writes it right after its header): the last write of the
        // commit, before the wal-index header is published.
        wal->commitPending = 0;
        return flushWAL(wal);
    }
    if (isCommitHeader(data, amount)) {
        // A commit frame's header is followed by its page (walWriteOneFrame), but for the header that
        // walRewriteChecksums writes back over a frame it has just read whole: no page follows that one.
        if (rewrite) return flushWAL(wal);
        wal->commitPending = 1;
    }
    return SQLITE_OK;
}

// MARK: The registry of main files

static void registerMain(QuaeroFile *file) {
    pthread_mutex_lock(&registryLock);
    file->next = registry;
    registry = file;
    pthread_mutex_unlock(&registryLock);
}

static void unregisterMain(QuaeroFile *file) {
    pthread_mutex_lock(&registryLock);
    for (QuaeroFile **link = &registry; *link; link = &(*link)->next) {
        if (*link == file) {
            *link = file->next;
            break;
        }
    }
    if (file->wal) file->wal->main = NULL;
    file->wal = NULL;
    pthread_mutex_unlock(&registryLock);
}

static void attachWAL(QuaeroFile *wal) {
    pthread_mutex_lock(&registryLock);
    for (QuaeroFile *file = registry; file; file = file->next) {
        if (file->owner == wal->owner && file->wal == NULL) {
            file->wal = wal;
            wal->main = file;
            break;
        }
    }
    pthread_mutex_unlock(&registryLock);
}

static void detachWAL(QuaeroFile *wal) {
    pthread_mutex_lock(&registryLock);
    if (wal->main) wal->main->wal = NULL;
    wal->main = NULL;
    pthread_mutex_unlock(&registryLock);
}

// MARK: File methods

// Writes a WAL's buffer before an operation that reads or changes the file; nothing for other files.
static int flushBefore(sqlite3_file *f) {
    QuaeroFile *file = (QuaeroFile *)f;
    return file->isWAL ? flushWAL(file) : SQLITE_OK;
}

static int fileClose(sqlite3_file *f) {
    QuaeroFile *file = (QuaeroFile *)f;
    if (file->isWAL) {
        flushWAL(file);
        detachWAL(file);
        free(file->buffer);
        file->buffer = NULL;
    } else if (file->owner) {
        unregisterMain(file);
    }
    return REAL_METHODS(f)->xClose(REAL(f));
}

static int fileRead(sqlite3_file *f, void *data, int amount, sqlite3_int64 offset) {
    int rc = flushBefore(f);
    if (rc != SQLITE_OK) return rc;
    ((QuaeroFile *)f)->lastRead = offset;
    return REAL_METHODS(f)->xRead(REAL(f), data, amount, offset);
}

static int fileWrite(sqlite3_file *f, const void *data, int amount, sqlite3_int64 offset) {
    QuaeroFile *file = (QuaeroFile *)f;
    if (file->isWAL && file->main) return writeWAL(file, data, amount, offset);
    return REAL_METHODS(f)->xWrite(REAL(f), data, amount, offset);
}

static int fileTruncate(sqlite3_file *f, sqlite3_int64 size) {
    int rc = flushBefore(f);
    return rc != SQLITE_OK ? rc : REAL_METHODS(f)->xTruncate(REAL(f), size);
}

static int fileSync(sqlite3_file *f, int flags) {
    int rc = flushBefore(f);
    return rc != SQLITE_OK ? rc : REAL_METHODS(f)->xSync(REAL(f), flags);
}

static int fileSize(sqlite3_file *f, sqlite3_int64 *size) {
    int rc = flushBefore(f);
    return rc != SQLITE_OK ? rc : REAL_METHODS(f)->xFileSize(REAL(f), size);
}

static int fileLock(sqlite3_file *f, int lock) { return REAL_METHODS(f)->xLock(REAL(f), lock); }

static int fileUnlock(sqlite3_file *f, int lock) { return REAL_METHODS(f)->xUnlock(REAL(f), lock); }

static int fileCheckReservedLock(sqlite3_file *f, int *out) { return REAL_METHODS(f)->xCheckReservedLock(REAL(f), out); }

static int fileControl(sqlite3_file *f, int op, void *arg) {
    QuaeroFile *file = (QuaeroFile *)f;
    if (op == QUAERO_WAL_FCNTL_COUNTS && !file->isWAL) {
        long long *counts = arg;
        counts[0] = file->wal ? file->wal->writes : 0;
        counts[1] = file->wal ? file->wal->flushes : 0;
        return SQLITE_OK;
    }
    int rc = flushBefore(f);
    return rc != SQLITE_OK ? rc : REAL_METHODS(f)->xFileControl(REAL(f), op, arg);
}

static int fileSectorSize(sqlite3_file *f) { return REAL_METHODS(f)->xSectorSize(REAL(f)); }

static int fileDeviceCharacteristics(sqlite3_file *f) { return REAL_METHODS(f)->xDeviceCharacteristics(REAL(f)); }

static int fileShmMap(sqlite3_file *f, int region, int size, int extend, void volatile **out) {
    return REAL_METHODS(f)->xShmMap(REAL(f), region, size, extend, out);
}

static int fileShmLock(sqlite3_file *f, int offset, int n, int flags) {
    QuaeroFile *wal = ((QuaeroFile *)f)->wal;
    int writeLock = wal && (flags & SQLITE_SHM_EXCLUSIVE) && offset <= WRITE_LOCK && WRITE_LOCK < offset + n;
    if (writeLock && (flags & SQLITE_SHM_UNLOCK)) {
        // The write transaction is over: what is left (a rolled-back transaction's frames) goes out now, so that
        // nothing waits in the buffer while another writer may change the file.
        flushWAL(wal);
        wal->commitPending = 0;
    }
    return REAL_METHODS(f)->xShmLock(REAL(f), offset, n, flags);
}

static void fileShmBarrier(sqlite3_file *f) {
    QuaeroFile *wal = ((QuaeroFile *)f)->wal;
    if (wal && wal->length > 0 && flushWAL(wal) != SQLITE_OK) {
        // Reached only if SQLite wrote a commit in a way the buffer does not foresee; publishing the header
        // now would name frames that are not in the file.
        fprintf(stderr, "quaero: could not write the SQLite write-ahead log before publishing a commit\n");
        abort();
    }
    REAL_METHODS(f)->xShmBarrier(REAL(f));
}

static int fileShmUnmap(sqlite3_file *f, int deleteFlag) {
    QuaeroFile *wal = ((QuaeroFile *)f)->wal;
    if (wal) flushWAL(wal);
    return REAL_METHODS(f)->xShmUnmap(REAL(f), deleteFlag);
}

static int fileFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out) {
    return REAL_METHODS(f)->xFetch(REAL(f), offset, amount, out);
}

static int fileUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *page) {
    return REAL_METHODS(f)->xUnfetch(REAL(f), offset, page);
}

// MARK: VFS methods

static int vfsOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *outFlags) {
    (void)vfs;
    QuaeroFile *file = (QuaeroFile *)f;
    memset(file, 0, sizeof(QuaeroFile));
    file->real = (sqlite3_file *)&file[1];
    int rc = realVFS->xOpen(realVFS, name, file->real, flags, outFlags);
    if (file->real->pMethods == NULL) {
        file->base.pMethods = NULL;
        return rc;
    }
    int version = file->real->pMethods->iVersion;
    file->base.pMethods = &methods[version < 1 ? 1 : version > 3 ? 3 : version];
    if (rc != SQLITE_OK || name == NULL) return rc;
    if (flags & SQLITE_OPEN_MAIN_DB) {
        file->owner = name;
        registerMain(file);
    } else if (flags & SQLITE_OPEN_WAL) {
        file->isWAL = 1;
        file->lastRead = -1;
        file->owner = sqlite3_filename_database(name);
        attachWAL(file);
    }
    return rc;
}

static int vfsDelete(sqlite3_vfs *vfs, const char *name, int syncDir) {
    (void)vfs;
    return realVFS->xDelete(realVFS, name, syncDir);
}

static int vfsAccess(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    return realVFS->xAccess(realVFS, name, flags, out);
}

static int vfsFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return realVFS->xFullPathname(realVFS, name, size, out);
}

static void *vfsDlOpen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return realVFS->xDlOpen(realVFS, name);
}

static void vfsDlError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    realVFS->xDlError(realVFS, size, out);
}

static void (*vfsDlSym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return realVFS->xDlSym(realVFS, handle, symbol);
}

static void vfsDlClose(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    realVFS->xDlClose(realVFS, handle);
}

static int vfsRandomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVFS->xRandomness(realVFS, size, out);
}

static int vfsSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return realVFS->xSleep(realVFS, microseconds);
}

static int vfsCurrentTime(sqlite3_vfs *vfs, double *out) {
    (void)vfs;
    return realVFS->xCurrentTime(realVFS, out);
}

static int vfsGetLastError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVFS->xGetLastError(realVFS, size, out);
}

static int vfsCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
    (void)vfs;
    return realVFS->xCurrentTimeInt64(realVFS, out);
}

static int vfsSetSystemCall(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr call) {
    (void)vfs;
    return realVFS->xSetSystemCall(realVFS, name, call);
}

static sqlite3_syscall_ptr vfsGetSystemCall(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return realVFS->xGetSystemCall(realVFS, name);
}

static const char *vfsNextSystemCall(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return realVFS->xNextSystemCall(realVFS, name);
}

// MARK: Registration

static void registerOnce(void) {
    realVFS = sqlite3_vfs_find(NULL);
    if (realVFS == NULL) {
        registrationResult = SQLITE_ERROR;
        return;
    }
    for (int version = 1; version <= 3; version++) {
        methods[version] = (sqlite3_io_methods){
            .iVersion = version,
            .xClose = fileClose,
            .xRead = fileRead,
            .xWrite = fileWrite,
            .xTruncate = fileTruncate,
            .xSync = fileSync,
            .xFileSize = fileSize,
            .xLock = fileLock,
            .xUnlock = fileUnlock,
            .xCheckReservedLock = fileCheckReservedLock,
            .xFileControl = fileControl,
            .xSectorSize = fileSectorSize,
            .xDeviceCharacteristics = fileDeviceCharacteristics,
            .xShmMap = version >= 2 ? fileShmMap : NULL,
            .xShmLock = version >= 2 ? fileShmLock : NULL,
            .xShmBarrier = version >= 2 ? fileShmBarrier : NULL,
            .xShmUnmap = version >= 2 ? fileShmUnmap : NULL,
            .xFetch = version >= 3 ? fileFetch : NULL,
            .xUnfetch = version >= 3 ? fileUnfetch : NULL,
        };
    }
    quaeroVFS = (sqlite3_vfs){
        .iVersion = realVFS->iVersion < 3 ? realVFS->iVersion : 3,
        .szOsFile = (int)sizeof(QuaeroFile) + realVFS->szOsFile,
        .mxPathname = realVFS->mxPathname,
        .zName = QUAERO_WAL_VFS_NAME,
        .xOpen = vfsOpen,
        .xDelete = vfsDelete,
        .xAccess = vfsAccess,
        .xFullPathname = vfsFullPathname,
        .xDlOpen = vfsDlOpen,
        .xDlError = vfsDlError,
        .xDlSym = vfsDlSym,
        .xDlClose = vfsDlClose,
        .xRandomness = vfsRandomness,
        .xSleep = vfsSleep,
        .xCurrentTime = vfsCurrentTime,
        .xGetLastError = vfsGetLastError,
        .xCurrentTimeInt64 = realVFS->iVersion >= 2 ? vfsCurrentTimeInt64 : NULL,
        .xSetSystemCall = realVFS->iVersion >= 3 ? vfsSetSystemCall : NULL,
        .xGetSystemCall = realVFS->iVersion >= 3 ? vfsGetSystemCall : NULL,
        .xNextSystemCall = realVFS->iVersion >= 3 ? vfsNextSystemCall : NULL,
    };
    registrationResult = sqlite3_vfs_register(&quaeroVFS, 0);
}

int quaero_wal_vfs_register(void) {
    pthread_once(&registration, registerOnce);
    return registrationResult;
}
