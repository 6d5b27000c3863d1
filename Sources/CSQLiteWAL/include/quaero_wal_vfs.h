#ifndef QUAERO_WAL_VFS_H
#define QUAERO_WAL_VFS_H

/// The name of the VFS that `quaero_wal_vfs_register` adds: SQLite's default VFS, with the writes of a
/// transaction to its write-ahead log gathered and written at once (see quaero_wal_vfs.c).
#define QUAERO_WAL_VFS_NAME "quaero-wal"

/// Registers the VFS (not as the default) once per process; returns an SQLite result code.
int quaero_wal_vfs_register(void);

/// A file control of the main database (`sqlite3_file_control(db, "main", QUAERO_WAL_FCNTL_COUNTS, counts)`,
/// `counts` two long longs): the writes SQLite made to its connection's write-ahead log since it was opened, and
/// the writes that reached the file for them (both zero when the log is not open or not buffered).
#define QUAERO_WAL_FCNTL_COUNTS 0x51570001

#endif
