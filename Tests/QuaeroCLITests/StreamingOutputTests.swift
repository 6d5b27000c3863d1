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
        try await withWorkspace { dir in
            let silent = try await SilentServer(in: dir.url)
            defer { silent.stop() }
            let crawl = try PipedQuaero(["crawl", silent.base + "/", "--wait"], in: dir.url,
                                        environment: ["QUAERO_CRAWLER_REQUEST_TIMEOUT": "1m"])
            defer { crawl.kill() }
            // The server never answers, so the crawl runs for a minute: its first lines must come before.
            #expect(await waitUntil { crawl.output.contains("crawl ") && crawl.output.contains("queued") }, "\(crawl.output)")
            #expect(crawl.isRunning)
            await crawl.interrupt()
        }
    }
}
