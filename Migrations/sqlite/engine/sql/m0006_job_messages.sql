-- One representation per job: its config and fields live in its record only; its message names the job
-- (the body of a job's message is empty), so the claim finds a delivered message's job by primary key
-- without reading the body.
ALTER TABLE messages ADD COLUMN job_id TEXT;

-- Set while a delivery runs alone in its worker pool (a suspect: its previous delivery ended with its process
-- dying). When the pool dies, only such a delivery keeps its receive count: a crash can be its own doing.
-- Every other delivery of a dead pool gets its receive refunded.
ALTER TABLE messages ADD COLUMN solo INTEGER NOT NULL DEFAULT 0;

-- Messages of existing jobs: each job named its message.
UPDATE messages SET job_id = jobs.id FROM jobs WHERE jobs.message_id = messages.id;
