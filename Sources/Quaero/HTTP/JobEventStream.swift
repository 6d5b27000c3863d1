import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import QuaeroQueue
import ServiceLifecycle

/// `GET /api/jobs/{id}/events`: server-sent events for one job. `event: job` carries the job (with
/// `children_by_status`, a summary of its children) whenever its status, progress or message changes;
/// `event: log` each new log line; `event: end` the final status, after which the stream closes. A server
/// shutting down ends the stream with `event: shutdown`.
///
/// The job is polled every `interval` rather than followed through in-process events, so changes made by
/// other processes (`quaero worker` beside `quaero serve`) are seen too.
enum JobEventStream {
    static let interval: Duration = .milliseconds(250)

    static func add(to router: Router<BasicRequestContext>, runtime: QuaeroRuntime) {
        router.get("/api/jobs/:id/events") { _, context -> Response in
            let id = try APIRequest.path(context, "id")
            _ = try await runtime.jobManager.getJob(id)  // an unknown job is a 404 before the stream starts
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await stream(id, runtime: runtime, to: &writer)
                try await writer.finish(nil)
            })
        }
    }

    private static func stream(_ id: String, runtime: QuaeroRuntime, to writer: inout any ResponseBodyWriter) async throws {
        var lastJob: Snapshot?
        var lastLog: JobLogEntry?
        while true {
            guard let job = try? await runtime.jobManager.getJobWithChildren(id) else {
                return try await writer.write(event("end", ["status": "deleted"]))  // deleted meanwhile
            }
            let snapshot = Snapshot(job)
            if snapshot != lastJob {
                try await writer.write(event("job", snapshot))
                lastJob = snapshot
            }
            let logs = try await runtime.logService.store.entries(jobID: id, after: lastLog, limit: 500)
            for entry in logs { try await writer.write(event("log", entry)) }
            lastLog = logs.last ?? lastLog
            if job.job.status.isTerminal, logs.isEmpty {
                return try await writer.write(event("end", ["status": job.job.status.rawValue]))
            }
            if Task.isShuttingDownGracefully || Task.isCancelled {
                return try await writer.write(event("shutdown", ["status": job.job.status.rawValue]))
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// One SSE frame: `event: NAME` and the value as one line of JSON.
    private static func event(_ name: String, _ value: some Encodable) throws -> ByteBuffer {
        let json = String(decoding: try APIJSON.encode(value, pretty: false), as: UTF8.self)
        return ByteBuffer(string: "event: \(name)\ndata: \(json)\n\n")
    }

    /// The job's JSON plus `children_by_status`: how many children are in each status.
    struct Snapshot: Encodable, Equatable {
        let job: Job
        let childrenByStatus: [String: Int]

        init(_ job: JobWithChildren) {
            self.job = job.job
            childrenByStatus = Dictionary(grouping: job.children, by: \.status.rawValue).mapValues(\.count)
        }

        static func == (lhs: Snapshot, rhs: Snapshot) -> Bool {
            lhs.job.status == rhs.job.status && lhs.job.progress == rhs.job.progress && lhs.job.message == rhs.job.message
                && lhs.job.error == rhs.job.error && lhs.childrenByStatus == rhs.childrenByStatus
        }

        private enum Key: String, CodingKey { case childrenByStatus = "children_by_status" }

        func encode(to encoder: any Encoder) throws {
            try job.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(childrenByStatus, forKey: .childrenByStatus)
        }
    }
}
