import Foundation
@testable import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

/// The job page's tree (every level, bounded, with combined progress) and the queue page's keyset pages.
@Suite("Dashboard: job tree and queue pages", .serialized, .timeLimit(.minutes(2)))
struct DashboardTreeAndQueueTests {
    @Test("a job's page shows its grandchildren and deeper, with the combined progress of every descendant")
    func tree() async throws {
        try await withAPI { runtime, api in
            let m = runtime.jobManager
            let root = try await m.createJob(JobSpec(type: "crawl_like"))
            let child = try await m.createJob(JobSpec(type: "page_like", parentID: root.id))
            _ = try await m.createJob(JobSpec(type: "page_like", parentID: root.id))
            let grandchild = try await m.createJob(JobSpec(type: "page_like", parentID: child.id))
            let deep = try await m.createJob(JobSpec(type: "page_like", parentID: grandchild.id))
            _ = try await m.cancel(deep.id)
            let page = try await DashboardBrowser(api).get("/ui/jobs/\(root.id)")
            #expect(page.status == .ok)
            for id in [child.id, grandchild.id, deep.id] { #expect(page.text.contains(id), "\(id) is in the tree") }
            #expect(page.text.contains("of 4 descendants"))
            #expect(page.text.contains("1 failed"), "the cancelled one counts as ended badly")
        }
    }

    @Test("the queue page lists a state in pages: Next carries the last position; a malformed position is refused by name")
    func queuePages() async throws {
        try await withAPI { runtime, api in
            for n in 0..<(Dashboard.pageSize + 10) {
                _ = try await runtime.jobManager.createJob(JobSpec(type: "later", priority: n % 3, delay: .seconds(3600)))
            }
            let browser = DashboardBrowser(api)
            let first = try await browser.get("/ui/queue?state=delayed")
            #expect(first.status == .ok)
            #expect(first.text.components(separatedBy: "<tr data-row><td class=\"num mono\">").count - 1 == Dashboard.pageSize)
            let next = try #require(first.text.range(of: #"after=-?\d+\.\d+\.\d+"#, options: .regularExpression).map { String(first.text[$0]) })
            let second = try await browser.get("/ui/queue?state=delayed&\(next)")
            #expect(second.text.components(separatedBy: "<tr data-row><td class=\"num mono\">").count - 1 == 10)
            #expect(!second.text.contains("Next →"))
            let bad = try await browser.get("/ui/queue?state=delayed&after=12")
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("priority.visible_at.id"))
        }
    }
}
