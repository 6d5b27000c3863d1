import Logging
import Synchronization

/// The pool's loops: dispatcher, ticker, send-signal listener, heartbeat, and the drain at stop.
extension WorkerPool {
    /// Serves until the doorbell closes (stop), then drains the running attempts.
    func serve(_ session: Session) async {
        await withDiscardingTaskGroup { background in
            background.addTask { await self.tick() }
            background.addTask { for await _ in session.wakeups { self.wake() } }
            background.addTask { await self.beat(session.poolID) }
            await withDiscardingTaskGroup { slots in
                for await _ in session.doorbell {
                    while let (count, generation) = state.withLock({ $0.slots.reserve() }) {
                        guard let claimed = await claim(count, generation: generation, poolID: session.poolID) else { break }
                        for job in claimed {
                            slots.addTask { await self.runSlot(job, poolID: session.poolID, session: session) }
                        }
                    }
                }
                await drain(session)
            }
            background.cancelAll()
        }
    }

    /// Receives up to `count` messages for free slots; nil when the receive failed.
    private func claim(_ count: Int, generation: Int, poolID: Int64) async -> [ClaimedJob]? {
        do {
            let claimed = try await manager.database.write { connection in
                let (claimed, events) = try self.manager.store.claim(limit: count, owner: poolID, in: connection)
                self.manager.publish(events, after: connection)
                return claimed
            }
            state.withLock { s in
                s.slots.received(reserved: count, got: claimed.count, generation: generation)
                s.held.formUnion(claimed.map(\.message.receipt))
            }
            return claimed
        } catch {
            state.withLock { $0.slots.received(reserved: count, got: 0, generation: nil) }
            logger.error("could not receive jobs; trying again at the next tick", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Runs attempts in one slot until it finds no next message.
    private func runSlot(_ first: ClaimedJob, poolID: Int64, session: Session) async {
        var next: ClaimedJob? = first
        while let claimed = next {
            next = await attempt(claimed, poolID: poolID)
        }
        if state.withLock({ $0.slots.allIdle && $0.slots.stopping }) { session.drained.fire(true) }
    }

    /// Wakes the pool every poll interval (for delayed messages and other processes' sends).
    private func tick() async {
        while true {
            do { try await clock.sleep(for: options.pollInterval) } catch { return }
            wake()
        }
    }

    /// Every beat (the heartbeat interval, or a third of the visibility timeout when that is shorter), in one
    /// write: records the pool's heartbeat, extends its leases, and releases the leases of dead pools. Running
    /// attempts whose lease was lost (another worker took the message, or the job was cancelled from another
    /// process) are cancelled.
    private func beat(_ poolID: Int64) async {
        let store = manager.store
        while true {
            do { try await clock.sleep(for: beatInterval) } catch { return }
            let (running, held) = state.withLock { s in (s.attempts.values.map { ($0.receipt, $0.signal) }, Array(s.held)) }
            do {
                let (current, released) = try await store.beat(pool: poolID, name: options.name, interval: beatInterval,
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
    }

    /// Gives running attempts `shutdownTimeout` to end, then tells the rest to stop (they release their messages).
    private func drain(_ session: Session) async {
        if state.withLock({ $0.slots.allIdle }) { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await session.drained.wait() }
            group.addTask { try? await self.clock.sleep(for: self.options.shutdownTimeout) }
            await group.next()
            group.cancelAll()
        }
        let remaining = state.withLock { $0.attempts.values.map(\.signal) }
        if !remaining.isEmpty {
            logger.warning("shutdown timeout passed; releasing running jobs", metadata: ["jobs": "\(remaining.count)"])
        }
        for signal in remaining { signal.fire(.shutdown) }
    }
}
