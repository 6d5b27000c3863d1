import Foundation
import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// `POST /api/jobs` with a cleanup config: ages are durations, and an age of zero or less is refused.
@Suite("API: cleanup configs")
struct APICleanupConfigTests {
    @Test("a precise age is taken as given; whole days still work")
    func preciseAges() async throws {
        try await withAPI { runtime, api in
            for config in [#"{"older_than": "90m", "dead_letter_older_than": "1h"}"#, #"{"age_threshold_days": 7}"#] {
                let created = try await api.post("/api/jobs", #"{"type": "cleanup", "config": \#(config)}"#)
                #expect(created.status == .accepted, "\(created.text)")
                let job = try await runtime.jobManager.getJob(try #require(created.object["id"] as? String))
                #expect(try job.config == JSONValue.parse(Data(config.utf8)).objectValue)
            }
        }
    }

    @Test("an age of zero or less is refused with 422 naming the field, and nothing is stored", arguments: [
        (#"{"age_threshold_days": 0}"#, "age_threshold_days"),
        (#"{"older_than": "0s"}"#, "older_than"),
        (#"{"older_than": -60}"#, "older_than"),
        (#"{"dead_letter_older_than": "0ms"}"#, "dead_letter_older_than"),
        (#"{"older_than": "1h", "age_threshold_days": 1}"#, "older_than"),
    ])
    func zeroAges(config: String, field: String) async throws {
        try await withAPI { runtime, api in
            let refused = try await api.post("/api/jobs", #"{"type": "cleanup", "config": \#(config)}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorMessage.contains(field), "\(refused.errorMessage)")
            #expect(try await runtime.jobManager.listJobs().isEmpty)
        }
    }
}
