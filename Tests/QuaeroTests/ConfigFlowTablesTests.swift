import Foundation
import Quaero
import QuaeroQueue
import Testing

@Suite("Configuration: [types.NAME], [[limits]], [[schedule]], max_ready and per_host_rate")
struct ConfigFlowTablesTests {
    @Test("the tables load into policies, limits and schedules; the cleanup schedule comes first")
    func values() throws {
        let toml = """
            [queue]
            max_ready = 1000

            [crawler]
            per_host_rate = "4/s"

            [types.crawler]
            max_in_flight = 3

            [[limits]]
            key_prefix = "host:"
            rate = "1/500ms"

            [[schedule]]
            name = "weekly.report"
            cron = "0 6 * * MON"
            type = "summarizer"
            config = { job_id = "01hzzzzzzzzzzzzzzzzzzzzzzz" }
            catch_up = "all"

            [[schedule]]
            name = "sweep"
            cron = "@every 90m"
            type = "cleanup"
            config = { older_than = "7d" }
            enabled = false
            """
        let resolved = try loadConfig(toml: toml)
        let config = resolved.config
        #expect(config.queue.options.maxReady == 1000)
        #expect(QuaeroConfig().queue.options.maxReady == nil, "no bound by default")
        #expect(config.crawler.perHostRate == (try Rate.parse("4/s")))
        #expect(config.crawler.hostLimit == (try FlowLimit(maxInFlight: 2, rate: Rate.parse("4/s"))))
        #expect(config.types == [.crawl: JobTypePolicy(maxInFlight: 3)], "crawler is the user's name of a crawl")
        #expect(config.limits.map(\.keyPrefix) == ["host:"])
        #expect(try config.allSchedules.map(\.name) == ["cleanup", "weekly.report", "sweep"])
        #expect(config.schedules.map(\.catchUp) == [.all, .latest])
        #expect(config.schedules.map(\.enabled) == [true, false])
        #expect(config.schedules[0].timeZoneName == "UTC")
        #expect(resolved.tableEntries.contains { $0.key == "schedule[1].cron" && $0.value == "\"@every 90m\"" })
        let line = resolved.tableEntries.first { $0.key == "limits[0].rate" }?.source.description
        #expect(line?.hasSuffix("quaero.toml:12") == true, "\(line ?? "")")
    }

    @Test("bad tables and values name the key, its line and what is allowed", arguments: [
        ("types = 3", "types", "must be tables such as [types.crawler_url]"),
        ("[types.fetch]\ntimeout = \"soon\"", "types.fetch.timeout", "not a duration"),
        ("[types.fetch]\nretries = 3", "types.fetch.retries", "its keys are timeout, max_receive, backoff_base, backoff_max, max_in_flight"),
        ("[types.fetch]\nmax_in_flight = 0", "types.fetch.max_in_flight", "out of range"),
        ("[types.fetch]\nbackoff_base = \"10m\"", "types.fetch.backoff_base", "must not be longer than its backoff_max (5m)"),
        ("[[limits]]\nmax_in_flight = 2", "limits[0].key_prefix", "limits[0] needs key_prefix"),
        ("[[limits]]\nkey_prefix = \"host:\"", "limits[0].key_prefix", "limits nothing: give max_in_flight, rate or both"),
        ("[[limits]]\nkey_prefix = \"host:\"\nrate = \"fast\"", "limits[0].rate", "rate \"fast\" is not count/period"),
        ("[[schedule]]\nname = \"a\"\ntype = \"cleanup\"", "schedule[0].cron", "schedule[0] needs cron"),
        ("[[schedule]]\nname = \"a\"\ncron = \"* * *\"\ntype = \"cleanup\"", "schedule[0].cron", "3 fields, not 5"),
        ("[[schedule]]\nname = \"a\"\ncron = \"@daily\"\ntype = \"cleanup\"\ntime_zone = \"Mars/Base\"", "schedule[0].time_zone",
         "unknown time zone \"Mars/Base\""),
        ("[[schedule]]\nname = \"a\"\ncron = \"@daily\"\ntype = \"cleanup\"\ncatch_up = \"some\"", "schedule[0].catch_up",
         "one of latest, all, none"),
        ("[[schedule]]\nname = \"a b\"\ncron = \"@daily\"\ntype = \"cleanup\"", "schedule[0].name", "not a usable schedule name"),
        ("[[schedule]]\nname = \"cleanup\"\ncron = \"@daily\"\ntype = \"cleanup\"", "schedule[0].name", "taken by the schedule of [cleanup] interval"),
        ("[[schedule]]\nname = \"a\"\ncron = \"@daily\"\ntype = \"cleanup\"\n[[schedule]]\nname = \"a\"\ncron = \"@daily\"\ntype = \"cleanup\"",
         "schedule[1].name", "defined twice"),
        ("[[schedule]]\nname = \"a\"\ncron = \"@daily\"\ntype = \"cleanup\"\nconfig = { older_than = \"0s\" }", "schedule[0].config",
         "not a usable cleanup config"),
        ("[[schedule]]\nname = \"a\"\ncron = \"@daily\"\ntype = \"crawler\"\nconfig = { urls = [] }", "schedule[0].config",
         "not a usable crawler config"),
        ("[[schedule]]\nname = \"a\"\ncron = \"@daily\"\ntype = \"cleanup\"\nconfig = \"{}\"", "schedule[0].config", "must be a table"),
        ("[[schedule]]\nname = \"a\"\ncron = \"@daily\"\ntype = \"cleanup\"\nevery = 1", "schedule[0].every", "is not a key of schedule[0]"),
        ("schedule = 1", "schedule", "must be written [[schedule]]"),
        ("[queue]\nmax_ready = -1", "queue.max_ready", "out of range"),
        ("[crawler]\nper_host_rate = \"10\"", "crawler.per_host_rate", "is not count/period"),
        ("[cleanup]\ninterval = \"500ms\"", "cleanup.interval", "shorter than 1s"),
        ("[queue]\nleader_ttl = \"500ms\"", "queue.leader_ttl", "shorter than 1s"),
        ("[queue]\nleader_ttl = \"0s\"", "queue.leader_ttl", "not positive"),
    ])
    func badValues(toml: String, key: String, problem: String) {
        let error = configError { try loadConfig(toml: toml) }
        #expect(error?.key == key)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("quaero.toml") == true, "the file is named")
    }

    @Test("an unknown top-level section still names the tables there are")
    func unknownSection() {
        let error = configError { try loadConfig(toml: "[schedules]\nname = \"a\"") }
        #expect(error?.message.contains("[[schedule]]") == true, "\(error?.message ?? "")")
    }
}
