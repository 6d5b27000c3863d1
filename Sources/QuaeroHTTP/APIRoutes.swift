public import Quaero
public import Hummingbird
import HummingbirdCore
import HTTPTypes
public import Logging
import NIOCore
import QuaeroQueue

/// The HTTP API (DESIGN §9): the composition functions that `quaero serve` and the tests both call.
public enum APIRoutes {
    /// The largest request body accepted; bigger ones get 413.
    public static let maxBodyBytes = 1 << 20

    /// The router with every route, errors as JSON (405 with `Allow` for a known path's other methods),
    /// HEAD for every GET route, and the bearer token check when `[server] api_token` is set.
    /// Call it once per runtime: it adds a job event sink for `/metrics` to the runtime's job manager.
    public static func buildRouter(runtime: QuaeroRuntime) -> Router<BasicRequestContext> {
        buildRouter(runtime: runtime, eventStreams: JobEventStream.Options(
            foreignFlushWait: JobEventStream.foreignFlushWait(flushInterval: runtime.config.logs.flushInterval), clock: runtime.clock))
    }

    /// The router, with event streams that follow their jobs as `eventStreams` says (tests shorten the poll).
    static func buildRouter(runtime: QuaeroRuntime, eventStreams: JobEventStream.Options) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        let metrics = APIMetrics()
        let routes = RouteTable()
        runtime.jobManager.addSink(metrics)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: APIErrorMiddleware(routes: routes))
        if let token = runtime.config.server.apiToken, !token.isEmpty {
            router.add(middleware: BearerAuthMiddleware(token: token))
        }
        HealthRoute.add(to: router, runtime: runtime)
        OpenAPIRoute.add(to: router)
        metrics.add(to: router, runtime: runtime)
        QueueRoutes.add(to: router, runtime: runtime)
        FlowRoutes.add(to: router, runtime: runtime)
        JobRoutes.add(to: router, runtime: runtime)
        WorkerRoutes.add(to: router, runtime: runtime)
        JobEventStream.add(to: router, runtime: runtime, slots: EventStreamSlots(limit: runtime.config.server.maxEventStreams),
                           options: eventStreams)
        DocumentRoutes.add(to: router, runtime: runtime)
        routes.load(router)
        return router
    }

    /// The HTTP server on `[server] host` and `port` (or `port` when given; 0 picks a free one).
    /// `onServerRunning` receives the bound port.
    public static func buildApplication(runtime: QuaeroRuntime, port: Int? = nil, logger: Logger,
                                        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        application(router: buildRouter(runtime: runtime), runtime: runtime, port: port, logger: logger, onServerRunning: onServerRunning)
    }

    /// The HTTP server of `router`.
    static func application(router: Router<BasicRequestContext>, runtime: QuaeroRuntime, port: Int? = nil, logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router,
                    // A request the HTTP parser rejects gets the JSON error too, not Hummingbird's empty 400.
                    server: .http1(configuration: HTTP1Channel.Configuration(additionalChannelHandlers: [HTTPParseErrorHandler()])),
                    configuration: ApplicationConfiguration(
                        address: .hostname(runtime.config.server.host, port: port ?? runtime.config.server.port),
                        serverName: "quaero/\(quaeroVersion)"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }
}
