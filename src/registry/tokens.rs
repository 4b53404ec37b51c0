//! API tokens: random secrets shown once, stored as SHA-256 hashes, each bound to a publisher.

use crate::ids::OrgNr;
use crate::store::{self, token, StoreError};
use chrono::Utc;
use rand::RngCore;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

/// The prefix of every token, so a leaked one is easy to recognise.
const TOKEN_PREFIX: &str = "semreg_";

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token for a publisher (creating the publisher if new) and returns it in clear;
/// only its hash is stored.
pub async fn create_token(
    db: &impl ConnectionTrait,
    publisher: &OrgNr,
) -> Result<String, StoreError> {
    let now = Utc::now();
    store::ensure_publisher(db, publisher.as_str(), now).await?;
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
    let row = token::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        publisher: Set(publisher.as_str().to_owned()),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
    };
    token::Entity::insert(row).exec(db).await?;
    Ok(token)
}

/// The publisher a token writes for, or `None` when the token is unknown.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<OrgNr>, StoreError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let found = token::Entity::find()
        .filter(token::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?;
    Ok(found.and_then(|row| OrgNr::parse(&row.publisher).ok()))
}
