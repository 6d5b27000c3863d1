// libpq-probe URL MODE CONNECTIONS SECONDS: inserts into the floor's `messages` table
// (../../../shared/bench/postgres/schema.sql) for SECONDS on CONNECTIONS connections, then prints
// `mode=M connections=C per_s=N`. MODE:
//   threads   one thread per connection in a blocking loop (what pgbench does)
//   pinned    one Swift task per connection, run by that connection's own thread (a TaskExecutor): the
//             statement is a blocking call inside the task, no hop between threads
//   bridged   Swift tasks on the global executor hand each statement to the connection's thread and await it
//             (a continuation): two thread hops per statement, as any caller not on that thread pays
import CPQ
import Foundation
import Synchronization

let arguments = CommandLine.arguments
guard arguments.count == 5, let connections = Int(arguments[3]), let seconds = Double(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: libpq-probe URL threads|pinned|bridged CONNECTIONS SECONDS\n".utf8))
    exit(2)
}
let (url, mode) = (arguments[1], arguments[2])
let insert = "INSERT INTO messages (queue, body, visible_at, created_at) VALUES ($1, '\\x7979'::bytea, $2::bigint, $2::bigint)"
/// With PROBE_STATEMENT=quaero: Quaero's own send (`QueueSQL.SendUnkeyed`, on a database migrated by `quaero migrate`)
/// with its twelve values in binary, as the store sends them, and the store's session settings.
let quaeroStatement = ProcessInfo.processInfo.environment["PROBE_STATEMENT"] == "quaero"
let now = "coalesce($1::bigint, (extract(epoch FROM now()) * 1000)::bigint)"
let quaeroInsert = """
    INSERT INTO messages (queue, type, body, priority, visible_at, dedup_key, created_at, job_id,
                          limit_key, limit_max, limit_interval, type_max)
    VALUES ($2::text, $3::text, $4::bytea, $5::bigint, \(now) + $6::bigint, $7::text, \(now), $8::text,
            $9::text, $10::bigint, $11::bigint, $12::bigint)
    RETURNING id
    """

/// A connection with the insert prepared, synchronous_commit off (as the floor's figures without the durable ones).
final class Client: @unchecked Sendable {
    let handle: OpaquePointer

    init() {
        handle = PQconnectdb(url)
        guard PQstatus(handle) == CONNECTION_OK else { fatalError(String(cString: PQerrorMessage(handle))) }
        PQclear(PQexec(handle, "SET synchronous_commit = off"))
        if quaeroStatement { PQclear(PQexec(handle, "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off")) }
        let prepared = PQprepare(handle, "insert", quaeroStatement ? quaeroInsert : insert, quaeroStatement ? 0 : 2, nil)
        guard PQresultStatus(prepared) == PGRES_COMMAND_OK else { fatalError(String(cString: PQerrorMessage(handle))) }
        PQclear(prepared)
    }

    /// One insert, blocking until the server answered.
    func send() {
        if quaeroStatement { return sendQuaeroStatement() }
        let now = String(Int64(Date().timeIntervalSince1970 * 1000))
        "probe".withCString { queue in
            now.withCString { time in
                var values: [UnsafePointer<CChar>?] = [queue, time]
                let result = PQexecPrepared(handle, "insert", 2, &values, nil, nil, 0)
                guard PQresultStatus(result) == PGRES_COMMAND_OK else { fatalError(String(cString: PQerrorMessage(handle))) }
                PQclear(result)
            }
        }
    }
}

extension Client {
    /// Quaero's send: NULL time ($1), queue, NULL type, a 2-byte body, priority 0, delay 0, the rest NULL; binary.
    func sendQuaeroStatement() {
        let queue = Array("probe".utf8), body: [UInt8] = [0x79, 0x79], zero = [UInt8](repeating: 0, count: 8)
        queue.withUnsafeBufferPointer { q in
            body.withUnsafeBufferPointer { b in
                zero.withUnsafeBufferPointer { z in
                    let raw = { (p: UnsafeBufferPointer<UInt8>) in UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self) }
                    var values: [UnsafePointer<CChar>?] = [nil, raw(q), nil, raw(b), raw(z), raw(z), nil, nil, nil, nil, nil, nil]
                    var lengths: [Int32] = [0, Int32(q.count), 0, Int32(b.count), 8, 8, 0, 0, 0, 0, 0, 0]
                    var formats = [Int32](repeating: 1, count: 12)
                    let result = PQexecPrepared(handle, "insert", 12, &values, &lengths, &formats, 1)
                    guard PQresultStatus(result) == PGRES_TUPLES_OK else { fatalError(String(cString: PQerrorMessage(handle))) }
                    PQclear(result)
                }
            }
        }
    }
}

/// A thread that runs queued work: the jobs of tasks that prefer it (`TaskExecutor`), or statements handed over.
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var statements: [CheckedContinuation<Void, Never>] = []
    let client = Client()

    init() {
        Thread.detachNewThread { [self] in
            while true {
                condition.lock()
                while jobs.isEmpty && statements.isEmpty { condition.wait() }
                let (ready, handed) = (jobs, statements)
                (jobs, statements) = ([], [])
                condition.unlock()
                for job in ready { job.runSynchronously(on: asUnownedTaskExecutor()) }
                for statement in handed {
                    client.send()
                    statement.resume()
                }
            }
        }
    }

    func enqueue(_ job: UnownedJob) {
        condition.withLock { jobs.append(job) }
        condition.signal()
    }

    /// Runs one insert on this thread and returns when it is done.
    func send() async {
        await withCheckedContinuation { continuation in
            condition.withLock { statements.append(continuation) }
            condition.signal()
        }
    }
}

let sent = Atomic<Int>(0)
let deadline = Date().addingTimeInterval(seconds)
switch mode {
case "threads":
    let done = DispatchGroup()
    for _ in 0..<connections {
        done.enter()
        Thread.detachNewThread {
            let client = Client()
            while Date() < deadline {
                client.send()
                sent.add(1, ordering: .relaxed)
            }
            done.leave()
        }
    }
    done.wait()
case "pinned":
    let threads = (0..<connections).map { _ in ConnectionThread() }
    await withTaskGroup(of: Void.self) { group in
        for thread in threads {
            group.addTask(executorPreference: thread) {
                while Date() < deadline {
                    thread.client.send()
                    sent.add(1, ordering: .relaxed)
                }
            }
        }
    }
case "bridged":
    let threads = (0..<connections).map { _ in ConnectionThread() }
    await withTaskGroup(of: Void.self) { group in
        for thread in threads {
            group.addTask {
                while Date() < deadline {
                    await thread.send()
                    sent.add(1, ordering: .relaxed)
                }
            }
        }
    }
default:
    FileHandle.standardError.write(Data("libpq-probe: unknown mode \(mode) (threads, pinned or bridged)\n".utf8))
    exit(2)
}
print("mode=\(mode) connections=\(connections) per_s=\(Int(Double(sent.load(ordering: .relaxed)) / seconds))")
exit(0)
