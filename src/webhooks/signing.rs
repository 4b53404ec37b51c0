//! Standard Webhooks signatures: secrets are `whsec_` and the base64 of 24 to 64 random bytes;
//! a delivery is signed with HMAC-SHA256 (the `hmac` crate) over `{id}.{timestamp}.{body}`,
//! keyed by the secret's decoded bytes, and sent as `webhook-signature: v1,<base64>`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;

/// The prefix of a secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Bytes of a generated secret (as Standard Webhooks' reference libraries make them).
pub const GENERATED_SECRET_BYTES: usize = 24;
/// Fewest and most bytes a secret may decode to.
pub const SECRET_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// A new random secret, `whsec_<base64 of 24 bytes>`.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; GENERATED_SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a secret, or why it is not one.
pub fn secret_key(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).ok_or_else(|| {
        format!("secret: must start with {SECRET_PREFIX} (Standard Webhooks form, whsec_<base64>)")
    })?;
    let key = STANDARD
        .decode(encoded)
        .map_err(|e| format!("secret: the part after {SECRET_PREFIX} is not base64 ({e})"))?;
    if !SECRET_BYTES.contains(&key.len()) {
        return Err(format!(
            "secret: decodes to {} bytes; it must be {} to {} bytes",
            key.len(),
            SECRET_BYTES.start(),
            SECRET_BYTES.end()
        ));
    }
    Ok(key)
}

/// The `webhook-signature` value of a delivery: `v1,<base64 HMAC-SHA256>`.
pub fn sign(key: &[u8], webhook_id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<webhook_sha2::Sha256> as KeyInit>::new_from_slice(key)
        .expect("HMAC takes a key of any length");
    mac.update(webhook_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification's reference implementations.
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = sign(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn generated_secrets_are_valid_and_bad_ones_are_named() {
        let secret = generate_secret();
        assert_eq!(secret_key(&secret).unwrap().len(), GENERATED_SECRET_BYTES);
        assert_ne!(secret, generate_secret());
        assert!(secret_key("abc").unwrap_err().contains("whsec_"));
        assert!(secret_key("whsec_!!").unwrap_err().contains("base64"));
        assert!(secret_key("whsec_c2hvcnQ=")
            .unwrap_err()
            .contains("5 bytes"));
    }
}
