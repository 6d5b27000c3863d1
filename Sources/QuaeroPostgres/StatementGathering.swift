import QuaeroQueue
import Synchronization

/// Concurrent single operations of one kind (sends to one queue, receives of one kind, acks) that tasks on one
/// connection thread ask for at the same moment, run as one statement: a group commit. The first one lets the
/// tasks ready on its thread run first (`Task.yield`), then runs its statement with the requests that joined it
/// meanwhile. Each caller gets its own outcome. A caller on no connection thread runs its statement alone.
///
/// Tasks that run the same operations one after the other (a benchmark's workers, a loop of sends) fall into
/// step once they met, as they do when they start together: a shared statement's reply resumes them together,
/// and each one's next operation finds the others ready. (Running a lone caller's statement at once, without
/// the yield, left tasks that started a moment apart out of step for good: `lifecycle_4_workers_vs_floor_cycle`
/// 0.77–0.91 against 0.89–1.02.)
///
/// Why: a statement costs the server about the same for two rows as for one. pgbench on this 2-core machine,
/// synchronous_commit off: 2 clients inserting 2 rows a statement stored 44,300 rows a second where the floor's
/// 4 clients inserting one stored 27,100–35,100 in the same minutes (docs/postgresql.md, "Threads for several
/// connections, and sends, receives and acks that share a statement").
final class StatementGathering<Group: Hashable & Sendable, Request: Sendable, Response: Sendable>: Sendable {
    /// Runs the requests of one group in one statement: one response per request, in order.
    typealias Run = @Sendable (_ group: Group, _ requests: [Request]) async throws -> [Response]

    /// The requests that joined a statement not yet sent; touched only on its thread.
    private final class Batch: @unchecked Sendable {
        var requests: [Request] = []
        var waiters: [CheckedContinuation<Response, any Error>] = []
    }

    private enum Role {
        case join(Batch)
        /// The tasks ready on the thread run first, and may join.
        case lead(Batch)
    }

    private struct Key: Hashable {
        let thread: ObjectIdentifier
        let group: Group
    }

    /// The statements that requests may still join.
    private let open = Mutex<[Key: Batch]>([:])

    /// Runs `request` in a statement shared with the requests of `group` that tasks on `thread` ask for at the
    /// same moment; alone when `thread` is nil (the caller is on none of the store's threads). `run` runs a
    /// statement (the same for every caller).
    func submit(_ request: Request, group: Group, on thread: ConnectionThread?, run: Run) async throws -> Response {
        guard let thread else { return try await run(group, [request])[0] }
        let key = Key(thread: ObjectIdentifier(thread), group: group)
        let role = open.withLock { open -> Role in
            if let batch = open[key] { return .join(batch) }
            let batch = Batch()
            open[key] = batch
            return .lead(batch)
        }
        let batch: Batch
        switch role {
        case .join(let open):
            // On the thread, before the batch's leader goes on: nobody else touches the batch meanwhile.
            return try await withCheckedThrowingContinuation { continuation in
                open.requests.append(request)
                open.waiters.append(continuation)
            }
        case .lead(let mine):
            batch = mine
        }
        // A yield costs about a microsecond; tasks that gathered once stay in step (above).
        await Task.yield()
        _ = open.withLock { $0.removeValue(forKey: key) }
        let results = await outcomes([request] + batch.requests, group: group, run: run)
        for (waiter, result) in zip(batch.waiters, results.dropFirst()) { waiter.resume(with: result) }
        return try results[0].get()
    }

    private func outcomes(_ requests: [Request], group: Group, run: Run) async -> [Result<Response, any Error>] {
        do {
            let responses = try await run(group, requests)
            precondition(responses.count == requests.count, "a shared statement answered \(responses.count) of \(requests.count)")
            return responses.map { .success($0) }
        } catch let error as QuaeroError where requests.count > 1 && error.storeCode != nil && error.code != .unavailable {
            // The server refused the statement, so none of it took effect: each request alone, so that one
            // caller's bad request fails only that caller. (A broken connection is not retried: the statement
            // may have committed.)
            var results: [Result<Response, any Error>] = []
            for request in requests {
                do {
                    results.append(.success(try await run(group, [request])[0]))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        } catch {
            return Array(repeating: .failure(error), count: requests.count)
        }
    }
}
