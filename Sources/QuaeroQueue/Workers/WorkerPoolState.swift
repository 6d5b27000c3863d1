/// Everything a worker pool knows about its slots, in one place: how many are free, whether the queue may
/// hold more work, which deliveries it holds, and the solo mode. A state machine: the pool calls one method
/// per event, under its lock, and acts on what the method returns (no I/O here).
///
/// **Wake-ups.** `mayHaveMore` says whether the queue may hold ready work: set by every wake-up (a send in
/// this process, the store's hint, the ticker), cleared when a claim came back short. `generation` counts
/// wake-ups, so that a short claim that began before a wake-up does not clear the flag that wake-up set.
///
/// **Limits.** `heldBack` says whether the last claim passed over work that a limit held back (a limit
/// key's or a type's max_in_flight, or a key's rate). An ending attempt may free such a limit, so while it
/// is set every slot that ends claims its next message in the same write, even when the queue seemed empty.
///
/// **Solo mode.** A suspect (a message whose previous delivery ended with its process dying) runs alone:
/// while one waits or runs, nothing new is claimed and no other handler starts, so a poison message that
/// kills its process only ever kills itself. Its delivery is marked solo in the store, so that its crash
/// (and only such a crash) counts toward max_receive.
///
/// `Waiter` is what a suspect waits on (a continuation in the pool, a plain value in tests).
struct WorkerPoolState<Waiter> {
    /// What a slot holding a suspect does.
    enum SoloDecision: Equatable {
        /// Run it now: nothing else runs.
        case now
        /// Wait until the running handlers end (nothing new is claimed meanwhile); the waiter is kept.
        case wait
        /// Another suspect is ahead: give this one back, its receive refunded.
        case giveBack
    }

    private enum Solo {
        case none
        /// A suspect waits for the running handlers to end.
        case waiting(Waiter)
        /// A suspect runs alone.
        case running
    }

    let concurrency: Int
    /// Slots neither holding a delivery nor reserved for a claim under way.
    private(set) var idle: Int
    private(set) var generation = 0
    private(set) var mayHaveMore = true
    private(set) var heldBack = false
    private(set) var stopping = false
    /// Handlers of ordinary messages running now.
    private(set) var normalRunning = 0
    private var solo = Solo.none
    /// Every delivery the pool holds, from its claim to its end: the heartbeat extends their leases.
    private(set) var held: Set<Receipt> = []

    init(concurrency: Int) {
        self.concurrency = concurrency
        self.idle = concurrency
    }

    /// Whether no slot is busy.
    var allIdle: Bool { idle == concurrency }

    private var soloBlocks: Bool {
        if case .none = solo { return false }
        return true
    }

    // MARK: Claims

    /// Work may be waiting. Returns whether the dispatcher should look (a slot is free).
    mutating func wake() -> Bool {
        generation &+= 1
        mayHaveMore = true
        return idle > 0 && !stopping
    }

    /// Reserves every free slot for one claim, when there may be work; nil when there is nothing to do.
    mutating func reserve() -> (count: Int, generation: Int)? {
        guard !stopping, mayHaveMore, idle > 0, !soloBlocks else { return nil }
        defer { idle = 0 }
        return (idle, generation)
    }

    /// A claim of `reserved` slots returned `got` deliveries (`generation` nil when it failed), and passed over
    /// work a limit held back (`heldBack`) or not.
    mutating func claimed(reserved: Int, got receipts: [Receipt], generation: Int?, heldBack: Bool = false) {
        idle += reserved - receipts.count
        held.formUnion(receipts)
        if generation != nil { self.heldBack = heldBack }
        if receipts.count < reserved, let generation, generation == self.generation { mayHaveMore = false }
    }

    /// A slot about to record its end asks whether to claim its next message in the same write; returns the
    /// generation to pass to `slotEnded`, or nil when it should not.
    func refill() -> Int? {
        stopping || !(mayHaveMore || heldBack) || soloBlocks ? nil : generation
    }

    /// A slot's delivery ended (`ended`, nil when its lease was lost before) and it got `next` deliveries by
    /// the refill it `lookedAt` (or none), which passed over work a limit held back (`heldBack`) or not.
    /// Returns whether the dispatcher should look for work for it.
    mutating func slotEnded(_ ended: Receipt, lookedAt generation: Int?, next: [Receipt], heldBack: Bool = false) -> Bool {
        held.remove(ended)
        held.formUnion(next)
        if generation != nil { self.heldBack = heldBack }
        if !next.isEmpty { return false }
        if let generation, generation == self.generation { mayHaveMore = false }
        idle += 1
        return mayHaveMore && !stopping && !soloBlocks
    }

    /// No new work from now on; returns the waiting suspect's waiter (it gives up).
    mutating func stop() -> Waiter? {
        stopping = true
        guard case .waiting(let waiter) = solo else { return nil }
        solo = .none
        return waiter
    }

    // MARK: Handlers

    /// An ordinary handler starts.
    mutating func beginNormal() { normalRunning += 1 }

    /// An ordinary handler ended; returns the waiting suspect's waiter when it may now run (it then holds the solo).
    mutating func endNormal() -> Waiter? {
        normalRunning -= 1
        guard normalRunning == 0, case .waiting(let waiter) = solo else { return nil }
        solo = .running
        return waiter
    }

    /// A slot holds a suspect; `waiter` is kept when it must wait.
    mutating func requestSolo(waiter: Waiter) -> SoloDecision {
        switch solo {
        case .waiting, .running:
            return .giveBack
        case .none where normalRunning == 0:
            solo = .running
            return .now
        case .none:
            solo = .waiting(waiter)
            return .wait
        }
    }

    /// The suspect ended; returns whether the dispatcher should look for work again.
    mutating func endSolo() -> Bool {
        solo = .none
        return mayHaveMore && !stopping && idle > 0
    }
}
