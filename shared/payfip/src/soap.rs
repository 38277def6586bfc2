//! PayFiP's SOAP 1.1 messages (service `PaiementSecuriseService`).
//!
//! The shapes, as open-source clients of the service use and record them
//! (copies in `tests/fixtures/*.xml`):
//!
//! - Requests: the operation element in the service's namespace
//!   ([`NS_SERVICE`]) wraps one unqualified `<arg0>` whose unqualified
//!   children are the parameters: `creerPaiementSecurise` takes `exer`,
//!   `mel`, `montant`, `numcli`, `objet`, `refdet`, `saisie`, `urlnotif`,
//!   `urlredirect`; `recupererDetailPaiementSecurise` takes `idOp` (capital
//!   O: PayFiP answers `P1` to `idop`). Sources: the Odoo module
//!   `payment_tipiregie` (hand-written envelopes, `arg0`), Entr'ouvert's
//!   eopayment `payfip_ws.py` (request types `CreerPaiementSecuriseRequest`
//!   in `…/requete`, `RecupererDetailPaiementSecuriseRequest` in
//!   `…/reponse`, answers recorded in its tests), SchoolBusManager's PayFiP
//!   plugin configuration (the `arg0` / `return` parameter lists).
//! - Answers: `<creerPaiementSecuriseResponse><return><idOp>`, and
//!   `<recupererDetailPaiementSecuriseResponse><return>` with `dattrans`
//!   (`DDMMYYYY`), `exer`, `heurtrans` (`HHMM`), `idOp`, `mel`, `montant`,
//!   `numauto`, `numcli`, `objet`, `refdet`, `resultrans`, `saisie`; the
//!   prefixes vary, so the answer is read by local names.
//! - Errors: a SOAP 1.1 `Fault` whose `faultstring` is the Java exception
//!   (`fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur`)
//!   and whose `detail` holds one of `FonctionnelleErreur`,
//!   `TechDysfonctionnementErreur`, `TechIndisponibiliteErreur`,
//!   `TechProtocolaireErreur`, each with `code`, `descriptif`, `libelle`,
//!   `message`, `severite` (Odoo `payment_tipiregie`, eopayment
//!   `fault_to_exception`). Codes seen: `P1` "IdOp incorrect" (unknown or
//!   cleaned at night), `P5` "Résultat de la transaction non connu" (the
//!   payer is still on the page), `R3` refdet, `T1` numcli, `M1`/`M3`/`M5`
//!   montant, `A1`/`A2` mel, `S1` saisie, `N1` urlnotif, `D1` urlredirect.

use crate::xml::{self, Element, escape};

pub const NS_ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const NS_SERVICE: &str = "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService";
pub const NS_REPONSE: &str = "http://securite.service.tpa.cp.finances.gouv.fr/reponse";
/// The `faultstring` of a functional error.
pub const FONCTIONNELLE: &str = "fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur";

pub const OP_CREATE: &str = "creerPaiementSecurise";
pub const OP_DETAIL: &str = "recupererDetailPaiementSecurise";

/// The parameters of `creerPaiementSecurise`, already checked and
/// formatted (`montant` in cents, `objet` sanitised).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateRequest {
    pub exer: String,
    pub mel: String,
    pub montant: String,
    pub numcli: String,
    pub objet: String,
    pub refdet: String,
    pub saisie: String,
    pub urlnotif: String,
    pub urlredirect: String,
}

/// What `recupererDetailPaiementSecurise` answers (every field as sent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DetailAnswer {
    pub dattrans: Option<String>,
    pub exer: Option<String>,
    pub heurtrans: Option<String>,
    pub id_op: Option<String>,
    pub mel: Option<String>,
    pub montant: Option<String>,
    pub numauto: Option<String>,
    pub numcli: Option<String>,
    pub objet: Option<String>,
    pub refdet: Option<String>,
    pub resultrans: Option<String>,
    pub saisie: Option<String>,
}

/// A SOAP fault, with PayFiP's error detail when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fault {
    pub faultcode: String,
    pub faultstring: String,
    /// `FonctionnelleErreur`, `TechDysfonctionnementErreur`…
    pub kind: Option<String>,
    pub code: Option<String>,
    pub libelle: Option<String>,
    pub descriptif: Option<String>,
}

impl Fault {
    /// The code to report: PayFiP's, else the SOAP one.
    pub fn code(&self) -> String {
        self.code.clone().unwrap_or_else(|| self.faultcode.clone())
    }

    /// The message to report: `descriptif`, else `libelle`, else the
    /// `faultstring`.
    pub fn message(&self) -> String {
        self.descriptif
            .clone()
            .or_else(|| self.libelle.clone())
            .unwrap_or_else(|| self.faultstring.clone())
    }
}

fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <soapenv:Envelope xmlns:soapenv=\"{NS_ENVELOPE}\" xmlns:pai=\"{NS_SERVICE}\">\n\
         <soapenv:Header/>\n\
         <soapenv:Body>\n{body}</soapenv:Body>\n\
         </soapenv:Envelope>\n"
    )
}

fn field(out: &mut String, name: &str, value: &str) {
    out.push_str(&format!("<{name}>{}</{name}>\n", escape(value)));
}

/// The `creerPaiementSecurise` request; an empty `objet` is left out (it
/// is optional).
pub fn create_request(r: &CreateRequest) -> String {
    let mut body = format!("<pai:{OP_CREATE}>\n<arg0>\n");
    field(&mut body, "exer", &r.exer);
    field(&mut body, "mel", &r.mel);
    field(&mut body, "montant", &r.montant);
    field(&mut body, "numcli", &r.numcli);
    if !r.objet.is_empty() {
        field(&mut body, "objet", &r.objet);
    }
    field(&mut body, "refdet", &r.refdet);
    field(&mut body, "saisie", &r.saisie);
    field(&mut body, "urlnotif", &r.urlnotif);
    field(&mut body, "urlredirect", &r.urlredirect);
    body.push_str(&format!("</arg0>\n</pai:{OP_CREATE}>\n"));
    envelope(&body)
}

/// The `recupererDetailPaiementSecurise` request.
pub fn detail_request(id_op: &str) -> String {
    let mut body = format!("<pai:{OP_DETAIL}>\n<arg0>\n");
    field(&mut body, "idOp", id_op);
    body.push_str(&format!("</arg0>\n</pai:{OP_DETAIL}>\n"));
    envelope(&body)
}

/// The first element of the envelope's `Body`.
pub fn body_content(doc: &str) -> Result<Element, String> {
    let root = xml::parse(doc)?;
    if root.name != "Envelope" {
        return Err(format!("<{}> au lieu d'une enveloppe SOAP", root.name));
    }
    root.child("Body")
        .and_then(|b| b.children.first())
        .cloned()
        .ok_or_else(|| "enveloppe SOAP sans contenu".into())
}

fn fault_of(content: &Element) -> Option<Fault> {
    if content.name != "Fault" {
        return None;
    }
    let text = |name: &str| content.child_text(name).unwrap_or_default().to_string();
    let mut fault = Fault {
        faultcode: text("faultcode"),
        faultstring: text("faultstring"),
        ..Fault::default()
    };
    if let Some(error) = content.child("detail").and_then(|d| d.children.first()) {
        fault.kind = Some(error.name.clone());
        fault.code = error.child_text("code").map(str::to_string);
        fault.libelle = error.child_text("libelle").map(str::to_string);
        fault.descriptif = error.child_text("descriptif").map(str::to_string);
    }
    Some(fault)
}

/// An answer: the operation's result, or a fault.
pub type Answer<T> = Result<T, Fault>;

/// Reads `creerPaiementSecurise`'s answer: the `idOp`.
pub fn parse_create(doc: &str) -> Result<Answer<String>, String> {
    let content = body_content(doc)?;
    if let Some(fault) = fault_of(&content) {
        return Ok(Err(fault));
    }
    if content.name != format!("{OP_CREATE}Response") {
        return Err(format!("réponse inattendue <{}>", content.name));
    }
    content
        .find("idOp")
        .map(|e| e.text.clone())
        .filter(|t| !t.is_empty())
        .map(Ok)
        .ok_or_else(|| "réponse sans idOp".into())
}

/// Reads `recupererDetailPaiementSecurise`'s answer.
pub fn parse_detail(doc: &str) -> Result<Answer<DetailAnswer>, String> {
    let content = body_content(doc)?;
    if let Some(fault) = fault_of(&content) {
        return Ok(Err(fault));
    }
    if content.name != format!("{OP_DETAIL}Response") {
        return Err(format!("réponse inattendue <{}>", content.name));
    }
    let r = content.child("return").ok_or("réponse sans <return>")?;
    let get = |name: &str| r.child_text(name).map(str::to_string);
    Ok(Ok(DetailAnswer {
        dattrans: get("dattrans"),
        exer: get("exer"),
        heurtrans: get("heurtrans"),
        id_op: get("idOp"),
        mel: get("mel"),
        montant: get("montant"),
        numauto: get("numauto"),
        numcli: get("numcli"),
        objet: get("objet"),
        refdet: get("refdet"),
        resultrans: get("resultrans"),
        saisie: get("saisie"),
    }))
}

/// A request as the service reads it: the operation and `arg0`'s fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub operation: String,
    pub fields: Vec<(String, String)>,
}

impl Request {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a request (the test server's side).
pub fn parse_request(doc: &str) -> Result<Request, String> {
    let content = body_content(doc)?;
    let arg0 = content.child("arg0").ok_or("requête sans <arg0>")?;
    Ok(Request {
        operation: content.name.clone(),
        fields: arg0
            .children
            .iter()
            .map(|c| (c.name.clone(), c.text.clone()))
            .collect(),
    })
}

fn answer_envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <S:Envelope xmlns:S=\"{NS_ENVELOPE}\"><S:Body>{body}</S:Body></S:Envelope>"
    )
}

/// `creerPaiementSecurise`'s answer (the test server's side).
pub fn create_answer(id_op: &str) -> String {
    answer_envelope(&format!(
        "<ns2:{OP_CREATE}Response xmlns:ns2=\"{NS_SERVICE}\" xmlns:ns3=\"{NS_REPONSE}\">\
         <return><ns3:idOp>{}</ns3:idOp></return></ns2:{OP_CREATE}Response>",
        escape(id_op)
    ))
}

/// `recupererDetailPaiementSecurise`'s answer (the test server's side).
pub fn detail_answer(d: &DetailAnswer) -> String {
    let mut fields = String::new();
    let mut put = |name: &str, value: &Option<String>| {
        if let Some(v) = value {
            fields.push_str(&format!("<ns3:{name}>{}</ns3:{name}>", escape(v)));
        }
    };
    put("dattrans", &d.dattrans);
    put("exer", &d.exer);
    put("heurtrans", &d.heurtrans);
    put("idOp", &d.id_op);
    put("mel", &d.mel);
    put("montant", &d.montant);
    put("numauto", &d.numauto);
    put("numcli", &d.numcli);
    put("objet", &d.objet);
    put("refdet", &d.refdet);
    put("resultrans", &d.resultrans);
    put("saisie", &d.saisie);
    answer_envelope(&format!(
        "<ns2:{OP_DETAIL}Response xmlns:ns2=\"{NS_SERVICE}\" xmlns:ns3=\"{NS_REPONSE}\">\
         <return>{fields}</return></ns2:{OP_DETAIL}Response>"
    ))
}

/// A functional error, as PayFiP sends it (the test server's side).
pub fn fault_answer(code: &str, libelle: &str) -> String {
    answer_envelope(&format!(
        "<S:Fault><faultcode>S:Server</faultcode><faultstring>{FONCTIONNELLE}</faultstring>\
         <detail><ns1:FonctionnelleErreur xmlns:ns1=\"{NS_SERVICE}\">\
         <code>{code}</code><descriptif>{libelle}</descriptif><libelle>{libelle}</libelle>\
         <message>{libelle}</message><severite>2</severite>\
         </ns1:FonctionnelleErreur></detail></S:Fault>",
        code = escape(code),
        libelle = escape(libelle),
    ))
}

/// A fault without PayFiP's detail (a request the service cannot read).
pub fn bare_fault_answer(faultcode: &str, faultstring: &str) -> String {
    answer_envelope(&format!(
        "<S:Fault><faultcode>{}</faultcode><faultstring>{}</faultstring></S:Fault>",
        escape(faultcode),
        escape(faultstring),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_request() -> CreateRequest {
        CreateRequest {
            exer: "2026".into(),
            mel: "parent@example.fr".into(),
            montant: "4250".into(),
            numcli: "012345".into(),
            objet: "Facture 2026 0042 Cantine".into(),
            refdet: "FAC20260042".into(),
            saisie: "T".into(),
            urlnotif: "https://portail.example.fr/api/billing/payfip/notification".into(),
            urlredirect: "https://portail.example.fr/api/billing/payfip/return".into(),
        }
    }

    #[test]
    fn create_request_has_the_recorded_shape() {
        let built = xml::parse(&create_request(&fixture_request())).unwrap_or_default();
        let recorded =
            xml::parse(include_str!("../tests/fixtures/creer_request.xml")).unwrap_or_default();
        assert!(recorded.find("arg0").is_some_and(|a| a.children.len() == 9));
        assert_eq!(built.child("Body"), recorded.child("Body"));
        assert_eq!(
            parse_request(include_str!("../tests/fixtures/creer_request.xml"))
                .map(|r| (r.operation.clone(), r.get("numcli").map(str::to_string))),
            Ok((OP_CREATE.to_string(), Some("012345".to_string())))
        );
    }

    #[test]
    fn detail_request_has_the_recorded_shape() {
        let built =
            xml::parse(&detail_request("cc0cb210-1cd4-11ea-8cca-0213ad91a103")).unwrap_or_default();
        let recorded =
            xml::parse(include_str!("../tests/fixtures/detail_request.xml")).unwrap_or_default();
        assert!(recorded.find("idOp").is_some());
        assert_eq!(built.child("Body"), recorded.child("Body"));
    }

    #[test]
    fn recorded_answers_are_read() {
        assert_eq!(
            parse_create(include_str!("../tests/fixtures/creer_response.xml")),
            Ok(Ok("cc0cb210-1cd4-11ea-8cca-0213ad91a103".to_string()))
        );
        let detail = parse_detail(include_str!("../tests/fixtures/detail_response.xml"));
        let Ok(Ok(d)) = detail else {
            panic!("{detail:?}");
        };
        assert_eq!(d.resultrans.as_deref(), Some("V"));
        assert_eq!(d.dattrans.as_deref(), Some("12122019"));
        assert_eq!(d.heurtrans.as_deref(), Some("1311"));
        assert_eq!(d.montant.as_deref(), Some("1000"));
        assert_eq!(d.numauto.as_deref(), Some("112233445566-tip"));
        assert_eq!(d.refdet.as_deref(), Some("EFEFAEFG"));
        assert_eq!(d.mel.as_deref(), Some("john.doe@example.com"));
    }

    #[test]
    fn recorded_faults_are_read() {
        let p1 = parse_detail(include_str!("../tests/fixtures/fault_p1.xml"));
        let Ok(Err(f)) = p1 else {
            panic!("{p1:?}");
        };
        assert_eq!(f.kind.as_deref(), Some("FonctionnelleErreur"));
        assert_eq!(f.code(), "P1");
        assert_eq!(f.message(), "IdOp incorrect.");
        assert_eq!(f.faultstring, FONCTIONNELLE);

        let p5 = parse_detail(include_str!("../tests/fixtures/fault_p5.xml"));
        assert!(matches!(p5, Ok(Err(ref f)) if f.code() == "P5"), "{p5:?}");

        let r3 = parse_create(include_str!("../tests/fixtures/fault_r3.xml"));
        assert!(matches!(r3, Ok(Err(ref f)) if f.code() == "R3"), "{r3:?}");

        // A fault without PayFiP's detail keeps the SOAP code and string.
        let bare = parse_create(include_str!("../tests/fixtures/fault_technical.xml"));
        let Ok(Err(f)) = bare else {
            panic!("{bare:?}");
        };
        assert_eq!(f.kind.as_deref(), Some("TechIndisponibiliteErreur"));
        assert_eq!(f.code(), "T0");
    }

    #[test]
    fn the_test_servers_answers_read_like_the_recorded_ones() {
        assert_eq!(
            parse_create(&create_answer("abc-1")),
            Ok(Ok("abc-1".into()))
        );
        let d = DetailAnswer {
            resultrans: Some("P".into()),
            mel: Some("a&b<c@x.fr".into()),
            ..DetailAnswer::default()
        };
        assert_eq!(parse_detail(&detail_answer(&d)), Ok(Ok(d)));
        let fault = parse_detail(&fault_answer("P1", "IdOp incorrect."));
        assert!(
            matches!(fault, Ok(Err(ref f)) if f.code() == "P1" && f.message() == "IdOp incorrect.")
        );
    }

    #[test]
    fn what_is_not_an_answer_is_an_error() {
        assert!(parse_create("<html>502 Bad Gateway</html>").is_err());
        assert!(parse_create("not xml").is_err());
        assert!(parse_detail(&create_answer("x")).is_err());
        let empty = format!(
            "<S:Envelope xmlns:S=\"{NS_ENVELOPE}\"><S:Body><x:{OP_CREATE}Response xmlns:x=\"{NS_SERVICE}\"><return/></x:{OP_CREATE}Response></S:Body></S:Envelope>"
        );
        assert!(parse_create(&empty).is_err());
    }
}
