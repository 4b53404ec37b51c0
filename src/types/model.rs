//! The export model: what every output format (JSON Schema, XSD, C#, TypeScript) is written
//! from. Built once from the RDF of a type or an information model (ModellDCAT-AP-NO as the
//! importers write it), with unique names, resolved references and texts in one language.

use super::graph::{Graph, Object, DCT, M, S, SKOS, XSD};
use semreg_importers::codelist::terms;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Index of a type in [`ExportModel::types`].
pub type TypeId = usize;
/// Index of a code list in [`ExportModel::lists`].
pub type ListId = usize;

/// What is exported: one type, or a whole information model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A type resource.
    Type,
    /// An information model resource.
    Model,
}

/// A type or model ready to be written in any output format.
#[derive(Debug, Clone)]
pub struct ExportModel {
    /// Type or model.
    pub subject: Subject,
    /// The exported resource's IRI.
    pub iri: String,
    /// A name usable as an identifier (the model's or type's name).
    pub name: String,
    /// Title in the requested language.
    pub title: Option<String>,
    /// Description in the requested language.
    pub description: Option<String>,
    /// The XML target namespace, when the source had one.
    pub namespace: Option<String>,
    /// Every type reached, in discovery order.
    pub types: Vec<TypeDef>,
    /// Every code list reached.
    pub lists: Vec<CodeList>,
    /// A model's root elements (its top-level properties); empty for a type.
    pub roots: Vec<Prop>,
    /// The exported type (for a type export).
    pub root_type: Option<TypeId>,
    /// Things of the source that the export leaves out, with where they are.
    pub skipped: Vec<String>,
}

/// A named type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Its IRI.
    pub iri: String,
    /// A unique name within the export, safe as a JSON pointer segment, NCName and identifier
    /// stem.
    pub name: String,
    /// Title in the requested language.
    pub title: Option<String>,
    /// Description in the requested language.
    pub description: Option<String>,
    /// Whether it is a registry resource other than the exported one (so it can be referred
    /// to by URL instead of bundled).
    pub external: bool,
    /// Its structure.
    pub body: Body,
}

/// The structure of a type.
#[derive(Debug, Clone)]
pub enum Body {
    /// An object type with properties.
    Object(ObjectDef),
    /// A simple type (a value with facets).
    Simple(SimpleDef),
}

/// An object type.
#[derive(Debug, Clone, Default)]
pub struct ObjectDef {
    /// The properties, in sequence order.
    pub props: Vec<Prop>,
    /// The type it specializes (its properties come first).
    pub base: Option<TypeId>,
    /// Whether any attribute is allowed (XSD `anyAttribute`).
    pub any_attribute: bool,
}

/// A simple value: a built-in XSD type, facets and perhaps a code list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimpleDef {
    /// The XSD built-in type's local name (`string`, `integer`, `date`, ...).
    pub builtin: String,
    /// Facets.
    pub facets: Facets,
    /// The code list its values come from.
    pub list: Option<ListId>,
}

/// XSD facets, as ModellDCAT-AP-NO carries them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    /// xsd:length
    pub length: Option<u64>,
    /// xsd:minLength
    pub min_length: Option<u64>,
    /// xsd:maxLength
    pub max_length: Option<u64>,
    /// xsd:pattern (XSD regular expression, implicitly anchored)
    pub pattern: Option<String>,
    /// xsd:minInclusive
    pub min_inclusive: Option<String>,
    /// xsd:maxInclusive
    pub max_inclusive: Option<String>,
    /// xsd:minExclusive
    pub min_exclusive: Option<String>,
    /// xsd:maxExclusive
    pub max_exclusive: Option<String>,
    /// xsd:totalDigits
    pub total_digits: Option<u64>,
    /// xsd:fractionDigits
    pub fraction_digits: Option<u64>,
}

/// How a property appears in XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlKind {
    /// A child element.
    Element,
    /// An attribute.
    Attribute,
    /// The text content of a type with simple content.
    Text,
}

/// A property of an object type (or a model's root element).
#[derive(Debug, Clone)]
pub struct Prop {
    /// Its name (the XML / JSON name).
    pub name: String,
    /// Title in the requested language.
    pub title: Option<String>,
    /// Description in the requested language.
    pub description: Option<String>,
    /// Least number of occurrences.
    pub min: u64,
    /// Most occurrences; `None` is unbounded.
    pub max: Option<u64>,
    /// Element, attribute or text.
    pub xml: XmlKind,
    /// Whether XML `nil` is allowed.
    pub nillable: bool,
    /// A fixed value.
    pub fixed: Option<String>,
    /// A default value.
    pub default: Option<String>,
    /// What its values are.
    pub value: Value,
}

impl Prop {
    /// Whether the property holds a list of values.
    pub fn is_array(&self) -> bool {
        self.max.is_none_or(|m| m > 1)
    }
}

/// What a property's values are.
#[derive(Debug, Clone)]
pub enum Value {
    /// Objects of a type.
    Object(TypeId),
    /// Values of a named simple type.
    Simple(TypeId),
    /// Values of an anonymous simple type.
    Inline(Box<SimpleDef>),
    /// Anything (the source named no type, or one that is not in the registry).
    Any,
}

/// A code list.
#[derive(Debug, Clone)]
pub struct CodeList {
    /// Its IRI.
    pub iri: String,
    /// A unique name within the export.
    pub name: String,
    /// Title in the requested language.
    pub title: Option<String>,
    /// Whether it is a registry resource (so it can be referred to by URL).
    pub external: bool,
    /// The codes, in source order.
    pub codes: Vec<Code>,
}

/// One code.
#[derive(Debug, Clone)]
pub struct Code {
    /// The value (`skos:notation`).
    pub value: String,
    /// The XSD local name of the value's datatype (`string`, `integer`, `decimal`, `boolean`).
    pub datatype: String,
    /// Its label in the requested language.
    pub label: Option<String>,
}

/// [`safe_name`] with `-` and `.` as `_` too: a name usable as an identifier in C# and TypeScript.
pub fn code_identifier(name: &str) -> String {
    safe_name(name)
        .chars()
        .map(|c| if c == '-' || c == '.' { '_' } else { c })
        .collect()
}

/// The ASCII spelling of a Norwegian letter (`æ` → `ae`, `Ø` → `OE`), if `c` is one.
pub fn norwegian_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'æ' => "ae",
        'Æ' => "AE",
        'ø' => "oe",
        'Ø' => "OE",
        'å' => "aa",
        'Å' => "AA",
        _ => return None,
    })
}

/// Turns a name into `[A-Za-z0-9_.-]` (Norwegian letters transliterated), not starting with a
/// digit, `.` or `-`.
pub fn safe_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if let Some(ascii) = norwegian_letter(c) {
            out.push_str(ascii);
            continue;
        }
        match c {
            c if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' => out.push(c),
            _ => out.push('_'),
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-') {
        out.insert(0, '_');
    }
    out
}

fn local_name(iri: &str) -> &str {
    let cut = iri.rfind(['#', '/', ':']).map_or(0, |i| i + 1);
    &iri[cut..]
}

fn is_part(iri: &str) -> bool {
    iri.starts_with("_:") || iri.starts_with("urn:semreg:genid:")
}

fn count(graph: &Graph, subject: &str, local: &str) -> Option<u64> {
    graph
        .value(subject, &format!("{XSD}{local}"))
        .and_then(|v| v.trim().parse().ok())
}

fn bound(graph: &Graph, subject: &str, local: &str) -> Option<String> {
    graph
        .value(subject, &format!("{XSD}{local}"))
        .map(|v| v.trim().to_owned())
}

struct Builder<'g> {
    graph: &'g Graph,
    lang: String,
    root: String,
    types: Vec<TypeDef>,
    type_ids: HashMap<String, TypeId>,
    lists: Vec<CodeList>,
    list_ids: HashMap<String, ListId>,
    names: HashSet<String>,
    skipped: Vec<String>,
}

/// Stack left before a recursive step grows the stack, and by how much it grows.
const STACK_RED_ZONE: usize = 128 * 1024;
const STACK_GROWTH: usize = 2 * 1024 * 1024;

/// Builds the export model of `root` (a type or a model IRI) from its graph, with texts in
/// `lang`.
pub fn build(graph: &Graph, root: &str, subject: Subject, lang: &str) -> ExportModel {
    let mut b = Builder {
        graph,
        lang: lang.to_owned(),
        root: root.to_owned(),
        types: Vec::new(),
        type_ids: HashMap::new(),
        lists: Vec::new(),
        list_ids: HashMap::new(),
        names: HashSet::new(),
        skipped: Vec::new(),
    };
    let name_source = graph
        .value(root, &format!("{S}xmlName"))
        .or_else(|| graph.text(root, &format!("{DCT}title"), lang))
        .unwrap_or_else(|| local_name(root).to_owned());
    let mut model = ExportModel {
        subject,
        iri: root.to_owned(),
        name: safe_name(&name_source),
        title: b.title(root),
        description: b.description(root),
        namespace: graph.value(root, &format!("{S}xmlNamespace")),
        types: Vec::new(),
        lists: Vec::new(),
        roots: Vec::new(),
        root_type: None,
        skipped: Vec::new(),
    };
    match subject {
        Subject::Type => model.root_type = Some(b.type_id(root)),
        Subject::Model => {
            let roots = graph.iris(root, &format!("{S}rootElement"));
            let mut props: Vec<(u64, String, Prop)> = Vec::new();
            for prop in roots {
                if let Some(p) = b.prop(&prop) {
                    let order = b.order(&prop);
                    props.push((order, p.name.clone(), p));
                }
            }
            if props.is_empty() {
                // No root elements (a model from RDF): its root object types become properties,
                // and every element it contains is defined.
                let mut elements = graph.iris(root, &format!("{M}containsModelElement"));
                elements.sort();
                for element in &elements {
                    if graph.is_a(element, "RootObjectType") {
                        let id = b.type_id(element);
                        let name = b.types[id].name.clone();
                        props.push((
                            0,
                            name.clone(),
                            Prop {
                                name,
                                title: b.types[id].title.clone(),
                                description: None,
                                min: 1,
                                max: Some(1),
                                xml: XmlKind::Element,
                                nillable: false,
                                fixed: None,
                                default: None,
                                value: Value::Object(id),
                            },
                        ));
                    } else if b.is_type(element) {
                        b.type_id(element);
                    }
                }
            }
            props.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            model.roots = props.into_iter().map(|(_, _, p)| p).collect();
        }
    }
    model.types = b.types;
    model.lists = b.lists;
    model.skipped = b.skipped;
    model
}

impl Builder<'_> {
    fn title(&self, subject: &str) -> Option<String> {
        let xml = self.graph.value(subject, &format!("{S}xmlName"));
        self.graph
            .text(subject, &format!("{SKOS}prefLabel"), &self.lang)
            .filter(|t| xml.as_deref() != Some(t.as_str()))
            .or_else(|| {
                // dct:title holds a human title in RDF sources; for XSD sources it repeats the
                // XML name, which says nothing more.
                let title = self
                    .graph
                    .text(subject, &format!("{DCT}title"), &self.lang)?;
                (xml.as_deref() != Some(title.as_str())).then_some(title)
            })
    }

    fn description(&self, subject: &str) -> Option<String> {
        self.graph
            .text(subject, &format!("{DCT}description"), &self.lang)
            .or_else(|| {
                self.graph
                    .text(subject, &format!("{SKOS}definition"), &self.lang)
            })
    }

    fn order(&self, prop: &str) -> u64 {
        self.graph
            .value(prop, &format!("{M}sequenceNumber"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(u64::MAX)
    }

    fn unique(&mut self, wanted: &str) -> String {
        let base = safe_name(wanted);
        let mut name = base.clone();
        let mut n = 2;
        while !self.names.insert(name.to_ascii_lowercase()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }

    fn is_type(&self, iri: &str) -> bool {
        ["ObjectType", "RootObjectType", "SimpleType", "DataType"]
            .iter()
            .any(|c| self.graph.is_a(iri, c))
    }

    fn is_object(&self, iri: &str) -> bool {
        self.graph.is_a(iri, "ObjectType") || self.graph.is_a(iri, "RootObjectType")
    }

    fn xml_name(&self, subject: &str) -> String {
        self.graph
            .value(subject, &format!("{S}xmlName"))
            .or_else(|| self.graph.text(subject, &format!("{DCT}title"), &self.lang))
            .or_else(|| {
                self.graph
                    .text(subject, &format!("{SKOS}prefLabel"), &self.lang)
            })
            .unwrap_or_else(|| local_name(subject).to_owned())
    }

    /// The id of a named type, defining it (and what it reaches) on first sight.
    fn type_id(&mut self, iri: &str) -> TypeId {
        if let Some(id) = self.type_ids.get(iri) {
            return *id;
        }
        let name = self.unique(&self.xml_name(iri));
        let id = self.types.len();
        self.types.push(TypeDef {
            iri: iri.to_owned(),
            name,
            title: self.title(iri),
            description: self.description(iri),
            external: iri != self.root && self.graph.is_resource(iri),
            body: Body::Object(ObjectDef::default()),
        });
        self.type_ids.insert(iri.to_owned(), id);
        // Types reach types through their properties, so defining one recurses as deep as the
        // longest chain of types in the model (thousands in a generated model): the stack grows
        // on the heap instead of overflowing.
        let body = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            if self.is_object(iri) {
                Body::Object(self.object(iri))
            } else {
                Body::Simple(self.simple(iri))
            }
        });
        self.types[id].body = body;
        id
    }

    fn object(&mut self, iri: &str) -> ObjectDef {
        let mut def = ObjectDef {
            any_attribute: self
                .graph
                .value(iri, &format!("{S}anyAttribute"))
                .as_deref()
                == Some("true"),
            ..ObjectDef::default()
        };
        let mut props: Vec<((u8, u64), String, Prop)> = Vec::new();
        for prop in self.graph.iris(iri, &format!("{M}hasProperty")) {
            if self.graph.is_a(&prop, "Specialization") {
                if let Some(base) = self.graph.iri(&prop, &format!("{M}hasGeneralConcept")) {
                    if self.graph.knows(&base) {
                        def.base = Some(self.type_id(&base));
                    } else {
                        self.skipped
                            .push(format!("{iri}: base type <{base}> is not in the registry"));
                    }
                }
                continue;
            }
            if let Some(p) = self.prop(&prop) {
                // Attributes first (as Altinn Studio lists them), then elements in sequence.
                let rank = match p.xml {
                    XmlKind::Attribute => 0,
                    XmlKind::Element => 1,
                    XmlKind::Text => 2,
                };
                let order = self.order(&prop);
                props.push(((rank, order), p.name.clone(), p));
            }
        }
        props.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        def.props = props.into_iter().map(|(_, _, p)| p).collect();
        def
    }

    fn simple(&mut self, subject: &str) -> SimpleDef {
        let g = self.graph;
        let builtin = g
            .objects(subject, &format!("{M}typeDefinitionReference"))
            .map(|o| match o {
                Object::Iri(i) => i.clone(),
                Object::Literal { value, .. } => value.clone(),
            })
            .next()
            .and_then(|r| r.strip_prefix(XSD).map(str::to_owned))
            .unwrap_or_else(|| "string".to_owned());
        let length = count(g, subject, "length");
        let facets = Facets {
            length,
            min_length: count(g, subject, "minLength"),
            max_length: count(g, subject, "maxLength"),
            pattern: g.value(subject, &format!("{XSD}pattern")),
            min_inclusive: bound(g, subject, "minInclusive"),
            max_inclusive: bound(g, subject, "maxInclusive"),
            min_exclusive: bound(g, subject, "minExclusive"),
            max_exclusive: bound(g, subject, "maxExclusive"),
            total_digits: count(g, subject, "totalDigits"),
            fraction_digits: count(g, subject, "fractionDigits"),
        };
        let list = g
            .iri(subject, &format!("{M}hasValueFrom"))
            .map(|l| self.list_id(&l));
        SimpleDef {
            builtin,
            facets,
            list,
        }
    }

    fn list_id(&mut self, iri: &str) -> ListId {
        if let Some(id) = self.list_ids.get(iri) {
            return *id;
        }
        let g = self.graph;
        let mut codes: Vec<(u64, String, Code)> = Vec::new();
        for subject in g.subjects() {
            let member = [terms::IN_SCHEME, terms::TOP_CONCEPT_OF]
                .iter()
                .any(|p| g.iris(subject, p).iter().any(|l| l == iri));
            if !member {
                continue;
            }
            let Some((value, datatype)) = g.typed_value(subject, terms::NOTATION) else {
                continue;
            };
            let datatype = datatype.strip_prefix(XSD).unwrap_or("string").to_owned();
            let order = g
                .value(subject, terms::ORDER)
                .and_then(|v| v.parse().ok())
                .unwrap_or(u64::MAX);
            let label = g
                .text(subject, terms::PREF_LABEL, &self.lang)
                .filter(|l| *l != value);
            codes.push((
                order,
                value.clone(),
                Code {
                    value,
                    datatype,
                    label,
                },
            ));
        }
        codes.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        codes.dedup_by(|a, b| a.1 == b.1);
        let wanted = g
            .text(iri, terms::PREF_LABEL, "")
            .filter(|_| !iri.ends_with("#codes") && !iri.ends_with("/codes"))
            .unwrap_or_else(|| {
                // A SERES enumeration's list is `<type>#codes`: name it after its type.
                let owner = iri
                    .trim_end_matches("/codes")
                    .trim_end_matches("#codes")
                    .to_owned();
                format!("{}_codes", self.xml_name(&owner))
            });
        let name = self.unique(&wanted);
        let id = self.lists.len();
        self.lists.push(CodeList {
            iri: iri.to_owned(),
            name,
            title: g.text(iri, terms::PREF_LABEL, &self.lang),
            external: self.graph.is_resource(iri),
            codes: codes.into_iter().map(|(_, _, c)| c).collect(),
        });
        self.list_ids.insert(iri.to_owned(), id);
        id
    }

    fn prop(&mut self, prop: &str) -> Option<Prop> {
        let g = self.graph;
        if g.is_a(prop, "Choice") || g.is_a(prop, "Abstraction") || g.is_a(prop, "Realization") {
            self.skipped.push(format!(
                "{prop}: choices, abstractions and realizations are not exported"
            ));
            return None;
        }
        let flag = |local: &str| g.value(prop, &format!("{S}{local}")).as_deref() == Some("true");
        let min = g
            .value(prop, &format!("{M}minOccurs"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let max = match g.value(prop, &format!("{M}maxOccurs")) {
            None => Some(1),
            Some(v) => v.trim().parse().ok(),
        };
        let xml = if flag("xmlAttribute") {
            XmlKind::Attribute
        } else if flag("xmlText") {
            XmlKind::Text
        } else {
            XmlKind::Element
        };
        let object_target = ["hasObjectType", "contains", "refersTo", "hasMember"]
            .iter()
            .find_map(|p| g.iri(prop, &format!("{M}{p}")));
        let simple_target = ["hasSimpleType", "hasSimpletype", "hasDataType"]
            .iter()
            .find_map(|p| g.iri(prop, &format!("{M}{p}")));
        let list = g.iri(prop, &format!("{M}hasValueFrom"));
        let value = match (object_target, simple_target) {
            (Some(target), _) if g.knows(&target) => Value::Object(self.type_id(&target)),
            (_, Some(target)) if is_part(&target) && g.knows(&target) => {
                let mut def = self.simple(&target);
                if let Some(list) = &list {
                    def.list = Some(self.list_id(list));
                }
                Value::Inline(Box::new(def))
            }
            (_, Some(target)) if g.knows(&target) && self.is_object(&target) => {
                Value::Object(self.type_id(&target))
            }
            (_, Some(target)) if g.knows(&target) => {
                let id = self.type_id(&target);
                match (&list, self.types[id].body.clone()) {
                    (Some(list), Body::Simple(def)) => {
                        let list = self.list_id(list);
                        if def.list == Some(list) {
                            Value::Simple(id)
                        } else {
                            let mut def = def;
                            def.list = Some(list);
                            Value::Inline(Box::new(def))
                        }
                    }
                    _ => Value::Simple(id),
                }
            }
            (None, None) if list.is_some() => Value::Inline(Box::new(SimpleDef {
                builtin: "string".to_owned(),
                facets: Facets::default(),
                list: list.as_deref().map(|l| self.list_id(l)),
            })),
            (object, simple) => {
                if let Some(missing) = object.or(simple) {
                    self.skipped.push(format!(
                        "{prop}: its type <{missing}> is not in the registry; any value allowed"
                    ));
                }
                Value::Any
            }
        };
        Some(Prop {
            name: self.xml_name(prop),
            title: self.title(prop),
            description: self.description(prop),
            min,
            max,
            xml,
            nillable: flag("nillable"),
            fixed: g.value(prop, &format!("{S}fixedValue")),
            default: g.value(prop, &format!("{S}defaultValue")),
            value,
        })
    }
}

/// A code list on its own (for its JSON Schema), from a graph that holds it.
pub fn build_code_list(graph: &Graph, iri: &str, lang: &str) -> CodeList {
    let mut b = Builder {
        graph,
        lang: lang.to_owned(),
        root: iri.to_owned(),
        types: Vec::new(),
        type_ids: HashMap::new(),
        lists: Vec::new(),
        list_ids: HashMap::new(),
        names: HashSet::new(),
        skipped: Vec::new(),
    };
    let id = b.list_id(iri);
    b.lists.swap_remove(id)
}

/// The types of an export by name (for lookups in writers and tests).
pub fn types_by_name(model: &ExportModel) -> BTreeMap<&str, &TypeDef> {
    model.types.iter().map(|t| (t.name.as_str(), t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_transliterate_norwegian_letters_and_never_start_with_a_digit() {
        assert_eq!(safe_name("Innrapportør"), "Innrapportoer");
        assert_eq!(safe_name("Årsregnskap"), "AArsregnskap");
        assert_eq!(safe_name("4-tall"), "_4-tall");
        assert_eq!(safe_name("a b/c"), "a_b_c");
        assert_eq!(safe_name(""), "_");
    }
}
