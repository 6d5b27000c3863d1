import CSQLite
import Dispatch
import Synchronization

/// Copies the WAL back into the database file on a thread of its own, so that commits do not wait for it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses the threshold: that writer then copies
/// thousands of pages and fsyncs twice while every other write waits. Here the writer's commits only report
/// the WAL's size (SQLite's WAL hook). Past `threshold` pages, a checkpoint on a separate connection copies
/// the WAL while writes go on. New commits keep appending meanwhile, so the writer finishes the round itself
/// before its next transaction: only the few frames added during the copy are left, and once every frame is
/// in the database file the next commit starts the WAL over from its beginning (it does not grow).
///
/// Invariant behind `@unchecked Sendable`: `connection` is used only on `queue`; the phase is guarded by the
/// mutex.
final class Checkpointer: @unchecked Sendable {
    private enum Phase {
        /// Waiting for the WAL to grow past the threshold.
        case idle
        /// A copy runs on `queue`.
        case copying
        /// The copy ended: the writer finishes the round before its next transaction.
        case finishing
    }

    private struct State {
        var phase = Phase.idle
        /// The WAL's size (frames) when the last round started; the next starts `threshold` frames later.
        var base = 0
        /// The WAL's size at the last commit (a smaller one means the WAL started over).
        var last = 0
        var closed = false
        /// Callers waiting for the running copy to end.
        var waiters: [CheckedContinuation<Void, Never>] = []
        var statistics = CheckpointStatistics()
    }

    private let connection: Connection
    private let threshold: Int
    /// Frames few enough for the writer to copy itself.
    private let finishBelow: Int
    private let queue = DispatchQueue(label: "quaero.checkpoint")
    private let state = Mutex(State())

    /// Opens the checkpoint's own connection to `path`; its first read waits up to `busyTimeout` for
    /// another process's lock (part of the synchronous open).
    init(path: String, threshold: Int, busyTimeout: Duration) throws {
        connection = try Connection(path: path, busyTimeout: busyTimeout)
        // It never commits, but say so: this connection must not checkpoint on its own schedule.
        sqlite3_wal_autocheckpoint(connection.handle, 0)
        // A connection learns that the file is in WAL mode when it first reads it; until then a checkpoint
        // does nothing.
        try connection.exec("SELECT count(*) FROM sqlite_schema")
        // PASSIVE copies never wait for a lock; the connection's busy handler would only block its thread.
        connection.setBusyTimeout(.zero)
        self.threshold = max(1, threshold)
        self.finishBelow = max(1, threshold / 50)
    }

    /// Makes `writer`'s commits report the WAL's size here (this replaces SQLite's automatic checkpoint).
    ///
    /// The checkpointer must outlive the hook: `detach(from:)` before either is closed.
    func attach(to writer: Connection) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_wal_hook(writer.handle, { context, _, _, frames in
            Unmanaged<Checkpointer>.fromOpaque(context!).takeUnretainedValue().committed(walFrames: Int(frames))
            return SQLITE_OK
        }, context)
    }

    /// Stops the reports of `writer` (before closing it).
    func detach(from writer: Connection) {
        sqlite3_wal_hook(writer.handle, nil, nil)
    }

    /// Called after each commit of the writer, on its thread: starts a copy when the WAL grew enough.
    private func committed(walFrames frames: Int) {
        let start = state.withLock { s -> Bool in
            if frames < s.last {
                s.base = 0
                s.statistics.restarts += 1
            }
            s.last = frames
            guard s.phase == .idle, !s.closed, frames - s.base >= threshold else { return false }
            s.phase = .copying
            s.base = frames
            return true
        }
        guard start else { return }
        queue.async { [self] in
            // PASSIVE never waits for a lock; a busy answer (another process checkpointing) skips the round.
            // Commits go on during a copy, so copy again until what is left for the writer is small.
            var seen = 0
            for _ in 0..<8 {
                guard let frames = try? connection.checkpoint(SQLITE_CHECKPOINT_PASSIVE), frames - seen > finishBelow else { break }
                seen = frames
            }
            let waiters = state.withLock { s in
                s.phase = s.closed ? .idle : .finishing
                s.statistics.copies += 1
                defer { s.waiters = [] }
                return s.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Called by the writer before a transaction: finishes a round whose copy ended.
    func beforeTransaction(on writer: Connection) {
        let finish = state.withLock { s -> Bool in
            guard s.phase == .finishing else { return false }
            s.phase = .idle
            return true
        }
        guard finish else { return }
        // Errors are left to the next round, as SQLite's own automatic checkpoint does.
        _ = try? writer.checkpoint(SQLITE_CHECKPOINT_PASSIVE)
    }

    /// What it did so far.
    var statistics: CheckpointStatistics { state.withLock { $0.statistics } }

    /// Waits until no copy runs (without holding a thread).
    func waitForCopy() async {
        await withCheckedContinuation { continuation in
            let copying = state.withLock { s in
                if s.phase == .copying { s.waiters.append(continuation) }
                return s.phase == .copying
            }
            if !copying { continuation.resume() }
        }
    }

    /// Lets a running copy end, then closes the connection; no copy starts afterwards.
    func close() async {
        state.withLock { $0.closed = true }
        await waitForCopy()
        connection.close()
    }
}

/// Background checkpoints so far.
struct CheckpointStatistics: Sendable, Equatable {
    /// Copies run on the checkpoint's own connection.
    var copies = 0
    /// Times the WAL started over from its beginning.
    var restarts = 0
}
