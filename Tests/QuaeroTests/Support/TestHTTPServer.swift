import NIOCore
import NIOHTTP1
import NIOPosix
import QuaeroTestSupport

/// One request as the routing function sees it.
struct TestRequest: Sendable {
    /// The request target: path and query.
    let path: String
    let method: HTTPMethod
    let headers: HTTPHeaders
    let body: [UInt8]
    /// The Host header (`127.0.0.1:port`), for absolute redirects.
    var host: String { headers.first(name: "host") ?? "" }
}

/// What the test server answers to one request.
struct TestResponse: Sendable {
    var status: HTTPResponseStatus = .ok
    var headers: [(String, String)] = [("Content-Type", "text/html; charset=utf-8")]
    var body: [UInt8] = []
    /// Waits this long before sending the head.
    var delay: Duration?
    /// Sends the body in chunks of this many bytes, waiting `chunkDelay` between them, without Content-Length.
    var chunkSize: Int?
    var chunkDelay: Duration?

    static func html(_ text: String) -> TestResponse { TestResponse(body: Array(text.utf8)) }

    static func redirect(_ location: String, status: HTTPResponseStatus = .found) -> TestResponse {
        TestResponse(status: status, headers: [("Location", location)])
    }

    static func status(_ status: HTTPResponseStatus, _ text: String = "") -> TestResponse {
        TestResponse(status: status, body: Array(text.utf8))
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 and a free port, answering from a routing function, that records
/// every request and the most requests it served at once.
final class TestHTTPServer: Sendable {
    let port: Int
    private let routes: @Sendable (TestRequest) -> TestResponse
    private let state = Locked(State())

    struct State {
        var requests: [TestRequest] = []
        var inFlight = 0
        var maxInFlight = 0
    }

    private init(port: Int, routes: @escaping @Sendable (TestRequest) -> TestResponse) {
        self.port = port
        self.routes = routes
    }

    /// `http://127.0.0.1:port` followed by `path`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
    /// The paths requested, in order.
    var paths: [String] { state.value.requests.map(\.path) }
    /// The User-Agent header of each request, in order.
    var userAgents: [String?] { state.value.requests.map { $0.headers.first(name: "user-agent") } }
    /// Every request, in order.
    var requests: [TestRequest] { state.value.requests }
    /// The most requests that were being answered at the same time.
    var maxInFlight: Int { state.value.maxInFlight }

    /// Runs `body` with a server answering through `routes`; the server stops when `body` returns.
    static func run<T: Sendable>(_ routes: @escaping @Sendable (TestRequest) -> TestResponse,
                                 _ body: (TestHTTPServer) async throws -> T) async throws -> T {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let server = TestHTTPServer(port: channel.channel.localAddress?.port ?? 0, routes: routes)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await connection in inbound {
                            connections.addTask { try? await server.serve(connection) }
                        }
                    }
                }
            }
            defer {
                channel.channel.close(promise: nil)
                group.cancelAll()
            }
            return try await body(server)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = []
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let head else { continue }
                    try await respond(to: TestRequest(path: head.uri, method: head.method, headers: head.headers, body: body), outbound)
                }
            }
        }
    }

    private func respond(to request: TestRequest, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        state.withLock {
            $0.requests.append(request)
            $0.inFlight += 1
            $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        let response = routes(request)
        if let delay = response.delay { try await Task.sleep(for: delay) }
        var headers = HTTPHeaders(response.headers)
        let chunks: [ArraySlice<UInt8>]
        if let size = response.chunkSize {
            chunks = stride(from: 0, to: response.body.count, by: size).map { response.body[$0..<min($0 + size, response.body.count)] }
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
        } else {
            chunks = [response.body[...]]
            headers.replaceOrAdd(name: "Content-Length", value: "\(response.body.count)")
        }
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)))
        for chunk in chunks where !chunk.isEmpty {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
            if let pause = response.chunkDelay { try await Task.sleep(for: pause) }
        }
        try await outbound.write(.end(nil))
    }
}
