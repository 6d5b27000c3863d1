import QuaeroQueue

/// Reads the typed members of a job's JSON config; every problem is a `JobConfigError` naming the key.
struct JSONFieldReader {
    /// The kind of job, for messages: `crawl`, `summarizer`, `cleanup`.
    let job: String
    let object: [String: JSONValue]

    /// Checks that `json` is an object whose keys are all in `keys`.
    /// - Parameter example: a small valid config, shown when `json` is not an object.
    init(job: String, json: JSONValue, keys: [String], example: String) throws(JobConfigError) {
        self.job = job
        guard let object = json.objectValue else { throw JobConfigError(job: job, field: "config", "must be a JSON object such as \(example)") }
        for key in object.keys.sorted() where !keys.contains(key) {
            throw JobConfigError(job: job, field: key, "is not a \(job) setting; the settings are \(keys.joined(separator: ", "))")
        }
        self.object = object
    }

    /// Whether `key` is given (and not null).
    func has(_ key: String) -> Bool { present(key) != nil }

    /// A list of strings, or nil when absent or null; a single string counts as a list of one.
    func strings(_ key: String) throws(JobConfigError) -> [String]? {
        try list(key, of: "strings", each: "a string", allowingSingle: true) { $0.stringValue }
    }

    /// A list of whole numbers, or nil when absent or null; numbers written as strings (`"12"`, as the
    /// original design's message shapes write ids) count too.
    func integers(_ key: String) throws(JobConfigError) -> [Int64]? {
        try list(key, of: "whole numbers", each: "a whole number", allowingSingle: false) {
            $0.intValue.map(Int64.init) ?? $0.stringValue.flatMap { Int64($0) }
        }
    }

    func read(_ key: String, into target: inout Int) throws(JobConfigError) {
        try read(key, into: &target, expecting: "a whole number") { $0.intValue }
    }

    func read(_ key: String, into target: inout Bool) throws(JobConfigError) {
        try read(key, into: &target, expecting: "true or false") { if case .bool(let flag) = $0 { flag } else { nil } }
    }

    func read(_ key: String, into target: inout String) throws(JobConfigError) {
        try read(key, into: &target, expecting: "a string") { $0.stringValue }
    }

    func read(_ key: String, into target: inout Duration) throws(JobConfigError) {
        guard let value = present(key) else { return }
        if let seconds = value.numberValue, seconds.isFinite, abs(seconds) < 1e9 {
            target = .milliseconds(Int64((seconds * 1000).rounded()))
        } else if let text = value.stringValue, let duration = DurationText.parse(text) {
            target = duration
        } else {
            throw error(key, "must be \(DurationText.allowed), or a number of seconds, not \(Self.show(value))")
        }
    }

    /// A rate such as `"10/s"`; an empty string for none.
    func read(_ key: String, into target: inout Rate?) throws(JobConfigError) {
        guard let value = present(key) else { return }
        guard let text = value.stringValue else { throw error(key, "must be \(Rate.allowed), or \"\" for none, not \(Self.show(value))") }
        if text.trimmingWhitespace().isEmpty {
            target = nil
            return
        }
        do {
            target = try Rate.parse(text)
        } catch {
            throw self.error(key, "must be \(Rate.allowed), or \"\" for none, not \(Self.show(value))")
        }
    }

    /// An error about `field` of this job's config.
    func error(_ field: String, _ problem: String) -> JobConfigError {
        JobConfigError(job: job, field: field, problem)
    }

    /// Stores the member converted by `convert`; nil from it means the value has the wrong type.
    private func read<Value>(_ key: String, into target: inout Value, expecting expected: String,
                             _ convert: (JSONValue) -> Value?) throws(JobConfigError) {
        guard let value = present(key) else { return }
        guard let converted = convert(value) else { throw error(key, "must be \(expected), not \(Self.show(value))") }
        target = converted
    }

    private func list<Element>(_ key: String, of kind: String, each: String, allowingSingle: Bool,
                               _ convert: (JSONValue) -> Element?) throws(JobConfigError) -> [Element]? {
        guard let value = present(key) else { return nil }
        if allowingSingle, let single = convert(value) { return [single] }
        guard let array = value.arrayValue else { throw error(key, "must be a list of \(kind), not \(Self.show(value))") }
        var out: [Element] = []
        for (index, element) in array.enumerated() {
            guard let converted = convert(element) else {
                throw error("\(key)[\(index)]", "must be \(each), not \(Self.show(element))")
            }
            out.append(converted)
        }
        return out
    }

    /// The member, unless it is absent or null (which both mean: use the default).
    private func present(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    static func show(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "\"\(text)\""
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): String(flag)
        case .array: "a list"
        case .object: "an object"
        case .null: "null"
        }
    }
}
