import Foundation
import QuaeroTestSupport
import Testing

/// Streaming output read from a pipe, as `quaero jobs logs ID --follow | grep ...` or a supervisor reads it:
/// each line must arrive when it is printed, not when 4 KiB have gathered or the process ends.
@Suite("CLI: streaming output on a pipe", .timeLimit(.minutes(1)))
struct StreamingOutputTests {
    @Test("jobs logs --follow prints each line as it comes, and Ctrl-C loses nothing")
    func followOnAPipe() async throws {
        try await withWorkspace { dir in
            let id = try dir.quaero("send", "cleanup", "{}").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let follow = try PipedQuaero(["jobs", "logs", id, "--follow"], in: dir.url)
            defer { follow.kill() }
            // No worker runs: the job stays pending, so --follow keeps running while its first line is read.
            #expect(await waitUntil { follow.output.contains("job created (cleanup)") }, "nothing arrived: \(follow.output)")
            #expect(follow.isRunning)
            // A line logged later arrives too, and the follow ends by itself when the job has ended.
            #expect(try dir.quaero("jobs", "cancel", id).status == 0)
            #expect(await waitUntil { follow.output.contains("WARNING cancelled") }, "\(follow.output)")
            #expect(await follow.waitForExit())

            let other = try dir.quaero("send", "cleanup", "{}").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let interrupted = try PipedQuaero(["jobs", "logs", other, "--follow", "--json"], in: dir.url)
            defer { interrupted.kill() }
            #expect(await waitUntil { interrupted.output.contains("job created (cleanup)") }, "\(interrupted.output)")
            await interrupted.interrupt()
            let lines = interrupted.output.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("{") && lines[0].hasSuffix("}"), "whole lines only: \(interrupted.output)")
        }
    }

    @Test("crawl --wait prints its lines as they come")
    func crawlWaitOnAPipe() async throws {
        try await withHungCrawl { _, crawl in #expect(crawl.isRunning) }
    }

    /// Runs `body` once `crawl --wait` of a site that never answers has printed its first lines: its fetch then
    /// hangs for a minute (request_timeout), so those lines must come before.
    private func withHungCrawl(_ body: (TemporaryDirectory, PipedQuaero) async throws -> Void) async throws {
        try await withWorkspace { dir in
            let silent = try await SilentServer(in: dir.url)
            defer { silent.stop() }
            let crawl = try PipedQuaero(["crawl", silent.base + "/", "--wait"], in: dir.url,
                                        environment: ["QUAERO_CRAWLER_REQUEST_TIMEOUT": "1m"])
            defer { crawl.kill() }
            #expect(await waitUntil { crawl.output.contains("crawl ") && crawl.output.contains("queued") }, "\(crawl.output)")
            try await body(dir, crawl)
        }
    }

    @Test("Ctrl-C twice during crawl --wait: the first says what it waits for, the second gives the page back at once")
    func crawlWaitInterrupted() async throws {
        // The hung fetch would hold the first Ctrl-C for the whole shutdown_timeout (30 s by default).
        try await withHungCrawl { dir, crawl in
            let id = try #require(crawl.output.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
            // Its page is fetching (the crawl's job is queued before its page's job runs).
            #expect(await waitUntil { ((try? dir.quaeroJSON("queue", "stats", "--json")) as? [String: Any])?["in_flight"] as? Int == 1 })
            crawl.sendInterrupt()
            #expect(await waitUntil { crawl.errors.contains("stopping: waiting up to 30s (queue.shutdown_timeout) for the running jobs") },
                    "\(crawl.errors)")
            #expect(crawl.isRunning)
            crawl.sendInterrupt()
            #expect(await crawl.waitForExit(timeout: .seconds(10)), "the second Ctrl-C stops it at once: \(crawl.errors)")
            // A failure (exit 1) that says so in words, not a CancellationError; the page that was being fetched
            // went back to the queue, nothing dead-lettered.
            #expect(crawl.status == 1)
            #expect(crawl.errors.hasSuffix("quaero: interrupted before job \(id) ended; what was running went back to the queue, "
                    + "and the job goes on when `quaero worker` or `quaero serve` runs on this database\n"), "\(crawl.errors)")
            let totals = try #require(try dir.quaeroJSON("queue", "stats", "--json") as? [String: Any])
            #expect(totals["dead"] as? Int == 0)
            #expect((totals["ready"] as? Int ?? 0) + (totals["delayed"] as? Int ?? 0) >= 1, "the page's message is back: \(totals)")
        }
    }
}
