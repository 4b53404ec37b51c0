//! The canonical text of a resource graph and its content hash.
//!
//! A graph's canonical form is its N-Triples lines, sorted and de-duplicated. Graphs from the
//! importers hold no blank nodes (they are skolemized), so equal graphs give equal text, and the
//! SHA-256 of the text identifies a version.

use oxrdf::Triple;
use sha2::{Digest, Sha256};

/// The canonical N-Triples of a graph: one line per distinct triple, sorted, newline-terminated.
pub fn canonical_ntriples(triples: &[Triple]) -> String {
    let mut lines: Vec<String> = triples.iter().map(|t| format!("{t} .")).collect();
    lines.sort_unstable();
    lines.dedup();
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The lowercase hex SHA-256 of a canonical N-Triples text.
pub fn content_hash(canonical: &str) -> String {
    hex_lower(&Sha256::digest(canonical.as_bytes()))
}

/// Lowercase hex of some bytes.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{Literal, NamedNode};

    fn triple(s: &str, p: &str, o: &str) -> Triple {
        Triple::new(
            NamedNode::new_unchecked(s),
            NamedNode::new_unchecked(p),
            Literal::new_language_tagged_literal_unchecked(o, "nb"),
        )
    }

    #[test]
    fn canonical_form_is_sorted_deduplicated_and_newline_terminated() {
        let a = triple("http://e/b", "http://e/p", "to\n\"linjer\"");
        let b = triple("http://e/a", "http://e/p", "en");
        let text = canonical_ntriples(&[a.clone(), b.clone(), a]);
        assert_eq!(
            text,
            "<http://e/a> <http://e/p> \"en\"@nb .\n<http://e/b> <http://e/p> \"to\\n\\\"linjer\\\"\"@nb .\n"
        );
        assert_eq!(canonical_ntriples(&[]), "");
    }

    #[test]
    fn content_hash_is_lowercase_hex_sha256() {
        assert_eq!(
            content_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
