import Foundation
import Quaero
import QuaeroQueue

/// Jobs as text for people.
enum JobText {
    /// A table of jobs under a header: id, type (as users name it), status, progress, created, and the
    /// page's URL and the error, if any.
    static func table(_ jobs: [Job]) -> [String] {
        let header = ["ID", "TYPE", "STATUS", "PROGRESS", "CREATED", "URL / ERROR"]
        let rows = jobs.map { job -> [String] in
            let progress = job.progress.total > 0
                ? "\(job.progress.completed)/\(job.progress.total) done, \(job.progress.failed) failed" : ""
            let detail = [job.fields["url"]?.stringValue, job.error.map { "error: \($0)" }].compactMap { $0 }
            return [job.id, job.type.userName, job.status.rawValue, progress, APIJSON.timestamp(milliseconds: job.createdAt),
                    detail.joined(separator: "  ")]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { cells in
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    /// Several lines with every field.
    static func details(_ job: Job) -> String {
        var lines = ["id:        \(job.id)", "type:      \(job.type.userName)", "status:    \(job.status.rawValue)"]
        if let parent = job.parentID { lines.append("parent:    \(parent)") }
        lines.append("progress:  \(job.progress.completed) completed, \(job.progress.failed) failed of \(job.progress.total)")
        lines.append("attempts:  \(job.attempts)")
        if let worker = job.worker { lines.append("worker:    \(worker)") }
        lines.append("created:   \(APIJSON.timestamp(milliseconds: job.createdAt))")
        if let started = job.startedAt { lines.append("started:   \(APIJSON.timestamp(milliseconds: started))") }
        if let finished = job.finishedAt { lines.append("finished:  \(APIJSON.timestamp(milliseconds: finished))") }
        if let message = job.message { lines.append("message:   \(message)") }
        if let error = job.error { lines.append("error:     \(error)") }
        if !job.config.isEmpty, let config = try? APIJSON.encode(job.config, pretty: false) {
            lines.append("config:    \(String(decoding: config, as: UTF8.self))")
        }
        if let result = job.result, let text = try? APIJSON.encode(result, pretty: false) {
            lines.append("result:    \(String(decoding: text, as: UTF8.self))")
        }
        return lines.joined(separator: "\n")
    }
}
