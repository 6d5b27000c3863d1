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

@Suite("Politeness: per-host limits and one robots.txt fetch per host and crawl", .timeLimit(.minutes(1)))
struct PolitenessTests {
    @Test("no more than the limit run at once for a host; waiters start first come, first served")
    func limitAndOrder() async throws {
        let limiter = HostLimiter()
        let gates = Gates()
        let highWater = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<5 {
                group.addTask {
                    try await limiter.withPermit(for: "http://a", limit: 2) {
                        highWater.withLock { $0 = max($0, limiter.running("http://a")) }
                        await gates.hold(index)
                    }
                }
                // Enqueue one at a time so that the order of arrival is known.
                #expect(await waitUntil { gates.order.count + limiter.waiting("http://a") == index + 1 })
            }
            #expect(gates.order == [0, 1])
            #expect(limiter.running("http://a") == 2)
            #expect(limiter.waiting("http://a") == 3)
            for index in 0..<5 {
                gates.open(index)
                #expect(await waitUntil { gates.order.count == min(5, index + 3) })
            }
            try await group.waitForAll()
        }
        #expect(gates.order == [0, 1, 2, 3, 4])
        #expect(highWater.value == 2)
        #expect(limiter.running("http://a") == 0)
        #expect(limiter.waiting("http://a") == 0)
    }

    @Test("hosts do not wait for each other")
    func independentHosts() async throws {
        let limiter = HostLimiter()
        let gates = Gates()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await limiter.withPermit(for: "http://a", limit: 1) { await gates.hold(0) } }
            #expect(await waitUntil { gates.order == [0] })
            let ran = try await limiter.withPermit(for: "http://b", limit: 1) { true }
            #expect(ran)
            #expect(limiter.running("http://a") == 1)
            gates.open(0)
            try await group.waitForAll()
        }
    }

    @Test("a cancelled waiter leaves the line with CancellationError and takes no permit")
    func cancelledWaiter() async throws {
        let limiter = HostLimiter()
        let gates = Gates()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await limiter.withPermit(for: "h", limit: 1) { await gates.hold(0) } }
            #expect(await waitUntil { gates.order == [0] })
            let waiter = Task { try await limiter.withPermit(for: "h", limit: 1) { await gates.hold(1) } }
            #expect(await waitUntil { limiter.waiting("h") == 1 })
            waiter.cancel()
            let outcome = await waiter.result
            #expect(throws: CancellationError.self) { try outcome.get() }
            #expect(limiter.waiting("h") == 0)
            #expect(limiter.running("h") == 1)
            group.addTask { try await limiter.withPermit(for: "h", limit: 1) { await gates.hold(2) } }
            #expect(await waitUntil { limiter.waiting("h") == 1 })
            gates.open(0)
            #expect(await waitUntil { gates.order == [0, 2] })
            gates.open(2)
            try await group.waitForAll()
        }
        #expect(limiter.running("h") == 0)
    }

    @Test("a body that throws gives its permit back")
    func throwingBody() async throws {
        struct Boom: Error {}
        let limiter = HostLimiter()
        await #expect(throws: Boom.self) { try await limiter.withPermit(for: "h", limit: 1) { throw Boom() } }
        #expect(limiter.running("h") == 0)
        #expect(try await limiter.withPermit(for: "h", limit: 1) { 42 } == 42)
    }

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
