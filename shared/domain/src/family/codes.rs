//! Codes read aloud or typed by people: subscriber codes (a family's key to
//! its file) and guardians' personal codes (printed on invoices). Their
//! alphabet leaves out characters easy to confuse: 0/O, 1/I/L, and U.

use rand::Rng;

/// 30 characters: digits 2–9 and letters without I, L, O, U.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

fn random_chars(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A new subscriber code: 10 characters (about 49 bits), shown in groups
/// as `ABCD-EFGH-JK`; stored without dashes.
pub fn new_subscriber_code() -> String {
    random_chars(10)
}

/// A new personal code: 6 characters.
pub fn new_personal_code() -> String {
    random_chars(6)
}

/// `ABCDEFGHJK` → `ABCD-EFGH-JK`.
pub fn display_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed: spaces and dashes dropped, upper case. `None` if a
/// character is outside the alphabet (then no code can match).
pub fn normalize_code(input: &str) -> Option<String> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_uppercase();
    (!s.is_empty() && s.len() <= 32 && s.bytes().all(|b| ALPHABET.contains(&b))).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_unambiguous_characters() {
        for _ in 0..200 {
            let code = new_subscriber_code();
            assert_eq!(code.len(), 10);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L', 'U']), "{code}");
        }
        assert_eq!(new_personal_code().len(), 6);
    }

    #[test]
    fn codes_are_shown_in_groups_and_typed_loosely() {
        assert_eq!(display_code("ABCDEFGHJK"), "ABCD-EFGH-JK");
        assert_eq!(normalize_code(" abcd-efgh jk "), Some("ABCDEFGHJK".into()));
        assert_eq!(
            normalize_code("ABCD-EFGH-J0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(normalize_code(""), None);
    }

    #[test]
    fn two_codes_differ() {
        assert_ne!(new_subscriber_code(), new_subscriber_code());
    }
}
