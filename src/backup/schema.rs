//! The store of record's tables as the database itself describes them (`sqlite_master` and
//! `pragma_table_info` on SQLite, `information_schema` on PostgreSQL), and values read and
//! written generically, in portable types.

use anyhow::{anyhow, bail};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

/// sea-orm's bookkeeping of applied migrations: the target runs its own.
pub const MIGRATION_TABLE: &str = "seaql_migrations";

/// A column's type, as stored by one database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 16-bit integer (PostgreSQL `smallint`).
    Int16,
    /// 32-bit integer (PostgreSQL `integer`).
    Int32,
    /// 64-bit integer (PostgreSQL `bigint`, every SQLite integer).
    Int64,
    /// Floating point.
    Real,
    /// Boolean.
    Bool,
    /// Text.
    Text,
    /// Timestamp with time zone (kept in UTC).
    TimestampTz,
    /// Timestamp without time zone.
    Timestamp,
    /// Date.
    Date,
    /// JSON.
    Json,
    /// Bytes.
    Bytes,
}

impl Kind {
    /// The portable names, as the backup's header writes them.
    pub const NAMES: &'static [&'static str] = &[
        "int",
        "real",
        "bool",
        "text",
        "timestamptz",
        "timestamp",
        "date",
        "json",
        "bytes",
    ];

    /// The portable name.
    pub fn portable(self) -> &'static str {
        match self {
            Kind::Int16 | Kind::Int32 | Kind::Int64 => "int",
            Kind::Real => "real",
            Kind::Bool => "bool",
            Kind::Text => "text",
            Kind::TimestampTz => "timestamptz",
            Kind::Timestamp => "timestamp",
            Kind::Date => "date",
            Kind::Json => "json",
            Kind::Bytes => "bytes",
        }
    }

    /// The kind of a PostgreSQL `information_schema.columns.data_type`.
    fn from_postgres(data_type: &str) -> Option<Self> {
        Some(match data_type {
            "smallint" => Kind::Int16,
            "integer" => Kind::Int32,
            "bigint" => Kind::Int64,
            "real" | "double precision" => Kind::Real,
            "boolean" => Kind::Bool,
            "text" | "character varying" | "character" => Kind::Text,
            "timestamp with time zone" => Kind::TimestampTz,
            "timestamp without time zone" => Kind::Timestamp,
            "date" => Kind::Date,
            "json" | "jsonb" => Kind::Json,
            "bytea" => Kind::Bytes,
            _ => return None,
        })
    }

    /// The kind of a SQLite declared column type (as sea-orm's migrations write them).
    fn from_sqlite(declared: &str) -> Option<Self> {
        let t = declared.to_ascii_lowercase();
        Some(
            if t.contains("timestamp_with_timezone") || t.contains("timestamptz") {
                Kind::TimestampTz
            } else if t.starts_with("timestamp") || t.starts_with("datetime") {
                Kind::Timestamp
            } else if t.starts_with("date") {
                Kind::Date
            } else if t.contains("bool") {
                Kind::Bool
            } else if t.contains("json") {
                Kind::Json
            } else if t.contains("int") {
                Kind::Int64
            } else if t.contains("blob") || t.contains("binary") {
                Kind::Bytes
            } else if t.contains("real") || t.contains("floa") || t.contains("doub") {
                Kind::Real
            } else if t.is_empty()
                || t.contains("char")
                || t.contains("text")
                || t.contains("clob")
                || t.contains("string")
            {
                Kind::Text
            } else {
                return None;
            },
        )
    }

    /// SQL NULL of this kind.
    pub fn null(self) -> Value {
        match self {
            Kind::Int16 => Value::SmallInt(None),
            Kind::Int32 => Value::Int(None),
            Kind::Int64 => Value::BigInt(None),
            Kind::Real => Value::Double(None),
            Kind::Bool => Value::Bool(None),
            Kind::Text => Value::String(None),
            Kind::TimestampTz => Value::ChronoDateTimeUtc(None),
            Kind::Timestamp => Value::ChronoDateTime(None),
            Kind::Date => Value::ChronoDate(None),
            Kind::Json => Value::Json(None),
            Kind::Bytes => Value::Bytes(None),
        }
    }

    /// Reads column `index` of a row as portable JSON.
    fn read(self, row: &QueryResult, index: usize) -> Result<serde_json::Value, sea_orm::DbErr> {
        use serde_json::Value as J;
        Ok(match self {
            Kind::Int16 => row
                .try_get_by_index::<Option<i16>>(index)?
                .map_or(J::Null, J::from),
            Kind::Int32 => row
                .try_get_by_index::<Option<i32>>(index)?
                .map_or(J::Null, J::from),
            Kind::Int64 => row
                .try_get_by_index::<Option<i64>>(index)?
                .map_or(J::Null, J::from),
            Kind::Real => row
                .try_get_by_index::<Option<f64>>(index)?
                .map_or(J::Null, J::from),
            Kind::Bool => row
                .try_get_by_index::<Option<bool>>(index)?
                .map_or(J::Null, J::from),
            Kind::Text => row
                .try_get_by_index::<Option<String>>(index)?
                .map_or(J::Null, J::from),
            Kind::TimestampTz => row
                .try_get_by_index::<Option<DateTime<Utc>>>(index)?
                .map_or(J::Null, |t| {
                    J::from(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
                }),
            Kind::Timestamp => row
                .try_get_by_index::<Option<NaiveDateTime>>(index)?
                .map_or(J::Null, |t| {
                    J::from(t.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
                }),
            Kind::Date => row
                .try_get_by_index::<Option<NaiveDate>>(index)?
                .map_or(J::Null, |d| J::from(d.format("%Y-%m-%d").to_string())),
            Kind::Json => row
                .try_get_by_index::<Option<serde_json::Value>>(index)?
                .map_or(J::Null, |v| J::from(v.to_string())),
            Kind::Bytes => row
                .try_get_by_index::<Option<Vec<u8>>>(index)?
                .map_or(J::Null, |b| J::from(hex::encode(b))),
        })
    }

    /// A portable JSON value as a value of this kind.
    pub fn value_from_json(self, value: &serde_json::Value) -> Result<Value, String> {
        use serde_json::Value as J;
        if value.is_null() {
            return Ok(self.null());
        }
        let text = || {
            value
                .as_str()
                .ok_or_else(|| format!("expected a string, got {value}"))
        };
        let int = || {
            value
                .as_i64()
                .ok_or_else(|| format!("expected an integer, got {value}"))
        };
        Ok(match self {
            Kind::Int16 => Value::SmallInt(Some(
                i16::try_from(int()?).map_err(|_| format!("{value} is out of range"))?,
            )),
            Kind::Int32 => Value::Int(Some(
                i32::try_from(int()?).map_err(|_| format!("{value} is out of range"))?,
            )),
            Kind::Int64 => Value::BigInt(Some(int()?)),
            Kind::Real => Value::Double(Some(
                value
                    .as_f64()
                    .ok_or_else(|| format!("expected a number, got {value}"))?,
            )),
            Kind::Bool => match value {
                J::Bool(b) => Value::Bool(Some(*b)),
                _ => return Err(format!("expected true or false, got {value}")),
            },
            Kind::Text => Value::String(Some(text()?.to_owned())),
            Kind::TimestampTz => Value::ChronoDateTimeUtc(Some(
                DateTime::parse_from_rfc3339(text()?)
                    .map_err(|e| format!("not an RFC 3339 timestamp: {e}"))?
                    .with_timezone(&Utc),
            )),
            Kind::Timestamp => Value::ChronoDateTime(Some(
                NaiveDateTime::parse_from_str(text()?, "%Y-%m-%dT%H:%M:%S%.f")
                    .map_err(|e| format!("not a timestamp: {e}"))?,
            )),
            Kind::Date => Value::ChronoDate(Some(
                NaiveDate::parse_from_str(text()?, "%Y-%m-%d")
                    .map_err(|e| format!("not a date: {e}"))?,
            )),
            Kind::Json => Value::Json(Some(Box::new(
                serde_json::from_str(text()?).map_err(|e| format!("not JSON text: {e}"))?,
            ))),
            Kind::Bytes => Value::Bytes(Some(
                hex::decode(text()?).map_err(|e| format!("not hex: {e}"))?,
            )),
        })
    }
}

/// A column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: Kind,
    /// Whether a sequence fills it (PostgreSQL `serial` or identity).
    pub serial: bool,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Its name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<Column>,
    /// Its primary key's columns (the order rows are read in).
    pub primary_key: Vec<String>,
    /// The tables its foreign keys point at.
    pub parents: Vec<String>,
}

impl Table {
    /// For the versions table: the indexes of the resource id, version number and N-Triples.
    pub fn version_columns(&self) -> Option<(usize, usize, usize)> {
        if self.name != "versions" {
            return None;
        }
        let find = |name: &str| self.columns.iter().position(|c| c.name == name);
        Some((find("resource_id")?, find("version")?, find("ntriples")?))
    }
}

/// Quotes an identifier.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn strings(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<Vec<Option<String>>>, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = Vec::new();
        let mut index = 0;
        while let Ok(value) = row.try_get_by_index::<Option<String>>(index) {
            values.push(value);
            index += 1;
        }
        out.push(values);
    }
    Ok(out)
}

/// Every table of the store of record (but the migrations table), parents before children.
pub async fn discover(db: &impl ConnectionTrait) -> anyhow::Result<Vec<Table>> {
    let backend = db.get_database_backend();
    let names: Vec<String> =
        match backend {
            DbBackend::Postgres => {
                strings(
                    db,
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = \
             current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
                    vec![],
                )
                .await?
            }
            _ => strings(
                db,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
                vec![],
            )
            .await?,
        }
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .filter(|n| n != MIGRATION_TABLE)
        .collect();
    let mut tables = Vec::new();
    for name in names {
        let param = || vec![Value::String(Some(name.clone()))];
        let (columns, primary_key, parents) = match backend {
            DbBackend::Postgres => {
                let columns = strings(
                    db,
                    "SELECT column_name::text, data_type::text, column_default::text, is_identity::text FROM \
                     information_schema.columns WHERE table_schema = current_schema() AND \
                     table_name = $1 ORDER BY ordinal_position",
                    param(),
                )
                .await?;
                let mut out = Vec::new();
                for c in columns {
                    let column = c.first().cloned().flatten().unwrap_or_default();
                    let data_type = c.get(1).cloned().flatten().unwrap_or_default();
                    let default = c.get(2).cloned().flatten().unwrap_or_default();
                    let identity = c.get(3).cloned().flatten().unwrap_or_default();
                    let kind = Kind::from_postgres(&data_type).ok_or_else(|| {
                        anyhow!("column {name}.{column} has type {data_type}, which backups do not support yet")
                    })?;
                    out.push(Column {
                        name: column,
                        kind,
                        serial: default.starts_with("nextval(") || identity == "YES",
                    });
                }
                let pk = strings(
                    db,
                    "SELECT kcu.column_name::text FROM information_schema.table_constraints tc \
                     JOIN information_schema.key_column_usage kcu ON tc.constraint_name = \
                     kcu.constraint_name AND tc.table_schema = kcu.table_schema AND \
                     tc.table_name = kcu.table_name WHERE tc.constraint_type = 'PRIMARY KEY' \
                     AND tc.table_schema = current_schema() AND tc.table_name = $1 ORDER BY \
                     kcu.ordinal_position",
                    param(),
                )
                .await?;
                let parents = strings(
                    db,
                    "SELECT DISTINCT ccu.table_name::text FROM information_schema.table_constraints \
                     tc JOIN information_schema.constraint_column_usage ccu ON \
                     tc.constraint_name = ccu.constraint_name AND tc.constraint_schema = \
                     ccu.constraint_schema WHERE tc.constraint_type = 'FOREIGN KEY' AND \
                     tc.table_schema = current_schema() AND tc.table_name = $1",
                    param(),
                )
                .await?;
                (out, pk, parents)
            }
            _ => {
                let columns = strings(
                    db,
                    "SELECT name, type, CAST(pk AS TEXT) FROM pragma_table_info(?) ORDER BY cid",
                    param(),
                )
                .await?;
                let mut out = Vec::new();
                let mut pk: Vec<(i64, String)> = Vec::new();
                for c in columns {
                    let column = c.first().cloned().flatten().unwrap_or_default();
                    let declared = c.get(1).cloned().flatten().unwrap_or_default();
                    let position: i64 = c
                        .get(2)
                        .cloned()
                        .flatten()
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(0);
                    if position > 0 {
                        pk.push((position, column.clone()));
                    }
                    let kind = Kind::from_sqlite(&declared).ok_or_else(|| {
                        anyhow!("column {name}.{column} has type {declared}, which backups do not support yet")
                    })?;
                    out.push(Column {
                        name: column,
                        kind,
                        serial: false,
                    });
                }
                pk.sort();
                let pk = pk.into_iter().map(|(_, c)| vec![Some(c)]).collect();
                let parents = strings(
                    db,
                    "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)",
                    param(),
                )
                .await?;
                (out, pk, parents)
            }
        };
        let flat = |rows: Vec<Vec<Option<String>>>| -> Vec<String> {
            rows.into_iter()
                .filter_map(|r| r.into_iter().next().flatten())
                .collect()
        };
        tables.push(Table {
            name: name.clone(),
            columns,
            primary_key: flat(primary_key),
            parents: flat(parents).into_iter().filter(|p| p != &name).collect(),
        });
    }
    sort_parents_first(tables)
}

/// Orders tables so that every table comes after the tables it refers to.
fn sort_parents_first(mut tables: Vec<Table>) -> anyhow::Result<Vec<Table>> {
    let mut sorted: Vec<Table> = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready = tables.iter().position(|t| {
            t.parents.iter().all(|p| {
                sorted.iter().any(|s| &s.name == p) || !tables.iter().any(|o| &o.name == p)
            })
        });
        match ready {
            Some(index) => sorted.push(tables.remove(index)),
            None => bail!(
                "the tables {} refer to each other in a cycle",
                tables
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    Ok(sorted)
}

/// How many rows a table has.
pub async fn count(db: &impl ConnectionTrait, table: &str) -> anyhow::Result<u64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) FROM {}", quote(table)),
        ))
        .await?
        .ok_or_else(|| anyhow!("COUNT(*) of {table} answered nothing"))?;
    Ok(u64::try_from(row.try_get_by_index::<i64>(0)?).unwrap_or(0))
}

/// One page of a table's rows, ordered by its primary key (or every column), as portable JSON.
pub async fn page(
    db: &impl ConnectionTrait,
    table: &Table,
    limit: u64,
    offset: u64,
) -> anyhow::Result<Vec<Vec<serde_json::Value>>> {
    let backend = db.get_database_backend();
    let columns: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    let order: Vec<String> = if table.primary_key.is_empty() {
        columns.clone()
    } else {
        table.primary_key.iter().map(|c| quote(c)).collect()
    };
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        columns.join(", "),
        quote(&table.name),
        order.join(", ")
    );
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = Vec::with_capacity(table.columns.len());
        for (index, column) in table.columns.iter().enumerate() {
            values.push(
                column
                    .kind
                    .read(&row, index)
                    .map_err(|e| anyhow!("cannot read {}.{}: {e}", table.name, column.name))?,
            );
        }
        out.push(values);
    }
    Ok(out)
}

/// Collects rows into multi-row INSERTs.
#[derive(Default)]
pub struct Batcher {
    table: Option<String>,
    rows: Vec<Vec<Value>>,
    bytes: usize,
}

/// Bound values per statement at most (SQLite's default limit is 32,766).
const MAX_VALUES: usize = 10_000;
/// Bytes of text per statement at most.
const MAX_BYTES: usize = 8 << 20;

impl Batcher {
    /// Adds a row; returns the statement to run first when the batch is full or the table
    /// changes.
    pub fn push(
        &mut self,
        tables: &[Table],
        table: String,
        row: Vec<Value>,
    ) -> Option<(String, Vec<Value>)> {
        let columns = row.len().max(1);
        let size: usize = row
            .iter()
            .map(|v| match v {
                Value::String(Some(s)) => s.len(),
                _ => 8,
            })
            .sum();
        let full = self.table.as_deref().is_some_and(|t| t != table)
            || (self.rows.len() + 1) * columns > MAX_VALUES
            || self.bytes + size > MAX_BYTES;
        let flushed = if full { self.flush(tables) } else { None };
        self.table = Some(table);
        self.rows.push(row);
        self.bytes += size;
        flushed
    }

    /// The statement for what is left.
    pub fn drain(&mut self, tables: &[Table]) -> Option<(String, Vec<Value>)> {
        self.flush(tables)
    }

    fn flush(&mut self, tables: &[Table]) -> Option<(String, Vec<Value>)> {
        let name = self.table.take()?;
        let rows = std::mem::take(&mut self.rows);
        self.bytes = 0;
        let table = tables.iter().find(|t| t.name == name)?;
        if rows.is_empty() {
            return None;
        }
        let columns: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            quote(&table.name),
            columns.join(", ")
        );
        let mut values = Vec::with_capacity(rows.len() * columns.len());
        let mut n = 0;
        for (i, row) in rows.into_iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (j, value) in row.into_iter().enumerate() {
                if j > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
                values.push(value);
            }
            sql.push(')');
        }
        Some((sql, values))
    }
}

/// After rows with explicit ids: PostgreSQL sequences continue after the largest id, SQLite's
/// AUTOINCREMENT counters are set to it.
pub async fn reset_sequences(db: &impl ConnectionTrait, tables: &[Table]) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    match backend {
        DbBackend::Postgres => {
            for table in tables {
                for column in table.columns.iter().filter(|c| c.serial) {
                    let t = quote(&table.name);
                    let c = quote(&column.name);
                    db.execute_raw(Statement::from_sql_and_values(
                        backend,
                        format!(
                            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT \
                             MAX({c}) FROM {t}), 0) + 1, false)"
                        ),
                        vec![
                            Value::String(Some(t.clone())),
                            Value::String(Some(column.name.clone())),
                        ],
                    ))
                    .await?;
                }
            }
        }
        _ => {
            let has_sequences = db
                .query_one_raw(Statement::from_string(
                    backend,
                    "SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'",
                ))
                .await?
                .is_some();
            if has_sequences {
                for table in tables {
                    db.execute_raw(Statement::from_sql_and_values(
                        backend,
                        format!(
                            "UPDATE sqlite_sequence SET seq = COALESCE((SELECT MAX(rowid) FROM \
                             {}), 0) WHERE name = $1",
                            quote(&table.name)
                        ),
                        vec![Value::String(Some(table.name.clone()))],
                    ))
                    .await?;
                }
            }
        }
    }
    Ok(())
}
