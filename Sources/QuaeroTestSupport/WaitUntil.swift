import Foundation

/// Polls `condition` until it holds or `timeout` passes (real time); returns whether it held.
///
/// For waiting on effects of other tasks or processes: never a fixed sleep.
public func waitUntil(
    timeout: Duration = .seconds(10), pollEvery interval: Duration = .milliseconds(5),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
