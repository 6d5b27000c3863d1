import Foundation
import Quaero
import QuaeroQueue
import Testing

@Suite("Job configs: crawler_url messages and summarizer requests")
struct JobRequestTests {
    private func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }

    @Test("a crawler_url message carries the URL, depth and the whole crawl config, and reads back the same")
    func crawlPageRoundTrip() throws {
        var settings = CrawlerSettings()
        settings.maxDepth = 3
        let config = CrawlConfig(urls: ["https://example.com/"], exclude: ["\\.pdf$"], settings: settings)
        let seed = CrawlPageTask(crawlID: "crawl-1", url: try CrawlURL("https://example.com/"), depth: 0, config: config)
        let child = seed.link(try CrawlURL("https://example.com/a"))
        #expect(child.depth == 1)
        #expect(child.crawlID == "crawl-1")
        #expect(child.dedupKey == "crawl:crawl-1:https://example.com/a")

        let message = child.message(id: "job-9")
        #expect(message.type == .crawlerURL)
        #expect(message.parentID == "crawl-1")
        #expect(message.fields["url"] == .string("https://example.com/a"))
        #expect(message.fields["depth"] == .number(1))
        // Through the queue's encoding and back, with other defaults in force by then.
        let decoded = try JobMessage.decode(try message.encoded())
        #expect(try CrawlPageTask(message: decoded, defaults: CrawlerSettings()) == child)
        #expect(try CrawlPageTask(message: decoded).config.validated().settings.maxDepth == 3)
    }

    @Test("a malformed crawler_url message is refused naming the field", arguments: [
        (JobMessage(id: "x", type: .crawlerURL, fields: ["url": .string("https://a.example/"), "depth": .number(0)]), "parent_id"),
        (JobMessage(id: "x", type: .crawlerURL, parentID: "c", fields: ["depth": .number(0)]), "url"),
        (JobMessage(id: "x", type: .crawlerURL, parentID: "c", fields: ["url": .string("mailto:x@y"), "depth": .number(0)]), "url"),
        (JobMessage(id: "x", type: .crawlerURL, parentID: "c", fields: ["url": .string("https://a.example/"), "depth": .number(-1)]), "depth"),
        (JobMessage(id: "x", type: .crawlerURL, parentID: "c", fields: ["url": .string("https://a.example/"), "depth": .string("1")]), "depth"),
        (JobMessage(id: "x", type: .crawlerURL, parentID: "c", fields: ["url": .string("https://a.example/"), "depth": .number(1),
                                                                         "config": .object(["max_depth": .string("deep")])]), "max_depth"),
    ])
    func badCrawlPage(message: JobMessage, field: String) {
        let error = #expect(throws: JobConfigError.self) { try CrawlPageTask(message: message) }
        #expect(error?.field == field)
    }

    @Test("summarizer: document ids or a crawl, read and written back")
    func summarize() throws {
        #expect(try SummarizeRequest(json: json(#"{"document_ids": [3, 1, 3]}"#)).target == .documents([3, 1]))
        #expect(try SummarizeRequest(json: json(#"{"job_id": "crawl-1"}"#)).target == .crawl(jobID: "crawl-1"))
        #expect(try SummarizeRequest(json: json(#"{"job_id": "crawl-1", "document_ids": null}"#)).target == .crawl(jobID: "crawl-1"))
        for request in [SummarizeRequest(target: .documents([5, 6])), SummarizeRequest(target: .crawl(jobID: "c"))] {
            #expect(try SummarizeRequest(json: request.json) == request)
        }
    }

    @Test("a malformed summarizer config is refused naming the field", arguments: [
        (#"{}"#, "config", "needs document_ids"),
        (#"{"document_ids": [1], "job_id": "c"}"#, "job_id", "cannot be given with document_ids"),
        (#"{"document_ids": []}"#, "document_ids", "is empty"),
        (#"{"document_ids": [1, 0]}"#, "document_ids[1]", "must be a positive document id, not 0"),
        (#"{"document_ids": [1, "two"]}"#, "document_ids[1]", "must be a whole number, not \"two\""),
        (#"{"document_ids": 7}"#, "document_ids", "must be a list of whole numbers, not 7"),
        (#"{"job_id": ""}"#, "job_id", "is empty"),
        (#"{"job_id": 12}"#, "job_id", "must be a string, not 12"),
        (#"{"jobid": "c"}"#, "jobid", "is not a summarizer setting"),
        (#""c""#, "config", "must be a JSON object"),
    ])
    func badSummarize(text: String, field: String, problem: String) throws {
        let error = #expect(throws: JobConfigError.self) { try SummarizeRequest(json: json(text)) }
        #expect(error?.job == "summarizer")
        #expect(error?.field == field)
        #expect(error?.message.hasPrefix("summarizer config: \(field) \(problem)") == true, "\(error?.message ?? "")")
    }
}
