import Foundation
import QuaeroTestSupport
import Testing

/// `quaero jobs list` for people: a header, the page a crawler_url job fetches, and crawls found by the
/// name users know them by (`crawler`; stored as `parent`).
@Suite("CLI: jobs list", .timeLimit(.minutes(1)))
struct JobsListTests {
    @Test("a header row, a page's URL, and --type crawler finds the crawl")
    func listing() async throws {
        try await withWorkspace { dir in
            let crawl = try dir.quaero("send", "crawler", #"{"urls": ["https://example.com/"]}"#).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let page = try dir.quaero("send", "crawler_url", #"{"parent_id": "\#(crawl)", "url": "https://example.com/a", "depth": 1}"#)
            #expect(page.status == 0, "\(page)")
            #expect(try dir.quaero("send", "cleanup", "{}").status == 0)

            let all = try dir.quaero("jobs", "list")
            let lines = all.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("ID") == true && lines.first?.contains("TYPE") == true
                    && lines.first?.contains("STATUS") == true && lines.first?.contains("URL") == true, "\(all)")
            #expect(lines.count == 4, "\(all)")
            #expect(lines.contains { $0.contains("crawler_url") && $0.contains("https://example.com/a") }, "\(all)")

            for name in ["crawler", "parent"] {
                let crawls = try dir.quaero("jobs", "list", "--type", name).stdout.split(separator: "\n")
                #expect(crawls.count == 2, "\(crawls)")
                #expect(crawls.last?.hasPrefix(crawl) == true && crawls.last?.contains(" crawler ") == true, "\(crawls)")
            }
            let json = try #require(try dir.quaeroJSON("jobs", "list", "--type", "crawler", "--json") as? [[String: Any]])
            #expect(json.map { $0["type"] as? String } == ["parent"], "JSON keeps the stored type, as the API does")
            #expect(try dir.quaero("jobs", "list", "--type", "nothing").stdout == "no jobs\n")
        }
    }
}
