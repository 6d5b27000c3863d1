import Foundation
import Hummingbird
@testable import Quaero
@testable import QuaeroHTTP
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Dashboard: escaping, CSRF, sign-in, live streams, read-only", .serialized, .timeLimit(.minutes(2)))
struct DashboardTests {
    static let hostile = "<script>alert('x')</script>"
    static let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"

    @Test("hostile job configs, errors and log lines stay text on every page and in live frames; one script, from the binary; a CSP without inline script")
    func escaping() async throws {
        try await withAPI({ $0.logs.flushInterval = .milliseconds(20) }) { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: "evil", config: ["note": .string(Self.hostile)],
                                                                     fields: ["url": .string("javascript:alert(1)")]))
            runtime.logService.append(jobID: job.id, level: .error, message: Self.hostile)
            try await runtime.logService.flush()
            let browser = DashboardBrowser(api)
            for page in ["/ui/jobs/\(job.id)", "/ui/jobs", "/ui/jobs?q=\(Dashboard.queryEscaped(Self.hostile))", "/ui",
                         "/ui/jobs/\(Dashboard.queryEscaped(Self.hostile))", "/ui/documents?q=\(Dashboard.queryEscaped(Self.hostile))"] {
                let answer = try await browser.get(page)
                #expect(!answer.text.contains("<script>alert"), "\(page) has a live script")
                #expect(answer.text.components(separatedBy: "<script").count == 2, "\(page): one script element, the file's")
                #expect(answer.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(answer.headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false)
                #expect(answer.headers[.contentType] == "text/html; charset=utf-8")
            }
            let detail = try await browser.get("/ui/jobs/\(job.id)")
            #expect(detail.text.contains(Self.escaped), "the config and the log line are shown, as text")
            #expect(!detail.text.contains("href=\"javascript:"), "no link from stored data but http(s)")
            let frames = try await readEvents("\(api.baseURL)/ui/events?topic=job&id=\(job.id)", headers: ["Cookie": browser.cookieHeader]) {
                $0.contains { $0.event == "append" }
            }
            let log = try #require(frames.first { $0.event == "append" })
            #expect(log.html.contains(Self.escaped) && !log.html.contains("<script>"))
            #expect(frames.allSatisfy { !$0.html.contains("<script>") })
        }
    }

    @Test("every action needs the page's CSRF token and a same-site request; with it, it runs and redirects")
    func csrf() async throws {
        try await withAPI { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            let cancel = "/ui/jobs/\(job.id)/cancel"
            let stranger = DashboardBrowser(api)
            #expect(try await stranger.request(.post, cancel, form: []).status == .forbidden, "no cookie, no token")
            let browser = DashboardBrowser(api)
            _ = try await browser.get("/ui")
            let token = try #require(browser.csrf)
            #expect(token.count == 32)
            #expect(try await browser.request(.post, cancel, form: []).status == .forbidden, "no token in the form")
            #expect(try await browser.request(.post, cancel, form: [("csrf", String(token.reversed()))]).status == .forbidden, "a wrong token")
            let crossSite = try await browser.request(.post, cancel, form: [("csrf", token)], headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(crossSite.status == .forbidden)
            #expect(crossSite.text.contains("another site"))
            #expect(try await runtime.jobManager.getJob(job.id).status == .pending, "nothing was done")
            let done = try await browser.post(cancel)
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/ui/jobs/\(job.id)?done=cancelled")
            #expect(try await runtime.jobManager.getJob(job.id).status == .cancelled)
            let again = try await browser.post(cancel)
            #expect(again.status == .conflict, "the API's answer, as a page")
            #expect(again.text.contains("already ended"))
        }
    }

    @Test("with api_token set, /ui asks for it once and keeps an HttpOnly SameSite=Strict session; the API still needs the bearer token")
    func signIn() async throws {
        try await withAPI({ $0.server.apiToken = "s3cret-token" }) { _, api in
            let browser = DashboardBrowser(api)
            let first = try await browser.get("/ui/jobs?status=failed")
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/ui/login?next=%2Fui%2Fjobs%3Fstatus%3Dfailed")
            #expect(try await browser.get("/ui/events?topic=overview").status == .unauthorized)
            #expect(try await browser.get(DashboardAssets.css.path).status == .ok, "assets need no session")
            let form = try await browser.get("/ui/login?next=%2Fui%2Fjobs")
            #expect(form.status == .ok && form.text.contains("type=\"password\""))
            let wrong = try await browser.post("/ui/login", [("token", "guess"), ("next", "/ui/jobs")])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[values: .setCookie].allSatisfy { !$0.hasPrefix(DashboardSession.cookie) })
            let right = try await browser.post("/ui/login", [("token", "s3cret-token"), ("next", "/ui/jobs")])
            #expect(right.status == .seeOther && right.headers[.location] == "/ui/jobs")
            let cookie = try #require(right.headers[values: .setCookie].first { $0.hasPrefix(DashboardSession.cookie) })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui"))
            #expect(try await browser.get("/ui/jobs").status == .ok)
            #expect(try await browser.get("/ui").text.contains("Sign out"))
            #expect(try await api.get("/api/jobs").status == .unauthorized, "the API is not opened by a dashboard session")

            // A forged or tampered session is no session; an outside `next` goes to /ui.
            let forged = DashboardBrowser(api)
            forged.setCookie(DashboardSession.cookie, "99999999999.AAAA")
            #expect(try await forged.get("/ui").status == .seeOther)
            let elsewhere = try await browser.post("/ui/login", [("token", "s3cret-token"), ("next", "//evil.example/")])
            #expect(elsewhere.headers[.location] == "/ui")
            let out = try await browser.post("/ui/logout")
            #expect(out.status == .seeOther && out.headers[.location] == "/ui/login")
            #expect(try await browser.get("/ui").status == .seeOther, "signed out")
        }
    }

    @Test("a page's stream resumes after Last-Event-ID (header, or last_event_id in the query) with the lines after it, and sends the state again")
    func resume() async throws {
        try await withAPI({ $0.logs.flushInterval = .milliseconds(20) }) { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            for i in 1...6 { runtime.logService.append(jobID: job.id, level: .info, message: "line \(i)") }
            try await runtime.logService.flush()
            let lines = try await runtime.logService.store.entries(jobID: job.id, limit: 100).reversed().map { $0 }
            let third = try #require(lines.first { $0.message == "line 3" })
            let browser = DashboardBrowser(api)
            _ = try await browser.get("/ui/jobs/\(job.id)")
            let url = "\(api.baseURL)/ui/events?topic=job&id=\(job.id)"
            for headers in [["Last-Event-ID": "\(third.id)"], [:]] {
                let target = headers.isEmpty ? url + "&last_event_id=\(third.id)" : url
                let frames = try await readEvents(target, headers: headers.merging(["Cookie": browser.cookieHeader]) { $1 }) {
                    $0.contains { $0.event == "append" }
                }
                let append = try #require(frames.first { $0.event == "append" })
                #expect(append.html.contains("line 4") && append.html.contains("line 6"), "\(headers): \(frames.map { "\($0.event) \($0.target) \($0.html.prefix(300))" })")
                #expect(!append.html.contains("line 3") && !append.html.contains("line 2"))
                #expect(append.id == lines.last.map { "\($0.id)" })
                #expect(frames.contains { $0.event == "replace" && $0.target == "job-facts" }, "the state is sent again")
            }
            // A change made after the page opened arrives on the open stream.
            let opened = Locked(false)
            async let following = readEvents(url, headers: ["Cookie": browser.cookieHeader, "Last-Event-ID": lines.last.map { "\($0.id)" } ?? ""]) { frames in
                if frames.contains(where: { $0.target == "job-facts" }) { opened.withLock { $0 = true } }
                // The job's event and the log's flush notice travel apart: wait for both.
                return frames.contains { $0.event == "append" && $0.html.contains("cancelled") }
                    && frames.contains { $0.target == "job-status" && $0.html.contains("cancelled") }
            }
            #expect(await waitUntil { opened.value })
            try await runtime.jobManager.cancel(job.id)
            try await runtime.logService.flush()  // the service's own timer does not run here
            let live = try await following
            #expect(live.contains { $0.target == "job-status" && $0.html.contains("cancelled") })
            #expect(live.contains { $0.event == "append" && $0.html.contains("cancelled") }, "its log line too")
            let bad = try await browser.request(.get, "/ui/events?topic=job&id=\(job.id)", headers: ["Last-Event-ID": "yesterday"])
            #expect(bad.status == .badRequest)
            #expect(try await browser.get("/ui/events?topic=nothing").status == .badRequest)
        }
    }

    @Test("read-only: every action is hidden, and every action route answers 403")
    func readOnly() async throws {
        try await withAPI({ $0.server.readOnlyUI = true }) { runtime, api in
            let job = try await runtime.jobManager.createJob(JobSpec(type: .cleanup))
            let browser = DashboardBrowser(api)
            for page in ["/ui", "/ui/jobs", "/ui/jobs/\(job.id)", "/ui/queue", "/ui/dead", "/ui/documents", "/ui/settings"] {
                let answer = try await browser.get(page)
                #expect(answer.status == .ok, "\(page)")
                #expect(!answer.text.contains("method=\"post\""), "\(page) offers an action")
                #expect(!answer.text.contains("/ui/jobs/new"), "\(page) links to the job form")
            }
            #expect(try await browser.get("/ui/jobs/new").status == .forbidden)
            for action in ["/ui/jobs/\(job.id)/cancel", "/ui/jobs/\(job.id)/rerun", "/ui/jobs/\(job.id)/delete", "/ui/dead/requeue", "/ui/dead/purge"] {
                let answer = try await browser.post(action, [("confirm", "yes"), ("all", "yes")])
                #expect(answer.status == .forbidden, "\(action)")
                #expect(answer.text.contains("read_only_ui"))
            }
            let start = try await browser.post("/ui/jobs", [("kind", "cleanup")])
            #expect(start.status == .forbidden)
            #expect(try await runtime.jobManager.getJob(job.id).status == .pending)
            #expect(try await runtime.jobManager.listJobs().count == 1)
        }
    }

    @Test("the job form's errors are the API's, beside their field; a good form opens the new job's page")
    func startJob() async throws {
        try await withAPI { runtime, api in
            let browser = DashboardBrowser(api)
            _ = try await browser.get("/ui/jobs/new")
            let bad = try await browser.post("/ui/jobs", [("kind", "crawl"), ("urls", "https://ok.example/\nftp://nope.example/"), ("max_depth", "deep")])
            #expect(bad.status == .unprocessableContent)
            let viaAPI = try await api.post("/api/jobs", #"{"type": "crawler", "config": {"urls": ["https://ok.example/", "ftp://nope.example/"], "max_depth": "deep", "same_host": false}}"#)
            #expect(bad.text.contains("<div class=\"error\" id=\"max_depth-error\">\(HTML.escape(viaAPI.errorMessage))</div>"), "\(viaAPI.errorMessage)")
            #expect(bad.text.contains("ftp://nope.example/"), "what was typed stays in the form")
            let good = try await browser.post("/ui/jobs", [("kind", "cleanup"), ("older_than", "2h"), ("status_filter", "failed")])
            #expect(good.status == .seeOther)
            let location = try #require(good.headers[.location])
            #expect(location.hasPrefix("/ui/jobs/") && location.hasSuffix("?done=created"))
            let jobs = try await runtime.jobManager.listJobs()
            #expect(jobs.count == 1 && jobs[0].type == .cleanup && jobs[0].config["older_than"] == .string("2h"))
            #expect(try await browser.get(location).text.contains("The job was created"))
        }
    }

    @Test("assets come from the binary, under 100 KB with at most ~200 lines of script; unknown /ui paths are pages")
    func assets() async throws {
        #expect(DashboardAssets.totalBytes < 100_000)
        let script = String(decoding: DashboardAssets.js.bytes, as: UTF8.self)
        #expect(script.split(separator: "\n").count <= 200)
        try await withAPI { _, api in
            let browser = DashboardBrowser(api)
            for asset in DashboardAssets.all {
                let answer = try await browser.get(asset.path)
                #expect(answer.status == .ok && answer.headers[.contentType] == asset.contentType)
                #expect(answer.headers[.cacheControl]?.contains("immutable") == true)
            }
            let missing = try await browser.get("/ui/nowhere")
            #expect(missing.status == .notFound && missing.headers[.contentType] == "text/html; charset=utf-8")
            #expect(try await browser.get("/ui/assets/nothing.js").status == .notFound)
            let overview = try await browser.get("/ui")
            #expect(overview.headers[DashboardHeadersMiddleware.serverTiming]?.hasPrefix("app;dur=") == true)
        }
    }

    @Test("the overview shows the HTTP workers with the types they serve")
    func overviewWorkers() async throws {
        try await withAPI { runtime, api in
            _ = try await runtime.jobManager.claimJobs(try WorkerClaim(types: ["thumbnail"], worker: "thumbnailer-1"))
            let overview = try await DashboardBrowser(api).get("/ui")
            #expect(overview.text.contains("HTTP workers"))
            #expect(overview.text.contains("<td>thumbnailer-1</td><td>thumbnail</td>"))
        }
    }
}
