import Foundation
import QuaeroQueue
import TOMLKit

/// The tables of `quaero.toml` whose names the user chooses: `[types.NAME]` (per-type policies),
/// `[[limits]]` (limits by key prefix) and `[[schedule]]` (cron schedules). Read from the file only (no
/// environment variables: their names are the user's).
struct FlowConfigFile {
    /// The top-level names of these tables.
    static let sections = ["types", "limits", "schedule"]

    typealias Entry = ResolvedConfig.TableEntry

    private(set) var types: [JobType: JobTypePolicy] = [:]
    private(set) var limits: [LimitRule] = []
    private(set) var schedules: [ScheduleDefinition] = []
    private(set) var entries: [Entry] = []

    private let path: String
    private let lines: TOMLLineIndex

    /// The keys of each table, with what they allow.
    static let typeKeys = ["timeout", "max_receive", "backoff_base", "backoff_max", "max_in_flight"]
    static let limitKeys = ["key_prefix", "max_in_flight", "rate"]
    static let scheduleKeys = ["name", "cron", "type", "config", "time_zone", "catch_up", "enabled"]

    /// Reads the tables of `sections` found in `table`.
    ///
    /// - Throws: `QuaeroConfigError` naming the key (`types.crawler_url.timeout`, `schedule[1].cron`), its
    ///   line and what is allowed.
    init(_ table: TOMLTable, path: String, lines: TOMLLineIndex) throws {
        self.path = path
        self.lines = lines
        if let types = table["types"] { try readTypes(types) }
        if let limits = table["limits"] {
            for reader in try readers(limits, "limits", keys: Self.limitKeys) { try readLimit(reader) }
        }
        if let schedules = table["schedule"] {
            for reader in try readers(schedules, "schedule", keys: Self.scheduleKeys) { try readSchedule(reader) }
        }
    }

    // MARK: Tables

    private mutating func readTypes(_ value: any TOMLValueConvertible) throws {
        guard let table = value.table else { throw problem("types", .wrongType, "must be tables such as [types.crawler_url]") }
        for (name, value) in table {
            let prefix = "types.\(name)"
            guard let fields = value.table else { throw problem(prefix, .wrongType, "must be a table: [\(prefix)]") }
            let reader = try Reader(file: self, prefix: prefix, table: fields, keys: Self.typeKeys)
            let policy = JobTypePolicy(timeout: try reader.value("timeout", .duration),
                                       maxReceive: try reader.value("max_receive", .integer(1...Int.max)),
                                       backoffBase: try reader.value("backoff_base", .duration),
                                       backoffMax: try reader.value("backoff_max", .duration),
                                       maxInFlight: try reader.value("max_in_flight", .integer(1...1_000_000)))
            types[JobType(userName: name)] = policy
            entries += reader.entries
        }
    }

    /// A reader for each table of the array of tables `[[name]]`.
    private mutating func readers(_ value: any TOMLValueConvertible, _ name: String, keys: [String]) throws -> [Reader] {
        guard let array = value.array else { throw problem(name, .wrongType, "must be written [[\(name)]] (an array of tables)") }
        var readers: [Reader] = []
        for (index, element) in array.enumerated() {
            let prefix = "\(name)[\(index)]"
            guard let table = element.table else { throw problem(prefix, .wrongType, "must be a table: [[\(name)]]") }
            let reader = try Reader(file: self, prefix: prefix, table: table, keys: keys)
            entries += reader.entries
            readers.append(reader)
        }
        return readers
    }

    private mutating func readLimit(_ reader: Reader) throws {
        let prefix: String = try reader.required("key_prefix", .text("a non-empty key prefix such as \"host:\"") { $0.isEmpty ? "empty" : nil })
        let maxInFlight = try reader.value("max_in_flight", .integer(1...1_000_000))
        let rate = try reader.value("rate", .rate)
        guard maxInFlight != nil || rate != nil else {
            throw reader.problem("key_prefix", .invalidValue, "\(reader.prefix) limits nothing: give max_in_flight, rate or both")
        }
        limits.append(try LimitRule(keyPrefix: prefix, limit: FlowLimit(maxInFlight: maxInFlight, rate: rate)))
    }

    private mutating func readSchedule(_ reader: Reader) throws {
        let name: String = try reader.required("name", .text("letters, digits, _, - or .") { name in
            (try? ScheduleDefinition.validate(name: name)) == nil ? "not a usable schedule name" : nil
        })
        if let other = schedules.first(where: { $0.name == name }) {
            throw reader.problem("name", .invalidValue, "schedule \(name) is defined twice (\(other.name)); give each its own name")
        }
        let cron = try reader.required("cron", .cron)
        let type: String = try reader.required("type", .text("a job type such as cleanup or crawler") { $0.isEmpty ? "empty" : nil })
        let config = try reader.json("config") ?? [:]
        let zone = try reader.value("time_zone", .timeZone) ?? TimeZone(identifier: "UTC")!
        let catchUp = try reader.value("catch_up", .choice(CatchUp.self)) ?? .latest
        let enabled = try reader.value("enabled", .boolean) ?? true
        schedules.append(try ScheduleDefinition(name: name, cron: cron, type: JobType(userName: type), config: config,
                                                timeZone: zone, catchUp: catchUp, enabled: enabled))
    }

    // MARK: Errors

    func source(_ key: String) -> ConfigSource { .file(path: path, line: lines.line(of: key)) }

    func problem(_ key: String, _ kind: QuaeroConfigError.Kind, _ message: String) -> QuaeroConfigError {
        let at = source(key)
        return QuaeroConfigError(kind, key: key, source: at, message: "\(at): \(key) \(message)")
    }

    /// The keys of one table, read and checked.
    struct Reader {
        let file: FlowConfigFile
        let prefix: String
        let table: TOMLTable
        /// Each key as given, for `quaero config`.
        let entries: [Entry]

        init(file: FlowConfigFile, prefix: String, table: TOMLTable, keys: [String]) throws {
            self.file = file
            self.prefix = prefix
            self.table = table
            var entries: [Entry] = []
            for (key, value) in table {
                guard keys.contains(key) else {
                    throw file.problem("\(prefix).\(key)", .unknownKey, "is not a key of \(prefix); its keys are " + keys.joined(separator: ", "))
                }
                let shown = value.table != nil ? (try? APIJSON.encode(Self.json(value), pretty: false)).map { String(decoding: $0, as: UTF8.self) }
                    : TOMLConfigFile.raw(value).shown
                entries.append(Entry(key: "\(prefix).\(key)", value: shown ?? "", source: file.source("\(prefix).\(key)")))
            }
            self.entries = entries.sorted { $0.key < $1.key }
        }

        func problem(_ key: String, _ kind: QuaeroConfigError.Kind, _ message: String) -> QuaeroConfigError {
            let at = file.source("\(prefix).\(key)")
            return QuaeroConfigError(kind, key: "\(prefix).\(key)", source: at, message: "\(at): \(message)")
        }

        /// The value of `key`, parsed by `kind`; nil when absent.
        func value<Value>(_ key: String, _ kind: ConfigValueKind<Value>) throws -> Value? {
            guard let value = table[key] else { return nil }
            let raw = TOMLConfigFile.raw(value)
            do {
                return try kind.parse(raw)
            } catch {
                throw problem(key, error.kind, "\(prefix).\(key) = \(raw.shown): \(error.problem); allowed: \(kind.allowed)")
            }
        }

        /// The value of `key`, which must be given.
        func required<Value>(_ key: String, _ kind: ConfigValueKind<Value>) throws -> Value {
            guard let value = try value(key, kind) else {
                throw problem(key, .invalidValue, "\(prefix) needs \(key) (\(kind.allowed))")
            }
            return value
        }

        /// The table under `key` as a JSON object; nil when absent.
        func json(_ key: String) throws -> [String: JSONValue]? {
            guard let value = table[key] else { return nil }
            guard let object = Self.json(value)?.objectValue else {
                throw problem(key, .wrongType, "\(prefix).\(key) must be a table, such as config = { older_than = \"30d\" }")
            }
            return object
        }

        private static func json(_ value: any TOMLValueConvertible) -> JSONValue? {
            switch value.type {
            case .string: return value.string.map(JSONValue.string)
            case .int: return value.int.map { .number(Double($0)) }
            case .double: return value.double.map(JSONValue.number)
            case .bool: return value.bool.map(JSONValue.bool)
            case .array: return value.array.map { .array($0.compactMap { json($0) }) }
            case .table:
                return value.table.map { table in
                    .object(Dictionary(uniqueKeysWithValues: table.compactMap { key, value in json(value).map { (key, $0) } }))
                }
            default: return .string("\(value)")
            }
        }
    }
}

extension ConfigValueKind where Value == Rate {
    /// A rate such as `10/s`.
    static var rate: ConfigValueKind<Rate> {
        ConfigValueKind<Rate>(allowed: Rate.allowed, parse: { raw throws(ConfigValueProblem) in
            try parseText(raw) { try Rate.parse($0) }
        }, show: { .string($0.text) })
    }
}

extension ConfigValueKind where Value == Rate? {
    /// A rate such as `10/s`, or empty for none.
    static var optionalRate: ConfigValueKind<Rate?> {
        ConfigValueKind<Rate?>(allowed: Rate.allowed + ", or empty for none", parse: { raw throws(ConfigValueProblem) in
            try parseText(raw) { $0.trimmingWhitespace().isEmpty ? nil : try Rate.parse($0) }
        }, show: { $0.map { .string($0.text) } ?? .unset })
    }
}

extension ConfigValueKind where Value == CronSchedule {
    /// A cron expression.
    static var cron: ConfigValueKind<CronSchedule> {
        ConfigValueKind<CronSchedule>(allowed: CronSchedule.allowed, parse: { raw throws(ConfigValueProblem) in
            try parseText(raw) { try CronSchedule($0) }
        }, show: { .string($0.expression) })
    }
}

extension ConfigValueKind where Value == TimeZone {
    /// An IANA time zone name.
    static var timeZone: ConfigValueKind<TimeZone> {
        ConfigValueKind<TimeZone>(allowed: "an IANA time zone such as UTC or Europe/Paris", parse: { raw throws(ConfigValueProblem) in
            try parseText(raw) { try ScheduleDefinition.timeZone($0) }
        }, show: { .string($0.identifier) })
    }
}

/// Text read by `read`, whose `QuaeroError` becomes the problem.
private func parseText<Value>(_ raw: RawConfigValue, _ read: (String) throws -> Value) throws(ConfigValueProblem) -> Value {
    let text: String
    switch raw {
    case .text(let value), .string(let value): text = value
    default: throw ConfigValueProblem(kind: .wrongType, problem: "not a string")
    }
    do {
        return try read(text)
    } catch let error as QuaeroError {
        throw ConfigValueProblem(kind: .invalidValue, problem: error.message)
    } catch {
        throw ConfigValueProblem(kind: .invalidValue, problem: "\(error)")
    }
}
