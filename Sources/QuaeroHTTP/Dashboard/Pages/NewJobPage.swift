import Quaero
import Foundation
import Hummingbird
import QuaeroQueue

/// Starting a job, `/ui/jobs/new`: forms for a crawl, a summary and a cleanup. A form becomes the body of
/// `POST /api/jobs` and goes through the same code (`JobSubmission`), so its errors are the API's, shown
/// beside the field they name; a job that was created opens its live page.
extension Dashboard {
    /// A form of the page: which fields it has and how they become the job's config.
    enum JobForm: String, CaseIterable {
        case crawl, summary, cleanup

        var apiType: String {
            switch self {
            case .crawl: "crawler"
            case .summary: "summarizer"
            case .cleanup: "cleanup"
            }
        }

        /// The config of the API request this form's fields make. Numbers that do not parse go as text, so
        /// that the API's own check names them.
        func config(_ form: FormFields) -> [String: JSONValue] {
            var config: [String: JSONValue] = [:]
            let lines = { (name: String) -> [JSONValue]? in
                let values = (form[name] ?? "").split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                return values.isEmpty ? nil : values.map(JSONValue.string)
            }
            let number = { (name: String) -> JSONValue? in
                form.text(name).map { text in Double(text).map(JSONValue.number) ?? .string(text) }
            }
            switch self {
            case .crawl:
                config["urls"] = .array(lines("urls") ?? [])
                config["include"] = lines("include").map(JSONValue.array)
                config["exclude"] = lines("exclude").map(JSONValue.array)
                config["max_depth"] = number("max_depth")
                config["max_pages"] = number("max_pages")
                config["same_host"] = .bool(form.checked("same_host"))
            case .summary:
                if let ids = form.text("document_ids") {
                    config["document_ids"] = .array(ids.split(whereSeparator: { $0 == "," || $0.isWhitespace })
                        .map { Double($0).map(JSONValue.number) ?? .string(String($0)) })
                }
                config["job_id"] = form.text("job_id").map(JSONValue.string)
            case .cleanup:
                config["older_than"] = form.text("older_than").map(JSONValue.string)
                config["dead_letter_older_than"] = form.text("dead_letter_older_than").map(JSONValue.string)
                let statuses = form.all("status_filter")
                if !statuses.isEmpty { config["status_filter"] = .array(statuses.map(JSONValue.string)) }
                if form.checked("all_ages") { config["all_ages"] = .bool(true) }
            }
            return config
        }
    }

    func addNewJob(to ui: RouterGroup<DashboardContext>) {
        ui.get("/jobs/new") { request, context -> Response in
            try self.requireWritable()
            let kind = try Dashboard.queryFields(request)["kind"].flatMap(JobForm.init(rawValue:)) ?? .crawl
            return self.newJobPage(kind, values: FormFields(), error: nil, csrf: context.csrfToken)
        }
        ui.post("/jobs") { _, context -> Response in
            try self.requireWritable()
            let form = context.form
            guard let kind = form["kind"].flatMap(JobForm.init(rawValue:)) else {
                throw DashboardError.badRequest("the form must say which job to start (kind: crawl, summary or cleanup)")
            }
            let body: [String: JSONValue] = ["type": .string(kind.apiType), "config": .object(kind.config(form))]
            do {
                let job = try await JobSubmission.submit(body, runtime: self.runtime)
                return Dashboard.redirect(to: "/ui/jobs/\(Dashboard.pathEscaped(job.id))?done=created")
            } catch let error as JobConfigError {
                return self.newJobPage(kind, values: form, error: (Self.formField(error.field), error.message), csrf: context.csrfToken)
            } catch let error as QuaeroError where error.code == .invalidArgument || error.code == .notFound || error.code == .conflict {
                return self.newJobPage(kind, values: form, error: (nil, error.message), csrf: context.csrfToken)
            } catch let error as APIError where error.status.code < 500 {
                return self.newJobPage(kind, values: form, error: (nil, error.message), csrf: context.csrfToken)
            }
        }
    }

    /// The form field a config key names: `urls[1]` is the `urls` box.
    static func formField(_ key: String) -> String {
        String(key.prefix { $0 != "[" })
    }

    private func newJobPage(_ kind: JobForm, values: FormFields, error: (field: String?, message: String)?, csrf: String) -> Response {
        let tabs = HTML.joined(JobForm.allCases.map { form -> HTML in
            let current: HTML = form == kind ? " aria-current=\"page\"" : .empty
            return "<a href=\"/ui/jobs/new?kind=\(form.rawValue)\"\(current)>\(form.rawValue.capitalized)</a>"
        })
        var shown = Set<String>()
        let field = { (name: String, label: String, control: HTML, hint: String) -> HTML in
            shown.insert(name)
            let problem: HTML = error?.field == name ? "<div class=\"error\" id=\"\(name)-error\">\(error?.message ?? "")</div>" : .empty
            return "<div class=\"field\"><label for=\"f-\(name)\">\(label)</label>\(control)<div class=\"hint\">\(hint)</div>\(problem)</div>"
        }
        let invalid = { (name: String) -> HTML in error?.field == name ? " aria-invalid=\"true\" aria-describedby=\"\(name)-error\"" : .empty }
        let text = { (name: String, placeholder: String) -> HTML in
            "<input id=\"f-\(name)\" name=\"\(name)\" value=\"\(values[name] ?? "")\" placeholder=\"\(placeholder)\"\(invalid(name))>"
        }
        let area = { (name: String, placeholder: String) -> HTML in
            "<textarea id=\"f-\(name)\" name=\"\(name)\" placeholder=\"\(placeholder)\"\(invalid(name))>\(values[name] ?? "")</textarea>"
        }
        let defaults = runtime.config.crawler
        let fields: [HTML]
        switch kind {
        case .crawl:
            let sameHost: HTML = (values["kind"] == nil ? defaults.sameHost : values.checked("same_host")) ? " checked" : .empty
            fields = [
                field("urls", "Seed URLs, one per line", area("urls", "https://example.com/"), "http or https; depth 0"),
                field("max_depth", "Depth", text("max_depth", "\(defaults.maxDepth)"), "links followed this many steps from a seed"),
                field("max_pages", "Page limit", text("max_pages", "\(defaults.maxPages)"), "the crawl fetches at most this many pages"),
                field("include", "Include, one regular expression per line", area("include", "/docs/"), "when given, a link must match one"),
                field("exclude", "Exclude, one regular expression per line", area("exclude", "\\.pdf$"), "a link that matches any is skipped"),
                field("same_host", "Scope", "<label class=\"check\"><input type=\"checkbox\" name=\"same_host\"\(sameHost)> only the seeds' hosts</label>", ""),
            ]
        case .summary:
            fields = [
                field("job_id", "Crawl job", text("job_id", "job id"), "summarize every unsummarized document of this crawl"),
                field("document_ids", "Or documents", text("document_ids", "12, 15, 19"), "document ids, separated by commas"),
            ]
        case .cleanup:
            let checked = Set(values.all("status_filter"))
            let boxes = HTML.joined(["completed", "failed", "cancelled"].map { status -> HTML in
                let on: HTML = checked.contains(status) ? " checked" : .empty
                return "<label class=\"check\"><input type=\"checkbox\" name=\"status_filter\" value=\"\(status)\"\(on)> \(status)</label>"
            })
            fields = [
                field("older_than", "Jobs that ended longer ago than", text("older_than", "30d"), "a duration: 90m, 12h, 30d"),
                field("status_filter", "With status", "<div class=\"row\">\(boxes)</div>", "none ticked: the cleanup's default"),
                field("dead_letter_older_than", "Dead letters older than", text("dead_letter_older_than", "30d"), "a duration"),
                field("all_ages", "Every age", "<label class=\"check\"><input type=\"checkbox\" name=\"all_ages\"\(values.checked("all_ages") ? HTML(stringLiteral: " checked") : .empty)> delete whatever the age</label>", ""),
            ]
        }
        let general: HTML = error.map { error in
            error.field.map { shown.contains($0) } == true ? .empty : "<p class=\"notice bad\">\(error.message)</p>"
        } ?? .empty
        return page("Start a job", section: .newJob, csrf: csrf, status: error == nil ? .ok : .unprocessableContent, """
            <h1>Start a job</h1>
            <nav class="tabs">\(tabs)</nav>
            <section class="panel">\(general)
            <form method="post" action="/ui/jobs" novalidate>\(UI.csrfField(csrf))<input type="hidden" name="kind" value="\(kind.rawValue)">
            \(fields)<button type="submit" class="primary">Start the \(kind.rawValue)</button></form></section>
            """)
    }
}
