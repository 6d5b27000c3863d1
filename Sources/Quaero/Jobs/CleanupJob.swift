import Foundation
import Logging
import QuaeroQueue

/// `cleanup`: deletes top-level jobs that ended more than `age_threshold_days` ago with a status in
/// `status_filter` (their children, messages and logs go with them), and dead letters older than
/// `dead_letter_age_days`.
enum CleanupJob {
    /// The job's settings, from its config JSON.
    struct Settings: Equatable {
        var ageThresholdDays = 30
        var statusFilter: [JobStatus] = [.completed, .failed, .cancelled]
        var deadLetterAgeDays = 30

        /// Settings with the given threshold and the defaults otherwise.
        init(ageThresholdDays: Int) { self.ageThresholdDays = ageThresholdDays }

        /// Reads the config; throws `UnrecoverableJobError` naming a bad field (retrying would not help).
        init(_ config: [String: JSONValue]) throws {
            if let value = config["age_threshold_days"] {
                guard let days = value.intValue, days >= 0 else {
                    throw UnrecoverableJobError("cleanup: age_threshold_days must be a whole number ≥ 0, got \(value)")
                }
                ageThresholdDays = days
            }
            if let value = config["dead_letter_age_days"] {
                guard let days = value.intValue, days >= 0 else {
                    throw UnrecoverableJobError("cleanup: dead_letter_age_days must be a whole number ≥ 0, got \(value)")
                }
                deadLetterAgeDays = days
            }
            if let value = config["status_filter"] {
                guard let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count else {
                    throw UnrecoverableJobError("cleanup: status_filter must be an array of status names")
                }
                statusFilter = try names.map { name in
                    do { return try JobStatus.parse(name) } catch {
                        throw UnrecoverableJobError("cleanup: status_filter has an unknown status \"\(name)\"")
                    }
                }
                if statusFilter.contains(.pending) || statusFilter.contains(.running) {
                    throw UnrecoverableJobError("cleanup: status_filter may only name ended statuses (completed, failed, cancelled)")
                }
            }
        }
    }

    static let day: Int64 = 86_400_000

    /// Runs one cleanup; the result counts what was deleted.
    @Sendable
    static func run(_ context: JobContext) async throws -> JSONValue? {
        let settings = try Settings(context.config)
        let manager = context.manager
        let age = Duration.milliseconds(Int64(settings.ageThresholdDays) * day)
        let ids = try await manager.endedJobs(olderThan: age, statuses: settings.statusFilter, limit: 100_000)
            .filter { $0 != context.job.id }
        var deleted = 0
        for id in ids {
            try context.checkCancellation()
            do {
                try await manager.deleteJob(id)
                deleted += 1
            } catch let error as QuaeroError where error.code == .notFound {
                continue // deleted meanwhile
            }
        }
        let purged = try await manager.queue.purgeDeadLetters(olderThan: .seconds(Int64(settings.deadLetterAgeDays) * 86_400))
        context.logger.info("cleanup deleted \(deleted) jobs and \(purged) dead letters")
        return .object(["deleted_jobs": .number(Double(deleted)), "purged_dead_letters": .number(Double(purged))])
    }
}
