import Foundation

/// An in-process caller's view of one job: its updates as they happen and its typed result.
///
/// Updates come from this process's event bus (no polling): a job run by a worker in another process shows
/// only its current state.
public struct JobHandle<Result: Decodable & Sendable>: Sendable {
    /// The job's id.
    public let id: String
    let manager: JobManager

    /// The job's updates from now on (status, progress, message): first its current state, then each event,
    /// ending after the job ends.
    public func updates() -> JobUpdates {
        JobUpdates(id: id, manager: manager, events: manager.events())
    }

    /// Waits for the job to end and returns its result decoded as `Result`.
    ///
    /// - Throws: `JobFailedError` when it failed or was cancelled; `decoding` when the result does not decode.
    public func result() async throws -> Result {
        for try await _ in updates() {}
        let job = try await manager.getJob(id)
        guard job.status == .completed else {
            throw JobFailedError(jobID: id, status: job.status, error: job.error)
        }
        do {
            let data = try JSONEncoder().encode(job.result ?? .null)
            return try JSONDecoder().decode(Result.self, from: data)
        } catch {
            throw QuaeroError(.decoding, "the result of job \(id) does not decode as \(Result.self): \(JSONValue.describe(error))")
        }
    }
}

/// The updates of one job: an `AsyncSequence` of events that starts with the job's current state and ends
/// after the event that ends the job.
public struct JobUpdates: AsyncSequence, Sendable {
    public typealias Element = JobEvent
    let id: String
    let manager: JobManager
    let events: AsyncStream<JobEvent>

    public func makeAsyncIterator() -> Iterator {
        Iterator(id: id, manager: manager, events: events.makeAsyncIterator())
    }

    /// Iterates the updates.
    public struct Iterator: AsyncIteratorProtocol {
        let id: String
        let manager: JobManager
        var events: AsyncStream<JobEvent>.Iterator
        var started = false
        var ended = false

        public mutating func next() async throws -> JobEvent? {
            if ended { return nil }
            if !started {
                started = true
                // Subscribed before this read, so nothing between the read and the first event is missed.
                let job = try await manager.getJob(id)
                ended = job.status.isTerminal
                return JobEvent(kind: Self.kind(of: job.status), jobID: job.id, type: job.type, parentID: job.parentID,
                                status: job.status, attempt: job.attempts, progress: job.progress,
                                message: job.status.isTerminal ? job.error : job.message, at: job.updatedAt)
            }
            while let event = await events.next() {
                guard event.jobID == id else { continue }
                if event.isTerminal { ended = true }
                return event
            }
            return nil
        }

        private static func kind(of status: JobStatus) -> JobEvent.Kind {
            switch status {
            case .pending: .created
            case .running: .started
            case .completed: .completed
            case .failed: .failed
            case .cancelled: .cancelled
            }
        }
    }
}
