-- One encryption key per evaluation round, kept OUTSIDE the event log. Ballots are
-- sealed under it while the round is open; at close they are opened, tallied and the
-- key is overwritten with NULL, so the sealed ballots in the log can never be opened
-- again (and so never be linked to the participation records beside them).
CREATE TABLE IF NOT EXISTS ballot_keys (
    round_id text PRIMARY KEY,
    key bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
);
