//! Secrets and tokens: random opaque tokens, their stored hashes, keyed MACs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

/// A secret value that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// 32 random bytes, URL-safe base 64 (43 characters).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keeps of a token: its SHA-256, hex. A stolen table does
/// not give usable tokens.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// HMAC-SHA-256 of `message` under `key`, URL-safe base 64.
pub fn mac(key: &[u8], message: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(mac_bytes(key, message))
}

pub fn mac_bytes(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; this cannot fail.
    let mut m = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return Vec::new(),
    };
    m.update(message);
    m.finalize().into_bytes().to_vec()
}

/// Equality of two secrets (codes, header values) in a time that does not
/// depend on where they first differ.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Constant-time check of a MAC made by [`mac`].
pub fn verify_mac(key: &[u8], message: &[u8], tag: &str) -> bool {
    let Ok(tag) = URL_SAFE_NO_PAD.decode(tag) else {
        return false;
    };
    let Ok(mut m) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return false;
    };
    m.update(message);
    m.verify_slice(&tag).is_ok()
}

/// Derives a sub-key for one purpose from the portal's master secret.
pub fn derive_key(master: &Secret, purpose: &str) -> Vec<u8> {
    mac_bytes(master.expose().as_bytes(), purpose.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_equal_only_when_every_byte_is() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(same_secret(b"", b""));
    }

    #[test]
    fn tokens_are_random_and_their_hash_is_stable() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn a_mac_verifies_only_with_its_key_and_message() {
        let tag = mac(b"k1", b"hello");
        assert!(verify_mac(b"k1", b"hello", &tag));
        assert!(!verify_mac(b"k2", b"hello", &tag));
        assert!(!verify_mac(b"k1", b"hellO", &tag));
        assert!(!verify_mac(b"k1", b"hello", "not base64!"));
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("pw")), "Secret(***)");
    }
}

/// Sealed data: AES-256-GCM under a key derived for data at rest, a fresh
/// random nonce per value, stored as `v1.<base64(nonce ‖ ciphertext)>`.
/// Health and bank data are sealed in both stores; only the portal holds
/// the key.
pub mod sealed {
    use aes_gcm::aead::{Aead, KeyInit};
    use aes_gcm::{Aes256Gcm, Nonce};
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    #[derive(Debug, thiserror::Error, PartialEq, Eq)]
    pub enum SealError {
        #[error("sealing key must be 32 bytes")]
        BadKey,
        #[error("sealed value unreadable")]
        Unreadable,
    }

    fn cipher(key: &[u8]) -> Result<Aes256Gcm, SealError> {
        Aes256Gcm::new_from_slice(key).map_err(|_| SealError::BadKey)
    }

    pub fn seal<T: Serialize>(key: &[u8], value: &T) -> Result<String, SealError> {
        let plain = serde_json::to_vec(value).map_err(|_| SealError::Unreadable)?;
        let nonce: [u8; 12] = rand::random();
        let ct = cipher(key)?
            .encrypt(Nonce::from_slice(&nonce), plain.as_slice())
            .map_err(|_| SealError::Unreadable)?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok(format!("v1.{}", STANDARD.encode(out)))
    }

    pub fn open<T: DeserializeOwned>(key: &[u8], sealed: &str) -> Result<T, SealError> {
        let body = sealed.strip_prefix("v1.").ok_or(SealError::Unreadable)?;
        let bytes = STANDARD.decode(body).map_err(|_| SealError::Unreadable)?;
        if bytes.len() < 12 {
            return Err(SealError::Unreadable);
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain = cipher(key)?
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| SealError::Unreadable)?;
        serde_json::from_slice(&plain).map_err(|_| SealError::Unreadable)
    }

    #[cfg(test)]
    mod tests {

        use super::*;

        #[test]
        fn a_sealed_value_opens_with_its_key_only_and_hides_its_content() {
            let key = [7u8; 32];
            let s = seal(&key, &serde_json::json!({"allergies": ["gluten"]})).unwrap();
            assert!(s.starts_with("v1."));
            assert!(!s.contains("gluten"));
            let back: serde_json::Value = open(&key, &s).unwrap();
            assert_eq!(back["allergies"][0], "gluten");
            assert_eq!(
                open::<serde_json::Value>(&[8u8; 32], &s),
                Err(SealError::Unreadable)
            );
            assert_ne!(
                seal(&key, &1).unwrap(),
                seal(&key, &1).unwrap(),
                "fresh nonce"
            );
        }
    }
}
