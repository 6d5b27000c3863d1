public import Quaero
public import Hummingbird
import HummingbirdCore
import HTTPTypes
public import Logging
import NIOCore
import QuaeroQueue
import ServiceLifecycle

/// The HTTP API (DESIGN §9): the composition functions that `quaero serve` and the tests both call.
public enum APIRoutes {
    /// The largest request body accepted; bigger ones get 413.
    public static let maxBodyBytes = 1 << 20

    /// The router with every route, errors as JSON (405 with `Allow` for a known path's other methods),
    /// HEAD for every GET route, the bearer token check when `[server] api_token` is set, and the dashboard
    /// under `/ui` (its live updates need the services of `buildApplication`).
    /// Call it once per runtime: it adds a job event sink for `/metrics` to the runtime's job manager.
    ///
    /// - Parameter settings: the effective configuration with the source of each value, for the dashboard's
    ///   settings page (the runtime's configuration with default sources when nil).
    public static func buildRouter(runtime: QuaeroRuntime, settings: ResolvedConfig? = nil) -> Router<BasicRequestContext> {
        build(runtime: runtime, settings: settings).router
    }

    /// The router, with event streams that follow their jobs as `eventStreams` says (tests shorten the poll).
    static func buildRouter(runtime: QuaeroRuntime, eventStreams: JobEventStream.Options) -> Router<BasicRequestContext> {
        build(runtime: runtime, eventStreams: eventStreams).router
    }

    /// The router and the services that must run beside it (the dashboard's hub of live updates).
    static func build(runtime: QuaeroRuntime, eventStreams: JobEventStream.Options? = nil,
                      settings: ResolvedConfig? = nil) -> (router: Router<BasicRequestContext>, services: [any Service]) {
        let eventStreams = eventStreams ?? JobEventStream.Options(
            foreignFlushWait: JobEventStream.foreignFlushWait(flushInterval: runtime.config.logs.flushInterval), clock: runtime.clock)
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
        let dashboard = Dashboard(runtime: runtime, settings: settings ?? ResolvedConfig(config: runtime.config))
        dashboard.add(to: router)
        routes.load(router)
        return (router, [dashboard.hub])
    }

    /// The HTTP server on `[server] host` and `port` (or `port` when given; 0 picks a free one).
    /// `onServerRunning` receives the bound port.
    public static func buildApplication(runtime: QuaeroRuntime, settings: ResolvedConfig? = nil, port: Int? = nil, logger: Logger,
                                        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let built = build(runtime: runtime, settings: settings)
        return application(router: built.router, services: built.services, runtime: runtime, port: port, logger: logger,
                           onServerRunning: onServerRunning)
    }

    /// The HTTP server of `router`, running `services` beside it.
    static func application(router: Router<BasicRequestContext>, services: [any Service] = [], runtime: QuaeroRuntime,
                            port: Int? = nil, logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router,
                    // A request the HTTP parser rejects gets the JSON error too, not Hummingbird's empty 400.
                    server: .http1(configuration: HTTP1Channel.Configuration(additionalChannelHandlers: [HTTPParseErrorHandler()])),
                    configuration: ApplicationConfiguration(
                        address: .hostname(runtime.config.server.host, port: port ?? runtime.config.server.port),
                        serverName: "quaero/\(quaeroVersion)"),
                    services: services,
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }
}
