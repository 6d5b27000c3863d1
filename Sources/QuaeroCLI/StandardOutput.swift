#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The process's standard output (C's `stdout`, which `print` writes to).
///
/// C makes `stdout` block-buffered when it is not a terminal, so that `quaero jobs logs --follow | grep`,
/// `crawl --wait > file` or a supervisor reading a pipe saw nothing until 4 KiB had gathered or the
/// process ended, and Ctrl-C (which ends the process without flushing) lost what was buffered. `quaero`
/// prints lines for people and scripts that read them as they come, so every line goes out when it ends.
/// (`@preconcurrency` import: `stdout` is a C global variable, which strict concurrency cannot check.)
enum StandardOutput {
    /// Makes standard output line-buffered, whatever it is connected to; call before printing anything.
    static func lineBuffered() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }

    /// Writes out a partial line at once (a progress line redrawn on a terminal).
    static func flush() {
        fflush(stdout)
    }
}
