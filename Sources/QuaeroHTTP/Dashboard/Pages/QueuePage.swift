import Quaero
import Foundation
import Hummingbird
import QuaeroQueue

/// The queue, `/ui/queue`: its messages by state (ready, delayed, in flight) with priority, delay and time left
/// on their lease, in delivery order, keyset paged by position (`MessagePosition`); the counts per type update live (the overview's, shared).
extension Dashboard {
    func addQueue(to ui: RouterGroup<DashboardContext>) {
        ui.get("/queue") { request, context -> Response in
            let query = try Dashboard.queryFields(request)
            let stateName = query.text("state") ?? QueuedMessage.State.ready.rawValue
            guard let state = QueuedMessage.State(rawValue: stateName), state != .dead else {
                throw DashboardError.badRequest("state must be ready, delayed or in_flight (dead letters are on /ui/dead), not \"\(stateName)\"")
            }
            let after = try query.text("after").map { text -> MessagePosition in
                guard let position = MessagePosition(text) else {
                    throw DashboardError.badRequest("after must be a position priority.visible_at.id, not \"\(text.prefix(40))\"")
                }
                return position
            }
            let queueName = self.queue.name
            let (found, now) = try await self.runtime.store.read { reader in
                (try await reader.messages(.queue(queueName, state: state, after: after, limit: Self.pageSize + 1)),
                 self.runtime.store.clock.nowMillis())
            }
            let messages = Array(found.prefix(Self.pageSize))
            let overview = try await self.hub.overview.current()
            let tabs = HTML.joined([QueuedMessage.State.ready, .delayed, .inFlight].map { tab -> HTML in
                let current: HTML = tab == state ? " aria-current=\"page\"" : .empty
                return "<a href=\"/ui/queue?state=\(tab.rawValue)\"\(current)>\(tab.rawValue.replacingOccurrences(of: "_", with: " "))</a>"
            })
            let rows = HTML.joined(messages.map { Self.messageRow($0, now: now) })
            let table: HTML = messages.isEmpty ? "<p class=\"muted\">No \(state.rawValue.replacingOccurrences(of: "_", with: " ")) messages.</p>" : """
                <table><thead><tr><th class="num">message</th><th>type</th><th>job</th><th class="num">priority</th>\
                <th>visible</th><th>lease left</th><th class="num">deliveries</th><th>last error</th></tr></thead><tbody>\(rows)</tbody></table>
                """
            let older: HTML = found.count > Self.pageSize
                ? "<a href=\"/ui/queue\(Dashboard.query([("state", state.rawValue), ("after", messages.last.map { "\(MessagePosition($0))" })]))\">Next →</a>" : .empty
            let first: HTML = after != nil ? "<a href=\"/ui/queue?state=\(state.rawValue)\">← First</a>" : .empty
            return self.page("Queue", section: .queue, csrf: context.csrfToken, events: "/ui/events?topic=overview", """
                <h1>Queue <code>\(queueName)</code></h1>
                <section class="panel"><div id="ov-summary">\(overview["ov-summary"])</div></section>
                <section class="panel"><h2>Per type</h2><div id="ov-counts">\(overview["ov-counts"])</div></section>
                <section class="panel"><nav class="tabs">\(tabs)</nav>\(table)<div class="pager">\(first)\(older)</div></section>
                """)
        }
    }

    static func messageRow(_ message: QueuedMessage, now: Int64) -> HTML {
        let job: HTML = message.jobID.map(UI.jobLink) ?? "<span class=\"muted\">–</span>"
        let pool = message.owner.map { " · pool \($0)" } ?? ""
        let lease: HTML = message.leasedUntil.map { until -> HTML in "\(UI.span(max(0, until - now)))\(pool)" }
            ?? "<span class=\"muted\">–</span>"
        return """
            <tr data-row><td class="num mono">\(message.id)</td><td>\(message.type ?? "")</td><td>\(job)</td>\
            <td class="num">\(message.priority)</td><td>\(UI.ago(message.visibleAt, now: now))</td><td>\(lease)</td>\
            <td class="num">\(message.received)</td><td class="clip" title="\(message.lastError ?? "")">\(message.lastError ?? "")</td></tr>
            """
    }
}
