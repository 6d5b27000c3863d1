import QuaeroQueue
import Foundation
import TOMLKit

/// A `quaero.toml` file read into raw values, each with the line it is on.
struct TOMLConfigFile {
    /// The values by key, with their source (`path:line`).
    let values: [ConfigKey: (RawConfigValue, ConfigSource)]
    /// `[types.NAME]`, `[[limits]]` and `[[schedule]]`.
    let flow: FlowConfigFile

    /// Reads and parses the file at `path`.
    ///
    /// - Throws: `QuaeroConfigError` for a file that cannot be read, malformed TOML, or an unknown section or
    ///   key (naming its line).
    init(path: String, source: ConfigSource) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw QuaeroConfigError(.missingFile, key: nil, source: source,
                message: "cannot read the configuration file \(path) (given by \(source)): \(Self.reason(error))")
        }
        try self.init(text: text, path: path)
    }

    /// Parses TOML `text`, naming `path` in errors.
    init(text: String, path: String) throws {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let location = ConfigSource.file(path: path, line: error.source.begin.line)
            throw QuaeroConfigError(.malformedFile, key: nil, source: location,
                message: "\(location):\(error.source.begin.column): malformed TOML: \(error.description)")
        }
        let lines = TOMLLineIndex(text)
        var values: [ConfigKey: (RawConfigValue, ConfigSource)] = [:]
        for (sectionName, sectionValue) in table where !FlowConfigFile.sections.contains(sectionName) {
            let at = ConfigSource.file(path: path, line: lines.line(of: sectionName))
            guard let sectionTable = sectionValue.table else {
                throw QuaeroConfigError(.unknownKey, key: sectionName, source: at,
                    message: "\(at): unknown top-level key \(sectionName); every key belongs in a section: " + Self.sectionList)
            }
            guard let section = ConfigSection(rawValue: sectionName) else {
                throw QuaeroConfigError(.unknownKey, key: sectionName, source: at,
                    message: "\(at): unknown section [\(sectionName)]; the sections are " + Self.sectionList)
            }
            for (name, value) in sectionTable {
                let key = ConfigKey(section, name)
                let at = ConfigSource.file(path: path, line: lines.line(of: "\(sectionName).\(name)"))
                guard ConfigSetting.named(key) != nil else {
                    let known = ConfigSetting.all.filter { $0.key.section == section }.map(\.key.name)
                    throw QuaeroConfigError(.unknownKey, key: key.description, source: at,
                        message: "\(at): unknown key \(name) in [\(sectionName)]; the keys of [\(sectionName)] are "
                            + known.joined(separator: ", "))
                }
                values[key] = (Self.raw(value), at)
            }
        }
        self.values = values
        self.flow = try FlowConfigFile(table, path: path, lines: lines)
    }

    private static var sectionList: String {
        (ConfigSection.allCases.map { "[\($0.rawValue)]" } + ["[types.NAME]", "[[limits]]", "[[schedule]]"]).joined(separator: ", ")
    }

    static func raw(_ value: any TOMLValueConvertible) -> RawConfigValue {
        switch value.type {
        case .string: value.string.map(RawConfigValue.string) ?? .other("string")
        case .int: value.int.map(RawConfigValue.integer) ?? .other("integer")
        case .bool: value.bool.map(RawConfigValue.boolean) ?? .other("boolean")
        default: .other("\(value.type)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        return nsError.localizedDescription
    }
}

/// Finds the line of each `[section]` header and `key = value` in TOML text.
///
/// TOMLKit does not report where a key is, so this follows the simple layout a config file has: headers
/// and `key = value` lines (also `section.key = value`). A key it cannot place gets no line. The tables of
/// an array of tables (`[[schedule]]`) are `schedule[0]`, `schedule[1]`, ….
struct TOMLLineIndex {
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var section = ""
        var arrays: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingWhitespace()
            if trimmed.hasPrefix("[") {
                section = Self.unquote(trimmed.filter { $0 != "[" && $0 != "]" }.split(separator: "#").first ?? "")
                if trimmed.hasPrefix("[[") {
                    let count = arrays[section, default: 0]
                    arrays[section] = count + 1
                    section = "\(section)[\(count)]"
                }
                record(section, index + 1)
            } else if !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") {
                let key = Self.unquote(trimmed[..<equals])
                record(section.isEmpty ? key : "\(section).\(key)", index + 1)
            }
        }
    }

    /// The 1-based line of `key` (`section` or `section.name`), if found.
    func line(of key: String) -> Int? { lines[key] }

    private mutating func record(_ key: String, _ line: Int) {
        if lines[key] == nil { lines[key] = line }
        // A dotted key `queue.max_receive = 3` also places its section.
        if let dot = key.firstIndex(of: "."), lines[String(key[..<dot])] == nil { lines[String(key[..<dot])] = line }
    }

    private static func unquote(_ text: some StringProtocol) -> String {
        text.split(separator: ".").map { $0.trimmingWhitespace().filter { $0 != "\"" && $0 != "'" } }
            .joined(separator: ".")
    }
}
