//! The sign-up form's rules, as the guide states them, with French messages.

use serde::{Deserialize, Serialize};

/// One invalid field: its name, a stable code and a French message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Civility {
    #[serde(rename = "M.")]
    Monsieur,
    #[serde(rename = "Mme")]
    Madame,
}

impl Civility {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "M." | "M" => Some(Civility::Monsieur),
            "Mme" | "Mme." => Some(Civility::Madame),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Civility::Monsieur => "M.",
            Civility::Madame => "Mme",
        }
    }

    /// A word agreed with the civility of the person addressed: "informée"
    /// to "Mme", "informé" to "M." or when the civility is unknown.
    pub fn agree<'a>(civility: Option<Self>, masculine: &'a str, feminine: &'a str) -> &'a str {
        match civility {
            Some(Civility::Madame) => feminine,
            _ => masculine,
        }
    }
}

/// An e-mail address as typed (trimmed), and its normalized form (lower
/// case) under which uniqueness holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    display: String,
    normalized: String,
}

impl Email {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        let bad = || {
            FieldError::new(
                "email",
                "invalid_email",
                "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).",
            )
        };
        if s.is_empty() {
            return Err(FieldError::new(
                "email",
                "required",
                "L'e-mail est obligatoire.",
            ));
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(bad());
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && !local.contains(['"', '(', ')', ',', ':', ';', '<', '>', '[', '\\', ']']);
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.chars().all(char::is_alphabetic) && tld.len() >= 2);
        if !local_ok || !domain_ok {
            return Err(bad());
        }
        Ok(Self {
            display: s.to_string(),
            normalized: s.to_lowercase(),
        })
    }

    /// Rebuilds a stored address.
    pub fn stored(display: String) -> Self {
        let normalized = display.to_lowercase();
        Self {
            display,
            normalized,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// What a password lacks under the guide's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    NoDigit,
    NoLowercase,
    NoUppercase,
}

/// A password that meets the rule: at least 8 characters with at least one
/// digit, one lowercase and one uppercase letter. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

pub const PASSWORD_RULE: &str = "Le mot de passe doit contenir au moins 8 caractères, dont au moins 1 chiffre, 1 minuscule et 1 majuscule.";
pub const PASSWORD_MAX_CHARS: usize = 128;

impl Password {
    pub fn problems(input: &str) -> Vec<PasswordProblem> {
        let mut out = Vec::new();
        if input.chars().count() < 8 {
            out.push(PasswordProblem::TooShort);
        }
        if !input.chars().any(|c| c.is_ascii_digit()) {
            out.push(PasswordProblem::NoDigit);
        }
        if !input.chars().any(char::is_lowercase) {
            out.push(PasswordProblem::NoLowercase);
        }
        if !input.chars().any(char::is_uppercase) {
            out.push(PasswordProblem::NoUppercase);
        }
        out
    }

    /// Checks the rule; the error names what is missing, in French.
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        if input.is_empty() {
            return Err(FieldError::new(
                field,
                "required",
                "Le mot de passe est obligatoire.",
            ));
        }
        if input.chars().count() > PASSWORD_MAX_CHARS {
            return Err(FieldError::new(
                field,
                "password_too_long",
                format!("Le mot de passe ne doit pas dépasser {PASSWORD_MAX_CHARS} caractères."),
            ));
        }
        let problems = Self::problems(input);
        if problems.is_empty() {
            return Ok(Self(input.to_string()));
        }
        let missing: Vec<&str> = problems
            .iter()
            .map(|p| match p {
                PasswordProblem::TooShort => "au moins 8 caractères",
                PasswordProblem::NoDigit => "1 chiffre",
                PasswordProblem::NoLowercase => "1 minuscule",
                PasswordProblem::NoUppercase => "1 majuscule",
            })
            .collect();
        Err(FieldError::new(
            field,
            "weak_password",
            format!("{PASSWORD_RULE} Il manque : {}.", french_list(&missing)),
        ))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// "a", "a et b", "a, b et c".
pub fn french_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} et {last}", init.join(", ")),
    }
}

/// A person's last or first name: trimmed, 1 to 100 characters, no control
/// or bidirectional formatting characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    pub fn parse(field: &str, label: &str, input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldError::new(
                field,
                "required",
                format!("Le champ « {label} » est obligatoire."),
            ));
        }
        if s.chars().count() > 100 {
            return Err(FieldError::new(
                field,
                "too_long",
                format!("Le champ « {label} » ne doit pas dépasser 100 caractères."),
            ));
        }
        if s.chars().any(crate::family::fields::is_forbidden_char)
            || s.chars().any(|c| matches!(c, '<' | '>'))
        {
            return Err(FieldError::new(
                field,
                "invalid_characters",
                format!("Le champ « {label} » contient des caractères non autorisés."),
            ));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A subscriber code as a parent types it: spaces and dashes dropped,
/// upper case. Its existence is checked by the family file, not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberCodeInput(String);

impl SubscriberCodeInput {
    pub fn parse(field: &str, input: &str) -> Result<Option<Self>, FieldError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_uppercase();
        if s.is_empty() {
            return Ok(None);
        }
        if s.len() > 32 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(FieldError::new(
                field,
                "invalid_subscriber_code",
                "Le code abonné ne contient que des lettres et des chiffres.",
            ));
        }
        Ok(Some(Self(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The sign-up form as received: every field optional, so that a missing
/// field is reported like any other invalid one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpForm {
    /// `M.` or `Mme`.
    pub civility: Option<String>,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub password_confirmation: Option<String>,
    pub subscriber_code: Option<String>,
    pub accept_terms: Option<bool>,
    /// The ALTCHA widget's payload (base 64).
    pub captcha: Option<String>,
}

/// A sign-up form that passed every field rule (the captcha is checked by
/// the caller, which holds the secret).
#[derive(Debug, Clone)]
pub struct ValidSignUp {
    pub civility: Civility,
    pub last_name: Name,
    pub first_name: Name,
    pub email: Email,
    pub password: Password,
    pub subscriber_code: Option<SubscriberCodeInput>,
    pub captcha: String,
}

impl SignUpForm {
    /// Checks every field and reports every problem at once, in form order.
    pub fn validate(self) -> Result<ValidSignUp, Vec<FieldError>> {
        let mut errors = Vec::new();
        let civility = match self.civility.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::new(
                    "civility",
                    "required",
                    "La civilité est obligatoire.",
                ));
                None
            }
            Some(s) => Civility::parse(s).or_else(|| {
                errors.push(FieldError::new(
                    "civility",
                    "invalid_civility",
                    "La civilité doit être « M. » ou « Mme ».",
                ));
                None
            }),
        };
        let mut name = |field: &str, label: &str, v: Option<String>| {
            Name::parse(field, label, v.as_deref().unwrap_or_default())
                .map_err(|e| errors.push(e))
                .ok()
        };
        let last_name = name("last_name", "Nom", self.last_name);
        let first_name = name("first_name", "Prénom", self.first_name);
        let email = Email::parse(self.email.as_deref().unwrap_or_default())
            .map_err(|e| errors.push(e))
            .ok();
        let raw_password = self.password.unwrap_or_default();
        let password = Password::parse("password", &raw_password)
            .map_err(|e| errors.push(e))
            .ok();
        let confirmation = self.password_confirmation.unwrap_or_default();
        if confirmation.is_empty() {
            errors.push(FieldError::new(
                "password_confirmation",
                "required",
                "La confirmation du mot de passe est obligatoire.",
            ));
        } else if confirmation != raw_password {
            errors.push(FieldError::new(
                "password_confirmation",
                "password_mismatch",
                "La confirmation ne correspond pas au mot de passe.",
            ));
        }
        let subscriber_code = SubscriberCodeInput::parse(
            "subscriber_code",
            self.subscriber_code.as_deref().unwrap_or_default(),
        )
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
        if self.accept_terms != Some(true) {
            errors.push(FieldError::new(
                "accept_terms",
                "terms_not_accepted",
                "Vous devez lire et accepter les conditions d'utilisation.",
            ));
        }
        let captcha = self.captcha.unwrap_or_default();
        if captcha.trim().is_empty() {
            errors.push(FieldError::new(
                "captcha",
                "captcha_required",
                "Cochez « Je ne suis pas un robot » et attendez la vérification.",
            ));
        }
        match (civility, last_name, first_name, email, password) {
            (Some(civility), Some(last_name), Some(first_name), Some(email), Some(password))
                if errors.is_empty() =>
            {
                Ok(ValidSignUp {
                    civility,
                    last_name,
                    first_name,
                    email,
                    password,
                    subscriber_code,
                    captcha,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_rule_names_what_is_missing() {
        let e = Password::parse("password", "abcdefgh")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.ends_with("Il manque : 1 chiffre et 1 majuscule."), "{e}");
        let e = Password::parse("password", "aB1")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.ends_with("Il manque : au moins 8 caractères."), "{e}");
        let e = Password::parse("password", "12345678")
            .err()
            .map(|e| e.code)
            .unwrap_or_default();
        assert_eq!(e, "weak_password");
        assert!(Password::parse("password", "Motdepasse1").is_ok());
        assert!(
            Password::parse("password", "Éléphant7").is_ok(),
            "accented letters count"
        );
    }

    #[test]
    fn e_mail_addresses_are_checked_and_normalized_to_lower_case() {
        let e = Email::parse("  Jeanne.Dupont@Exemple.FR ").ok();
        assert_eq!(
            e.as_ref().map(Email::as_str),
            Some("Jeanne.Dupont@Exemple.FR")
        );
        assert_eq!(
            e.as_ref().map(Email::normalized),
            Some("jeanne.dupont@exemple.fr")
        );
        for bad in [
            "",
            "jeanne",
            "jeanne@",
            "@exemple.fr",
            "j@exemple",
            "j @x.fr",
            "j@x..fr",
            "j@-x.fr",
            "j@x.f1",
            "a..b@x.fr",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_complete_form_is_valid() {
        let form = SignUpForm {
            civility: Some("Mme".into()),
            last_name: Some(" Dupont ".into()),
            first_name: Some("Jeanne".into()),
            email: Some("jeanne@exemple.fr".into()),
            password: Some("Motdepasse1".into()),
            password_confirmation: Some("Motdepasse1".into()),
            subscriber_code: Some(" ab-cd 23 ".into()),
            accept_terms: Some(true),
            captcha: Some("x".into()),
        };
        let v = form.validate().ok();
        assert_eq!(v.as_ref().map(|v| v.last_name.as_str()), Some("Dupont"));
        assert_eq!(
            v.as_ref()
                .and_then(|v| v.subscriber_code.as_ref())
                .map(|c| c.as_str()),
            Some("ABCD23")
        );
    }

    #[test]
    fn every_problem_of_a_form_is_reported_in_form_order() {
        let errors = SignUpForm {
            password: Some("short".into()),
            password_confirmation: Some("other".into()),
            ..Default::default()
        }
        .validate()
        .err()
        .unwrap_or_default();
        let codes: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("civility", "required"),
                ("last_name", "required"),
                ("first_name", "required"),
                ("email", "required"),
                ("password", "weak_password"),
                ("password_confirmation", "password_mismatch"),
                ("accept_terms", "terms_not_accepted"),
                ("captcha", "captcha_required"),
            ]
        );
    }

    #[test]
    fn bidi_controls_are_refused_in_names() {
        for c in ['\u{202E}', '\u{202D}', '\u{2067}', '\u{200E}'] {
            let e = Name::parse("last_name", "Nom", &format!("Du{c}pont")).unwrap_err();
            assert_eq!(e.code, "invalid_characters", "{c:?}");
        }
        assert!(Name::parse("last_name", "Nom", "Zoé N'Diaye").is_ok());
    }
}
