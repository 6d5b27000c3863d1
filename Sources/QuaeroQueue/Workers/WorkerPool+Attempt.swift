import Foundation
import Logging
import Synchronization

/// One delivery: resolve its job and handler, run the handler under its watchdog (alone, for a suspect),
/// and record the end (claiming the slot's next message in the same write).
extension WorkerPool {
    private enum Resolution {
        case run(Job, JobHandler)
        case end(AttemptEnding)
    }

    private enum Race: Sendable {
        case finished(Result<JSONValue?, any Error>)
        case stopped(StopReason)
        case quiet
    }

    /// Runs one delivered message; returns the slot's next message, if it claimed one.
    func attempt(_ claimed: ClaimedMessage, poolID: Int64) async -> ClaimedMessage? {
        let message = claimed.message
        let ending: AttemptEnding?
        switch await resolve(claimed) {
        case .run(let job, let handler) where Self.isSuspect(message):
            ending = await runSolo(job, handler: handler, receipt: message.receipt)
        case .run(let job, let handler):
            state.withLock { $0.slots.beginNormal() }
            // The attempt started when it was claimed: its run timeout counts from there.
            ending = await run(job, handler: handler, receipt: message.receipt, startedAt: job.startedAt ?? clock.nowMillis())
            state.withLock { $0.slots.endNormal() }?.resume(returning: true)
        case .end(let problem):
            ending = problem
        }
        return await end(message, ending, poolID: poolID)
    }

    /// Whether the previous delivery of `message` ended with its process dying (its pool was found dead, or
    /// its lease ran out without a release): it may be what killed the process.
    static func isSuspect(_ message: ReceivedMessage) -> Bool {
        if let lastError = message.lastError { return lastError.hasPrefix(JobEngine.diedPrefix) }
        return message.received > 1
    }

    /// Runs a suspect alone: it waits for the running handlers to end while nothing new is claimed, and its
    /// delivery is marked solo (so that a crash now counts toward max_receive). When another suspect is
    /// ahead, or the pool stops, it is given back (its receive refunded) to run later.
    private func runSolo(_ job: Job, handler: @escaping JobHandler, receipt: Receipt) async -> AttemptEnding? {
        let admitted = await withCheckedContinuation { (waiter: SoloWaiter) in
            switch state.withLock({ $0.slots.requestSolo(waiter: waiter) }) {
            case .now: waiter.resume(returning: true)
            case .giveBack: waiter.resume(returning: false)
            case .wait: break  // resumed by the last ordinary handler to end, or by stop
            }
        }
        guard admitted else { return .attempt(job, .interrupted) }
        defer {
            let ring = state.withLock { s in s.slots.endSolo() ? s.session?.ring : nil }
            ring?.yield()
        }
        do {
            guard try await manager.markSolo([receipt]).contains(receipt) else { return nil }
        } catch {
            logger.error("could not mark a job to run alone; giving it back", metadata: ["job": "\(job.id)", "error": "\(error)"])
            return .attempt(job, .interrupted)
        }
        logger.info("running a job alone: its previous attempt ended with its process dying",
                    metadata: ["job": "\(job.id)", "attempt": "\(job.attempts)"])
        return await run(job, handler: handler, receipt: receipt, startedAt: clock.nowMillis())
    }

    /// The job and handler of a delivery, or how to end it when it cannot run.
    private func resolve(_ claimed: ClaimedMessage) async -> Resolution {
        if let job = claimed.job {
            guard let handler = registry.handler(for: job.type) else {
                // A remote worker may have announced the type after this claim read who serves what: on
                // PostgreSQL each statement of a READ COMMITTED transaction sees its own snapshot (PostgreSQL
                // docs, §13.2.1), so the claim can see a job that the read before it did not see served. Asked
                // again now, a type served remotely goes back to the queue, uncounted, for its worker.
                if (try? await manager.isServedRemotely(job.type)) == true { return .end(.attempt(job, .interrupted)) }
                return .end(.deadLetter(noHandler(job.type)))
            }
            return .run(job, handler)
        }
        // The message names a job that has ended (cancelled meanwhile, say): nothing to run.
        if claimed.message.jobID != nil { return .end(.discard) }
        // A message sent without a record (`QueueManager.enqueue`): it needs a body we understand and a handler.
        let message: JobMessage
        do {
            message = try JobMessage.decode(claimed.message.body)
        } catch {
            return .end(.deadLetter("\(error)"))
        }
        guard let handler = registry.handler(for: message.type) else { return .end(.deadLetter(noHandler(message.type))) }
        do {
            guard let job = try await manager.adopt(message, messageID: claimed.message.id) else { return .end(.discard) }
            return .run(job, handler)
        } catch {
            logger.error("could not record the job of a message", metadata: ["message": "\(claimed.message.id)", "error": "\(error)"])
            return .end(.deadLetter("its job record could not be written: \(error)"))
        }
    }

    /// The run timeout of `type`: its own (`[types.NAME] timeout`), else the pool's.
    func runTimeout(for type: JobType) -> Duration? {
        manager.policies.types[type]?.timeout ?? options.runTimeout(for: type)
    }

    /// The delay before retrying a job of `type` after failed attempt `attempt`: its own backoff
    /// (`[types.NAME] backoff_base`, `backoff_max`) where it has one, else the pool's.
    func retryDelay(for type: JobType, afterAttempt attempt: Int) -> Duration {
        guard let policy = manager.policies.types[type], policy.backoffBase != nil || policy.backoffMax != nil else {
            return backoff.delay(afterAttempt: attempt)
        }
        let base = policy.backoffBase ?? backoff.base
        return Backoff(base: base, max: max(base, policy.backoffMax ?? backoff.max), jitter: backoff.jitter)
            .delay(afterAttempt: attempt)
    }

    private func noHandler(_ type: JobType) -> String {
        "no handler is registered for job type \"\(type)\" in worker pool \(options.name) (registered: \(registry.types.map(\.rawValue).joined(separator: ", ")))"
    }

    /// Runs the handler and turns what happened into an ending (nil: the delivery is no longer ours). Its run
    /// timeout counts from `startedAt` (the clock's time).
    private func run(_ job: Job, handler: @escaping JobHandler, receipt: Receipt, startedAt: Int64) async -> AttemptEnding? {
        let signal = CancelSignal()
        state.withLock { $0.attempts[job.id] = (receipt, signal) }
        manager.attemptBegan(job.id, signal: signal)
        defer {
            manager.attemptEnded(job.id, signal: signal)
            // A newer attempt of the job (claimed again after this delivery was lost) keeps its entry.
            state.withLock { s in
                if s.attempts[job.id]?.signal === signal { s.attempts[job.id] = nil }
            }
        }
        let context = JobContext(job: job, baseLogger: logger, manager: manager, logService: logService)
        logger.debug("job started", metadata: ["job": "\(job.id)", "type": "\(job.type)", "attempt": "\(job.attempts)"])
        let (result, stop) = await race(handler, context, timeout: runTimeout(for: job.type), from: startedAt, signal: signal)
        // Only a failure needs its retry delay (a random jitter: a getrandom(2) call on Linux).
        var retry: Duration { retryDelay(for: job.type, afterAttempt: job.attempts) }
        switch (result, stop ?? (Task.isCancelled ? .shutdown : nil)) {
        case (_, .cancelled?):
            context.logger.info("job cancelled while running")
            return nil
        case (_, .leaseLost?):
            context.logger.warning("job's lease was lost; its handler was cancelled and another worker may run it")
            return nil
        case (_, .timedOut(let limit)?):
            return .attempt(job, .failed("the run timeout of \(limit) passed; the handler was cancelled", retryAfter: retry))
        case (.success(let value), _):
            return .attempt(job, .succeeded(value, effects: context.successEffects))
        case (.failure, .shutdown?):
            return .attempt(job, .interrupted)
        case (.failure(let error as UnrecoverableJobError), nil):
            return .attempt(job, .unrecoverable(error.reason))
        case (.failure(let snooze as JobSnooze), nil):
            context.logger.debug("job snoozed", metadata: ["for": "\(snooze.delay)"])
            return .attempt(job, .snoozed(snooze.delay))
        case (.failure(let error), nil):
            logger.debug("job attempt failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
            return .attempt(job, .failed("\(error)", retryAfter: retry))
        }
    }

    /// Runs the handler beside its cancel signal (fired by a cancel, a lost lease or shutdown) and its run
    /// timeout; the first stop reason cancels the handler, whose end is then awaited.
    private func race(_ handler: @escaping JobHandler, _ context: JobContext, timeout: Duration?, from start: Int64,
                      signal: CancelSignal) async -> (Result<JSONValue?, any Error>, StopReason?) {
        await withTaskGroup(of: Race.self) { group in
            group.addTask {
                do { return .finished(.success(try await handler(context))) } catch { return .finished(.failure(error)) }
            }
            group.addTask { await signal.wait().map(Race.stopped) ?? .quiet }
            if let timeout { group.addTask { await self.timer(timeout, until: start + timeout.milliseconds) } }
            var stop: StopReason?
            while let race = await group.next() {
                switch race {
                case .finished(let result):
                    group.cancelAll()
                    return (result, stop)
                case .stopped(let reason):
                    if stop == nil {
                        stop = reason
                        group.cancelAll()
                    }
                case .quiet:
                    continue
                }
            }
            return (.failure(CancellationError()), stop)
        }
    }

    /// Reports the run timeout, when the type has one.
    private func timer(_ timeout: Duration, until deadline: Int64) async -> Race {
        do { try await clock.sleep(until: deadline) } catch { return .quiet }
        return .stopped(.timedOut(timeout))
    }
}
