//! Cross-site request forgery protection by origin, as browsers allow it
//! today: a state-changing request (POST, PUT, PATCH, DELETE) is refused
//! when the browser says it comes from another site, that is when its
//! `Origin` is neither the portal's public origin nor the origin of the
//! host it was sent to, or, without `Origin`, when `Sec-Fetch-Site` says
//! `cross-site` or `same-site`. Requests with neither header do not come
//! from a browser page (every current browser sends one of them on such
//! requests), so they cannot carry a victim's cookie against their will.
//! The session cookie is also `SameSite=Lax`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;
use crate::http::state::AppState;

fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    if host.is_empty() {
        return None;
    }
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

/// Whether a state-changing request with these headers may proceed.
pub fn allowed(headers: &HeaderMap, public_url: &str) -> bool {
    let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header(header::ORIGIN) {
        if origin == "null" {
            return false;
        }
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        if origin_of(public_url).is_some_and(|o| o == origin) {
            return true;
        }
        // Same origin as the host the request was sent to.
        return header(header::HOST).is_some_and(|host| {
            origin_of(&origin).is_some_and(|o| {
                o.split_once("://")
                    .is_some_and(|(_, h)| h == host.to_ascii_lowercase())
            })
        });
    }
    !matches!(
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("cross-site") | Some("same-site")
    )
}

/// Paths the payment service posts to, from its own server or its own
/// page: they use no session, and what they say is checked with the
/// payment service itself (`crate::billing::online`).
pub fn exempt(path: &str) -> bool {
    path == crate::billing::online::NOTIFICATION_PATH || path == crate::billing::online::RETURN_PATH
}

pub async fn protect(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state
        && !exempt(req.uri().path())
        && !allowed(req.headers(), &app.commune.public_url)
    {
        return ApiError::forbidden(
            "cross_site_request",
            "Cette demande vient d'un autre site que le portail : elle est refusée.",
        )
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    const PORTAL: &str = "https://famille.villebois.fr";

    #[test]
    fn the_portals_own_origin_is_accepted() {
        assert!(allowed(
            &headers(&[("origin", "https://famille.villebois.fr")]),
            PORTAL
        ));
        assert!(allowed(
            &headers(&[("origin", "https://FAMILLE.villebois.fr")]),
            PORTAL
        ));
    }

    #[test]
    fn the_origin_of_the_host_asked_is_accepted() {
        let h = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(allowed(&h, PORTAL));
    }

    #[test]
    fn another_origin_is_refused() {
        assert!(!allowed(
            &headers(&[("origin", "https://evil.example")]),
            PORTAL
        ));
        let h = headers(&[
            ("origin", "http://127.0.0.1:9999"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(!allowed(&h, PORTAL));
        assert!(!allowed(&headers(&[("origin", "null")]), PORTAL));
        assert!(!allowed(
            &headers(&[("origin", "https://famille.villebois.fr.evil.example")]),
            PORTAL
        ));
    }

    #[test]
    fn without_origin_fetch_metadata_decides() {
        assert!(!allowed(
            &headers(&[("sec-fetch-site", "cross-site")]),
            PORTAL
        ));
        assert!(!allowed(
            &headers(&[("sec-fetch-site", "same-site")]),
            PORTAL
        ));
        assert!(allowed(
            &headers(&[("sec-fetch-site", "same-origin")]),
            PORTAL
        ));
        assert!(allowed(&headers(&[]), PORTAL), "not a browser");
    }

    #[test]
    fn only_the_payment_services_two_addresses_are_exempt() {
        assert!(exempt("/api/billing/payfip/notification"));
        assert!(exempt("/api/billing/payfip/return"));
        for other in [
            "/api/billing/invoices/01J/payment",
            "/api/billing/payfip/notification/",
            "/api/billing/payfip",
            "/api/session",
        ] {
            assert!(!exempt(other), "{other}");
        }
    }
}
