// A crawl worker process for the crash test (Tests/QuaeroTests/CrawlCrashTests.swift): it runs a WorkerPool
// with the crawl jobs over the queue `crawl` of the database at argv[1] until it is killed.
//
// Usage: QuaeroCrawlWorker DB_PATH HEARTBEAT_MS
import Foundation
import Quaero
import QuaeroQueue

let arguments = CommandLine.arguments
guard arguments.count == 3, let heartbeat = Int(arguments[2]), heartbeat > 0 else {
    FileHandle.standardError.write(Data("usage: QuaeroCrawlWorker DB_PATH HEARTBEAT_MS\n".utf8))
    exit(2)
}

var config = QuaeroConfig()
config.database.path = arguments[1]
let store = try await QuaeroApp.openStore(config)
// Many deliveries: a page may be cut short by several kills and must still end as it would have.
let manager = JobManager(queue: try Queue(name: "crawl", store: store, options: QueueOptions(maxReceive: 20)))
let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(
    concurrency: 4, pollInterval: .milliseconds(100), backoffBase: .milliseconds(10), backoffMax: .milliseconds(100),
    backoffJitter: 0, heartbeatInterval: .milliseconds(heartbeat), name: "crawl-worker"))
let fetcher = PageFetcher()
CrawlerJobs(store: try DocumentStore(store: store), fetcher: fetcher).register(on: pool)
try await pool.start()
while true { try await Task.sleep(for: .seconds(3600)) }
