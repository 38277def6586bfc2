//! The PayFiP client against the test server that plays PayFiP.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use marelle_domain::ports::payments::{
    PaymentDetail, PaymentError, PaymentOrder, PaymentProvider, PaymentResult,
};
use marelle_payfip::fake::FakePayfip;
use marelle_payfip::{Mode, PayfipClient, soap};

const NUMCLI: &str = "012345";

async fn server() -> FakePayfip {
    match FakePayfip::start().await {
        Ok(s) => s,
        Err(e) => panic!("test server: {e}"),
    }
}

fn client(fake: &FakePayfip) -> PayfipClient {
    let config = fake.config(NUMCLI).and_then(PayfipClient::new);
    match config {
        Ok(c) => c,
        Err(e) => panic!("config: {e}"),
    }
}

fn order() -> PaymentOrder {
    PaymentOrder {
        year: 2026,
        amount_cents: 4250,
        email: "parent@example.fr".into(),
        numcli: NUMCLI.into(),
        object: "Facture 2026-0042".into(),
        reference: "FAC20260042".into(),
        notify_url: "https://portail.example.fr/api/billing/payfip/notification".into(),
        return_url: "https://portail.example.fr/api/billing/payfip/return".into(),
    }
}

async fn created(payfip: &PayfipClient, order: &PaymentOrder) -> String {
    match payfip.create(order).await {
        Ok(c) => c.id_op,
        Err(e) => panic!("create: {e}"),
    }
}

#[tokio::test]
async fn a_transaction_is_created_with_the_orders_values_and_a_payment_page() {
    let fake = server().await;
    let payfip = client(&fake);
    assert_eq!(payfip.name(), "payfip");
    let created = payfip.create(&order()).await;
    let Ok(created) = created else {
        panic!("{created:?}");
    };
    assert_eq!(
        created.redirect_url,
        format!("{}?idop={}", fake.page_url(), created.id_op)
    );
    let t = fake.transaction(&created.id_op);
    let Some(t) = t else {
        panic!("not kept");
    };
    assert_eq!(
        (
            t.exer.as_str(),
            t.montant.as_str(),
            t.numcli.as_str(),
            t.refdet.as_str(),
            t.saisie.as_str(),
            t.objet.as_deref(),
            t.mel.as_str(),
        ),
        (
            "2026",
            "4250",
            NUMCLI,
            "FAC20260042",
            "T",
            Some("Facture 2026 0042"),
            "parent@example.fr"
        )
    );
    assert_eq!(t.urlnotif, order().notify_url);
    assert_eq!(t.urlredirect, order().return_url);
    // The payment page knows it.
    let page = reqwest::get(&created.redirect_url)
        .await
        .map(|r| r.status().as_u16());
    assert_eq!(page.ok(), Some(200));
    // Two orders, two transactions.
    let second = created_id(&payfip).await;
    assert_ne!(second, created.id_op);
    assert_eq!(fake.transactions().len(), 2);
}

async fn created_id(payfip: &PayfipClient) -> String {
    created(payfip, &order()).await
}

#[tokio::test]
async fn the_mode_and_a_default_numcli_come_from_the_configuration() {
    let fake = server().await;
    let config = fake.config("654321").map(|c| c.with_mode(Mode::Activation));
    let Ok(payfip) = config.and_then(PayfipClient::new) else {
        panic!("config");
    };
    let id = created(
        &payfip,
        &PaymentOrder {
            numcli: String::new(),
            ..order()
        },
    )
    .await;
    let t = fake.transaction(&id);
    assert_eq!(
        t.map(|t| (t.numcli, t.saisie)),
        Some(("654321".to_string(), "X".to_string()))
    );
}

#[tokio::test]
async fn each_resultrans_reads_as_its_result() {
    let fake = server().await;
    let payfip = client(&fake);
    for (letter, expected) in [
        ("A", PaymentResult::Abandoned),
        ("R", PaymentResult::Refused),
        ("Z", PaymentResult::Refused),
    ] {
        let id = created_id(&payfip).await;
        assert!(fake.set_result(&id, letter));
        let detail = payfip.detail(&id).await;
        let Ok(detail) = detail else {
            panic!("{letter}: {detail:?}");
        };
        assert_eq!(detail.result, expected, "{letter}");
        assert_eq!(detail.amount_cents, Some(4250));
        assert_eq!(detail.reference.as_deref(), Some("FAC20260042"));
    }
    for (letter, by_debit) in [("P", false), ("V", true)] {
        let id = created_id(&payfip).await;
        assert!(fake.set_result(&id, letter));
        assert!(fake.set_paid_at(&id, "07122026", "1142"));
        let numauto = fake.transaction(&id).map(|t| t.numauto).unwrap_or_default();
        assert!(!numauto.is_empty());
        let detail = payfip.detail(&id).await;
        assert_eq!(
            detail.ok(),
            Some(PaymentDetail {
                result: PaymentResult::Paid {
                    by_debit,
                    authorisation: numauto,
                    // 11:42 in Paris in winter is 10:42 UTC.
                    at: Utc.with_ymd_and_hms(2026, 12, 7, 10, 42, 0).single(),
                },
                amount_cents: Some(4250),
                reference: Some("FAC20260042".into()),
            }),
            "{letter}"
        );
    }
}

#[tokio::test]
async fn an_unknown_resultrans_is_an_answer_we_cannot_use() {
    let fake = server().await;
    let payfip = client(&fake);
    let id = created_id(&payfip).await;
    assert!(fake.set_result(&id, "Q"));
    let detail = payfip.detail(&id).await;
    assert!(
        matches!(detail, Err(PaymentError::Unavailable(ref m)) if m.contains("resultrans")),
        "{detail:?}"
    );
}

#[tokio::test]
async fn no_result_yet_is_pending_and_an_unknown_idop_is_unknown() {
    let fake = server().await;
    let payfip = client(&fake);
    let id = created_id(&payfip).await;
    let pending = payfip.detail(&id).await;
    assert_eq!(pending.ok().map(|d| d.result), Some(PaymentResult::Pending));
    let unknown = payfip.detail("cc0cb210-1cd4-11ea-8cca-0213ad91a103").await;
    assert!(matches!(unknown, Err(PaymentError::Unknown)), "{unknown:?}");
    // A malformed idOp is refused without a call.
    let before = fake.requests();
    let bad = payfip.detail("<idop>").await;
    assert!(matches!(bad, Err(PaymentError::Invalid(_))), "{bad:?}");
    assert_eq!(fake.requests(), before);
}

#[tokio::test]
async fn a_soap_fault_on_create_or_detail_is_a_fault_with_its_code() {
    let fake = server().await;
    let payfip = client(&fake);
    fake.fail_next("T4", "Le client PayFiP n'a pas d'accès sécurisé.");
    let create = payfip.create(&order()).await;
    match create {
        Err(PaymentError::Fault { code, message }) => {
            assert_eq!(code, "T4");
            assert_eq!(message, "Le client PayFiP n'a pas d'accès sécurisé.");
        }
        other => panic!("{other:?}"),
    }
    assert!(fake.transactions().is_empty());

    let id = created_id(&payfip).await;
    fake.fail_next(
        "P4",
        "L'idOp ne doit pas avoir été enregistré depuis plus de 15 minutes.",
    );
    let detail = payfip.detail(&id).await;
    assert!(
        matches!(detail, Err(PaymentError::Fault { ref code, .. }) if code == "P4"),
        "{detail:?}"
    );
    // The fault was for one call only.
    fake.set_result(&id, "A");
    assert_eq!(
        payfip.detail(&id).await.ok().map(|d| d.result),
        Some(PaymentResult::Abandoned)
    );
}

#[tokio::test]
async fn a_service_that_does_not_answer_in_time_is_a_timeout() {
    let fake = server().await;
    let config = fake
        .config(NUMCLI)
        .map(|c| c.with_timeout(Duration::from_millis(300)));
    let Ok(payfip) = config.and_then(PayfipClient::new) else {
        panic!("config");
    };
    let id = created_id(&payfip).await;
    fake.hang(true);
    let started = Instant::now();
    let create = payfip.create(&order()).await;
    assert!(matches!(create, Err(PaymentError::Timeout)), "{create:?}");
    let detail = payfip.detail(&id).await;
    assert!(matches!(detail, Err(PaymentError::Timeout)), "{detail:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    fake.hang(false);
    assert_eq!(
        payfip.detail(&id).await.ok().map(|d| d.result),
        Some(PaymentResult::Pending)
    );
}

#[tokio::test]
async fn an_unreadable_or_unreachable_service_is_unavailable() {
    let fake = server().await;
    // The payment page is not the web service: a POST there gets a 405.
    let config = fake
        .config(NUMCLI)
        .and_then(|c| c.with_endpoint(&fake.page_url()));
    let Ok(payfip) = config.and_then(PayfipClient::new) else {
        panic!("config");
    };
    let create = payfip.create(&order()).await;
    assert!(
        matches!(create, Err(PaymentError::Unavailable(ref m)) if m.contains("405")),
        "{create:?}"
    );
    // Nothing listens there any more.
    let endpoint = fake.endpoint();
    drop(fake);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let gone = marelle_payfip::PayfipConfig::new(NUMCLI)
        .and_then(|c| c.with_endpoint(&endpoint))
        .and_then(PayfipClient::new);
    let Ok(gone) = gone else {
        panic!("config");
    };
    let detail = gone.detail("abc-123").await;
    assert!(
        matches!(detail, Err(PaymentError::Unavailable(_))),
        "{detail:?}"
    );
}

#[tokio::test]
async fn an_invalid_order_is_refused_before_any_call() {
    let fake = server().await;
    let payfip = client(&fake);
    let cases = [
        PaymentOrder {
            reference: "FAC-2026-0042".into(),
            ..order()
        },
        PaymentOrder {
            reference: String::new(),
            ..order()
        },
        PaymentOrder {
            reference: "A".repeat(31),
            ..order()
        },
        PaymentOrder {
            reference: "FACTÉ42".into(),
            ..order()
        },
        PaymentOrder {
            numcli: "12345".into(),
            ..order()
        },
        PaymentOrder {
            year: 26,
            ..order()
        },
        PaymentOrder {
            amount_cents: 99,
            ..order()
        },
        PaymentOrder {
            amount_cents: 10_000_000,
            ..order()
        },
        PaymentOrder {
            email: "pas une adresse".into(),
            ..order()
        },
        PaymentOrder {
            notify_url: "/api/billing/payfip/notification".into(),
            ..order()
        },
        PaymentOrder {
            return_url: "javascript:alert(1)".into(),
            ..order()
        },
    ];
    for case in cases {
        let result = payfip.create(&case).await;
        assert!(
            matches!(result, Err(PaymentError::Invalid(_))),
            "{case:?}: {result:?}"
        );
    }
    assert_eq!(fake.requests(), 0);
    // The e-mail is never in the error.
    let result = payfip
        .create(&PaymentOrder {
            email: "secret.parent-example.fr".into(),
            ..order()
        })
        .await;
    assert!(matches!(result, Err(PaymentError::Invalid(ref m)) if !m.contains("secret")));
}

#[tokio::test]
async fn objet_is_sent_without_accents_punctuation_or_extra_length() {
    let fake = server().await;
    let payfip = client(&fake);
    let id = created(
        &payfip,
        &PaymentOrder {
            object: "Facture n°2026-0042 – Cantine d'été (Léa & Zoé), sœur : garçon !".into(),
            ..order()
        },
    )
    .await;
    assert_eq!(
        fake.transaction(&id).and_then(|t| t.objet),
        Some("Facture n 2026 0042 Cantine d ete Lea Zoe soeur garcon".into())
    );
    let long = created(
        &payfip,
        &PaymentOrder {
            object: "Accueil périscolaire du mercredi ".repeat(6),
            ..order()
        },
    )
    .await;
    let objet = fake
        .transaction(&long)
        .and_then(|t| t.objet)
        .unwrap_or_default();
    assert!(objet.len() <= 100 && objet.len() > 90, "{objet:?}");
    assert!(objet.starts_with("Accueil periscolaire du mercredi Accueil"));
    // Nothing left once cleaned: no objet at all (it is optional).
    let none = created(
        &payfip,
        &PaymentOrder {
            object: "« — »".into(),
            ..order()
        },
    )
    .await;
    assert_eq!(fake.transaction(&none).map(|t| t.objet), Some(None));
}

#[tokio::test]
async fn values_are_escaped_in_the_xml() {
    let fake = server().await;
    let payfip = client(&fake);
    let tricky = "a&b<c>'d\"@example.fr";
    let urlnotif = "https://portail.example.fr/api/billing/payfip/notification?a=1&b=<2>";
    let id = created(
        &payfip,
        &PaymentOrder {
            email: tricky.into(),
            notify_url: urlnotif.into(),
            ..order()
        },
    )
    .await;
    let t = fake.transaction(&id);
    assert_eq!(
        t.map(|t| (t.mel, t.urlnotif)),
        Some((tricky.to_string(), urlnotif.to_string()))
    );
    // And back: the detail carries the same address.
    fake.set_result(&id, "P");
    assert!(matches!(
        payfip.detail(&id).await.map(|d| d.result),
        Ok(PaymentResult::Paid { .. })
    ));
}

#[tokio::test]
async fn payment_times_are_read_in_paris_across_daylight_saving_changes() {
    let fake = server().await;
    let payfip = client(&fake);
    let utc = |d, h, m| {
        Utc.with_ymd_and_hms(2026, if d > 20 { 10 } else { 3 }, d, h, m, 0)
            .single()
    };
    for (dattrans, heurtrans, expected) in [
        // Before and after 02:00 → 03:00 on 29 March 2026.
        (
            "28032026",
            "2330",
            Utc.with_ymd_and_hms(2026, 3, 28, 22, 30, 0).single(),
        ),
        (
            "29032026",
            "0330",
            Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).single(),
        ),
        // 25 October 2026: 02:30 happens twice, the first is taken; 03:30 is winter time.
        ("25102026", "0230", utc(25, 0, 30)),
        ("25102026", "0330", utc(25, 2, 30)),
        ("26102026", "0030", utc(25, 23, 30)),
    ] {
        let id = created_id(&payfip).await;
        fake.set_result(&id, "P");
        fake.set_paid_at(&id, dattrans, heurtrans);
        let at = match payfip.detail(&id).await {
            Ok(PaymentDetail {
                result: PaymentResult::Paid { at, .. },
                ..
            }) => at,
            other => panic!("{other:?}"),
        };
        assert_eq!(at, expected, "{dattrans} {heurtrans}");
    }
}

#[tokio::test]
async fn the_test_server_refuses_what_payfip_refuses() {
    let fake = server().await;
    let http = reqwest::Client::new();
    let good = soap::CreateRequest {
        exer: "2026".into(),
        mel: "parent@example.fr".into(),
        montant: "4250".into(),
        numcli: NUMCLI.into(),
        objet: "Cantine".into(),
        refdet: "FAC42".into(),
        saisie: "T".into(),
        urlnotif: "https://portail.example.fr/n".into(),
        urlredirect: "https://portail.example.fr/r".into(),
    };
    let post = |r: soap::CreateRequest| {
        let http = http.clone();
        let endpoint = fake.endpoint();
        async move {
            let response = http
                .post(endpoint)
                .body(soap::create_request(&r))
                .send()
                .await;
            let Ok(response) = response else {
                panic!("no answer");
            };
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (status, soap::parse_create(&text))
        }
    };
    let (status, answer) = post(good.clone()).await;
    assert_eq!(status, 200);
    assert!(matches!(answer, Ok(Ok(_))), "{answer:?}");
    for (bad, code) in [
        (
            soap::CreateRequest {
                refdet: "FAC-42".into(),
                ..good.clone()
            },
            "R3",
        ),
        (
            soap::CreateRequest {
                numcli: "12345".into(),
                ..good.clone()
            },
            "T1",
        ),
        (
            soap::CreateRequest {
                objet: "Cantine été".into(),
                ..good.clone()
            },
            "O1",
        ),
        (
            soap::CreateRequest {
                objet: "x".repeat(101),
                ..good.clone()
            },
            "O1",
        ),
        (
            soap::CreateRequest {
                montant: "42,50".into(),
                ..good.clone()
            },
            "M1",
        ),
        (
            soap::CreateRequest {
                montant: "99".into(),
                ..good.clone()
            },
            "M3",
        ),
        (
            soap::CreateRequest {
                mel: "parent".into(),
                ..good.clone()
            },
            "A2",
        ),
        (
            soap::CreateRequest {
                saisie: "P".into(),
                ..good.clone()
            },
            "S1",
        ),
        (
            soap::CreateRequest {
                exer: "26".into(),
                ..good.clone()
            },
            "E1",
        ),
    ] {
        let (status, answer) = post(bad).await;
        assert_eq!(status, 500, "{code}");
        assert!(
            matches!(answer, Ok(Err(ref f)) if f.code() == code && f.kind.as_deref() == Some("FonctionnelleErreur")),
            "{code}: {answer:?}"
        );
    }
    assert_eq!(fake.transactions().len(), 1);
    // `idop` in lower case is not PayFiP's field: P1.
    let lower = soap::detail_request("x").replace("idOp", "idop");
    let text = match http.post(fake.endpoint()).body(lower).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => panic!("{e}"),
    };
    assert!(matches!(soap::parse_detail(&text), Ok(Err(ref f)) if f.code() == "P1"));
}

#[tokio::test]
async fn notify_posts_the_idop_to_the_notification_address() {
    use axum::routing::post;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/api/billing/payfip/notification",
        post(move |body: String| {
            let kept = kept.clone();
            async move {
                kept.lock().unwrap_or_else(|p| p.into_inner()).push(body);
                "ok"
            }
        }),
    );
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    let portal = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let fake = server().await;
    let payfip = client(&fake);
    let id = created(
        &payfip,
        &PaymentOrder {
            notify_url: format!("http://{portal}/api/billing/payfip/notification"),
            ..order()
        },
    )
    .await;
    assert_eq!(fake.notify(&id).await, Ok(200));
    assert_eq!(fake.notify(&id).await, Ok(200));
    assert_eq!(
        *seen.lock().unwrap_or_else(|p| p.into_inner()),
        vec![format!("idop={id}"), format!("idop={id}")]
    );
    assert!(fake.notify("unknown").await.is_err());
    task.abort();
}

/// Log lines, kept for a test.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_payers_email_is_never_logged() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = server().await;
    let payfip = client(&fake);
    let with_mail = PaymentOrder {
        email: "marie.curie@example.fr".into(),
        ..order()
    };
    let id = created(&payfip, &with_mail).await;
    fake.fail_next("A2", "L'adresse électronique est incorrecte.");
    assert!(payfip.create(&with_mail).await.is_err());
    fake.hang(true);
    let slow = fake
        .config(NUMCLI)
        .map(|c| c.with_timeout(Duration::from_millis(200)))
        .and_then(PayfipClient::new);
    let Ok(slow) = slow else {
        panic!("config");
    };
    assert!(matches!(
        slow.create(&with_mail).await,
        Err(PaymentError::Timeout)
    ));
    fake.hang(false);
    fake.set_result(&id, "P");
    assert!(payfip.detail(&id).await.is_ok());

    let text =
        String::from_utf8_lossy(&logs.0.lock().unwrap_or_else(|p| p.into_inner())).to_string();
    assert!(text.contains("payfip: transaction created"), "{text}");
    assert!(text.contains("A2"), "{text}");
    assert!(!text.contains("marie.curie"), "{text}");
}
