#if canImport(Glibc)
import CMalloc
#endif

/// glibc's malloc settings for a long-running `quaero` process: freed memory is kept for reuse instead of being
/// handed back to the kernel after every write transaction.
///
/// Why: each grouped write releases its savepoints, and SQLite frees the statement journal's 64 KiB chunks
/// (`SQLITE_STMTJRNL_SPILL`, https://sqlite.org/c3ref/c_config_covering_index_scan.html). With glibc's default
/// trim threshold of 128 KiB (mallopt(3)), those frees often left a thread arena's top free chunk large enough to be
/// trimmed (madvise), and the next transaction faulted the pages back in. Measured on 2026-11-28 with `quaero bench
/// --only jobs_per_s`: some runs made 5,000–19,000 madvise calls and ran 20–25 % slower than the others
/// (`perf stat -e syscalls:sys_enter_madvise`); with these settings every run made none.
enum MallocTuning {
    /// Keeps up to 64 MiB free at the top of each heap, and serves allocations below 4 MiB from the heaps.
    static func apply() {
        #if canImport(Glibc)
        // Setting either threshold turns off glibc's dynamic adjustment of both (mallopt(3)), so both are set.
        _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
        _ = mallopt(M_MMAP_THRESHOLD, 4 << 20)
        #endif
    }
}
