import Foundation
#if canImport(Glibc)
import Glibc
#endif
import QuaeroPostgres
import QuaeroQueue

/// Runs a program to its end and returns its output (stdout and stderr together), with every signal unblocked
/// and at its default action in the child. Foundation's `Process` passes on the parent's blocked signals on
/// Linux (a pgbench it started had SIGALRM blocked: `-T 2` never ended, since pgbench ends a timed run on
/// SIGALRM), so this spawns with `posix_spawn` and an empty signal mask.
func runToEnd(_ executable: String, _ arguments: [String]) async throws -> String {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
        // The read and the wait block: a thread of their own, not one of the concurrency pool's two.
        Thread {
            continuation.resume(with: Result { try spawnAndWait(executable, arguments) })
        }.start()
    }
}

private func spawnAndWait(_ executable: String, _ arguments: [String]) throws -> String {
    var pipe: [Int32] = [0, 0]
    guard Glibc.pipe(&pipe) == 0 else { throw QuaeroError(.storage, "cannot make a pipe for \(executable): errno \(errno)") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
    posix_spawn_file_actions_addclose(&actions, pipe[0])
    posix_spawn_file_actions_addclose(&actions, pipe[1])
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGALRM, SIGINT, SIGTERM, SIGCHLD] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    close(pipe[1])
    guard spawned == 0 else {
        close(pipe[0])
        throw QuaeroError(.storage, "cannot start \(executable): errno \(spawned)")
    }
    var output = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(pipe[0], &buffer, buffer.count)
        if n > 0 { output.append(contentsOf: buffer[0..<n]) } else if n == 0 || errno != EINTR { break }
    }
    close(pipe[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let text = String(decoding: output, as: UTF8.self)
    // WIFEXITED and WEXITSTATUS, which Swift does not import as macros.
    guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
        throw QuaeroError(.storage, "\((executable as NSString).lastPathComponent) ended with status \(status): \(PostgresURL.redact(text))")
    }
    return text
}
