import Foundation
import Hummingbird
import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: job events (SSE)", .serialized, .timeLimit(.minutes(1)))
struct APIJobEventsTests {
    @Test("the stream delivers the job, its progress and log lines, and ends with the final status")
    func progressLogsAndEnd() async throws {
        try await withAPI { runtime, api in
            let manager = runtime.jobManager
            let job = try await manager.createJob(JobSpec(type: .cleanup, config: [:]))
            async let answer = api.get("/api/jobs/\(job.id)/events")
            try await manager.updateJob(job.id, JobChanges(progress: JobProgress(total: 4, completed: 3)))
            _ = try await runtime.logService.store.append([NewJobLogEntry(jobID: job.id, timestamp: 1, level: .info, message: "step three")])
            try await manager.cancel(job.id)
            let stream = try await answer
            #expect(stream.status == .ok)
            let events = Self.events(stream.text)
            #expect(events.first?.name == "job")
            #expect(events.contains { $0.name == "log" && $0.data["message"] as? String == "step three" })
            #expect(events.contains { $0.name == "job" && ($0.data["progress"] as? [String: Any])?["completed"] as? Int == 3 })
            #expect(events.last?.name == "end")
            #expect(events.last?.data["status"] as? String == "cancelled")
        }
    }

    @Test("an ended job gets its state and the end at once; an unknown job is 404")
    func endedAndUnknown() async throws {
        try await withAPI { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup, config: [:]))
            try await runtime.jobManager.cancel(job.id)
            let events = Self.events(try await api.get("/api/jobs/\(job.id)/events").text)
            #expect(events.first?.name == "job")
            #expect(events.dropFirst().dropLast().allSatisfy { $0.name == "log" })
            #expect(events.last?.data["status"] as? String == "cancelled")
            let unknown = try await api.get("/api/jobs/NOPE/events")
            #expect(unknown.status == .notFound)
        }
    }

    /// The frames of an SSE body: each event's name and its data parsed as a JSON object.
    static func events(_ text: String) -> [(name: String, data: [String: Any])] {
        text.components(separatedBy: "\n\n").compactMap { frame in
            var name: String?
            var data: [String: Any] = [:]
            for line in frame.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") {
                    data = (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any] ?? [:]
                }
            }
            return name.map { ($0, data) }
        }
    }
}
