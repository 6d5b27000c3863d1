@testable import QuaeroQueue
import QuaeroTestSupport
import Testing

/// A job's descendants as a bounded tree with their combined progress (the job page's tree).
@Suite("Job trees", .timeLimit(.minutes(1)))
struct JobTreeTests {
    /// root → c0 c1 c2; c0 → g0…g3; g0 → e0 e1. Ids in creation order, one millisecond apart.
    static func build(_ manager: JobManager) async throws -> (root: String, children: [String], grand: [String], great: [String]) {
        let base: Int64 = 1_767_225_600_000
        var millis = base
        func next() -> String { millis += 1; return JobID.lowerBound(millis: millis) }
        let root = try await manager.createJob(JobSpec(type: "crawl", id: next())).id
        var children: [String] = []
        for _ in 0..<3 { children.append(try await manager.createJob(JobSpec(type: "page", parentID: root, id: next())).id) }
        var grand: [String] = []
        for _ in 0..<4 { grand.append(try await manager.createJob(JobSpec(type: "page", parentID: children[0], id: next())).id) }
        var great: [String] = []
        for n in 0..<2 {
            great.append(try await manager.createJob(JobSpec(type: n == 0 ? "leaf_ok" : "page", parentID: grand[0], id: next())).id)
        }
        return (root, children, grand, great)
    }

    static func tree(_ h: JobHarness, _ root: String, limit: Int, perParent: Int) async throws -> JobTree {
        let job = try await h.manager.getJob(root)
        return try await h.store.read { try await JobTree.read(below: job, in: $0, limit: limit, perParent: perParent) }
    }

    @Test("the combined progress counts descendants at every depth, as they end well or badly", arguments: StoreKind.available)
    func counts(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let t = try await Self.build(h.manager)
            let progress = { (id: String) in try await h.store.read { try await $0.descendantProgress(of: id) } }
            #expect(try await progress(t.root) == JobProgress(total: 9))
            #expect(try await progress(t.children[0]) == JobProgress(total: 6))
            #expect(try await progress(t.great[0]) == JobProgress())
            #expect(try await progress("no such job") == JobProgress())

            // A great-grandchild completes, a grandchild is cancelled, a child runs.
            let claimed = try await h.manager.claim(limit: 1, owner: nil, types: ["leaf_ok"])
            _ = try await h.manager.end(claimed[0].message, .attempt(try #require(claimed[0].job), .succeeded(nil, effects: [])))
            _ = try await h.manager.cancel(t.grand[3])
            _ = try await h.manager.claim(limit: 1, owner: nil, types: ["page"])
            let tree = try await Self.tree(h, t.root, limit: 100, perParent: 20)
            #expect(tree.progress == JobProgress(total: 9, completed: 1, failed: 1), "a cancelled job ended badly")
            #expect(try await progress(t.grand[0]) == JobProgress(total: 2, completed: 1))
        }
    }

    @Test("the tree shows every level, newest first under each parent, up to its limit, and says how many it leaves out",
          arguments: StoreKind.available)
    func bounded(_ kind: StoreKind) async throws {
        try await withJobHarness(kind, start: false) { h in
            let t = try await Self.build(h.manager)
            let whole = try await Self.tree(h, t.root, limit: 100, perParent: 20)
            #expect(whole.children.map(\.job.id) == t.children.reversed())
            #expect(whole.children[2].children.map(\.job.id) == t.grand.reversed())
            #expect(whole.children[2].children[3].children.map(\.job.id) == t.great.reversed())
            #expect(whole.shown == 9 && whole.notShown == 0 && whole.childrenNotShown == 0)

            // Two per parent: the two newest children, none of c0's (not reached), and 7 left out.
            let narrow = try await Self.tree(h, t.root, limit: 100, perParent: 2)
            #expect(narrow.children.map(\.job.id) == [t.children[2], t.children[1]])
            #expect(narrow.childrenNotShown == 1)
            #expect(narrow.shown == 2 && narrow.notShown == 7)

            // Five in all: the three children, then the two newest grandchildren; c0 has 2 of 4 not shown.
            let small = try await Self.tree(h, t.root, limit: 5, perParent: 3)
            #expect(small.children.map(\.job.id) == t.children.reversed())
            let c0 = small.children[2]
            #expect(c0.children.map(\.job.id) == [t.grand[3], t.grand[2]])
            #expect(c0.childrenNotShown == 2)
            #expect(small.shown == 5 && small.notShown == 4)
        }
    }
}
