//! An invoice as a PDF, rendered by Marelle when the commune gave none:
//! A4, the 14 standard fonts (Helvetica) in WinAnsi encoding, so accents and
//! the € sign print without embedding a font (docs/billing-pdf.md says why).

use chrono::NaiveDate;
use marelle_domain::billing::{Invoice, InvoiceLine};
use marelle_domain::family::model::Address;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::image::{ImageData, PdfImage};

/// Everything the rendered invoice shows.
#[derive(Debug, Clone, Copy)]
pub struct InvoiceDocument<'a> {
    /// "Mairie de Villebois".
    pub commune: &'a str,
    /// The portal's page of the invoices, for "how to pay".
    pub portal_link: &'a str,
    /// The régie's contact e-mail, when the commune gave one.
    pub regie_email: Option<&'a str>,
    pub invoice: &'a Invoice,
    pub lines: &'a [InvoiceLine],
    /// "DUPONT Matthieu".
    pub family_name: &'a str,
    pub address: Option<&'a Address>,
    /// The commune's logo, drawn top left beside its name.
    pub logo: Option<&'a PdfImage>,
}

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const RIGHT: f32 = WIDTH - MARGIN;
/// Lowest baseline of a table row; below it the page's footer.
const BOTTOM: f32 = 90.0;
const ROW: f32 = 15.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
const LOGO: Name<'static> = Name(b"Im1");
/// The box the logo fits in, aspect kept: about 40 mm × 20 mm.
const LOGO_BOX: (f32, f32) = (113.0, 57.0);
/// The top of the logo.
const LOGO_TOP: f32 = HEIGHT - 38.0;

/// Table columns: left edge (text) or right edge (numbers), width.
const COL_CHILD: (f32, f32) = (MARGIN, 85.0);
const COL_WHAT: (f32, f32) = (140.0, 165.0);
const COL_PERIOD: (f32, f32) = (310.0, 80.0);
const COL_QTY: f32 = 420.0;
const COL_UNIT: f32 = 485.0;
const COL_AMOUNT: f32 = RIGHT;

/// The PDF of an invoice (never fails: text the fonts cannot print shows
/// as `?`, and long texts are cut to their column).
pub fn render(doc: &InvoiceDocument<'_>) -> Vec<u8> {
    let inv = doc.invoice;
    let mut pages: Vec<Content> = Vec::new();
    let mut page = Content::new();
    let mut y = header(&mut page, doc);
    y = table_head(&mut page, y);
    if doc.lines.is_empty() {
        text(
            &mut page,
            REGULAR,
            9.0,
            COL_WHAT.0,
            y,
            "Aucun détail de ligne.",
        );
        y -= ROW;
    }
    for line in doc.lines {
        if y < BOTTOM {
            pages.push(std::mem::replace(&mut page, Content::new()));
            y = continued(&mut page, doc);
            y = table_head(&mut page, y);
        }
        row(&mut page, y, line);
        y -= ROW;
    }
    // Totals and how to pay need about 170 points.
    if y - 170.0 < BOTTOM - 30.0 {
        pages.push(std::mem::replace(&mut page, Content::new()));
        y = continued(&mut page, doc);
    }
    totals(&mut page, y - 6.0, doc);
    pages.push(page);
    assemble(doc, pages, inv)
}

fn assemble(doc: &InvoiceDocument<'_>, pages: Vec<Content>, inv: &Invoice) -> Vec<u8> {
    let n = pages.len();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let page_ids: Vec<Ref> = (0..n).map(|i| Ref::new(6 + 2 * i as i32)).collect();
    let logo = Ref::new(6 + 2 * n as i32);
    let logo_mask = Ref::new(7 + 2 * n as i32);
    let mut pdf = Pdf::new();
    if let Some(image) = doc.logo {
        write_image(&mut pdf, image, logo, logo_mask);
    }
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(n as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    let title = format!("Facture {}", inv.number);
    pdf.document_info(info)
        .title(TextStr(&title))
        .author(TextStr(doc.commune))
        .creator(TextStr("Marelle"));
    for (i, mut content) in pages.into_iter().enumerate() {
        let footer = format!("Facture n° {} · page {} / {}", inv.number, i + 1, n);
        text(&mut content, REGULAR, 8.0, MARGIN, 40.0, &footer);
        right(&mut content, REGULAR, 8.0, RIGHT, 40.0, doc.commune);
        let id = page_ids[i];
        let content_id = Ref::new(id.get() + 1);
        let mut p = pdf.page(id);
        p.parent(tree)
            .media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT))
            .contents(content_id);
        let mut resources = p.resources();
        resources.fonts().pair(REGULAR, regular).pair(BOLD, bold);
        if doc.logo.is_some() {
            resources.x_objects().pair(LOGO, logo);
        }
        resources.finish();
        p.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

/// The logo as an image XObject (and its alpha as a soft mask).
fn write_image(pdf: &mut Pdf, image: &PdfImage, id: Ref, mask: Ref) {
    let (w, h) = (image.width as i32, image.height as i32);
    match &image.data {
        ImageData::Jpeg {
            bytes,
            components,
            inverted,
        } => {
            let mut x = pdf.image_xobject(id, bytes);
            x.filter(Filter::DctDecode);
            x.width(w).height(h).bits_per_component(8);
            match components {
                1 => x.color_space().device_gray(),
                4 => x.color_space().device_cmyk(),
                _ => x.color_space().device_rgb(),
            }
            if *inverted {
                x.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
            }
        }
        ImageData::Flate {
            samples,
            components,
            alpha,
        } => {
            let mut x = pdf.image_xobject(id, samples);
            x.filter(Filter::FlateDecode);
            x.width(w).height(h).bits_per_component(8);
            if *components == 1 {
                x.color_space().device_gray();
            } else {
                x.color_space().device_rgb();
            }
            if alpha.is_some() {
                x.s_mask(mask);
            }
            x.finish();
            if let Some(alpha) = alpha {
                let mut m = pdf.image_xobject(mask, alpha);
                m.filter(Filter::FlateDecode);
                m.width(w).height(h).bits_per_component(8);
                m.color_space().device_gray();
            }
        }
    }
}

/// The logo's size on the page: fit in [`LOGO_BOX`], aspect kept.
fn logo_size(image: &PdfImage) -> (f32, f32) {
    let (w, h) = (image.width as f32, image.height as f32);
    let scale = (LOGO_BOX.0 / w).min(LOGO_BOX.1 / h);
    (w * scale, h * scale)
}

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// "1 234,50 €" (with the narrow spaces the fonts have: plain ones).
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let units = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{:02}\u{a0}€", c % 100)
}

/// The first page's top: commune, régie, invoice references, family.
fn header(c: &mut Content, doc: &InvoiceDocument<'_>) -> f32 {
    let inv = doc.invoice;
    let mut y = HEIGHT - 60.0;
    // With a logo, the commune's block stands beside it.
    let (x0, max) = match doc.logo {
        Some(image) => {
            let (w, h) = logo_size(image);
            c.save_state();
            c.transform([w, 0.0, 0.0, h, MARGIN, LOGO_TOP - h]);
            c.x_object(LOGO);
            c.restore_state();
            let x0 = MARGIN + w + 12.0;
            (x0, 390.0 - x0)
        }
        None => (MARGIN, 280.0),
    };
    text(c, BOLD, 16.0, x0, y, &fit(doc.commune, BOLD, 16.0, max));
    right(c, BOLD, 20.0, RIGHT, y, "FACTURE");
    y -= 18.0;
    text(
        c,
        REGULAR,
        10.0,
        x0,
        y,
        &fit(&format!("Régie : {}", inv.service), REGULAR, 10.0, max),
    );
    right(c, REGULAR, 10.0, RIGHT, y, &format!("N° {}", inv.number));
    y -= 14.0;
    if !inv.issuer.is_empty() {
        text(
            c,
            REGULAR,
            10.0,
            x0,
            y,
            &fit(&format!("Émetteur : {}", inv.issuer), REGULAR, 10.0, max),
        );
    }
    right(
        c,
        REGULAR,
        10.0,
        RIGHT,
        y,
        &format!("Émise le {}", date(inv.issued_on)),
    );
    y -= 14.0;
    if let Some(email) = doc.regie_email {
        text(c, REGULAR, 10.0, x0, y, &fit(email, REGULAR, 10.0, max));
    }
    right(
        c,
        BOLD,
        10.0,
        RIGHT,
        y,
        &format!("À payer avant le {}", date(inv.due_on)),
    );

    // The family, where a window envelope shows it.
    let mut y = HEIGHT - 170.0;
    let x = 330.0;
    text(
        c,
        BOLD,
        11.0,
        x,
        y,
        &fit(doc.family_name, BOLD, 11.0, 215.0),
    );
    if let Some(a) = doc.address {
        for l in [a.line1.as_str(), a.line2.as_str()] {
            if !l.trim().is_empty() {
                y -= 14.0;
                text(c, REGULAR, 10.0, x, y, &fit(l, REGULAR, 10.0, 215.0));
            }
        }
        y -= 14.0;
        let city = format!("{} {}", a.postal_code, a.city);
        text(c, REGULAR, 10.0, x, y, &fit(&city, REGULAR, 10.0, 215.0));
    }
    if let Some(note) = &inv.credit_note {
        let t = format!(
            "Facture annulée le {} (avoir {}) : {}",
            date(note.date),
            note.number,
            note.reason
        );
        text(
            c,
            BOLD,
            10.0,
            MARGIN,
            HEIGHT - 250.0,
            &fit(&t, BOLD, 10.0, RIGHT - MARGIN),
        );
    }
    HEIGHT - 290.0
}

/// The top of a following page.
fn continued(c: &mut Content, doc: &InvoiceDocument<'_>) -> f32 {
    let t = format!(
        "{} · Facture n° {} (suite)",
        doc.commune, doc.invoice.number
    );
    text(
        c,
        BOLD,
        11.0,
        MARGIN,
        HEIGHT - 60.0,
        &fit(&t, BOLD, 11.0, RIGHT - MARGIN),
    );
    HEIGHT - 90.0
}

fn table_head(c: &mut Content, y: f32) -> f32 {
    text(c, BOLD, 9.0, COL_CHILD.0, y, "Enfant");
    text(c, BOLD, 9.0, COL_WHAT.0, y, "Prestation");
    text(c, BOLD, 9.0, COL_PERIOD.0, y, "Période");
    right(c, BOLD, 9.0, COL_QTY, y, "Quantité");
    right(c, BOLD, 9.0, COL_UNIT, y, "Prix unitaire");
    right(c, BOLD, 9.0, COL_AMOUNT, y, "Montant");
    rule(c, y - 5.0, 0.8);
    y - ROW - 4.0
}

fn row(c: &mut Content, y: f32, l: &InvoiceLine) {
    let child = l.child.as_deref().unwrap_or("");
    let what = match l.activity.as_deref() {
        Some(a) if !a.is_empty() && a != l.label => format!("{a} – {}", l.label),
        _ => l.label.clone(),
    };
    let period = l.period.as_deref().unwrap_or("");
    text(
        c,
        REGULAR,
        9.0,
        COL_CHILD.0,
        y,
        &fit(child, REGULAR, 9.0, COL_CHILD.1),
    );
    text(
        c,
        REGULAR,
        9.0,
        COL_WHAT.0,
        y,
        &fit(&what, REGULAR, 9.0, COL_WHAT.1),
    );
    text(
        c,
        REGULAR,
        9.0,
        COL_PERIOD.0,
        y,
        &fit(period, REGULAR, 9.0, COL_PERIOD.1),
    );
    right(c, REGULAR, 9.0, COL_QTY, y, &l.quantity.to_string());
    right(c, REGULAR, 9.0, COL_UNIT, y, &euros(l.unit_price_cents));
    right(c, REGULAR, 9.0, COL_AMOUNT, y, &euros(l.amount_cents));
}

fn totals(c: &mut Content, y: f32, doc: &InvoiceDocument<'_>) {
    let inv = doc.invoice;
    rule(c, y + 10.0, 0.5);
    let mut y = y - 6.0;
    let label_x = 440.0;
    for (label, cents, font) in [
        ("Total", inv.amount_cents, BOLD),
        ("Déjà réglé", inv.paid_cents, REGULAR),
        ("Reste à payer", inv.balance_cents(), BOLD),
    ] {
        right(c, font, 10.0, label_x, y, label);
        right(c, font, 10.0, RIGHT, y, &euros(cents));
        y -= 16.0;
    }
    y -= 14.0;
    text(c, BOLD, 11.0, MARGIN, y, "Comment régler cette facture");
    y -= 16.0;
    let online = format!(
        "En ligne, sur le portail famille (Espace facturation) : {}",
        doc.portal_link
    );
    text(
        c,
        REGULAR,
        9.0,
        MARGIN,
        y,
        &fit(&online, REGULAR, 9.0, RIGHT - MARGIN),
    );
    y -= 13.0;
    let regie = match doc.regie_email {
        Some(email) => format!(
            "Ou auprès de la régie « {} » : {email}",
            doc.invoice.service
        ),
        None => format!(
            "Ou auprès de la régie « {} », à la mairie.",
            doc.invoice.service
        ),
    };
    text(
        c,
        REGULAR,
        9.0,
        MARGIN,
        y,
        &fit(&regie, REGULAR, 9.0, RIGHT - MARGIN),
    );
    y -= 13.0;
    let reference = format!(
        "Rappelez le numéro de facture {} avec votre règlement.",
        inv.number
    );
    text(
        c,
        REGULAR,
        9.0,
        MARGIN,
        y,
        &fit(&reference, REGULAR, 9.0, RIGHT - MARGIN),
    );
}

fn rule(c: &mut Content, y: f32, width: f32) {
    c.set_line_width(width);
    c.move_to(MARGIN, y);
    c.line_to(RIGHT, y);
    c.stroke();
}

fn text(c: &mut Content, font: Name<'_>, size: f32, x: f32, y: f32, s: &str) {
    if s.is_empty() {
        return;
    }
    let bytes = win_ansi(s);
    c.begin_text();
    c.set_font(font, size);
    c.next_line(x, y);
    c.show(Str(&bytes));
    c.end_text();
}

/// Text whose right edge is at `x`.
fn right(c: &mut Content, font: Name<'_>, size: f32, x: f32, y: f32, s: &str) {
    text(c, font, size, x - width(s, font, size), y, s);
}

/// `s` cut (with "…") to fit `max` points.
fn fit(s: &str, font: Name<'_>, size: f32, max: f32) -> String {
    if width(s, font, size) <= max {
        return s.to_string();
    }
    let ellipsis = width("…", font, size);
    let mut out = String::new();
    let mut w = 0.0;
    for ch in s.chars() {
        let cw = char_width(ch, font) * size / 1000.0;
        if w + cw + ellipsis > max {
            break;
        }
        w += cw;
        out.push(ch);
    }
    out.push('…');
    out
}

/// Width of `s` in points.
fn width(s: &str, font: Name<'_>, size: f32) -> f32 {
    s.chars().map(|c| char_width(c, font)).sum::<f32>() * size / 1000.0
}

/// Helvetica's advance widths (AFM, per 1000), the bold one about 6 %
/// wider; accented letters as their base letter.
fn char_width(c: char, font: Name<'_>) -> f32 {
    const ASCII: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
        722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
        667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
        500, 334, 260, 334, 584,
    ];
    let base = match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' | 'ì' => 'i',
        'ô' | 'ö' | 'ó' | 'ò' | 'õ' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ç' => 'c',
        'ÿ' | 'ý' => 'y',
        'ñ' => 'n',
        'À' | 'Â' | 'Ä' | 'Á' | 'Ã' | 'Å' => 'A',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'Î' | 'Ï' | 'Í' | 'Ì' => 'I',
        'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' => 'O',
        'Ù' | 'Û' | 'Ü' | 'Ú' => 'U',
        'Ç' => 'C',
        'Ÿ' | 'Ý' => 'Y',
        'Ñ' => 'N',
        '\u{a0}' | '\u{202f}' => ' ',
        other => other,
    };
    let w = match base {
        ' '..='~' => f32::from(ASCII[base as usize - 32]),
        'œ' => 944.0,
        'Œ' => 1000.0,
        '…' | '—' | '‰' => 1000.0,
        '«' | '»' | '–' | '€' => 556.0,
        '’' | '‘' | '·' => 278.0,
        '°' => 400.0,
        _ => 556.0,
    };
    if font == BOLD { w * 1.06 } else { w }
}

/// `s` in WinAnsiEncoding (what the standard fonts print); anything else
/// becomes `?`.
pub fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{202f}' | '\u{a0}' => 0xA0,
            '\u{a1}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code
    use super::*;

    fn invoice() -> Invoice {
        Invoice {
            id: "01J".into(),
            family_id: "F1".into(),
            number: "FAC-2026-0042".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            due_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            service: "Restauration scolaire".into(),
            issuer: "Mairie de Villebois".into(),
            amount_cents: 123_450,
            paid_cents: 450,
            credit_note: None,
            line_count: 0,
            version: 1,
        }
    }

    fn line(i: usize) -> InvoiceLine {
        InvoiceLine {
            label: format!("Repas n°{i}"),
            child: Some("Léa".into()),
            activity: Some("Cantine élémentaire".into()),
            period: Some("Novembre 2026".into()),
            quantity: 1,
            unit_price_cents: 450,
            amount_cents: 450,
        }
    }

    fn doc<'a>(
        inv: &'a Invoice,
        lines: &'a [InvoiceLine],
        address: &'a Address,
    ) -> InvoiceDocument<'a> {
        InvoiceDocument {
            commune: "Mairie de Villebois",
            portal_link: "https://famille.villebois.fr/espace-facturation",
            regie_email: Some("regie@villebois.fr"),
            invoice: inv,
            lines,
            family_name: "DUPONT Matthieu",
            address: Some(address),
            logo: None,
        }
    }

    fn address() -> Address {
        Address {
            line1: "12 rue des Écoles".into(),
            line2: String::new(),
            postal_code: "35000".into(),
            city: "Villebois".into(),
        }
    }

    /// The text of every page, as a reader extracts it.
    fn extract(bytes: &[u8]) -> (usize, String) {
        let pdf = lopdf::Document::load_mem(bytes).expect("a PDF that parses");
        let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
        let text = pdf.extract_text(&pages).expect("text");
        (pages.len(), text.replace('\u{a0}', " "))
    }

    #[test]
    fn an_invoice_renders_as_one_readable_page_with_accents_and_euros() {
        let inv = invoice();
        let lines: Vec<InvoiceLine> = (1..=3).map(line).collect();
        let a = address();
        let bytes = render(&doc(&inv, &lines, &a));
        assert!(bytes.starts_with(b"%PDF-"));
        let (pages, text) = extract(&bytes);
        assert_eq!(pages, 1);
        for expected in [
            "FAC-2026-0042",
            "Régie : Restauration scolaire",
            "Émise le 31/10/2026",
            "À payer avant le 30/11/2026",
            "DUPONT Matthieu",
            "12 rue des Écoles",
            "Léa",
            "Cantine élémentaire",
            "Novembre 2026",
            "1 234,50 €",
            "Reste à payer",
            "1 230,00 €",
            "regie@villebois.fr",
        ] {
            let expected = expected.replace('\u{a0}', " ");
            assert!(
                text.contains(&expected),
                "{expected:?} missing from {text:?}"
            );
        }
    }

    #[test]
    fn a_cancelled_invoice_says_so_and_leaves_nothing_to_pay() {
        let mut inv = invoice();
        inv.paid_cents = 0;
        inv.credit_note = Some(marelle_domain::billing::CreditNote {
            number: "AV-FAC-2026-0042".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 5).unwrap(),
            reason: "Erreur de tarif".into(),
            amount_cents: inv.amount_cents,
        });
        let a = address();
        let mut d = doc(&inv, &[], &a);
        d.regie_email = None;
        let (_, text) = extract(&render(&d));
        for expected in [
            "Facture annulée le 05/11/2026 (avoir AV-FAC-2026-0042)",
            "Erreur de tarif",
            "Aucun détail de ligne.",
            "0,00 €",
            "à la mairie.",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from {text:?}"
            );
        }
    }

    #[test]
    fn two_hundred_lines_take_several_pages_each_numbered() {
        let inv = invoice();
        let lines: Vec<InvoiceLine> = (1..=200).map(line).collect();
        let a = address();
        let bytes = render(&doc(&inv, &lines, &a));
        let (pages, text) = extract(&bytes);
        assert!(pages >= 4, "{pages} pages");
        assert!(text.contains("Repas n°200"));
        assert!(text.contains(&format!("page {pages} / {pages}")));
        assert!(text.contains("(suite)"));
    }

    #[test]
    fn long_texts_are_cut_to_their_column_and_unknown_characters_show_as_question_marks() {
        let mut l = line(1);
        l.activity = Some("Accueil de loisirs du mercredi après-midi avec sortie au musée".into());
        assert!(
            width(
                &fit(l.activity.as_deref().unwrap(), REGULAR, 9.0, COL_WHAT.1),
                REGULAR,
                9.0
            ) <= COL_WHAT.1
        );
        assert_eq!(win_ansi("é€œ漢"), vec![0xE9, 0x80, 0x9C, b'?']);
        assert_eq!(euros(-1_234_567), "-12\u{a0}345,67\u{a0}€");
        assert_eq!(euros(5), "0,05\u{a0}€");
    }

    /// The image XObjects of a PDF (a soft mask is one too): (width,
    /// height, has a soft mask), sorted.
    fn images(bytes: &[u8]) -> Vec<(i64, i64, bool)> {
        let pdf = lopdf::Document::load_mem(bytes).expect("a PDF that parses");
        pdf.objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| {
                s.dict
                    .get(b"Subtype")
                    .and_then(|v| v.as_name())
                    .is_ok_and(|n| n == b"Image")
            })
            .map(|s| {
                let n = |k: &[u8]| s.dict.get(k).and_then(|v| v.as_i64()).unwrap();
                (n(b"Width"), n(b"Height"), s.dict.get(b"SMask").is_ok())
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    fn with_logo(logo: &PdfImage, lines: usize) -> Vec<u8> {
        let inv = invoice();
        let lines: Vec<InvoiceLine> = (1..=lines).map(line).collect();
        let a = address();
        let mut d = doc(&inv, &lines, &a);
        d.logo = Some(logo);
        render(&d)
    }

    #[test]
    fn png_and_jpeg_logos_are_drawn_as_images_beside_the_commune() {
        use crate::billing::image::{decode, fixtures::png};
        let rgba = png(80, 40, 6, 8, &[], |x, _| vec![20, 90, 160, (x * 3) as u8]);
        let palette = png(
            30,
            30,
            3,
            4,
            &[(b"PLTE", vec![0, 0, 0, 255, 255, 255]), (b"tRNS", vec![0])],
            |x, y| vec![((x + y) % 2) as u8],
        );
        let jpeg = include_bytes!("../../tests/fixtures/logo.jpg");
        for (bytes, size, masked) in [
            (rgba, (80, 40), true),
            (palette, (30, 30), true),
            (jpeg.to_vec(), (60, 30), false),
        ] {
            let logo = decode(&bytes).unwrap();
            let pdf = with_logo(&logo, 3);
            assert!(pdf.starts_with(b"%PDF-"));
            let mut expected = vec![(size.0, size.1, masked)];
            if masked {
                // … and its soft mask.
                expected.insert(0, (size.0, size.1, false));
            }
            assert_eq!(images(&pdf), expected, "{size:?}");
            let (_, text) = extract(&pdf);
            assert!(text.contains("Mairie de Villebois"), "{text}");
            let regie = "Régie : Restauration scolaire".replace('\u{a0}', " ");
            assert!(text.contains(&regie), "{text}");
        }
        // Several pages share the one image.
        let logo = decode(include_bytes!("../../tests/fixtures/logo.jpg")).unwrap();
        let pdf = with_logo(&logo, 200);
        let (pages, _) = extract(&pdf);
        assert!(pages > 1);
        assert_eq!(images(&pdf).len(), 1);
    }

    #[test]
    fn without_a_logo_there_is_no_image() {
        let inv = invoice();
        let a = address();
        let pdf = render(&doc(&inv, &[], &a));
        assert!(images(&pdf).is_empty());
        assert!(!String::from_utf8_lossy(&pdf).contains("/Image"));
    }

    #[test]
    fn the_logo_fits_its_box_with_its_aspect() {
        let img = |w, h| PdfImage {
            width: w,
            height: h,
            data: ImageData::Jpeg {
                bytes: Vec::new(),
                components: 3,
                inverted: false,
            },
        };
        let (w, h) = logo_size(&img(2000, 100));
        assert!((w - LOGO_BOX.0).abs() < 0.01 && (h - 5.65).abs() < 0.01);
        let (w, h) = logo_size(&img(10, 100));
        assert!((h - LOGO_BOX.1).abs() < 0.01 && (w - 5.7).abs() < 0.01);
    }
}
