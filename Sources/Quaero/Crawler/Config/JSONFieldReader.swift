import QuaeroQueue

/// Reads typed members of a JSON object, each wrong type a `CrawlConfigError` naming the key.
struct JSONFieldReader {
    let object: [String: JSONValue]

    /// A list of strings, or nil when absent or null.
    func strings(_ key: String) throws(CrawlConfigError) -> [String]? {
        guard let value = present(key) else { return nil }
        if let text = value.stringValue { return [text] }  // one URL or pattern given without brackets
        guard let array = value.arrayValue else { throw CrawlConfigError(field: key, "must be a list of strings") }
        var out: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.stringValue else { throw CrawlConfigError(field: "\(key)[\(index)]", "must be a string") }
            out.append(text)
        }
        return out
    }

    func read(_ key: String, into target: inout Int) throws(CrawlConfigError) {
        try read(key, into: &target, expecting: "a whole number") { $0.intValue }
    }

    func read(_ key: String, into target: inout Bool) throws(CrawlConfigError) {
        try read(key, into: &target, expecting: "true or false") { if case .bool(let flag) = $0 { flag } else { nil } }
    }

    func read(_ key: String, into target: inout String) throws(CrawlConfigError) {
        try read(key, into: &target, expecting: "a string") { $0.stringValue }
    }

    /// Stores the member converted by `convert`; nil from it means the value has the wrong type.
    private func read<Value>(_ key: String, into target: inout Value, expecting expected: String,
                             _ convert: (JSONValue) -> Value?) throws(CrawlConfigError) {
        guard let value = present(key) else { return }
        guard let converted = convert(value) else { throw CrawlConfigError(field: key, "must be \(expected), not \(Self.show(value))") }
        target = converted
    }

    func read(_ key: String, into target: inout Duration) throws(CrawlConfigError) {
        guard let value = present(key) else { return }
        if let seconds = value.numberValue, seconds.isFinite, abs(seconds) < 1e9 {
            target = .milliseconds(Int64((seconds * 1000).rounded()))
        } else if let text = value.stringValue, let duration = DurationText.parse(text) {
            target = duration
        } else {
            throw CrawlConfigError(field: key, "must be \(DurationText.allowed), or a number of seconds, not \(Self.show(value))")
        }
    }

    /// The member, unless it is absent or null (which both mean: use the default).
    private func present(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    private static func show(_ value: JSONValue) -> String {
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
