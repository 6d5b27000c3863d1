import Quaero
import Foundation
import Hummingbird
import QuaeroQueue

/// Documents, `/ui/documents`: full-text search with the matched words highlighted in each snippet (or the
/// newest documents, keyset paged), and `/ui/documents/{id}`: a document's text and summary.
extension Dashboard {
    /// Marks put around matched words by the store: private-use characters no page holds, replaced by
    /// `<mark>` once the snippet is escaped.
    static let marks = (open: "\u{E000}", close: "\u{E001}")

    func addDocuments(to ui: RouterGroup<DashboardContext>) {
        ui.get("/documents") { request, context -> Response in
            let query = try Dashboard.queryFields(request)
            let words = query.text("q")
            let list: HTML
            if let words {
                list = try await self.searchResults(words, crawl: query.text("job"))
            } else {
                let before = try query.text("before").map { text -> Int64 in
                    guard let id = Int64(text) else { throw DashboardError.badRequest("before must be a document id, not \"\(text.prefix(40))\"") }
                    return id
                }
                list = try await self.recentDocuments(before: before)
            }
            return self.page("Documents", section: .documents, csrf: context.csrfToken, """
                <h1>Documents</h1>
                <form class="filters" method="get" action="/ui/documents" role="search">
                <label>Search titles and text<input type="search" name="q" value="\(words ?? "")" placeholder="words, &quot;a phrase&quot;, prefix*"></label>
                <label>Of crawl<input name="job" value="\(query.text("job") ?? "")" placeholder="job id (optional)" size="28"></label>
                <button type="submit" class="primary">Search</button></form>
                <section class="panel">\(list)</section>
                """)
        }
        ui.get("/documents/:id") { _, context -> Response in
            let text = try Dashboard.parameter(context, "id")
            guard let id = Int64(text), let document = try await self.runtime.documents.document(id: id) else {
                throw DashboardError.notFound("there is no document \(text); search them on /ui/documents")
            }
            let crawl: HTML = document.jobID.map(UI.jobLink) ?? "<span class=\"muted\">–</span>"
            return self.page(document.title.isEmpty ? "Document \(id)" : document.title, section: .documents, csrf: context.csrfToken, """
                <h1>\(document.title.isEmpty ? "(untitled)" : document.title)</h1>
                <section class="panel"><dl class="facts">
                <dt>URL</dt><dd>\(UI.externalLink(document.url))</dd><dt>Crawled</dt><dd>\(UI.time(document.crawledAt))</dd>
                <dt>Crawl</dt><dd>\(crawl)</dd><dt>Content hash</dt><dd class="mono">\(document.contentHash)</dd></dl></section>
                <section class="panel"><h2>Summary</h2>\(document.summary.map { "<p>\($0)</p>" as HTML } ?? "<p class=\"muted\">Not summarized yet.</p>")</section>
                <section class="panel"><h2>Text</h2><pre>\(document.text ?? "")</pre></section>
                """)
        }
    }

    private func searchResults(_ words: String, crawl: String?) async throws -> HTML {
        let hits: [DocumentSearchHit]
        do {
            hits = try await runtime.documents.search(words, jobID: crawl, limit: Self.pageSize, marks: Self.marks)
        } catch let error as QuaeroError where error.code == .invalidArgument {
            return "<p class=\"notice bad\">\(error.message)</p>"
        }
        guard !hits.isEmpty else { return "<p class=\"muted\">No document matches.</p>" }
        let items = HTML.joined(hits.map { hit -> HTML in
            """
            <tr data-row><td><a href="/ui/documents/\(hit.id)">\(hit.title.isEmpty ? "(untitled)" : hit.title)</a>\
            <div class="muted">\(UI.externalLink(hit.url))</div><div>\(Self.highlighted(hit.snippet))</div></td>\
            <td>\(UI.time(hit.crawledAt))</td></tr>
            """
        })
        return "<table><thead><tr><th>best matches first</th><th>crawled</th></tr></thead><tbody>\(items)</tbody></table>"
    }

    private func recentDocuments(before: Int64?) async throws -> HTML {
        let found = try await runtime.documents.recent(before: before, limit: Self.pageSize + 1)
        let documents = Array(found.prefix(Self.pageSize))
        guard !documents.isEmpty else { return "<p class=\"muted\">No documents yet: crawl a site first.</p>" }
        let rows = HTML.joined(documents.map { document -> HTML in
            let crawl: HTML = document.jobID.map(UI.jobLink) ?? .empty
            return """
                <tr data-row><td><a href="/ui/documents/\(document.id)">\(document.title.isEmpty ? "(untitled)" : document.title)</a></td>\
                <td class="clip">\(UI.externalLink(document.url))</td><td>\(crawl)</td><td>\(UI.time(document.crawledAt))</td></tr>
                """
        })
        let older: HTML = found.count > Self.pageSize
            ? "<div class=\"pager\"><a href=\"/ui/documents?before=\(documents.last?.id ?? 0)\">Older →</a></div>" : .empty
        return """
            <table><thead><tr><th>newest first</th><th>url</th><th>crawl</th><th>crawled</th></tr></thead><tbody>\(rows)</tbody></table>\(older)
            """
    }

    /// A snippet, escaped, with its marked words in `<mark>`.
    static func highlighted(_ snippet: String) -> HTML {
        let escaped = HTML.escape(snippet)
        return .trusted(escaped.replacingOccurrences(of: marks.open, with: "<mark>").replacingOccurrences(of: marks.close, with: "</mark>"))
    }
}
