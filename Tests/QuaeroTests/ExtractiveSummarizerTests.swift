@testable import Quaero
import Testing

@Suite("Extractive summarizer: sentences, scoring, a fixed text")
struct ExtractiveSummarizerTests {
    static let title = "Honeybees and pollination"
    static let text = """
        Honeybees
        Home | About | Contact
        Honeybees live in colonies of up to sixty thousand bees. Each colony has one queen, thousands of workers and a few hundred drones.
        Worker bees collect nectar and pollen from flowers. While they collect nectar, the bees carry pollen from flower to flower, and this pollination lets the plants make seeds and fruit.
        Many crops depend on bee pollination: almonds, apples and blueberries would yield far less without bees.
        Dr. Smith of the U.S. Department of Agriculture estimates that bee pollination adds billions of dollars to crop value every year.
        The weather was pleasant yesterday.
        Beekeepers move hives between orchards so that the bees can pollinate the crops when the flowers open.
        """

    @Test("a fixed text gives exactly this summary")
    func fixedText() {
        let summary = ExtractiveSummarizer().summary(title: Self.title, text: Self.text)
        #expect(summary == """
            Worker bees collect nectar and pollen from flowers. \
            While they collect nectar, the bees carry pollen from flower to flower, and this pollination lets the plants make seeds and fruit. \
            Many crops depend on bee pollination: almonds, apples and blueberries would yield far less without bees.
            """)
        #expect(ExtractiveSummarizer(maxSentences: 1).summary(title: Self.title, text: Self.text)
                == "While they collect nectar, the bees carry pollen from flower to flower, and this pollination lets the plants make seeds and fruit.")
    }

    @Test("the same input always gives the same summary")
    func deterministic() {
        let summarizer = ExtractiveSummarizer(maxSentences: 2)
        let first = summarizer.summary(title: Self.title, text: Self.text)
        for _ in 0..<20 { #expect(summarizer.summary(title: Self.title, text: Self.text) == first) }
    }

    @Test("sentences: ends of sentences, abbreviations, initials, decimals, quotes, lines")
    func sentences() {
        #expect(SentenceSplitter.sentences(in: "One. Two! Three? Four") == ["One.", "Two!", "Three?", "Four"])
        #expect(SentenceSplitter.sentences(in: "Dr. Smith met Mr. J. Jones at 3.5 km. Then e.g. lunch. Fine.")
                == ["Dr. Smith met Mr. J. Jones at 3.5 km.", "Then e.g. lunch.", "Fine."])
        #expect(SentenceSplitter.sentences(in: "He said \"Stop.\" Then left... Why?! \"Quoted\" start.")
                == ["He said \"Stop.\"", "Then left...", "Why?!", "\"Quoted\" start."])
        #expect(SentenceSplitter.sentences(in: "lower case after. the period joins. Version 2.0 is out.")
                == ["lower case after. the period joins.", "Version 2.0 is out."])
        #expect(SentenceSplitter.sentences(in: "Title line\n\n  Body one.  Body two.\n") == ["Title line", "Body one.", "Body two."])
        #expect(SentenceSplitter.sentences(in: "  \n ").isEmpty)
    }

    @Test("words: lowercased, apostrophes kept inside, stop words, numbers and single letters dropped")
    func words() {
        #expect(ExtractiveSummarizer.words(in: "Don’t STOP the bees' work, 42 x") == ["don't", "stop", "the", "bees", "work", "42", "x"])
        #expect(ExtractiveSummarizer.contentWords(in: "Don’t STOP the bees' work, 42 x") == ["stop", "bees", "work"])
        #expect(ExtractiveSummarizer.contentWords(in: "Café naïve Größe") == ["café", "naïve", "größe"])
    }

    @Test("short texts come back whole; empty text gives an empty summary")
    func shortTexts() async throws {
        let summarizer = ExtractiveSummarizer(maxSentences: 3)
        #expect(summarizer.summary(text: "") == "")
        #expect(summarizer.summary(text: "Only one sentence here.") == "Only one sentence here.")
        #expect(summarizer.summary(text: "One.\nTwo.\nThree.") == "One. Two. Three.")
        #expect(try await summarizer.summarize(title: "", text: "A. B.") == "A. B.")
        #expect(ExtractiveSummarizer(maxSentences: 0).maxSentences == 1)
    }

    @Test("menus and other short lines lose to real sentences; the title tips the balance")
    func shortLinesAndTitle() {
        let text = "Home Menu\nCats sleep most of the day in warm places.\nDogs need long walks every single day.\nBirds sing."
        #expect(ExtractiveSummarizer(maxSentences: 1).summary(title: "Dogs", text: text) == "Dogs need long walks every single day.")
        #expect(ExtractiveSummarizer(maxSentences: 1).summary(title: "Cats", text: text) == "Cats sleep most of the day in warm places.")
    }
}
