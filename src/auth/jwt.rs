//! OAuth2 JWT access tokens of configured issuers, in Maskinporten's shape: `iss` (one of
//! ours, trailing slash and all), `exp`, `iat`, `jti`, `scope` (space-separated),
//! `token_type`, `consumer: {"authority": "iso6523-actorid-upis", "ID": "0192:ORGNR"}`, `aud`
//! when the issuer is configured with one. Signatures are RS256/RS384/RS512 only (`none` and
//! HMAC never), checked by `jsonwebtoken` against the key the header's `kid` names in the
//! issuer's JWKS ([`super::jwks`]).
//!
//! The acting publisher is `consumer.ID`'s org number (MOD11-checked); a delegated token
//! (`supplier` and `delegation_source`) acts for the consumer and names the supplier.
//! `client_id` and `client_orgno` are never used for access decisions. The write scope makes a
//! [`Principal::Publisher`], the admin scope a [`Principal::Admin`] (a token with both speaks
//! as admin: ask Maskinporten for a token with only the write scope to publish).

use super::jwks::{KeyCache, KeyError};
use super::Principal;
use crate::fetch::Fetcher;
use crate::ids::OrgNr;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// The signature algorithms accepted.
pub const ALGORITHMS: [Algorithm; 3] = [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512];
/// The ISO 6523 authority of `consumer` / `supplier` in Maskinporten tokens.
pub const ORG_AUTHORITY: &str = "iso6523-actorid-upis";
/// The ISO 6523 ICD of Norwegian org numbers, before the colon of `consumer.ID`.
pub const NORWEGIAN_ORGNR_ICD: &str = "0192";

/// One trusted issuer, as configured (`SEMREG_JWT_ISSUERS`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssuerConfig {
    /// `iss` exactly as the issuer writes it (Maskinporten: `https://maskinporten.no/`).
    pub issuer: String,
    /// Where its signing keys are (Maskinporten: `https://maskinporten.no/jwk`).
    pub jwks_uri: String,
    /// The `aud` tokens must carry, or `None` to accept any (and none).
    #[serde(default)]
    pub audience: Option<String>,
    /// The scope that lets the consumer publish its own resources.
    #[serde(default = "default_write_scope")]
    pub write_scope: String,
    /// The scope that lets it manage the instance (sources, peers, subscriptions, audit).
    #[serde(default = "default_admin_scope")]
    pub admin_scope: String,
}

fn default_write_scope() -> String {
    "semreg:write".into()
}

fn default_admin_scope() -> String {
    "semreg:admin".into()
}

/// How JWTs are checked.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// The trusted issuers (none: JWTs are refused).
    pub issuers: Vec<IssuerConfig>,
    /// How long a fetched JWKS is used before it is fetched again.
    pub jwks_ttl: Duration,
    /// The least time between two fetches of one issuer's JWKS (a token with an unknown `kid`
    /// asks for a refresh; this bounds how often it is granted).
    pub jwks_min_refresh: Duration,
    /// Clock skew allowed on `exp`, `nbf` and `iat`.
    pub leeway: Duration,
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            issuers: Vec::new(),
            jwks_ttl: Duration::from_secs(24 * 60 * 60),
            jwks_min_refresh: Duration::from_secs(60),
            leeway: Duration::from_secs(30),
        }
    }
}

/// Parses `SEMREG_JWT_ISSUERS`: a JSON array of issuers, or the path of a file holding one.
pub fn parse_issuers(value: &str) -> Result<Vec<IssuerConfig>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let text = if value.starts_with('[') {
        value.to_owned()
    } else {
        std::fs::read_to_string(value)
            .map_err(|e| format!("cannot read the JWT issuers file {value}: {e}"))?
    };
    let issuers: Vec<IssuerConfig> = serde_json::from_str(&text).map_err(|e| {
        format!("JWT issuers: expected a JSON array of {{\"issuer\", \"jwksUri\", \"audience\", \"writeScope\", \"adminScope\"}}: {e}")
    })?;
    for (i, issuer) in issuers.iter().enumerate() {
        if issuer.issuer.trim().is_empty() {
            return Err(format!("JWT issuers[{i}]: issuer is empty"));
        }
        let url = url::Url::parse(&issuer.jwks_uri)
            .map_err(|e| format!("JWT issuers[{i}]: jwksUri {:?}: {e}", issuer.jwks_uri))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "JWT issuers[{i}]: jwksUri must be http or https, found {:?}",
                issuer.jwks_uri
            ));
        }
        if issuer.write_scope.trim().is_empty() || issuer.admin_scope.trim().is_empty() {
            return Err(format!("JWT issuers[{i}]: scopes must not be empty"));
        }
        if issuer.write_scope == issuer.admin_scope {
            return Err(format!(
                "JWT issuers[{i}]: writeScope and adminScope must differ"
            ));
        }
        if issuers[..i].iter().any(|o| o.issuer == issuer.issuer) {
            return Err(format!(
                "JWT issuers[{i}]: issuer {} is listed twice",
                issuer.issuer
            ));
        }
    }
    Ok(issuers)
}

/// Why a JWT was refused: the check that failed, for the problem JSON, and what it found.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JwtError {
    /// A check failed: 401.
    #[error("{detail}")]
    Refused {
        /// The check (`algorithm`, `kid`, `signature`, `exp`, `nbf`, `iat`, `issuer`,
        /// `audience`, `scope`, `consumer`, `claims`, `token`).
        check: &'static str,
        /// What was wrong, never key material.
        detail: String,
    },
    /// The issuer's keys cannot be had now (no cached keys, JWKS unreachable): 503.
    #[error("the keys of issuer {issuer} cannot be fetched now: {reason}")]
    KeysUnavailable {
        /// The issuer.
        issuer: String,
        /// Why (logged, not shown).
        reason: String,
    },
}

fn refused(check: &'static str, detail: impl Into<String>) -> JwtError {
    JwtError::Refused {
        check,
        detail: detail.into(),
    }
}

impl JwtError {
    /// The failed check's name.
    pub fn check(&self) -> &'static str {
        match self {
            JwtError::Refused { check, .. } => check,
            JwtError::KeysUnavailable { .. } => "jwks",
        }
    }
}

/// An organisation in a token: `{"authority": "iso6523-actorid-upis", "ID": "0192:ORGNR"}`.
#[derive(Debug, Deserialize)]
struct OrgClaim {
    authority: Option<String>,
    #[serde(rename = "ID")]
    id: Option<String>,
}

/// The claims semreg reads (jsonwebtoken checks `exp`, `nbf`, `iss` and `aud` itself).
#[derive(Debug, Deserialize)]
struct Claims {
    iat: Option<i64>,
    jti: Option<String>,
    scope: Option<String>,
    token_type: Option<String>,
    client_id: Option<String>,
    consumer: Option<OrgClaim>,
    supplier: Option<OrgClaim>,
    delegation_source: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IssuerOnly {
    iss: Option<serde_json::Value>,
}

/// A checked JWT: who it speaks for and what the audit trail records of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtIdentity {
    /// What it may do.
    pub principal: Principal,
    /// The issuer.
    pub issuer: String,
    /// The consumer's org number: the publisher it acts for.
    pub consumer: OrgNr,
    /// The supplier acting for the consumer, for a delegated token.
    pub supplier: Option<OrgNr>,
    /// The delegation's source (Altinn's delegation), for a delegated token.
    pub delegation_source: Option<String>,
    /// The token's id.
    pub jti: String,
    /// The client it was issued to (recorded, never used to decide).
    pub client_id: Option<String>,
}

struct Issuer {
    config: IssuerConfig,
    keys: Arc<KeyCache>,
}

/// Checks JWTs against the configured issuers. Cheap to share.
pub struct JwtVerifier {
    issuers: Vec<Issuer>,
    leeway: Duration,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field(
                "issuers",
                &self
                    .issuers
                    .iter()
                    .map(|i| i.config.issuer.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Whether a bearer token is shaped like a JWS compact serialization (three dot-separated
/// parts), so it is checked as a JWT rather than looked up as one of our tokens.
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

impl JwtVerifier {
    /// A verifier for the configured issuers, fetching their keys through `fetcher`.
    pub fn new(config: &JwtConfig, fetcher: &Fetcher) -> Self {
        // jsonwebtoken picks aws-lc-rs from its features; installing it says so explicitly
        // (an Err means a provider is installed already).
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
        Self {
            issuers: config
                .issuers
                .iter()
                .map(|c| Issuer {
                    config: c.clone(),
                    keys: Arc::new(KeyCache::new(
                        c.jwks_uri.clone(),
                        fetcher.clone(),
                        config.jwks_ttl,
                        config.jwks_min_refresh,
                    )),
                })
                .collect(),
            leeway: config.leeway,
        }
    }

    /// Whether any issuer is configured.
    pub fn is_enabled(&self) -> bool {
        !self.issuers.is_empty()
    }

    /// How many times an issuer's JWKS was requested (for tests and metrics).
    pub fn jwks_fetch_attempts(&self, issuer: &str) -> Option<u64> {
        self.issuers
            .iter()
            .find(|i| i.config.issuer == issuer)
            .map(|i| i.keys.fetch_attempts())
    }

    /// Checks a token and says who it speaks for.
    pub async fn verify(&self, token: &str) -> Result<JwtIdentity, JwtError> {
        if !self.is_enabled() {
            return Err(refused(
                "issuer",
                "JWT access tokens are not accepted here: no issuer is configured (SEMREG_JWT_ISSUERS)",
            ));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|e| header_error(token, &e))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(refused(
                "algorithm",
                format!(
                    "alg {:?} is not accepted: only RS256, RS384 and RS512 are",
                    header.alg
                ),
            ));
        }
        let kid = header
            .kid
            .as_deref()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| refused("kid", "the token's header names no key (kid)"))?;
        let issuer = self.issuer_of(token)?;
        let key = issuer.keys.key(kid).await.map_err(|e| match e {
            KeyError::UnknownKid(_) => refused("kid", e.to_string()),
            KeyError::Unavailable(reason) => JwtError::KeysUnavailable {
                issuer: issuer.config.issuer.clone(),
                reason,
            },
        })?;
        if key.algorithm.is_some_and(|a| a != header.alg) {
            return Err(refused(
                "algorithm",
                format!(
                    "alg {:?} is not the algorithm of key {kid:?} in the issuer's JWKS",
                    header.alg
                ),
            ));
        }
        let mut validation = Validation::new(header.alg);
        validation.leeway = self.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer.config.issuer.as_str()]);
        match &issuer.config.audience {
            Some(audience) => {
                validation.set_audience(&[audience.as_str()]);
                validation.set_required_spec_claims(&["exp", "iss", "aud"]);
            }
            None => {
                validation.validate_aud = false;
                validation.set_required_spec_claims(&["exp", "iss"]);
            }
        }
        let data = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
            .map_err(|e| decode_error(&issuer.config, &e))?;
        self.identity(&issuer.config, data.claims)
    }

    /// The configured issuer the (not yet verified) token names: only its keys are tried, so
    /// a token never makes us fetch a URL it chose.
    fn issuer_of(&self, token: &str) -> Result<&Issuer, JwtError> {
        let peek = jsonwebtoken::dangerous::insecure_decode::<IssuerOnly>(token)
            .map_err(|_| refused("token", "the token's payload is not a JSON object"))?;
        let iss = match peek.claims.iss {
            Some(serde_json::Value::String(iss)) => iss,
            Some(_) => return Err(refused("issuer", "iss is not a string")),
            None => return Err(refused("claims", "the token has no iss")),
        };
        self.issuers
            .iter()
            .find(|i| i.config.issuer == iss)
            .ok_or_else(|| {
                refused(
                    "issuer",
                    format!("iss {iss:?} is not a trusted issuer of this instance"),
                )
            })
    }

    fn identity(&self, issuer: &IssuerConfig, claims: Claims) -> Result<JwtIdentity, JwtError> {
        let now = chrono::Utc::now().timestamp();
        let iat = claims
            .iat
            .ok_or_else(|| refused("claims", "the token has no iat"))?;
        if iat > now + self.leeway.as_secs() as i64 {
            return Err(refused(
                "iat",
                "the token was issued in the future (iat is after now)",
            ));
        }
        let jti = claims
            .jti
            .filter(|j| !j.is_empty())
            .ok_or_else(|| refused("claims", "the token has no jti"))?;
        match claims.token_type.as_deref() {
            Some(t) if t.eq_ignore_ascii_case("bearer") => {}
            Some(other) => {
                return Err(refused(
                    "claims",
                    format!("token_type is {other:?}, expected \"Bearer\""),
                ))
            }
            None => return Err(refused("claims", "the token has no token_type")),
        }
        let consumer = org_claim("consumer", claims.consumer.as_ref())?
            .ok_or_else(|| refused("consumer", "the token has no consumer"))?;
        let supplier = org_claim("supplier", claims.supplier.as_ref())?;
        if supplier.is_some() != claims.delegation_source.is_some() {
            return Err(refused(
                "claims",
                "a delegated token carries both supplier and delegation_source",
            ));
        }
        let scopes: Vec<&str> = claims
            .scope
            .as_deref()
            .unwrap_or_default()
            .split_ascii_whitespace()
            .collect();
        let principal = if scopes.contains(&issuer.admin_scope.as_str()) {
            Principal::Admin
        } else if scopes.contains(&issuer.write_scope.as_str()) {
            Principal::Publisher(consumer.clone())
        } else {
            return Err(refused(
                "scope",
                format!(
                    "the token's scope has neither {} nor {}",
                    issuer.write_scope, issuer.admin_scope
                ),
            ));
        };
        Ok(JwtIdentity {
            principal,
            issuer: issuer.issuer.clone(),
            consumer,
            supplier,
            delegation_source: claims.delegation_source,
            jti,
            client_id: claims.client_id,
        })
    }
}

/// `consumer` / `supplier`: an ISO 6523 Norwegian org number with a valid check digit.
fn org_claim(name: &'static str, claim: Option<&OrgClaim>) -> Result<Option<OrgNr>, JwtError> {
    let Some(claim) = claim else {
        return Ok(None);
    };
    if claim.authority.as_deref() != Some(ORG_AUTHORITY) {
        return Err(refused(
            "consumer",
            format!("{name}.authority must be {ORG_AUTHORITY:?}"),
        ));
    }
    let id = claim.id.as_deref().unwrap_or_default();
    let digits = id
        .strip_prefix(NORWEGIAN_ORGNR_ICD)
        .and_then(|rest| rest.strip_prefix(':'))
        .ok_or_else(|| {
            refused(
                "consumer",
                format!("{name}.ID must be \"{NORWEGIAN_ORGNR_ICD}:ORGNR\", found {id:?}"),
            )
        })?;
    OrgNr::parse_checked(digits)
        .map(Some)
        .map_err(|e| refused("consumer", format!("{name}.ID: {e}")))
}

/// A header jsonwebtoken cannot read: most often an algorithm it does not know (`none`).
fn header_error(token: &str, error: &jsonwebtoken::errors::Error) -> JwtError {
    use base64::Engine;
    let alg = token
        .split('.')
        .next()
        .and_then(|h| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(h)
                .ok()
        })
        .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
        .and_then(|h| h.get("alg").and_then(|a| a.as_str()).map(str::to_owned));
    match alg {
        Some(alg) => refused(
            "algorithm",
            format!("alg {alg:?} is not accepted: only RS256, RS384 and RS512 are"),
        ),
        None => refused(
            "token",
            format!("the token is not a signed JWT with a readable header: {error}"),
        ),
    }
}

fn decode_error(issuer: &IssuerConfig, error: &jsonwebtoken::errors::Error) -> JwtError {
    match error.kind() {
        ErrorKind::InvalidSignature => refused(
            "signature",
            "the signature does not match the token (tampered, or signed by another key)",
        ),
        ErrorKind::ExpiredSignature => refused("exp", "the token has expired (exp)"),
        ErrorKind::ImmatureSignature => refused("nbf", "the token is not valid yet (nbf)"),
        ErrorKind::InvalidIssuer => refused("issuer", format!("iss is not {}", issuer.issuer)),
        ErrorKind::InvalidAudience => refused(
            "audience",
            match &issuer.audience {
                Some(audience) => format!("aud is not {audience}"),
                None => "aud is not accepted".into(),
            },
        ),
        ErrorKind::MissingRequiredClaim(claim) => refused(
            match claim.as_str() {
                "aud" => "audience",
                "exp" => "exp",
                _ => "claims",
            },
            format!("the token has no {claim}"),
        ),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => refused(
            "algorithm",
            "the token's algorithm does not fit the issuer's key",
        ),
        ErrorKind::Json(e) => refused("claims", format!("a claim has the wrong type: {e}")),
        _ => refused("token", format!("the token cannot be checked: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_parse_from_json_with_default_scopes() {
        let issuers = parse_issuers(
            r#"[{"issuer": "https://test.maskinporten.no/", "jwksUri": "https://test.maskinporten.no/jwk", "audience": null}]"#,
        )
        .unwrap();
        assert_eq!(issuers.len(), 1);
        assert_eq!(issuers[0].write_scope, "semreg:write");
        assert_eq!(issuers[0].admin_scope, "semreg:admin");
        assert!(parse_issuers("").unwrap().is_empty());
    }

    #[test]
    fn bad_issuer_lists_are_refused_with_the_field_named() {
        for (text, expected) in [
            (
                r#"[{"issuer": "", "jwksUri": "https://a/jwk"}]"#,
                "issuer is empty",
            ),
            (
                r#"[{"issuer": "https://a/", "jwksUri": "file:///etc/passwd"}]"#,
                "http or https",
            ),
            (
                r#"[{"issuer": "https://a/", "jwksUri": "https://a/jwk", "writeScope": "x", "adminScope": "x"}]"#,
                "must differ",
            ),
            (
                r#"[{"issuer": "https://a/", "jwksUri": "https://a/jwk"}, {"issuer": "https://a/", "jwksUri": "https://b/jwk"}]"#,
                "listed twice",
            ),
            (
                r#"[{"issuer": "https://a/", "jwks": "https://a/jwk"}]"#,
                "expected a JSON array",
            ),
        ] {
            let error = parse_issuers(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn org_claims_need_the_iso6523_authority_and_a_checked_org_number() {
        let claim = |authority: &str, id: &str| OrgClaim {
            authority: Some(authority.into()),
            id: Some(id.into()),
        };
        let ok = org_claim("consumer", Some(&claim(ORG_AUTHORITY, "0192:974760673"))).unwrap();
        assert_eq!(ok.unwrap().as_str(), "974760673");
        for (authority, id) in [
            ("iso6523", "0192:974760673"),
            (ORG_AUTHORITY, "974760673"),
            (ORG_AUTHORITY, "0088:974760673"),
            (ORG_AUTHORITY, "0192:974760674"),
        ] {
            let error = org_claim("consumer", Some(&claim(authority, id))).unwrap_err();
            assert_eq!(error.check(), "consumer", "{authority} {id}");
        }
    }
}
