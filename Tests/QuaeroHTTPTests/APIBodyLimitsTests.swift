import Foundation
import Hummingbird
import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: the limits the OpenAPI document states", .serialized, .timeLimit(.minutes(1)))
struct APIBodyLimitsTests {
    @Test("a whole number past ±(2^53 − 1) anywhere in a body is a 422 naming where; nothing is stored")
    func inexactNumbers() async throws {
        try await withAPI { runtime, api in
            let cases = [
                (#"{"type": "x", "priority": 9007199254740992}"#, "priority is 9007199254740992"),
                (#"{"type": "x", "body": {"n": [1, -1e300]}}"#, "body.n[1] is -1e+300"),
            ]
            for (body, named) in cases {
                let answer = try await api.post("/api/queue/messages", body)
                #expect(answer.status == .unprocessableContent, "\(body): \(answer.text)")
                #expect(answer.errorCode == "invalid_body")
                #expect(answer.errorMessage.contains(named), "\(answer.errorMessage)")
                #expect(answer.errorMessage.contains("9007199254740991"))
            }
            let crawl = try await api.post("/api/jobs", #"{"type": "crawler", "config": {"urls": ["http://127.0.0.1:9/"], "max_pages": 1e16}}"#)
            #expect(crawl.status == .unprocessableContent)
            #expect(crawl.errorMessage.contains("config.max_pages"))
            #expect(try await api.post("/api/queue/messages", #"{"type": "x", "priority": 9007199254740991}"#).status == .accepted)
            #expect(try await runtime.queueManager.length() == 1)
            #expect(try await runtime.jobManager.listJobs().isEmpty)
        }
    }

    @Test("a cleanup's ages are at most 36,500 days (a larger one overflowed the cleanup and crashed the worker)")
    func cleanupAges() async throws {
        try await withAPI { runtime, api in
            for key in ["age_threshold_days", "dead_letter_age_days"] {
                let answer = try await api.post("/api/jobs", #"{"type": "cleanup", "config": {"\#(key)": 36501}}"#)
                #expect(answer.status == .unprocessableContent, "\(answer.text)")
                #expect(answer.errorMessage.contains(key) && answer.errorMessage.contains("36500"))
            }
            #expect(try await runtime.jobManager.listJobs().isEmpty)
            #expect(try await api.post("/api/jobs", #"{"type": "cleanup", "config": {"dead_letter_age_days": 36500}}"#).status == .accepted)
        }
    }

    @Test("a log level is one of the names the document lists, exactly")
    func logLevels() async throws {
        try await withAPI { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            #expect(try await api.get("/api/jobs/\(job.id)/logs?level=warning").status == .ok)
            for level in ["WARNING", "+warning", "loud"] {
                let answer = try await api.get("/api/jobs/\(job.id)/logs?level=\(level)")
                #expect(answer.status == .badRequest, "\(level)")
                #expect(answer.errorMessage.contains("debug, info, warning, error"))
            }
        }
    }
}
