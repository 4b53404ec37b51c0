//! From a stored service model to a working form: the files of an Altinn 3 app ([`altinn`])
//! and a FHIR R4 Questionnaire ([`questionnaire`]), both written from one [`tree::FormTree`]
//! (the service model's JSON Schema as composed, joined with its UI hints and the registry
//! type properties behind each field), with the code lists wired to semreg's runtime APIs
//! (Altinn's code-list library endpoint, the FHIR terminology API). A QuestionnaireResponse to
//! such a Questionnaire is turned back into a service-model document through the items'
//! `definition`s ([`extract`]).

pub mod altinn;
pub mod extract;
pub mod questionnaire;
pub mod tree;

use crate::service_models::ServiceModelError;

/// The languages forms are written in (Altinn text resources, Questionnaire translations).
pub const LANGUAGES: [&str; 3] = ["nb", "nn", "en"];

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum FormsError {
    /// Reading the service model failed (not found, store errors).
    #[error(transparent)]
    ServiceModel(#[from] ServiceModelError),
    /// A bad option; names the parameter.
    #[error("{0}")]
    BadOption(String),
    /// The stored service model cannot be written in the form format.
    #[error("{0}")]
    Unexportable(String),
    /// A QuestionnaireResponse that does not fit the Questionnaire; names where.
    #[error("{0}")]
    BadResponse(String),
}

/// A name in PascalCase made of ASCII letters and digits (`Søknad om bostøtte` →
/// `SoeknadOmBostoette`), never starting with a digit: a C# class, an XML element and an Altinn
/// data type id at once.
pub fn pascal_name(text: &str) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word: String = word
            .chars()
            .map(|c| match crate::types::model::norwegian_letter(c) {
                Some(ascii) => ascii.to_lowercase(),
                None if c.is_ascii_alphanumeric() => c.to_string(),
                None => String::new(),
            })
            .collect();
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Model");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_names_are_ascii_identifiers() {
        assert_eq!(pascal_name("Søknad om bostøtte"), "SoeknadOmBostoette");
        assert_eq!(pascal_name("melding-om flytting"), "MeldingOmFlytting");
        assert_eq!(pascal_name("2024 skjema"), "Model2024Skjema");
        assert_eq!(pascal_name("!!"), "Model");
    }
}
