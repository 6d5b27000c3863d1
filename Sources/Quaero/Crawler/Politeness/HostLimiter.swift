import DequeModule
import Synchronization

/// At most `limit` tasks at a time per key (the crawler's `per_host_concurrency`, keyed by `CrawlURL.origin`).
///
/// Waiters are served first come, first served; a waiting task that is cancelled leaves the line with
/// `CancellationError`. Process-wide: every crawl running in this process shares it, each asking with its
/// own limit. A `Mutex` rather than an actor, because a cancellation handler must remove its waiter
/// synchronously.
public final class HostLimiter: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var active: [String: Int] = [:]
        var waiting: [String: Deque<Waiter>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a limiter with nothing running.
    public init() {}

    /// Runs `body` once fewer than `limit` others hold a permit for `key`, and releases it afterwards.
    /// - Throws: `CancellationError` when the task is cancelled while waiting; whatever `body` throws.
    public func withPermit<T>(for key: String, limit: Int, _ body: () async throws -> T) async throws -> T {
        try await acquire(key, limit: limit)
        defer { release(key) }
        return try await body()
    }

    /// How many permits for `key` are held now.
    public func running(_ key: String) -> Int { state.withLock { $0.active[key] ?? 0 } }

    /// How many tasks wait for `key` now.
    public func waiting(_ key: String) -> Int { state.withLock { $0.waiting[key]?.count ?? 0 } }

    private func acquire(_ key: String, limit: Int) async throws {
        let id: UInt64? = state.withLock { state in
            if state.active[key, default: 0] < max(1, limit) {
                state.active[key, default: 0] += 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Under the lock, so that a cancellation either sees this waiter or is seen here.
                let cancelled = state.withLock { state in
                    if Task.isCancelled { return true }
                    state.waiting[key, default: []].append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiting[key]?.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting[key]?.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Hands the permit to the first waiter, or gives it back.
    private func release(_ key: String) {
        let next: Waiter? = state.withLock { state in
            if let waiter = state.waiting[key]?.popFirst() {
                if state.waiting[key]?.isEmpty == true { state.waiting[key] = nil }
                return waiter  // the permit passes on: the count stays
            }
            state.active[key, default: 1] -= 1
            if state.active[key] == 0 { state.active[key] = nil }
            return nil
        }
        next?.continuation.resume()
    }
}
