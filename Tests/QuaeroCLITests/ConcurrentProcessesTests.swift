import Foundation
import QuaeroTestSupport
import Testing

/// Many short-lived `quaero` processes on one database file, as `xargs -P` runs them: each opens the file
/// (pragmas, migrations, WAL recovery), works and closes it (the last one to close checkpoints and removes
/// the WAL), while the others do the same. None may fail with "database is locked".
@Suite("CLI: concurrent processes on one database", .timeLimit(.minutes(2)))
struct ConcurrentProcessesTests {
    static let lanes = 8
    static let rounds = 16

    @Test("8 processes sending and listing at once on a new file: every command succeeds, every send is stored")
    func sendAndListAtOnce() async throws {
        try await withWorkspace { dir in
            let failures = Locked<[String]>([])
            await withTaskGroup(of: Void.self) { group in
                for lane in 0..<Self.lanes {
                    group.addTask {
                        for round in 0..<Self.rounds {
                            let arguments = (lane + round).isMultiple(of: 2)
                                ? ["--db", "t.db", "send", "cleanup", "{}"]
                                : ["--db", "t.db", "jobs", "list", "--limit", "5"]
                            do {
                                let outcome = try await QuaeroBinary.runConcurrently(arguments, in: dir.url)
                                if outcome.status != 0 { failures.withLock { $0.append("\(arguments): \(outcome)") } }
                            } catch {
                                failures.withLock { $0.append("\(arguments): \(error)") }
                            }
                        }
                    }
                }
            }
            #expect(failures.value.isEmpty, "\(failures.value.count) failed, the first: \(failures.value.first ?? "")")
            let stats = try #require(try dir.quaeroJSON("--db", "t.db", "queue", "stats", "--json") as? [String: Any])
            #expect(stats["ready"] as? Int == Self.lanes * Self.rounds / 2)
        }
    }
}
