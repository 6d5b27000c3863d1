import Quaero
import Hummingbird
import HTTPTypes
import QuaeroQueue

/// `/api/jobs...`: list, show, create, cancel, rerun, delete, logs and documents.
enum JobRoutes {
    static func add(to router: Router<BasicRequestContext>, runtime: QuaeroRuntime) {
        let manager = runtime.jobManager
        router.get("/api/jobs") { request, _ -> Response in
            let filter = JobFilter(status: try APIRequest.query(request, "status").map(JobStatus.parse),
                                   type: try APIRequest.query(request, "type").map { JobType(rawValue: $0) },
                                   parentID: try APIRequest.query(request, "parent_id"),
                                   limit: try APIRequest.queryInt(request, "limit", default: 50),
                                   offset: try APIRequest.queryInt(request, "offset", default: 0))
            return try APIResponse.json(try await manager.listJobs(filter))
        }
        router.post("/api/jobs") { request, _ -> Response in
            let job = try await JobSubmission.submit(try await APIRequest.jsonObject(request), runtime: runtime)
            return try APIResponse.json(job, status: .accepted)
        }
        router.get("/api/jobs/:id") { _, context -> Response in
            try APIResponse.json(try await manager.getJobWithChildren(try APIRequest.jobID(context)))
        }
        router.post("/api/jobs/:id/cancel") { _, context -> Response in
            let id = try APIRequest.jobID(context)
            try await manager.cancel(id)
            return try APIResponse.json(try await manager.getJob(id))
        }
        router.post("/api/jobs/:id/rerun") { _, context -> Response in
            try APIResponse.json(try await manager.copyJob(try APIRequest.jobID(context)), status: .accepted)
        }
        router.delete("/api/jobs/:id") { _, context -> Response in
            let id = try APIRequest.jobID(context)
            try await manager.deleteJob(id)
            return try APIResponse.json(["deleted": id])
        }
        router.get("/api/jobs/:id/logs") { request, context -> Response in
            let id = try APIRequest.jobID(context)
            _ = try await manager.getJob(id)  // an unknown job is a 404, not an empty list
            let level = try APIRequest.query(request, "level").map(APIRequest.logLevel)
            let limit = try APIRequest.queryInt(request, "limit", default: 100)
            guard (1...JobLogStore.maxLimit).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_query", "limit must be within 1...\(JobLogStore.maxLimit), not \(limit)")
            }
            return try APIResponse.json(try await runtime.logService.store.entries(jobID: id, limit: limit, minimumLevel: level))
        }
        router.get("/api/jobs/:id/documents") { request, context -> Response in
            let id = try APIRequest.jobID(context)
            _ = try await manager.getJob(id)
            let documents = try await runtime.documents.documents(
                ofJob: id, limit: try APIRequest.queryInt(request, "limit", default: 100),
                offset: try APIRequest.queryInt(request, "offset", default: 0), includeText: try APIRequest.queryBool(request, "text"))
            return try APIResponse.json(documents.map(DocumentJSON.init))
        }
    }
}
