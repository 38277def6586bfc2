//! Field rules of the dossier: phone numbers, postal codes, IBAN, BIC,
//! free texts. Each returns the normalized value or a French field error.

use crate::accounts::FieldError;

/// A character no typed text may hold: a control character, or a
/// bidirectional formatting character (U+202E "right-to-left override" and
/// its kin), which reorders what is shown after it.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Free text: trimmed, at most `max` characters, no control or
/// bidirectional formatting characters.
pub fn text(
    field: &str,
    label: &str,
    input: &str,
    max: usize,
    required: bool,
) -> Result<String, FieldError> {
    let s = input.trim();
    if s.is_empty() && required {
        return Err(FieldError::new(
            field,
            "required",
            format!("Le champ « {label} » est obligatoire."),
        ));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("Le champ « {label} » ne doit pas dépasser {max} caractères."),
        ));
    }
    if s.chars().any(is_forbidden_char) || s.contains(['<', '>']) {
        return Err(FieldError::new(
            field,
            "invalid_characters",
            format!("Le champ « {label} » contient des caractères non autorisés."),
        ));
    }
    Ok(s.to_string())
}

/// A French phone number: 10 digits starting with 0 (or +33 then 9
/// digits), written `01 02 03 04 05`. Empty stays empty.
pub fn phone(field: &str, label: &str, input: &str) -> Result<String, FieldError> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if digits.is_empty() {
        return Ok(String::new());
    }
    let national = if let Some(rest) = digits.strip_prefix("+33") {
        format!("0{}", rest.trim_start_matches("(0)"))
    } else if let Some(rest) = digits.strip_prefix("0033") {
        format!("0{rest}")
    } else {
        digits
    };
    let ok = national.len() == 10
        && national.starts_with('0')
        && !national.starts_with("00")
        && national.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return Err(FieldError::new(
            field,
            "invalid_phone",
            format!(
                "Le champ « {label} » doit être un numéro français à 10 chiffres (exemple : 06 12 34 56 78)."
            ),
        ));
    }
    Ok(national
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" "))
}

pub fn postal_code(field: &str, input: &str) -> Result<String, FieldError> {
    let s = input.trim();
    if s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(FieldError::new(
            field,
            "invalid_postal_code",
            "Le code postal doit comporter 5 chiffres.",
        ))
    }
}

/// An IBAN: letters, digits and spaces; country code, check digits that
/// pass the ISO 13616 mod-97 test, 15 to 34 characters. Stored compact.
pub fn iban(field: &str, input: &str) -> Result<String, FieldError> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let bad = || {
        FieldError::new(
            field,
            "invalid_iban",
            "L'IBAN n'est pas valide : vérifiez qu'il est complet et sans faute de frappe.",
        )
    };
    let b = compact.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b.iter().all(u8::is_ascii_alphanumeric)
    {
        return Err(bad());
    }
    if compact.starts_with("FR") && b.len() != 27 {
        return Err(bad());
    }
    let rearranged = compact[4..].bytes().chain(compact[..4].bytes());
    let mut rem: u32 = 0;
    for c in rearranged {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    if rem == 1 { Ok(compact) } else { Err(bad()) }
}

/// `FR76 •••• •••• •••• •••• •••• 189`: country and check digits, then
/// only the last three characters.
pub fn mask_iban(iban: &str) -> String {
    let n = iban.chars().count();
    if n < 8 {
        return "•".repeat(n);
    }
    let tail: String = iban.chars().skip(n - 3).collect();
    let hidden_groups = (n - 4 - 3).div_ceil(4);
    let mut out = iban.chars().take(4).collect::<String>();
    for _ in 0..hidden_groups {
        out.push_str(" ••••");
    }
    out.push(' ');
    out.push_str(&tail);
    out
}

/// A BIC: 8 or 11 characters (bank, country, location, branch). Empty
/// stays empty.
pub fn bic(field: &str, input: &str) -> Result<String, FieldError> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if s.is_empty() {
        return Ok(s);
    }
    let b = s.as_bytes();
    let ok = (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    if ok {
        Ok(s)
    } else {
        Err(FieldError::new(
            field,
            "invalid_bic",
            "Le BIC doit comporter 8 ou 11 caractères (exemple : AGRIFRPP).",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_phone_numbers_are_normalized() {
        assert_eq!(
            phone("p", "Téléphone", "0102030405").unwrap(),
            "01 02 03 04 05"
        );
        assert_eq!(
            phone("p", "Téléphone", "+33 6 12 34 56 78").unwrap(),
            "06 12 34 56 78"
        );
        assert_eq!(
            phone("p", "Téléphone", "06.12.34.56.78").unwrap(),
            "06 12 34 56 78"
        );
        assert_eq!(phone("p", "Téléphone", "").unwrap(), "");
        for bad in [
            "12345",
            "1102030405",
            "06123456789",
            "06 12 34 56 7a",
            "0012345678",
        ] {
            assert_eq!(
                phone("p", "Téléphone", bad).unwrap_err().code,
                "invalid_phone",
                "{bad}"
            );
        }
    }

    #[test]
    fn an_iban_passes_only_with_a_right_checksum() {
        assert_eq!(
            iban("i", "FR76 3000 6000 0112 3456 7890 189").unwrap(),
            "FR7630006000011234567890189"
        );
        assert!(iban("i", "DE89 3704 0044 0532 0130 00").is_ok());
        assert!(iban("i", "GB82 WEST 1234 5698 7654 32").is_ok());
        assert_eq!(
            iban("i", "FR76 3000 6000 0112 3456 7890 188")
                .unwrap_err()
                .code,
            "invalid_iban"
        );
        assert_eq!(
            iban("i", "FR76 3000 6000").unwrap_err().code,
            "invalid_iban"
        );
        assert_eq!(iban("i", "").unwrap_err().code, "invalid_iban");
    }

    #[test]
    fn an_iban_is_shown_masked() {
        assert_eq!(
            mask_iban("FR7630006000011234567890189"),
            "FR76 •••• •••• •••• •••• •••• 189"
        );
    }

    #[test]
    fn postal_codes_and_bics_are_checked() {
        assert!(postal_code("c", "92100").is_ok());
        assert!(postal_code("c", "9210").is_err());
        assert_eq!(bic("b", "agrifrpp").unwrap(), "AGRIFRPP");
        assert!(bic("b", "AGRIFRPPXXX").is_ok());
        assert!(bic("b", "AGRI").is_err());
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(text("n", "Nom", "  Dupont ", 100, true).unwrap(), "Dupont");
        assert_eq!(
            text("n", "Nom", " ", 100, true).unwrap_err().code,
            "required"
        );
        assert_eq!(
            text("n", "Nom", &"x".repeat(101), 100, true)
                .unwrap_err()
                .code,
            "too_long"
        );
    }

    #[test]
    fn bidi_controls_are_refused_in_texts_like_other_control_characters() {
        for c in [
            '\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{061C}',
        ] {
            let input = format!("Dupont{c}gpj.exe");
            assert_eq!(
                text("n", "Nom", &input, 100, true).unwrap_err().code,
                "invalid_characters",
                "{c:?}"
            );
        }
        assert!(text("n", "Nom", "Dupont-Moreau d'Été", 100, true).is_ok());
    }
}
