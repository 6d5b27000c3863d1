import Foundation
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("The summarizer job on a real worker pool", .timeLimit(.minutes(1)))
struct SummarizerJobTests {
    static let texts = [
        "Bees make honey from nectar. Honey keeps for years in sealed jars. Bakers use honey in bread and cakes. The weather was mild.",
        "Rivers carry water to the sea. Water from rivers feeds farms and cities. Dams hold river water back for dry seasons. Fish swim upstream.",
        "Short page.",
    ]

    @Test("a crawl's unsummarized documents get the built-in summary; progress and result add up")
    func crawl() async throws {
        try await withSummarizerPool { store, manager in
            try await insertJob("crawl-1", into: store.store)
            try await insertJob("crawl-2", into: store.store)
            var ids: [Int64] = []
            for (index, text) in Self.texts.enumerated() {
                ids.append(try await store.upsert(url: "https://example.com/\(index)", title: "Page \(index)", text: text, jobID: "crawl-1").id)
            }
            try await store.setSummary("Already done.", forDocument: ids[2])
            let other = try await store.upsert(url: "https://other.example/", title: "Other", text: Self.texts[0], jobID: "crawl-2").id

            let handle = try await manager.submit(JobSpec(type: .summarizer, config: ["job_id": .string("crawl-1")]))
            let result = try await handle.result()
            #expect(result == .object(["summarized": .number(2), "changed": .number(0), "missing": .array([])]))
            for index in 0..<2 {
                let document = try #require(try await store.document(id: ids[index]))
                #expect(document.summary == ExtractiveSummarizer().summary(title: document.title, text: Self.texts[index]))
            }
            #expect(try await store.document(id: ids[2])?.summary == "Already done.")
            #expect(try await store.document(id: other)?.summary == nil)
            let job = try await manager.getJob(handle.id)
            #expect(job.progress == JobProgress(total: 2, completed: 2, failed: 0))
        }
    }

    @Test("named documents are summarized; unknown ids are listed in the result")
    func documents() async throws {
        try await withSummarizerPool { store, manager in
            let id = try await store.upsert(url: "https://example.com/", title: "Bees", text: Self.texts[0], jobID: nil).id
            let handle = try await manager.submit(JobSpec(type: .summarizer, config: ["document_ids": .array([.number(Double(id)), .number(999)])]))
            let result = try await handle.result()
            #expect(result == .object(["summarized": .number(1), "changed": .number(0), "missing": .array([.number(999)])]))
            #expect(try await store.document(id: id)?.summary != nil)
            #expect(try await manager.getJob(handle.id).progress == JobProgress(total: 2, completed: 1, failed: 1))
        }
    }

    @Test("a bad config, or ids that all name nothing, fail the job at once with the reason", arguments: [
        (["document_ids": JSONValue.array([])], "summarizer config: document_ids is empty"),
        (["job_id": .number(3)], "summarizer config: job_id must be a string"),
        ([:], "summarizer config: config needs document_ids"),
        (["document_ids": .array([.number(41), .number(42)])], "none of the documents exist: 41, 42"),
    ])
    func failures(config: [String: JSONValue], reason: String) async throws {
        try await withSummarizerPool { _, manager in
            let handle = try await manager.submit(JobSpec(type: .summarizer, config: config))
            let error = await #expect(throws: JobFailedError.self) { try await handle.result() }
            #expect(error?.status == .failed)
            #expect(error?.error?.contains(reason) == true, "\(error?.error ?? "")")
            #expect(try await manager.getJob(handle.id).attempts == 1)
        }
    }

    /// Issue 10: `{"job_id": ...}` at the top level of a sent body, and the original shape's string ids in
    /// `config`, were not read ("needs document_ids or job_id").
    @Test("settings at the top level of the message and the original shape's string document ids are read")
    func originalShapes() async throws {
        try await withSummarizerPool { store, manager in
            try await insertJob("crawl-1", into: store.store)
            let id = try await store.upsert(url: "https://example.com/", title: "Bees", text: Self.texts[0], jobID: "crawl-1").id
            let topLevel = try await manager.submit(JobSpec(type: .summarizer, fields: ["job_id": .string("crawl-1")]))
            #expect(try await topLevel.result()["summarized"] == .number(1))

            // A raw message in the original shape, without a job record (as POST /api/queue/messages sends it).
            let message = JobMessage.summarizer(documentIDs: [String(id)])
            _ = try await manager.queue.send(try message.encoded())
            #expect(await waitUntil { (try? await manager.getJob(message.id))?.status == .completed })
            #expect(try await manager.getJob(message.id).result?["summarized"] == .number(1))

            let twice = try await manager.submit(JobSpec(type: .summarizer, config: ["job_id": .string("crawl-1")],
                                                         fields: ["job_id": .string("crawl-1")]))
            let error = await #expect(throws: JobFailedError.self) { try await twice.result() }
            #expect(error?.error?.contains("given both at the top level and in config") == true, "\(error?.error ?? "")")
        }
    }

    /// Runs `body` with a started pool that has the summarizer job registered, over a fresh database.
    private func withSummarizerPool(_ body: (DocumentStore, JobManager) async throws -> Void) async throws {
        try await withAppStore { database, _ in
            let manager = JobManager(queue: try Queue(name: "jobs", store: database))
            let pool = try WorkerPool(manager: manager, options: WorkerPoolOptions(pollInterval: .milliseconds(50)))
            let store = try DocumentStore(store: database)
            SummarizerJob(store: store).register(on: pool)
            try await pool.start()
            do {
                try await body(store, manager)
            } catch {
                await pool.stop()
                throw error
            }
            await pool.stop()
        }
    }
}
