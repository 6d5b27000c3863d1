@testable import QuaeroBench
import Testing

@Suite("Benchmark order")
struct BenchmarkOrderTests {
    @Test("a round measures the durable sends with and without notifications as A B B A; the rest once, in order")
    func durablePairRunsBothWays() {
        let (none, notify) = ("durable_send_16_connections_per_s", "durable_send_16_connections_notify_per_s")
        #expect(PostgresBenchmark.roundRuns(["send_per_s", none, notify, "jobs_per_s"])
                == ["send_per_s", none, notify, notify, none, "jobs_per_s"])
        // With one of the two left out (`--only`), each key runs once.
        #expect(PostgresBenchmark.roundRuns([none, "jobs_per_s"]) == [none, "jobs_per_s"])
        #expect(PostgresBenchmark.roundRuns([notify]) == [notify])
    }
}
