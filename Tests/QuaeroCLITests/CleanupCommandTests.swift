import Foundation
import QuaeroTestSupport
import Testing

/// `quaero cleanup`: ages are durations, a job younger than the age is never deleted, and an age that would
/// delete everything has to be asked for with --all-ages.
@Suite("CLI: cleanup", .timeLimit(.minutes(1)))
struct CleanupCommandTests {
    @Test("--older-than 1h keeps the job that ended a moment ago; --all-ages deletes it")
    func subDayAgesKeepRecentJobs() async throws {
        try await withWorkspace { dir in
            let first = try dir.quaero("cleanup", "--older-than", "1h", "--wait")
            #expect(first.status == 0, "\(first)")
            let firstID = try #require(Self.id(in: first.stdout))
            // Issue 10: 1h was rounded down to 0 days, and this run deleted the first cleanup job.
            let second = try dir.quaero("cleanup", "--older-than", "90m", "--wait")
            #expect(second.status == 0, "\(second)")
            #expect(second.stdout.contains("\"deleted_jobs\":0"), "\(second)")
            #expect(try dir.quaero("jobs", "show", firstID).status == 0, "the recent job is still there")

            let all = try dir.quaero("cleanup", "--all-ages", "--wait")
            #expect(all.status == 0, "\(all)")
            #expect(all.stdout.contains("\"deleted_jobs\":2"), "\(all)")
            #expect(try dir.quaero("jobs", "show", firstID).status == 1)
        }
    }

    @Test("an age of zero or less, or both --older-than and --all-ages, exit 2 with the reason and store nothing", arguments: [
        (["--older-than", "0s"], "--all-ages"),
        (["--older-than", "-1h"], "negative"),
        (["--older-than", "soon"], "not a duration"),
        (["--older-than", "1h", "--all-ages"], "not both"),
        (["--status", "running"], "status_filter"),
        (["--status", "sleeping"], "sleeping"),
    ])
    func badAges(arguments: [String], reason: String) async throws {
        try await withWorkspace { dir in
            let outcome = try QuaeroBinary.run(["cleanup", "--db", "q.db"] + arguments, in: dir.url)
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains(reason), "\(outcome)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "one line: \(outcome)")
            #expect(!FileManager.default.fileExists(atPath: dir.path("q.db")), "checked before the database is opened")
        }
    }

    /// The id on the `id:` line of a job's details.
    static func id(in details: String) -> String? {
        details.split(separator: "\n").first { $0.hasPrefix("id:") }.map { String($0.dropFirst(3)).trimmingCharacters(in: .whitespaces) }
    }
}
