/// Markup that is safe to send. Text interpolated into it is escaped unless it is itself `HTML`, so escaping is
/// on by default: a job's config, a log line or an error that holds `<script>` stays text.
///
/// Literal parts are markup written in this module's source; everything else comes in through interpolation:
/// `"<td>\(job.type.rawValue)</td>" as HTML`.
struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    private(set) var markup: String

    /// Markup written in source.
    init(stringLiteral markup: String) {
        self.markup = markup
    }

    init(stringInterpolation: Interpolation) {
        markup = stringInterpolation.markup
    }

    /// Nothing.
    static let empty: HTML = ""

    /// The markup as it goes out.
    var description: String { markup }

    /// Markup the caller vouches for (assets compiled into the binary, markup built by this module).
    static func trusted(_ markup: String) -> HTML {
        var html = HTML.empty
        html.markup = markup
        return html
    }

    /// Two pieces of markup, one after the other.
    static func + (lhs: HTML, rhs: HTML) -> HTML { trusted(lhs.markup + rhs.markup) }

    /// Joins pieces of markup.
    static func joined(_ pieces: some Sequence<HTML>, separator: HTML = .empty) -> HTML {
        trusted(pieces.map(\.markup).joined(separator: separator.markup))
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` escaped: safe in element content and in quoted attribute values.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) { markup += literal }

        /// Markup, as it is.
        mutating func appendInterpolation(_ html: HTML) { markup += html.markup }

        /// Markup pieces, one after another.
        mutating func appendInterpolation(_ pieces: [HTML]) {
            for piece in pieces { markup += piece.markup }
        }

        /// Text, escaped.
        mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }

        /// Text, escaped.
        mutating func appendInterpolation(_ text: Substring) { markup += HTML.escape(String(text)) }

        /// A number.
        mutating func appendInterpolation<Number: BinaryInteger>(_ number: Number) { markup += "\(number)" }
    }
}
