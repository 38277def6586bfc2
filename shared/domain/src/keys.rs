//! Single-table keys, built here and nowhere else. The access patterns they
//! serve are listed in `docs/access-patterns.md`.
//!
//! | item | PK | SK | GSI1PK / GSI1SK |
//! |---|---|---|---|
//! | account | `ACCOUNT#<id>` | `ACCOUNT` | `ROLE#<role>` / `<email>` |
//! | e-mail uniqueness | `EMAIL#<normalized e-mail>` | `EMAIL` | |
//! | session | `SESSION#<sha256(token)>` | `SESSION` | `ACCOUNT#<id>` / `SESSION#<created>` |
//! | one-time token | `TOKEN#<sha256(token)>` | `TOKEN` | |
//! | device known for an account | `DEVICE#<sha256(device id)>` | `ACCOUNT#<id>` | |
//! | rate-limit window | `RATE#<scope>#<subject>` | `WINDOW#<start>` | |
//! | used captcha | `CAPTCHA#<sha256(challenge signature)>` | `CAPTCHA` | |
//! | subscription | `ACCOUNT#<id>` | `SUB#<family id>` | `FAMILY#<family id>` / `SUB#<account id>` |
//! | family record | `FAMILY#<id>` | `D#FAMILY` | GSI2: `FAMILIES` / `<label, lower case>#<id>` |
//! | guardian | `FAMILY#<id>` | `D#GUARDIAN#<guardian id>` | |
//! | child | `FAMILY#<id>` | `D#CHILD#<child id>` | GSI1: `CHILD#<child id>` / `<family id>` |
//! | pending dossier change | `FAMILY#<id>` | `D#PENDING#<request id>` | |
//! | subscriber code | `CODE#<code>` | `CODE` | |
//! | imported family | `IMPORT#<commune's reference>` | `IMPORT` | |
//! | invoice (lookup) | `INVOICE#<emission code>#<reference>` | `INVOICE` | |
//! | invoice | `FAMILY#<id>` | `B#I#<invoice id>` | GSI1: `BILLINV#<invoice id>` / `<family id>` |
//! | invoice lines | `FAMILY#<id>` | `B#D#<invoice id>` | |
//! | invoice number (unique in the commune) | `INVNUM#<number>` | `INVNUM` | |
//! | payment | `FAMILY#<id>` | `B#P#<invoice id>#<payment number>` | |
//! | online payment | `FAMILY#<id>` | `B#W#<online payment id>` | GSI2: while pending `PAYPENDING` / `<created, RFC 3339 UTC>#<id>`; paid but not recorded `PAYREVIEW` / `<paid at>#<id>`; then settled by an agent `PAYREVIEWED` / `<settled at>#<id>` |
//! | online payment in progress (lock, TTL 20 min) | `FAMILY#<id>` | `B#X#<invoice id>` | |
//! | online payment by transaction (`idop` unique) | `PAYOP#<idop>` | `PAYOP` | |
//! | online payment not recorded, by id (for the back-office) | `PAYW#<online payment id>` | `PAYW` | |
//! | sandbox payment order (TTL) | `SANDBOX#<idop>` | `SANDBOX` | |
//! | invoice PDF given by the commune | `FAMILY#<id>` | `B#F#<invoice id>` | |
//! | régie | `REGIES` | `REGIE#<id>` | |
//! | régie name (unique in the commune) | `REGIES` | `NAME#<name, lower case>` | |
//! | document type (pièce justificative asked for) | `DOCTYPES` | `DOCTYPE#<id>` | |
//! | supporting document sent by a family | `FAMILY#<id>` | `DOC#<document id>` | GSI1: `DOCUMENT#<document id>` / `<family id>`; GSI2 (accepted with an end, until its "expired" notice is sent): `DOCEXPIRY` / `<day the next notice is due>#<family id>#<id>`; GSI3 (refused, replaced or cancelled): `DOCRETIRED` / `<day retired>#<family id>#<id>`, with a TTL |
//! | day of the last daily job of supporting documents (`marelle serve`'s schedule) | `JOBRUN` | `DOCUMENTS` | |
//! | request | `REQ#<id>` | `REQ` | GSI1: `FAMREQ#<family>` / `<id>`; GSI2 (pending only): `PENDING` / `<id>`; GSI3 (decided): `DIGEST#<window>` / `<family>#<id>` |
//! | crèche structure | `CRECHES` | `STRUCT#<id>` | |
//! | crèche application | `FAMILY#<id>` | `CRECHE#<application id>` | GSI1: `CRECHEAPP#<application id>` / `<family id>`; GSI2: `CRECHEAPPS` / `<submitted, RFC 3339 UTC>#<id>` (the agents' list, oldest first); GSI3 while open: `CRECHEDUE` / `<day due, Paris>#<id>` (the daily job); TTL 3 years after closing without a place |
//! | activity billing settings and tariff | `ACTIVITY#<id>` | `BILLING` | |
//! | attendance mark | `ACTIVITY#<id>` | `MARK#<day>#<child id>` | GSI3: `FAMMARKS#<family id>` / `<day>#<activity id>#<child id>` |
//! | quotients familiaux, resident | `FAMILY#<id>` | `Q#QF` | |
//! | correction not carried yet | `FAMILY#<id>` | `Q#CORR#<id>` | |
//! | invoicing run key (one invoice per régie, month, family) | `FAMILY#<id>` | `Q#RUN#<régie code>#<YYYY-MM>` | |
//! | invoice counter of a régie and year | `INVCOUNT#<régie code>#<year>` | `COUNTER` | |
//! | régie's invoicing state | `INVSTATE#<régie id>` | `STATE` | |
//! | crèche statistics (no personal data) | `CRECHESTATS` | `<YYYY-MM of closing>#<final state>` | counter `count` |
//! | open crèche application of a child (one at a time) | `FAMILY#<id>` | `CRECHEOPEN#<child id>` or `CRECHEOPEN#DUE#<due date>` | |
//!
//! `GET /api/me` is one query on `ACCOUNT#<id>`: the account and its
//! subscriptions. `GET /api/family` is one query on `FAMILY#<id>` with
//! `D#` (the whole dossier and its pending changes), after one read of the
//! subscription. "Mes factures" is one query on `FAMILY#<id>` with `B#I#`,
//! "Mes règlements" one with `B#P#`, "Mes opérations" one between `B#I#`
//! and `B#P#…` (invoices, their credit notes, payments); an invoice's lines
//! are read only with its detail. "Mes demandes" is one query on GSI1 `FAMREQ#<family>`.

pub fn account(id: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
}

/// The partition holding an account and its subscriptions.
pub fn account_partition(id: &str) -> String {
    format!("ACCOUNT#{id}")
}

pub const SUBSCRIPTION_PREFIX: &str = "SUB#";

pub fn subscription(account_id: &str, family_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("ACCOUNT#{account_id}"), format!("SUB#{family_id}"))
}

pub fn family_partition(id: &str) -> String {
    format!("FAMILY#{id}")
}

/// Sort key prefix of every dossier item (record, people, pending changes).
pub const DOSSIER_PREFIX: &str = "D#";

pub fn family(id: &str) -> crate::ports::Key {
    crate::ports::Key::new(family_partition(id), "D#FAMILY")
}

pub fn guardian(family_id: &str, id: &str) -> crate::ports::Key {
    crate::ports::Key::new(family_partition(family_id), format!("D#GUARDIAN#{id}"))
}

pub fn child(family_id: &str, id: &str) -> crate::ports::Key {
    crate::ports::Key::new(family_partition(family_id), format!("D#CHILD#{id}"))
}

/// GSI1 partition of a child: its family (sort key: the family's id).
pub fn child_index(child_id: &str) -> String {
    format!("CHILD#{child_id}")
}

pub fn pending_change(family_id: &str, request_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(
        family_partition(family_id),
        format!("D#PENDING#{request_id}"),
    )
}

/// Sort key prefix of a family's history (links and unlinks of accounts…),
/// beside the dossier, never read with it.
pub const FAMILY_HISTORY_PREFIX: &str = "H#";

/// One event of a family's history, in time order.
pub fn family_history(family_id: &str, at_rfc3339: &str, id: &str) -> crate::ports::Key {
    crate::ports::Key::new(
        family_partition(family_id),
        format!("{FAMILY_HISTORY_PREFIX}{at_rfc3339}#{id}"),
    )
}

/// GSI2 partition listing every family, by label.
pub const FAMILIES: &str = "FAMILIES";

pub fn family_in_list(label: &str, id: &str) -> String {
    format!("{}#{id}", label.to_lowercase())
}

/// GSI1 partition of the accounts linked to a family.
pub fn subscribers(family_id: &str) -> String {
    format!("FAMILY#{family_id}")
}

pub fn subscriber_in_family(account_id: &str) -> String {
    format!("SUB#{account_id}")
}

pub fn subscriber_code(code: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("CODE#{code}"), "CODE")
}

pub fn imported(reference: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("IMPORT#{reference}"), "IMPORT")
}

pub fn invoice_lookup(emission_code: &str, reference: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("INVOICE#{emission_code}#{reference}"), "INVOICE")
}

/// Sort key prefix of a family's invoices.
pub const INVOICE_PREFIX: &str = "B#I#";
/// Sort key prefix of a family's payments.
pub const PAYMENT_PREFIX: &str = "B#P#";
/// Sort key bound above every payment (for the ledger's range query).
pub const PAYMENT_END: &str = "B#P$";

pub fn invoice(family_id: &str, invoice_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(
        family_partition(family_id),
        format!("{INVOICE_PREFIX}{invoice_id}"),
    )
}

pub fn invoice_lines(family_id: &str, invoice_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(family_partition(family_id), format!("B#D#{invoice_id}"))
}

/// The marker of an invoice's PDF given by the commune (the PDF itself is
/// in the blob store, at [`invoice_pdf_blob`]).
pub fn invoice_pdf(family_id: &str, invoice_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(family_partition(family_id), format!("B#F#{invoice_id}"))
}

/// The blob key of an invoice's PDF, beside the family's other files.
pub fn invoice_pdf_blob(family_id: &str, invoice_id: &str) -> String {
    format!("families/{family_id}/invoices/{invoice_id}.pdf")
}

/// The partition of the commune's régies (a bounded list).
pub const REGIES: &str = "REGIES";
/// The marker saying the commune's logo is in the blob store (at
/// `commune/logo`): one item, alone in its partition.
pub fn commune_logo() -> crate::ports::Key {
    crate::ports::Key::new("COMMUNE", "LOGO")
}

/// Sort key prefix of a régie.
pub const REGIE_PREFIX: &str = "REGIE#";

pub fn regie(id: &str) -> crate::ports::Key {
    crate::ports::Key::new(REGIES, format!("{REGIE_PREFIX}{id}"))
}

/// A régie's name, taken (names are compared in lower case).
pub fn regie_name(name: &str) -> crate::ports::Key {
    crate::ports::Key::new(REGIES, format!("NAME#{}", name.to_lowercase()))
}

/// A régie's invoice code, taken (codes are unique among régies).
pub fn regie_code(code: &str) -> crate::ports::Key {
    crate::ports::Key::new(REGIES, format!("CODE#{code}"))
}

/// The partition of the commune's document types (a bounded list, read
/// by one query).
pub const DOCUMENT_TYPES: &str = "DOCTYPES";
/// Sort key prefix of a document type.
pub const DOCUMENT_TYPE_PREFIX: &str = "DOCTYPE#";

pub fn document_type(id: &str) -> crate::ports::Key {
    crate::ports::Key::new(DOCUMENT_TYPES, format!("{DOCUMENT_TYPE_PREFIX}{id}"))
}

/// GSI1 partition of an invoice (sort key: its family's id), for the
/// back-office, which knows an invoice by its id alone.
pub fn invoice_index(invoice_id: &str) -> String {
    format!("BILLINV#{invoice_id}")
}

/// An invoice number, taken: numbers are unique in the commune (imports
/// key their rows by it).
pub fn invoice_number(number: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("INVNUM#{number}"), "INVNUM")
}

/// Sort key prefix of one invoice's payments.
pub fn payments_of(invoice_id: &str) -> String {
    format!("{PAYMENT_PREFIX}{invoice_id}#")
}

/// A payment: its number is unique per invoice.
pub fn payment(family_id: &str, invoice_id: &str, number: &str) -> crate::ports::Key {
    crate::ports::Key::new(
        family_partition(family_id),
        format!("{}{number}", payments_of(invoice_id)),
    )
}

/// An online payment of a family (sorts after every payment, out of the
/// ledger's range).
pub fn online_payment(family_id: &str, id: &str) -> crate::ports::Key {
    crate::ports::Key::new(family_partition(family_id), format!("B#W#{id}"))
}

/// The lock an online payment in progress holds on its invoice (one at a
/// time per invoice; it lapses with its TTL).
pub fn online_payment_lock(family_id: &str, invoice_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(family_partition(family_id), format!("B#X#{invoice_id}"))
}

/// An online payment by the payment service's transaction id (`idop`):
/// the notification and the return know nothing else.
pub fn online_payment_by_idop(idop: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("PAYOP#{idop}"), "PAYOP")
}

/// An online payment taken but not recorded, by its id alone (the
/// back-office settles it knowing nothing else): holds its family.
pub fn online_payment_by_id(id: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("PAYW#{id}"), "PAYW")
}

/// Sort-key prefix of a family's online payments.
pub const ONLINE_PAYMENT_PREFIX: &str = "B#W#";

/// GSI2 partition of the online payments still pending (the polling job).
pub const PAYMENTS_PENDING: &str = "PAYPENDING";

/// GSI2 partition of the online payments taken but not recorded (the
/// invoice was settled or cancelled meanwhile), for an agent to refund or
/// apply to another invoice: oldest first.
pub const PAYMENTS_TO_REVIEW: &str = "PAYREVIEW";

/// GSI2 partition of those an agent settled (refunded, or recorded on
/// another invoice): their history.
pub const PAYMENTS_REVIEWED: &str = "PAYREVIEWED";

/// A payment order the sandbox holds (the sandbox plays the payment
/// service in demos and tests).
pub fn sandbox_order(idop: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("SANDBOX#{idop}"), "SANDBOX")
}

pub fn request(id: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("REQ#{id}"), "REQ")
}

/// GSI1 partition of a family's requests ("Mes demandes").
pub fn family_requests(family_id: &str) -> String {
    format!("FAMREQ#{family_id}")
}

/// GSI2 partition of the requests waiting for a decision.
pub const PENDING: &str = "PENDING";

/// GSI3 partition of the requests decided in one digest window.
pub fn digest_window(window_id: &str) -> String {
    format!("DIGEST#{window_id}")
}

pub fn decided_in_window(family_id: &str, request_id: &str) -> String {
    format!("{family_id}#{request_id}")
}

pub fn accounts_by_role(role: &str) -> String {
    format!("ROLE#{role}")
}

pub fn email(normalized: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("EMAIL#{normalized}"), "EMAIL")
}

pub fn session(token_hash: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("SESSION#{token_hash}"), "SESSION")
}

/// GSI1 partition of an account's sessions.
pub fn sessions_of(account_id: &str) -> String {
    format!("ACCOUNT#{account_id}")
}

pub fn session_in_account(created_at: &str, token_hash: &str) -> String {
    format!("SESSION#{created_at}#{token_hash}")
}

pub fn token(token_hash: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("TOKEN#{token_hash}"), "TOKEN")
}

/// A device (its cookie's id, hashed) that logged in to an account before.
pub fn known_device(device_hash: &str, account_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(
        format!("DEVICE#{device_hash}"),
        format!("ACCOUNT#{account_id}"),
    )
}

pub fn rate_window(scope: &str, subject: &str, window_start: i64) -> crate::ports::Key {
    crate::ports::Key::new(
        format!("RATE#{scope}#{subject}"),
        format!("WINDOW#{window_start:012}"),
    )
}

pub fn used_captcha(signature_hash: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("CAPTCHA#{signature_hash}"), "CAPTCHA")
}

/// Sort key prefix of a family's supporting documents (one query reads
/// them all).
pub const DOCUMENT_PREFIX: &str = "DOC#";

/// A supporting document sent by a family, beside its dossier.
pub fn document(family_id: &str, id: &str) -> crate::ports::Key {
    crate::ports::Key::new(
        family_partition(family_id),
        format!("{DOCUMENT_PREFIX}{id}"),
    )
}

/// GSI1 partition of a supporting document (sort key: its family's id),
/// for the agents, who know a document by its id alone.
pub fn document_by_id(id: &str) -> String {
    format!("DOCUMENT#{id}")
}

/// GSI2 partition of the accepted documents with an end whose notices
/// are not all sent, sorted by the day the next one is due.
pub const DOCUMENTS_EXPIRING: &str = "DOCEXPIRY";

/// GSI3 partition of the retired documents (refused, replaced,
/// cancelled), sorted by the day retired: the daily job deletes them.
pub const DOCUMENTS_RETIRED: &str = "DOCRETIRED";

/// A document's sort key in the two indexes above: a day, then the
/// document (days sort as text; `#` sorts before `$`).
pub fn document_on_day(day: chrono::NaiveDate, family_id: &str, id: &str) -> String {
    format!("{}#{family_id}#{id}", day.format("%Y-%m-%d"))
}

/// The bound, inclusive, of a query on [`document_on_day`] keys up to `day`.
pub fn documents_until(day: chrono::NaiveDate) -> String {
    format!("{}$", day.format("%Y-%m-%d"))
}

/// The partition of the commune's crèches (a bounded list, read by one
/// query).
pub const CRECHE_STRUCTURES: &str = "CRECHES";
/// Sort key prefix of a crèche.
pub const CRECHE_STRUCTURE_PREFIX: &str = "STRUCT#";

pub fn creche_structure(id: &str) -> crate::ports::Key {
    crate::ports::Key::new(CRECHE_STRUCTURES, format!("{CRECHE_STRUCTURE_PREFIX}{id}"))
}

/// Sort key prefix of a family's crèche applications (one query reads
/// them all).
pub const CRECHE_APPLICATION_PREFIX: &str = "CRECHE#";

/// A crèche application, beside its family's dossier.
pub fn creche_application(family_id: &str, id: &str) -> crate::ports::Key {
    crate::ports::Key::new(
        family_partition(family_id),
        format!("{CRECHE_APPLICATION_PREFIX}{id}"),
    )
}

/// GSI1 partition of a crèche application (sort key: its family's id), for
/// the agents, who know an application by its id alone.
pub fn creche_application_by_id(id: &str) -> String {
    format!("CRECHEAPP#{id}")
}

/// GSI2 partition of every crèche application, by submission (the
/// agents' list, oldest first).
pub const CRECHE_APPLICATIONS: &str = "CRECHEAPPS";

pub fn creche_application_in_list(submitted_rfc3339: &str, id: &str) -> String {
    format!("{submitted_rfc3339}#{id}")
}

/// The marker of the open application of a child of the family, or of
/// the child expected on a day: one at a time, put with the application,
/// deleted when it closes.
pub fn creche_open(family_id: &str, child: &str) -> crate::ports::Key {
    crate::ports::Key::new(family_partition(family_id), format!("CRECHEOPEN#{child}"))
}

/// What [`creche_open`] names for a child expected on `due`.
pub fn creche_expected(due: chrono::NaiveDate) -> String {
    format!("DUE#{}", due.format("%Y-%m-%d"))
}

/// GSI3 partition of the open crèche applications, sorted by the day the
/// daily job next has something to do (reminder, closing, lapse): the
/// job reads the days up to today, never scanning.
pub const CRECHE_DUE: &str = "CRECHEDUE";

/// An application's sort key in [`CRECHE_DUE`].
pub fn creche_due_on(day: chrono::NaiveDate, id: &str) -> String {
    format!("{}#{id}", day.format("%Y-%m-%d"))
}

/// The crèche statistics kept after applications are deleted: one counter
/// per month of closing and final state, no personal data.
pub fn creche_stat(month: &str, status: &str) -> crate::ports::Key {
    crate::ports::Key::new("CRECHESTATS", format!("{month}#{status}"))
}

// ---- invoicing from the planning (issue 16; layout in docs/invoicing.md) ----

/// An activity's billing settings and tariff (one item, versioned).
pub fn activity_billing(activity_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("ACTIVITY#{activity_id}"), "BILLING")
}

/// Sort-key prefix of the staff's attendance marks, in the activity's
/// partition.
pub const MARK_PREFIX: &str = "MARK#";

/// A child's attendance mark on a day, in the activity's partition.
pub fn attendance_mark(
    activity_id: &str,
    day: chrono::NaiveDate,
    child_id: &str,
) -> crate::ports::Key {
    crate::ports::Key::new(
        format!("ACTIVITY#{activity_id}"),
        format!("{MARK_PREFIX}{}#{child_id}", day.format("%Y-%m-%d")),
    )
}

/// Prefix of an activity's marks on a day (`MARK#2027-02-08#`).
pub fn marks_of_day(day: chrono::NaiveDate) -> String {
    format!("{MARK_PREFIX}{}#", day.format("%Y-%m-%d"))
}

/// Prefix of an activity's marks in a month (`MARK#2027-02-`), the month
/// as `YYYY-MM`.
pub fn marks_of_month(month: &str) -> String {
    format!("{MARK_PREFIX}{month}-")
}

/// GSI3 partition of a family's attendance marks (each mark is in its
/// activity's partition, for the day's sheet, and in this index, so that a
/// run reads one family's marks of a month in one query whatever the size
/// of the commune).
pub fn family_marks(family_id: &str) -> String {
    format!("FAMMARKS#{family_id}")
}

/// A mark's sort key in [`family_marks`]: `<YYYY-MM-DD>#<activity id>#<child id>`.
pub fn family_mark_in_index(day: chrono::NaiveDate, activity_id: &str, child_id: &str) -> String {
    format!("{}#{activity_id}#{child_id}", day.format("%Y-%m-%d"))
}

/// Sort-key prefix of a family's invoicing items (quotient, corrections,
/// run keys): one query reads them all.
pub const INVOICING_PREFIX: &str = "Q#";

/// The family's quotients familiaux and where it lives (resident or not).
pub fn quotients(family_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(family_partition(family_id), "Q#QF")
}

/// Sort-key prefix of a family's corrections not carried yet.
pub const CORRECTION_PREFIX: &str = "Q#CORR#";

/// A correction (credit) waiting for the family's next invoice.
pub fn correction(family_id: &str, id: &str) -> crate::ports::Key {
    crate::ports::Key::new(
        family_partition(family_id),
        format!("{CORRECTION_PREFIX}{id}"),
    )
}

/// Sort-key prefix of a family's run keys.
pub const INVOICING_RUN_PREFIX: &str = "Q#RUN#";

/// One invoice per (régie, month, family), whatever the number of runs:
/// holds the invoice's id and number once issued.
pub fn invoicing_run(family_id: &str, regie_code: &str, month: &str) -> crate::ports::Key {
    crate::ports::Key::new(
        family_partition(family_id),
        format!("{INVOICING_RUN_PREFIX}{regie_code}#{month}"),
    )
}

/// The last invoice sequence used by a régie in a year (`last`).
pub fn invoice_counter(regie_code: &str, year: i32) -> crate::ports::Key {
    crate::ports::Key::new(format!("INVCOUNT#{regie_code}#{year}"), "COUNTER")
}

/// A régie's invoicing state: `issued_through`, the last day of the latest
/// month issued (tariff versions in force up to it are frozen).
pub fn invoicing_state(regie_id: &str) -> crate::ports::Key {
    crate::ports::Key::new(format!("INVSTATE#{regie_id}"), "STATE")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_by_their_kind() {
        assert_eq!(account("01H").pk, "ACCOUNT#01H");
        assert_eq!(email("a@b.fr").pk, "EMAIL#a@b.fr");
        assert_eq!(session("ab").pk, "SESSION#ab");
        let d = known_device("ab", "A1");
        assert_eq!((d.pk.as_str(), d.sk.as_str()), ("DEVICE#ab", "ACCOUNT#A1"));
        assert_eq!(token("cd").sk, "TOKEN");
    }

    #[test]
    fn billing_items_sort_apart_from_the_dossier_and_payments_in_range() {
        let i = invoice("F1", "01J");
        let p = payment("F1", "01J", "CHQ 12");
        assert_eq!(i.pk, p.pk);
        assert!(!i.sk.starts_with(DOSSIER_PREFIX));
        assert!(i.sk.as_str() >= INVOICE_PREFIX && p.sk.as_str() < PAYMENT_END);
        assert!(p.sk.starts_with(&payments_of("01J")));
        assert!(invoice_lines("F1", "01J").sk.as_str() < INVOICE_PREFIX);
        // Online payments and their locks stay out of the ledger's range.
        assert!(online_payment("F1", "01K").sk.as_str() > PAYMENT_END);
        assert!(online_payment_lock("F1", "01J").sk.as_str() > PAYMENT_END);
        // The PDF marker is in none of the parents' list queries.
        let pdf = invoice_pdf("F1", "01J");
        assert_eq!(pdf.pk, i.pk);
        assert!(pdf.sk.as_str() < INVOICE_PREFIX && !pdf.sk.starts_with(DOSSIER_PREFIX));
        assert_eq!(
            invoice_pdf_blob("F1", "01J"),
            "families/F1/invoices/01J.pdf"
        );
    }

    #[test]
    fn regies_and_their_names_share_a_partition_apart() {
        let r = regie("01R");
        let n = regie_name("Restauration Scolaire");
        assert_eq!(r.pk, n.pk);
        assert!(r.sk.starts_with(REGIE_PREFIX) && !n.sk.starts_with(REGIE_PREFIX));
        assert_eq!(n, regie_name("restauration scolaire"));
    }

    #[test]
    fn creche_items_sort_apart_from_the_dossier_and_the_ledger() {
        let a = creche_application("F1", "01A");
        let o = creche_open(
            "F1",
            &creche_expected(chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()),
        );
        assert_eq!(a.pk, family_partition("F1"));
        assert_eq!(o.sk, "CRECHEOPEN#DUE#2027-03-01");
        for k in [&a, &o] {
            assert!(!k.sk.starts_with(DOSSIER_PREFIX) && !k.sk.starts_with(DOCUMENT_PREFIX));
            assert!(k.sk.as_str() < INVOICE_PREFIX || k.sk.as_str() > PAYMENT_END);
        }
        assert!(!o.sk.starts_with(CRECHE_APPLICATION_PREFIX));
        assert_eq!(creche_structure("S1").pk, CRECHE_STRUCTURES);
    }

    #[test]
    fn invoicing_items_sort_apart_and_read_by_prefix() {
        let day = chrono::NaiveDate::from_ymd_opt(2027, 2, 8).unwrap();
        let m = attendance_mark("A1", day, "C1");
        assert_eq!(
            (m.pk.as_str(), m.sk.as_str()),
            ("ACTIVITY#A1", "MARK#2027-02-08#C1")
        );
        assert!(m.sk.starts_with(&marks_of_day(day)));
        assert!(m.sk.starts_with(&marks_of_month("2027-02")));
        assert!(!m.sk.starts_with(&marks_of_month("2027-03")));
        assert_eq!(activity_billing("A1").pk, m.pk);
        let family = [
            quotients("F1"),
            correction("F1", "01X"),
            invoicing_run("F1", "ENF", "2027-02"),
        ];
        for k in &family {
            assert_eq!(k.pk, family_partition("F1"));
            assert!(k.sk.starts_with(INVOICING_PREFIX));
            assert!(!k.sk.starts_with(DOSSIER_PREFIX) && !k.sk.starts_with(DOCUMENT_PREFIX));
            assert!(k.sk.as_str() < INVOICE_PREFIX || k.sk.as_str() > PAYMENT_END);
            assert!(!k.sk.starts_with("S#") && !k.sk.starts_with("E#"));
        }
        assert!(family[1].sk.starts_with(CORRECTION_PREFIX));
        assert!(family[2].sk.starts_with(INVOICING_RUN_PREFIX));
        assert_ne!(invoice_counter("ENF", 2027), invoice_counter("ENF", 2028));
        let first = family_mark_in_index(day, "A1", "C1");
        assert!(first.as_str() >= "2027-02-01" && first.as_str() < "2027-02-28~");
        assert!(family_mark_in_index(day.succ_opt().unwrap(), "A0", "C0") > first);
    }

    #[test]
    fn rate_windows_sort_in_time_order() {
        let a = rate_window("login", "x", 999);
        let b = rate_window("login", "x", 1000);
        assert_eq!(a.pk, b.pk);
        assert!(a.sk < b.sk);
    }
}
