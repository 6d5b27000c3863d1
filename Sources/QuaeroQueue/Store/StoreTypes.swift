import Foundation

/// A message for `StoreTransaction.send`: what the sender gave, and the job it runs (if any).
public struct NewMessage: Sendable, Equatable {
    /// The body, type, delay, priority and dedup key.
    public var message: OutgoingMessage
    /// The job this message runs; its config lives in the job's record, not in the body.
    public var jobID: String?
    /// Its limits (a limit key, its type's max_in_flight), if any.
    public var limits: MessageLimits?

    /// Creates a message to store.
    public init(_ message: OutgoingMessage, jobID: String? = nil, limits: MessageLimits? = nil) {
        self.message = message
        self.jobID = jobID
        self.limits = limits.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// What `send` did with one message.
public struct SentMessage: Sendable, Equatable {
    /// The stored message, or the live one that already held its dedup key.
    public let id: MessageID
    /// False when a live message already held the dedup key (nothing was stored).
    public let stored: Bool
    /// The job that message runs, if any.
    public let jobID: String?

    /// Creates a send result.
    public init(id: MessageID, stored: Bool, jobID: String?) {
        self.id = id
        self.stored = stored
        self.jobID = jobID
    }
}

/// What `receive` and `claim` take.
public struct ReceiveRequest: Sendable, Equatable {
    /// The queue.
    public var queue: String
    /// At most this many messages.
    public var limit: Int
    /// The worker pool taking the leases, so that they can be given back if it dies.
    public var owner: Int64?
    /// How long each delivery stays hidden unless extended.
    public var visibility: Duration
    /// Messages already delivered this many times are dead-lettered instead of delivered.
    public var maxReceive: Int
    /// Only messages of these types (nil: any type).
    public var types: Set<String>?
    /// `maxReceive` of the types that have their own (`[types.NAME] max_receive`).
    public var maxReceiveByType: [String: Int]
    /// Never messages of these types (nil or empty: none left out); messages without a type are not left out.
    /// With `types` too, a message must be of one of `types` and of none of these.
    public var excludedTypes: Set<String>?
    /// The worker that takes the leases, recorded on each job the claim starts (`Job.worker`); nil records none.
    public var worker: String?
    /// A worker pool's claim: the types it leaves to remote workers, decided by the store as it claims (from
    /// the announcements live at that moment, which another process may have just made).
    public var leaving: RemoteTypePolicy?

    /// Creates a request.
    public init(queue: String, limit: Int, owner: Int64? = nil, visibility: Duration, maxReceive: Int,
                types: Set<String>? = nil, maxReceiveByType: [String: Int] = [:], excludedTypes: Set<String>? = nil,
                worker: String? = nil, leaving: RemoteTypePolicy? = nil) {
        self.queue = queue
        self.limit = limit
        self.owner = owner
        self.visibility = visibility
        self.maxReceive = maxReceive
        self.types = types
        self.maxReceiveByType = maxReceiveByType
        self.excludedTypes = excludedTypes
        self.worker = worker
        self.leaving = leaving
    }

    /// The max_receive of messages of `type`.
    public func maxReceive(of type: String?) -> Int {
        if maxReceiveByType.isEmpty { return maxReceive }
        return type.flatMap { maxReceiveByType[$0] } ?? maxReceive
    }
}

/// Which job types a worker pool leaves to remote workers: those a live remote worker serves and those
/// declared remote, except the ones it has a handler for. Never claimed by the pool, so never dead-lettered for
/// want of a handler.
public struct RemoteTypePolicy: Sendable, Equatable {
    /// The types the pool has a handler for.
    public let handled: Set<String>
    /// Types left to remote workers even while none is live (`WorkerPoolOptions.remoteTypes`).
    public let declared: Set<String>

    /// Creates a policy.
    public init(handled: Set<String>, declared: Set<String>) {
        self.handled = handled
        self.declared = declared
    }

    /// The types left out when `live` are those that live remote workers serve.
    public func leftOut(live: Set<String>) -> Set<String> {
        live.union(declared).subtracting(handled)
    }
}

/// A message that reached max_receive and was dead-lettered when it came up for delivery.
public struct ExhaustedMessage: Sendable, Equatable {
    /// The message.
    public let id: MessageID
    /// Its job, if any.
    public let jobID: String?
    /// Why it was dead-lettered.
    public let reason: String

    /// Creates the record.
    public init(id: MessageID, jobID: String?, reason: String) {
        self.id = id
        self.jobID = jobID
        self.reason = reason
    }
}

/// What `receive` returns.
public struct Delivery: Sendable, Equatable {
    /// The messages delivered, best first.
    public var messages: [ReceivedMessage]
    /// Messages dead-lettered on the way (max_receive reached).
    public var exhausted: [ExhaustedMessage]
    /// Whether a candidate was passed over because a limit held it back (its key's or its type's
    /// max_in_flight, or its key's rate): an ending delivery may free it.
    public var heldBack: Bool
    /// When a message was passed over because its limit key's rate did not allow it to start yet: the
    /// earliest time (store time, UTC milliseconds) such a message may start, so that a consumer can look
    /// again then.
    public var rateLimitedUntil: Int64?

    /// Creates a delivery.
    public init(messages: [ReceivedMessage] = [], exhausted: [ExhaustedMessage] = [], heldBack: Bool = false,
                rateLimitedUntil: Int64? = nil) {
        self.messages = messages
        self.exhausted = exhausted
        self.heldBack = heldBack
        self.rateLimitedUntil = rateLimitedUntil
    }
}

/// A delivered message and the job it started.
public struct ClaimedMessage: Sendable, Equatable {
    /// The delivery.
    public let message: ReceivedMessage
    /// Its job as started by this delivery; nil for a message without a job, or whose job already ended.
    public let job: Job?

    /// Creates the pair.
    public init(message: ReceivedMessage, job: Job?) {
        self.message = message
        self.job = job
    }
}

/// What `claim` returns.
public struct ClaimBatch: Sendable, Equatable {
    /// The messages delivered, best first, with their started jobs.
    public var claimed: [ClaimedMessage]
    /// Messages dead-lettered on the way (max_receive reached).
    public var exhausted: [ExhaustedMessage]
    /// As `Delivery.heldBack`.
    public var heldBack: Bool
    /// As `Delivery.rateLimitedUntil`.
    public var rateLimitedUntil: Int64?

    /// Creates a batch.
    public init(claimed: [ClaimedMessage] = [], exhausted: [ExhaustedMessage] = [], heldBack: Bool = false,
                rateLimitedUntil: Int64? = nil) {
        self.claimed = claimed
        self.exhausted = exhausted
        self.heldBack = heldBack
        self.rateLimitedUntil = rateLimitedUntil
    }
}

/// A dead letter put back in its queue.
public struct RequeuedMessage: Sendable, Equatable {
    /// The message.
    public let id: MessageID
    /// Its job, if any.
    public let jobID: String?

    /// Creates the record.
    public init(id: MessageID, jobID: String?) {
        self.id = id
        self.jobID = jobID
    }
}

/// A lease of a dead or stopping pool, given back.
public struct ReleasedDelivery: Sendable, Equatable {
    /// The message.
    public let id: MessageID
    /// Its job, if any.
    public let jobID: String?
    /// Whether the delivery counts toward max_receive (it ran alone, so the crash may be its own doing).
    public let counted: Bool
    /// Deliveries counted so far, after this release.
    public let received: Int

    /// Creates the record.
    public init(id: MessageID, jobID: String?, counted: Bool, received: Int) {
        self.id = id
        self.jobID = jobID
        self.counted = counted
        self.received = received
    }
}

/// A registered worker pool.
public struct WorkerPoolRecord: Sendable, Equatable {
    /// Its id (never reused).
    public let id: Int64
    /// Its name.
    public let name: String
    /// Its process id on its host.
    public let pid: Int
    /// When it started (UTC milliseconds).
    public let startedAt: Int64
    /// Its last heartbeat (UTC milliseconds).
    public let heartbeatAt: Int64
    /// Its heartbeat interval.
    public let heartbeat: Duration

    /// Creates the record.
    public init(id: Int64, name: String, pid: Int, startedAt: Int64, heartbeatAt: Int64, heartbeat: Duration) {
        self.id = id
        self.name = name
        self.pid = pid
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.heartbeat = heartbeat
    }
}

/// A job record to store.
public struct NewJobRecord: Sendable, Equatable {
    /// Its id.
    public var id: String
    /// Its parent, if any (already counted with `countChildren`).
    public var parentID: String?
    /// Its type.
    public var type: JobType
    /// Its configuration.
    public var config: [String: JSONValue]
    /// The other fields of its message.
    public var fields: [String: JSONValue]
    /// The message that runs it.
    public var messageID: MessageID
    /// Whether it fails when any of its children failed.
    public var failOnChildFailure: Bool
    /// Its unique key, if it was created as a unique job (`StoreReader.uniqueJob` finds it by this key).
    public var uniqueKey: String?

    /// Creates a record.
    public init(id: String, parentID: String?, type: JobType, config: [String: JSONValue], fields: [String: JSONValue],
                messageID: MessageID, failOnChildFailure: Bool, uniqueKey: String? = nil) {
        self.id = id
        self.parentID = parentID
        self.type = type
        self.config = config
        self.fields = fields
        self.messageID = messageID
        self.failOnChildFailure = failOnChildFailure
        self.uniqueKey = uniqueKey
    }
}

/// A running job whose handler succeeded with `result` (see `StoreTransaction.completeJobs`).
public struct JobCompletion: Sendable {
    /// The job, as it was claimed.
    public let job: Job
    /// What its handler returned.
    public let result: JSONValue?

    /// Creates a completion.
    public init(job: Job, result: JSONValue?) {
        self.job = job
        self.result = result
    }
}

/// How a job stands after a change that may have ended it: what its events and its parent need.
public struct JobEnd: Sendable, Equatable {
    /// The job.
    public let id: String
    /// Its parent, if any.
    public let parentID: String?
    /// Its type.
    public let type: JobType
    /// Its status after the change (`running` while it waits for its children).
    public let status: JobStatus
    /// Its error, if it ended badly.
    public let error: String?
    /// Attempts so far.
    public let attempts: Int

    /// Creates the record.
    public init(id: String, parentID: String?, type: JobType, status: JobStatus, error: String?, attempts: Int) {
        self.id = id
        self.parentID = parentID
        self.type = type
        self.status = status
        self.error = error
        self.attempts = attempts
    }
}

/// A job of a subtree, with what cancel and delete need.
public struct JobNode: Sendable, Equatable {
    /// The job.
    public let id: String
    /// Its parent, if any.
    public let parentID: String?
    /// Its type.
    public let type: JobType
    /// Its status.
    public let status: JobStatus
    /// Its live message, if any.
    public let messageID: MessageID?
    /// Attempts so far.
    public let attempts: Int

    /// Creates the record.
    public init(id: String, parentID: String?, type: JobType, status: JobStatus, messageID: MessageID?, attempts: Int) {
        self.id = id
        self.parentID = parentID
        self.type = type
        self.status = status
        self.messageID = messageID
        self.attempts = attempts
    }
}

/// A parent's progress after one of its children ended.
public struct ParentProgress: Sendable, Equatable {
    /// The parent.
    public let id: String
    /// Its own parent, if any.
    public let parentID: String?
    /// Its type.
    public let type: JobType
    /// Its status.
    public let status: JobStatus
    /// Attempts so far.
    public let attempts: Int
    /// Its progress counters.
    public let progress: JobProgress

    /// Creates the record.
    public init(id: String, parentID: String?, type: JobType, status: JobStatus, attempts: Int, progress: JobProgress) {
        self.id = id
        self.parentID = parentID
        self.type = type
        self.status = status
        self.attempts = attempts
        self.progress = progress
    }
}

/// Which log lines `StoreReader.logs` returns.
public enum JobLogQuery: Sendable, Equatable {
    /// A job's lines at or after `since` (UTC milliseconds) with a level at or above `minimumLevel`, newest
    /// first, at most `limit`.
    case newest(jobID: String, limit: Int, minimumLevel: LogLevel?, since: Int64?)
    /// A job's lines after the line `after` (or from the start), oldest first, at most `limit`.
    case after(jobID: String, entry: JobLogEntry?, limit: Int, minimumLevel: LogLevel?)
    /// Lines of every job with exactly `level`, at or after `since`, newest first, at most `limit`.
    case level(LogLevel, since: Int64?, limit: Int)
    /// The line with this id, if there is one.
    case id(Int64)
}
