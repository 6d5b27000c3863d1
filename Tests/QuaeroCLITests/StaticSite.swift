import Foundation
import QuaeroTestSupport
import Testing

/// HTML pages served on 127.0.0.1 by Python's http.server (the machine's python3), from a folder of files.
final class StaticSite: Sendable {
    /// `http://127.0.0.1:PORT`.
    let base: String
    private let server: BackgroundProcess

    /// Writes each page (path → (title, body text, links)) under `folder` and serves the folder on a free port.
    init(in folder: URL, pages: [String: (title: String, body: String, links: [String])]) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (path, page) in pages {
            let file = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let anchors = page.links.map { "<a href=\"\($0)\">\($0)</a>" }.joined(separator: " ")
            let html = "<html><head><title>\(page.title)</title></head><body><p>\(page.body)</p>\(anchors)</body></html>"
            try Data(html.utf8).write(to: file)
        }
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "the test site needs Debian's python3")
        let server = try BackgroundProcess("/usr/bin/python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1"], in: folder)
        self.server = server
        try #require(await waitUntil(timeout: .seconds(10)) { server.output().contains("Serving HTTP") },
                     "the test site did not start: \(server.output())")
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ...": the port the system chose.
        let port = try #require(server.output().components(separatedBy: " port ").dropFirst().first?
            .split(separator: " ").first.flatMap { Int($0) })
        base = "http://127.0.0.1:\(port)"
    }

    /// Stops the server.
    func stop() { server.kill() }
}
