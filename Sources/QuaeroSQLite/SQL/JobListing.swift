import Foundation
import QuaeroQueue

/// The statement of one `jobs(_:)` listing on SQLite. Each criterion present adds its condition, so every
/// combination is its own statement text (prepared once per connection and cached by its text), and each is
/// served by an index: status, type and parent by `jobs_status`, `jobs_type` and `jobs_parent` (filter, id);
/// the time range and `after` by the id (ids begin with the creation time); a search by the FTS index of the
/// engine chain's m0011, walked newest first by its key without collecting every match.
struct JobListing {
    let sql: String
    let arguments: [any SQLBindable]

    init(_ filter: JobFilter) {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        let search = filter.search.map(Self.ftsQuery)
        if let search {
            conditions.append("jobs_fts MATCH ?")
            arguments.append(search)
            if let after = filter.after {
                // The key of the job the previous page ended with; if that job left the index meanwhile, just
                // past the key of the closest older indexed job.
                conditions.append("""
                    f.rowid < coalesce((SELECT docid FROM job_search WHERE job_id = ?),
                                       (SELECT docid + 1 FROM job_search WHERE job_id < ? ORDER BY job_id DESC LIMIT 1), 0)
                    """)
                arguments += [after, after]
            }
        } else if let after = filter.after {
            conditions.append("j.id < ?")
            arguments.append(after)
        }
        if let status = filter.status { conditions.append("j.status = ?"); arguments.append(status.rawValue) }
        if let type = filter.type { conditions.append("j.type = ?"); arguments.append(type.rawValue) }
        if let parent = filter.parentID { conditions.append("j.parent_id = ?"); arguments.append(parent) }
        let range = filter.idRange
        if let lowest = range.lowest { conditions.append("j.id >= ?"); arguments.append(lowest) }
        if let below = range.below { conditions.append("j.id < ?"); arguments.append(below) }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let from = search == nil
            ? "FROM jobs j"
            : "FROM jobs_fts f JOIN job_search s ON s.docid = f.rowid JOIN jobs j ON j.id = s.job_id"
        let order = search == nil ? "j.id DESC" : "f.rowid DESC"
        arguments += [filter.limit, filter.offset] as [any SQLBindable]
        sql = "SELECT \(Self.columns) \(from)\(whereClause) ORDER BY \(order) LIMIT ? OFFSET ?"
        self.arguments = arguments
    }

    /// `JobSQL.columns`, of the table named `j`.
    private static let columns = JobSQL.columns.split(separator: ",")
        .map { "j." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    /// The FTS5 query for a user's words: each word a quoted phrase (so `-`, `:`, `.` and `/` are plain text,
    /// and `example.com/a` matches the words of that URL in order), all of them required; a word ending in `*`
    /// is a prefix. Nothing the user types is FTS5 syntax, so no search is a syntax error.
    static func ftsQuery(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).map { word -> String in
            let prefix = word.count > 1 && word.hasSuffix("*")
            let body = (prefix ? word.dropLast() : word[...]).replacingOccurrences(of: "\"", with: "\"\"")
            return "\"\(body)\"" + (prefix ? "*" : "")
        }.joined(separator: " ")
    }
}
