import Quaero
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import QuaeroQueue

/// `GET /api/jobs/{id}/events`: server-sent events for one job. `event: job` carries the job (with
/// `children_by_status`) whenever its status, progress or message changes; `event: log` each log line, with
/// `id: <line id>`; `event: end` the final status, after every line the job logged before it ended; then the
/// stream closes. A server shutting down ends the stream with `event: shutdown`.
///
/// A stream starts after the line named by the `Last-Event-ID` header (what an `EventSource` sends when it
/// reconnects), or else with the job's newest `initialLines` lines. It is fed by in-process events (the job
/// manager's events and the log service's flush notices), plus a light poll of the job row and its new lines
/// every `pollInterval` for jobs that another process runs. At most `[server] max_event_streams` streams are
/// open at once; one more is a 503.
enum JobEventStream {
    /// The lines a stream starts with when the client names no line to resume after.
    static let initialLines = 100

    /// How streams follow their jobs.
    struct Options: Sendable {
        /// How often the job row and its new lines are read besides the in-process events: what shows the
        /// changes made by another process (`quaero worker` beside `quaero serve`).
        var pollInterval: Duration = .seconds(1)
        /// How long a stream may send nothing before it sends an SSE comment, so that a client that went
        /// away is noticed and its slot freed.
        var heartbeatInterval: Duration = .seconds(15)
        /// How long after a job's end another process may still hold its last lines (its `[logs]
        /// flush_interval`, taken to be this process's, and a margin): a job seen ended only by reading
        /// is given up to this long past its end for those lines to be stored before `end` is sent.
        var foreignFlushWait: Duration = .milliseconds(1500)
        /// The clock of the poll, the heartbeat and the wait.
        var clock: any QuaeroClock = SystemClock()
    }

    /// The wait for another process's last lines: its flush interval and a margin, at most 5 s, so that a
    /// long interval does not hold every stream of a just-ended job.
    static func foreignFlushWait(flushInterval: Duration) -> Duration {
        min(flushInterval + .milliseconds(500), .seconds(5))
    }

    static func add(to router: Router<BasicRequestContext>, runtime: QuaeroRuntime, slots: EventStreamSlots, options: Options) {
        router.get("/api/jobs/:id/events") { request, context -> Response in
            let id = try APIRequest.jobID(context)
            let resumeAfter = try lastEventID(request)
            let feed = try await JobEventFeed.start(jobID: id, runtime: runtime, options: options)  // 404 for an unknown job
            return try response(slots) { writer in
                var feed = feed
                try await feed.run(resumingAfter: resumeAfter, to: &writer)
            }
        }
    }

    /// A `text/event-stream` answer that holds one of `slots` while `body` writes it.
    /// - Throws: 503 when every slot is taken.
    static func response(_ slots: EventStreamSlots,
                         _ body: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) throws -> Response {
        let slot = try slots.take()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { slot.release() }
            var writer: any ResponseBodyWriter = writer
            try await body(&writer)
            try await writer.finish(nil)
        })
    }

    /// The `Last-Event-ID` header: the id of the last log line the client has, nil when absent or empty.
    /// - Throws: 400 when it is not a line id.
    static func lastEventID(_ request: Request) throws -> Int64? {
        guard let name = HTTPField.Name("Last-Event-ID"), let text = request.headers[name], !text.isEmpty else { return nil }
        guard let id = Int64(text), id >= 0 else {
            let shown = text.count > 40 ? "\(text.prefix(40))…" : text
            throw APIError(.badRequest, code: "invalid_header",
                           "Last-Event-ID must be the id of a log line this stream sent (a whole number ≥ 0), not \"\(shown)\"")
        }
        return id
    }

    /// One SSE frame: `event: NAME` (after `id: ID` when given) and the value as one line of JSON.
    static func frame(_ name: String, _ value: some Encodable, id: Int64? = nil) throws -> ByteBuffer {
        let json = String(decoding: try APIJSON.encode(value, pretty: false), as: UTF8.self)
        return ByteBuffer(string: (id.map { "id: \($0)\n" } ?? "") + "event: \(name)\ndata: \(json)\n\n")
    }

    /// An SSE comment, which clients ignore: sent while nothing happens so that a closed connection is noticed.
    static let heartbeat = ByteBuffer(string: ": keep-alive\n\n")

    /// The job's JSON plus `children_by_status`, derived from its progress counters (a parent's count its
    /// children): `completed`, `failed` (cancelled included) and `unfinished` (pending or running).
    struct Snapshot: Encodable, Equatable {
        let job: Job

        var childrenByStatus: [String: Int] {
            let progress = job.progress
            return ["completed": progress.completed, "failed": progress.failed,
                    "unfinished": max(0, progress.total - progress.completed - progress.failed)]
        }

        static func == (lhs: Snapshot, rhs: Snapshot) -> Bool {
            lhs.job.status == rhs.job.status && lhs.job.progress == rhs.job.progress && lhs.job.message == rhs.job.message
                && lhs.job.error == rhs.job.error
        }

        private enum Key: String, CodingKey { case childrenByStatus = "children_by_status" }

        func encode(to encoder: any Encoder) throws {
            try job.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(childrenByStatus, forKey: .childrenByStatus)
        }
    }
}
