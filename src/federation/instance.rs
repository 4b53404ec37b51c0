//! The instance's identity: an id generated once (the first time a store is opened) and the
//! epoch of its change log, both kept in the store's `settings` table so every process on the
//! same store — `serve`, the CLI, replicas — answers with the same id.

use crate::store::{setting, StoreError};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

const ID_KEY: &str = "instance.id";
const EPOCH_KEY: &str = "changes.epoch";

/// This instance's stable facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// A UUID, generated once and kept.
    pub id: String,
    /// A UUID that changes only when the change log is restored from a backup: a follower
    /// that sees a new epoch resyncs from the start.
    pub epoch: String,
}

impl Instance {
    /// Reads the instance's id and epoch, generating each on first use. Safe when several
    /// processes open a new store at once: the first insert wins, everyone reads it back.
    pub async fn load_or_create(db: &impl ConnectionTrait) -> Result<Self, StoreError> {
        Ok(Self {
            id: setting_or_insert(db, ID_KEY).await?,
            epoch: setting_or_insert(db, EPOCH_KEY).await?,
        })
    }

    /// Gives the change log a new epoch (after a restore) and returns it.
    pub async fn renew_epoch(db: &impl ConnectionTrait) -> Result<String, StoreError> {
        let epoch = uuid::Uuid::new_v4().to_string();
        setting::Entity::insert(setting::ActiveModel {
            key: Set(EPOCH_KEY.to_owned()),
            value: Set(epoch.clone()),
        })
        .on_conflict(
            OnConflict::column(setting::Column::Key)
                .update_column(setting::Column::Value)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        Ok(epoch)
    }
}

async fn setting_or_insert(db: &impl ConnectionTrait, key: &str) -> Result<String, StoreError> {
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(uuid::Uuid::new_v4().to_string()),
    })
    .on_conflict_do_nothing_on([setting::Column::Key])
    .exec_without_returning(db)
    .await?;
    let row = setting::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| {
            StoreError::Db(sea_orm::DbErr::RecordNotFound(format!(
                "setting {key} vanished after its insert"
            )))
        })?;
    Ok(row.value)
}
