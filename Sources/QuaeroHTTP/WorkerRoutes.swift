import Quaero
import Hummingbird
import HTTPTypes
import QuaeroQueue
import ServiceLifecycle

/// The worker protocol (DESIGN §10): `POST /api/jobs/claim` and, with a job's lease token,
/// `POST /api/jobs/{id}/heartbeat|progress|logs|complete|fail`. Everything goes through the job manager's
/// public API; a stale or wrong token is a 409 `lease_lost` that changed nothing.
enum WorkerRoutes {
    static func add(to router: Router<BasicRequestContext>, runtime: QuaeroRuntime) {
        let manager = runtime.jobManager
        let pollInterval = runtime.config.queue.pollInterval
        let backoff = Backoff(runtime.config.queue.workerPoolOptions)
        router.post("/api/jobs/claim") { request, _ -> Response in
            let claim = try WorkerRequests.claim(try await APIRequest.jsonObject(request))
            // A server that shuts down ends its long polls at once (with no jobs) instead of waiting them out.
            let leased = try await cancelWhenGracefulShutdown { try await manager.claimJobs(claim, pollInterval: pollInterval) }
            return try APIResponse.json(ClaimJSON(jobs: leased.map(LeasedJobJSON.init)))
        }
        router.post("/api/jobs/:id/heartbeat") { request, context -> Response in
            let (id, object) = try await jobAndBody(request, context)
            return try APIResponse.json(LeaseStatusJSON(try await manager.heartbeat(job: id, lease: try WorkerRequests.lease(object))))
        }
        router.post("/api/jobs/:id/progress") { request, context -> Response in
            let (id, object) = try await jobAndBody(request, context)
            let (lease, report) = try WorkerRequests.progress(object)
            return try APIResponse.json(try await manager.reportProgress(job: id, lease: lease, report))
        }
        router.post("/api/jobs/:id/logs") { request, context -> Response in
            let (id, object) = try await jobAndBody(request, context)
            let (lease, lines) = try WorkerRequests.logs(object)
            try await manager.holdLease(job: id, lease: lease)
            for (level, message) in lines { runtime.logService.append(jobID: id, level: level, message: message) }
            return try APIResponse.json(["appended": lines.count])
        }
        router.post("/api/jobs/:id/complete") { request, context -> Response in
            let (id, object) = try await jobAndBody(request, context)
            let (lease, result) = try WorkerRequests.complete(object)
            return try APIResponse.json(try await manager.complete(job: id, lease: lease, result: result))
        }
        router.post("/api/jobs/:id/fail") { request, context -> Response in
            let (id, object) = try await jobAndBody(request, context)
            let (lease, error, retry) = try WorkerRequests.fail(object, backoff: backoff)
            return try APIResponse.json(try await manager.fail(job: id, lease: lease, error: error, retry: retry))
        }
    }

    /// The job id of the path and the JSON body.
    private static func jobAndBody(_ request: Request, _ context: BasicRequestContext) async throws -> (String, [String: JSONValue]) {
        let id = try APIRequest.jobID(context)
        return (id, try await APIRequest.jsonObject(request))
    }
}

/// The answer of a claim: `{"jobs": [job...]}`, each job with its `lease` and `lease_expires_at`.
struct ClaimJSON: Encodable {
    let jobs: [LeasedJobJSON]
}

/// A claimed job: the job's JSON with `lease` (its token) and `lease_expires_at`.
struct LeasedJobJSON: Encodable {
    let leased: LeasedJob

    init(_ leased: LeasedJob) { self.leased = leased }

    private enum Key: String, CodingKey { case lease, leaseExpiresAt = "lease_expires_at" }

    func encode(to encoder: any Encoder) throws {
        try leased.job.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(leased.lease.description, forKey: .lease)
        try container.encode(APIJSON.timestamp(milliseconds: leased.leaseExpiresAt), forKey: .leaseExpiresAt)
    }
}

/// The answer of a heartbeat: `{"id", "status", "cancelled", "lease_expires_at"}`.
struct LeaseStatusJSON: Encodable {
    let id: String
    let status: JobStatus
    let cancelled: Bool
    let leaseExpiresAt: String?

    init(_ status: LeaseStatus) {
        id = status.jobID
        self.status = status.status
        cancelled = status.cancelled
        leaseExpiresAt = status.leaseExpiresAt.map { APIJSON.timestamp(milliseconds: $0) }
    }

    private enum Key: String, CodingKey { case id, status, cancelled, leaseExpiresAt = "lease_expires_at" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(cancelled, forKey: .cancelled)
        try container.encode(leaseExpiresAt, forKey: .leaseExpiresAt)
    }
}
