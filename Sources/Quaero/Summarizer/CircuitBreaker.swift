public import QuaeroQueue
import Synchronization

/// Stops calling an endpoint that keeps failing, for a while.
///
/// Closed (the normal state), every call goes through; `threshold` failures in a row open it. Open, no call
/// goes through until `cooldown` has passed; then one trial call does (half-open): its success closes the
/// breaker, its failure opens it for another `cooldown`. Time comes from the injected clock.
public final class CircuitBreaker: Sendable {
    /// When the breaker opens and for how long.
    public struct Policy: Sendable, Equatable {
        /// Consecutive failures that open the breaker.
        public var threshold: Int
        /// How long it stays open before a trial call.
        public var cooldown: Duration

        /// The summarizer's policy: 3 failures in a row open it for 1 minute. A minute is long next to a
        /// summary from a working endpoint (seconds) and short next to a crawl's summaries (500 documents
        /// against a dead endpoint cost 3 failed calls, then one trial call a minute).
        public init(threshold: Int = 3, cooldown: Duration = .seconds(60)) {
            self.threshold = max(1, threshold)
            self.cooldown = cooldown
        }
    }

    /// Whether a call may go through now.
    public enum Permit: Sendable, Equatable {
        /// Call the endpoint (closed, or the one trial call of a half-open breaker).
        case call
        /// Do not; the breaker is open until this time (UTC milliseconds), or a trial call is under way.
        case skip(until: Int64)
    }

    private enum State {
        case closed(failures: Int)
        case open(until: Int64)
        case trial(until: Int64)
    }

    /// Its policy.
    public let policy: Policy
    private let clock: any QuaeroClock
    private let state = Mutex(State.closed(failures: 0))

    /// Creates a closed breaker.
    public init(policy: Policy = Policy(), clock: any QuaeroClock = SystemClock()) {
        self.policy = policy
        self.clock = clock
    }

    /// Asks to call the endpoint; a `.call` must be followed by `record(success:)`.
    public func permit() -> Permit {
        let now = clock.nowMillis()
        return state.withLock { state in
            switch state {
            case .closed:
                return .call
            case .open(let until) where now >= until, .trial(let until) where now >= until:
                // A trial that never reported (its caller was cancelled) is given up after a cooldown too.
                state = .trial(until: now + policy.cooldown.milliseconds)
                return .call
            case .open(let until), .trial(let until):
                return .skip(until: until)
            }
        }
    }

    /// Records how a permitted call went; returns true when this failure opened the breaker.
    @discardableResult
    public func record(success: Bool) -> Bool {
        let now = clock.nowMillis()
        return state.withLock { state in
            if success {
                state = .closed(failures: 0)
                return false
            }
            switch state {
            case .closed(let failures) where failures + 1 < policy.threshold:
                state = .closed(failures: failures + 1)
                return false
            default:
                state = .open(until: now + policy.cooldown.milliseconds)
                return true
            }
        }
    }
}
