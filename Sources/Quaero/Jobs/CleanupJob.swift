import Foundation
import Logging
import QuaeroQueue

/// `cleanup`: deletes top-level jobs that ended longer ago than an age with a status in `status_filter`
/// (their children, messages and logs go with them), and dead letters older than another age.
enum CleanupJob {
    /// The job's settings, from its config JSON.
    struct Settings: Equatable {
        /// Ended jobs that ended longer ago than this are deleted.
        var age: Duration
        /// Dead letters that died longer ago than this are deleted.
        var deadLetterAge: Duration
        var statusFilter: [JobStatus] = [.completed, .failed, .cancelled]

        /// The default of both ages: 30 days.
        static let defaultAge = Duration.seconds(30 * 86_400)
        /// The most whole days `age_threshold_days` takes (100 years, as `[cleanup]` does).
        static let maxDays = 36_500

        /// The config keys: each age as whole days (the original design's key) or as a duration.
        static let keys = ["age_threshold_days", "older_than", "dead_letter_age_days", "dead_letter_older_than",
                           "status_filter", "all_ages"]

        /// Settings with the given ages and the default status filter.
        init(age: Duration = defaultAge, deadLetterAge: Duration = defaultAge) {
            self.age = age
            self.deadLetterAge = deadLetterAge
        }

        /// Reads the config: `{"older_than": "90m"}` or `{"age_threshold_days": 30}` (likewise
        /// `dead_letter_older_than` or `dead_letter_age_days`), `status_filter`, and `all_ages`.
        ///
        /// An age must be longer than zero: a zero age would delete every ended job the moment it ends, so
        /// that is asked for explicitly with `"all_ages": true` (and then no age may be given).
        /// - Throws: `JobConfigError` naming the key: an unknown key, an age of zero or less, both forms of
        ///   one age, an unknown or unended status.
        init(_ config: [String: JSONValue]) throws(JobConfigError) {
            let reader = try JSONFieldReader(job: "cleanup", json: .object(config), keys: Self.keys,
                                             example: #"{"older_than": "30d", "status_filter": ["completed"]}"#)
            var allAges = false
            try reader.read("all_ages", into: &allAges)
            if allAges {
                for key in Self.keys.prefix(4) where reader.has(key) {
                    throw reader.error(key, "cannot be given with all_ages, which deletes whatever the age; give one of them")
                }
                self.init(age: .zero, deadLetterAge: .zero)
            } else {
                self.init(age: try Self.age(reader, days: "age_threshold_days", duration: "older_than") ?? Self.defaultAge,
                          deadLetterAge: try Self.age(reader, days: "dead_letter_age_days", duration: "dead_letter_older_than")
                              ?? Self.defaultAge)
            }
            if let names = try reader.strings("status_filter") {
                guard !names.isEmpty else {
                    throw reader.error("status_filter", "is empty; give at least one of completed, failed, cancelled")
                }
                var statuses: [JobStatus] = []
                for (index, name) in names.enumerated() {
                    guard let status = JobStatus(rawValue: name), status.isTerminal else {
                        throw reader.error("status_filter[\(index)]",
                            "must be an ended status (completed, failed, cancelled), not \"\(name)\"")
                    }
                    statuses.append(status)
                }
                statusFilter = statuses
            }
        }

        /// One age, given as whole days under `days` or as a duration under `duration`; nil when neither is.
        private static func age(_ reader: JSONFieldReader, days: String, duration: String) throws(JobConfigError) -> Duration? {
            let zero = "a zero age would delete every ended one at once; to delete whatever the age, give all_ages: true"
            switch (reader.has(days), reader.has(duration)) {
            case (true, true):
                throw reader.error(duration, "cannot be given with \(days); give one of them")
            case (true, false):
                var count = 0
                try reader.read(days, into: &count)
                guard (1...maxDays).contains(count) else {
                    throw reader.error(days, "must be a whole number of days from 1 to \(maxDays), not \(count); "
                        + "give a shorter age as \(duration) (such as \"90m\"); \(zero)")
                }
                return .seconds(Int64(count) * 86_400)
            case (false, true):
                var age = Duration.zero
                try reader.read(duration, into: &age)
                guard age > .zero else {
                    throw reader.error(duration, "must be longer than 0s, not \(DurationText.format(age)); \(zero)")
                }
                return age
            case (false, false):
                return nil
            }
        }
    }

    /// Runs one cleanup; the result counts what was deleted.
    @Sendable
    static func run(_ context: JobContext) async throws -> JSONValue? {
        let settings = try readJobConfig { () throws(JobConfigError) in
            try Settings(try JobBody.config(of: context.job, keys: Settings.keys, job: "cleanup"))
        }
        let manager = context.manager
        // Strictly older than the age: a job that ended less than `age` ago is never deleted.
        let ids = try await manager.endedJobs(olderThan: settings.age, statuses: settings.statusFilter, limit: 100_000)
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
        let purged = try await manager.queue.purgeDeadLetters(olderThan: settings.deadLetterAge)
        context.logger.info("cleanup deleted \(deleted) jobs that ended more than \(DurationText.format(settings.age)) ago and \(purged) dead letters older than \(DurationText.format(settings.deadLetterAge))")
        return .object(["deleted_jobs": .number(Double(deleted)), "purged_dead_letters": .number(Double(purged))])
    }
}
