//! S3's checks of presigned URLs, which moto does not make.
//!
//! moto serves a presigned URL without checking its SigV4 query signature
//! or its expiry (it verifies signatures only from an `Authorization`
//! header, and only in its opt-in IAM mode), so on moto alone a tampered,
//! an expired or a wrong-content-type upload would be served. This gate
//! stands in front of moto on 127.0.0.1 and, for requests that carry
//! `X-Amz-Signature` in the query, does what S3 does first: recomputes the
//! SigV4 signature (written here from the specification, independently of
//! the SDK that signed) over the method, path, query and signed headers
//! with the test secret, and checks `X-Amz-Date + X-Amz-Expires`. A
//! request that fails gets 403, as from S3; every other request is
//! forwarded to moto unchanged.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, Response, StatusCode};
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The gate: its URL, and the server task (stopped when dropped).
pub struct PresignGate {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PresignGate {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a gate in front of `upstream` that checks presigned requests
/// against `secret`.
pub async fn start(upstream: &str, secret: &str) -> PresignGate {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.to_string();
    let secret = secret.to_string();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let (upstream, secret, http) = (upstream.clone(), secret.clone(), http.clone());
        async move { handle(req, &upstream, &secret, &http).await }
    });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    PresignGate { url, task }
}

async fn handle(
    req: Request<Body>,
    upstream: &str,
    secret: &str,
    http: &reqwest::Client,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let query = parts.uri.query().unwrap_or_default();
    if query.contains("X-Amz-Signature=")
        && let Err(reason) = check_presigned(
            parts.method.as_str(),
            parts.uri.path(),
            query,
            &parts.headers,
            secret,
            now(),
        )
    {
        return Response::builder()
            .status(StatusCode::FORBIDDEN)
            .header("content-type", "application/xml")
            .body(Body::from(format!(
                "<Error><Code>{reason}</Code><Message>{reason}</Message></Error>"
            )))
            .unwrap();
    }
    let bytes = to_bytes(body, 64 * 1024 * 1024).await.unwrap();
    let mut headers = parts.headers.clone();
    headers.remove("host");
    headers.remove("content-length");
    headers.remove("transfer-encoding");
    let resp = http
        .request(parts.method, format!("{upstream}{path_and_query}"))
        .headers(headers)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let mut out = Response::builder().status(resp.status());
    for (name, value) in resp.headers() {
        if name != "transfer-encoding" && name != "connection" {
            out = out.header(name, value);
        }
    }
    out.body(Body::from(resp.bytes().await.unwrap())).unwrap()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// SigV4's URI encoding: everything but `A-Za-z0-9-_.~`.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Checks a presigned (query-string SigV4) request as S3 does; the error
/// is S3's error code.
pub fn check_presigned(
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    secret: &str,
    now: i64,
) -> Result<(), &'static str> {
    let params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(algorithm), Some(credential), Some(date), Some(expires), Some(signed), Some(sig)) = (
        get("X-Amz-Algorithm"),
        get("X-Amz-Credential"),
        get("X-Amz-Date"),
        get("X-Amz-Expires"),
        get("X-Amz-SignedHeaders"),
        get("X-Amz-Signature"),
    ) else {
        return Err("AuthorizationQueryParametersError");
    };
    if algorithm != "AWS4-HMAC-SHA256" {
        return Err("AuthorizationQueryParametersError");
    }
    let signed_at = NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| "AuthorizationQueryParametersError")?
        .and_utc()
        .timestamp();
    let expires: i64 = expires
        .parse()
        .map_err(|_| "AuthorizationQueryParametersError")?;
    if now > signed_at + expires {
        return Err("AccessDenied");
    }
    // Credential = access key / date / region / service / aws4_request.
    let scope = credential
        .split_once('/')
        .map(|(_, scope)| scope)
        .ok_or("AuthorizationQueryParametersError")?;
    let scope_parts: Vec<&str> = scope.split('/').collect();
    let [day, region, service, "aws4_request"] = scope_parts[..] else {
        return Err("AuthorizationQueryParametersError");
    };
    let mut query_sorted: BTreeMap<(String, String), ()> = BTreeMap::new();
    for (k, v) in &params {
        if k != "X-Amz-Signature" {
            query_sorted.insert((encode(k), encode(v)), ());
        }
    }
    let canonical_query = query_sorted
        .keys()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in signed.split(';') {
        let value = headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or("SignatureDoesNotMatch")?;
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let canonical_request = format!(
        "{method}\n{path}\n{canonical_query}\n{canonical_headers}\n{signed}\nUNSIGNED-PAYLOAD"
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let key = [day, region, service, "aws4_request"]
        .iter()
        .fold(format!("AWS4{secret}").into_bytes(), |key, part| {
            hmac(&key, part)
        });
    if hex::encode(hmac(&key, &string_to_sign)) == sig {
        Ok(())
    } else {
        Err("SignatureDoesNotMatch")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of AWS's documentation for a presigned GET
    /// ("Authenticating Requests: Using Query Parameters", S3 SigV4).
    #[test]
    fn the_documented_example_checks_out_and_a_changed_one_does_not() {
        let query = "X-Amz-Algorithm=AWS4-HMAC-SHA256\
            &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
            &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
            &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
        let mut headers = HeaderMap::new();
        headers.insert("host", "examplebucket.s3.amazonaws.com".parse().unwrap());
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let at = 1_369_353_600; // 2013-05-24T00:00:00Z
        assert_eq!(
            check_presigned("GET", "/test.txt", query, &headers, secret, at),
            Ok(())
        );
        assert_eq!(
            check_presigned("GET", "/test.txx", query, &headers, secret, at),
            Err("SignatureDoesNotMatch")
        );
        assert_eq!(
            check_presigned("GET", "/test.txt", query, &headers, secret, at + 86_401),
            Err("AccessDenied")
        );
    }
}
