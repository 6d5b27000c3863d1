import QuaeroPostgres
import QuaeroQueue
import Testing

@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test("a URL is taken apart, and its password never shows")
    func parts() throws {
        let url = try PostgresURL("postgres://quaero:s3cr%40t@db.example:6432/jobs?sslmode=require&application_name=w1&options=-c%20search_path%3Dq")
        #expect(url.host == "db.example")
        #expect(url.port == 6432)
        #expect(url.user == "quaero")
        #expect(url.password == "s3cr@t")
        #expect(url.database == "jobs")
        #expect(url.tls == .require)
        #expect(url.applicationName == "w1")
        #expect(url.settings.map(\.name) == ["search_path"])
        #expect(url.settings.map(\.value) == ["q"])
        #expect(url.description == "postgres://quaero@db.example:6432/jobs")
        #expect(!"\(url)".contains("s3cr"))
        #expect(PostgresURL.redact("postgres://quaero:s3cr%40t@db.example/jobs") == "postgres://quaero:***@db.example/jobs")
        #expect(PostgresURL.redact("postgresql://u@h/d?password=pw&x=1") == "postgresql://u@h/d?password=***&x=1")
        #expect(PostgresURL.redact("./quaero.db") == "./quaero.db")
    }

    @Test("defaults: port 5432, the database named after the user; IPv6 hosts in brackets")
    func defaults() throws {
        let url = try PostgresURL("postgresql://app@[::1]")
        #expect(url.host == "::1")
        #expect(url.port == 5432)
        #expect(url.database == "app")
        #expect(url.endpoint == "[::1]:5432")
    }

    @Test("a bad URL is refused naming what is wrong, without the password", arguments: [
        ("postgres://u:pw@h:notaport/d", "the port \"notaport\""),
        ("postgres://u:pw@h/d?sslmode=sometimes", "sslmode=sometimes"),
        ("postgres://u:pw@h/d?colour=blue", "the parameter colour"),
        ("postgres://u:pw@/d", "names no host"),
        ("postgres://u:pw@h/d?options=search_path", "-c name=value"),
    ])
    func bad(url: String, problem: String) {
        let error = #expect(throws: QuaeroError.self) { try PostgresURL(url) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("pw") == false)
    }
}
