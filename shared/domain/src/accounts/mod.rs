//! Citizen and agent accounts: the sign-up form's rules, accounts as
//! stored, sessions and one-time tokens.

mod model;
mod rules;

pub use model::{Account, MAX_STAFF_ACTIVITIES, OneTimeToken, Role, SessionRecord, TokenKind};
pub use rules::{
    Civility, Email, FieldError, Name, Password, PasswordProblem, SignUpForm, SubscriberCodeInput,
    ValidSignUp,
};
