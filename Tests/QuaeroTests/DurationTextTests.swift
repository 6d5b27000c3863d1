import Quaero
import QuaeroQueue
import Testing

@Suite("Duration text")
struct DurationTextTests {
    @Test("parses units and sums", arguments: [
        ("500ms", Duration.milliseconds(500)), ("1s", .seconds(1)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
        ("7d", .seconds(604_800)), ("1m30s", .seconds(90)), (" 2s ", .seconds(2)), ("0s", .zero),
    ])
    func parses(text: String, expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test("refuses what is not a duration", arguments: ["", "5", "s", "1.5s", "-1s", "1 s", "5x", "1s2", "99999999999999999999d"])
    func refuses(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test("formats back to the shortest parseable form")
    func formats() {
        #expect(DurationText.format(.seconds(90)) == "1m30s")
        #expect(DurationText.format(.milliseconds(500)) == "500ms")
        #expect(DurationText.format(.zero) == "0s")
        #expect(DurationText.format(.seconds(300)) == "5m")
        for text in ["1h1m1s1ms", "2d", "45s"] {
            #expect(DurationText.format(DurationText.parse(text)!) == text)
        }
    }
}
