import ArgumentParser
import Foundation
import QuaeroPostgres
import Quaero
import QuaeroQueue
import QuaeroSQLite
import QuaeroBench

/// `quaero bench`: the benchmark of DESIGN.md §10.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Quaero against the SQLite floor on fresh temporary databases, or with --db postgres://… against the PostgreSQL floor in fresh schemas (use a release build).")

    /// Accepted for uniformity; the benchmark always runs on fresh temporary databases.
    @OptionGroup var global: GlobalOptions

    @Option(help: "Operations per measurement.")
    var messages = 20_000

    @Option(help: "Rounds; each figure is the median over them.")
    var rounds = 5

    @Option(help: "synchronous pragma: NORMAL or FULL.")
    var synchronous = "NORMAL"

    @Option(help: ArgumentHelp("WAL pages between automatic checkpoints for Quaero's databases.", valueName: "pages"))
    var walAutocheckpoint = DatabaseOptions().walAutocheckpointPages

    @Option(help: ArgumentHelp("Page size of Quaero's benchmark databases (512 to 65536, a power of two).", valueName: "bytes"))
    var pageSize = DatabaseOptions().pageSize

    @Option(help: ArgumentHelp("Run only the measurement with this key (repeatable), e.g. for profiling.", valueName: "key"))
    var only: [String] = []

    @Flag(help: "Print one flat JSON object.")
    var json = false

    @Option(help: ArgumentHelp("With --db postgres://…: the backlog run of receive_delete_per_s_minute_10_over_1, in minutes (10 for the figure).", valueName: "minutes"))
    var soak: Int?

    @Option(help: ArgumentHelp("With --db postgres://…: the folder of the PostgreSQL floor's floor.sh and scripts, run by pgbench in the same run.", valueName: "folder"))
    var floor = "../shared/bench/postgres"

    @Option(help: ArgumentHelp("With --db postgres://…: seconds each floor cell runs.", valueName: "seconds"))
    var floorSeconds = 5

    @Option(help: ArgumentHelp("With --db postgres://…: worker processes of jobs_per_s.", valueName: "count"))
    var processes = 4

    @Flag(help: ArgumentHelp("A worker process of jobs_per_s on PostgreSQL (started by the benchmark itself).", visibility: .private))
    var workerProcess = false

    func validate() throws {
        guard messages >= 100 else { throw ValidationError("--messages must be at least 100") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        guard (9...16).contains(where: { 1 << $0 == pageSize }) else {
            throw ValidationError("--page-size must be a power of two from 512 to 65536, got \(pageSize)")
        }
        guard walAutocheckpoint >= 1 else { throw ValidationError("--wal-autocheckpoint must be at least 1") }
        guard soak.map({ $0 >= 1 }) ?? true else { throw ValidationError("--soak must be at least 1 minute") }
        guard floorSeconds >= 1 else { throw ValidationError("--floor-seconds must be at least 1") }
        guard processes >= 1 else { throw ValidationError("--processes must be at least 1") }
        guard DatabaseOptions.Synchronous(rawValue: synchronous.uppercased()) != nil else {
            throw ValidationError("--synchronous must be NORMAL or FULL, got \(synchronous)")
        }
    }

    func run() async throws {
        if workerProcess {
            try await PostgresBenchmark.runWorkerProcess()
            return
        }
        if let db = global.db, PostgresURL.isURL(db) {
            try await runPostgres(db)
            return
        }
        var options = Benchmark.Options()
        options.messages = messages
        options.rounds = rounds
        options.only = Set(only)
        options.database.walAutocheckpointPages = walAutocheckpoint
        options.database.pageSize = pageSize
        options.database.synchronous = DatabaseOptions.Synchronous(rawValue: synchronous.uppercased())!
        let report = try await Benchmark(options: options).run()
        print(json ? report.json() : report.table())
    }

    /// The benchmark on PostgreSQL (`--db postgres://…`): the same keys, those only PostgreSQL has, and the floor's.
    private func runPostgres(_ url: String) async throws {
        var options = PostgresBenchmark.Options(executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath())
        options.messages = messages
        options.rounds = rounds
        options.only = Set(only)
        options.soak = soak.map { .seconds(60 * $0) }
        options.floor = URL(fileURLWithPath: floor)
        options.floorSeconds = floorSeconds
        options.processes = processes
        let report = try await PostgresBenchmark(url: url, options: options).run { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        print(json ? report.json() : report.table())
    }
}
