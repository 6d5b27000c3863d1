import QuaeroQueue

/// The statement of one `jobs(_:)` listing on PostgreSQL (SQLite's `JobListing`). Each criterion present adds
/// its condition, so each listing is planned for its own index: status, type and parent by `jobs_status`,
/// `jobs_type` and `jobs_parent` (filter, id); the time range and `after` by the id (ids begin with the
/// creation time); a search by the GIN index on `job_search.words` (engine chain m0011), newest first by the
/// key each job was indexed under.
struct PostgresJobListing {
    let sql: String
    let values: [PostgresBind]

    init(_ filter: JobFilter) {
        var conditions: [String] = []
        var values: [PostgresBind] = []
        func bind(_ value: PostgresBind, _ type: String) -> String {
            values.append(value)
            return "$\(values.count)::\(type)"
        }
        let search = filter.search.map(Self.terms)
        if let search {
            for term in search {
                switch term {
                case .phrase(let text): conditions.append("s.words @@ phraseto_tsquery('simple', \(bind(text, "text")))")
                case .prefix(let word): conditions.append("s.words @@ to_tsquery('simple', \(bind(word, "text")) || ':*')")
                case .nothing: conditions.append("false")
                }
            }
            if let after = filter.after {
                // The key of the job the previous page ended with; if that job left the index meanwhile, just
                // past the key of the closest older indexed job.
                let id = bind(after, "text")
                conditions.append("""
                    s.docid < coalesce((SELECT docid FROM job_search WHERE job_id = \(id)),
                                       (SELECT docid + 1 FROM job_search WHERE job_id < \(id) ORDER BY job_id DESC LIMIT 1), 0)
                    """)
            }
        } else if let after = filter.after {
            conditions.append("j.id < \(bind(after, "text"))")
        }
        if let status = filter.status { conditions.append("j.status = \(bind(status.rawValue, "text"))") }
        if let type = filter.type { conditions.append("j.type = \(bind(type.rawValue, "text"))") }
        if let parent = filter.parentID { conditions.append("j.parent_id = \(bind(parent, "text"))") }
        let range = filter.idRange
        if let lowest = range.lowest { conditions.append("j.id >= \(bind(lowest, "text"))") }
        if let below = range.below { conditions.append("j.id < \(bind(below, "text"))") }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let from = search == nil ? "FROM jobs j" : "FROM job_search s JOIN jobs j ON j.id = s.job_id"
        let order = search == nil ? "j.id DESC" : "s.docid DESC"
        let limit = bind(Int64(filter.limit), "bigint")
        let offset = bind(Int64(filter.offset), "bigint")
        sql = "SELECT \(JobSQL.columns("j")) \(from)\(whereClause) ORDER BY \(order) LIMIT \(limit) OFFSET \(offset)"
        self.values = values
    }

    /// One word of a search.
    enum Term: Equatable {
        /// Its letters and digits in order (`example.com/a` is the phrase `example com a`), as the index splits text.
        case phrase(String)
        /// A word ending in `*`: its letters and digits, matched as a prefix of a word.
        case prefix(String)
        /// A word with no letter or digit: matches nothing (as FTS5's empty phrase).
        case nothing
    }

    /// The terms of a user's words: every one must occur (SQLite's `JobListing.ftsQuery`, for the index of
    /// m0011). Nothing the user types is tsquery syntax: only letters and digits reach the server's parser.
    static func terms(_ text: String) -> [Term] {
        text.split(whereSeparator: { $0.isWhitespace }).map { word -> Term in
            let prefix = word.count > 1 && word.hasSuffix("*")
            let parts = (prefix ? word.dropLast() : word[...]).split { !($0.isLetter || $0.isNumber) }.map(String.init)
            guard !parts.isEmpty else { return .nothing }
            if prefix, parts.count == 1 { return .prefix(parts[0]) }
            return .phrase(parts.joined(separator: " "))
        }
    }
}
