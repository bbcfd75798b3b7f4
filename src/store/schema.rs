//! Versioned, embedded migrations. `PRAGMA user_version` holds the number of migrations applied;
//! each migration runs once, in its own transaction.

use rusqlite::Connection;

/// Migrations in order; index + 1 is the schema version they produce. Append only.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE recipients (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_fold   TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE settlements (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_fold   TEXT NOT NULL UNIQUE
);

CREATE TABLE appeals (
    id                  INTEGER PRIMARY KEY,
    channel             TEXT NOT NULL,
    source_id           TEXT NOT NULL,
    received_at         INTEGER NOT NULL,           -- unix seconds, UTC
    text                TEXT NOT NULL,
    author              TEXT,                       -- personal data
    contact             TEXT,                       -- personal data
    settlement_id       INTEGER REFERENCES settlements(id),
    address             TEXT,
    url                 TEXT,
    category            TEXT,
    fz59                INTEGER NOT NULL DEFAULT 0,
    block               TEXT,
    responsible_id      INTEGER REFERENCES recipients(id),
    status              TEXT NOT NULL,
    is_open             INTEGER NOT NULL,           -- derived from status, for partial indexes
    urgent              INTEGER NOT NULL DEFAULT 0,
    conflict            INTEGER NOT NULL DEFAULT 0,
    first_response_at   INTEGER,
    answered_at         INTEGER,
    answer              TEXT,
    quality             TEXT,
    rating              INTEGER,
    lat                 REAL,
    lon                 REAL,
    duplicate_of        INTEGER REFERENCES appeals(id),
    extension_reason    TEXT,
    reopen_count        INTEGER NOT NULL DEFAULT 0,
    register_due        INTEGER,                    -- derived: deadlines, unix seconds
    first_response_due  INTEGER,
    answer_due          INTEGER,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (channel, source_id)
);

-- What the console asks every second.
CREATE INDEX appeals_newest      ON appeals (received_at DESC, id DESC);
CREATE INDEX appeals_open_due    ON appeals (answer_due, id) WHERE is_open = 1;
CREATE INDEX appeals_block       ON appeals (block, received_at);
CREATE INDEX appeals_responsible ON appeals (responsible_id, received_at);

-- The history of every change: who, when, from where, which field, old -> new.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    appeal_id   INTEGER NOT NULL REFERENCES appeals(id),
    at          INTEGER NOT NULL,
    operator    TEXT NOT NULL,
    source      TEXT NOT NULL,
    field       TEXT NOT NULL,
    old         TEXT,
    new         TEXT
);
CREATE INDEX events_appeal ON events (appeal_id, id);

CREATE TABLE imported_files (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,               -- SHA-256 of the content
    format      TEXT NOT NULL,
    channel     TEXT,
    imported_at INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    inserted    INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    quarantined INTEGER NOT NULL
);

-- Search over a normalised copy of the text (lower-case, ё→е, Snowball stems); rowid = appeals.id.
CREATE VIRTUAL TABLE appeals_fts USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
"#,
    // 2: covering indexes for the monitoring figures the console asks for every refresh.
    r#"
CREATE INDEX appeals_open_block       ON appeals (block, answer_due) WHERE is_open = 1;
CREATE INDEX appeals_open_responsible ON appeals (responsible_id, answer_due) WHERE is_open = 1;
CREATE INDEX appeals_received_block   ON appeals (received_at, block);
"#,
    // 3: auto-triage — the suggestion made for each appeal, and the similarity index that finds
    // near-duplicates and repeats (see src/domain/triage/similarity.rs).
    r#"
CREATE TABLE triage (
    appeal_id       INTEGER PRIMARY KEY REFERENCES appeals(id),
    block           TEXT NOT NULL,              -- the suggested block
    confidence      REAL NOT NULL,
    alternatives    TEXT NOT NULL,              -- JSON [{"block", "confidence"}]
    settlement      TEXT,                       -- named in the text
    responsible     TEXT,                       -- proposed by routing
    urgent          INTEGER NOT NULL,
    conflict        INTEGER NOT NULL,
    reasons         TEXT NOT NULL,              -- JSON {"urgent": [...], "conflict": [...]}
    duplicate_of    INTEGER,                    -- proposed: the earliest appeal on the same problem
    duplicate_score REAL,
    repeat_of       INTEGER,                    -- «повторное»: same author, same problem, 30 days
    repeat_score    REAL,
    applied         TEXT NOT NULL,              -- JSON: what auto-triage set by itself
    at              INTEGER NOT NULL
);
CREATE INDEX triage_duplicate_of ON triage (duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX triage_repeat_of    ON triage (repeat_of) WHERE repeat_of IS NOT NULL;

-- One row per indexed appeal: its stem set (u32 little-endian hashes) and what the judge needs.
CREATE TABLE triage_signatures (
    appeal_id   INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,                -- received, unix seconds
    settlement  TEXT,
    block       TEXT,
    author      TEXT,                            -- folded author name or phone digits
    stems       BLOB NOT NULL
);
CREATE INDEX triage_signatures_author ON triage_signatures (author, at) WHERE author IS NOT NULL;

-- Bottom-k MinHash keys of each appeal; probed by key inside a time window.
CREATE TABLE triage_keys (
    key         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    appeal_id   INTEGER NOT NULL,
    PRIMARY KEY (key, at, appeal_id)
) WITHOUT ROWID;

-- The officers' block decisions, read at start as training examples.
CREATE INDEX events_officer_block ON events (appeal_id)
    WHERE field = 'block' AND source IN ('console', 'cli');
"#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to the current schema. Refuses a database made by a newer mcu.
pub fn migrate(conn: &mut Connection) -> Result<(), super::StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > CURRENT_VERSION {
        return Err(super::StoreError::Invalid(format!(
            "the database has schema version {version}, newer than this mcu understands ({CURRENT_VERSION}); update mcu"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
