import Quaero
import Hummingbird
import HTTPTypes
import NIOCore
import QuaeroQueue
import ServiceLifecycle
import Synchronization

/// `GET /ui/events?topic=overview|jobs|job&id=ID`: the one event stream of a dashboard page. Frames carry
/// markup the server rendered (and escaped): `replace` (an element's content, by id), `append` (lines of a
/// job's log, with `id:` the last line's id) and `swap` (a whole element). A page that reconnects names its
/// last line (`Last-Event-ID`, or `last_event_id` in the query when the script reopens the stream after the
/// tab was hidden) and gets the lines after it; every state part is sent again. A comment every 15 s of
/// quiet lets the server notice a page that left. Streams end when the server shuts down.
extension Dashboard {
    /// Frames of one stream.
    struct Frame: Encodable {
        let target: String
        let html: String
        var keep: Int?
    }

    /// How often a page's stream reads its topic again without an event (work of other processes).
    static let jobPoll: Duration = .seconds(2)
    static let overviewPoll: Duration = .seconds(5)
    /// Quiet time before a comment line.
    static let heartbeat: Duration = .seconds(15)
    /// Log lines a page keeps.
    static let logLinesKept = 1000

    func addEvents(to ui: RouterGroup<DashboardContext>) {
        let slots = EventStreamSlots(limit: runtime.config.server.maxEventStreams)
        ui.get("/events") { request, context -> Response in
            let query = try Dashboard.queryFields(request)
            let lastEventID = try Self.lastEventID(request, query)
            let csrf = context.csrfToken
            let follow: @Sendable (inout any ResponseBodyWriter) async throws -> Void
            switch query["topic"] {
            case "overview":
                follow = { writer in try await self.followOverview(&writer) }
            case "jobs":
                follow = { writer in try await self.followJobList(&writer) }
            case "job":
                guard let id = query["id"], id.utf8.count <= 64 else { throw DashboardError.badRequest("topic=job needs id=<job id>") }
                follow = { writer in try await self.followJob(id, after: lastEventID, csrf: csrf, &writer) }
            default:
                throw DashboardError.badRequest("topic must be overview, jobs or job (with id)")
            }
            return try JobEventStream.response(slots, follow)
        }
    }

    /// The line the page has last: `Last-Event-ID`, or `last_event_id` in the query.
    static func lastEventID(_ request: Request, _ query: FormFields) throws -> Int64? {
        let header = HTTPField.Name("Last-Event-ID").flatMap { request.headers[$0] }
        guard let text = header ?? query["last_event_id"], !text.isEmpty else { return nil }
        guard let id = Int64(text), id >= 0 else {
            throw DashboardError.badRequest("Last-Event-ID must be the id of a log line the stream sent, not \"\(text.prefix(40))\"")
        }
        return id
    }

    // MARK: Topics

    private func followOverview(_ writer: inout any ResponseBodyWriter) async throws {
        var sent: [String: HTML] = [:]
        let overview = hub.overview
        try await Self.follow(hub.overviewWakes.subscribe(), poll: Self.overviewPoll, clock: runtime.clock, &writer) { writer, polled in
            let view = try await overview.current(maxAge: polled ? Self.overviewPoll : nil)
            return try await Self.replaceChanged(view.sections, frames: view.frames, sent: &sent, &writer)
        }
    }

    private func followJobList(_ writer: inout any ResponseBodyWriter) async throws {
        let pending = LockedBox<[JobEvent]>([])
        let events = hub.listEvents.subscribe()
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        var created = 0
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                for await event in events {
                    pending.withLock { $0.append(event) }
                    wake.yield()
                }
            }
            try await Self.follow(wakes, poll: Self.heartbeat, clock: runtime.clock, &writer) { writer, _ in
                let batch = pending.withLock { events in defer { events = [] }; return events }
                // The newest state of each job in the batch.
                var latest: [String: JobEvent] = [:]
                for event in batch { latest[event.jobID] = event }
                for event in latest.values {
                    try await writer.write(JobEventStream.frame("replace", Frame(target: "st-\(event.jobID)", html: UI.badge(event.status.rawValue).markup)))
                    if let progress = event.progress {
                        try await writer.write(JobEventStream.frame("replace", Frame(target: "pr-\(event.jobID)", html: UI.progress(progress).markup)))
                    }
                }
                let new = batch.filter { $0.kind == .created && $0.parentID == nil }.count
                if new > 0 {
                    created += new
                    let notice: HTML = "\(UI.count(created)) new job\(created == 1 ? "" : "s") since this page loaded: <a href=\"\">show</a>"
                    try await writer.write(JobEventStream.frame("replace", Frame(target: "new-jobs", html: notice.markup)))
                }
                return !batch.isEmpty
            }
            group.cancelAll()
        }
    }

    private func followJob(_ id: String, after lastEventID: Int64?, csrf: String, _ writer: inout any ResponseBodyWriter) async throws {
        try await hub.withJobTopic(id) { topic in
            var sent: [String: HTML] = [:]
            var cursor = lastEventID
            try await Self.follow(topic.wakes.subscribe(), poll: Self.jobPoll, clock: runtime.clock, &writer) { writer, polled in
                let view = try await topic.view.current(maxAge: polled ? Self.jobPoll : nil)
                var wrote = try await Self.replaceChanged(view.sections + [("job-actions", self.jobActions(view.data.job, csrf: csrf))],
                                                          frames: view.frames, sent: &sent, &writer)
                guard view.data.job != nil else { return wrote }
                let lines = try await topic.tail.lines(after: cursor, maxAge: polled ? Self.jobPoll : nil)
                if let last = lines.last {
                    let html = HTML.joined(lines.map(Self.logLine))
                    try await writer.write(JobEventStream.frame("append", Frame(target: "log", html: html.markup, keep: Self.logLinesKept), id: last.id))
                    cursor = last.id
                    wrote = true
                }
                return wrote
            }
        }
    }

    /// The `replace` frame of each part, encoded once per read of a topic and written by each of its pages: 100
    /// open pages of a job had each encode every changed part (p50 from a change to the 100th page 8–13 ms
    /// with `scripts/bench-ui`, against 2 ms for one page).
    static func replaceFrames(_ sections: [(id: String, html: HTML)]) -> [String: ByteBuffer] {
        var frames: [String: ByteBuffer] = [:]
        for (id, html) in sections { frames[id] = try? JobEventStream.frame("replace", Frame(target: id, html: html.markup)) }
        return frames
    }

    /// Sends a `replace` frame for each part whose markup differs from what this page has (the shared `frames`
    /// where they hold it); true when it sent one.
    private static func replaceChanged(_ sections: [(id: String, html: HTML)], frames: [String: ByteBuffer] = [:],
                                       sent: inout [String: HTML], _ writer: inout any ResponseBodyWriter) async throws -> Bool {
        var wrote = false
        for (id, html) in sections where sent[id] != html {
            try await writer.write(frames[id] ?? JobEventStream.frame("replace", Frame(target: id, html: html.markup)))
            sent[id] = html
            wrote = true
        }
        return wrote
    }

    /// One line of a job's log, as the page lists it.
    static func logLine(_ line: JobLogEntry) -> HTML {
        let level = line.level.rawValue
        return "<li class=\"l-\(level)\" data-id=\"\(line.id)\">\(UI.time(line.timestamp))<span class=\"lv\">\(level)</span>\(line.message)</li>"
    }

    /// Runs `step` at once, then on every wake and every `poll` (with `polled` true), until the page leaves or
    /// the server shuts down; sends a comment after `heartbeat` without a frame.
    private static func follow(_ wakes: AsyncStream<Void>, poll: Duration, clock: any QuaeroClock,
                               _ writer: inout any ResponseBodyWriter,
                               _ step: (inout any ResponseBodyWriter, _ polled: Bool) async throws -> Bool) async throws {
        let signals = FeedSignals()
        _ = try await step(&writer, false)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { for await _ in wakes { signals.note(.job) } }
                group.addTask { while (try? await clock.sleep(for: poll)) != nil { signals.note(.poll) } }
                var quiet: Duration = .zero
                for await _ in signals.wakes {
                    let due = signals.take()
                    if due.contains(.shutdown) || Task.isShuttingDownGracefully { break }
                    if try await step(&writer, due.contains(.poll)) {
                        quiet = .zero
                    } else if due.contains(.poll) {
                        quiet += poll
                        if quiet >= heartbeat {
                            try await writer.write(JobEventStream.heartbeat)
                            quiet = .zero
                        }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            signals.note(.shutdown)
        }
    }
}
