import Quaero
import Hummingbird
import HTTPTypes

/// The page around every dashboard page: the head (stylesheet and script from the binary, nothing inline),
/// the navigation, the live indicator and theme switch, and the keyboard help.
extension Dashboard {
    /// The sections of the navigation.
    enum Section: String, CaseIterable {
        case overview, jobs, newJob, queue, dead, documents, settings, none

        var title: String {
            switch self {
            case .overview: "Overview"
            case .jobs: "Jobs"
            case .newJob: "Start a job"
            case .queue: "Queue"
            case .dead: "Dead letters"
            case .documents: "Documents"
            case .settings: "Settings"
            case .none: ""
            }
        }

        var path: String {
            switch self {
            case .overview: "/ui"
            case .jobs: "/ui/jobs"
            case .newJob: "/ui/jobs/new"
            case .queue: "/ui/queue"
            case .dead: "/ui/dead"
            case .documents: "/ui/documents"
            case .settings: "/ui/settings"
            case .none: "/ui"
            }
        }
    }

    /// A whole page.
    /// - Parameters:
    ///   - events: the page's event stream (`/ui/events?...`), when it updates live.
    ///   - csrf: the CSRF token of the page's forms (the sign-out form among them).
    func page(_ title: String, section: Section, csrf: String, events: String? = nil, status: HTTPResponse.Status = .ok,
              _ content: HTML) -> Response {
        let nav = HTML.joined(Section.allCases.filter { $0 != .none && !($0 == .newJob && readOnly) }.map { item in
            let current: HTML = item == section ? " aria-current=\"page\"" : .empty
            return "<a href=\"\(item.path)\"\(current)>\(item.title)</a>"
        })
        let live: HTML = events == nil ? .empty : "<span id=\"live\" data-state=\"connecting\">connecting</span>"
        let signOut: HTML = session == nil || csrf.isEmpty ? .empty : UI.actionForm("/ui/logout", label: "Sign out", csrf: csrf)
        let eventsAttribute: HTML = events.map { " data-events=\"\($0)\"" } ?? .empty
        let readOnlyNote: HTML = readOnly ? "<span class=\"badge\" title=\"[server] read_only_ui = true\">read-only</span>" : .empty
        return Dashboard.html("""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Quaero</title>
            <link rel="icon" href="\(DashboardAssets.icon.path)" type="image/svg+xml">
            <link rel="stylesheet" href="\(DashboardAssets.css.path)">
            <script src="\(DashboardAssets.js.path)" defer></script>
            </head>
            <body\(eventsAttribute)>
            <header class="top">
            <a class="brand" href="/ui">Quaero</a>
            <nav>\(nav)</nav>
            <div class="tools">\(readOnlyNote)\(live)<button id="theme" type="button" hidden>Theme</button>\(signOut)</div>
            </header>
            <main>
            \(content)
            </main>
            <div id="keys" hidden><h2>Keyboard</h2><dl class="facts">
            <dt><kbd>j</kbd> <kbd>k</kbd></dt><dd>next, previous row</dd><dt><kbd>Enter</kbd></dt><dd>open the row</dd>
            <dt><kbd>/</kbd></dt><dd>search</dd><dt><kbd>t</kbd></dt><dd>switch theme</dd>
            <dt><kbd>g</kbd> then <kbd>o</kbd> <kbd>j</kbd> <kbd>n</kbd> <kbd>q</kbd> <kbd>x</kbd> <kbd>d</kbd> <kbd>s</kbd></dt>
            <dd>overview, jobs, new job, queue, dead letters, documents, settings</dd>
            <dt><kbd>?</kbd></dt><dd>this help</dd></dl></div>
            </body>
            </html>
            """, status: status)
    }

    /// The page of an error: its status and its sentence.
    func errorPage(_ error: DashboardError, path: String, csrf: String) -> Response {
        page("Error \(error.status.code)", section: .none, csrf: csrf, status: error.status, """
            <h1>\(error.status.code) \(error.status.reasonPhrase)</h1>
            <p class="notice bad">\(error.message)</p>
            <p><a href="/ui">Back to the overview</a></p>
            """)
    }
}
