import Quaero
import Foundation
import Hummingbird
import QuaeroQueue

/// The job list, `/ui/jobs`: filters by status, type, parent and creation time, and full-text search over
/// configs, fields and errors, all in the URL (a view can be shared); keyset pages (`after`, never an
/// offset); statuses and progress update live from this process's job events.
extension Dashboard {
    /// The `within` choices of the time filter.
    static let windows: [(name: String, label: String, millis: Int64)] = [
        ("15m", "last 15 minutes", 900_000), ("1h", "last hour", 3_600_000), ("6h", "last 6 hours", 21_600_000),
        ("24h", "last 24 hours", 86_400_000), ("7d", "last 7 days", 604_800_000),
    ]

    func addJobs(to ui: RouterGroup<DashboardContext>) {
        ui.get("/jobs") { request, context -> Response in
            let query = try Dashboard.queryFields(request)
            var filter = try self.jobFilter(query)
            filter.limit = Self.pageSize + 1
            let found = try await self.manager.listJobs(filter)
            let jobs = Array(found.prefix(Self.pageSize))
            let types = try await self.manager.stats().keys.map(\.rawValue).sorted()
            let base: [(String, String?)] = ["q", "status", "type", "parent", "within", "since", "until"].map { ($0, query.text($0)) }
            let older: HTML = found.count > Self.pageSize
                ? "<a href=\"/ui/jobs\(Dashboard.query(base + [("after", jobs.last?.id)]))\">Older →</a>" : .empty
            let newest: HTML = query.text("after") != nil ? "<a href=\"/ui/jobs\(Dashboard.query(base))\">← Newest</a>" : .empty
            let rows = HTML.joined(jobs.map(Self.jobRow))
            let table: HTML = jobs.isEmpty ? "<p class=\"muted\">No job matches.</p>" : """
                <table><thead><tr><th>job</th><th>type</th><th>status</th><th>progress</th><th class="num">attempts</th>\
                <th>created</th><th>parent</th><th>detail</th></tr></thead><tbody>\(rows)</tbody></table>
                """
            return self.page("Jobs", section: .jobs, csrf: context.csrfToken, events: "/ui/events?topic=jobs", """
                \(Self.notice(query["done"]))
                <h1>Jobs</h1>
                \(Self.jobFilters(query, types: types))
                <p id="new-jobs" class="muted"></p>
                <section class="panel">\(table)<div class="pager">\(newest)\(older)</div></section>
                """)
        }
    }

    /// The filter of a job list's query. - Throws: 400 naming a bad parameter.
    func jobFilter(_ query: FormFields) throws -> JobFilter {
        var filter = JobFilter(limit: Self.pageSize)
        if let status = query.text("status") {
            guard let parsed = JobStatus(rawValue: status) else {
                throw DashboardError.badRequest("status must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(status)\"")
            }
            filter.status = parsed
        }
        filter.type = query.text("type").map { JobType($0) }
        filter.parentID = query.text("parent")
        filter.search = query.text("q")
        filter.after = query.text("after")
        let now = runtime.store.clock.nowMillis()
        if let within = query.text("within") {
            guard let window = Self.windows.first(where: { $0.name == within }) else {
                throw DashboardError.badRequest("within must be one of \(Self.windows.map(\.name).joined(separator: ", ")), not \"\(within)\"")
            }
            filter.createdSince = now - window.millis
        }
        if let since = query.text("since") { filter.createdSince = try Self.instant(since, name: "since") }
        if let until = query.text("until") { filter.createdBefore = try Self.instant(until, name: "until") }
        return filter
    }

    /// A time given as RFC 3339 (`2026-11-27T19:00:00Z`) or as UTC milliseconds.
    static func instant(_ text: String, name: String) throws -> Int64 {
        if let millis = Int64(text) { return millis }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) {
            return Int64((date.timeIntervalSince1970 * 1000).rounded())
        }
        throw DashboardError.badRequest("\(name) must be a time such as 2026-11-27T19:00:00Z (or UTC milliseconds), not \"\(text.prefix(60))\"")
    }

    /// One row of a job list; its status and progress cells update live (`st-<id>`, `pr-<id>`).
    static func jobRow(_ job: Job) -> HTML {
        let detail = job.error ?? job.fields["url"]?.stringValue ?? job.message ?? ""
        let parent: HTML = job.parentID.map { UI.jobLink($0) } ?? .empty
        return """
            <tr data-row id="job-\(job.id)"><td>\(UI.jobLink(job.id))</td><td>\(job.type.rawValue)</td>\
            <td id="st-\(job.id)">\(UI.badge(job.status.rawValue))</td><td id="pr-\(job.id)">\(UI.progress(job.progress))</td>\
            <td class="num">\(job.attempts)</td><td>\(UI.time(job.createdAt))</td><td>\(parent)</td>\
            <td class="clip" title="\(detail)">\(detail)</td></tr>
            """
    }

    /// The filter form (GET, so the filters live in the URL).
    private static func jobFilters(_ query: FormFields, types: [String]) -> HTML {
        let option = { (value: String, label: String, current: String?) -> HTML in
            let selected: HTML = value == (current ?? "") ? " selected" : .empty
            return "<option value=\"\(value)\"\(selected)>\(label)</option>"
        }
        let statuses = HTML.joined([option("", "any status", query.text("status"))]
            + JobStatus.allCases.map { option($0.rawValue, $0.rawValue, query.text("status")) })
        let typeOptions = HTML.joined([option("", "any type", query.text("type"))]
            + Set(types + [query.text("type")].compactMap { $0 }).sorted().map { option($0, $0, query.text("type")) })
        let windows = HTML.joined([option("", "any time", query.text("within"))]
            + Self.windows.map { option($0.name, $0.label, query.text("within")) })
        let exact: HTML = query.text("since") != nil || query.text("until") != nil
            ? """
              <input type="hidden" name="since" value="\(query.text("since") ?? "")"><input type="hidden" name="until" value="\(query.text("until") ?? "")">
              <span class="muted">created \(query.text("since") ?? "…") to \(query.text("until") ?? "now") · <a href="/ui/jobs">clear</a></span>
              """ : .empty
        return """
            <form class="filters" method="get" action="/ui/jobs" role="search">
            <label>Search config, URL, error<input type="search" name="q" value="\(query.text("q") ?? "")" placeholder="words, prefix*"></label>
            <label>Status<select name="status">\(statuses)</select></label>
            <label>Type<select name="type">\(typeOptions)</select></label>
            <label>Parent<input name="parent" value="\(query.text("parent") ?? "")" placeholder="job id" size="28"></label>
            <label>Created<select name="within">\(windows)</select></label>
            \(exact)<button type="submit" class="primary">Filter</button>
            </form>
            """
    }
}
