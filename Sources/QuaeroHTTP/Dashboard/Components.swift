import Foundation
import QuaeroQueue

/// Small pieces of markup every page uses: times, statuses, progress, links and action forms.
enum UI {
    /// A time as `YYYY-MM-DD HH:MM:SS` UTC, with its RFC 3339 form in `datetime`; a dash for none.
    static func time(_ millis: Int64?) -> HTML {
        guard let millis else { return "<span class=\"muted\">–</span>" }
        let full = RFC3339.string(millis: millis)
        let shown = full.prefix(19).replacingOccurrences(of: "T", with: " ")
        return "<time datetime=\"\(full)\" title=\"\(full)\">\(shown)</time>"
    }

    /// How long ago `millis` was, from `now` ("4 s ago", "3 min ago"); "in 2 s" for the future.
    static func ago(_ millis: Int64, now: Int64) -> String {
        let delta = now - millis
        return delta >= 0 ? "\(span(delta)) ago" : "in \(span(-delta))"
    }

    /// A span of milliseconds, rounded to its largest unit: 850 ms, 4.2 s, 3 min, 2 h, 5 d.
    static func span(_ millis: Int64) -> String {
        switch millis {
        case ..<1000: return "\(millis) ms"
        case ..<60_000: return String(format: "%.1f s", Double(millis) / 1000)
        case ..<3_600_000: return "\(millis / 60_000) min"
        case ..<172_800_000: return "\(millis / 3_600_000) h"
        default: return "\(millis / 86_400_000) d"
        }
    }

    /// A duration, as `span`.
    static func span(_ duration: Duration) -> String { span(duration.milliseconds) }

    /// A size in bytes: 812 B, 4.1 MB, 2.3 GB.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// A number with thousands separators.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// A status badge: job statuses and message states share the look (`.s-<name>`).
    static func badge(_ name: String) -> HTML {
        "<span class=\"badge s-\(name)\">\(name.replacingOccurrences(of: "_", with: " "))</span>"
    }

    /// A job's progress: a bar and "completed/total, failed" (nothing when it has none).
    static func progress(_ progress: JobProgress?) -> HTML {
        guard let progress, progress.total > 0 || progress.completed > 0 || progress.failed > 0 else { return .empty }
        let done = progress.completed + progress.failed
        let failed: HTML = progress.failed > 0 ? " · <span class=\"s-failed\">\(UI.count(progress.failed)) failed</span>" : .empty
        return """
            <progress value="\(done)" max="\(max(progress.total, done, 1))"></progress> \
            <span class="muted">\(UI.count(progress.completed))/\(UI.count(progress.total))</span>\(failed)
            """
    }

    /// A link to job `id`, showing its id (monospace).
    static func jobLink(_ id: String) -> HTML {
        "<a class=\"mono\" href=\"/ui/jobs/\(Dashboard.pathEscaped(id))\">\(id)</a>"
    }

    /// The hidden CSRF field of a form.
    static func csrfField(_ token: String) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(token)\">"
    }

    /// A one-button POST form. With `confirm`, the browser asks first (the server asks again when scripts
    /// are off).
    static func actionForm(_ action: String, label: String, csrf: String, confirm: String? = nil, style: String = "",
                           fields: [(String, String)] = []) -> HTML {
        let question: HTML = confirm.map { " data-confirm=\"\($0)\"" } ?? .empty
        let hidden = HTML.joined(fields.map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">" as HTML })
        return """
            <form class="inline" method="post" action="\(action)"\(question)>\(csrfField(csrf))\(hidden)\
            <button class="\(style)" type="submit">\(label)</button></form>
            """
    }

    /// A link to `url` when it is http(s) (a crawled page), plain text otherwise: no `javascript:` link can
    /// come from stored data.
    static func externalLink(_ url: String) -> HTML {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return "\(url)" }
        return "<a href=\"\(url)\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">\(url)</a>"
    }

    /// A JSON value, pretty-printed with sorted keys (an empty array or object on one line).
    static func json(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + json($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.keys.sorted().map { key in
                inner + scalar(.string(key)) + ": " + json(members[key]!, indent: inner)
            }.joined(separator: ",\n") + "\n\(indent)}"
        case .array: return "[]"
        case .object: return "{}"
        default: return scalar(value)
        }
    }

    /// A scalar as compact JSON.
    private static func scalar(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// A table row's cells.
    static func cells(_ cells: [HTML]) -> HTML {
        HTML.joined(cells.map { "<td>\($0)</td>" as HTML })
    }
}
