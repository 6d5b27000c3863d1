import QuaeroQueue

/// The overview's chart, drawn on the server as SVG: one bar per minute of the last hour, completed jobs
/// below and failed ones stacked on top, each bar with its numbers as a tooltip. Colours come from the
/// stylesheet's classes (no inline style).
enum ThroughputChart {
    static func svg(_ minutes: [JobMinuteCounts]) -> HTML {
        let width = 600.0, height = 130.0, top = 14.0, bottom = 16.0
        let peak = max(1, minutes.map { $0.completed + $0.failed }.max() ?? 0)
        let slot = width / Double(max(1, minutes.count))
        let scale = (height - top - bottom) / Double(peak)
        let bars = HTML.joined(minutes.enumerated().map { index, minute -> HTML in
            let x = Double(index) * slot
            let done = Double(minute.completed) * scale
            let fail = Double(minute.failed) * scale
            let base = height - bottom
            let label = "\(clock(minute.minute)) UTC: \(minute.completed) completed, \(minute.failed) failed"
            return """
                <g><title>\(label)</title>\
                <rect class="done" x="\(f(x + 1))" y="\(f(base - done))" width="\(f(slot - 2))" height="\(f(done))"></rect>\
                <rect class="fail" x="\(f(x + 1))" y="\(f(base - done - fail))" width="\(f(slot - 2))" height="\(f(fail))"></rect></g>
                """
        })
        let total = minutes.reduce(0) { $0 + $1.completed }
        let failed = minutes.reduce(0) { $0 + $1.failed }
        let first = minutes.first.map { clock($0.minute) } ?? ""
        let last = minutes.last.map { clock($0.minute) } ?? ""
        return """
            <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" \
            aria-label="Jobs ended per minute in the last hour: \(total) completed, \(failed) failed">
            <line class="axis" x1="0" y1="\(f(height - bottom))" x2="\(Int(width))" y2="\(f(height - bottom))"></line>
            <text x="2" y="10">\(peak)/min</text>
            <text x="2" y="\(Int(height) - 3)">\(first)</text>
            <text x="\(Int(width) - 30)" y="\(Int(height) - 3)">\(last)</text>
            \(bars)
            </svg>
            """
    }

    /// `HH:MM` of a minute since the epoch (UTC).
    private static func clock(_ minute: Int64) -> String {
        let ofDay = ((minute % 1440) + 1440) % 1440
        let hours = ofDay / 60, minutes = ofDay % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }

    /// A coordinate with one decimal.
    private static func f(_ value: Double) -> String {
        let tenths = (max(0, value) * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)"
    }
}
