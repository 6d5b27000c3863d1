import QuaeroQueue
import Synchronization

/// One value read from the database and shared by every open page that shows it: however many pages wait
/// for it, one read runs at a time, and a value is read again only when it was invalidated (a job event) or is
/// older than a page asks for (the poll that shows other processes' work). So 100 open pages cost the database
/// what one costs.
///
/// Reads are spaced at least `minInterval` apart, so a burst of events costs one read per interval, not one
/// per event.
final class SharedRead<Value: Sendable>: Sendable {
    private struct State {
        /// Bumped by each `invalidate()`.
        var generation = 0
        /// The last value, the generation it was read at, and when its read began (clock milliseconds).
        var cached: (value: Value, generation: Int, readAt: Int64)?
        var reading = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var lastReadAt: Int64?
    }

    private enum Step { case value(Value), wait, read(delay: Int64) }

    private let state = Mutex(State())
    private let minInterval: Duration
    private let clock: any QuaeroClock
    private let load: @Sendable () async throws -> Value

    init(minInterval: Duration, clock: any QuaeroClock, load: @escaping @Sendable () async throws -> Value) {
        self.minInterval = minInterval
        self.clock = clock
        self.load = load
    }

    /// Marks the value stale: the next `current` reads it again.
    func invalidate() {
        state.withLock { $0.generation += 1 }
    }

    /// The value: the cached one when it is neither invalidated nor older than `maxAge`, else a fresh read
    /// (shared with every caller that asks meanwhile).
    func current(maxAge: Duration? = nil) async throws -> Value {
        while true {
            let now = clock.nowMillis()
            let step = state.withLock { s -> Step in
                if let cached = s.cached, cached.generation == s.generation,
                   maxAge.map({ now - cached.readAt < $0.milliseconds }) ?? true {
                    return .value(cached.value)
                }
                if s.reading { return .wait }
                s.reading = true
                return .read(delay: s.lastReadAt.map { max(0, $0 + minInterval.milliseconds - now) } ?? 0)
            }
            switch step {
            case .value(let value):
                return value
            case .wait:
                await withCheckedContinuation { continuation in
                    let queued = state.withLock { s -> Bool in
                        guard s.reading else { return false }
                        s.waiters.append(continuation)
                        return true
                    }
                    if !queued { continuation.resume() }
                }
            case .read(let delay):
                if delay > 0 { try? await clock.sleep(for: .milliseconds(delay)) }
                let (generation, readAt) = state.withLock { s -> (Int, Int64) in
                    let now = clock.nowMillis()
                    s.lastReadAt = now
                    return (s.generation, now)
                }
                let result = await Result(catching: { try await load() })
                let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                    if case .success(let value) = result { s.cached = (value, generation, readAt) }
                    s.reading = false
                    defer { s.waiters = [] }
                    return s.waiters
                }
                for waiter in waiters { waiter.resume() }
                return try result.get()
            }
        }
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
