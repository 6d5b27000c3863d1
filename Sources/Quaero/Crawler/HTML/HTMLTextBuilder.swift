/// Collects visible text: runs of whitespace become one space, and each block ends its line.
struct HTMLTextBuilder {
    private var lines: [String] = []
    private var line = String.UnicodeScalarView()
    private var pendingSpace = false

    /// Appends the text of a text node.
    mutating func append(_ text: String) {
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !line.isEmpty
            } else {
                if pendingSpace { line.append(" ") }
                pendingSpace = false
                line.append(scalar)
            }
        }
    }

    /// Ends the current line, if it has any text (a block element or `<br>` ended).
    mutating func breakLine() {
        if !line.isEmpty { lines.append(String(line)) }
        line = String.UnicodeScalarView()
        pendingSpace = false
    }

    /// The text so far, lines joined by newlines.
    mutating func finish() -> String {
        breakLine()
        return lines.joined(separator: "\n")
    }

    /// `text` with whitespace collapsed to single spaces and trimmed.
    static func collapse(_ text: String) -> String {
        var builder = HTMLTextBuilder()
        builder.append(text)
        return builder.finish()
    }
}
