import Logging
import Synchronization

/// The pool's loops: dispatcher, slots, ticker, heartbeat, and the drain at stop (the store's signals ring the
/// dispatcher directly).
extension WorkerPool {
    /// Serves until the doorbell closes (stop), then drains the running attempts.
    ///
    /// The claims and the batched ends, the two loops that call the store back to back, run next to a
    /// connection of their own where the store has such executors (`affinityExecutors`: PostgreSQL's); the
    /// handlers run on the global executor, as every other task.
    func serve(_ session: Session) async {
        let near = manager.store.affinityExecutors(2)
        await withDiscardingTaskGroup { background in
            background.addTask {
                await session.timer.run(clock: self.clock, every: self.options.pollInterval, from: session.startedAt) { self.wake() }
            }
            background.addTask { await self.clock.every(self.beatInterval, from: session.startedAt) { await self.beat(session.poolID) } }
            if let ends = session.ends {
                background.addTask(executorPreference: near.last) { await ends.run() }
            }
            await withTaskExecutorPreference(near.first) {
                await withDiscardingTaskGroup { slots in
                    for await _ in session.doorbell {
                        while let (count, generation) = state.withLock({ $0.slots.reserve() }) {
                            guard let claimed = await claim(count, generation: generation, poolID: session.poolID) else { break }
                            for message in claimed {
                                slots.addTask(executorPreference: near.isEmpty ? nil : globalConcurrentExecutor) {
                                    await self.runSlot(message, poolID: session.poolID, session: session)
                                }
                            }
                        }
                    }
                    await drain(session)
                }
            }
            background.cancelAll()
        }
        session.wakeups.cancel()
    }

    /// Claims up to `count` messages for free slots; nil when the claim failed.
    private func claim(_ count: Int, generation: Int, poolID: Int64) async -> [ClaimedMessage]? {
        do {
            let batch = try await manager.claimBatch(manager.request(limit: count, owner: poolID, worker: options.name, leaving: remoteTypePolicy))
            let claimed = batch.claimed
            let session = state.withLock { s in
                s.slots.claimed(reserved: count, got: claimed.map(\.message.receipt), generation: generation, heldBack: batch.heldBack)
                return s.session
            }
            if let until = batch.rateLimitedUntil { session?.timer.request(at: until) }
            return claimed
        } catch {
            state.withLock { $0.slots.claimed(reserved: count, got: [], generation: nil) }
            logger.error("could not claim jobs; trying again at the next tick", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Runs deliveries in one slot until it claims no next one.
    private func runSlot(_ first: ClaimedMessage, poolID: Int64, session: Session) async {
        var next: ClaimedMessage? = first
        while let claimed = next {
            next = await attempt(claimed, poolID: poolID)
        }
        if state.withLock({ $0.slots.allIdle && $0.slots.stopping }) { session.drained.fire(true) }
    }

    /// Records how `message` ended and, when the queue may hold more, claims the slot's next message in the
    /// same write (`ending` nil: the delivery was lost, there is nothing to record). Returns that message.
    func end(_ message: ReceivedMessage, _ ending: AttemptEnding?, poolID: Int64) async -> ClaimedMessage? {
        let look = state.withLock { $0.slots.refill() }
        let next = look.map { _ in manager.request(limit: 1, owner: poolID, worker: options.name, leaving: remoteTypePolicy) }
        var batch = ClaimBatch()
        do {
            if case .attempt(let job, .succeeded(let result, let effects))? = ending, let ends = state.withLock({ $0.session?.ends }),
               case .success(let outcome) = await ends.submit(SucceededAttempt(job: job, receipt: message.receipt, result: result,
                                                                                 effects: effects), next: next != nil) {
                if outcome.lost { leaseLost(message) }
                batch = outcome.next
            } else if let ending {
                // Alone: an end of another kind, or one whose batch could not be written.
                batch = try await manager.end(message, ending, next: next)
            } else if let next {
                batch = try await manager.claimBatch(next)
            }
        } catch let error as QuaeroError where error.code == .leaseLost {
            // Nothing was changed: the delivery is someone else's now (or gone). The slot may still claim.
            leaseLost(message)
            if let next { batch = (try? await manager.claimBatch(next)) ?? ClaimBatch() }
        } catch {
            if case .attempt(let job, .succeeded)? = ending {
                // The handler's own writes (`onSuccess`) failed, so the success did not commit: the attempt failed.
                let failure = AttemptEnding.attempt(job, .failed("its success could not be recorded: \(error)",
                                                                  retryAfter: retryDelay(for: job.type, afterAttempt: job.attempts)))
                return await end(message, failure, poolID: poolID)
            }
            logger.error("could not record the end of a job; its message returns after the visibility timeout",
                         metadata: ["message": "\(message.id)", "error": "\(error)"])
        }
        let claimed = batch.claimed
        let (ring, session) = state.withLock { s in
            let look = s.slots.slotEnded(message.receipt, lookedAt: look, next: claimed.map(\.message.receipt), heldBack: batch.heldBack)
            return (look ? s.session?.ring : nil, s.session)
        }
        ring?.yield()
        if let until = batch.rateLimitedUntil { session?.timer.request(at: until) }
        return claimed.first
    }

    /// Says that the end of `message` was not recorded because its delivery was no longer current.
    private func leaseLost(_ message: ReceivedMessage) {
        logger.warning("the end of a job was not recorded: its lease was lost (it expired, or its pool was found dead), so another worker runs it",
                       metadata: ["message": "\(message.id)", "job": "\(message.jobID ?? "-")"])
    }

    /// One beat (every heartbeat interval, or a third of the visibility timeout when that is shorter), in one
    /// write: records the pool's heartbeat, extends its leases, and releases the leases of dead pools. Running
    /// attempts whose lease was lost (another worker took the message, or the job was cancelled from another
    /// process) are cancelled.
    private func beat(_ poolID: Int64) async {
        let (running, held) = state.withLock { s in (s.attempts.values.map { ($0.receipt, $0.signal) }, Array(s.slots.held)) }
        do {
            let (current, released) = try await manager.beat(pool: poolID, name: options.name, interval: beatInterval,
                                                             holding: held)
            for (receipt, signal) in running where !current.contains(receipt) { signal.fire(.leaseLost) }
            if released > 0 {
                logger.warning("released the leases of dead worker pools", metadata: ["messages": "\(released)"])
                wake()
            }
        } catch {
            logger.error("worker pool heartbeat failed", metadata: ["pool": "\(poolID)", "error": "\(error)"])
        }
    }

    /// Gives running attempts `shutdownTimeout` to end (or until `stopRunningJobsNow()`), then tells the rest to
    /// stop (they release their messages).
    private func drain(_ session: Session) async {
        if state.withLock({ $0.slots.allIdle }) { return }
        let deadline = clock.nowMillis() + options.shutdownTimeout.milliseconds
        // Which came first: the drain, the deadline (false) or a second signal (true).
        let hurried = await withTaskGroup(of: Bool?.self) { group in
            group.addTask { _ = await session.drained.wait(); return nil }
            group.addTask { try? await self.clock.sleep(until: deadline); return false }
            group.addTask { await session.hurried.wait() }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
        let remaining = state.withLock { $0.attempts.values.map(\.signal) }
        if !remaining.isEmpty {
            logger.warning(hurried ? "stopping now; releasing running jobs" : "shutdown timeout passed; releasing running jobs",
                           metadata: ["jobs": "\(remaining.count)"])
        }
        for signal in remaining { signal.fire(.shutdown) }
        // Slots still busy (ending, or a suspect given up) finish on their own; the group waits for them.
    }
}
