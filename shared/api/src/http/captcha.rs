//! The captcha: ALTCHA proof of work (protocol v2). `GET /api/captcha`
//! gives a signed challenge; the form sends back the widget's payload
//! (base 64 of `{challenge, solution}`), verified here with the portal's
//! keys and usable once: its signature is remembered until it expires.

use altcha::{
    CreateChallengeOptions, Payload, VerifySolutionOptions, create_challenge, verify_solution,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Item};
use marelle_domain::secrets::token_hash;
use rand::Rng;

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

fn unix_now() -> i64 {
    // ALTCHA checks expiry against the machine's clock, whatever the
    // portal's (settable) clock says.
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn challenge(app: &AppState) -> ApiResult<serde_json::Value> {
    let s = app.settings.captcha;
    let counter = rand::rng().random_range(s.counter_min..=s.counter_max.max(s.counter_min));
    let challenge = create_challenge(CreateChallengeOptions {
        algorithm: "PBKDF2/SHA-256".into(),
        cost: s.cost,
        counter: Some(counter),
        expires_at: Some(unix_now() + s.expires_in_secs),
        hmac_signature_secret: Some(app.keys.captcha_signature.clone()),
        hmac_key_signature_secret: Some(app.keys.captcha_key_signature.clone()),
        ..Default::default()
    })
    .map_err(|e| ApiError::internal("captcha challenge", e))?;
    serde_json::to_value(&challenge).map_err(|e| ApiError::internal("captcha challenge", e))
}

fn invalid() -> ApiError {
    let mut e = ApiError::rule(
        "invalid_captcha",
        "La vérification « Je ne suis pas un robot » a échoué ou a expiré. Recommencez-la.",
    );
    e.errors.push(crate::http::error::ProblemField {
        field: "captcha".into(),
        code: "invalid_captcha".into(),
        message: e.detail.clone(),
    });
    e
}

/// Checks the widget's payload and spends it.
pub async fn verify(app: &AppState, payload: &str) -> ApiResult<()> {
    let bytes = STANDARD.decode(payload.trim()).map_err(|_| invalid())?;
    let payload: Payload = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let result = verify_solution(VerifySolutionOptions {
        hmac_key_signature_secret: Some(app.keys.captcha_key_signature.clone()),
        ..VerifySolutionOptions::new(
            &payload.challenge,
            &payload.solution,
            &app.keys.captcha_signature,
        )
    })
    .map_err(|_| invalid())?;
    if !result.verified {
        return Err(invalid());
    }
    let signature = payload.challenge.signature.unwrap_or_default();
    let expires = payload.challenge.parameters.expires_at.unwrap_or(0);
    let ttl = app.clock.now().timestamp() + (expires - unix_now()).max(0) + 60;
    let item = Item::new(keys::used_captcha(&token_hash(&signature))).expires_at(ttl);
    match app.store.put(item, Some(Condition::NotExists)).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_condition_failed() => {
            let mut e = ApiError::rule(
                "captcha_reused",
                "Cette vérification « Je ne suis pas un robot » a déjà servi. Recommencez-la.",
            );
            e.errors.push(crate::http::error::ProblemField {
                field: "captcha".into(),
                code: "captcha_reused".into(),
                message: e.detail.clone(),
            });
            Err(e)
        }
        Err(e) => Err(e.into()),
    }
}
