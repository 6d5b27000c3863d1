import Foundation
import QuaeroTestSupport
import Testing

@Suite("quaero queue pause|resume and quaero schedules", .timeLimit(.minutes(1)))
struct FlowCommandTests {
    @Test("queue pause and resume, of the queue or a type: stats show it; a repeat says so; an empty type is refused")
    func pauseAndResume() async throws {
        try await withWorkspace { dir in
            let paused = try dir.quaero("--db", "q.db", "queue", "pause")
            #expect(paused.status == 0 && paused.stdout == "paused the queue\n", "\(paused)")
            #expect(try dir.quaero("--db", "q.db", "queue", "pause").stdout == "the queue was already paused\n")
            let typed = try dir.quaero("--db", "q.db", "queue", "pause", "--type", "summarizer")
            #expect(typed.stdout == "paused type summarizer\n", "\(typed)")
            let stats = try dir.quaero("--db", "q.db", "queue", "stats")
            #expect(stats.stdout.contains("paused: the whole queue (quaero queue resume)"), "\(stats)")
            #expect(stats.stdout.contains("paused: type summarizer (quaero queue resume --type summarizer)"), "\(stats)")
            let json = try #require(try dir.quaeroJSON("--db", "q.db", "queue", "stats", "--json") as? [String: Any])
            let shown = try #require(json["paused"] as? [String: Any])
            #expect(shown["queue"] as? Bool == true)
            #expect(shown["types"] as? [String] == ["summarizer"])

            // Sends still land while paused.
            #expect(try dir.quaero("--db", "q.db", "send", "cleanup", "{}").status == 0)
            #expect(try dir.quaero("--db", "q.db", "queue", "resume").stdout == "resumed the queue\n")
            #expect(try dir.quaero("--db", "q.db", "queue", "resume").stdout == "the queue was already running\n")
            #expect(try dir.quaero("--db", "q.db", "queue", "resume", "--type", "summarizer").stdout == "resumed type summarizer\n")
            let after = try #require(try dir.quaeroJSON("--db", "q.db", "queue", "stats", "--json") as? [String: Any])
            #expect((after["paused"] as? [String: Any])?["queue"] as? Bool == false)
            #expect(after["ready"] as? Int == 1)

            let empty = try dir.quaero("--db", "q.db", "queue", "pause", "--type", "")
            #expect(empty.status == 2, "\(empty)")
            #expect(empty.stderr.contains("the type to pause is empty"), "\(empty)")
        }
    }

    @Test("schedules list, run, pause and resume over [[schedule]] and the cleanup; an unknown name is an error")
    func schedules() async throws {
        try await withWorkspace { dir in
            try Data("""
                [database]
                path = "s.db"

                [[schedule]]
                name = "nightly"
                cron = "0 3 * * *"
                type = "cleanup"
                config = { older_than = "7d" }
                time_zone = "Europe/Paris"
                catch_up = "all"
                """.utf8).write(to: dir.url.appendingPathComponent("quaero.toml"))
            let list = try dir.quaero("schedules", "list")
            #expect(list.status == 0, "\(list)")
            let lines = list.stdout.split(separator: "\n")
            #expect(lines.count == 2, "\(list)")
            #expect(lines.first?.hasPrefix("cleanup  @every 1h  cleanup  UTC  active  next: ") == true, "\(list)")
            #expect(lines.last?.hasPrefix("nightly  0 3 * * *  cleanup  Europe/Paris  active  next: ") == true, "\(list)")

            let run = try dir.quaero("schedules", "run", "nightly")
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.hasPrefix("schedule nightly created job "), "\(run)")
            let jobs = try #require(try dir.quaeroJSON("jobs", "list", "--json") as? [[String: Any]])
            #expect(jobs.count == 1)
            #expect(jobs.first?["type"] as? String == "cleanup")

            #expect(try dir.quaero("schedules", "pause", "nightly").stdout == "paused schedule nightly\n")
            #expect(try dir.quaero("schedules", "pause", "nightly").stdout == "schedule nightly was already paused\n")
            let listed = try #require(try dir.quaeroJSON("schedules", "list", "--json") as? [[String: Any]])
            let nightly = try #require(listed.last)
            #expect(nightly["name"] as? String == "nightly")
            #expect(nightly["paused"] as? Bool == true)
            #expect(nightly["next_fire_at"] is NSNull)
            #expect(nightly["last_job_id"] as? String == jobs.first?["id"] as? String)
            #expect(nightly["time_zone"] as? String == "Europe/Paris")
            #expect(nightly["catch_up"] as? String == "all")
            #expect(try dir.quaero("schedules", "resume", "nightly").stdout == "resumed schedule nightly\n")

            for action in ["run", "pause", "resume"] {
                let unknown = try dir.quaero("schedules", action, "weekly")
                #expect(unknown.status == 1, "\(unknown)")
                #expect(unknown.stderr.contains("there is no schedule named \"weekly\"; the schedules are cleanup, nightly"), "\(unknown)")
            }
        }
    }

    @Test("a bad [[schedule]] stops start-up naming the key and its line", arguments: [
        ("cron = \"61 * * * *\"", "schedule[0].cron", "out of range"),
        ("cron = \"@daily\"\ntime_zone = \"Mars/Olympus\"", "schedule[0].time_zone", "IANA"),
        ("cron = \"@daily\"\ncatch_up = \"some\"", "schedule[0].catch_up", "latest"),
        ("cron = \"@daily\"\ncolour = \"blue\"", "schedule[0].colour", "is not a key of schedule[0]"),
    ])
    func badSchedule(_ lines: String, _ key: String, _ problem: String) async throws {
        try await withWorkspace { dir in
            try Data("[[schedule]]\nname = \"x\"\ntype = \"cleanup\"\n\(lines)\n".utf8)
                .write(to: dir.url.appendingPathComponent("quaero.toml"))
            let outcome = try dir.quaero("--db", "b.db", "schedules", "list")
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains(key) && outcome.stderr.contains(problem), "\(outcome)")
            #expect(outcome.stderr.contains("quaero.toml:"), "the line: \(outcome)")
        }
    }
}
