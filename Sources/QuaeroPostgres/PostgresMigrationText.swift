import Foundation
/// The statements of a SQL file, in order: the store runs one statement
/// at a time, so a migration file is split at the semicolons that end statements — not those inside
/// comments, quoted strings, quoted names or dollar-quoted bodies.
public enum PostgresMigrationText {
    /// The statements of `text`, in order, trimmed.
    public static func statements(_ text: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var chars = Array(text)[...]
        func flush() {
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty, !isOnlyComments(trimmed) { statements.append(trimmed) }
            current = ""
        }
        while let c = chars.popFirst() {
            switch c {
            case "-" where chars.first == "-":
                // A line comment: kept (harmless), up to the end of the line.
                current.append(c)
                while let next = chars.popFirst() {
                    current.append(next)
                    if next == "\n" { break }
                }
            case "'", "\"":
                current.append(c)
                while let next = chars.popFirst() {
                    current.append(next)
                    if next == c {
                        if chars.first == c { current.append(chars.removeFirst()) } else { break }
                    }
                }
            case "$":
                // A dollar quote: $tag$ ... $tag$.
                var tag = "$"
                var lookahead = chars
                while let next = lookahead.first, next.isLetter || next.isNumber || next == "_" {
                    tag.append(next)
                    lookahead.removeFirst()
                }
                if lookahead.first == "$" {
                    tag.append("$")
                    lookahead.removeFirst()
                    current += tag
                    chars = lookahead
                    while !chars.isEmpty {
                        if chars.starts(with: tag) {
                            current += tag
                            chars.removeFirst(tag.count)
                            break
                        }
                        current.append(chars.removeFirst())
                    }
                } else {
                    current.append(c)
                }
            case ";":
                flush()
            default:
                current.append(c)
            }
        }
        flush()
        return statements
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
    }
}
