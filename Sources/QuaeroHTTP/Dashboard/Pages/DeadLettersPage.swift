import Quaero
import Foundation
import Hummingbird
import QuaeroQueue

/// Dead letters, `/ui/dead`: newest first with their error and deliveries, by type, keyset paged. Requeue one,
/// the selected, or every one matching the filter (`JobManager.requeueDeadLetters`, so their jobs run again);
/// purge them all. Requeuing all and purging ask for a confirmation.
extension Dashboard {
    func addDeadLetters(to ui: RouterGroup<DashboardContext>) {
        ui.get("/dead") { request, context -> Response in
            let query = try Dashboard.queryFields(request)
            let type = query.text("type")
            let after = try query.text("after").map { text -> DeadLetterCursor in
                guard let cursor = DeadLetterCursor(text) else {
                    throw DashboardError.badRequest("after must be a dead letter's place (dead_at.id), not \"\(text.prefix(40))\"")
                }
                return cursor
            }
            let found = try await self.queue.deadLetters(type: type, after: after, limit: Self.pageSize + 1)
            let letters = Array(found.prefix(Self.pageSize))
            let overview = try await self.hub.overview.current()
            let counts = overview.data.queue.byType.filter { $0.value.dead > 0 }
            let matching = type.map { counts[$0]?.dead ?? 0 } ?? overview.data.queue.totals.dead
            let csrf = context.csrfToken
            let writable = !self.readOnly
            let rows = HTML.joined(letters.map { letter -> HTML in
                let box: HTML = writable ? "<td><input type=\"checkbox\" name=\"id\" value=\"\(letter.id)\" aria-label=\"select \(letter.id)\"></td>" : .empty
                let job: HTML = letter.jobID.map(UI.jobLink) ?? "<span class=\"muted\">–</span>"
                let one: HTML = writable ? "<td><button type=\"submit\" name=\"one\" value=\"\(letter.id)\">Requeue</button></td>" : .empty
                return """
                    <tr data-row>\(box)<td class="num mono">\(letter.id)</td><td>\(letter.type ?? "")</td><td>\(job)</td>\
                    <td class="num">\(letter.received)</td><td class="clip" title="\(letter.error ?? "")">\(letter.error ?? "")</td>\
                    <td>\(UI.time(letter.deadAt))</td>\(one)</tr>
                    """
            })
            let choices = [("", "every type")] + counts.keys.sorted().map { ($0, "\($0) (\(UI.count(counts[$0]?.dead ?? 0)))") }
            let typeOptions = HTML.joined(choices.map { value, label -> HTML in
                    let selected: HTML = value == (type ?? "") ? " selected" : .empty
                    return "<option value=\"\(value)\"\(selected)>\(label)</option>"
                })
            let selectAll: HTML = writable ? "<th><input type=\"checkbox\" id=\"select-all\" aria-label=\"select all on this page\"></th>" : .empty
            let table: HTML = letters.isEmpty ? "<p class=\"muted\">No dead letters.</p>" : """
                <form method="post" action="/ui/dead/requeue">\(UI.csrfField(csrf))
                <table><thead><tr>\(selectAll)<th class="num">message</th><th>type</th><th>job</th><th class="num">deliveries</th>\
                <th>error</th><th>dead since</th>\(writable ? HTML(stringLiteral: "<th></th>") : .empty)</tr></thead><tbody>\(rows)</tbody></table>
                \(writable ? HTML(stringLiteral: "<p><button type=\"submit\">Requeue the selected</button></p>") : .empty)
                </form>
                """
            let bulk: HTML = writable && matching > 0 ? """
                <div class="row">
                \(UI.actionForm("/ui/dead/requeue", label: "Requeue all \(UI.count(matching))\(type.map { " of type \($0)" } ?? "")", csrf: csrf,
                                confirm: "Requeue all \(matching) dead letters\(type.map { " of type \($0)" } ?? "")? Their jobs run again.",
                                fields: [("all", "yes")] + (type.map { [("type", $0)] } ?? [])))
                \(UI.actionForm("/ui/dead/purge", label: "Purge all \(UI.count(overview.data.queue.totals.dead))", csrf: csrf,
                                confirm: "Delete every dead letter for good? Their jobs stay failed.", style: "danger"))
                </div>
                """ : .empty
            let older: HTML = found.count > Self.pageSize
                ? "<a href=\"/ui/dead\(Dashboard.query([("type", type), ("after", letters.last.map { "\(DeadLetterCursor($0))" })]))\">Older →</a>" : .empty
            let newest: HTML = after != nil ? "<a href=\"/ui/dead\(Dashboard.query([("type", type)]))\">← Newest</a>" : .empty
            return self.page("Dead letters", section: .dead, csrf: csrf, events: "/ui/events?topic=overview", """
                \(Self.notice(query["done"]))
                <h1>Dead letters</h1>
                <section class="panel"><div id="ov-summary">\(overview["ov-summary"])</div></section>
                <form class="filters" method="get" action="/ui/dead"><label>Type<select name="type">\(typeOptions)</select></label>\
                <button type="submit">Filter</button></form>
                \(bulk)
                <section class="panel">\(table)<div class="pager">\(newest)\(older)</div></section>
                """)
        }
        ui.post("/dead/requeue") { _, context -> Response in
            try self.requireWritable()
            let form = context.form
            if form["all"] == "yes" {
                let type = form.text("type")
                guard form["confirm"] == "yes" else {
                    return self.confirmPage("Requeue all dead letters\(type.map { " of type \($0)" } ?? "")?", csrf: context.csrfToken,
                                            action: "/ui/dead/requeue", detail: "Each goes back to the queue with a fresh delivery count and its failed job runs again.",
                                            back: "/ui/dead", fields: [("all", "yes")] + (type.map { [("type", $0)] } ?? []))
                }
                try await self.manager.requeueDeadLetters(ofType: type)
                return Dashboard.redirect(to: "/ui/dead?done=requeued")
            }
            let ids = try (form.all("id") + [form["one"]].compactMap { $0 }).map { text -> MessageID in
                guard let id = MessageID(text), id > 0 else { throw DashboardError.badRequest("\"\(text.prefix(40))\" is not a message id") }
                return id
            }
            guard !ids.isEmpty else { throw DashboardError.badRequest("select at least one dead letter to requeue") }
            let chosen = form["one"].flatMap { MessageID($0) }.map { [$0] } ?? ids
            try await self.manager.requeueDeadLetters(chosen)
            return Dashboard.redirect(to: "/ui/dead?done=requeued")
        }
        ui.post("/dead/purge") { _, context -> Response in
            try self.requireWritable()
            guard context.form["confirm"] == "yes" else {
                return self.confirmPage("Purge every dead letter?", csrf: context.csrfToken, action: "/ui/dead/purge",
                                        detail: "They are deleted for good; their jobs stay failed.", back: "/ui/dead")
            }
            try await self.queue.purgeDeadLetters()
            return Dashboard.redirect(to: "/ui/dead?done=purged")
        }
    }
}
