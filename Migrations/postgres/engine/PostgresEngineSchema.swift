public import QuaeroQueue

/// The engine's schema on PostgreSQL (queue, jobs, worker pools, job logs, remote workers, leader leases, flow control, job counters, job search): the files in `sql/`,
/// compiled into the binary, in the order they are applied. The versions are SQLite's (`SQLiteEngineSchema`),
/// so that one number means the same tables and columns on both stores; version 4 is absent on both.
public enum PostgresEngineSchema {
    /// The engine's chain.
    public static let chain = MigrationChain(name: "engine", migrations: [
        Migration(version: 1, name: "m0001_queue", sql: PackageResources.m0001_queue_sql),
        Migration(version: 2, name: "m0002_jobs", sql: PackageResources.m0002_jobs_sql),
        Migration(version: 3, name: "m0003_job_logs", sql: PackageResources.m0003_job_logs_sql),
        Migration(version: 5, name: "m0005_fewer_hot_indexes", sql: PackageResources.m0005_fewer_hot_indexes_sql),
        Migration(version: 6, name: "m0006_job_messages", sql: PackageResources.m0006_job_messages_sql),
        Migration(version: 7, name: "m0007_remote_workers", sql: PackageResources.m0007_remote_workers_sql),
        Migration(version: 8, name: "m0008_leader_leases", sql: PackageResources.m0008_leader_leases_sql),
        Migration(version: 9, name: "m0009_flow_control", sql: PackageResources.m0009_flow_control_sql),
        Migration(version: 10, name: "m0010_job_counts", sql: PackageResources.m0010_job_counts_sql),
        Migration(version: 11, name: "m0011_job_search", sql: PackageResources.m0011_job_search_sql),
        Migration(version: 12, name: "m0012_dead_letter_order", sql: PackageResources.m0012_dead_letter_order_sql),
        Migration(version: 13, name: "m0013_counters_at_commit", sql: PackageResources.m0013_counters_at_commit_sql),
        Migration(version: 14, name: "m0014_statement_counters", sql: PackageResources.m0014_statement_counters_sql),
        Migration(version: 15, name: "m0015_lighter_job_writes", sql: PackageResources.m0015_lighter_job_writes_sql),
        Migration(version: 16, name: "m0016_limits_off_the_lease", sql: PackageResources.m0016_limits_off_the_lease_sql),
    ])
}
