import Foundation
import Hummingbird
import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// The worker protocol over real HTTP (DESIGN §10): claim, heartbeat, progress, logs, complete and fail, each
/// fenced by the job's lease token, and the clear errors of bad input.
@Suite("HTTP API: worker protocol", .serialized, .timeLimit(.minutes(1)))
struct APIWorkerProtocolTests {
    /// Claims jobs of `types` as `worker`; the answer's jobs.
    static func claim(_ api: APIClient, _ types: [String] = ["echo"], worker: String = "py-1",
                      extra: String = "") async throws -> [[String: Any]] {
        let names = types.map { "\"\($0)\"" }.joined(separator: ", ")
        let answer = try await api.post("/api/jobs/claim", #"{"types": [\#(names)], "worker": "\#(worker)"\#(extra)}"#)
        #expect(answer.status == .ok, "\(answer.text)")
        return answer.object["jobs"] as? [[String: Any]] ?? []
    }

    @Test("a remote type is accepted once a worker announced it; claim, progress, logs, heartbeat and complete run it")
    func roundTrip() async throws {
        try await withAPI { runtime, api in
            let before = try await api.post("/api/jobs", #"{"type": "echo", "config": {"text": "hi"}}"#)
            #expect(before.status == .unprocessableContent && before.errorCode == "unknown_job_type", "\(before.text)")
            #expect(before.errorMessage.contains("a type that a running HTTP worker serves"))
            #expect(try await Self.claim(api).isEmpty, "nothing to claim, and the worker is announced")

            let created = try await api.post("/api/jobs", #"{"type": "echo", "config": {"text": "hi"}}"#)
            #expect(created.status == .accepted, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            let job = try #require(try await Self.claim(api, extra: #", "limit": 10, "lease": "20s""#).first)
            #expect(job["id"] as? String == id && job["status"] as? String == "running" && job["worker"] as? String == "py-1")
            #expect((job["config"] as? [String: Any])?["text"] as? String == "hi")
            let lease = try #require(job["lease"] as? String)
            #expect(LeaseToken(lease)?.duration == .seconds(20))
            #expect(job["lease_expires_at"] is String)

            let progress = try await api.post("/api/jobs/\(id)/progress", #"{"lease": "\#(lease)", "completed": 1, "total": 2, "message": "half"}"#)
            #expect(progress.status == .ok && progress.object["message"] as? String == "half", "\(progress.text)")
            #expect((progress.object["progress"] as? [String: Any])?["total"] as? Int == 2)
            let logs = try await api.post("/api/jobs/\(id)/logs",
                                          #"{"lease": "\#(lease)", "lines": [{"message": "one"}, {"level": "warning", "message": "two"}]}"#)
            #expect(logs.status == .ok && logs.object["appended"] as? Int == 2, "\(logs.text)")
            let beat = try await api.post("/api/jobs/\(id)/heartbeat", #"{"lease": "\#(lease)"}"#)
            #expect(beat.status == .ok && beat.object["cancelled"] as? Bool == false && beat.object["lease_expires_at"] is String)
            let done = try await api.post("/api/jobs/\(id)/complete", #"{"lease": "\#(lease)", "result": {"echo": "hi"}}"#)
            #expect(done.status == .ok && done.object["status"] as? String == "completed", "\(done.text)")
            #expect((done.object["result"] as? [String: Any])?["echo"] as? String == "hi")

            try await runtime.logService.flush()
            let lines = try await api.get("/api/jobs/\(id)/logs").array.compactMap { $0["message"] as? String }
            #expect(lines.contains("attempt 1 started by worker py-1") && lines.contains("one") && lines.contains("two"), "\(lines)")
            let again = try await api.post("/api/jobs/\(id)/complete", #"{"lease": "\#(lease)", "result": 2}"#)
            #expect(again.status == .conflict && again.errorCode == "lease_lost", "\(again.text)")
        }
    }

    @Test("fail with retry: false fails the job at once; a heartbeat after a cancel says cancelled")
    func failAndCancel() async throws {
        try await withAPI { runtime, api in
            _ = try await Self.claim(api)
            let a = try await runtime.jobManager.createJob(JobSpec(type: "echo"))
            let b = try await runtime.jobManager.createJob(JobSpec(type: "echo"))
            let jobs = try await Self.claim(api, extra: #", "limit": 2"#)
            let lease = { (id: String) in jobs.first { $0["id"] as? String == id }?["lease"] as? String ?? "" }
            let failed = try await api.post("/api/jobs/\(a.id)/fail", #"{"lease": "\#(lease(a.id))", "error": "corrupt", "retry": false}"#)
            #expect(failed.status == .ok && failed.object["status"] as? String == "failed" && failed.object["error"] as? String == "corrupt",
                    "\(failed.text)")
            #expect(try await api.get("/api/queue/dead").array.count == 1)

            #expect(try await api.post("/api/jobs/\(b.id)/cancel").status == .ok)
            let beat = try await api.post("/api/jobs/\(b.id)/heartbeat", #"{"lease": "\#(lease(b.id))"}"#)
            #expect(beat.status == .ok && beat.object["cancelled"] as? Bool == true && beat.object["status"] as? String == "cancelled")
        }
    }

    @Test("a retried failure goes back to pending after retry_after")
    func failRetry() async throws {
        try await withAPI { runtime, api in
            _ = try await Self.claim(api)
            let job = try await runtime.jobManager.createJob(JobSpec(type: "echo"))
            let lease = try #require(try await Self.claim(api).first?["lease"] as? String)
            let failed = try await api.post("/api/jobs/\(job.id)/fail", #"{"lease": "\#(lease)", "error": "busy", "retry_after": "1h"}"#)
            #expect(failed.status == .ok && failed.object["status"] as? String == "pending" && failed.object["error"] as? String == "busy")
            #expect(try await Self.claim(api).isEmpty, "delayed an hour")
        }
    }

    @Test("bad input answers clear errors and changes nothing")
    func badInput() async throws {
        try await withAPI { runtime, api in
            _ = try await Self.claim(api)
            let job = try await runtime.jobManager.createJob(JobSpec(type: "echo"))
            let lease = try #require(try await Self.claim(api).first?["lease"] as? String)
            let wrong = "q1-" + String(repeating: "0", count: 40)
            let cases: [(String, String, HTTPResponse.Status, String, String)] = [
                ("/api/jobs/claim", #"{"types": ["echo"], "worker": "w", "limit": -1}"#, .unprocessableContent, "invalid_body", "limit must be a whole number within 1...100"),
                ("/api/jobs/claim", #"{"types": ["echo"], "worker": "w", "limit": 0}"#, .unprocessableContent, "invalid_body", "limit"),
                ("/api/jobs/claim", #"{"types": ["echo"], "worker": "w", "limit": null}"#, .unprocessableContent, "invalid_body", "limit"),
                ("/api/jobs/claim", #"{"types": ["echo"], "worker": "w", "wait": "61s"}"#, .unprocessableContent, "invalid_body", "wait is 1m1s; it must be within 0s...1m"),
                ("/api/jobs/claim", #"{"types": ["echo"], "worker": "w", "wait": "soon"}"#, .unprocessableContent, "invalid_body", "wait must be a duration"),
                ("/api/jobs/claim", #"{"types": ["echo"], "worker": "w", "lease": "0s"}"#, .unprocessableContent, "invalid_body", "lease is 0s; it must be within 1s...1h"),
                ("/api/jobs/claim", #"{"types": [], "worker": "w"}"#, .unprocessableContent, "invalid_body", "types must list 1 to 100"),
                ("/api/jobs/claim", #"{"types": ["echo"]}"#, .unprocessableContent, "invalid_body", "worker is required"),
                ("/api/jobs/claim", #"{"types": ["echo"], "worker": "w", "size": 1}"#, .unprocessableContent, "invalid_body", "unknown member \"size\""),
                ("/api/jobs/claim", #"{"types": ["a\u0001"], "worker": "w"}"#, .unprocessableContent, "invalid_body", "control character"),
                ("/api/jobs/claim", #"{"types": ["echo"], "#, .badRequest, "malformed_json", "not valid JSON"),
                ("/api/jobs/\(job.id)/complete", #"{"lease": "nonsense"}"#, .unprocessableContent, "invalid_lease", "lease is not a lease token"),
                ("/api/jobs/\(job.id)/complete", #"{"result": 1}"#, .unprocessableContent, "invalid_body", "lease is required"),
                ("/api/jobs/\(job.id)/complete", #"{"lease": "\#(wrong)"}"#, .conflict, "lease_lost", "names no current delivery of job \(job.id)"),
                ("/api/jobs/0000000000000000000000000z/heartbeat", #"{"lease": "\#(lease)"}"#, .notFound, "not_found", "does not exist"),
                ("/api/jobs/\(job.id)/fail", #"{"lease": "\#(lease)", "error": "x", "retry": false, "retry_after": "1s"}"#, .unprocessableContent, "invalid_body", "retry_after goes with retry: true"),
                ("/api/jobs/\(job.id)/fail", #"{"lease": "\#(lease)"}"#, .unprocessableContent, "invalid_body", "error is required"),
                ("/api/jobs/\(job.id)/fail", #"{"lease": "\#(lease)", "error": "x", "retry_after": "2d"}"#, .unprocessableContent, "invalid_body", "retry_after is 2d"),
                ("/api/jobs/\(job.id)/progress", #"{"lease": "\#(lease)", "completed": -1}"#, .unprocessableContent, "invalid_body", "completed must be a whole number"),
                ("/api/jobs/\(job.id)/logs", #"{"lease": "\#(lease)", "lines": []}"#, .unprocessableContent, "invalid_body", "lines must be a list of 1 to 100"),
                ("/api/jobs/\(job.id)/logs", #"{"lease": "\#(lease)", "lines": [{"level": "loud", "message": "x"}]}"#, .unprocessableContent, "invalid_body", "lines[0].level must be one of"),
                ("/api/jobs/\(job.id)/heartbeat", "[1]", .unprocessableContent, "invalid_body", "must be a JSON object"),
            ]
            for (path, body, status, code, message) in cases {
                let answer = try await api.post(path, body)
                #expect(answer.status == status && answer.errorCode == code, "\(path) \(body): \(answer.text)")
                #expect(answer.errorMessage.contains(message), "\(path) \(body): \(answer.errorMessage)")
            }
            let held = try await runtime.jobManager.getJob(job.id)
            #expect(held.status == .running && held.attempts == 1 && held.error == nil && held.progress == JobProgress())
            let getClaim = try await api.call(.get, "/api/jobs/claim")
            #expect(getClaim.status == .methodNotAllowed && getClaim.errorMessage.contains("it answers POST"),
                    "GET on the claim route names the method it answers: \(getClaim.text)")
        }
    }

    @Test("the worker routes need the API token when one is set")
    func auth() async throws {
        try await withAPI({ $0.server.apiToken = "s3cret" }) { _, api in
            let refused = try await api.post("/api/jobs/claim", #"{"types": ["echo"], "worker": "w"}"#)
            #expect(refused.status == .unauthorized)
            let allowed = try await api.call(.post, "/api/jobs/claim", body: #"{"types": ["echo"], "worker": "w"}"#, token: "s3cret")
            #expect(allowed.status == .ok)
        }
    }
}
