//! Versioned, embedded migrations. `PRAGMA user_version` holds the number of migrations applied;
//! each migration runs once, in its own transaction.

use crate::domain::text::SearchNormalizer;
use crate::reference::Reference;
use crate::store::db::{Db, Transaction, params};

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
    // 3: operators (OS accounts → name, roles, blocks) and the tamper-evident audit chain: each
    // event carries a hash over its content and the previous event's hash.
    r#"
CREATE TABLE operators (
    login       TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    roles       TEXT NOT NULL,                      -- comma-separated role ids
    blocks      TEXT NOT NULL DEFAULT '',           -- comma-separated block ids (block leads)
    created_at  INTEGER NOT NULL
);
ALTER TABLE events ADD COLUMN hash TEXT;
"#,
    // 4: the search index with the ASCII tokenizer.
    r#"
-- The search index holds text mcu has already normalised (lower case, ё as е, stems) with words
-- separated by single spaces, so the plain ASCII tokenizer splits it into the same words as
-- unicode61 did (non-ASCII bytes are word characters to it), for a fraction of the cost: about
-- a sixth of an import's writing time went into tokenizing. A contentless index cannot be
-- copied, so mcu refills it from the appeals' texts right after this step (`rebuild_search`).
DROP TABLE appeals_fts;
CREATE VIRTUAL TABLE appeals_fts USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);
"#,
    // 5: auto-triage — the suggestion made for each appeal, and the similarity index that finds
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
    // 6: pre-aggregated monitoring and ranking figures, kept exact by save(), and the derived
    // first-response working time (see store::aggregates); filled right after this step.
    crate::store::aggregates::SCHEMA,
    // 7: daily summaries over the hourly ones; open appeals indexed by receipt.
    crate::store::aggregates::DAYS,
    // 8: an import's created appeals as one audit entry per run of ids (see store::audit).
    r#"
ALTER TABLE events ADD COLUMN through_id INTEGER;
CREATE INDEX events_created_runs ON events (appeal_id) WHERE through_id IS NOT NULL;
"#,
    // 9: receipts by block come from the summaries now; the few raw pieces they leave are read
    // through appeals_newest, so this index only cost every write.
    r#"
DROP INDEX appeals_received_block;
"#,
    // 10: reopening starts a new answer term from the reopening (see domain::Appeal::reopen); an
    // open appeal no longer counts as answered, so the summaries are filled afresh right after.
    r#"
ALTER TABLE appeals ADD COLUMN reopened_at INTEGER;    -- unix seconds; the current term's start
ALTER TABLE appeals ADD COLUMN interim_after_reopen_at INTEGER;   -- the new term's interim answer
"#,
    // 11: an appeal whose triage failed is recorded with the reason (and is not pending any more).
    r#"
ALTER TABLE triage ADD COLUMN error TEXT;
"#,
    // 12: what each appeal was created with, so `mcu audit verify` can replay its history onto
    // it: a creation entry's `digest` (SHA-256 over the created appeals' fields, and the list of
    // those fields) and each appeal's `created_tags` (a short tag per field, to name the one that
    // differs). See store::audit::replay.
    r#"
ALTER TABLE events ADD COLUMN digest TEXT;
ALTER TABLE appeals ADD COLUMN created_tags BLOB;
"#,
    // 13: the registers of the decree (roadmaps, official pages, votes, templates…) are audited in
    // the same chain as appeals: an entry is about an appeal (`appeal_id`) or about a register's
    // entry (`register`, `entry_id`), never both. SQLite cannot relax `appeal_id NOT NULL` in place,
    // so the table is rebuilt with its rows, ids and hashes unchanged (an appeal's entry hashes as
    // before; see store::audit::entry_hash).
    r#"
CREATE TABLE events_v13 (
    id          INTEGER PRIMARY KEY,
    appeal_id   INTEGER REFERENCES appeals(id),      -- NULL for a register's entry
    register    TEXT,                                -- e.g. roadmap, page, vote; NULL for an appeal
    entry_id    INTEGER,                             -- the register entry's id
    at          INTEGER NOT NULL,
    operator    TEXT NOT NULL,
    source      TEXT NOT NULL,
    field       TEXT NOT NULL,
    old         TEXT,
    new         TEXT,
    hash        TEXT,
    through_id  INTEGER,
    digest      TEXT,
    CHECK ((appeal_id IS NULL) = (register IS NOT NULL)),
    CHECK ((register IS NULL) = (entry_id IS NULL))
);
INSERT INTO events_v13 (id, appeal_id, at, operator, source, field, old, new, hash, through_id,
                        digest)
    SELECT id, appeal_id, at, operator, source, field, old, new, hash, through_id, digest
    FROM events ORDER BY id;
DROP TABLE events;
ALTER TABLE events_v13 RENAME TO events;
CREATE INDEX events_appeal ON events (appeal_id, id);
CREATE INDEX events_officer_block ON events (appeal_id)
    WHERE field = 'block' AND source IN ('console', 'cli');
CREATE INDEX events_created_runs ON events (appeal_id) WHERE through_id IS NOT NULL;
CREATE INDEX events_register ON events (register, entry_id, id) WHERE register IS NOT NULL;
"#,
    // 14: interim and final answers are separate texts (see `INTERIM_ANSWERS`).
    INTERIM_ANSWERS,
    // 15: votes and public discussions of ПОС (register `vote`), one row per option; and the counters
    // that number appeals taken by hand (`mcu add`: `phone` → mcu-2026-000123), never reused.
    // `IF NOT EXISTS`: a database put back to an older version by hand (the upgrade tests) keeps
    // these tables, and running this again leaves them as they are.
    r#"
CREATE TABLE IF NOT EXISTS votes (
    id           INTEGER PRIMARY KEY,
    vote_id      TEXT NOT NULL UNIQUE,                -- the vote's id at its source
    title        TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('vote', 'survey', 'discussion')),
    started_at   INTEGER,                             -- unix seconds
    ended_at     INTEGER,
    settlement   TEXT,
    participants INTEGER
);
CREATE TABLE IF NOT EXISTS vote_options (
    id       INTEGER PRIMARY KEY,
    vote     INTEGER NOT NULL REFERENCES votes(id),
    position INTEGER NOT NULL,                        -- file order
    option   TEXT NOT NULL,
    votes    INTEGER NOT NULL,
    UNIQUE (vote, option)
);
CREATE TABLE IF NOT EXISTS source_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"#,
    // 16: roadmaps («дорожные карты»): their measures and the appeals linked to them (see
    // store::roadmaps). Dates are local `YYYY-MM-DD`; settlements a JSON array of names.
    crate::store::roadmaps::SCHEMA,
    // 17: the registry of official pages and their statistics.
    r#"
CREATE TABLE IF NOT EXISTS pages (
    id            INTEGER PRIMARY KEY,
    body          TEXT NOT NULL,
    platform      TEXT NOT NULL,             -- vk, ok, telegram, max
    url           TEXT NOT NULL UNIQUE,      -- normalised (domain::pages::normalize_url)
    category      TEXT NOT NULL,             -- flagship, active, card
    mark          INTEGER NOT NULL DEFAULT 0,
    widgets       INTEGER NOT NULL DEFAULT 0,
    site_link     INTEGER NOT NULL DEFAULT 0,
    comments_open INTEGER NOT NULL DEFAULT 1,
    admins        INTEGER NOT NULL DEFAULT 0,
    admins_2fa    INTEGER NOT NULL DEFAULT 0,
    checked_at    TEXT                       -- YYYY-MM-DD
);
CREATE TABLE IF NOT EXISTS page_stats (
    url         TEXT NOT NULL,
    date        TEXT NOT NULL,               -- YYYY-MM-DD
    posts       INTEGER NOT NULL DEFAULT 0,
    views       INTEGER NOT NULL DEFAULT 0,
    subscribers INTEGER NOT NULL DEFAULT 0,
    likes       INTEGER NOT NULL DEFAULT 0,
    comments    INTEGER NOT NULL DEFAULT 0,
    reposts     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (url, date)
);
"#,
    // 18: a run of auto-triage loads the similarity index of its time window at
    // once (store::triage_window) instead of probing it key by key for every appeal.
    r#"
CREATE INDEX IF NOT EXISTS triage_signatures_at ON triage_signatures (at);
"#,
    // The console's list sorted by deadline (store::sorted): appeals with a deadline by
    // (answer_due, received_at, id), then those without newest first — one index for both, paged by
    // key; the open ones alone (today's view, «открытые») over a partial copy a tenth the size.
    // (By block and by recipient the list walks appeals_block / appeals_responsible.)
    r#"
CREATE INDEX IF NOT EXISTS appeals_due_received ON appeals (answer_due, received_at);
CREATE INDEX IF NOT EXISTS appeals_open_due_received ON appeals (answer_due, received_at) WHERE is_open = 1;
"#,
    // The built-in SSH server: operators' public keys, and who has a console open (see
    // store::sessions).
    crate::store::sessions::SCHEMA,
    // The 59-ФЗ registration of a letter: its number and date in the registration journal
    // (store::registration; audited as register `registration`, entry = the appeal's id).
    r#"
CREATE TABLE IF NOT EXISTS registrations (
    appeal_id     INTEGER PRIMARY KEY REFERENCES appeals(id) ON DELETE CASCADE,
    number        TEXT NOT NULL,
    registered_on TEXT NOT NULL              -- YYYY-MM-DD
);
"#,
    // The page comments still waiting for a first response (the pages check's
    // `unanswered_comments`, store::pages): a small partial index instead of every appeal of the
    // channel.
    r#"
CREATE INDEX IF NOT EXISTS appeals_page_waiting ON appeals (channel, first_response_due)
    WHERE channel = 'page' AND first_response_at IS NULL;
"#,
];

/// The migration that keeps the interim answer's text apart from the final one. Until it, the
/// `answer` column held whichever was given last; right after it (`split_interim_answers`) an
/// appeal still waiting for its final answer moves the text it holds to the interim column.
/// Found by its text, not its number, so the migrations may be reordered at a merge.
/// The column (`appeals.interim_answer`, the interim answer's text) is added by
/// `split_interim_answers` unless the table has it already (a database taken back to an older
/// version by dropping the newer columns, as the upgrade tests do, may still have it).
const INTERIM_ANSWERS: &str = "-- 14: appeals.interim_answer, see split_interim_answers\n";

/// The schema version whose migration recreated the search index, which must then be refilled.
const SEARCH_REBUILT_AT: usize = 4;

/// The schema version whose migration added the audit chain's hash: entries written before it
/// get theirs once, right after the upgrade (`audit::seal`). Never later: re-sealing on every
/// start would also re-hash an entry whose hash someone had erased, hiding the tampering.
pub const HASH_CHAIN_AT: i64 = 3;

/// The schema version whose migration added the creation digests: a database upgraded to it gets
/// its audit anchor started with the head it has then (`audit::anchor`).
pub const DIGESTS_AT: i64 = 12;

/// The schema version whose migration created the summaries, which must then be filled.
const AGGREGATES_AT: usize = 6;

/// The schema version whose migration changed what the summaries count: they are filled afresh.
const SUMMARIES_REFILLED_AT: usize = 10;

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to the current schema and returns the version it found. Refuses a
/// database made by a newer mcu.
pub fn migrate(conn: &mut Db, reference: &Reference) -> Result<i64, crate::store::StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > CURRENT_VERSION {
        return Err(crate::store::StoreError::Invalid(format!(
            "the database has schema version {version}, newer than this mcu understands ({CURRENT_VERSION}); update mcu"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        // The write lock first (another process may be opening the same file), then the version
        // again: a migration that process applied meanwhile is not applied twice.
        let tx = conn.transaction()?;
        let applied: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if applied > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        if i + 1 == SEARCH_REBUILT_AT {
            rebuild_search(&tx)?;
        }
        if i + 1 == AGGREGATES_AT {
            crate::store::aggregates::install(&tx, reference)?;
        }
        if i + 1 == SUMMARIES_REFILLED_AT && version as usize >= AGGREGATES_AT {
            crate::store::aggregates::refill(&tx)?;
        }
        if *sql == INTERIM_ANSWERS {
            split_interim_answers(&tx)?;
        }
        if let Some(c) = tx.sqlite() {
            c.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
    }
    Ok(version)
}

/// After `INTERIM_ANSWERS`: the text of an appeal that got an interim answer and is still
/// waiting for the final one (open, no answer time; after a reopening, an interim answer of the
/// new term) is its interim answer's text. It moves to `interim_answer`, `answer` keeps only
/// final answers, and each move is two entries of the audit trail (so `mcu audit verify` replays
/// the history onto the new columns). An answered, closed, rejected or redirected appeal keeps
/// its text as the final answer.
fn split_interim_answers(tx: &Transaction<'_>) -> Result<(), crate::store::StoreError> {
    let has: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('appeals') WHERE name = 'interim_answer'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        tx.execute_batch("ALTER TABLE appeals ADD COLUMN interim_answer TEXT;")?;
    }
    let moved: Vec<(i64, String)> = tx
        .prepare(
            "SELECT id, answer FROM appeals WHERE answer IS NOT NULL AND answered_at IS NULL \
             AND is_open = 1 AND (CASE WHEN reopened_at IS NULL THEN first_response_at \
             ELSE interim_after_reopen_at END) IS NOT NULL ORDER BY id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let now = chrono::Utc::now().timestamp();
    let mut up = tx.prepare(
        "UPDATE appeals SET interim_answer = answer, answer = NULL, version = version + 1, \
         updated_at = ?2 WHERE id = ?1",
    )?;
    for (id, text) in &moved {
        up.execute(params![id, now])?;
        crate::store::audit::append(
            tx,
            *id,
            now,
            "mcu",
            "migration",
            &[
                ("answer", Some(text), None),
                ("interim_answer", None, Some(text)),
            ],
        )?;
    }
    Ok(())
}

/// Refills the (empty) search index from the texts of all appeals.
fn rebuild_search(tx: &Transaction<'_>) -> Result<(), crate::store::StoreError> {
    let normalizer = SearchNormalizer::new();
    let mut select = tx.prepare("SELECT id, text FROM appeals ORDER BY id")?;
    let mut insert = tx.prepare("INSERT INTO appeals_fts (rowid, body) VALUES (?1, ?2)")?;
    let mut rows = select.query([])?;
    let mut body = String::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let text: String = r.get(1)?;
        normalizer.normalize_into(&text, &mut body);
        insert.execute(params![id, body])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Version 13 rebuilds the audit trail's table: its entries keep their ids, contents and
    /// hashes, and an entry must be about an appeal or a register's entry, not both or neither.
    #[test]
    fn rebuilding_the_events_keeps_every_entry() {
        let mut conn = Db::Sqlite(rusqlite::Connection::open_in_memory().expect("db"));
        let tx = conn.transaction().expect("tx");
        for sql in &MIGRATIONS[..12] {
            tx.execute_batch(sql).expect("migration");
        }
        tx.execute_batch(&format!("PRAGMA user_version = {}", 12))
            .expect("version");
        tx.execute(
            "INSERT INTO appeals (id, channel, source_id, received_at, text, status, is_open, \
             created_at, updated_at) VALUES (1, 'im', 'A-1', 0, 'Яма', 'new', 1, 0, 0)",
            [],
        )
        .expect("appeal");
        for (id, field, hash) in [(1, "created", "h1"), (5, "status", "h5")] {
            tx.execute(
                "INSERT INTO events (id, appeal_id, at, operator, source, field, new, hash) \
                 VALUES (?1, 1, 100, 'op', 'cli', ?2, 'x', ?3)",
                params![id, field, hash],
            )
            .expect("event");
        }
        tx.commit().expect("commit");
        migrate(&mut conn, &Reference::embedded().expect("reference")).expect("migrated");
        let rows: Vec<(i64, Option<i64>, String, String)> = conn
            .prepare("SELECT id, appeal_id, field, hash FROM events ORDER BY id")
            .expect("query")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(
            rows,
            vec![
                (1, Some(1), "created".into(), "h1".into()),
                (5, Some(1), "status".into(), "h5".into())
            ]
        );
        let insert = |appeal: Option<i64>, register: Option<&str>, entry: Option<i64>| {
            conn.execute(
                "INSERT INTO events (appeal_id, register, entry_id, at, operator, source, field) \
                 VALUES (?1, ?2, ?3, 0, 'op', 'cli', 'f')",
                params![appeal, register, entry],
            )
        };
        assert!(insert(Some(1), Some("roadmap"), Some(1)).is_err(), "both");
        assert!(insert(None, None, None).is_err(), "neither");
        assert!(
            insert(None, Some("roadmap"), None).is_err(),
            "a register without an entry"
        );
        insert(None, Some("roadmap"), Some(1)).expect("a register's entry");
    }

    /// The interim answers' migration: an appeal still waiting for its final answer keeps the
    /// text it holds as its interim answer; an answered, closed or rejected one keeps it as the
    /// final answer; after a reopening only an interim answer of the new term moves. The audit
    /// trail records each move, so the replay of every appeal's history still agrees.
    #[test]
    fn the_interim_answers_migration_keeps_old_answers_right() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("mcu.db");
        let at = |h: i64| 1_790_000_000 + h * 3600;
        let conn = Db::Sqlite(rusqlite::Connection::open(&path).expect("db"));
        let tx = conn.transaction().expect("tx");
        let upto = MIGRATIONS
            .iter()
            .position(|m| *m == INTERIM_ANSWERS)
            .expect("the migration");
        for sql in &MIGRATIONS[..upto] {
            tx.execute_batch(sql).expect("migration");
        }
        tx.execute_batch(&format!("PRAGMA user_version = {}", upto as i64))
            .expect("version");
        // (id, status, open, first response, answered, reopened, interim after reopening, text)
        type Row = (
            i64,
            &'static str,
            bool,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<&'static str>,
        );
        let rows: [Row; 6] = [
            (
                1,
                "interim",
                true,
                Some(at(1)),
                None,
                None,
                None,
                Some("Принято, выезд завтра"),
            ),
            (
                2,
                "answered",
                false,
                Some(at(1)),
                Some(at(2)),
                None,
                None,
                Some("Яма засыпана"),
            ),
            (
                3,
                "closed",
                false,
                Some(at(1)),
                None,
                None,
                None,
                Some("Сделано"),
            ),
            (
                4,
                "rejected",
                false,
                Some(at(1)),
                None,
                None,
                None,
                Some("Не в компетенции"),
            ),
            (
                5,
                "in_progress",
                true,
                Some(at(1)),
                None,
                Some(at(3)),
                None,
                Some("Уточнение"),
            ),
            (
                6,
                "interim",
                true,
                Some(at(1)),
                None,
                Some(at(3)),
                Some(at(4)),
                Some("Повторный выезд"),
            ),
        ];
        for (id, status, open, first, answered, reopened, interim, text) in rows {
            tx.execute(
                "INSERT INTO appeals (id, channel, source_id, received_at, text, status, is_open, \
                 first_response_at, answered_at, reopened_at, interim_after_reopen_at, answer, \
                 created_at, updated_at) VALUES (?1, 'im', ?1, ?2, 'Яма', ?3, ?4, ?5, ?6, ?7, ?8, \
                 ?9, 0, 0)",
                params![
                    id,
                    at(0),
                    status,
                    open,
                    first,
                    answered,
                    reopened,
                    interim,
                    text
                ],
            )
            .expect("appeal");
            crate::store::audit::append(
                &tx,
                id,
                at(0),
                "op",
                "cli",
                &[("created", None, Some("cli")), ("answer", None, text)],
            )
            .expect("entries");
        }
        tx.commit().expect("commit");
        drop(conn);

        let store = crate::store::Store::open(
            &path,
            std::sync::Arc::new(Reference::embedded().expect("reference")),
        )
        .expect("migrated");
        let texts = |id: i64| {
            let a = store.get(id).expect("read").expect("appeal");
            (a.interim_answer, a.answer)
        };
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            texts(1),
            (s("Принято, выезд завтра"), None),
            "waiting: interim"
        );
        assert_eq!(texts(2), (None, s("Яма засыпана")), "answered: final");
        assert_eq!(texts(3), (None, s("Сделано")), "closed: final");
        assert_eq!(texts(4), (None, s("Не в компетенции")), "rejected: final");
        assert_eq!(
            texts(5),
            (None, s("Уточнение")),
            "reopened, no new interim: stays"
        );
        assert_eq!(
            texts(6),
            (s("Повторный выезд"), None),
            "the new term's interim"
        );
        let history = store.history(1).expect("history");
        assert!(
            history
                .iter()
                .any(|e| e.field == "interim_answer" && e.source == "migration"),
            "{history:?}"
        );
        let v = store.verify_audit().expect("verify");
        assert!(v.intact, "{:?}", v.problems);
    }

    /// A database made by the first schema version keeps finding its appeals after the search
    /// index is recreated.
    #[test]
    fn upgrading_refills_the_search_index() {
        let mut conn = Db::Sqlite(rusqlite::Connection::open_in_memory().expect("db"));
        let tx = conn.transaction().expect("tx");
        tx.execute_batch(MIGRATIONS[0]).expect("v1");
        tx.execute_batch(&format!("PRAGMA user_version = {}", 1))
            .expect("version");
        let n = SearchNormalizer::new();
        for (id, text) in [
            (1, "Ямы на дороге у школы"),
            (2, "Нет отопления, батареи холодные"),
        ] {
            tx.execute(
                "INSERT INTO appeals (id, channel, source_id, received_at, text, status, is_open, \
                 created_at, updated_at) VALUES (?1, 'im', ?1, 0, ?2, 'new', 1, 0, 0)",
                params![id, text],
            )
            .expect("appeal");
            tx.execute(
                "INSERT INTO appeals_fts (rowid, body) VALUES (?1, ?2)",
                params![id, n.normalize(text)],
            )
            .expect("indexed");
        }
        tx.commit().expect("commit");

        migrate(&mut conn, &Reference::embedded().expect("reference")).expect("migrated");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, CURRENT_VERSION);
        let find = |q: &str| -> Vec<i64> {
            let mut st = conn
                .prepare("SELECT rowid FROM appeals_fts WHERE appeals_fts MATCH ?1 ORDER BY rowid")
                .expect("query");
            st.query_map(
                [crate::store::search::query(
                    crate::store::db::Engine::Sqlite,
                    q,
                    crate::store::search::Words::All,
                )],
                |r| r.get(0),
            )
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("ids")
        };
        assert_eq!(find("яма"), vec![1]);
        assert_eq!(find("школа"), vec![1]);
        assert_eq!(find("отопление холодные батареи"), vec![2]);
        assert!(find("снег").is_empty());
    }
}
