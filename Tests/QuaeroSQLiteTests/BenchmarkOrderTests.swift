@testable import QuaeroBench
import Testing

@Suite("Benchmark order")
struct BenchmarkOrderTests {
    @Test("the durable sends with and without notifications swap places every other round; the rest keep theirs")
    func durablePairAlternates() {
        let (none, notify) = ("durable_send_16_connections_per_s", "durable_send_16_connections_notify_per_s")
        let keys = ["send_per_s", none, notify, "jobs_per_s"]
        let measurements = keys.map { ($0, 0) }
        #expect(PostgresBenchmark.inRoundOrder(measurements, round: 1).map(\.0) == keys)
        #expect(PostgresBenchmark.inRoundOrder(measurements, round: 2).map(\.0) == ["send_per_s", notify, none, "jobs_per_s"])
        #expect(PostgresBenchmark.inRoundOrder(measurements, round: 3).map(\.0) == keys)
        // With one of the two left out (`--only`), nothing moves.
        let alone = [(none, 0), ("jobs_per_s", 0)]
        #expect(PostgresBenchmark.inRoundOrder(alone, round: 2).map(\.0) == [none, "jobs_per_s"])
    }
}
