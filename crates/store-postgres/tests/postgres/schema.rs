//! The two backends' schemas must not drift: same tables, columns (with compatible types and
//! nullability), primary keys, indexes (columns, uniqueness, partial or not) and foreign keys.

use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Column { table: String, column: String, kind: &'static str, nullable: bool, primary_key: bool },
    Index { table: String, columns: Vec<String>, unique: bool, partial: bool },
    ForeignKey { table: String, column: String, references: String },
}

fn sqlite_type(t: &str) -> &'static str {
    match t {
        "INTEGER" => "integer",
        "TEXT" => "text",
        other => panic!("unexpected SQLite type {other}"),
    }
}

fn pg_type(t: &str) -> &'static str {
    match t {
        // SQLite stores booleans and every integer width as INTEGER.
        "bigint" | "smallint" | "integer" | "boolean" => "integer",
        "text" => "text",
        other => panic!("unexpected PostgreSQL type {other}"),
    }
}

fn sqlite_schema() -> BTreeSet<Item> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(simexit_store_sqlite::SqliteStore::open(&path, simexit_store_sqlite::Durability::Normal).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = c
        // `lookup_changes` feeds the lookup index, which only SQLite has (PostgreSQL's ids of
        // concurrent writers are not in commit order, so a log cursor could skip one).
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'lookup_changes'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut items = BTreeSet::new();
    for t in &tables {
        let mut s = c.prepare(&format!("PRAGMA table_info({t})")).unwrap();
        let cols = s
            .query_map([], |r| {
                Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?, r.get::<_, i64>(5)? > 0))
            })
            .unwrap();
        for col in cols {
            let (name, kind, notnull, pk) = col.unwrap();
            items.insert(Item::Column {
                table: t.clone(),
                column: name,
                kind: sqlite_type(&kind),
                nullable: !(notnull || pk),
                primary_key: pk,
            });
        }
        let mut s = c.prepare(&format!("PRAGMA index_list({t})")).unwrap();
        let indexes: Vec<(String, bool, String, bool)> = s
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (name, unique, origin, partial) in indexes {
            if origin == "pk" {
                continue;
            }
            let mut s = c.prepare(&format!("PRAGMA index_info({name})")).unwrap();
            let columns: Vec<String> = s.query_map([], |r| r.get(2)).unwrap().collect::<Result<_, _>>().unwrap();
            items.insert(Item::Index { table: t.clone(), columns, unique, partial });
        }
        let mut s = c.prepare(&format!("PRAGMA foreign_key_list({t})")).unwrap();
        let fks = s.query_map([], |r| Ok((r.get::<_, String>(2)?, r.get::<_, String>(3)?))).unwrap();
        for fk in fks {
            let (references, column) = fk.unwrap();
            items.insert(Item::ForeignKey { table: t.clone(), column, references });
        }
    }
    items
}

fn postgres_schema(url: &str) -> BTreeSet<Item> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    let schema = format!("schema_{}", hex::encode(bytes));
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
    drop(simexit_store_postgres::PgStore::open_in_schema(url, Some(&schema)).unwrap());
    let mut items = BTreeSet::new();
    let pks: BTreeSet<(String, String)> = c
        .query(
            "SELECT k.table_name, k.column_name FROM information_schema.table_constraints tc
             JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
             WHERE tc.table_schema = $1 AND tc.constraint_type = 'PRIMARY KEY'",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for r in c
        .query(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1",
            &[&schema],
        )
        .unwrap()
    {
        let (table, column, kind, nullable): (String, String, String, String) = (r.get(0), r.get(1), r.get(2), r.get(3));
        let primary_key = pks.contains(&(table.clone(), column.clone()));
        items.insert(Item::Column { table, column, kind: pg_type(&kind), nullable: nullable == "YES", primary_key });
    }
    for r in c
        .query(
            "SELECT t.relname, ix.indisunique, ix.indpred IS NOT NULL,
                    array_agg(a.attname::TEXT ORDER BY k.n)
             FROM pg_index ix
             JOIN pg_class i ON i.oid = ix.indexrelid
             JOIN pg_class t ON t.oid = ix.indrelid
             JOIN pg_namespace ns ON ns.oid = t.relnamespace
             CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
             WHERE ns.nspname = $1 AND NOT ix.indisprimary
             GROUP BY t.relname, i.relname, ix.indisunique, ix.indpred",
            &[&schema],
        )
        .unwrap()
    {
        items.insert(Item::Index { table: r.get(0), unique: r.get(1), partial: r.get(2), columns: r.get(3) });
    }
    for r in c
        .query(
            "SELECT cl.relname, a.attname::TEXT, rf.relname
             FROM pg_constraint co
             JOIN pg_class cl ON cl.oid = co.conrelid
             JOIN pg_class rf ON rf.oid = co.confrelid
             JOIN pg_namespace ns ON ns.oid = cl.relnamespace
             JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = co.conkey[1]
             WHERE co.contype = 'f' AND ns.nspname = $1",
            &[&schema],
        )
        .unwrap()
    {
        items.insert(Item::ForeignKey { table: r.get(0), column: r.get(1), references: r.get(2) });
    }
    c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
    items
}

#[test]
fn the_sqlite_and_postgres_schemas_have_not_drifted() {
    let Ok(url) = std::env::var("SIMEXIT_TEST_POSTGRES_URL") else {
        eprintln!("skipped: SIMEXIT_TEST_POSTGRES_URL is not set");
        return;
    };
    let sqlite = sqlite_schema();
    let pg = postgres_schema(&url);
    let only_sqlite: Vec<_> = sqlite.difference(&pg).collect();
    let only_pg: Vec<_> = pg.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "schemas drifted\nonly in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_pg:#?}"
    );
    assert!(sqlite.len() > 150, "the comparison saw the schema ({} items)", sqlite.len());
}
