/// The built-in summarizer: picks the page's most representative sentences, offline and deterministically.
///
/// 1. The text is split into sentences: each line (a block of the page) separately, at `.`, `!` or `?`
///    followed by a space and a capital, digit or quote, but not after a known abbreviation or an initial.
/// 2. Words are lowercased runs of letters and digits; stop words, single characters and numbers are dropped.
/// 3. A word weighs its count divided by the count of the most frequent word, plus 0.5 if it is in the title.
/// 4. A sentence scores the sum of its words' weights divided by the square root of how many it has, so
///    that neither long nor short sentences win by length alone. Sentences under `minimumWords` words
///    (menus, captions) only count when there is nothing else.
/// 5. The `maxSentences` best (the earlier one on a tie) are returned in their original order, joined by
///    spaces.
public struct ExtractiveSummarizer: DocumentSummarizer {
    /// How many sentences a summary has at most.
    public var maxSentences: Int
    /// Sentences with fewer words are passed over while longer ones exist.
    public var minimumWords: Int

    /// Creates a summarizer.
    /// - Parameters:
    ///   - maxSentences: sentences in a summary at most (at least 1 is used).
    ///   - minimumWords: the shortest sentence that competes, in words.
    public init(maxSentences: Int = 3, minimumWords: Int = 4) {
        self.maxSentences = max(1, maxSentences)
        self.minimumWords = minimumWords
    }

    /// The summary of the page (never throws: `DocumentSummarizer` conformance).
    public func summarize(title: String, text: String) async throws -> String {
        summary(title: title, text: text)
    }

    /// The summary of `text`; empty when the text has no words.
    public func summary(title: String = "", text: String) -> String {
        let sentences = SentenceSplitter.sentences(in: text)
        guard sentences.count > maxSentences else { return sentences.joined(separator: " ") }
        let words = sentences.map { Self.contentWords(in: $0) }
        var counts: [String: Int] = [:]
        for sentenceWords in words { for word in sentenceWords { counts[word, default: 0] += 1 } }
        guard let top = counts.values.max() else { return Array(sentences.prefix(maxSentences)).joined(separator: " ") }
        let titleWords = Set(Self.contentWords(in: title))

        let long = sentences.indices.filter { Self.wordCount(sentences[$0]) >= minimumWords }
        let candidates = long.isEmpty ? Array(sentences.indices) : long
        let scored = candidates.map { index -> (index: Int, score: Double) in
            let sentenceWords = words[index]
            guard !sentenceWords.isEmpty else { return (index, 0) }
            let total = sentenceWords.reduce(0.0) { sum, word in
                sum + Double(counts[word] ?? 0) / Double(top) + (titleWords.contains(word) ? 0.5 : 0)
            }
            return (index, total / Double(sentenceWords.count).squareRoot())
        }
        let best = scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }.prefix(maxSentences)
        return best.map(\.index).sorted().map { sentences[$0] }.joined(separator: " ")
    }

    /// The lowercased words of `text` that carry meaning: no stop words, single characters or numbers.
    static func contentWords(in text: String) -> [String] {
        words(in: text).filter { $0.count > 1 && !StopWords.english.contains($0) && !$0.allSatisfy(\.isNumber) }
    }

    /// Runs of letters and digits (an apostrophe inside a word is kept: "don't"), lowercased.
    static func words(in text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var previous: Character?
        for character in text {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if (character == "'" || character == "’"), previous?.isLetter == true, !current.isEmpty {
                current.append("'")
            } else if !current.isEmpty {
                out.append(current.lowercased())
                current = ""
            }
            previous = character
        }
        if !current.isEmpty { out.append(current.lowercased()) }
        return out.map { $0.hasSuffix("'") ? String($0.dropLast()) : $0 }
    }

    private static func wordCount(_ sentence: String) -> Int { words(in: sentence).count }
}
