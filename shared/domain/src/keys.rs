//! Single-table keys, built here and nowhere else. The access patterns they
//! serve are listed in `docs/access-patterns.md`.
//!
//! | item | PK | SK | GSI1PK / GSI1SK |
//! |---|---|---|---|
//! | account | `ACCOUNT#<id>` | `ACCOUNT` | `ROLE#<role>` / `<email>` |
//! | e-mail uniqueness | `EMAIL#<normalized e-mail>` | `EMAIL` | |
//! | session | `SESSION#<sha256(token)>` | `SESSION` | `ACCOUNT#<id>` / `SESSION#<created>` |
//! | one-time token | `TOKEN#<sha256(token)>` | `TOKEN` | |
//! | rate-limit window | `RATE#<scope>#<subject>` | `WINDOW#<start>` | |
//! | used captcha | `CAPTCHA#<sha256(challenge signature)>` | `CAPTCHA` | |
//! | subscription | `ACCOUNT#<id>` | `SUB#<family id>` | `FAMILY#<family id>` / `SUB#<account id>` |
//!
//! `GET /api/me` is one query on `ACCOUNT#<id>`: the account and its
//! subscriptions.

pub fn account(id: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
}

/// The partition holding an account and its subscriptions.
pub fn account_partition(id: &str) -> String {
    format!("ACCOUNT#{id}")
}

pub const SUBSCRIPTION_PREFIX: &str = "SUB#";

pub fn subscription(account_id: &str, family_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("ACCOUNT#{account_id}"), format!("SUB#{family_id}"))
}

pub fn accounts_by_role(role: &str) -> String {
    format!("ROLE#{role}")
}

pub fn email(normalized: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("EMAIL#{normalized}"), "EMAIL")
}

pub fn session(token_hash: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("SESSION#{token_hash}"), "SESSION")
}

/// GSI1 partition of an account's sessions.
pub fn sessions_of(account_id: &str) -> String {
    format!("ACCOUNT#{account_id}")
}

pub fn session_in_account(created_at: &str, token_hash: &str) -> String {
    format!("SESSION#{created_at}#{token_hash}")
}

pub fn token(token_hash: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("TOKEN#{token_hash}"), "TOKEN")
}

pub fn rate_window(scope: &str, subject: &str, window_start: i64) -> crate::ports::Key {
    crate::ports::Key::new(
        format!("RATE#{scope}#{subject}"),
        format!("WINDOW#{window_start:012}"),
    )
}

pub fn used_captcha(signature_hash: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("CAPTCHA#{signature_hash}"), "CAPTCHA")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_by_their_kind() {
        assert_eq!(account("01H").pk, "ACCOUNT#01H");
        assert_eq!(email("a@b.fr").pk, "EMAIL#a@b.fr");
        assert_eq!(session("ab").pk, "SESSION#ab");
        assert_eq!(token("cd").sk, "TOKEN");
    }

    #[test]
    fn rate_windows_sort_in_time_order() {
        let a = rate_window("login", "x", 999);
        let b = rate_window("login", "x", 1000);
        assert_eq!(a.pk, b.pk);
        assert!(a.sk < b.sk);
    }
}
