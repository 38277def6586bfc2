//! PayFiP's rules for the values of `creerPaiementSecurise`, shared by the
//! client (which checks before any call) and the test server (which refuses
//! like PayFiP would).

/// Longest `objet` PayFiP takes.
pub const OBJET_MAX: usize = 100;
/// Smallest amount PayFiP takes, in cents (its fault `M3`: 1 €).
pub const MONTANT_MIN: i64 = 100;
/// Largest amount, in cents: PayFiP's `montant` holds 7 digits.
pub const MONTANT_MAX: i64 = 9_999_999;
/// Longest `mel`.
pub const MEL_MAX: usize = 80;
/// Longest `urlnotif` / `urlredirect` we send.
pub const URL_MAX: usize = 1_000;
/// Longest `idOp` we accept (PayFiP's are 36-character UUIDs).
pub const ID_OP_MAX: usize = 64;

/// `objet` as PayFiP takes it: accents stripped (é→e, ç→c, œ→oe…), every
/// other character outside `[A-Za-z0-9 ]` replaced by a space, spaces
/// collapsed and trimmed, cut at [`OBJET_MAX`] characters.
pub fn sanitise_objet(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => plain.push(c),
            c => match fold(c) {
                Some(s) => plain.push_str(s),
                None => plain.push(' '),
            },
        }
    }
    let mut out = String::with_capacity(plain.len());
    for word in plain.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.len() > OBJET_MAX {
        // ASCII only: bytes are characters.
        out.truncate(OBJET_MAX);
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
    }
    out
}

/// The ASCII letters of an accented Latin letter.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "C",
        'ď' | 'đ' => "d",
        'Ď' | 'Đ' => "D",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
        'ğ' | 'ģ' => "g",
        'Ğ' | 'Ģ' => "G",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'į' | 'ı' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Į' | 'İ' => "I",
        'ł' | 'ľ' | 'ĺ' => "l",
        'Ł' | 'Ľ' | 'Ĺ' => "L",
        'ñ' | 'ń' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'œ' => "oe",
        'Œ' => "OE",
        'ŕ' | 'ř' => "r",
        'Ŕ' | 'Ř' => "R",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        _ => return None,
    })
}

/// An `objet` PayFiP takes as is.
pub fn valid_objet(objet: &str) -> bool {
    objet.len() <= OBJET_MAX && objet.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
}

/// `refdet`: `^[A-Za-z0-9]{1,30}$`.
pub fn valid_refdet(refdet: &str) -> bool {
    (1..=30).contains(&refdet.len()) && refdet.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `numcli`: 6 digits.
pub fn valid_numcli(numcli: &str) -> bool {
    numcli.len() == 6 && numcli.chars().all(|c| c.is_ascii_digit())
}

/// `exer`: a 4-digit year.
pub fn valid_exer(year: i32) -> bool {
    (1000..=9999).contains(&year)
}

/// `montant`, in cents.
pub fn valid_montant(cents: i64) -> bool {
    (MONTANT_MIN..=MONTANT_MAX).contains(&cents)
}

/// `mel`: one `@` with something on each side, no space, at most
/// [`MEL_MAX`] characters.
pub fn valid_mel(mel: &str) -> bool {
    let Some((local, domain)) = mel.split_once('@') else {
        return false;
    };
    mel.chars().count() <= MEL_MAX
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !mel.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `urlnotif` / `urlredirect`: an absolute http(s) address.
pub fn valid_url(url: &str) -> bool {
    url.len() <= URL_MAX
        && (url.starts_with("https://") || url.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// An `idOp` as PayFiP issues them (letters, digits, `-`).
pub fn valid_id_op(id_op: &str) -> bool {
    (1..=ID_OP_MAX).contains(&id_op.len())
        && id_op.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objet_loses_accents_punctuation_and_extra_spaces() {
        assert_eq!(
            sanitise_objet("Facture n°2024-0042 – Cantine (Léa & Chloé) : sœur, garçon"),
            "Facture n 2024 0042 Cantine Lea Chloe soeur garcon"
        );
        assert_eq!(sanitise_objet("  ÉTÉ   Œuvre  "), "ETE OEuvre");
        assert_eq!(sanitise_objet("€€€"), "");
        let long = "Périscolaire ".repeat(20);
        let cut = sanitise_objet(&long);
        assert!(cut.len() <= OBJET_MAX, "{}", cut.len());
        assert!(cut.starts_with("Periscolaire Periscolaire"));
        assert!(!cut.ends_with(' '));
        assert!(valid_objet(&cut));
    }

    #[test]
    fn refdet_numcli_mel_and_idop_rules() {
        assert!(valid_refdet("FAC2024000042"));
        assert!(valid_refdet(&"A".repeat(30)));
        assert!(!valid_refdet(&"A".repeat(31)));
        assert!(!valid_refdet(""));
        assert!(!valid_refdet("FAC-2024"));
        assert!(!valid_refdet("FACTÉ"));
        assert!(valid_numcli("012345"));
        assert!(!valid_numcli("12345"));
        assert!(!valid_numcli("12345a"));
        assert!(valid_mel("a&b@x.fr"));
        assert!(!valid_mel("ax.fr"));
        assert!(!valid_mel("a b@x.fr"));
        assert!(valid_id_op("cc0cb210-1cd4-11ea-8cca-0213ad91a103"));
        assert!(!valid_id_op("<x>"));
        assert!(!valid_id_op(""));
        assert!(valid_montant(100) && !valid_montant(99) && !valid_montant(10_000_000));
    }
}
