import Quaero
import QuaeroQueue

/// Jobs as text for people.
enum JobText {
    /// One line: id, type, status, progress, created.
    static func line(_ job: Job) -> String {
        var parts = [job.id, job.type.rawValue, job.status.rawValue]
        if job.progress.total > 0 {
            parts.append("\(job.progress.completed)/\(job.progress.total) done, \(job.progress.failed) failed")
        }
        parts.append(APIJSON.timestamp(milliseconds: job.createdAt))
        if let error = job.error { parts.append("error: \(error)") }
        return parts.joined(separator: "  ")
    }

    /// Several lines with every field.
    static func details(_ job: Job) -> String {
        var lines = ["id:        \(job.id)", "type:      \(job.type)", "status:    \(job.status.rawValue)"]
        if let parent = job.parentID { lines.append("parent:    \(parent)") }
        lines.append("progress:  \(job.progress.completed) completed, \(job.progress.failed) failed of \(job.progress.total)")
        lines.append("attempts:  \(job.attempts)")
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
