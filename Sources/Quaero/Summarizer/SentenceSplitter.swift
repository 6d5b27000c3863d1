import QuaeroQueue

/// Splits text into sentences, without regular expressions and without a language model.
enum SentenceSplitter {
    /// Words after which a period does not end a sentence.
    private static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "eg", "ie", "no", "fig",
        "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
        "dec", "approx", "dept", "est", "vol", "cf", "al", "u.s", "a.m", "p.m",
    ]
    private static let closers: Set<Character> = ["\"", "'", "”", "’", ")", "]", "»"]
    private static let openers: Set<Character> = ["\"", "'", "“", "‘", "(", "[", "«", "¿", "¡"]

    /// The sentences of `text`, trimmed, in order; every line break also ends a sentence.
    static func sentences(in text: String) -> [String] {
        var out: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let characters = Array(line)
            var start = 0
            var i = 0
            while i < characters.count {
                let character = characters[i]
                if character == "." || character == "!" || character == "?" || character == "…" {
                    var end = i + 1
                    while end < characters.count, characters[end] == "." || characters[end] == "!" || characters[end] == "?" { end += 1 }
                    while end < characters.count, closers.contains(characters[end]) { end += 1 }
                    if isBoundary(characters, mark: i, after: end) {
                        append(characters[start..<end], to: &out)
                        start = end
                        i = end
                        continue
                    }
                }
                i += 1
            }
            append(characters[start...], to: &out)
        }
        return out
    }

    /// Whether the mark at `mark`, whose closing punctuation ends before `after`, ends a sentence.
    private static func isBoundary(_ characters: [Character], mark: Int, after: Int) -> Bool {
        guard after < characters.count else { return true }
        guard characters[after].isWhitespace else { return false }
        var next = after
        while next < characters.count, characters[next].isWhitespace { next += 1 }
        guard next < characters.count else { return true }
        let following = characters[next]
        guard following.isUppercase || following.isNumber || openers.contains(following) else { return false }
        if characters[mark] != "." { return true }
        // The word before the period: an abbreviation or a single initial does not end the sentence.
        var wordStart = mark
        while wordStart > 0, characters[wordStart - 1].isLetter || characters[wordStart - 1] == "." { wordStart -= 1 }
        let word = String(characters[wordStart..<mark]).lowercased()
        if word.count == 1 && word.first?.isLetter == true { return false }
        return !abbreviations.contains(word)
    }

    private static func append(_ characters: ArraySlice<Character>, to out: inout [String]) {
        let sentence = String(characters).trimmingWhitespace()
        if !sentence.isEmpty { out.append(sentence) }
    }
}
