-- Positions of followers (relay, projectors, policies). A projector writes its rows and
-- its checkpoint in one transaction, so a crash can neither lose nor double an event.
CREATE SCHEMA IF NOT EXISTS eventing;

CREATE TABLE eventing.checkpoints (
    name        text        PRIMARY KEY,
    position    bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Events a consumer has already applied, for consumers whose effect is a SQL write.
CREATE TABLE eventing.processed_events (
    consumer    text        NOT NULL,
    event_id    uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
