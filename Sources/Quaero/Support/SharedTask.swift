import QuaeroQueue

/// One unstructured operation awaited by several askers, each of which stops waiting the moment it is
/// cancelled (awaiting `Task.value` does not: a cancelled asker would wait for the whole operation).
///
/// The operation itself runs on for the askers that remain, bounded by its own timeout: it belongs to all of
/// them, so one asker's cancellation must not fail the others. Ctrl-C on `crawl --wait` while a robots.txt
/// fetch hung waited for that fetch's `request_timeout` (a minute in the test) after the pool had released
/// its jobs.
final class SharedTask<Success: Sendable>: Sendable {
    private let ended = Signal<Result<Success, any Error>>()

    /// Starts `operation` at once.
    init(_ operation: @escaping @Sendable () async throws -> Success) {
        Task { [ended] in
            do { ended.fire(.success(try await operation())) } catch { ended.fire(.failure(error)) }
        }
    }

    /// The operation's result, or `CancellationError` as soon as the calling task is cancelled.
    var value: Success {
        get async throws {
            guard let result = await ended.wait() else { throw CancellationError() }
            return try result.get()
        }
    }
}
