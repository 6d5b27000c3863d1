-- One representation per job: its config and fields live in its record only; its message names the job (the
-- body of a job's message is empty), so the claim starts a delivered message's job by primary key.
ALTER TABLE messages ADD COLUMN job_id text;

-- Set while a delivery runs alone in its worker pool (a suspect: its previous delivery ended with its process
-- dying). When the pool dies, only such a delivery keeps its receive count: a crash can be its own doing.
ALTER TABLE messages ADD COLUMN solo boolean NOT NULL DEFAULT false;
