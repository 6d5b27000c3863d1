import Foundation
import Synchronization

/// The handlers of a pool by job type; a type is registered once.
final class HandlerRegistry: Sendable {
    private let handlers = Mutex<[JobType: JobHandler]>([:])

    func register(_ type: JobType, _ handler: @escaping JobHandler) {
        handlers.withLock { map in
            precondition(map[type] == nil, "a handler for job type \(type) is already registered; register each type once")
            map[type] = handler
        }
    }

    func handler(for type: JobType) -> JobHandler? {
        handlers.withLock { $0[type] }
    }

    var types: [JobType] {
        handlers.withLock { $0.keys.sorted { $0.rawValue < $1.rawValue } }
    }

    /// The names of the types with a handler.
    var typeNames: Set<String> {
        handlers.withLock { Set($0.keys.map(\.rawValue)) }
    }

    /// Wraps a typed handler: the config decodes as `Config` (or the job is dead-lettered), the output
    /// encodes as the job's result.
    static func typed<Config: Decodable & Sendable, Output: Encodable & Sendable>(
        _ type: JobType, _ handler: @escaping @Sendable (Config, JobContext) async throws -> Output
    ) -> JobHandler {
        { context in
            let config: Config
            do {
                let data = try JSONEncoder().encode(JSONValue.object(context.config))
                config = try JSONDecoder().decode(Config.self, from: data)
            } catch {
                throw UnrecoverableJobError("the config of job \(context.job.id) (\(type)) does not decode as \(Config.self): \(JSONValue.describe(error))")
            }
            let output = try await handler(config, context)
            return try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(output))
        }
    }
}
