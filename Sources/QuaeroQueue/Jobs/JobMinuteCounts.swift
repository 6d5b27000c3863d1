/// How many jobs ended in one minute: the overview's throughput and failure chart.
public struct JobMinuteCounts: Sendable, Hashable {
    /// The minute, in whole UTC minutes since the epoch (a time's milliseconds ÷ 60,000).
    public var minute: Int64
    /// Jobs that completed in it.
    public var completed: Int
    /// Jobs that failed in it.
    public var failed: Int

    /// Creates the counts of one minute.
    public init(minute: Int64, completed: Int = 0, failed: Int = 0) {
        self.minute = minute
        self.completed = completed
        self.failed = failed
    }
}

extension JobMinuteCounts {
    /// Every minute of `first...last`, oldest first: those of `stored`, zeros for the others.
    public static func filled(_ stored: [JobMinuteCounts], from first: Int64, through last: Int64) -> [JobMinuteCounts] {
        guard first <= last else { return [] }
        let byMinute = Dictionary(stored.map { ($0.minute, $0) }, uniquingKeysWith: { a, _ in a })
        return (first...last).map { byMinute[$0] ?? JobMinuteCounts(minute: $0) }
    }
}
