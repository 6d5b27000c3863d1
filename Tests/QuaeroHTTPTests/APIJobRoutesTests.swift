import Foundation
import Hummingbird
import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: jobs", .serialized, .timeLimit(.minutes(1)))
struct APIJobRoutesTests {
    @Test("POST /api/jobs creates a crawl (202 with the job); GET lists it, shows it with children, filters by status and type")
    func createListShow() async throws {
        try await withAPI { runtime, api in
            let created = try await api.post("/api/jobs", #"{"type": "crawler", "config": {"urls": ["https://example.com/"], "max_depth": 1}}"#)
            #expect(created.status == .accepted, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            #expect(created.object["type"] as? String == "parent")
            #expect(created.object["status"] as? String == "pending")
            #expect((created.object["config"] as? [String: Any])?["max_depth"] as? Int == 1)
            #expect(try await runtime.queueManager.length() == 1)

            let child = try await runtime.jobManager.createJob(JobSpec(type: .crawlerURL, config: [:], parentID: id))
            let shown = try await api.get("/api/jobs/\(id)")
            #expect(shown.status == .ok)
            #expect((shown.object["children"] as? [[String: Any]])?.map { $0["id"] as? String } == [child.id])
            #expect(shown.object["progress"] is [String: Any])

            let all = try await api.get("/api/jobs")
            #expect(all.array.count == 2)
            #expect(try await api.get("/api/jobs?type=parent").array.map { $0["id"] as? String } == [id])
            #expect(try await api.get("/api/jobs?parent_id=\(id)").array.map { $0["id"] as? String } == [child.id])
            #expect(try await api.get("/api/jobs?status=completed").array.isEmpty)
            #expect(try await api.get("/api/jobs?limit=1").array.count == 1)
        }
    }

    @Test("summarizer and cleanup jobs are created from their configs")
    func otherTypes() async throws {
        try await withAPI { _, api in
            let summarize = try await api.post("/api/jobs", #"{"type": "summarizer", "config": {"document_ids": [1, 2]}}"#)
            #expect(summarize.status == .accepted)
            #expect(summarize.object["type"] as? String == "summarizer")
            let cleanup = try await api.post("/api/jobs", #"{"type": "cleanup", "config": {"age_threshold_days": 7}}"#)
            #expect(cleanup.status == .accepted)
            #expect(cleanup.object["type"] as? String == "cleanup")
        }
    }

    @Test("bad job requests: malformed JSON 400, unknown type, bad crawl config naming the field, bad cleanup and summarizer configs; nothing is enqueued")
    func badRequests() async throws {
        try await withAPI { runtime, api in
            let malformed = try await api.post("/api/jobs", #"{"type": "crawler", "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "malformed_json")

            let notObject = try await api.post("/api/jobs", "[1]")
            #expect(notObject.status == .unprocessableContent)

            let unknown = try await api.post("/api/jobs", #"{"type": "teleport"}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.errorCode == "unknown_job_type")
            #expect(unknown.errorMessage.contains("teleport"))

            let badURL = try await api.post("/api/jobs", #"{"type": "crawler", "config": {"urls": ["https://ok.example/", "ftp://x"]}}"#)
            #expect(badURL.status == .unprocessableContent)
            #expect(badURL.errorCode == "invalid_config")
            #expect(badURL.errorMessage.contains("urls[1]"), "\(badURL.errorMessage)")

            let badDepth = try await api.post("/api/jobs", #"{"type": "crawler", "config": {"urls": ["https://ok.example/"], "max_depth": "deep"}}"#)
            #expect(badDepth.status == .unprocessableContent)
            #expect(badDepth.errorMessage.contains("max_depth"), "\(badDepth.errorMessage)")

            let badCleanup = try await api.post("/api/jobs", #"{"type": "cleanup", "config": {"status_filter": ["running"]}}"#)
            #expect(badCleanup.status == .unprocessableContent)
            #expect(badCleanup.errorMessage.contains("status_filter"))

            let badSummarize = try await api.post("/api/jobs", #"{"type": "summarizer", "config": {}}"#)
            #expect(badSummarize.status == .unprocessableContent)

            let badConfig = try await api.post("/api/jobs", #"{"type": "cleanup", "config": 3}"#)
            #expect(badConfig.status == .unprocessableContent)

            #expect(try await runtime.jobManager.listJobs().isEmpty)
            #expect(try await runtime.queueManager.length() == 0)
        }
    }

    @Test("unknown ids are 404; bad query parameters are 400")
    func unknownAndInvalid() async throws {
        try await withAPI { _, api in
            for uri in ["/api/jobs/NOPE", "/api/jobs/NOPE/logs", "/api/jobs/NOPE/documents"] {
                let answer = try await api.get(uri)
                #expect(answer.status == .notFound, "\(uri)")
                #expect(answer.errorCode == "not_found", "\(uri)")
            }
            #expect(try await api.post("/api/jobs/NOPE/cancel").status == .notFound)
            #expect(try await api.post("/api/jobs/NOPE/rerun").status == .notFound)
            #expect(try await api.call(.delete, "/api/jobs/NOPE").status == .notFound)
            #expect(try await api.get("/api/no/such/route").status == .notFound)

            let badStatus = try await api.get("/api/jobs?status=sleeping")
            #expect(badStatus.status == .badRequest)
            #expect(badStatus.errorMessage.contains("sleeping"))
            #expect(try await api.get("/api/jobs?limit=many").status == .badRequest)
            #expect(try await api.get("/api/jobs?limit=0").status == .badRequest)
        }
    }

    @Test("cancel answers the cancelled job, then 409; rerun makes a new job (202); delete removes it")
    func cancelRerunDelete() async throws {
        try await withAPI { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup, config: [:]))
            let cancelled = try await api.post("/api/jobs/\(job.id)/cancel")
            #expect(cancelled.status == .ok)
            #expect(cancelled.object["status"] as? String == "cancelled")
            let again = try await api.post("/api/jobs/\(job.id)/cancel")
            #expect(again.status == .conflict)
            #expect(again.errorCode == "conflict")

            let rerun = try await api.post("/api/jobs/\(job.id)/rerun")
            #expect(rerun.status == .accepted)
            let newID = try #require(rerun.object["id"] as? String)
            #expect(newID != job.id)
            #expect(rerun.object["status"] as? String == "pending")

            let deleted = try await api.call(.delete, "/api/jobs/\(job.id)")
            #expect(deleted.status == .ok)
            #expect(deleted.object["deleted"] as? String == job.id)
            #expect(try await api.get("/api/jobs/\(job.id)").status == .notFound)
        }
    }

    @Test("logs of a job in the shape {id, job_id, timestamp, level, message}, filtered by level")
    func logs() async throws {
        try await withAPI { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup, config: [:]))
            _ = try await runtime.logService.store.append([
                NewJobLogEntry(jobID: job.id, timestamp: 1_000, level: .info, message: "hello"),
                NewJobLogEntry(jobID: job.id, timestamp: 2_000, level: .error, message: "boom"),
            ])
            let all = try await api.get("/api/jobs/\(job.id)/logs")
            #expect(all.status == .ok)
            #expect(all.array.compactMap { $0["message"] as? String }.sorted() == ["boom", "hello"])
            let first = try #require(all.array.first)
            #expect(Set(first.keys).isSuperset(of: ["id", "job_id", "timestamp", "level", "message"]))
            #expect(try await api.get("/api/jobs/\(job.id)/logs?level=error").array.map { $0["message"] as? String } == ["boom"])
            #expect(try await api.get("/api/jobs/\(job.id)/logs?level=loud").status == .badRequest)
        }
    }
}
