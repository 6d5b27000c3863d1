import QuaeroQueue
import QuaeroTestSupport
import Testing

/// DESIGN §5: a parent completes when all its children have ended, and fails when every child failed, also
/// when it does not fail on a child's failure (`fail_on_child_failure` false, as a crawl is created). Both
/// ways a parent ends: its last child ends after its handler (settle), or before it (succeed).
@Suite("A parent's outcome from its children's", .timeLimit(.minutes(1)))
struct ParentOutcomeTests {
    @Test("every child failed: the tolerant parent fails; one child succeeded: it completes",
          arguments: StoreKind.available, [true, false])
    func everyChildFailed(_ kind: StoreKind, childrenEndFirst: Bool) async throws {
        let gate = Gate()
        try await withJobHarness(kind, register: { pool in
            pool.register("parent") { context in
                var children: [String] = []
                for index in 0..<3 {
                    let fail = index < context.config["failing"]?.intValue ?? 0
                    children.append(try await context.createChild(JobSpec(type: "child", config: ["fail": .bool(fail)])).id)
                }
                if childrenEndFirst {
                    let manager = context.manager
                    _ = await waitUntil { await Self.allEnded(children, manager) }
                }
                return nil
            }
            pool.register("child") { context in
                if !childrenEndFirst { try await gate.wait() }
                if context.config["fail"] == .bool(true) { throw UnrecoverableJobError("told to fail") }
                return nil
            }
        }) { h in
            let events = h.manager.events()
            let allFailed = try await h.manager.createJob(JobSpec(type: "parent", config: ["failing": .number(3)], failOnChildFailure: false))
            let oneSucceeded = try await h.manager.createJob(JobSpec(type: "parent", config: ["failing": .number(2)], failOnChildFailure: false))
            if !childrenEndFirst {
                var waiting: Set<String> = []
                for await event in events where event.kind == .waitingForChildren {
                    waiting.insert(event.jobID)
                    if waiting == [allFailed.id, oneSucceeded.id] { break }
                }
                gate.open()
            }
            #expect(try await h.wait(allFailed.id, .failed))
            let failed = try await h.manager.getJob(allFailed.id)
            #expect(failed.error == "3 of 3 children failed")
            #expect(failed.progress == JobProgress(total: 3, completed: 0, failed: 3))
            #expect(try await h.wait(oneSucceeded.id, .completed))
            #expect(try await h.manager.getJob(oneSucceeded.id).error == nil)
        }
    }

    private static func allEnded(_ ids: [String], _ manager: JobManager) async -> Bool {
        for id in ids where (try? await manager.getJob(id).status.isTerminal) != true { return false }
        return true
    }
}
