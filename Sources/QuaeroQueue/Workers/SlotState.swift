/// The pool's slot bookkeeping as a pure state machine (no I/O; the pool acts on what it returns).
///
/// Suspects (messages whose previous delivery ended with its process dying) run solo: while one waits or
/// runs, nothing new is received and no other handler runs, so a poison message that kills its process only
/// ever kills itself and the receive count of innocent messages is not used up by its crashes.
///
/// `mayHaveMore` says whether the queue may hold ready work: set by every wake-up (send signal, ticker),
/// cleared when a receive came back short. `generation` counts wake-ups, so that a short receive that began
/// before a wake-up does not clear the flag that wake-up set (no lost wake-ups).
struct SlotState: Sendable {
    let concurrency: Int
    private(set) var idle: Int
    private(set) var generation = 0
    private(set) var mayHaveMore = true
    private(set) var stopping = false
    /// Handlers of ordinary messages running now.
    private(set) var normalRunning = 0
    /// A suspect waits for the running handlers to end.
    private(set) var soloPending = false
    /// A suspect runs alone.
    private(set) var soloHeld = false

    /// What a slot holding a suspect does.
    enum SoloDecision: Equatable {
        /// Run it now: nothing else runs.
        case now
        /// Wait until the running handlers end (nothing new is received meanwhile).
        case wait
        /// Another suspect is ahead: give this one back, its receive refunded.
        case giveBack
    }

    init(concurrency: Int) {
        self.concurrency = concurrency
        self.idle = concurrency
    }

    /// Work may be waiting. Returns whether the dispatcher should look (a slot is free).
    mutating func wake() -> Bool {
        generation &+= 1
        mayHaveMore = true
        return idle > 0 && !stopping
    }

    /// Reserves every free slot for one receive, when there may be work; nil when there is nothing to do.
    mutating func reserve() -> (count: Int, generation: Int)? {
        guard !stopping, mayHaveMore, idle > 0, !soloPending, !soloHeld else { return nil }
        defer { idle = 0 }
        return (idle, generation)
    }

    /// A receive of `reserved` slots returned `got` messages (`generation` nil when it failed).
    mutating func received(reserved: Int, got: Int, generation: Int?) {
        idle += reserved - got
        if got < reserved, let generation, generation == self.generation { mayHaveMore = false }
    }

    /// A slot whose handler ended asks whether to receive its next message in the same write; returns the
    /// generation to pass to `slotEnded`, or nil when it should not look.
    func refill() -> Int? {
        stopping || !mayHaveMore || soloPending || soloHeld ? nil : generation
    }

    /// A slot ended an attempt; it got a next message (`gotNext`) or becomes free. Returns whether the
    /// dispatcher should look for work for it.
    mutating func slotEnded(lookedAt generation: Int?, gotNext: Bool) -> Bool {
        if gotNext { return false }
        if let generation, generation == self.generation { mayHaveMore = false }
        idle += 1
        return mayHaveMore && !stopping
    }

    /// An ordinary handler starts.
    mutating func beginNormal() { normalRunning += 1 }

    /// An ordinary handler ended; returns whether the waiting suspect may now run (it then holds the solo).
    mutating func endNormal() -> Bool {
        normalRunning -= 1
        guard soloPending, normalRunning == 0 else { return false }
        (soloPending, soloHeld) = (false, true)
        return true
    }

    /// A slot holds a suspect.
    mutating func requestSolo() -> SoloDecision {
        if soloHeld || soloPending { return .giveBack }
        if normalRunning == 0 {
            soloHeld = true
            return .now
        }
        soloPending = true
        return .wait
    }

    /// The waiting suspect gives up (the pool stops).
    mutating func abandonSolo() { soloPending = false }

    /// The suspect ended; returns whether the dispatcher should look for work again.
    mutating func endSolo() -> Bool {
        soloHeld = false
        return mayHaveMore && !stopping && idle > 0
    }

    /// No new work from now on.
    mutating func stop() { stopping = true }

    /// Whether no slot is busy.
    var allIdle: Bool { idle == concurrency }
}
