import Quaero
import Hummingbird
import HTTPTypes
import QuaeroQueue

/// `POST /api/queue/pause|resume` and `/api/schedules...` (DESIGN §8, §10).
enum FlowRoutes {
    static func add(to router: Router<BasicRequestContext>, runtime: QuaeroRuntime) {
        let queue = runtime.queueManager.queue
        router.post("/api/queue/pause") { request, _ -> Response in
            let type = try pauseType(try await APIRequest.optionalJSONObject(request))
            let changed = try await queue.pause(type: type)
            return try APIResponse.json(PauseAnswer(changed: changed, pause: try await queue.pauses()))
        }
        router.post("/api/queue/resume") { request, _ -> Response in
            let type = try pauseType(try await APIRequest.optionalJSONObject(request))
            let changed = try await queue.resume(type: type)
            return try APIResponse.json(PauseAnswer(changed: changed, pause: try await queue.pauses()))
        }
        let scheduler = runtime.scheduler
        router.get("/api/schedules") { _, _ -> Response in
            try APIResponse.json(try await scheduler.list().map(ScheduleJSON.init))
        }
        router.post("/api/schedules/:name/run") { _, context -> Response in
            let job = try await scheduler.runNow(try APIRequest.path(context, "name"))
            return try APIResponse.json(job, status: .accepted)
        }
        for (action, paused) in [("pause", true), ("resume", false)] {
            router.post("/api/schedules/:name/\(action)") { _, context -> Response in
                let name = try APIRequest.path(context, "name")
                try await scheduler.setPaused(name, paused)
                return try APIResponse.json(ScheduleJSON(try await scheduler.status(name)))
            }
        }
    }

    /// The stored type a pause names (`{"type": "crawler"}`), nil for the whole queue.
    private static func pauseType(_ body: [String: JSONValue]) throws -> String? {
        for key in body.keys where key != "type" {
            throw APIError(.unprocessableContent, code: "invalid_body", "unknown key \"\(key)\"; a pause has an optional \"type\"")
        }
        guard let value = body["type"], value != .null else { return nil }
        guard let type = value.stringValue, !type.isEmpty else {
            throw APIError(.unprocessableContent, code: "invalid_body", "\"type\" must be a job type such as \"crawler\"")
        }
        return JobType(userName: type).rawValue
    }

    /// `{"changed", "paused": {"queue", "types"}}`.
    private struct PauseAnswer: Encodable {
        let changed: Bool
        let paused: QueueStatsJSON.Paused

        init(changed: Bool, pause: QueuePause) {
            self.changed = changed
            paused = QueueStatsJSON.Paused(queue: pause.queue, types: pause.types.sorted())
        }
    }
}
