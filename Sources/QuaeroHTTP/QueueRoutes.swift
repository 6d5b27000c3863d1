import Quaero
import Foundation
import Hummingbird
import HTTPTypes
import QuaeroQueue

/// `/api/queue...`: stats, dead letters, requeue, and sending a message.
enum QueueRoutes {
    static func add(to router: Router<BasicRequestContext>, runtime: QuaeroRuntime) {
        let queueManager = runtime.queueManager
        router.get("/api/queue/stats") { _, _ -> Response in
            try APIResponse.json(QueueStatsJSON(try await queueManager.stats()))
        }
        router.get("/api/queue/dead") { request, _ -> Response in
            let letters = try await queueManager.queue.deadLetters(limit: try APIRequest.queryInt(request, "limit", default: 100),
                                                                   offset: try APIRequest.queryInt(request, "offset", default: 0))
            return try APIResponse.json(letters.map(DeadLetterJSON.init))
        }
        router.post("/api/queue/dead/:id/requeue") { _, context -> Response in
            let id = try APIRequest.pathNumber(context, "id")
            guard !(try await runtime.jobManager.requeueDeadLetters([id])).isEmpty else {
                throw QuaeroError(.notFound, "message \(id) is not a dead letter of queue \(queueManager.queue.name); list them with GET /api/queue/dead")
            }
            return try APIResponse.json(["requeued": id])
        }
        router.post("/api/queue/messages") { request, _ -> Response in
            let message = try QueueMessageRequest(try await APIRequest.jsonObject(request))
            let id = try await queueManager.enqueue(message.send.message, delay: message.delay, priority: message.priority, key: message.key)
            return try APIResponse.json(["id": id], status: .accepted)
        }
    }
}

/// The body of `POST /api/queue/messages`: `{"type", "body": {...}, "delay_s", "priority", "key"}`.
struct QueueMessageRequest {
    let send: SendRequest
    let delay: Duration
    let priority: Int
    let key: String?

    init(_ body: [String: JSONValue]) throws {
        let allowed = ["type", "body", "delay_s", "priority", "key"]
        for key in body.keys where !allowed.contains(key) {
            throw Self.invalid("unknown key \"\(key)\"; a message has \(allowed.joined(separator: ", "))")
        }
        guard let type = body["type"]?.stringValue else { throw Self.invalid("\"type\" must be a string such as \"crawler_url\"") }
        let fields = body["body"] ?? .object([:])
        do {
            send = try SendRequest(type: type, json: try APIJSON.encode(fields, pretty: false))
        } catch let error as QuaeroError {
            throw Self.invalid(error.message)
        }
        let seconds = body["delay_s"]?.numberValue ?? 0
        guard body["delay_s"] == nil || body["delay_s"]?.numberValue != nil, seconds >= 0, seconds < 1e9 else {
            throw Self.invalid("\"delay_s\" must be a number of seconds ≥ 0")
        }
        delay = .milliseconds(Int64(seconds * 1000))
        guard body["priority"] == nil || body["priority"]?.intValue != nil else { throw Self.invalid("\"priority\" must be a whole number") }
        priority = body["priority"]?.intValue ?? 0
        guard body["key"] == nil || body["key"]?.stringValue != nil else { throw Self.invalid("\"key\" must be a string") }
        key = body["key"]?.stringValue
    }

    private static func invalid(_ message: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_message", message)
    }
}
