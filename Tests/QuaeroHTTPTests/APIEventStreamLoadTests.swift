import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
@testable import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("HTTP API: many event streams", .serialized, .timeLimit(.minutes(2)))
struct APIEventStreamLoadTests {
    @Test("200 streams open on a 500-page crawl with 500 lines: /health answers within 100 ms; one more stream is a 503")
    func manyStreams() async throws {
        try await withAPI({ $0.server.maxEventStreams = 200 }) { runtime, api in
            let crawl = try await runtime.jobManager.createJob(JobSpec(type: .parent))
            try await runtime.jobManager.createJobs((0..<500).map { JobSpec(type: .crawlerURL, fields: ["url": .string("http://127.0.0.1:9/\($0)")], parentID: crawl.id) })
            for i in 0..<500 { runtime.logService.append(jobID: crawl.id, level: .info, message: "page \(i) queued") }
            try await runtime.logService.flush()

            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 300)))
            let opened = Locked(0)
            let streams = "\(api.baseURL)/api/jobs/\(crawl.id)/events"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        let response = try await http.execute(HTTPClientRequest(url: streams), timeout: .seconds(100))
                        var counted = false
                        for try await chunk in response.body where !counted && String(buffer: chunk).contains("event: job") {
                            opened.withLock { $0 += 1 }
                            counted = true
                        }
                    }
                }
                let allOpen = await waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(20)) { opened.value == 200 }
                #expect(allOpen, "\(opened.value) of 200 streams opened")

                var roundTrips: [Duration] = []
                for _ in 0..<5 {
                    let start = ContinuousClock.now
                    let health = try await http.execute(HTTPClientRequest(url: "\(api.baseURL)/health"), timeout: .seconds(30))
                    _ = try await health.body.collect(upTo: 1 << 16)
                    roundTrips.append(ContinuousClock.now - start)
                    #expect(health.status == .ok)
                }
                let median = roundTrips.sorted()[roundTrips.count / 2]
                #expect(median < .milliseconds(100), "GET /health took \(roundTrips) with 200 streams open")

                let refused = try await api.get("/api/jobs/\(crawl.id)/events")
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.errorCode == "too_many_streams")
                #expect(refused.errorMessage.contains("200") && refused.errorMessage.contains("max_event_streams"))
                group.cancelAll()
            }
            try await http.shutdown()
        }
    }

    @Test("a stream whose client went away gives its slot back (noticed by the heartbeat); HEAD takes none")
    func slotsComeBack() async throws {
        let quick = JobEventStream.Options(pollInterval: .milliseconds(20), heartbeatInterval: .milliseconds(100))
        try await withAPI({ $0.server.maxEventStreams = 1 }, eventStreams: quick) { runtime, api in
            let pending = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            let ended = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            try await runtime.jobManager.cancel(ended.id)

            let head = try await api.call(.head, "/api/jobs/\(pending.id)/events")
            #expect(head.status == .ok && head.text.isEmpty)
            let afterHead = await waitUntil(timeout: .seconds(10)) { (try? await api.get("/api/jobs/\(ended.id)/events").status) == .ok }
            #expect(afterHead, "HEAD kept its slot")

            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let opened = Locked(false)
            let reader = Task {
                let response = try await http.execute(HTTPClientRequest(url: "\(api.baseURL)/api/jobs/\(pending.id)/events"), timeout: .seconds(60))
                for try await chunk in response.body where String(buffer: chunk).contains("event: job") { opened.withLock { $0 = true } }
            }
            #expect(await waitUntil { opened.value })
            #expect(try await api.get("/api/jobs/\(ended.id)/events").status == .serviceUnavailable)
            reader.cancel()
            _ = await reader.result
            let freed = await waitUntil(timeout: .seconds(10), pollEvery: .milliseconds(50)) {
                (try? await api.get("/api/jobs/\(ended.id)/events").status) == .ok
            }
            #expect(freed, "the slot of the closed stream was not given back")
            try await http.shutdown()
        }
    }
}
