public import Foundation

/// A message's id: unique across every queue of a database.
public typealias MessageID = Int64

/// Names one delivery of a message. Every operation that finishes or extends a delivery needs it, and fails
/// with `leaseLost` once the message went to another consumer.
public struct Receipt: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The message delivered.
    public let messageID: MessageID
    /// The lease token of this delivery.
    public let lease: Int64

    /// Creates a receipt from its parts.
    public init(messageID: MessageID, lease: Int64) {
        self.messageID = messageID
        self.lease = lease
    }

    public var description: String { "\(messageID):\(lease)" }
}

/// A message to send.
public struct OutgoingMessage: Sendable, Equatable {
    /// The opaque body.
    public var body: Data
    /// The message type, when the sender names one (used by per-type stats and routing).
    public var type: String?
    /// How long the message stays hidden before its first delivery.
    public var delay: Duration
    /// Higher is delivered first; FIFO within a priority.
    public var priority: Int
    /// While a message with this key is in the queue (not yet deleted), sending the key again is a no-op.
    public var key: String?

    /// Creates a message to send.
    public init(body: Data, type: String? = nil, delay: Duration = .zero, priority: Int = 0, key: String? = nil) {
        self.body = body
        self.type = type
        self.delay = delay
        self.priority = priority
        self.key = key
    }
}

/// A message as delivered by `receive`.
public struct ReceivedMessage: Sendable, Equatable {
    /// The message's id.
    public let id: MessageID
    /// The message type given at send, if any.
    public let type: String?
    /// The body as sent.
    public let body: Data
    /// How many times it has been delivered, this delivery included.
    public let received: Int
    /// Its priority.
    public let priority: Int
    /// Names this delivery; pass it to `delete`, `extend`, `release` or `deadLetter`.
    public let receipt: Receipt
    /// When it was sent (UTC milliseconds).
    public let createdAt: Int64
    /// The error recorded by the previous delivery's release, if any.
    public let lastError: String?
    /// The job this message runs, if any.
    public let jobID: String?

    /// Creates a delivered message (as a store reads it).
    public init(id: MessageID, type: String?, body: Data, received: Int, priority: Int, receipt: Receipt,
                createdAt: Int64, lastError: String?, jobID: String?) {
        self.id = id
        self.type = type
        self.body = body
        self.received = received
        self.priority = priority
        self.receipt = receipt
        self.createdAt = createdAt
        self.lastError = lastError
        self.jobID = jobID
    }
}

/// A dead-lettered message: never delivered again until requeued.
public struct DeadLetter: Sendable, Equatable {
    /// The message's id.
    public let id: MessageID
    /// The message type given at send, if any.
    public let type: String?
    /// The body as sent.
    public let body: Data
    /// How many times it had been delivered.
    public let received: Int
    /// Why it was dead-lettered.
    public let error: String?
    /// When it was dead-lettered (UTC milliseconds).
    public let deadAt: Int64
    /// The job the message ran, if any.
    public let jobID: String?

    /// Creates a dead letter (as a store reads it).
    public init(id: MessageID, type: String?, body: Data, received: Int, error: String?, deadAt: Int64, jobID: String?) {
        self.id = id
        self.type = type
        self.body = body
        self.received = received
        self.error = error
        self.deadAt = deadAt
        self.jobID = jobID
    }
}

/// What `release` did with a delivery.
public enum ReleaseOutcome: Sendable, Equatable {
    /// Back in the queue, visible again after the delay.
    case requeued
    /// It had reached `maxReceive`, so it was dead-lettered instead.
    case deadLettered
}

/// Counts of one queue's messages by state.
public struct QueueStats: Sendable, Equatable {
    /// Counts of one message type.
    public struct Counts: Sendable, Equatable {
        /// Visible now (including deliveries whose lease expired).
        public var ready = 0
        /// Hidden until a later time, not held by anyone (sent with a delay, or released with backoff).
        public var delayed = 0
        /// Held by a consumer's lease.
        public var inFlight = 0
        /// Dead-lettered.
        public var dead = 0

        /// Zero counts.
        public init() {}
    }

    /// The queue's name.
    public let queue: String
    /// Totals over every type.
    public let totals: Counts
    /// Seconds since the longest-waiting ready message became visible; nil when none is ready.
    public let oldestReadyAgeSeconds: Double?
    /// Counts per message type ("" for messages sent without one).
    public let byType: [String: Counts]
    /// What of the queue is paused.
    public var paused: QueuePause

    /// Creates the counts (as a store reads them).
    public init(queue: String, totals: Counts, oldestReadyAgeSeconds: Double?, byType: [String: Counts],
                paused: QueuePause = QueuePause()) {
        self.queue = queue
        self.totals = totals
        self.oldestReadyAgeSeconds = oldestReadyAgeSeconds
        self.byType = byType
        self.paused = paused
    }
}

/// The settings of one queue.
public struct QueueOptions: Sendable, Equatable {
    /// How long a delivery stays hidden from other consumers unless extended.
    public var visibilityTimeout: Duration
    /// Deliveries after which a message that is still not deleted is dead-lettered.
    public var maxReceive: Int
    /// A send to the queue while it holds this many ready messages is refused with `queueFull` (nil: no bound).
    public var maxReady: Int?

    /// Creates queue settings; the defaults are 5 minutes, 3 deliveries and no bound.
    public init(visibilityTimeout: Duration = .seconds(300), maxReceive: Int = 3, maxReady: Int? = nil) {
        self.visibilityTimeout = visibilityTimeout
        self.maxReceive = maxReceive
        self.maxReady = maxReady
    }
}

/// Which messages `StoreReader.messages` returns.
public enum MessageQuery: Sendable, Equatable {
    /// The message with this id.
    case id(MessageID)
    /// The live or dead message of this job.
    case job(String)
    /// Live messages of `queue` in `state` (ready, delayed or in flight) in `MessagePosition` order, those after
    /// `after`, at most `limit`. Each state is a range of an index, so a page costs the same at any depth. In
    /// flight are the messages of running jobs whose lease holds (a store finds them through its running jobs;
    /// a message without a job is never held for long: the job queue dead-letters it at its first delivery).
    /// Dead letters are listed by `StoreReader.deadLetters(_:)`; asking for `.dead` here is `invalidArgument`.
    case queue(String, state: QueuedMessage.State, after: MessagePosition?, limit: Int)
}

/// A message as stored, with its delivery state: what the dashboard shows and tests look at.
public struct QueuedMessage: Sendable, Equatable {
    /// Where a message is in its life.
    public enum State: String, Sendable, Equatable, CaseIterable {
        /// Visible now (including a delivery whose lease expired).
        case ready
        /// Hidden until a later time, held by no one.
        case delayed
        /// Held by a current lease.
        case inFlight = "in_flight"
        /// Dead-lettered.
        case dead
    }

    /// The message.
    public let id: MessageID
    /// Its queue.
    public let queue: String
    /// Its type, if any.
    public let type: String?
    /// The job it runs, if any.
    public let jobID: String?
    /// Its priority.
    public let priority: Int
    /// Its state at the store's time of the read.
    public let state: State
    /// When it is (or was) visible (UTC milliseconds).
    public let visibleAt: Int64
    /// When its current lease ends, if it is held.
    public let leasedUntil: Int64?
    /// Deliveries counted so far.
    public let received: Int
    /// The worker pool holding it, if any.
    public let owner: Int64?
    /// The last error recorded, if any.
    public let lastError: String?
    /// When it was sent (UTC milliseconds).
    public let createdAt: Int64

    /// Creates the record (as a store reads it).
    public init(id: MessageID, queue: String, type: String?, jobID: String?, priority: Int, state: State, visibleAt: Int64,
                leasedUntil: Int64?, received: Int, owner: Int64?, lastError: String?, createdAt: Int64) {
        self.id = id
        self.queue = queue
        self.type = type
        self.jobID = jobID
        self.priority = priority
        self.state = state
        self.visibleAt = visibleAt
        self.leasedUntil = leasedUntil
        self.received = received
        self.owner = owner
        self.lastError = lastError
        self.createdAt = createdAt
    }
}
