import Quaero
import Hummingbird
import HTTPTypes
import QuaeroQueue

/// `GET /health`: `{"status": "ok"|"unavailable", "version", "database": {"reachable"}, "workers":
/// {"running", "concurrency"}}`; 503 when the database cannot be read. Needs no token.
enum HealthRoute {
    struct Body: Encodable {
        struct DatabaseState: Encodable { let reachable: Bool }
        struct Workers: Encodable { let running: Bool; let concurrency: Int }
        let status: String
        let version: String
        let database: DatabaseState
        let workers: Workers
    }

    static func add(to router: Router<BasicRequestContext>, runtime: QuaeroRuntime) {
        router.get("/health") { _, _ -> Response in
            let reachable = (try? await runtime.jobManager.workerPools()) != nil
            let body = Body(status: reachable ? "ok" : "unavailable", version: quaeroVersion,
                            database: .init(reachable: reachable),
                            workers: .init(running: runtime.pool.poolID != nil, concurrency: runtime.pool.options.concurrency))
            return try APIResponse.json(body, status: reachable ? .ok : .serviceUnavailable)
        }
    }
}
