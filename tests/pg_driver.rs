//! The PostgreSQL driver against a real server (`MCU_TEST_PG`, or a private cluster started for
//! this process: see tests/common/pg.rs).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;

use std::time::Duration;

use common::pg::{TestDb, admin_tcp_url, admin_url, with_dbname};
use mcu::store::db::pg::{Isolation, Notification, PgConn, PgError, PgPool, advisory_key};
use mcu::store::db::value::{ToValue, Value, ValueRef};

/// Far longer than anything here takes: only a broken server makes a test wait this long.
const PATIENCE: Duration = Duration::from_secs(30);

fn pid(conn: &PgConn) -> i64 {
    conn.query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0)
        .unwrap()
}

/// Ends `victim`'s server session and waits until the server process is gone.
fn terminate(admin: &PgConn, victim_pid: i64) {
    let row = admin
        .query_one(
            "SELECT pg_terminate_backend(?1::int, 30000)",
            &[&victim_pid],
        )
        .unwrap();
    assert!(row.get::<bool>(0).unwrap());
}

#[test]
fn helper_urls_replace_the_database() {
    assert_eq!(
        with_dbname("postgres://u@h:5/postgres", "x"),
        "postgres://u@h:5/x"
    );
    assert_eq!(
        with_dbname("postgres://u@%2Ftmp%2Fa:5/postgres?sslmode=disable", "x"),
        "postgres://u@%2Ftmp%2Fa:5/x?sslmode=disable"
    );
    assert_eq!(with_dbname("postgres://u@h", "x"), "postgres://u@h/x");
    assert_eq!(
        with_dbname("postgres://?host=/tmp/a", "x"),
        "postgres:///x?host=/tmp/a"
    );
    assert_eq!(
        with_dbname("host=/tmp/a user=u", "x"),
        "host=/tmp/a user=u dbname=x"
    );
}

#[test]
fn every_url_form_connects() {
    let db = TestDb::create();
    let url = db.url().to_owned();
    let conn = PgConn::connect(&url).unwrap();
    assert_eq!(
        conn.query_one("SELECT current_database()", &[])
            .unwrap()
            .get::<String>(0)
            .unwrap(),
        db.name()
    );
    // postgresql:// is the same scheme.
    if let Some(rest) = url.strip_prefix("postgres://") {
        let c = PgConn::connect(&format!("postgresql://{rest}")).unwrap();
        assert_eq!(
            c.query_one("SELECT 1", &[]).unwrap().get::<i64>(0).unwrap(),
            1
        );
    }
    // A socket directory as %2F-encoded host, or as ?host=/dir.
    if let Some((user_at, rest)) = url.split_once("%2F") {
        let (dir_tail, after) = rest.split_once(':').unwrap();
        let dir = format!("/{}", dir_tail.replace("%2F", "/"));
        let (port, dbname) = after.split_once('/').unwrap();
        let query_form = format!("{user_at}/{dbname}?host={dir}&port={port}");
        let c = PgConn::connect(&query_form).unwrap();
        assert_eq!(
            c.query_one("SELECT current_database()", &[])
                .unwrap()
                .get::<String>(0)
                .unwrap(),
            db.name()
        );
        assert!(c.target().contains(&dir), "{}", c.target());
    }
    if let Some(tcp) = admin_tcp_url() {
        let c = PgConn::connect(&with_dbname(&tcp, db.name())).unwrap();
        assert_eq!(
            c.query_one("SELECT 1", &[]).unwrap().get::<i64>(0).unwrap(),
            1
        );
    }
    // No TLS: a URL that requires it is refused.
    let sep = if url.contains('?') { '&' } else { '?' };
    assert!(PgConn::connect(&format!("{url}{sep}sslmode=require")).is_err());
    // A server that is not there: a connection error, marked lost, no password shown.
    let e =
        PgConn::connect("postgres://nobody:s3cret@127.0.0.1:1/none?connect_timeout=5").unwrap_err();
    assert!(e.is_connection_lost(), "{e}");
    assert!(matches!(e, PgError::Connect { .. }), "{e}");
    assert!(!e.to_string().contains("s3cret"), "{e}");
    assert!(e.to_string().contains("127.0.0.1:1/none as nobody"), "{e}");
}

#[test]
fn values_cross_in_both_directions() {
    let db = TestDb::create();
    let c = db.connect();
    c.batch_execute(
        "CREATE TABLE v (
            i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, n numeric,
            b boolean, t text, vc varchar(20), ch char(3), j jsonb, by bytea
        )",
    )
    .unwrap();
    let blob: &[u8] = &[0, 1, 254, 255];
    let n = c
        .execute(
            "INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                &7i64,
                &-70_000i64,
                &(1i64 << 40),
                &1.5f64,
                &2.25f64,
                &12.5f64,
                &true,
                &"ЖКХ",
                &42i64,
                &"ab",
                &r#"{"k": "д"}"#,
                &blob,
            ],
        )
        .unwrap();
    assert_eq!(n, 1);
    let r = c.query_one("SELECT * FROM v", &[]).unwrap();
    assert_eq!(r.len(), 12);
    assert_eq!(
        r.column_names(),
        [
            "i2", "i4", "i8", "f4", "f8", "n", "b", "t", "vc", "ch", "j", "by"
        ]
    );
    assert_eq!(r.column_type(5), Some("numeric"));
    assert_eq!(r.index_of("t"), Some(7));
    let got: Vec<Value> = (0..r.len()).map(|i| r.get_value(i).unwrap()).collect();
    assert_eq!(
        got,
        [
            Value::Integer(7),
            Value::Integer(-70_000),
            Value::Integer(1 << 40),
            Value::Real(1.5),
            Value::Real(2.25),
            Value::Real(12.5),
            Value::Integer(1),
            Value::Text("ЖКХ".into()),
            Value::Text("42".into()),
            Value::Text("ab ".into()),
            Value::Text(r#"{"k": "д"}"#.into()),
            Value::Blob(blob.to_vec()),
        ]
    );
    // Borrowed text and bytes straight from the row.
    assert_eq!(r.get_ref(7).unwrap(), ValueRef::Text("ЖКХ"));
    assert_eq!(r.get::<Vec<u8>>(11).unwrap(), blob);
    assert!(r.get::<bool>(6).unwrap());

    // Null into every column, read back as null.
    let nulls: Vec<Option<i64>> = vec![None; 12];
    let params: Vec<&dyn ToValue> = nulls.iter().map(|v| v as &dyn ToValue).collect();
    c.execute(
        "INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &params,
    )
    .unwrap();
    let r = c.query_one("SELECT * FROM v WHERE t IS NULL", &[]).unwrap();
    assert!((0..12).all(|i| r.get_ref(i).unwrap() == ValueRef::Null));
    assert_eq!(r.get::<Option<String>>(7).unwrap(), None);

    // The server refuses what does not fit, naming the type and not the value.
    let e = c
        .execute("INSERT INTO v (i4) VALUES (?)", &[&(1i64 << 40)])
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("int4") && text.contains("out of range"),
        "{text}"
    );
    assert!(!text.contains("1099511627776"), "{text}");
    let e = c
        .execute("INSERT INTO v (b) VALUES (?)", &[&2i64])
        .unwrap_err();
    assert!(e.to_string().contains("bool"), "{e}");

    // A column type the store does not read is an error naming it.
    let r = c.query_one("SELECT DATE '2026-12-07' AS day", &[]).unwrap();
    let e = r.get_ref(0).unwrap_err();
    assert!(
        e.to_string().contains("day") && e.to_string().contains("date"),
        "{e}"
    );
    assert!(matches!(
        r.get_ref(3),
        Err(PgError::NoColumn {
            index: 3,
            len: 1,
            ..
        })
    ));
}

#[test]
fn numeric_results_read_as_integers_when_whole() {
    let db = TestDb::create();
    let c = db.connect();
    let r = c
        .query_one(
            "SELECT 0::numeric, (-5)::numeric, 123456789012::numeric, 1.5::numeric,
                    0.001::numeric, 1e20::numeric, 5.000::numeric, 'NaN'::numeric,
                    (-0.000123)::numeric",
            &[],
        )
        .unwrap();
    let got: Vec<Value> = (0..8).map(|i| r.get_value(i).unwrap()).collect();
    assert_eq!(
        got[..7],
        [
            Value::Integer(0),
            Value::Integer(-5),
            Value::Integer(123_456_789_012),
            Value::Real(1.5),
            Value::Real(0.001),
            Value::Real(1e20),
            Value::Integer(5),
        ]
    );
    assert!(matches!(got[7], Value::Real(f) if f.is_nan()));
    assert_eq!(r.get_value(8).unwrap(), Value::Real(-0.000_123));

    // SUM of bigints is numeric; AVG too.
    c.batch_execute(
        "CREATE TABLE t (x bigint); INSERT INTO t VALUES (9000000000000000000), (1), (2)",
    )
    .unwrap();
    let r = c
        .query_one(
            "SELECT SUM(x) - 9000000000000000000, AVG(x) > 0, SUM(x), COUNT(*) FROM t",
            &[],
        )
        .unwrap();
    assert_eq!(r.get::<i64>(0).unwrap(), 3);
    assert!(r.get::<bool>(1).unwrap());
    // 9e18 + 3 fits i64.
    assert_eq!(r.get::<i64>(2).unwrap(), 9_000_000_000_000_000_003);
    assert_eq!(r.get::<i64>(3).unwrap(), 3);

    // Integers and reals bound into numeric parameters come back equal.
    let r = c
        .query_one(
            "SELECT ?1::numeric, ?2::numeric, ?3::numeric",
            &[&-123_456_789_012i64, &0.001f64, &1e20f64],
        )
        .unwrap();
    assert_eq!(r.get_value(0).unwrap(), Value::Integer(-123_456_789_012));
    assert_eq!(r.get_value(1).unwrap(), Value::Real(0.001));
    assert_eq!(r.get_value(2).unwrap(), Value::Real(1e20));
    let r = c
        .query_one(
            "SELECT ?1::numeric = 0.001, ?2::numeric = 100000000000000000000",
            &[&0.001f64, &1e20f64],
        )
        .unwrap();
    assert_eq!(
        (r.get::<bool>(0).unwrap(), r.get::<bool>(1).unwrap()),
        (true, true)
    );
}

#[test]
fn sqlite_placeholders_and_the_statement_cache() {
    let db = TestDb::create();
    let c = db.connect();
    c.batch_execute("CREATE TABLE p (a bigint, b text)")
        .unwrap();
    c.execute("INSERT INTO p VALUES (?1, ?2)", &[&1i64, &"one?"])
        .unwrap();
    c.execute("INSERT INTO p VALUES (?, ?)", &[&2i64, &"two"])
        .unwrap();
    c.execute("INSERT INTO p VALUES (?, ?)", &[&3i64, &"three"])
        .unwrap();
    let rows = c
        .query(
            "SELECT a, b, '?' AS q FROM p WHERE a >= ?1 AND b <> ? -- a comment?\nORDER BY a",
            &[&2i64, &"three"],
        )
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<i64>(0).unwrap(), 2);
    assert_eq!(rows[0].get::<String>(2).unwrap(), "?");
    // The same text again is not prepared again.
    let before = c.cached_statements();
    c.execute("INSERT INTO p VALUES (?, ?)", &[&4i64, &"four"])
        .unwrap();
    assert_eq!(c.cached_statements(), before);
    assert_eq!(
        c.query_opt("SELECT a FROM p WHERE a = ?", &[&99i64])
            .unwrap()
            .map(|_| ()),
        None
    );
    assert!(matches!(
        c.query_one("SELECT a FROM p WHERE a = ?", &[&99i64]),
        Err(PgError::NoRow { .. })
    ));
    // The first row of several, as SQLite's query_row.
    assert_eq!(
        c.query_one("SELECT a FROM p ORDER BY a", &[])
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        1
    );

    // A table changed under a cached SELECT *: re-prepared by itself outside a transaction.
    let n = c.query("SELECT * FROM p", &[]).unwrap()[0].len();
    assert_eq!(n, 2);
    c.batch_execute("ALTER TABLE p ADD COLUMN c text").unwrap();
    assert_eq!(c.query("SELECT * FROM p", &[]).unwrap()[0].len(), 3);
}

#[test]
fn errors_keep_sqlstate_and_hide_values() {
    let db = TestDb::create();
    let c = db.connect();
    c.batch_execute("CREATE TABLE people (email text PRIMARY KEY)")
        .unwrap();
    c.execute("INSERT INTO people VALUES (?)", &[&"ivanov@example.ru"])
        .unwrap();
    let e = c
        .execute(
            "INSERT INTO people VALUES (?)\n  -- second line",
            &[&"ivanov@example.ru"],
        )
        .unwrap_err();
    assert!(e.is_unique_violation(), "{e}");
    assert_eq!(e.sqlstate(), Some("23505"));
    assert_eq!(e.constraint(), Some("people_pkey"));
    assert!(!e.is_connection_lost() && !e.is_serialization_failure());
    let text = e.to_string();
    assert!(text.contains("INSERT INTO people VALUES (?)"), "{text}");
    assert!(!text.contains("second line"), "{text}");
    assert!(
        !text.contains("ivanov"),
        "the DETAIL quotes the key: {text}"
    );
    assert!(text.contains("23505"), "{text}");

    let e = c.execute("SELEKT 1", &[]).unwrap_err();
    assert_eq!(e.sqlstate(), Some("42601"));
}

#[test]
fn repeatable_read_conflicts_are_serialization_failures() {
    let db = TestDb::create();
    let (a, b) = (db.connect(), db.connect());
    a.batch_execute("CREATE TABLE c (id int PRIMARY KEY, n int); INSERT INTO c VALUES (1, 0)")
        .unwrap();
    a.begin_with(Isolation::RepeatableRead).unwrap();
    assert_eq!(
        a.query_one("SELECT n FROM c WHERE id = 1", &[])
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        0
    );
    b.execute("UPDATE c SET n = n + 1 WHERE id = 1", &[])
        .unwrap();
    let e = a
        .execute("UPDATE c SET n = n + 10 WHERE id = 1", &[])
        .unwrap_err();
    assert!(e.is_serialization_failure(), "{e}");
    a.rollback().unwrap();
    // Read committed (the default) has no such failure: the update applies to the committed row.
    a.begin().unwrap();
    assert_eq!(
        a.query_one("SELECT n FROM c WHERE id = 1", &[])
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        1
    );
    b.execute("UPDATE c SET n = n + 1 WHERE id = 1", &[])
        .unwrap();
    a.execute("UPDATE c SET n = n + 10 WHERE id = 1", &[])
        .unwrap();
    a.commit().unwrap();
    assert_eq!(
        b.query_one("SELECT n FROM c", &[])
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        12
    );
}

#[test]
fn transactions_commit_roll_back_and_refuse_to_commit_a_failure() {
    let db = TestDb::create();
    let c = db.connect();
    c.batch_execute("CREATE TABLE t (x int PRIMARY KEY)")
        .unwrap();
    let count = |c: &PgConn| {
        c.query_one("SELECT COUNT(*) FROM t", &[])
            .unwrap()
            .get::<i64>(0)
            .unwrap()
    };

    c.begin().unwrap();
    assert!(c.in_transaction());
    c.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
    c.rollback().unwrap();
    assert!(!c.in_transaction());
    assert_eq!(count(&c), 0);

    c.begin().unwrap();
    c.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
    c.commit().unwrap();
    assert_eq!(count(&c), 1);

    // A failed statement: COMMIT would silently roll back; here it is an error.
    c.begin().unwrap();
    c.execute("INSERT INTO t VALUES (2)", &[]).unwrap();
    assert!(
        c.execute("INSERT INTO t VALUES (1)", &[])
            .unwrap_err()
            .is_unique_violation()
    );
    assert!(matches!(c.commit(), Err(PgError::TransactionAborted)));
    assert!(!c.in_transaction());
    assert_eq!(count(&c), 1);

    // A parameter refused before sending leaves the transaction usable.
    c.begin().unwrap();
    c.execute("INSERT INTO t VALUES (?)", &[&(1i64 << 40)])
        .unwrap_err();
    c.execute("INSERT INTO t VALUES (?)", &[&2i64]).unwrap();
    c.rollback().unwrap();

    // A savepoint recovers from the failure.
    c.begin().unwrap();
    c.execute("INSERT INTO t VALUES (2)", &[]).unwrap();
    c.savepoint("s1").unwrap();
    assert!(c.execute("INSERT INTO t VALUES (1)", &[]).is_err());
    c.rollback_to("s1").unwrap();
    c.execute("INSERT INTO t VALUES (3)", &[]).unwrap();
    c.release("s1").unwrap();
    c.commit().unwrap();
    assert_eq!(count(&c), 3);
}

#[test]
fn copy_in_loads_any_text_and_bytes() {
    let db = TestDb::create();
    let c = db.connect();
    c.batch_execute("CREATE TABLE imp (id bigint, txt text, score double precision, raw bytea)")
        .unwrap();
    let rows: Vec<Vec<Value>> = (0..5000)
        .map(|i| {
            vec![
                Value::Integer(i),
                if i % 7 == 0 {
                    Value::Null
                } else {
                    Value::Text(format!(
                        "Обращение №{i}\tс табуляцией\nи строкой \\ и \\N\r"
                    ))
                },
                Value::Real(f64::from(u32::try_from(i).unwrap()) / 8.0),
                Value::Blob(vec![u8::try_from(i % 256).unwrap(), 0, b'\\', b'\n']),
            ]
        })
        .collect();
    let n = c
        .copy_in("COPY imp (id, txt, score, raw) FROM STDIN", rows.iter())
        .unwrap();
    assert_eq!(n, 5000);
    let back = c
        .query("SELECT id, txt, score, raw FROM imp ORDER BY id", &[])
        .unwrap();
    assert_eq!(back.len(), 5000);
    for (row, want) in back.iter().zip(&rows) {
        let got: Vec<Value> = (0..4).map(|i| row.get_value(i).unwrap()).collect();
        assert_eq!(&got, want);
    }
    // A row that does not fit fails the whole COPY.
    let bad = [vec![
        Value::Text("не число".into()),
        Value::Null,
        Value::Null,
        Value::Null,
    ]];
    let e = c
        .copy_in("COPY imp (id, txt, score, raw) FROM STDIN", bad.iter())
        .unwrap_err();
    assert_eq!(e.sqlstate(), Some("22P02"));
    assert_eq!(
        c.query_one("SELECT COUNT(*) FROM imp", &[])
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        5000
    );
}

#[test]
fn notifications_are_counted_on_listened_channels() {
    let db = TestDb::create();
    let (a, b) = (db.connect(), db.connect());
    a.listen("mcu_changes").unwrap();
    let seen = a.notifications();
    assert_eq!(seen, 0);
    // Another channel first, then ours: delivered in commit order, only ours counts.
    b.notify("elsewhere", "x").unwrap();
    b.notify("mcu_changes", "appeals").unwrap();
    let now = a.wait_notifications(seen, PATIENCE);
    assert_eq!(now, 1);
    // Inside a transaction the notification waits for the commit.
    b.begin().unwrap();
    b.notify("mcu_changes", "votes").unwrap();
    b.commit().unwrap();
    assert_eq!(a.wait_notifications(now, PATIENCE), 2);
    assert_eq!(
        a.take_notifications(),
        [
            Notification {
                channel: "mcu_changes".into(),
                payload: "appeals".into()
            },
            Notification {
                channel: "mcu_changes".into(),
                payload: "votes".into()
            },
        ]
    );
    assert!(a.take_notifications().is_empty());
    assert_eq!(b.notifications(), 0);
}

#[test]
fn the_advisory_lock_serialises_transactions() {
    let db = TestDb::create();
    let (a, b) = (db.connect(), db.connect());
    let key = advisory_key("audit");
    let try_lock = |c: &PgConn| {
        c.query_one("SELECT pg_try_advisory_xact_lock(?1)", &[&key])
            .unwrap()
            .get::<bool>(0)
            .unwrap()
    };
    a.begin().unwrap();
    a.advisory_xact_lock(key).unwrap();
    b.begin().unwrap();
    assert!(!try_lock(&b), "held by a");
    b.rollback().unwrap();
    a.commit().unwrap();
    b.begin().unwrap();
    assert!(try_lock(&b), "released at a's commit");
    b.commit().unwrap();

    // A waiting writer proceeds once the holder commits.
    a.begin().unwrap();
    a.advisory_xact_lock(key).unwrap();
    let url = db.url().to_owned();
    let waiter = std::thread::spawn(move || {
        let c = PgConn::connect(&url).unwrap();
        c.begin().unwrap();
        c.advisory_xact_lock(key).unwrap();
        c.commit().unwrap();
    });
    // The waiter is blocked on the lock (visible in pg_locks) before a lets go.
    let admin = db.connect();
    let waiting = || {
        admin
            .query_one(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
                &[],
            )
            .unwrap()
            .get::<i64>(0)
            .unwrap()
    };
    let mut n = 0;
    for _ in 0..3000 {
        n = waiting();
        if n == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(n, 1, "the second writer never queued for the lock");
    a.commit().unwrap();
    waiter.join().unwrap();
}

#[test]
fn a_lost_connection_is_reported_and_marked() {
    let db = TestDb::create();
    let (c, admin) = (db.connect(), db.connect());
    terminate(&admin, pid(&c));
    let e = c.query("SELECT 1", &[]).unwrap_err();
    assert!(e.is_connection_lost(), "{e}");
    assert!(c.is_broken());
}

#[test]
fn calls_work_inside_a_current_thread_runtime() {
    let db = TestDb::create();
    let url = db.url().to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let got = rt.block_on(async move {
        // Connecting and querying from inside the runtime, as the console's store does.
        let c = PgConn::connect(&url).unwrap();
        c.batch_execute("CREATE TABLE r (x int)").unwrap();
        c.execute("INSERT INTO r VALUES (?)", &[&5i64]).unwrap();
        tokio::task::yield_now().await;
        c.query_one("SELECT SUM(x) FROM r", &[])
            .unwrap()
            .get::<i64>(0)
            .unwrap()
    });
    assert_eq!(got, 5);
}

#[test]
fn calls_work_on_a_multi_thread_runtime_worker() {
    let db = TestDb::create();
    let url = db.url().to_owned();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let got = rt.block_on(async move {
        let tasks: Vec<_> = (0..4i64)
            .map(|i| {
                let url = url.clone();
                tokio::spawn(async move {
                    let c = PgConn::connect(&url).unwrap();
                    c.query_one("SELECT ?1::bigint * 2", &[&i])
                        .unwrap()
                        .get::<i64>(0)
                        .unwrap()
                })
            })
            .collect();
        let mut sum = 0;
        for t in tasks {
            sum += t.await.unwrap();
        }
        sum
    });
    assert_eq!(got, 12);
}

#[test]
fn the_pool_reuses_bounds_and_drops_broken_connections() {
    let db = TestDb::create();
    let pool = PgPool::with_wait(db.url(), 2, Duration::from_millis(200));

    // Reuse: the same server session comes back.
    let first = {
        let c = pool.get().unwrap();
        c.batch_execute("CREATE TABLE t (x int)").unwrap();
        pid(&c)
    };
    assert_eq!((pool.open_count(), pool.idle_count()), (1, 1));
    let c1 = pool.get().unwrap();
    assert_eq!(pid(&c1), first);

    // Bound: two handed out, a third is refused (try_get) or times out (get).
    let c2 = pool.get().unwrap();
    assert_ne!(pid(&c2), first);
    assert_eq!(pool.open_count(), 2);
    assert!(pool.try_get().unwrap().is_none());
    assert!(matches!(
        pool.get(),
        Err(PgError::PoolTimeout { max: 2, .. })
    ));

    // A waiting caller gets the connection given back.
    let patient = PgPool::with_wait(db.url(), 1, PATIENCE);
    let held = patient.get().unwrap();
    let held_pid = pid(&held);
    let p2 = patient.clone();
    let waiter = std::thread::spawn(move || pid(&p2.get().unwrap()));
    drop(held);
    assert_eq!(waiter.join().unwrap(), held_pid);

    // An open transaction is rolled back, not handed on.
    c1.begin().unwrap();
    c1.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
    drop(c1);
    let c = pool.get().unwrap();
    assert_eq!(pid(&c), first);
    assert!(!c.in_transaction());
    assert_eq!(
        c.query_one("SELECT COUNT(*) FROM t", &[])
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        0
    );
    drop(c);

    // Broken: its server session is gone; it is closed instead of returned.
    let admin = db.connect();
    let victim = pid(&c2);
    terminate(&admin, victim);
    assert!(c2.query("SELECT 1", &[]).unwrap_err().is_connection_lost());
    drop(c2);
    assert_eq!((pool.open_count(), pool.idle_count()), (1, 1));
    let a = pool.get().unwrap();
    let b = pool.get().unwrap();
    assert!(pid(&a) != victim && pid(&b) != victim);

    // Process-wide: one pool per URL.
    let shared = PgPool::shared(db.url(), 3);
    assert!(shared.same(&PgPool::shared(db.url(), 5)));
    assert_eq!(shared.max(), 3);
    assert!(!shared.same(&PgPool::shared(&admin_url(), 3)));
}

#[test]
fn the_pool_stays_within_its_bound_under_contention() {
    fn shareable<T: Send + Sync>() {}
    shareable::<PgConn>();
    shareable::<PgPool>();

    let db = TestDb::create();
    let pool = PgPool::with_wait(db.url(), 3, PATIENCE);
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut most = 0;
                for i in 0..25i64 {
                    let c = pool.get().unwrap();
                    most = most.max(pool.open_count());
                    let got = c
                        .query_one("SELECT ?1::bigint + ?2::bigint", &[&t, &i])
                        .unwrap();
                    assert_eq!(got.get::<i64>(0).unwrap(), t + i);
                }
                most
            })
        })
        .collect();
    let most = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .max()
        .unwrap();
    assert!(most <= 3, "{most} connections open");
    assert!(pool.open_count() <= 3);
    assert_eq!(pool.idle_count(), pool.open_count());
}

#[test]
fn transaction_texts_keep_the_connection_state() {
    let db = TestDb::create();
    let c = db.connect();
    c.batch_execute("CREATE TABLE t (x int PRIMARY KEY)")
        .unwrap();
    // SQLite's BEGIN IMMEDIATE opens the default transaction; COMMIT through the same door.
    c.batch_execute("BEGIN IMMEDIATE").unwrap();
    assert!(c.in_transaction());
    c.execute("INSERT INTO t VALUES (1)", &[]).unwrap();
    c.batch_execute("COMMIT").unwrap();
    assert!(!c.in_transaction());
    // A failed statement: a COMMIT text is refused as commit() refuses it.
    c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        .unwrap();
    assert!(c.in_transaction());
    assert!(c.execute("INSERT INTO t VALUES (1)", &[]).is_err());
    assert!(matches!(
        c.batch_execute("COMMIT;"),
        Err(PgError::TransactionAborted)
    ));
    assert!(!c.in_transaction());
    c.batch_execute("BEGIN").unwrap();
    c.batch_execute("ROLLBACK").unwrap();
    assert!(!c.in_transaction());
}

#[test]
fn one_off_statements_are_not_cached() {
    let db = TestDb::create();
    let c = db.connect();
    c.batch_execute("CREATE TABLE t (x bigint, s text)")
        .unwrap();
    let before = c.cached_statements();
    assert_eq!(
        c.execute_once(
            "INSERT INTO t VALUES (?, ?), (?1 + 1, ?)",
            &[&1i64, &"a", &"b"]
        )
        .unwrap(),
        2
    );
    let rows = c
        .query_once(
            "SELECT x, s FROM t WHERE x IN (?, ?) ORDER BY s",
            &[&1i64, &2i64],
        )
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].get::<i64>(0).unwrap(), 2);
    assert_eq!(rows[1].get::<String>(1).unwrap(), "b");
    assert_eq!(c.cached_statements(), before);
}

#[test]
fn busy_and_environment_errors_are_told_apart() {
    let db = TestDb::create();
    let (a, b) = (db.connect(), db.connect());
    a.batch_execute("CREATE TABLE t (x int PRIMARY KEY); INSERT INTO t VALUES (1)")
        .unwrap();
    a.begin().unwrap();
    a.execute("UPDATE t SET x = 2", &[]).unwrap();
    // b waits for a's row lock no longer than its lock_timeout.
    b.batch_execute("SET lock_timeout = '100ms'").unwrap();
    let e = b.execute("UPDATE t SET x = 3", &[]).unwrap_err();
    assert!(e.is_busy() && e.is_environment(), "{e}");
    assert!(!e.is_connection_lost());
    a.rollback().unwrap();
    // A database that does not exist: the environment, not the data.
    let e = PgConn::connect(&with_dbname(&admin_url(), "mcu_no_such_database")).unwrap_err();
    assert!(e.is_environment(), "{e}");
    assert_eq!(e.sqlstate(), Some("3D000"));
    // A unique violation is about the data.
    let e = a.execute("INSERT INTO t VALUES (1)", &[]).unwrap_err();
    assert!(!e.is_environment() && !e.is_busy(), "{e}");
}

#[test]
fn debug_output_hides_row_values_too() {
    let db = TestDb::create();
    let c = db.connect();
    c.batch_execute("CREATE TABLE people (email text PRIMARY KEY)")
        .unwrap();
    c.execute("INSERT INTO people VALUES (?)", &[&"petrova@example.ru"])
        .unwrap();
    let e = c
        .execute("INSERT INTO people VALUES (?)", &[&"petrova@example.ru"])
        .unwrap_err();
    let debug = format!("{e:?}");
    assert!(!debug.contains("petrova"), "{debug}");
    assert!(debug.contains("23505"), "{debug}");
}

#[test]
fn a_snapshot_transaction_reads_one_moment() {
    let db = TestDb::create();
    let (a, b) = (db.connect(), db.connect());
    a.batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
        .unwrap();
    let count = |c: &PgConn| {
        c.query_one("SELECT COUNT(*) FROM t", &[])
            .unwrap()
            .get::<i64>(0)
            .unwrap()
    };
    a.begin_with(Isolation::Snapshot).unwrap();
    assert_eq!(count(&a), 1);
    b.execute("INSERT INTO t VALUES (2)", &[]).unwrap();
    assert_eq!(count(&a), 1, "the snapshot does not move");
    let e = a.execute("INSERT INTO t VALUES (3)", &[]).unwrap_err();
    assert_eq!(e.sqlstate(), Some("25006"), "read-only");
    a.rollback().unwrap();
    assert_eq!(count(&a), 2);
}

#[test]
fn a_statement_past_its_timeout_fails_with_what_to_change_and_the_connection_goes_on() {
    use mcu::store::db::{Db, DbError, PgDb};

    let db = TestDb::create();
    let pool = PgPool::new(db.url(), 1);
    let store_db = Db::Pg(
        PgDb::with_timeout(
            pool.get().unwrap(),
            "public",
            Some(Duration::from_millis(200)),
        )
        .unwrap(),
    );
    let err = store_db
        .query_row("SELECT pg_sleep(60)::text", [], |r| r.get::<_, String>(0))
        .unwrap_err();
    let DbError::Pg(pg) = &err else {
        panic!("not a PostgreSQL error: {err}")
    };
    assert!(pg.is_statement_timeout(), "{err}");
    assert!(pg.is_busy(), "a timeout may succeed later: {err}");
    let text = err.to_string();
    assert!(
        text.contains("statement timeout") && text.contains("statement_timeout_seconds"),
        "{text}"
    );
    // The next statement runs as usual.
    let one: i64 = store_db.query_row("SELECT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(one, 1);
    drop(store_db);

    // The same connection, taken again without a limit, keeps none of the previous one.
    let unlimited = Db::Pg(PgDb::new(pool.get().unwrap(), "public").unwrap());
    let shown: String = unlimited
        .query_row("SHOW statement_timeout", [], |r| r.get(0))
        .unwrap();
    assert_eq!(shown, "0");
}

/// `statement_timeout_seconds` of `[store]` reaches the workspace's connections: a change that
/// waits behind a writer stuck holding the municipality's write lock fails after it, with a
/// message saying what to change, instead of hanging the officer's command.
#[test]
fn the_workspace_statement_timeout_ends_a_command_stuck_behind_a_writer() {
    use common::engine::{Engine, EngineWs, write};

    let ws = EngineWs::new(Engine::Postgres, "okrug");
    let config = ws.path("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("statement_timeout_seconds = 1\n");
    std::fs::write(&config, text).unwrap();
    let csv = write(
        ws.dir(),
        "a.csv",
        "id;received_at;text\nT-1;2026-11-02 10:00;Не горит фонарь\n".as_bytes(),
    );
    let now = "2026-11-28T12:00:00+03:00";
    ws.ok(&[
        "import",
        "--channel",
        "pos",
        "--now",
        now,
        csv.to_str().unwrap(),
    ]);

    let holder = PgConn::connect(ws.url().unwrap()).unwrap();
    holder.begin().unwrap();
    holder
        .advisory_xact_lock(advisory_key("mcu-write:mo_okrug"))
        .unwrap();
    let out = ws.mcu(&["set", "pos:T-1", "--urgent", "true", "--now", now]);
    holder.rollback().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("statement timeout") && err.contains("statement_timeout_seconds"),
        "{err}"
    );
    // Once the writer is gone the same change goes through.
    ws.ok(&["set", "pos:T-1", "--urgent", "true", "--now", now]);
}
