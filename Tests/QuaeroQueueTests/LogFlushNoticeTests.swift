import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("LogService: flush notices", .timeLimit(.minutes(1)))
struct LogFlushNoticeTests {
    @Test("each flush that stores lines names their jobs once the lines are readable; empty flushes say nothing", arguments: StoreKind.available)
    func noticeAfterEachFlush(_ kind: StoreKind) async throws {
        try await withStore(kind) { database in
            try await LogFixtures.insertJobs(database, ["a", "b"])
            let service = try LogService(store: database, options: LogServiceOptions(flushInterval: .seconds(3600)))
            var notices = service.flushes().makeAsyncIterator()

            service.append(jobID: "a", level: .info, message: "a0")
            service.append(jobID: "b", level: .info, message: "b0")
            try await service.flush()
            #expect(await notices.next() == LogFlush(jobIDs: ["a", "b"]))
            #expect(try await service.store.count(jobID: "a") == 1)

            try await service.flush()  // nothing buffered: no notice
            service.append(jobID: "missing", level: .info, message: "dropped")
            try await service.flush()  // nothing stored: no notice
            service.append(jobID: "b", level: .info, message: "b1")
            try await service.flush()
            #expect(await notices.next() == LogFlush(jobIDs: ["b"]))
            await service.stop()
        }
    }
}
