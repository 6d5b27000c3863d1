/// Runs `body`, throwing `timeoutError()` when it has not finished after `timeout`; `body` is then
/// cancelled and awaited, so nothing outlives the call.
func withTimeout<T: Sendable>(_ timeout: Duration, _ timeoutError: @escaping @Sendable () -> any Error,
                              _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            try Task.checkCancellation()
            throw timeoutError()
        }
        return value
    }
}
