import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// One leader among the processes that share a store, for the work that must run once across them all
/// (releasing dead pools' leases, the cleanup schedule, the store's maintenance; schedules can join): a leader
/// lease in the store (`acquireLease`) with a time to live, renewed every third of it.
///
/// Any process may lead; at most one does at a time (a lead is valid only until its expiry, by the store's
/// clock, and a process that could not renew in time stops acting as leader). When the leader dies, its row
/// expires and another process takes over within the time to live: a candidate sleeps until the current lead
/// expires, not a fixed interval. At graceful shutdown the leader resigns, so that another takes over at once.
///
/// Duties (`addDuty`) run on this process's schedule, each only while it leads. Run it as a `Service`.
public final class LeaderElection: Service, Sendable {
    /// The default time to live of a lead: a dead leader is replaced within 10 s.
    public static let defaultTTL = Duration.seconds(10)
    /// The name of the lease unless another is given: the app's one leader.
    public static let defaultName = "cluster"

    /// This process's bid for the lease (its name, holder id and time to live).
    public let leadership: Leadership
    /// What is led (one lease per name).
    public var name: String { leadership.name }
    /// This process, as the store records the leader.
    public var holder: String { leadership.holder }
    /// How long a lead lasts without renewal.
    public var ttl: Duration { leadership.ttl }
    let store: any QuaeroStore
    let clock: any QuaeroClock
    let logger: Logger
    private let state = Mutex(State())

    private struct State {
        /// This process's lead while it has one: until when it is valid.
        var validUntil: Int64?
        var duties: [Duty] = []
        var observers: [Int: AsyncStream<Bool>.Continuation] = [:]
        var nextObserver = 0
    }

    private struct Duty: Sendable {
        let name: String
        let interval: Duration
        let body: @Sendable () async throws -> Void
    }

    /// Creates the election of `name` on `store`; nothing happens until `run()`.
    ///
    /// - Parameters:
    ///   - ttl: the time to live of a lead (renewed every third of it); at least 30 ms.
    ///   - clock: the store's clock by default (leases are in store time).
    /// - Throws: `invalidArgument` for a time to live under 30 ms.
    public init(store: any QuaeroStore, name: String = LeaderElection.defaultName, ttl: Duration = LeaderElection.defaultTTL,
                clock: (any QuaeroClock)? = nil, logger: Logger = Logger(label: "quaero.leader")) throws {
        guard ttl >= .milliseconds(30) else {
            throw QuaeroError(.invalidArgument, "the leader's time to live must be at least 30ms, got \(ttl)")
        }
        self.store = store
        self.leadership = Leadership(store: store, name: name, ttl: ttl)
        self.clock = clock ?? store.clock
        self.logger = logger
    }

    /// Whether this process leads now (its lead is renewed and has not expired by the clock).
    public var isLeader: Bool {
        let now = clock.nowMillis()
        return state.withLock { $0.validUntil.map { now < $0 } ?? false }
    }

    /// Runs `body` every `interval` while this process leads (from `run()` on; add duties before it starts).
    /// A duty that throws is logged and runs again at its next tick.
    public func addDuty(_ name: String, every interval: Duration, _ body: @escaping @Sendable () async throws -> Void) {
        state.withLock { $0.duties.append(Duty(name: name, interval: interval, body: body)) }
    }

    /// Yields true when this process becomes leader and false when it stops leading, from now on.
    public func changes() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream<Bool>.makeStream()
        let id = state.withLock { s in
            s.nextObserver += 1
            s.observers[s.nextObserver] = continuation
            return s.nextObserver
        }
        continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.observers.removeValue(forKey: id) } }
        return stream
    }

    /// Campaigns (and runs the duties while leading) until graceful shutdown or cancellation, then resigns.
    public func run() async throws {
        let duties = state.withLock { $0.duties }
        let start = clock.nowMillis()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.campaign() }
                for duty in duties {
                    group.addTask {
                        await self.clock.every(duty.interval, from: start) { await self.perform(duty) }
                    }
                }
            }
        }
        await resign()
    }

    /// Claims or renews the lead once; returns whether this process leads afterwards.
    @discardableResult
    public func claimOnce() async throws -> Bool {
        let asked = clock.nowMillis()
        let mine = try await leadership.acquire()
        // Valid from when it was asked for, so that clock drift during the write cannot stretch it.
        update(validUntil: mine ? asked + ttl.milliseconds : nil)
        return mine
    }

    /// Claims every third of the time to live while leading; otherwise tries again when the current lead
    /// expires (or after a third of the time to live, whichever comes first).
    private func campaign() async {
        let third = max(10, ttl.milliseconds / 3)
        while !Task.isCancelled {
            var next = clock.nowMillis() + third
            do {
                if try await !claimOnce(), let retry = try await leadership.retryTime(now: clock.nowMillis()) {
                    next = min(next, retry)
                }
            } catch is CancellationError {
                return
            } catch {
                // The lead lapses by itself at its expiry (`isLeader` compares the clock), so no other process
                // can lead at the same time as this one; the next claim comes sooner.
                logger.warning("could not claim the leadership", metadata: ["name": "\(name)", "error": "\(error)"])
                next = clock.nowMillis() + max(10, third / 3)
            }
            do { try await clock.sleep(until: next) } catch { return }
        }
    }

    private func perform(_ duty: Duty) async {
        guard isLeader else { return }
        do {
            try await duty.body()
        } catch is CancellationError {
            return
        } catch {
            logger.warning("a leader's duty failed; it runs again at its next tick",
                           metadata: ["duty": "\(duty.name)", "error": "\(error)"])
        }
    }

    private func update(validUntil: Int64?) {
        let (changed, observers) = state.withLock { s -> (Bool?, [AsyncStream<Bool>.Continuation]) in
            let was = s.validUntil != nil
            s.validUntil = validUntil
            let now = validUntil != nil
            return (was == now ? nil : now, Array(s.observers.values))
        }
        guard let changed else { return }
        logger.info(changed ? "this process leads" : "this process no longer leads", metadata: ["name": "\(name)", "holder": "\(holder)"])
        for observer in observers { observer.yield(changed) }
    }

    /// Gives the lead up, if this process has it.
    private func resign() async {
        guard state.withLock({ $0.validUntil != nil }) else { return }
        update(validUntil: nil)
        do {
            try await leadership.release()
        } catch {
            logger.warning("could not resign the leadership; it expires by itself", metadata: ["name": "\(name)", "error": "\(error)"])
        }
    }
}
