//! Text analysis of the search index: the analyzers each field uses, and the token forms we make
//! ourselves (word prefixes for type-ahead, word suffixes for the parts of compounds).
//!
//! - `semreg_no`: words, lower case, folded (ø -> o), Norwegian stem (bokmål and nynorsk).
//! - `semreg_en`: words, lower case, folded, English stem.
//! - `semreg_fold`: words, lower case, folded, no stem (`fodselsnummer` finds `fødselsnummer`).
//! - `semreg_key`: the whole value, lower case, folded (exact labels and codes).
//! - `semreg_tokens`: whitespace only, for token lists made here (prefixes, suffixes).

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, WhitespaceTokenizer,
};
use tantivy::Index;

/// Norwegian analyzer name.
pub const NO: &str = "semreg_no";
/// English analyzer name.
pub const EN: &str = "semreg_en";
/// Folded, unstemmed words.
pub const FOLD: &str = "semreg_fold";
/// Whole value as one folded token.
pub const KEY: &str = "semreg_key";
/// Tokens separated by spaces, as given.
pub const TOKENS: &str = "semreg_tokens";

/// Shortest word part that `label_parts` indexes (`nummer` in `kommunenummer`).
pub const MIN_PART: usize = 4;
/// Longest prefix that `label_edge` indexes; longer typed words are cut to it.
pub const MAX_EDGE: usize = 20;

macro_rules! words {
    () => {
        TextAnalyzer::builder(SimpleTokenizer::default()).filter(RemoveLongFilter::limit(80))
    };
}

/// Registers the analyzers on an index.
pub fn register(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(
        NO,
        words!()
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::Norwegian))
            .build(),
    );
    tokenizers.register(
        EN,
        words!()
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build(),
    );
    tokenizers.register(
        FOLD,
        words!()
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
    tokenizers.register(
        KEY,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
    tokenizers.register(
        TOKENS,
        TextAnalyzer::builder(WhitespaceTokenizer::default()).build(),
    );
}

/// The tokens an analyzer makes of a text.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Prefixes of a folded word, from 1 character up to [`MAX_EDGE`], for type-ahead.
pub fn push_prefixes(word: &str, out: &mut String) {
    push_prefixes_up_to(word, MAX_EDGE, out)
}

/// Prefixes of a token (no spaces), from 1 character up to `max` characters.
pub fn push_prefixes_up_to(word: &str, max: usize, out: &mut String) {
    for (count, (end, c)) in word.char_indices().enumerate() {
        if count >= max {
            break;
        }
        out.push_str(&word[..end + c.len_utf8()]);
        out.push(' ');
    }
}

/// Proper suffixes of a folded word of at least [`MIN_PART`] characters: the heads of a
/// compound (`nummer`, `enummer`, ...) so that a part finds the whole word.
pub fn push_suffixes(word: &str, out: &mut String) {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    for i in 1..chars.len() {
        if chars.len() - i < MIN_PART {
            break;
        }
        out.push_str(&word[chars[i].0..]);
        out.push(' ');
    }
}

/// A typed word cut to the longest indexed prefix.
pub fn edge_term(word: &str) -> &str {
    cut(word, MAX_EDGE)
}

/// The first `max` characters of a text.
pub fn cut(word: &str, max: usize) -> &str {
    match word.char_indices().nth(max) {
        Some((end, _)) => &word[..end],
        None => word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer(name: &str) -> TextAnalyzer {
        let index = Index::create_in_ram(tantivy::schema::Schema::builder().build());
        register(&index);
        index.tokenizers().get(name).unwrap()
    }

    #[test]
    fn folding_makes_norwegian_letters_ascii() {
        assert_eq!(
            tokens(&mut analyzer(FOLD), "Fødselsnummer på Ærø"),
            vec!["fodselsnummer", "pa", "aero"]
        );
    }

    #[test]
    fn norwegian_stem_joins_singular_and_plural() {
        let mut no = analyzer(NO);
        assert_eq!(tokens(&mut no, "adresser"), tokens(&mut no, "adresse"));
        assert_eq!(
            tokens(&mut no, "fødselsnummer"),
            tokens(&mut no, "fodselsnummer")
        );
    }

    #[test]
    fn suffixes_are_the_heads_of_a_compound() {
        let mut out = String::new();
        push_suffixes("kommunenummer", &mut out);
        assert!(out.split(' ').any(|s| s == "nummer"));
        assert!(!out.split(' ').any(|s| s == "kommunenummer" || s == "mer"));
    }

    #[test]
    fn prefixes_stop_at_the_longest_edge() {
        let mut out = String::new();
        push_prefixes("ab", &mut out);
        assert_eq!(out, "a ab ");
        assert_eq!(edge_term("abcdefghijklmnopqrstuvwxyz").len(), MAX_EDGE);
    }
}
