//! Just enough XML for PayFiP's SOAP: escaping values, and reading an
//! answer into a small tree of elements named by their local name (the
//! prefixes PayFiP's server picks vary between answers, the names do not).
//!
//! No DTD, no entity other than the five predefined and character
//! references; depth and element count are bounded.

use xmlparser::{ElementEnd, Token, Tokenizer};

/// Deepest nesting read (a SOAP answer is 5 or 6 deep).
const MAX_DEPTH: usize = 32;
/// Most elements read in one document.
const MAX_ELEMENTS: usize = 2_000;

/// One element: its local name, its child elements, and its text
/// (the concatenated character data directly inside it, trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The first element named `name` at any depth below this one
    /// (depth first, in document order).
    pub fn find(&self, name: &str) -> Option<&Element> {
        for c in &self.children {
            if c.name == name {
                return Some(c);
            }
            if let Some(found) = c.find(name) {
                return Some(found);
            }
        }
        None
    }

    /// The text of the first child named `name`, if there is one and it is
    /// not blank.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }
}

/// Escapes a value for an element's text or an attribute.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Reads a document into its root element.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    for token in Tokenizer::from(text) {
        let token = token.map_err(|e| format!("XML illisible : {e}"))?;
        match token {
            Token::Declaration { .. }
            | Token::Comment { .. }
            | Token::ProcessingInstruction { .. } => {}
            Token::DtdStart { .. }
            | Token::EmptyDtd { .. }
            | Token::EntityDeclaration { .. }
            | Token::DtdEnd { .. } => return Err("XML avec DTD refusé".into()),
            Token::ElementStart { local, .. } => {
                if root.is_some() {
                    return Err("contenu après l'élément racine".into());
                }
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err("XML trop profond ou trop grand".into());
                }
                stack.push(Element {
                    name: local.as_str().to_string(),
                    ..Element::default()
                });
            }
            Token::Attribute { .. } => {}
            Token::ElementEnd { end, .. } => match end {
                ElementEnd::Open => {}
                ElementEnd::Empty => close(&mut stack, &mut root, None)?,
                ElementEnd::Close(_, local) => close(&mut stack, &mut root, Some(local.as_str()))?,
            },
            Token::Text { text } => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&unescape(text.as_str())?);
                } else if !text.as_str().trim().is_empty() {
                    return Err("texte hors de tout élément".into());
                }
            }
            Token::Cdata { text, .. } => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(text.as_str());
                }
            }
        }
    }
    if !stack.is_empty() {
        return Err("XML incomplet".into());
    }
    root.ok_or_else(|| "document XML vide".into())
}

fn close(
    stack: &mut Vec<Element>,
    root: &mut Option<Element>,
    name: Option<&str>,
) -> Result<(), String> {
    let mut done = stack.pop().ok_or("balise fermante sans ouvrante")?;
    if let Some(name) = name.filter(|n| *n != done.name) {
        return Err(format!("</{name}> ferme <{}>", done.name));
    }
    done.text = done.text.trim().to_string();
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => *root = Some(done),
    }
    Ok(())
}

/// Replaces the predefined entities and character references.
fn unescape(text: &str) -> Result<String, String> {
    if !text.contains('&') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';').ok_or("entité non terminée")?;
        let entity = &after[..end];
        match entity {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ => {
                let code = if let Some(hex) = entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                let c = code
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("entité inconnue &{entity};"))?;
                out.push(c);
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_values_read_back_unchanged() {
        let value = r#"a&b<c>"d"'e'"#;
        let doc = format!("<r><v>{}</v></r>", escape(value));
        let root = parse(&doc).unwrap_or_default();
        assert_eq!(root.child_text("v"), Some(value));
    }

    #[test]
    fn names_are_local_and_references_are_read() {
        let root = parse(
            r#"<?xml version="1.0"?><S:E xmlns:S="urn:x"><S:B><n:v xmlns:n="urn:y">&#233;t&#xE9; &amp; <![CDATA[<x>]]></n:v><e/></S:B></S:E>"#,
        )
        .unwrap_or_default();
        assert_eq!(root.name, "E");
        assert_eq!(root.find("v").map(|v| v.text.as_str()), Some("été & <x>"));
        assert!(root.find("e").is_some());
    }

    #[test]
    fn broken_documents_and_dtds_are_refused() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<a>&unknown;</a>").is_err());
        assert!(parse(r#"<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>"#).is_err());
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert!(parse(&deep).is_err());
    }
}
