import Quaero
import Foundation
import Hummingbird
import NIOCore
import QuaeroQueue

/// The overview's parts, rendered once per read and shared by every open overview (and the queue page, which
/// shows the same counts): each part is an element id and its markup, replaced in place by the live stream.
struct OverviewView: Sendable {
    let data: OverviewData
    /// Each live part: the id of its element and its markup.
    let sections: [(id: String, html: HTML)]
    /// Each part's live frame, encoded once for every open page.
    let frames: [String: ByteBuffer]

    init(_ data: OverviewData, localPool: (id: Int64?, concurrency: Int)) {
        self.data = data
        sections = [
            ("ov-summary", Self.summary(data)),
            ("ov-counts", Self.counts(data)),
            ("ov-chart", ThroughputChart.svg(data.minutes)),
            ("ov-pools", Self.pools(data, local: localPool)),
            ("ov-failures", Self.failures(data)),
        ]
        frames = Dashboard.replaceFrames(sections)
    }

    /// The markup of part `id`.
    subscript(_ id: String) -> HTML { sections.first { $0.id == id }?.html ?? .empty }

    private static func stat(_ value: String, _ label: String, _ link: String? = nil) -> HTML {
        let shown: HTML = link.map { "<a href=\"\($0)\">\(value)</a>" } ?? "\(value)"
        return "<div class=\"stat\"><b>\(shown)</b><span>\(label)</span></div>"
    }

    static func summary(_ data: OverviewData) -> HTML {
        let jobs = data.jobs.values
        let total = { (pick: (JobTypeStats) -> Int) in jobs.reduce(0) { $0 + pick($1) } }
        let queue = data.queue.totals
        let oldest = data.queue.oldestReadyAgeSeconds.map { UI.span(Int64($0 * 1000)) } ?? "–"
        return """
            <div class="stats">
            \(stat(UI.count(total(\.pending)), "pending", "/ui/jobs?status=pending"))\
            \(stat(UI.count(total(\.running)), "running", "/ui/jobs?status=running"))\
            \(stat(UI.count(total(\.completed)), "completed", "/ui/jobs?status=completed"))\
            \(stat(UI.count(total(\.failed)), "failed", "/ui/jobs?status=failed"))\
            \(stat(UI.count(total(\.cancelled)), "cancelled", "/ui/jobs?status=cancelled"))\
            \(stat(UI.count(queue.ready), "ready", "/ui/queue?state=ready"))\
            \(stat(UI.count(queue.delayed), "delayed", "/ui/queue?state=delayed"))\
            \(stat(UI.count(queue.inFlight), "in flight", "/ui/queue?state=in_flight"))\
            \(stat(UI.count(queue.dead), "dead letters", "/ui/dead"))\
            \(stat(oldest, "oldest ready"))\
            \(stat(data.storageBytes.map(UI.bytes) ?? "–", "database"))
            </div>
            """
    }

    static func counts(_ data: OverviewData) -> HTML {
        let types = Set(data.jobs.keys.map(\.rawValue)).union(data.queue.byType.keys).sorted()
        guard !types.isEmpty else { return "<p class=\"muted\">No jobs yet. <a href=\"/ui/jobs/new\">Start one.</a></p>" }
        let rows = HTML.joined(types.map { type -> HTML in
            let jobs = data.jobs[JobType(type)] ?? JobTypeStats()
            let queue = data.queue.byType[type] ?? QueueStats.Counts()
            let link = { (status: String, count: Int) -> HTML in
                count == 0 ? "<span class=\"muted\">0</span>"
                    : "<a href=\"/ui/jobs\(Dashboard.query([("type", type), ("status", status)]))\">\(UI.count(count))</a>"
            }
            let dead: HTML = queue.dead == 0 ? "<span class=\"muted\">0</span>"
                : "<a href=\"/ui/dead\(Dashboard.query([("type", type)]))\">\(UI.count(queue.dead))</a>"
            return """
                <tr data-row><td><a href="/ui/jobs\(Dashboard.query([("type", type)]))">\(type.isEmpty ? "(none)" : type)</a></td>\
                <td class="num">\(link("pending", jobs.pending))</td><td class="num">\(link("running", jobs.running))</td>\
                <td class="num">\(link("completed", jobs.completed))</td><td class="num">\(link("failed", jobs.failed))</td>\
                <td class="num">\(link("cancelled", jobs.cancelled))</td>\
                <td class="num">\(jobs.averageRunTime.map(UI.span) ?? "–")</td>\
                <td class="num">\(UI.count(queue.ready))</td><td class="num">\(UI.count(queue.delayed))</td>\
                <td class="num">\(UI.count(queue.inFlight))</td><td class="num">\(dead)</td></tr>
                """
        })
        return """
            <table><thead><tr><th>type</th><th class="num">pending</th><th class="num">running</th>\
            <th class="num">completed</th><th class="num">failed</th><th class="num">cancelled</th><th class="num">mean run</th>\
            <th class="num">ready</th><th class="num">delayed</th><th class="num">in flight</th><th class="num">dead</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }

    static func pools(_ data: OverviewData, local: (id: Int64?, concurrency: Int)) -> HTML {
        localPools(data, local: local) + remoteWorkers(data)
    }

    /// The HTTP workers (docs/workers.md): the types each serves and when it was last seen.
    static func remoteWorkers(_ data: OverviewData) -> HTML {
        guard !data.remote.isEmpty else { return .empty }
        let rows = HTML.joined(data.remote.map { worker -> HTML in
            let types: HTML = worker.isLive ? "\(worker.types.map(\.rawValue).sorted().joined(separator: ", "))"
                : "<span class=\"muted\">gone (its announcements expired)</span>"
            return "<tr><td>\(worker.name)</td><td>\(types)</td><td>\(UI.ago(worker.lastSeenAt, now: data.now))</td></tr>"
        })
        return """
            <h3>HTTP workers</h3>
            <table><thead><tr><th>worker</th><th>serves</th><th>last seen</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    static func localPools(_ data: OverviewData, local: (id: Int64?, concurrency: Int)) -> HTML {
        guard !data.pools.isEmpty else { return "<p class=\"muted\">No worker pool is running.</p>" }
        let rows = HTML.joined(data.pools.map { pool -> HTML in
            let used = data.leases[pool.id] ?? 0
            let slots: HTML = pool.id == local.id ? "\(used) of \(local.concurrency)" : "\(used)"
            let late = data.now - pool.heartbeatAt > 3 * pool.heartbeat.milliseconds
            let beat: HTML = late ? "<span class=\"s-failed\">\(UI.ago(pool.heartbeatAt, now: data.now)) (missed)</span>"
                : "\(UI.ago(pool.heartbeatAt, now: data.now))"
            let here: HTML = pool.id == local.id ? " <span class=\"muted\">(this server)</span>" : .empty
            return """
                <tr><td class="mono">\(pool.id)</td><td>\(pool.name)\(here)</td><td class="num">\(pool.pid)</td>\
                <td class="num">\(slots)</td><td>\(beat)</td><td>\(UI.ago(pool.startedAt, now: data.now))</td></tr>
                """
        })
        return """
            <table><thead><tr><th>pool</th><th>name</th><th class="num">pid</th><th class="num">slots in use</th>\
            <th>last heartbeat</th><th>started</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    static func failures(_ data: OverviewData) -> HTML {
        guard !data.failures.isEmpty else { return "<p class=\"muted\">No failed jobs.</p>" }
        let rows = HTML.joined(data.failures.map { job -> HTML in
            """
            <tr data-row><td>\(UI.jobLink(job.id))</td><td>\(job.type.rawValue)</td>\
            <td class="clip" title="\(job.error ?? "")">\(job.error ?? "")</td><td>\(UI.time(job.finishedAt ?? job.updatedAt))</td></tr>
            """
        })
        return """
            <table><thead><tr><th>job</th><th>type</th><th>error</th><th>ended</th></tr></thead><tbody>\(rows)</tbody></table>
            <p><a href="/ui/jobs?status=failed">All failed jobs</a></p>
            """
    }
}

extension Dashboard {
    func addOverview(to ui: RouterGroup<DashboardContext>) {
        ui.get("") { _, context -> Response in
            let view = try await self.hub.overview.current()
            let part = { (id: String, title: String, wide: Bool) -> HTML in
                "<section class=\"panel\(wide ? " wide" : "")\"><h2>\(title)</h2><div id=\"\(id)\">\(view[id])</div></section>"
            }
            return self.page("Overview", section: .overview, csrf: context.csrfToken, events: "/ui/events?topic=overview", """
                <h1>Overview</h1>
                \(part("ov-summary", "Now", true))
                <div class="grid">
                \(part("ov-chart", "Jobs ended per minute, last hour (green completed, red failed)", true))
                \(part("ov-counts", "Jobs by status and queue messages by state, per type", true))
                \(part("ov-pools", "Worker pools", false))
                \(part("ov-failures", "Recent failures", false))
                </div>
                """)
        }
    }
}
