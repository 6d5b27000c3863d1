-- Every index on a row that a job changes is another b-tree page written to the WAL in each commit. Measured
-- with `quaero bench --only jobs_per_s`, these two cost about 5 % of the job throughput each, for lookups that
-- do not need them:
-- * a delivered message's job is found by the id its body names (JobMessage JSON), by primary key, and
--   checked against jobs.message_id;
-- * a worker pool extends its leases by the receipts it holds, and the leases of a pool found dead are
--   released by a scan of the messages, which happens only after a crash.
DROP INDEX jobs_message;
DROP INDEX messages_owner;
