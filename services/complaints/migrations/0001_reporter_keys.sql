-- Per-reporter encryption keys, kept OUTSIDE the event log so that destroying one
-- (crypto-shredding) makes the reporter's sealed identity in the events unreadable
-- while every event stays intact. A destroyed key is overwritten with NULL.
CREATE TABLE IF NOT EXISTS reporter_keys (
    reporter_ref text PRIMARY KEY,
    key bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
);
