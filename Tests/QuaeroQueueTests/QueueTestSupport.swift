import Foundation
import QuaeroQueue
import QuaeroTestSupport

/// Runs `body` with a queue named "test" on a fresh database and a manual clock.
func withQueue<T>(
    options: QueueOptions = QueueOptions(visibilityTimeout: .seconds(30), maxReceive: 3),
    _ body: (Queue, ManualClock, Database) async throws -> T
) async throws -> T {
    try await withTemporaryDatabase { database, _ in
        let clock = ManualClock()
        let queue = try Queue(name: "test", database: database, options: options, clock: clock)
        return try await body(queue, clock, database)
    }
}

extension Data {
    /// UTF-8 bytes of a string, for short test bodies.
    init(_ text: String) { self = Data(text.utf8) }
}

extension ReceivedMessage {
    /// The body as text.
    var text: String { String(decoding: body, as: UTF8.self) }
}
