import Foundation
import Hummingbird
import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: pause, schedules, unique jobs, limit keys and queue_full", .serialized, .timeLimit(.minutes(1)))
struct APIFlowRoutesTests {
    @Test("POST /api/queue/pause and /resume, of the queue or a type; stats show it; bad bodies are 422")
    func pauseAndResume() async throws {
        try await withAPI { runtime, api in
            let paused = try await api.post("/api/queue/pause")
            #expect(paused.status == .ok, "\(paused.text)")
            #expect(paused.object["changed"] as? Bool == true)
            #expect((paused.object["paused"] as? [String: Any])?["queue"] as? Bool == true)
            #expect(try await api.post("/api/queue/pause", "{}").object["changed"] as? Bool == false)
            let typed = try await api.post("/api/queue/pause", #"{"type": "crawler"}"#)
            #expect((typed.object["paused"] as? [String: Any])?["types"] as? [String] == ["parent"])
            let stats = try await api.get("/api/queue/stats").object["paused"] as? [String: Any]
            #expect(stats?["queue"] as? Bool == true)
            #expect(try await runtime.queueManager.queue.pauses() == QueuePause(queue: true, types: ["parent"]))
            #expect(try await api.post("/api/queue/resume", #"{"type": null}"#).object["changed"] as? Bool == true)
            #expect(try await api.post("/api/queue/resume", #"{"type": "crawler"}"#).object["changed"] as? Bool == true)
            #expect(try await runtime.queueManager.queue.pauses().isEmpty)
            for body in [#"{"type": ""}"#, #"{"type": 3}"#, #"{"kind": "x"}"#, "[]"] {
                let answer = try await api.post("/api/queue/pause", body)
                #expect(answer.status == .unprocessableContent, "\(body): \(answer.text)")
            }
            #expect(try await api.post("/api/queue/pause", "{").status == .badRequest)
            #expect(try await api.get("/api/queue/pause").status == .methodNotAllowed)
        }
    }

    @Test("GET /api/schedules lists the schedules; run, pause and resume one; an unknown one is 404")
    func schedules() async throws {
        try await withAPI({ config in
            config.schedules = [try! ScheduleDefinition(name: "nightly", cron: CronSchedule("0 3 * * *"), type: .cleanup,
                                                        config: ["older_than": .string("7d")], catchUp: .all)]
        }) { _, api in
            let list = try await api.get("/api/schedules")
            #expect(list.status == .ok)
            #expect(list.array.map { $0["name"] as? String } == ["cleanup", "nightly"])
            let nightly = try #require(list.array.last)
            for key in ["name", "cron", "type", "time_zone", "catch_up", "enabled", "next_fire_at", "last_fire_at", "last_job_id"] {
                #expect(nightly.keys.contains(key), "\(key)")
            }
            #expect(nightly["cron"] as? String == "0 3 * * *")
            #expect(nightly["catch_up"] as? String == "all")
            #expect(nightly["time_zone"] as? String == "UTC")
            let run = try await api.post("/api/schedules/nightly/run")
            #expect(run.status == .accepted, "\(run.text)")
            #expect(run.object["type"] as? String == "cleanup")
            let after = try await api.get("/api/schedules").array.last
            #expect(after?["last_job_id"] as? String == run.object["id"] as? String)
            #expect(after?["last_job_status"] as? String == "pending")
            let paused = try await api.post("/api/schedules/nightly/pause")
            #expect(paused.status == .ok)
            #expect(paused.object["paused"] as? Bool == true)
            #expect(paused.object["next_fire_at"] is NSNull)
            #expect(try await api.post("/api/schedules/nightly/resume").object["paused"] as? Bool == false)
            for action in ["run", "pause", "resume"] {
                let missing = try await api.post("/api/schedules/weekly/\(action)")
                #expect(missing.status == .notFound)
                #expect(missing.errorMessage.contains("the schedules are cleanup, nightly"))
            }
        }
    }

    @Test("POST /api/jobs takes unique_key with unique_for (the same job within the period) and a limit_key")
    func uniqueAndLimitKey() async throws {
        try await withAPI { runtime, api in
            let body = #"{"type": "cleanup", "config": {"older_than": "1d"}, "unique_key": "daily", "unique_for": "1h", "limit_key": "x:1"}"#
            let first = try await api.post("/api/jobs", body)
            #expect(first.status == .accepted, "\(first.text)")
            let second = try await api.post("/api/jobs", body)
            #expect(second.object["id"] as? String == first.object["id"] as? String)
            #expect(try await runtime.jobManager.listJobs().count == 1)
            for bad in [#"{"type": "cleanup", "unique_key": "k"}"#, #"{"type": "cleanup", "unique_for": "1h"}"#,
                        #"{"type": "cleanup", "unique_key": "k", "unique_for": "0s"}"#,
                        #"{"type": "cleanup", "unique_key": "k", "unique_for": "1h", "unique_statuses": []}"#,
                        #"{"type": "cleanup", "unique_key": "k", "unique_for": "1h", "unique_statuses": ["done"]}"#,
                        #"{"type": "cleanup", "limit_key": ""}"#] {
                let answer = try await api.post("/api/jobs", bad)
                #expect(answer.status == .unprocessableContent, "\(bad): \(answer.text)")
            }
            #expect(try await runtime.jobManager.listJobs().count == 1)
        }
    }

    @Test("a send to a queue holding max_ready ready messages is 429 queue_full with Retry-After")
    func queueFull() async throws {
        try await withAPI({ $0.queue.maxReady = 1 }) { runtime, api in
            #expect(try await api.post("/api/jobs", #"{"type": "cleanup"}"#).status == .accepted)
            for (path, body) in [("/api/jobs", #"{"type": "cleanup"}"#), ("/api/queue/messages", #"{"type": "cleanup"}"#)] {
                let full = try await api.post(path, body)
                #expect(full.status == .tooManyRequests, "\(path): \(full.text)")
                #expect(full.errorCode == "queue_full")
                #expect(full.headers[.retryAfter] == "1")
            }
            #expect(try await runtime.queueManager.length() == 1)
        }
    }
}
