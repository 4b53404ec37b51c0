//! Reads the code-list runtime needs for lists made of concepts: current versions of many
//! resources at once, the newest change of each, and versions as of a change (for a pinned
//! version of such a list).

use super::{change, version, StoreError};
use sea_orm::sea_query::{Condition, Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// How many resources one query names (well within every database's parameter limit).
const CHUNK: usize = 200;

/// The versions with these (resource id, version number) pairs, in any order.
pub async fn versions(
    db: &impl ConnectionTrait,
    pairs: &[(String, i32)],
) -> Result<Vec<version::Model>, StoreError> {
    let mut found = Vec::with_capacity(pairs.len());
    for chunk in pairs.chunks(CHUNK) {
        let mut any = Condition::any();
        for (id, number) in chunk {
            any = any.add(
                Condition::all()
                    .add(version::Column::ResourceId.eq(id.as_str()))
                    .add(version::Column::Version.eq(*number)),
            );
        }
        found.extend(version::Entity::find().filter(any).all(db).await?);
    }
    Ok(found)
}

/// The newest change's seq of every resource of these kinds.
pub async fn latest_seqs_of_kinds(
    db: &impl ConnectionTrait,
    kinds: &[&str],
) -> Result<HashMap<String, i64>, StoreError> {
    let rows: Vec<(String, Option<i64>)> = change::Entity::find()
        .select_only()
        .column(change::Column::ResourceId)
        .column_as(
            Expr::from(Func::max(Expr::col(change::Column::Seq))),
            "max_seq",
        )
        .filter(change::Column::Kind.is_in(kinds.iter().copied()))
        .group_by(change::Column::ResourceId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, seq)| Some((id, seq?)))
        .collect())
}

/// For each of these resources that existed then, the seq and version number of its newest
/// change up to `seq`.
pub async fn versions_as_of(
    db: &impl ConnectionTrait,
    ids: &[String],
    seq: i64,
) -> Result<HashMap<String, (i64, i32)>, StoreError> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let newest: Vec<(String, Option<i64>)> = change::Entity::find()
            .select_only()
            .column(change::Column::ResourceId)
            .column_as(
                Expr::from(Func::max(Expr::col(change::Column::Seq))),
                "max_seq",
            )
            .filter(change::Column::ResourceId.is_in(chunk.iter().cloned()))
            .filter(change::Column::Seq.lte(seq))
            .group_by(change::Column::ResourceId)
            .into_tuple()
            .all(db)
            .await?;
        let seqs: Vec<i64> = newest.into_iter().filter_map(|(_, s)| s).collect();
        let rows: Vec<(i64, String, i32)> = change::Entity::find()
            .select_only()
            .column(change::Column::Seq)
            .column(change::Column::ResourceId)
            .column(change::Column::Version)
            .filter(change::Column::Seq.is_in(seqs))
            .into_tuple()
            .all(db)
            .await?;
        for (seq, id, version) in rows {
            out.insert(id, (seq, version));
        }
    }
    Ok(out)
}
