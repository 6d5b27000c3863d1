import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import NIOCore
@testable import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// A runtime on a temporary database (managers started, no workers) with the HTTP API live on 127.0.0.1.
func withAPI(_ configure: (inout QuaeroConfig) -> Void = { _ in }, eventStreams: JobEventStream.Options? = nil,
             _ body: @Sendable (QuaeroRuntime, APIClient) async throws -> Void) async throws {
    try await withAppStore { database, _ in
        var config = QuaeroConfig()
        configure(&config)
        let runtime = try QuaeroRuntime(config: config, store: database)
        try await runtime.queueManager.start()
        try await runtime.jobManager.start()
        var logger = Logger(label: "quaero.http.test")
        logger.logLevel = .warning
        let built = APIRoutes.build(runtime: runtime, eventStreams: eventStreams)
        let app = APIRoutes.application(router: built.router, services: built.services, runtime: runtime, logger: logger)
        try await app.test(.live) { client in try await body(runtime, APIClient(client: client)) }
        await runtime.logService.stop()
        await runtime.queueManager.stop()
    }
}

/// An answer of the API: its status and its body parsed as JSON (nil when empty or not JSON).
struct APIAnswer: @unchecked Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let json: Any?
    let text: String

    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    /// `error.code` of an error answer.
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
    /// `error.message` of an error answer.
    var errorMessage: String { (object["error"] as? [String: Any])?["message"] as? String ?? "" }
}

/// Sends requests to the live test server.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    /// The base URL of the live server, for clients other than the test client.
    var baseURL: String { "http://127.0.0.1:\(client.port ?? 0)" }

    func call(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil, token: String? = nil,
              authorization: String? = nil, headers extra: [String: String] = [:]) async throws -> APIAnswer {
        var headers = HTTPFields()
        for (name, value) in extra { if let name = HTTPField.Name(name) { headers[name] = value } }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let authorization { headers[.authorization] = authorization }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let text = String(buffer: response.body)
            return APIAnswer(status: response.status, headers: response.headers, json: try? JSONSerialization.jsonObject(with: Data(text.utf8)), text: text)
        }
    }

    func get(_ uri: String, token: String? = nil) async throws -> APIAnswer { try await call(.get, uri, token: token) }
    func post(_ uri: String, _ body: String? = nil, token: String? = nil) async throws -> APIAnswer {
        try await call(.post, uri, body: body, token: token)
    }
}
