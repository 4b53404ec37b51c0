//! The intermediate model an XSD is read into: types (named and anonymous), their properties,
//! simple types with the facets and enumeration of one restriction step, and the SERES / OR
//! annotations. [`super::schema`] builds it; [`super::emit`] writes it as RDF.

use crate::ImportWarning;

/// The XML Schema namespace.
pub(super) const XS: &str = "http://www.w3.org/2001/XMLSchema";
/// The SERES annotation namespace (`seres:guid`, `seres:elementtype`, ...).
pub(super) const SERES: &str = "http://seres.no/xsd/forvaltningsdata";
/// The Altinn II / Oppgaveregisteret namespace (`brreg:tekst`, `brreg:info`).
pub(super) const BRREG: &str = "http://www.brreg.no/or";
/// The XML namespace (`xml:lang`).
pub(super) const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Which generation of generator wrote the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Variant {
    /// SERES_XSD_GEN output: `seres:` annotations, a `Meldingsmodell` root type.
    Seres,
    /// Altinn II OR format: `-grp-` / `-datadef-` / `-repformat-` names, `brreg:tekst` texts.
    Or,
    /// Any other XML Schema.
    Plain,
}

/// Texts by kind, each with a language tag ("" when unknown).
#[derive(Debug, Clone, Default)]
pub(super) struct Texts {
    /// Lead texts (OR `LEDE`): labels.
    pub labels: Vec<(String, String)>,
    /// Definitions and descriptions (OR `DEF`, `seres:beskrivelse`, plain documentation).
    pub descriptions: Vec<(String, String)>,
    /// Help texts (OR `HJELP`).
    pub help: Vec<(String, String)>,
    /// Other notes (OR `FEIL`, error texts).
    pub notes: Vec<(String, String)>,
}

/// Constraining facets of a simple type, as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Facets {
    pub length: Option<String>,
    pub min_length: Option<String>,
    pub max_length: Option<String>,
    pub total_digits: Option<String>,
    pub fraction_digits: Option<String>,
    pub min_inclusive: Option<String>,
    pub max_inclusive: Option<String>,
    pub min_exclusive: Option<String>,
    pub max_exclusive: Option<String>,
    /// Patterns of one restriction step (alternatives).
    pub patterns: Vec<String>,
}

impl Facets {
    /// Fills the facets this step leaves open from a base's (a restriction only narrows).
    pub fn inherit(&mut self, base: &Facets) {
        fn take(own: &mut Option<String>, base: &Option<String>) {
            if own.is_none() {
                own.clone_from(base);
            }
        }
        take(&mut self.length, &base.length);
        take(&mut self.min_length, &base.min_length);
        take(&mut self.max_length, &base.max_length);
        take(&mut self.total_digits, &base.total_digits);
        take(&mut self.fraction_digits, &base.fraction_digits);
        take(&mut self.min_inclusive, &base.min_inclusive);
        take(&mut self.max_inclusive, &base.max_inclusive);
        take(&mut self.min_exclusive, &base.min_exclusive);
        take(&mut self.max_exclusive, &base.max_exclusive);
        if self.patterns.is_empty() {
            self.patterns.clone_from(&base.patterns);
        }
    }
}

/// One `xs:enumeration`.
#[derive(Debug, Clone)]
pub(super) struct EnumValue {
    pub value: String,
    pub texts: Texts,
    pub guid: Option<String>,
    pub line: usize,
}

/// What a type reference points to.
#[derive(Debug, Clone)]
pub(super) enum TypeRef {
    /// A built-in XML Schema type, by local name (`string`, `anyType`).
    Builtin(String),
    /// A type of this file, by index.
    Type(usize),
    /// An anonymous simple type written in place.
    Inline(Box<SimpleDef>),
    /// A name that is not defined in this file (kept as written).
    Unresolved(String),
}

/// A simple type: its base, the facets of this step and its enumeration.
#[derive(Debug, Clone)]
pub(super) struct SimpleDef {
    pub base: TypeRef,
    pub facets: Facets,
    pub enumeration: Vec<EnumValue>,
}

/// How a property appears in XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PropKind {
    Element,
    Attribute,
    /// The text content of a complex type with simple content (Altinn's `value`).
    Text,
}

/// One property of an object type.
#[derive(Debug, Clone)]
pub(super) struct Prop {
    pub name: String,
    pub kind: PropKind,
    pub min: u64,
    /// `None` for `unbounded`.
    pub max: Option<u64>,
    pub nillable: bool,
    pub fixed: Option<String>,
    pub default: Option<String>,
    pub ty: TypeRef,
    pub guid: Option<String>,
    pub elementtype: Option<String>,
    pub texts: Texts,
    pub line: usize,
}

/// A type's content.
#[derive(Debug, Clone)]
pub(super) enum Body {
    /// Not read yet (only while reading).
    Pending,
    /// A complex type.
    Object {
        props: Vec<Prop>,
        /// `xs:extension` of another complex type (a specialization).
        extends: Option<TypeRef>,
        /// `xs:restriction` of another complex type (content restated in full).
        restricts: Option<TypeRef>,
        any_attribute: bool,
    },
    /// A simple type.
    Simple(Box<SimpleDef>),
}

/// Where a type was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Origin {
    /// A named top-level `xs:complexType`.
    ComplexType,
    /// A named top-level `xs:simpleType`.
    SimpleType,
    /// The anonymous type of a global element (named after the element).
    Element,
    /// The anonymous complex type of a local element or attribute: (owner type, property).
    Local(usize, String, PropKind),
}

/// The kinds of Oppgaveregisteret identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OrKind {
    Datadef,
    Group,
    Repformat,
}

impl OrKind {
    /// The IRI segment and label of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            OrKind::Datadef => "datadef",
            OrKind::Group => "grp",
            OrKind::Repformat => "repformat",
        }
    }
}

/// One type of the file.
#[derive(Debug, Clone)]
pub(super) struct TypeDef {
    pub name: String,
    pub origin: Origin,
    pub guid: Option<String>,
    /// The OR id from the name (`-datadef-123`) or `seres:orid`.
    pub or_id: Option<(OrKind, String)>,
    pub elementtype: Option<String>,
    pub texts: Texts,
    pub line: usize,
    pub body: Body,
}

impl TypeDef {
    /// Whether this is a complex type (so properties of it are roles).
    pub fn is_object(&self) -> bool {
        !matches!(self.origin, Origin::SimpleType)
    }
}

/// The file read as types and root elements.
#[derive(Debug, Clone)]
pub(super) struct Schema {
    pub variant: Variant,
    /// The SERES header pseudo-attributes (`modellnavn`, `XSD-variant`, ...), in order.
    pub header: Vec<(String, String)>,
    /// `title='...'` from a top-level comment (OR files).
    pub title_comment: Option<String>,
    pub target_namespace: Option<String>,
    pub types: Vec<TypeDef>,
    /// The root elements, as properties of the model.
    pub roots: Vec<Prop>,
    pub warnings: Vec<ImportWarning>,
}
