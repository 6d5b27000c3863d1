import Foundation
import Hummingbird
@testable import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: event streams follow lines and ends", .serialized, .timeLimit(.minutes(1)))
struct APIEventStreamTests {
    @Test("every line a job logged before it ended comes before `end`, though the log flushes once an hour")
    func linesBeforeEnd() async throws {
        try await withAPI({ $0.logs.flushInterval = .seconds(3600) }) { runtime, api in
            runtime.pool.register("chatty") { context in
                for i in 1...7 { context.logger.info("line \(i)") }
                return nil
            }
            try await runtime.pool.start()
            let job = try await runtime.jobManager.createJob(JobSpec(type: "chatty"))
            let events = APIJobEventsTests.events(try await api.get("/api/jobs/\(job.id)/events").text)
            await runtime.pool.stop()
            let lines = events.filter { $0.name == "log" }.compactMap { $0.data["message"] as? String }
            for i in 1...7 {
                #expect(lines.contains { $0.hasPrefix("line \(i) ") }, "line \(i) missing from \(lines)")
            }
            #expect(lines.last == "completed")
            #expect(events.last?.name == "end")
            #expect(events.last?.data["status"] as? String == "completed")
        }
    }

    @Test("without Last-Event-ID a stream starts with the newest 100 lines; with it, after that line; each line carries its id")
    func startAndResume() async throws {
        try await withAPI({ $0.logs.flushInterval = .milliseconds(50) }) { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            try await runtime.logService.flush()  // "job created" first
            for i in 0..<150 { runtime.logService.append(jobID: job.id, level: .info, message: "m\(i)") }
            try await runtime.logService.flush()
            try await runtime.jobManager.cancel(job.id)

            let fresh = try await api.get("/api/jobs/\(job.id)/events")
            let freshLines = APIJobEventsTests.events(fresh.text).filter { $0.name == "log" }
            #expect(freshLines.count == JobEventStream.initialLines + 1, "the newest 100 and the end's line")
            #expect(freshLines.first?.data["message"] as? String == "m50")
            #expect(freshLines.last?.data["message"] as? String == "cancelled")
            let ids = freshLines.compactMap { $0.data["id"] as? Int }
            #expect(ids == ids.sorted() && Set(ids).count == ids.count)
            for id in ids { #expect(fresh.text.contains("id: \(id)\nevent: log\n")) }

            let stored = try await runtime.logService.store.entries(jobID: job.id, limit: 1000).reversed().map { $0 }
            let m139 = try #require(stored.first { $0.message == "m139" })
            let resumed = try await api.call(.get, "/api/jobs/\(job.id)/events", headers: ["Last-Event-ID": "\(m139.id)"])
            #expect(APIJobEventsTests.events(resumed.text).filter { $0.name == "log" }.compactMap { $0.data["message"] as? String }
                == (140..<150).map { "m\($0)" } + ["cancelled"])

            let bad = try await api.call(.get, "/api/jobs/\(job.id)/events", headers: ["Last-Event-ID": "yesterday"])
            #expect(bad.status == .badRequest)
            #expect(bad.errorCode == "invalid_header")
            #expect(bad.errorMessage.contains("Last-Event-ID") && bad.errorMessage.contains("yesterday"))
        }
    }

    @Test("`children_by_status` comes from the job's counters: completed, failed, unfinished")
    func childrenFromCounters() async throws {
        try await withAPI { runtime, api in
            let parent = try await runtime.jobManager.createJob(JobSpec(type: .parent))
            for _ in 0..<3 { try await runtime.jobManager.createJob(JobSpec(type: .cleanup, parentID: parent.id)) }
            let children = try await runtime.jobManager.listJobs(JobFilter(parentID: parent.id))
            try await runtime.jobManager.cancel(children[0].id)
            async let stream = api.get("/api/jobs/\(parent.id)/events")
            try await runtime.jobManager.cancel(parent.id)
            let first = try #require(APIJobEventsTests.events(try await stream.text).first { $0.name == "job" })
            let counts = try #require(first.data["children_by_status"] as? [String: Int])
            #expect(counts["completed"] == 0)
            #expect((counts["failed"] ?? 0) + (counts["unfinished"] ?? 0) == 3, "\(counts)")
            #expect((counts["failed"] ?? 0) >= 1, "the cancelled child counts as failed: \(counts)")
        }
    }

    @Test("changes made by another process (its own connection and job manager) reach the stream through the poll")
    func otherProcess() async throws {
        try await withAPI { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            try await withAnotherHandle(on: runtime.store, kind: .sqliteFile) { other in
                let otherManager = JobManager(queue: try Queue(name: runtime.config.queue.queueName, store: other))
                async let stream = api.get("/api/jobs/\(job.id)/events")
                try await otherManager.updateJob(job.id, JobChanges(progress: JobProgress(total: 2, completed: 1)))
                _ = try await JobLogStore(store: other).append([NewJobLogEntry(jobID: job.id, timestamp: 1, level: .info, message: "elsewhere")])
                try await otherManager.cancel(job.id)
                let events = APIJobEventsTests.events(try await stream.text)
                #expect(events.contains { $0.name == "job" && ($0.data["progress"] as? [String: Any])?["completed"] as? Int == 1 })
                #expect(events.contains { $0.name == "log" && $0.data["message"] as? String == "elsewhere" })
                #expect(events.last?.name == "end")
                #expect(events.last?.data["status"] as? String == "cancelled")
            }
        }
    }
}
