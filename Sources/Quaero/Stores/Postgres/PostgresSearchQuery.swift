import Foundation
import QuaeroQueue

/// A search query in the forms `documents search` takes on SQLite (FTS5's: words, "phrases", OR, AND, NOT,
/// prefixes `word*`, column filters `title:` and `text:`, parentheses) as a PostgreSQL `tsquery` text for
/// `to_tsquery('english', …)`, which stems each word as the documents' vectors were stemmed.
///
/// What FTS5 has and PostgreSQL does not: `NEAR(…)` and `^` (start of column) are refused with a clear error;
/// diacritics are not folded (FTS5's `remove_diacritics`), so `cafe` does not find `café`.
struct PostgresSearchQuery {
    /// The `tsquery` text.
    let tsquery: String

    /// Translates `text`.
    ///
    /// - Throws: `invalidArgument` naming what is wrong and how to search for words literally.
    init(_ text: String) throws {
        var parser = Parser(tokens: try Self.tokens(text, query: text)[...], query: text)
        let expression = try parser.orExpression()
        if let extra = parser.tokens.first { throw Self.invalid(text, "unexpected \(extra)") }
        tsquery = expression
    }

    static func invalid(_ query: String, _ reason: String) -> QuaeroError {
        QuaeroError(.invalidArgument,
            "the search query \"\(query)\" is not valid search syntax (\(reason)); put words in double quotes to search for them literally")
    }

    enum Token: Equatable, CustomStringConvertible {
        case word(String, prefix: Bool)
        case phrase([String], prefix: Bool)
        case column(String)
        case open, close, or, and, not

        var description: String {
            switch self {
            case .word(let w, _): "\"\(w)\""
            case .phrase(let words, _): "\"\(words.joined(separator: " "))\""
            case .column(let c): "\(c):"
            case .open: "("
            case .close: ")"
            case .or: "OR"
            case .and: "AND"
            case .not: "NOT"
            }
        }
    }

    /// The columns of a document that a filter may name, and their weights in its vector (m0001).
    static let columns = ["title": "A", "text": "B"]

    static func tokens(_ text: String, query: String) throws -> [Token] {
        var tokens: [Token] = []
        var chars = Array(text)[...]
        while let c = chars.first {
            if c.isWhitespace { chars.removeFirst(); continue }
            switch c {
            case "(": tokens.append(.open); chars.removeFirst()
            case ")": tokens.append(.close); chars.removeFirst()
            case "\"":
                chars.removeFirst()
                var phrase = ""
                var closed = false
                while let next = chars.popFirst() {
                    if next == "\"" {
                        if chars.first == "\"" { phrase.append(chars.removeFirst()); continue }
                        closed = true
                        break
                    }
                    phrase.append(next)
                }
                guard closed else { throw invalid(query, "a phrase lacks its closing double quote") }
                let prefix = chars.first == "*"
                if prefix { chars.removeFirst() }
                let words = phrase.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
                if !words.isEmpty { tokens.append(.phrase(words, prefix: prefix)) }
            case "*": throw invalid(query, "* must follow a word")
            case "^": throw invalid(query, "^ (start of a column) is not supported on PostgreSQL")
            default:
                var word = ""
                while let next = chars.first, !next.isWhitespace, !"()\":*^".contains(next) {
                    word.append(next)
                    chars.removeFirst()
                }
                if chars.first == ":" {
                    chars.removeFirst()
                    guard columns[word] != nil else { throw invalid(query, "there is no column \"\(word)\"; the columns are title and text") }
                    tokens.append(.column(word))
                    continue
                }
                let prefix = chars.first == "*"
                if prefix { chars.removeFirst() }
                switch word {
                case "OR" where !prefix: tokens.append(.or)
                case "AND" where !prefix: tokens.append(.and)
                case "NOT" where !prefix: tokens.append(.not)
                case "NEAR" where chars.first == "(": throw invalid(query, "NEAR is not supported on PostgreSQL; use a \"phrase\"")
                default:
                    let parts = word.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
                    if parts.count == 1 { tokens.append(.word(parts[0], prefix: prefix)) }
                    else if parts.count > 1 { tokens.append(.phrase(parts, prefix: prefix)) }
                }
            }
        }
        return tokens
    }

    /// A recursive-descent parser: OR binds loosest, then AND (also implicit, between neighbours), then NOT
    /// (binary, as FTS5's: `a NOT b` is a and not b), then a column filter, a group, a word or a phrase.
    struct Parser {
        var tokens: ArraySlice<Token>
        let query: String

        mutating func orExpression() throws -> String {
            var parts = [try andExpression()]
            while tokens.first == .or {
                tokens.removeFirst()
                parts.append(try andExpression())
            }
            return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " | ") + ")"
        }

        mutating func andExpression() throws -> String {
            var parts = [try notExpression()]
            while let next = tokens.first, next != .or, next != .close {
                if next == .and { tokens.removeFirst() }
                parts.append(try notExpression())
            }
            return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " & ") + ")"
        }

        mutating func notExpression() throws -> String {
            var result = try primary(column: nil)
            while tokens.first == .not {
                tokens.removeFirst()
                result = "(\(result) & !\(try primary(column: nil)))"
            }
            return result
        }

        mutating func primary(column: String?) throws -> String {
            guard let token = tokens.popFirst() else {
                throw PostgresSearchQuery.invalid(query, "it ends where a word was expected")
            }
            let weight = column.flatMap { PostgresSearchQuery.columns[$0] } ?? ""
            switch token {
            case .word(let word, let prefix):
                return lexeme(word, weight: weight, prefix: prefix)
            case .phrase(let words, let prefix):
                let lexemes = words.enumerated().map { i, w in lexeme(w, weight: weight, prefix: prefix && i == words.count - 1) }
                return lexemes.count == 1 ? lexemes[0] : "(" + lexemes.joined(separator: " <-> ") + ")"
            case .column(let name):
                return try primary(column: name)
            case .open:
                let inner = try orExpression()
                guard tokens.popFirst() == .close else { throw PostgresSearchQuery.invalid(query, "a ( is not closed") }
                if let weight = column.flatMap({ PostgresSearchQuery.columns[$0] }), !weight.isEmpty {
                    throw PostgresSearchQuery.invalid(query, "a column filter applies to a word or a phrase here, not to a group (\(weight))")
                }
                return inner
            default:
                throw PostgresSearchQuery.invalid(query, "\(token) where a word was expected")
            }
        }

        /// A quoted lexeme for to_tsquery, stemmed by it: `'word'`, `'word':*`, `'word':A`.
        private func lexeme(_ word: String, weight: String, prefix: Bool) -> String {
            let quoted = "'" + word.replacingOccurrences(of: "'", with: "''").replacingOccurrences(of: "\\", with: "\\\\") + "'"
            let label = (prefix ? "*" : "") + weight
            return label.isEmpty ? quoted : quoted + ":" + label
        }
    }
}
