import Quaero
import Foundation
import Hummingbird
import NIOCore
import QuaeroQueue

/// What a job's page shows that changes while it runs, read in one consistent read: the record, its queue
/// message, its tree of descendants (bounded, with their combined progress) and its timeline (the event
/// lines of its log).
struct JobViewData: Sendable {
    var job: Job?
    var message: QueuedMessage?
    var tree: JobTree?
    /// The lines of its log that record events (`JobEvent.kind(ofLogLine:)`), oldest first.
    var timeline: [(entry: JobLogEntry, kind: JobEvent.Kind)]
    /// The store's time of the read.
    var now: Int64

    /// Info-level lines read for the timeline.
    static let timelineLines = 300

    static func load(_ id: String, runtime: QuaeroRuntime) async throws -> JobViewData {
        let now = runtime.store.clock.nowMillis()
        return try await runtime.store.read { reader in
            guard let job = try await reader.job(id) else {
                return JobViewData(job: nil, message: nil, tree: nil, timeline: [], now: now)
            }
            let lines = try await reader.logs(.newest(jobID: id, limit: timelineLines, minimumLevel: .info, since: nil))
            return JobViewData(
                job: job, message: try await reader.messages(.job(id)).first,
                tree: try await JobTree.read(below: job, in: reader, limit: JobTreeView.limit, perParent: JobTreeView.perParent),
                timeline: lines.reversed().compactMap { line in
                    JobEvent.kind(ofLogLine: line.message).flatMap { $0 == .progress ? nil : (line, $0) }
                },
                now: now)
        }
    }
}

/// The live parts of a job's page, rendered once per read and shared by every page that shows the job.
struct JobView: Sendable {
    let data: JobViewData
    let sections: [(id: String, html: HTML)]
    /// Each part's live frame, encoded once for every open page of the job.
    let frames: [String: ByteBuffer]

    init(_ data: JobViewData, maxReceive: Int) {
        self.data = data
        guard let job = data.job else {
            sections = [("job-facts", "<p class=\"notice bad\">This job was deleted.</p>")]
            frames = Dashboard.replaceFrames(sections)
            return
        }
        sections = [
            ("job-status", UI.badge(job.status.rawValue)),
            ("job-facts", Self.facts(job, data, maxReceive: maxReceive)),
            ("job-outcome", Self.outcome(job)),
            ("job-timeline", Self.timeline(data)),
            ("job-children", data.tree.map { JobTreeView.render(job, $0) } ?? .empty),
        ]
        frames = Dashboard.replaceFrames(sections)
    }

    subscript(_ id: String) -> HTML { sections.first { $0.id == id }?.html ?? .empty }

    static func facts(_ job: Job, _ data: JobViewData, maxReceive: Int) -> HTML {
        let now = data.now
        var rows: [(String, HTML)] = [
            ("Status", UI.badge(job.status.rawValue) + (job.status == .running && job.progress.total > 0 && data.message == nil
                ? " <span class=\"muted\">handler done; waiting for its children</span>" : .empty)),
            ("Type", "\(job.type.rawValue)"),
            ("Attempts", "\(job.attempts) <span class=\"muted\">(dead-lettered after \(maxReceive))</span>"),
        ]
        if let progress = Optional(job.progress), progress.total > 0 || progress.completed > 0 || progress.failed > 0 {
            let unfinished = max(0, progress.total - progress.completed - progress.failed)
            rows.append(("Progress", UI.progress(progress) + " <span class=\"muted\">· \(UI.count(unfinished)) unfinished</span>"))
        }
        if let message = job.message { rows.append(("Message", "\(message)")) }
        if let queued = data.message { rows.append(("In the queue", Self.queued(queued, now: now))) }
        if let parent = job.parentID { rows.append(("Parent", UI.jobLink(parent))) }
        rows.append(("Created", UI.time(job.createdAt) + " <span class=\"muted\">\(UI.ago(job.createdAt, now: now))</span>"))
        if let started = job.startedAt { rows.append(("Last started", UI.time(started))) }
        if let finished = job.finishedAt {
            rows.append(("Finished", UI.time(finished)))
            if let started = job.startedAt { rows.append(("Ran for", "\(UI.span(max(0, finished - started)))")) }
        } else if job.status == .running, let started = job.startedAt {
            rows.append(("Running for", "\(UI.span(max(0, now - started)))"))
        }
        rows.append(("Updated", UI.time(job.updatedAt)))
        return "<dl class=\"facts\">" + HTML.joined(rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" as HTML }) + "</dl>"
    }

    /// A message's state: ready, delayed (and for how long), in flight (and its lease), dead.
    static func queued(_ message: QueuedMessage, now: Int64) -> HTML {
        let detail: String = switch message.state {
        case .ready: "visible since \(UI.ago(message.visibleAt, now: now))"
        case .delayed: "visible \(UI.ago(message.visibleAt, now: now))"
        case .inFlight: "lease ends \(message.leasedUntil.map { UI.ago($0, now: now) } ?? "soon")"
            + (message.owner.map { ", pool \($0)" } ?? "")
        case .dead: "dead-lettered"
        }
        return "\(UI.badge(message.state.rawValue)) <span class=\"muted\">message \(message.id) · priority \(message.priority) · "
            + "delivered \(message.received) times · \(detail)</span>"
    }

    static func outcome(_ job: Job) -> HTML {
        var parts: [HTML] = []
        if let error = job.error { parts.append("<h2>Error</h2><pre class=\"s-failed\">\(error)</pre>") }
        if let result = job.result { parts.append("<h2>Result</h2><pre>\(UI.json(result))</pre>") }
        return parts.isEmpty ? "<p class=\"muted\">No error and no result yet.</p>" : HTML.joined(parts)
    }

    static func timeline(_ data: JobViewData) -> HTML {
        guard let job = data.job else { return .empty }
        var items: [HTML] = data.timeline.map { item in
            let name = item.kind.rawValue.replacingOccurrences(of: "_", with: " ")
            return "<li class=\"k-\(item.kind.rawValue)\">\(UI.time(item.entry.timestamp)) <b>\(name)</b> <span class=\"muted\">\(item.entry.message)</span></li>"
        }
        if !data.timeline.contains(where: { $0.kind == .created }) {
            items.insert("<li class=\"k-created\">\(UI.time(job.createdAt)) <b>created</b></li>", at: 0)
        }
        return "<ol class=\"timeline\">\(items)</ol>"
    }
}
