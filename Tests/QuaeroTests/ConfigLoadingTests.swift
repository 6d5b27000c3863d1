import Foundation
import Quaero
import QuaeroQueue
import QuaeroTestSupport
import Testing

@Suite("Configuration loading")
struct ConfigLoadingTests {
    @Test("with no file, variables or flags every key has its default")
    func defaults() throws {
        let resolved = try loadConfig()
        #expect(resolved.config == QuaeroConfig())
        #expect(resolved.file == nil)
        #expect(resolved.entries.allSatisfy { $0.source == .defaultValue })
        let config = resolved.config
        #expect(config.database.path == "./quaero.db")
        #expect(config.database.synchronous == .normal)
        #expect(config.queue.queueName == "quaero_jobs")
        #expect(config.queue.pollInterval == .seconds(1))
        #expect(config.queue.concurrency == 5)
        #expect(config.queue.visibilityTimeout == .seconds(300))
        #expect(config.queue.maxReceive == 3)
        #expect(config.logs.batchSize == 100)
        #expect(config.logs.flushInterval == .seconds(1))
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.port == 8080)
        #expect(config.server.apiToken == nil)
    }

    @Test("the file overrides defaults, variables the file, flags the variables; each value keeps its source")
    func layering() throws {
        let toml = """
            [database]
            path = "file.db"
            synchronous = "full"

            [queue]
            max_receive = 7
            visibility_timeout = "1m30s"
            concurrency = 2
            """
        let environment = ["QUAERO_QUEUE_MAX_RECEIVE": "9", "QUAERO_DATABASE_PATH": "env.db", "HOME": "/root"]
        let resolved = try loadConfig(toml: toml, environment: environment,
                                      flags: [.init(.databasePath, "flag.db", name: "--db")])
        let config = resolved.config
        #expect(config.database.path == "flag.db")
        #expect(config.database.synchronous == .full)
        #expect(config.queue.maxReceive == 9)
        #expect(config.queue.visibilityTimeout == .seconds(90))
        #expect(config.queue.concurrency == 2)
        #expect(config.queue.pollInterval == .seconds(1))

        let file = try #require(resolved.file)
        #expect(resolved.source(of: .databasePath) == .flag("--db"))
        #expect(resolved.source(of: .maxReceive) == .environment(variable: "QUAERO_QUEUE_MAX_RECEIVE"))
        #expect(resolved.source(of: .visibilityTimeout) == .file(path: file, line: 7))
        #expect(resolved.source(of: ConfigKey(.database, "synchronous")) == .file(path: file, line: 3))
        #expect(resolved.source(of: ConfigKey(.queue, "poll_interval")) == .defaultValue)
    }

    @Test("--config names the file to read instead of ./quaero.toml")
    func explicitFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("custom.toml")
        try Data("[server]\nport = 9000\napi_token = \"s3cret\"\n".utf8).write(to: URL(fileURLWithPath: path))
        let resolved = try loadConfig(toml: "[server]\nport = 1\n", configPath: path)
        #expect(resolved.config.server.port == 9000)
        #expect(resolved.config.server.apiToken == "s3cret")
        #expect(resolved.file == path)
        // Secrets are never shown.
        let token = try #require(resolved.entries.first { $0.key == ConfigKey(.server, "api_token") })
        #expect(token.value == .secret)
    }

    @Test("an unknown key names the file and line and lists the section's keys")
    func unknownKey() throws {
        let error = try #require(configError { try loadConfig(toml: "[queue]\nconcurrency = 2\n\nmax_recieve = 3\n") })
        #expect(error.kind == .unknownKey)
        #expect(error.key == "queue.max_recieve")
        #expect(error.message.contains("quaero.toml:4"))
        #expect(error.message.contains("max_receive"))
    }

    @Test("a dotted key and an inline table are placed too; a float is not an integer")
    func otherLayouts() throws {
        let dotted = try #require(configError { try loadConfig(toml: "queue.concurrency = 2\nqueue.max_recieve = 3\n") })
        #expect(dotted.message.contains("quaero.toml:2"))
        let resolved = try loadConfig(toml: "queue = { max_receive = 4 }\n")
        #expect(resolved.config.queue.maxReceive == 4)
        let float = try #require(configError { try loadConfig(toml: "[queue]\nmax_receive = 3.0\n") })
        #expect(float.kind == .wrongType)
        #expect(float.message.contains("floating-point number: not an integer;"))
    }

    @Test("an unknown section names its line")
    func unknownSection() throws {
        let error = try #require(configError { try loadConfig(toml: "# comment\n[queues]\nmax_receive = 3\n") })
        #expect(error.kind == .unknownKey)
        #expect(error.message.contains("quaero.toml:2"))
        #expect(error.message.contains("[queues]"))
    }

    @Test("a malformed duration names the key, the line and the allowed form", arguments: ["5 minutes", "5", "-5s", "0s", "1x", ""])
    func malformedDuration(text: String) throws {
        let error = try #require(configError { try loadConfig(toml: "[queue]\nvisibility_timeout = \"\(text)\"\n") })
        #expect(error.kind == .invalidValue)
        #expect(error.key == "queue.visibility_timeout")
        #expect(error.message.contains("quaero.toml:2"))
        #expect(error.message.contains("500ms"))
    }

    @Test("a duration written as a number is the wrong type")
    func durationAsNumber() throws {
        let error = try #require(configError { try loadConfig(toml: "[queue]\npoll_interval = 5\n") })
        #expect(error.kind == .wrongType)
        #expect(error.message.contains("queue.poll_interval"))
    }

    @Test("max_receive and concurrency below 1 are refused", arguments: ["max_receive = -1", "max_receive = 0", "concurrency = 0"])
    func belowMinimum(line: String) throws {
        let error = try #require(configError { try loadConfig(toml: "[queue]\n\(line)\n") })
        #expect(error.kind == .invalidValue)
        #expect(error.message.contains("quaero.toml:2"))
        #expect(error.message.contains("an integer"))
    }

    @Test("server.max_event_streams outside 1...100000 is refused, naming the key and the range", arguments: ["0", "-3", "100001"])
    func eventStreamBound(value: String) throws {
        let error = try #require(configError { try loadConfig(toml: "[server]\nmax_event_streams = \(value)\n") })
        #expect(error.kind == .invalidValue)
        #expect(error.message.contains("max_event_streams") && error.message.contains("quaero.toml:2"))
        #expect(error.message.contains("an integer from 1 to 100000"), "\(error.message)")
        #expect(try loadConfig(toml: "[server]\nmax_event_streams = 500\n").config.server.maxEventStreams == 500)
    }

    @Test("a quoted number in TOML is the wrong type")
    func quotedNumber() throws {
        let error = try #require(configError { try loadConfig(toml: "[queue]\nmax_receive = \"3\"\n") })
        #expect(error.kind == .wrongType)
        #expect(error.message.contains("without quotes"))
    }

    @Test("an environment value of the wrong type names the variable")
    func environmentWrongType() throws {
        let error = try #require(configError { try loadConfig(environment: ["QUAERO_QUEUE_MAX_RECEIVE": "three"]) })
        #expect(error.kind == .wrongType)
        #expect(error.source == .environment(variable: "QUAERO_QUEUE_MAX_RECEIVE"))
        #expect(error.message.contains("QUAERO_QUEUE_MAX_RECEIVE"))
        #expect(error.message.contains("\"three\""))
    }

    @Test("an unknown QUAERO_ variable is refused")
    func unknownVariable() throws {
        let error = try #require(configError { try loadConfig(environment: ["QUAERO_QUEUE_MAX_RECIEVE": "3"]) })
        #expect(error.kind == .unknownKey)
        #expect(error.message.contains("QUAERO_QUEUE_MAX_RECIEVE"))
    }

    @Test("an empty or over-long queue name is refused", arguments: ["", String(repeating: "q", count: Queue.maxNameLength + 1)])
    func badQueueName(name: String) throws {
        let error = try #require(configError { try loadConfig(environment: ["QUAERO_QUEUE_QUEUE_NAME": name]) })
        #expect(error.kind == .invalidValue)
        #expect(error.message.contains("QUAERO_QUEUE_QUEUE_NAME"))
        #expect(error.message.contains("queue name"))
    }

    @Test("an unknown synchronous mode lists the allowed ones")
    func badChoice() throws {
        let error = try #require(configError { try loadConfig(toml: "[database]\nsynchronous = \"off\"\n") })
        #expect(error.message.contains("one of normal, full"))
    }

    @Test("a flag value is checked like any other and names the flag")
    func badFlag() throws {
        let error = try #require(configError { try loadConfig(flags: [.init(.databasePath, "", name: "--db")]) })
        #expect(error.source == .flag("--db"))
        #expect(error.message.contains("flag --db"))
    }

    @Test("malformed TOML gives TOMLKit's line and column")
    func malformedTOML() throws {
        let error = try #require(configError { try loadConfig(toml: "[queue]\nmax_receive = = 3\n") })
        #expect(error.kind == .malformedFile)
        #expect(error.message.contains("quaero.toml:2:"))
    }

    @Test("a --config file that does not exist is an error naming it")
    func missingConfigFile() throws {
        let error = try #require(configError { try loadConfig(configPath: "/nonexistent/quaero.toml") })
        #expect(error.kind == .missingFile)
        #expect(error.source == .flag("--config"))
        #expect(error.message.contains("/nonexistent/quaero.toml"))
    }

    @Test("rules between keys: backoff_base ≤ backoff_max and heartbeat_interval < visibility_timeout")
    func consistency() throws {
        let backoff = try #require(configError { try loadConfig(toml: "[queue]\nbackoff_base = \"10m\"\n") })
        #expect(backoff.message.contains("backoff_max = 5m (default)"))
        let heartbeat = try #require(configError {
            try loadConfig(environment: ["QUAERO_QUEUE_VISIBILITY_TIMEOUT": "5s"])
        })
        #expect(heartbeat.message.contains("visibility_timeout = 5s (environment variable QUAERO_QUEUE_VISIBILITY_TIMEOUT)"))
    }
}
