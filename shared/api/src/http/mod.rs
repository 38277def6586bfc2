//! The HTTP plumbing every feature shares: errors as problem+json,
//! extractors (JSON bodies, query strings, the caller), CSRF, sessions,
//! rate limits, the captcha, password hashing, e-mail sending and the
//! application state. Nothing here knows a feature.

pub mod bounded;
pub mod captcha;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod mail;
pub mod passwords;
pub mod ratelimit;
pub mod sessions;
pub mod staged;
pub mod state;
