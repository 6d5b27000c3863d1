import Foundation
import Quaero
import QuaeroQueue
import Testing

@Suite("Configuration: [crawler], [summarizer], [cleanup]")
struct ConfigJobSectionsTests {
    @Test("the file and the environment set the job sections, booleans included")
    func values() throws {
        let toml = """
            [crawler]
            max_depth = 4
            same_host = false
            request_timeout = "3s"

            [summarizer]
            llm_url = "http://127.0.0.1:11434/v1/chat/completions"
            model = "tiny"

            [cleanup]
            interval = "15m"
            """
        let resolved = try loadConfig(toml: toml, environment: [
            "QUAERO_CRAWLER_RESPECT_ROBOTS": "no", "QUAERO_SUMMARIZER_API_KEY": "secret", "QUAERO_CLEANUP_AGE_THRESHOLD_DAYS": "7",
        ])
        let config = resolved.config
        #expect(config.crawler.maxDepth == 4)
        #expect(!config.crawler.sameHost)
        #expect(config.crawler.requestTimeout == .seconds(3))
        #expect(!config.crawler.respectRobots)
        #expect(config.crawler.maxPages == CrawlerSettings().maxPages)
        #expect(config.summarizer.llm == LLMSettings(url: "http://127.0.0.1:11434/v1/chat/completions", model: "tiny", apiKey: "secret"))
        #expect(config.cleanup.interval == .seconds(900))
        #expect(config.cleanup.ageThresholdDays == 7)
        #expect(QuaeroConfig().summarizer.llm == nil, "no endpoint by default: the built-in summarizer")
    }

    @Test("bad values name the key and what is allowed", arguments: [
        ("[crawler]\nsame_host = \"yes\"", "crawler.same_host", "not a boolean (write true or false without quotes)"),
        ("[crawler]\nrespect_robots = 1", "crawler.respect_robots", "not a boolean"),
        ("[crawler]\nmax_depth = -1", "crawler.max_depth", "out of range"),
        ("[crawler]\nper_host_concurrency = 0", "crawler.per_host_concurrency", "out of range"),
        ("[crawler]\nmax_pages = true", "crawler.max_pages", "not an integer"),
        ("[cleanup]\ninterval = \"0s\"", "cleanup.interval", "not positive"),
        ("[summarizer]\ntimeout = 5", "summarizer.timeout", "not a duration"),
        ("[cleanup]\nage_threshold_days = 0", "cleanup.age_threshold_days", "out of range"),
        ("[cleanup]\nolder_than = \"0s\"", "cleanup.older_than", "not positive"),
        ("[cleanup]\ndead_letter_older_than = \"-1h\"", "cleanup.dead_letter_older_than", "not a duration"),
        ("[cleanup]\nolder_than = \"90m\"\nage_threshold_days = 7", "cleanup.older_than", "cannot be set together with cleanup.age_threshold_days"),
        ("[database]\nbusy_timeout = \"0s\"", "database.busy_timeout", "not positive"),
    ])
    func badValues(toml: String, key: String, problem: String) {
        let error = configError { try loadConfig(toml: toml) }
        #expect(error?.key == key)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
    }

    @Test("a boolean from the environment must be true or false")
    func badEnvironmentBoolean() {
        let error = configError { try loadConfig(environment: ["QUAERO_CRAWLER_SAME_HOST": "maybe"]) }
        #expect(error?.key == "crawler.same_host")
        #expect(error?.message.contains("not true or false; allowed: true or false") == true, "\(error?.message ?? "")")
    }

    @Test("[cleanup] ages are whole days or a precise duration, and the scheduled cleanup's config says which")
    func cleanupAges() throws {
        let days = try loadConfig(toml: "[cleanup]\nage_threshold_days = 7\n").config.cleanup
        #expect(days.jobConfig == ["age_threshold_days": .number(7), "dead_letter_age_days": .number(30)])
        let precise = try loadConfig(toml: "[cleanup]\nolder_than = \"90m\"\ndead_letter_older_than = \"2h\"\n").config.cleanup
        #expect(precise.jobConfig == ["older_than": .string("1h30m"), "dead_letter_older_than": .string("2h")])
        let unset = try loadConfig(toml: "[cleanup]\nolder_than = \"\"\nage_threshold_days = 3\n").config.cleanup
        #expect(unset.olderThan == nil && unset.ageThresholdDays == 3, "an empty older_than leaves the days in charge")
    }

    @Test("database.busy_timeout reaches the database options")
    func busyTimeout() throws {
        let resolved = try loadConfig(environment: ["QUAERO_DATABASE_BUSY_TIMEOUT": "250ms"])
        #expect(resolved.config.database.options.busyTimeout == .milliseconds(250))
        #expect(QuaeroConfig().database.options.busyTimeout == .seconds(5))
    }
}
