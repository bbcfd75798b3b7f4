//! Full-text search over the appeals' texts, the same on both engines from the outside: the
//! text is normalised once by mcu (`SearchNormalizer`: folded, stemmed words), then indexed by
//! the engine's own machinery — an FTS5 table on SQLite, a `tsvector` of the Russian
//! configuration with a GIN index on PostgreSQL. A query goes through the same normaliser, so
//! both sides of a match are the same words on either engine.

use crate::domain::text::SearchNormalizer;
use crate::store::db::{Db, DbResult, Engine, Value, params};

/// How the words of a query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Words {
    /// Every word must occur (the console's search).
    All,
    /// Any word may (a roadmap's rule).
    Any,
}

/// A condition on `a.id` (the appeal's alias is `a`) with one parameter: [`query`]'s value.
pub(crate) fn condition(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "a.id IN (SELECT rowid FROM appeals_fts WHERE appeals_fts MATCH ?)",
        Engine::Postgres => {
            "a.id IN (SELECT appeal_id FROM appeals_search \
             WHERE body @@ to_tsquery('russian', ?))"
        }
    }
}

/// The parameter of [`condition`] for what the officer typed. A query with no words matches
/// nothing rather than everything.
pub(crate) fn query(engine: Engine, q: &str, words: Words) -> Value {
    let stems: Vec<String> = SearchNormalizer::new()
        .normalize(q)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| match engine {
            // A phrase of one word: FTS5 reads nothing inside quotes as syntax.
            Engine::Sqlite => format!("\"{}\"", w.replace('"', "\"\"")),
            // A quoted lexeme: tsquery reads nothing inside quotes as an operator.
            Engine::Postgres => format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")),
        })
        .collect();
    let joined = match (engine, words) {
        (_, _) if stems.is_empty() => match engine {
            Engine::Sqlite => "\"\"".to_string(),
            // An empty lexeme: matches nothing (and to_tsquery gives no notice for it).
            Engine::Postgres => "''".to_string(),
        },
        (Engine::Sqlite, Words::All) => stems.join(" "),
        (Engine::Sqlite, Words::Any) => stems.join(" OR "),
        (Engine::Postgres, Words::All) => stems.join(" & "),
        (Engine::Postgres, Words::Any) => stems.join(" | "),
    };
    Value::Text(joined)
}

/// Indexes an appeal's normalised text (`body`).
pub(crate) fn index(db: &Db, id: i64, body: &str) -> DbResult<()> {
    let sql = match db.engine() {
        Engine::Sqlite => "INSERT INTO appeals_fts (rowid, body) VALUES (?1, ?2)",
        Engine::Postgres => {
            "INSERT INTO appeals_search (appeal_id, body) VALUES (?1, to_tsvector('russian', ?2)) \
             ON CONFLICT (appeal_id) DO UPDATE SET body = excluded.body"
        }
    };
    db.prepare_cached(sql)?.execute(params![id, body])?;
    Ok(())
}

/// Removes an appeal from the index (before its new text is indexed).
pub(crate) fn unindex(db: &Db, id: i64) -> DbResult<()> {
    let sql = match db.engine() {
        Engine::Sqlite => "DELETE FROM appeals_fts WHERE rowid = ?1",
        Engine::Postgres => "DELETE FROM appeals_search WHERE appeal_id = ?1",
    };
    db.prepare_cached(sql)?.execute([id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_quote_every_word_for_their_engine() {
        let Value::Text(s) = query(Engine::Sqlite, "ямы на дороге", Words::All) else {
            panic!("text");
        };
        assert!(s.starts_with('"') && s.contains("\" \""), "{s}");
        let Value::Text(p) = query(Engine::Postgres, "ямы на дороге", Words::Any) else {
            panic!("text");
        };
        assert!(p.starts_with('\'') && p.contains("' | '"), "{p}");
        assert_eq!(
            query(Engine::Sqlite, "  ", Words::All),
            Value::Text("\"\"".into())
        );
        assert_eq!(
            query(Engine::Postgres, "", Words::All),
            Value::Text("''".into())
        );
    }
}
