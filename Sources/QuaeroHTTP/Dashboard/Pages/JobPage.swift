import Quaero
import Foundation
import Hummingbird
import QuaeroQueue

/// A job's page, `/ui/jobs/{id}`: its facts, timeline, outcome, config, tree of descendants, live log (with a level
/// filter) and documents, with cancel, rerun and delete.
extension Dashboard {
    /// Lines of the log a page starts with.
    static let logLinesShown = 200

    func addJob(to ui: RouterGroup<DashboardContext>) {
        ui.get("/jobs/:id") { request, context -> Response in
            let id = try Dashboard.parameter(context, "id")
            let query = try Dashboard.queryFields(request)
            let view = JobView(try await JobViewData.load(id, runtime: self.runtime), maxReceive: self.queue.options.maxReceive)
            guard let job = view.data.job else {
                throw DashboardError.notFound("job \(id) does not exist (deleted, or never created); see the job list")
            }
            let level = query["level"].flatMap(LogLevel.init(rawValue:))
            let lines = Array(try await self.runtime.logService.store.entries(jobID: id, limit: Self.logLinesShown).reversed())
            let events = "/ui/events" + Dashboard.query([("topic", "job"), ("id", id), ("last_event_id", lines.last.map { "\($0.id)" })])
            return self.page("Job \(id)", section: .jobs, csrf: context.csrfToken, events: events, """
                \(Self.notice(query["done"]))
                <h1><span id="job-status">\(view["job-status"])</span> \(job.type.rawValue) <code>\(job.id)</code></h1>
                \(try await self.ancestry(job))
                <div id="job-actions" class="row">\(self.jobActions(job, csrf: context.csrfToken))</div>
                <div class="grid">
                <section class="panel"><h2>Facts</h2><div id="job-facts">\(view["job-facts"])</div></section>
                <section class="panel"><h2>Timeline</h2><div id="job-timeline">\(view["job-timeline"])</div></section>
                <section class="panel wide"><div id="job-outcome">\(view["job-outcome"])</div></section>
                <section class="panel wide"><h2>Config</h2><pre>\(UI.json(.object(job.config)))</pre>\
                \(job.fields.isEmpty ? HTML.empty : "<h2>Fields</h2><pre>\(UI.json(.object(job.fields)))</pre>")</section>
                <section class="panel wide"><h2>Tree</h2><div id="job-children">\(view["job-children"])</div></section>
                <section class="panel wide">\(Self.logHeader(id: id, level: level))
                <ol id="log" data-level="\(level?.rawValue ?? "debug")">\(HTML.joined(lines.map(Self.logLine)))</ol></section>
                <section class="panel wide"><h2>Documents</h2>\(try await self.documentsOf(job))</section>
                </div>
                """)
        }
        ui.post("/jobs/:id/cancel") { _, context -> Response in
            try self.requireWritable()
            let id = try Dashboard.parameter(context, "id")
            try await self.manager.cancel(id)
            return Dashboard.redirect(to: "/ui/jobs/\(Dashboard.pathEscaped(id))?done=cancelled")
        }
        ui.post("/jobs/:id/rerun") { _, context -> Response in
            try self.requireWritable()
            let copy = try await self.manager.copyJob(try Dashboard.parameter(context, "id"))
            return Dashboard.redirect(to: "/ui/jobs/\(Dashboard.pathEscaped(copy.id))?done=rerun")
        }
        ui.post("/jobs/:id/delete") { _, context -> Response in
            try self.requireWritable()
            let id = try Dashboard.parameter(context, "id")
            guard context.form["confirm"] == "yes" else {
                let job = try await self.manager.getJob(id)
                return self.confirmPage("Delete job \(id)?", csrf: context.csrfToken, action: "/ui/jobs/\(Dashboard.pathEscaped(id))/delete",
                                        detail: "The \(job.type.rawValue) job, its \(UI.count(job.progress.total)) children and their logs go for good.",
                                        back: "/ui/jobs/\(Dashboard.pathEscaped(id))")
            }
            try await self.manager.deleteJob(id)
            return Dashboard.redirect(to: "/ui/jobs?done=deleted")
        }
    }

    /// The actions a job offers now (none when read-only, or when it was deleted).
    func jobActions(_ job: Job?, csrf: String) -> HTML {
        guard let job, !readOnly else { return .empty }
        let path = "/ui/jobs/\(Dashboard.pathEscaped(job.id))"
        var actions: [HTML] = []
        if !job.status.isTerminal {
            actions.append(UI.actionForm(path + "/cancel", label: "Cancel", csrf: csrf,
                                         confirm: "Cancel job \(job.id) and its unfinished children?", style: "danger"))
        }
        actions.append(UI.actionForm(path + "/rerun", label: "Rerun", csrf: csrf))
        actions.append(UI.actionForm(path + "/delete", label: "Delete", csrf: csrf,
                                     confirm: "Delete job \(job.id), its children and their logs?", style: "danger"))
        return HTML.joined(actions, separator: " ")
    }

    /// The parents above a job, oldest first, as links.
    private func ancestry(_ job: Job) async throws -> HTML {
        var chain: [HTML] = []
        var next = job.parentID
        while let id = next, chain.count < 10 {
            guard let parent = try? await manager.getJob(id) else { break }
            chain.insert("<a href=\"/ui/jobs/\(Dashboard.pathEscaped(id))\">\(parent.type.rawValue) \(String(id.suffix(6)))</a>", at: 0)
            next = parent.parentID
        }
        return chain.isEmpty ? .empty : "<p class=\"muted\">Part of: \(HTML.joined(chain, separator: " › "))</p>"
    }

    /// The heading of the log, with its level filter (a GET form that also works without the script).
    private static func logHeader(id: String, level: LogLevel?) -> HTML {
        let options = HTML.joined(LogLevel.allCases.map { option -> HTML in
            let selected: HTML = option == (level ?? .debug) ? " selected" : .empty
            return "<option value=\"\(option.rawValue)\"\(selected)>\(option.rawValue) and above</option>"
        })
        return """
            <div class="row"><h2>Log</h2><span class="spacer"></span>
            <form method="get" action="/ui/jobs/\(Dashboard.pathEscaped(id))" class="row">
            <select id="log-level" name="level" aria-label="Minimum level">\(options)</select><button type="submit">Filter</button>
            </form></div>
            """
    }

    /// The documents a crawl stored (for a page job, its crawl's).
    private func documentsOf(_ job: Job) async throws -> HTML {
        let crawl = job.type == .crawlerURL ? job.parentID ?? job.id : job.id
        let documents = try await runtime.documents.documents(ofJob: crawl, limit: 20)
        guard !documents.isEmpty else { return "<p class=\"muted\">No documents.</p>" }
        let total = try await runtime.documents.count(ofJob: crawl)
        let rows = HTML.joined(documents.map { document -> HTML in
            """
            <tr data-row><td><a href="/ui/documents/\(document.id)">\(document.title.isEmpty ? "(untitled)" : document.title)</a></td>\
            <td class="clip">\(UI.externalLink(document.url))</td><td>\(UI.time(document.crawledAt))</td></tr>
            """
        })
        let note: HTML = crawl != job.id ? "<p class=\"muted\">Stored by its crawl \(UI.jobLink(crawl)).</p>" : .empty
        return """
            \(note)<table><thead><tr><th>title</th><th>url</th><th>crawled</th></tr></thead><tbody>\(rows)</tbody></table>
            <p class="muted">\(UI.count(total)) document\(total == 1 ? "" : "s") in all; search them on the <a href="/ui/documents">documents</a> page.</p>
            """
    }

    /// The notice after an action (`?done=`): fixed sentences, so the query cannot put text on the page.
    static func notice(_ done: String?) -> HTML {
        let sentences = [
            "cancelled": "The job and its unfinished children were cancelled.",
            "rerun": "This is a new run of the job, with the same config.",
            "deleted": "The job, its children and their logs were deleted.",
            "created": "The job was created; this page follows it live.",
            "requeued": "The dead letters were put back in the queue; their jobs run again.",
            "purged": "The dead letters were deleted.",
        ]
        guard let done, let sentence = sentences[done] else { return .empty }
        return "<p class=\"notice\">\(sentence)</p>"
    }

    /// The page that asks before a destructive action when the browser did not (scripts off): the same form
    /// again with `confirm=yes`.
    func confirmPage(_ question: String, csrf: String, action: String, detail: String, back: String,
                     fields: [(String, String)] = []) -> Response {
        page("Confirm", section: .none, csrf: csrf, """
            <section class="panel"><h1>\(question)</h1><p>\(detail)</p>
            <div class="row">\(UI.actionForm(action, label: "Yes, go ahead", csrf: csrf, style: "danger", fields: fields + [("confirm", "yes")]))
            <a href="\(back)">No, go back</a></div></section>
            """)
    }
}
