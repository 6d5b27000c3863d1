import ArgumentParser
import Quaero
import QuaeroQueue
import QuaeroSQLite
import QuaeroBench

/// `quaero bench`: the benchmark of DESIGN.md §10.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Quaero against the SQLite floor on fresh temporary databases (use a release build).")

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

    func validate() throws {
        guard messages >= 100 else { throw ValidationError("--messages must be at least 100") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        guard (9...16).contains(where: { 1 << $0 == pageSize }) else {
            throw ValidationError("--page-size must be a power of two from 512 to 65536, got \(pageSize)")
        }
        guard walAutocheckpoint >= 1 else { throw ValidationError("--wal-autocheckpoint must be at least 1") }
        guard DatabaseOptions.Synchronous(rawValue: synchronous.uppercased()) != nil else {
            throw ValidationError("--synchronous must be NORMAL or FULL, got \(synchronous)")
        }
    }

    func run() async throws {
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
}
