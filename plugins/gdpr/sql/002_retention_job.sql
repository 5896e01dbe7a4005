-- The daily retention run (retention.c re-plans it after each run).
INSERT INTO cb_jobs (name, payload, max_attempts) VALUES ('gdpr.retention', '{}', 5);
