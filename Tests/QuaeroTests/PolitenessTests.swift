import Quaero
import QuaeroTestSupport
import Testing

/// Holds bodies until the test lets them go, one by one, by index.
private final class Gates: Sendable {
    private let continuations = Locked<[Int: AsyncStream<Void>.Continuation]>([:])
    private let started = Locked<[Int]>([])

    /// Runs in a body: records that `index` started, then waits until `open(index)`.
    func hold(_ index: Int) async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        continuations.withLock { $0[index] = continuation }
        started.withLock { $0.append(index) }
        for await _ in stream {}
    }

    func open(_ index: Int) { continuations.withLock { $0[index]?.finish() } }
    var order: [Int] { started.value }
}

@Suite("Politeness: one robots.txt fetch per host and crawl in a process", .timeLimit(.minutes(1)))
struct PolitenessTests {
    @Test("many pages asking at once share one robots.txt fetch per crawl and origin")
    func robotsOnce() async throws {
        let cache = RobotsCache()
        let fetches = Locked<[String]>([])
        let gates = Gates()
        let fetch: @Sendable (String) -> @Sendable () async throws -> RobotsTxt = { name in
            {
                let index = fetches.withLock { $0.append(name); return $0.count - 1 }
                await gates.hold(index)
                return RobotsTxt(parsing: "User-agent: *\nDisallow: /\(name)")
            }
        }
        try await withThrowingTaskGroup(of: RobotsTxt.self) { group in
            for _ in 0..<20 {
                group.addTask { try await cache.robots(crawl: "c1", origin: "http://a", fetch: fetch("a")) }
            }
            group.addTask { try await cache.robots(crawl: "c1", origin: "http://b", fetch: fetch("b")) }
            group.addTask { try await cache.robots(crawl: "c2", origin: "http://a", fetch: fetch("a2")) }
            #expect(await waitUntil { fetches.value.count == 3 })
            for index in 0..<3 { gates.open(index) }
            var results: [RobotsTxt] = []
            for try await robots in group { results.append(robots) }
            #expect(results.count == 22)
        }
        #expect(fetches.value.sorted() == ["a", "a2", "b"])
        let cached = try await cache.robots(crawl: "c1", origin: "http://a", fetch: fetch("again"))
        #expect(!cached.allows(path: "/a", userAgent: "Quaero"))
        #expect(fetches.value.count == 3)
        #expect(cache.count == 3)
        cache.forget(crawl: "c1")
        #expect(cache.count == 1)
    }

    @Test("a cancelled asker stops waiting at once; the fetch goes on for the others and is kept")
    func cancelledAsker() async throws {
        let cache = RobotsCache()
        let gates = Gates()
        let fetches = Locked(0)
        let fetch: @Sendable () async throws -> RobotsTxt = {
            fetches.withLock { $0 += 1 }
            await gates.hold(0)  // a fetch that hangs until the test lets it go
            return RobotsTxt(parsing: "User-agent: *\nDisallow: /private")
        }
        let cancelled = Task { try await cache.robots(crawl: "c", origin: "http://a", fetch: fetch) }
        let patient = Task { try await cache.robots(crawl: "c", origin: "http://a", fetch: fetch) }
        #expect(await waitUntil { gates.order == [0] })
        cancelled.cancel()
        // Ends while the fetch still hangs (it would wait for it forever here, not for a request_timeout).
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        gates.open(0)
        #expect(!(try await patient.value).allows(path: "/private", userAgent: "Quaero"))
        _ = try await cache.robots(crawl: "c", origin: "http://a", fetch: fetch)
        #expect(fetches.value == 1, "one fetch for all three askers")
    }

    @Test("a failed fetch is not kept: the next asker fetches again")
    func failedFetch() async throws {
        struct Unreachable: Error {}
        let cache = RobotsCache()
        let calls = Locked(0)
        await #expect(throws: Unreachable.self) {
            try await cache.robots(crawl: "c", origin: "http://a") { calls.withLock { $0 += 1 }; throw Unreachable() }
        }
        let robots = try await cache.robots(crawl: "c", origin: "http://a") { calls.withLock { $0 += 1 }; return .allowAll }
        #expect(robots == .allowAll)
        #expect(calls.value == 2)
    }
}

@Suite("RobotsCache capacity")
struct RobotsCacheCapacityTests {
    @Test("beyond its capacity the cache drops the oldest entry")
    func capacity() async throws {
        let cache = RobotsCache(capacity: 2)
        let calls = Locked<[String]>([])
        for origin in ["http://a", "http://b", "http://c", "http://c", "http://a"] {
            _ = try await cache.robots(crawl: "c", origin: origin) { calls.withLock { $0.append(origin) }; return .allowAll }
        }
        #expect(cache.count == 2)
        #expect(calls.value == ["http://a", "http://b", "http://c", "http://a"], "a was dropped when c came, so it is fetched again")
    }
}
