//! API tokens: random secrets shown once, stored as SHA-256 hashes, each with a role — a
//! publisher token writes its publisher's resources, an admin token manages sources, tokens
//! (and, as they come, peers and subscriptions). A revoked token keeps its row (its id stays
//! meaningful in the audit trail) and is refused from the moment it is revoked: every request
//! looks its token up in the store of record, so every replica refuses it at once.

use super::{audit, Credential, Identity, Principal};
use crate::ids::OrgNr;
use crate::store::{self, token, StoreError};
use chrono::Utc;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use serde::Serialize;
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

/// A token as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// The token's id (for revoking; the audit trail names it).
    pub id: String,
    /// `publisher` or `admin`.
    pub role: String,
    /// The publisher a publisher token writes for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// When it was created.
    pub created_at: chrono::DateTime<Utc>,
    /// When it was revoked, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<chrono::DateTime<Utc>>,
}

impl From<token::Model> for TokenView {
    fn from(row: token::Model) -> Self {
        Self {
            id: row.id,
            role: row.role,
            publisher: row.publisher,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// A token just created: its secret, shown this once, and what is listed of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    /// The secret, for `Authorization: Bearer`; only its hash is stored.
    pub token: String,
    /// The token as listed.
    #[serde(flatten)]
    pub view: TokenView,
}

async fn insert_token(
    db: &impl ConnectionTrait,
    role: &str,
    publisher: Option<&OrgNr>,
) -> Result<CreatedToken, StoreError> {
    let token = new_secret();
    let row = token::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        role: Set(role.to_owned()),
        publisher: Set(publisher.map(|p| p.as_str().to_owned())),
        token_hash: Set(hash_token(&token)),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
    };
    let row = token::Entity::insert(row).exec_with_returning(db).await?;
    tracing::info!(token = %row.id, role = %row.role, publisher = row.publisher.as_deref().unwrap_or("-"), "token created");
    Ok(CreatedToken {
        token,
        view: row.into(),
    })
}

/// Creates a token with a role: for `Some(publisher)` a publisher token (creating the
/// publisher if new), for `None` an admin token.
pub async fn create(
    db: &impl ConnectionTrait,
    publisher: Option<&OrgNr>,
) -> Result<CreatedToken, StoreError> {
    match publisher {
        Some(publisher) => {
            store::ensure_publisher(db, publisher.as_str(), Utc::now()).await?;
            insert_token(db, ROLE_PUBLISHER, Some(publisher)).await
        }
        None => insert_token(db, ROLE_ADMIN, None).await,
    }
}

/// A page of tokens, oldest first, and how many there are; revoked ones only when asked.
pub async fn list(
    db: &impl ConnectionTrait,
    include_revoked: bool,
    limit: u64,
    offset: u64,
) -> Result<(u64, Vec<TokenView>), StoreError> {
    let mut query = token::Entity::find();
    if !include_revoked {
        query = query.filter(token::Column::RevokedAt.is_null());
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_asc(token::Column::CreatedAt)
        .order_by_asc(token::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((total, rows.into_iter().map(TokenView::from).collect()))
}

/// Revokes a token by id; `None` when there is no such token. Revoking a revoked token keeps
/// its first revocation time.
pub async fn revoke(db: &impl ConnectionTrait, id: &str) -> Result<Option<TokenView>, StoreError> {
    let Some(row) = token::Entity::find_by_id(id.to_owned()).one(db).await? else {
        return Ok(None);
    };
    if row.revoked_at.is_some() {
        return Ok(Some(row.into()));
    }
    let mut revoked: token::ActiveModel = row.into();
    revoked.revoked_at = Set(Some(Utc::now()));
    let row = revoked.update(db).await?;
    tracing::info!(token = %id, "token revoked");
    Ok(Some(row.into()))
}

/// Creates a token (see [`create`]) and records it in the audit trail, in one transaction.
pub async fn create_audited(
    db: &impl TransactionTrait,
    publisher: Option<&OrgNr>,
    actor: &audit::Actor,
) -> Result<CreatedToken, StoreError> {
    let txn = crate::store::begin_write(db).await?;
    let created = create(&txn, publisher).await?;
    let event = audit::Event::new(
        audit::Action::TOKEN_CREATE,
        serde_json::json!({
            "tokenId": created.view.id,
            "role": created.view.role,
            "tokenPublisher": created.view.publisher,
        }),
    );
    audit::record(&txn, actor, &event).await?;
    txn.commit().await?;
    Ok(created)
}

/// Revokes a token (see [`revoke`]) and records it in the audit trail, in one transaction
/// (nothing is recorded when there is no such token).
pub async fn revoke_audited(
    db: &impl TransactionTrait,
    id: &str,
    actor: &audit::Actor,
) -> Result<Option<TokenView>, StoreError> {
    let txn = crate::store::begin_write(db).await?;
    let Some(revoked) = revoke(&txn, id).await? else {
        return Ok(None);
    };
    let event = audit::Event::new(
        audit::Action::TOKEN_REVOKE,
        serde_json::json!({
            "tokenId": revoked.id,
            "role": revoked.role,
            "tokenPublisher": revoked.publisher,
        }),
    );
    audit::record(&txn, actor, &event).await?;
    txn.commit().await?;
    Ok(Some(revoked))
}

/// Creates a token for a publisher (creating the publisher if new) and returns it in clear;
/// only its hash is stored.
pub async fn create_token(
    db: &impl ConnectionTrait,
    publisher: &OrgNr,
) -> Result<String, StoreError> {
    Ok(create(db, Some(publisher)).await?.token)
}

/// Creates an admin token and returns it in clear; only its hash is stored.
pub async fn create_admin_token(db: &impl ConnectionTrait) -> Result<String, StoreError> {
    Ok(create(db, None).await?.token)
}

/// Whether a bearer token is one of ours (by its prefix), rather than a JWT.
pub fn is_ours(token: &str) -> bool {
    token.starts_with(TOKEN_PREFIX)
}

/// Who a token speaks for and its id, or `None` when the token is unknown.
pub async fn identity(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<Identity>, StoreError> {
    if !is_ours(token) {
        return Ok(None);
    }
    let found = token::Entity::find()
        .filter(token::Column::TokenHash.eq(hash_token(token)))
        .filter(token::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    Ok(found.and_then(|row| {
        let principal = match (row.role.as_str(), row.publisher) {
            (ROLE_ADMIN, _) => Principal::Admin,
            (ROLE_PUBLISHER, Some(publisher)) => {
                Principal::Publisher(OrgNr::parse(&publisher).ok()?)
            }
            _ => return None,
        };
        Some(Identity {
            principal,
            credential: Credential::Token { id: row.id },
        })
    }))
}

/// Who a token speaks for, or `None` when the token is unknown.
pub async fn principal(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<Principal>, StoreError> {
    Ok(identity(db, token).await?.map(|i| i.principal))
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
