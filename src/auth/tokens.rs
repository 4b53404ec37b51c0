//! API tokens: random secrets shown once, stored as SHA-256 hashes, each with a role — a
//! publisher token writes its publisher's resources, an admin token manages sources (and, as
//! they come, peers, subscriptions and tokens).

use super::Principal;
use crate::ids::OrgNr;
use crate::store::{self, token, StoreError};
use chrono::Utc;
use rand::RngCore;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

/// The prefix of every token, so a leaked one is easy to recognise.
const TOKEN_PREFIX: &str = "semreg_";

/// The stored role of a publisher token.
const ROLE_PUBLISHER: &str = "publisher";
/// The stored role of an admin token.
const ROLE_ADMIN: &str = "admin";

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_secret() -> String {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    format!("{TOKEN_PREFIX}{}", hex::encode(secret))
}

async fn insert_token(
    db: &impl ConnectionTrait,
    role: &str,
    publisher: Option<&OrgNr>,
) -> Result<String, StoreError> {
    let token = new_secret();
    let row = token::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        role: Set(role.to_owned()),
        publisher: Set(publisher.map(|p| p.as_str().to_owned())),
        token_hash: Set(hash_token(&token)),
        created_at: Set(Utc::now()),
    };
    token::Entity::insert(row).exec(db).await?;
    Ok(token)
}

/// Creates a token for a publisher (creating the publisher if new) and returns it in clear;
/// only its hash is stored.
pub async fn create_token(
    db: &impl ConnectionTrait,
    publisher: &OrgNr,
) -> Result<String, StoreError> {
    store::ensure_publisher(db, publisher.as_str(), Utc::now()).await?;
    insert_token(db, ROLE_PUBLISHER, Some(publisher)).await
}

/// Creates an admin token and returns it in clear; only its hash is stored.
pub async fn create_admin_token(db: &impl ConnectionTrait) -> Result<String, StoreError> {
    insert_token(db, ROLE_ADMIN, None).await
}

/// Who a token speaks for, or `None` when the token is unknown.
pub async fn principal(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<Principal>, StoreError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let found = token::Entity::find()
        .filter(token::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?;
    Ok(
        found.and_then(|row| match (row.role.as_str(), row.publisher) {
            (ROLE_ADMIN, _) => Some(Principal::Admin),
            (ROLE_PUBLISHER, Some(publisher)) => {
                OrgNr::parse(&publisher).ok().map(Principal::Publisher)
            }
            _ => None,
        }),
    )
}

/// The publisher a publisher token writes for, or `None` when the token is unknown or is not a
/// publisher token.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<OrgNr>, StoreError> {
    Ok(match principal(db, token).await? {
        Some(Principal::Publisher(org)) => Some(org),
        _ => None,
    })
}
