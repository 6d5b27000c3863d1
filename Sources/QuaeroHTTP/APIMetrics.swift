import Quaero
import Hummingbird
import HTTPTypes
import NIOCore
import Prometheus
import QuaeroQueue

/// `GET /metrics` in Prometheus text (swift-prometheus): messages by state per queue and type, jobs by type
/// and status, mean job run time, job events by kind (retries, dead letters, ends), job log flushes and shed
/// lines, the store's read transactions (`quaero_store_reads`), and HTTP requests by method and status.
/// Queue and job counts are read from the database at each scrape, so they include work done by other
/// processes; events, requests and reads are counted in this process.
final class APIMetrics: Sendable, JobEventSink {
    let registry = PrometheusCollectorRegistry()

    /// The metric's name with its help line (no namespace or unit suffix: the names already carry them).
    static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help[name] ?? "")
    }

    private static let help: [String: String] = [
        "quaero_job_events_total": "Job events in this process by type and kind (started, retried, dead_lettered, ...).",
        "quaero_http_requests_total": "HTTP requests answered by this process, by method and status.",
        "quaero_queue_messages": "Messages of the job queue by type and state.",
        "quaero_queue_oldest_ready_age_seconds": "Seconds since the longest-waiting ready message became visible.",
        "quaero_jobs": "Job records by type and status.",
        "quaero_job_run_seconds_mean": "Mean run time of ended jobs by type.",
        "quaero_log_lines_written": "Job log lines written by this process.",
        "quaero_log_lines_shed": "Job log lines shed because the buffer was full.",
        "quaero_log_flushes": "Job log flush transactions of this process.",
        "quaero_log_flushes_failed": "Job log flush transactions that failed (their lines are retried).",
        "quaero_log_lines_pending": "Job log lines waiting to be written.",
        "quaero_store_reads": "Read transactions this process has begun on its store (this scrape's own among them).",
    ]

    func record(_ event: JobEvent) {
        registry.makeCounter(descriptor: Self.descriptor("quaero_job_events_total"), labels: [("type", event.type.rawValue), ("kind", event.kind.rawValue)]).increment()
    }

    /// Counts one answered request.
    func countRequest(method: HTTPRequest.Method, status: HTTPResponse.Status) {
        registry.makeCounter(descriptor: Self.descriptor("quaero_http_requests_total"), labels: [("method", method.rawValue), ("status", "\(status.code)")]).increment()
    }

    /// Refreshes the gauges read from the database and the log service, then renders every metric.
    func scrape(runtime: QuaeroRuntime) async throws -> [UInt8] {
        let stats = try await runtime.queueManager.stats()
        for (type, counts) in stats.byType {
            for (state, value) in [("ready", counts.ready), ("delayed", counts.delayed), ("in_flight", counts.inFlight), ("dead", counts.dead)] {
                registry.makeGauge(descriptor: Self.descriptor("quaero_queue_messages"), labels: [("queue", stats.queue), ("type", type), ("state", state)]).set(Int64(value))
            }
        }
        registry.makeGauge(descriptor: Self.descriptor("quaero_queue_oldest_ready_age_seconds"), labels: [("queue", stats.queue)]).set(stats.oldestReadyAgeSeconds ?? 0)
        for (type, counts) in try await runtime.jobManager.stats() {
            let byStatus: [(JobStatus, Int)] = [(.pending, counts.pending), (.running, counts.running), (.completed, counts.completed),
                                                (.failed, counts.failed), (.cancelled, counts.cancelled)]
            for (status, value) in byStatus {
                registry.makeGauge(descriptor: Self.descriptor("quaero_jobs"), labels: [("type", type.rawValue), ("status", status.rawValue)]).set(Int64(value))
            }
            if let average = counts.averageRunTime {
                let seconds = Double(average.components.seconds) + Double(average.components.attoseconds) / 1e18
                registry.makeGauge(descriptor: Self.descriptor("quaero_job_run_seconds_mean"), labels: [("type", type.rawValue)]).set(seconds)
            }
        }
        let logs = runtime.logService.stats
        registry.makeGauge(descriptor: Self.descriptor("quaero_log_lines_written")).set(Int64(logs.written))
        registry.makeGauge(descriptor: Self.descriptor("quaero_log_lines_shed")).set(Int64(logs.shed))
        registry.makeGauge(descriptor: Self.descriptor("quaero_log_flushes")).set(Int64(logs.transactions))
        registry.makeGauge(descriptor: Self.descriptor("quaero_log_flushes_failed")).set(Int64(logs.failedTransactions))
        registry.makeGauge(descriptor: Self.descriptor("quaero_log_lines_pending")).set(Int64(logs.pending))
        if let reads = runtime.store.readsBegun {
            registry.makeGauge(descriptor: Self.descriptor("quaero_store_reads")).set(Int64(reads))
        }
        return registry.emitToBuffer()
    }

    func add(to router: Router<BasicRequestContext>, runtime: QuaeroRuntime) {
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try await self.scrape(runtime: runtime))))
        }
    }
}

/// Counts every answered request in `metrics`, errors included (it runs outside the error middleware's
/// conversion, so it sees the final status).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: APIMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        metrics.countRequest(method: request.method, status: response.status)
        return response
    }
}
