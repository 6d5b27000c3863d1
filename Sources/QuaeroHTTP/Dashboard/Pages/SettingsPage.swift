import Quaero
import Foundation
import Hummingbird
import HTTPTypes
import QuaeroQueue

/// Settings, `/ui/settings`: the version, the store, the schema version of each migration chain, and the
/// effective configuration with each value's source (secrets hidden, as `quaero config` shows them).
extension Dashboard {
    func addSettings(to ui: RouterGroup<DashboardContext>) {
        ui.get("/settings") { _, context -> Response in
            let versions = try await QuaeroApp.schemaVersions(self.runtime.store)
            let chains = HTML.joined(versions.keys.sorted().map { "<dt>\($0)</dt><dd>\(versions[$0] ?? 0)</dd>" as HTML })
            let rows = HTML.joined(self.settings.entries.map { entry -> HTML in
                """
                <tr data-row><td class="mono">\(entry.key.description)</td><td class="mono">\(entry.value.description)</td>\
                <td>\(entry.source.description)</td><td class="muted">\(entry.summary)</td></tr>
                """
            })
            return self.page("Settings", section: .settings, csrf: context.csrfToken, """
                <h1>Settings</h1>
                <div class="grid">
                <section class="panel"><h2>Quaero</h2><dl class="facts">
                <dt>Version</dt><dd>\(quaeroVersion)</dd><dt>Store</dt><dd>\(self.runtime.store.description)</dd>
                <dt>Configuration file</dt><dd>\(self.settings.file ?? "none")</dd>
                <dt>Dashboard</dt><dd>\(self.readOnly ? "read-only" : "actions enabled")\(self.session == nil ? ", no sign-in (no api_token)" : ", signed in with the API token")</dd>
                <dt>Dashboard assets</dt><dd>\(UI.bytes(Int64(DashboardAssets.totalBytes))), compiled into the binary</dd>
                </dl></section>
                <section class="panel"><h2>Schema versions</h2><dl class="facts">\(chains)</dl></section>
                <section class="panel wide"><h2>Effective configuration</h2>
                <table><thead><tr><th>key</th><th>value</th><th>source</th><th>meaning</th></tr></thead><tbody>\(rows)</tbody></table>
                </section></div>
                """)
        }
    }

    /// The sign-in form (when `[server] api_token` is set), signing in, and signing out.
    func addSignIn(to ui: RouterGroup<DashboardContext>) {
        ui.get("/login") { request, context -> Response in
            guard self.session != nil else { return Dashboard.redirect(to: "/ui") }
            return self.loginPage(next: try Dashboard.queryFields(request)["next"], error: nil, csrf: context.csrfToken)
        }
        ui.post("/login") { _, context -> Response in
            guard let session = self.session else { return Dashboard.redirect(to: "/ui") }
            let next = context.form["next"]
            guard session.isToken(context.form["token"] ?? "") else {
                return self.loginPage(next: next, error: "That is not the API token ([server] api_token).", csrf: context.csrfToken)
            }
            var response = Dashboard.redirect(to: Self.safeNext(next))
            response.setCookie(Cookie(name: DashboardSession.cookie, value: session.issue(), maxAge: Int(DashboardSession.lifetime.components.seconds),
                                      path: "/ui", httpOnly: true, sameSite: .strict))
            return response
        }
        ui.post("/logout") { _, _ -> Response in
            var response = Dashboard.redirect(to: self.session == nil ? "/ui" : "/ui/login")
            response.setCookie(Cookie(name: DashboardSession.cookie, value: "", maxAge: 0, path: "/ui", httpOnly: true, sameSite: .strict))
            return response
        }
    }

    /// Where to go after signing in: a dashboard path only, so a link cannot send a signed-in user elsewhere.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/ui"), !next.hasPrefix("//"), !next.contains("\\") else { return "/ui" }
        return next
    }

    private func loginPage(next: String?, error: String?, csrf: String) -> Response {
        let problem: HTML = error.map { "<p class=\"notice bad\">\($0)</p>" } ?? .empty
        return page("Sign in", section: .none, csrf: "", status: error == nil ? .ok : .unauthorized, """
            <section class="panel login"><h1>Sign in</h1>
            <p class="muted">This dashboard needs the server's API token ([server] api_token), once; a session cookie keeps you signed in.</p>
            \(problem)<form method="post" action="/ui/login">\(UI.csrfField(csrf))<input type="hidden" name="next" value="\(Self.safeNext(next))">
            <div class="field"><label for="token">API token</label><input id="token" type="password" name="token" autocomplete="current-password" autofocus></div>
            <button type="submit" class="primary">Sign in</button></form></section>
            """)
    }
}
