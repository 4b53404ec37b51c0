//! Writing the intermediate model as ModellDCAT-AP-NO triples (see the module documentation of
//! [`super`] for the shape and the IRI scheme).

use std::collections::HashSet;

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};

use super::iris::{self, encode, guid_name, identity, prop_iri, sub, Identity};
use super::model::{Body, EnumValue, Facets, Prop, PropKind, Schema, SimpleDef, TypeRef};
use crate::codelist::{CodeListBuilder, CodeValue};
use crate::{ImportError, ImportOptions, ImportWarning};

const MODELLDCATNO: &str = "https://data.norge.no/vocabulary/modelldcatno#";
const SEMREG: &str = "https://w3id.org/semreg/ns#";
const DCT: &str = "http://purl.org/dc/terms/";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const ADMS: &str = "http://www.w3.org/ns/adms#";
const PROV_WAS_DERIVED_FROM: &str = "http://www.w3.org/ns/prov#wasDerivedFrom";
const OWL_VERSION_INFO: &str = "http://www.w3.org/2002/07/owl#versionInfo";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema#";
const RDF_JSON: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON";

/// Longest restriction chain followed; longer ones are cut with a warning (cycles included).
const MAX_CHAIN: usize = 64;

fn m(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{MODELLDCATNO}{local}"))
}
fn s(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SEMREG}{local}"))
}
fn dct(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{DCT}{local}"))
}
fn skos(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SKOS}{local}"))
}

fn lang_literal(text: &str, lang: &str) -> Literal {
    if lang.is_empty() {
        Literal::new_simple_literal(text)
    } else {
        Literal::new_language_tagged_literal(text, lang)
            .unwrap_or_else(|_| Literal::new_simple_literal(text))
    }
}

fn non_negative(value: &str) -> Option<Literal> {
    let v = value.trim().trim_start_matches('+');
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| Literal::new_typed_literal(v, xsd::NON_NEGATIVE_INTEGER))
}

fn decimal(value: &str) -> Literal {
    let v = value.trim();
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Literal::new_typed_literal(v, xsd::DECIMAL)
    } else {
        Literal::new_simple_literal(v)
    }
}

/// What a chain of restrictions comes to: the built-in type, merged facets, the code list.
struct Chain {
    builtin: String,
    facets: Facets,
    list: Option<String>,
}

struct Emitter<'s> {
    schema: &'s Schema,
    base: String,
    type_iris: Vec<String>,
    triples: Vec<Triple>,
    warnings: Vec<ImportWarning>,
    elements: Vec<String>,
}

/// Writes the schema as triples.
pub(super) fn emit(
    schema: &Schema,
    options: &ImportOptions,
) -> Result<(Vec<Triple>, Vec<ImportWarning>), ImportError> {
    let identity = identity(schema, options);
    let base = match &options.base_iri {
        Some(base) if base.ends_with('/') || base.ends_with('#') => base.clone(),
        Some(base) => format!("{base}/"),
        None => format!("urn:semreg:seres:{}/", encode(&identity.id)),
    };
    let model_iri = base.trim_end_matches(['/', '#']).to_owned();
    let model = NamedNode::new(model_iri.as_str()).map_err(|e| ImportError::Invalid {
        location: "base IRI".to_owned(),
        message: format!("<{model_iri}> is not a valid IRI: {e}"),
    })?;
    let mut emitter = Emitter {
        schema,
        base,
        type_iris: Vec::new(),
        triples: Vec::new(),
        warnings: schema.warnings.clone(),
        elements: Vec::new(),
    };
    let (type_iris, warnings) = iris::assign(schema, &emitter.base);
    emitter.type_iris = type_iris;
    emitter.warnings.extend(warnings);
    for id in 0..schema.types.len() {
        emitter.emit_type(id)?;
    }
    emitter.emit_model(&model, &identity)?;
    Ok((emitter.triples, emitter.warnings))
}

impl Emitter<'_> {
    fn add(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: NamedNode,
        object: impl Into<Term>,
    ) {
        self.triples
            .push(Triple::new(subject.into(), predicate, object.into()));
    }

    fn named(&self, iri: &str) -> NamedNode {
        NamedNode::new_unchecked(iri)
    }

    fn warn(&mut self, location: String, message: impl Into<String>) {
        self.warnings.push(ImportWarning {
            location: Some(location),
            message: message.into(),
        });
    }

    /// Follows a type reference down its restriction chain.
    fn chain(&mut self, start: &TypeRef, inline_list: &str, location: &str) -> Chain {
        let mut facets = Facets::default();
        let mut list = None;
        let mut current = start;
        let mut inline_depth = 0;
        let schema = self.schema;
        let types = &schema.types;
        let mut steps = 0;
        loop {
            steps += 1;
            if steps > MAX_CHAIN {
                self.warn(
                    location.to_owned(),
                    format!(
                        "the restriction chain is longer than {MAX_CHAIN} steps or circular; cut"
                    ),
                );
                break;
            }
            let def: &SimpleDef = match current {
                TypeRef::Builtin(name) => {
                    return Chain {
                        builtin: name.clone(),
                        facets,
                        list,
                    }
                }
                TypeRef::Unresolved(_) => {
                    return Chain {
                        builtin: "anySimpleType".to_owned(),
                        facets,
                        list,
                    }
                }
                TypeRef::Inline(def) => {
                    if list.is_none() && !def.enumeration.is_empty() {
                        list = Some(if inline_depth == 0 {
                            inline_list.to_owned()
                        } else {
                            format!("{inline_list}{inline_depth}")
                        });
                    }
                    inline_depth += 1;
                    def
                }
                TypeRef::Type(id) => match &types[*id].body {
                    Body::Simple(def) => {
                        if list.is_none() && !def.enumeration.is_empty() {
                            list = Some(sub(&self.type_iris[*id], "codes"));
                        }
                        def
                    }
                    Body::Object { props, extends, .. } => {
                        match props.iter().find(|p| p.kind == PropKind::Text) {
                            Some(value) => current = &value.ty,
                            None => match extends {
                                Some(base) => current = base,
                                None => break,
                            },
                        }
                        continue;
                    }
                    Body::Pending => break,
                },
            };
            facets.inherit(&def.facets);
            current = &def.base;
        }
        Chain {
            builtin: "anyType".to_owned(),
            facets,
            list,
        }
    }

    /// Facts of a simple type node (named or blank): base type, facets, code list.
    fn simple_facts(
        &mut self,
        node: NamedOrBlankNode,
        chain: &Chain,
        derived_from: Option<&TypeRef>,
    ) {
        self.add(node.clone(), rdf::TYPE.into_owned(), m("SimpleType"));
        let reference =
            Literal::new_typed_literal(format!("{XSD_NS}{}", chain.builtin), xsd::ANY_URI);
        self.add(node.clone(), m("typeDefinitionReference"), reference);
        let f = &chain.facets;
        let counts = [
            ("length", &f.length),
            ("minLength", &f.min_length),
            ("maxLength", &f.max_length),
            ("totalDigits", &f.total_digits),
            ("fractionDigits", &f.fraction_digits),
        ];
        for (name, value) in counts {
            if let Some(value) = value {
                match non_negative(value) {
                    Some(literal) => {
                        let p = NamedNode::new_unchecked(format!("{XSD_NS}{name}"));
                        self.add(node.clone(), p, literal);
                    }
                    None => self.warn(
                        node.to_string(),
                        format!("{name}=\"{value}\" is not a non-negative integer; skipped"),
                    ),
                }
            }
        }
        let bounds = [
            ("minInclusive", &f.min_inclusive),
            ("maxInclusive", &f.max_inclusive),
            ("minExclusive", &f.min_exclusive),
            ("maxExclusive", &f.max_exclusive),
        ];
        for (name, value) in bounds {
            if let Some(value) = value {
                let p = NamedNode::new_unchecked(format!("{XSD_NS}{name}"));
                self.add(node.clone(), p, decimal(value));
            }
        }
        if !f.patterns.is_empty() {
            let pattern = if f.patterns.len() == 1 {
                f.patterns[0].clone()
            } else {
                f.patterns
                    .iter()
                    .map(|p| format!("({p})"))
                    .collect::<Vec<_>>()
                    .join("|")
            };
            let p = NamedNode::new_unchecked(format!("{XSD_NS}pattern"));
            self.add(node.clone(), p, Literal::new_simple_literal(pattern));
        }
        if let Some(list) = &chain.list {
            let list = self.named(list);
            self.add(node.clone(), m("hasValueFrom"), list);
        }
        if let Some(TypeRef::Type(base)) = derived_from {
            let base = self.named(&self.type_iris[*base].clone());
            self.add(node, NamedNode::new_unchecked(PROV_WAS_DERIVED_FROM), base);
        }
    }

    fn texts(&mut self, node: &NamedNode, texts: &super::model::Texts) {
        for (lang, text) in &texts.labels {
            self.add(node.clone(), skos("prefLabel"), lang_literal(text, lang));
        }
        for (lang, text) in &texts.descriptions {
            self.add(node.clone(), dct("description"), lang_literal(text, lang));
        }
        for (lang, text) in &texts.help {
            self.add(node.clone(), skos("scopeNote"), lang_literal(text, lang));
        }
        for (lang, text) in &texts.notes {
            self.add(node.clone(), skos("note"), lang_literal(text, lang));
        }
    }

    fn identifiers(&mut self, node: &NamedNode, guid: Option<&str>, elementtype: Option<&str>) {
        if let Some(guid) = guid {
            self.add(
                node.clone(),
                dct("identifier"),
                Literal::new_simple_literal(guid),
            );
            if let Some(name) = guid_name(guid) {
                self.add(node.clone(), skos("prefLabel"), lang_literal(name, "nb"));
            }
        }
        if let Some(elementtype) = elementtype {
            self.add(
                node.clone(),
                s("seresElementType"),
                Literal::new_simple_literal(elementtype),
            );
        }
    }

    fn emit_type(&mut self, id: usize) -> Result<(), ImportError> {
        let schema = self.schema;
        let ty = &schema.types[id];
        let iri = self.named(&self.type_iris[id].clone());
        self.add(
            iri.clone(),
            dct("title"),
            Literal::new_simple_literal(&ty.name),
        );
        self.add(
            iri.clone(),
            s("xmlName"),
            Literal::new_simple_literal(&ty.name),
        );
        self.identifiers(&iri, ty.guid.as_deref(), ty.elementtype.as_deref());
        self.texts(&iri, &ty.texts);
        if let Some((kind, number)) = &ty.or_id {
            let identifier = BlankNode::default();
            self.add(
                iri.clone(),
                NamedNode::new_unchecked(format!("{ADMS}identifier")),
                identifier.clone(),
            );
            self.add(
                identifier.clone(),
                rdf::TYPE.into_owned(),
                NamedNode::new_unchecked(format!("{ADMS}Identifier")),
            );
            self.add(
                identifier.clone(),
                skos("notation"),
                Literal::new_simple_literal(number),
            );
            let agency = format!(
                "Oppgaveregisteret ({})",
                match kind {
                    super::model::OrKind::Datadef => "orid",
                    super::model::OrKind::Group => "gruppeid",
                    super::model::OrKind::Repformat => "repformat",
                }
            );
            self.add(
                identifier,
                NamedNode::new_unchecked(format!("{ADMS}schemaAgency")),
                Literal::new_simple_literal(agency),
            );
        }
        match &ty.body {
            Body::Simple(def) => {
                let location = format!("line {}, xs:simpleType name=\"{}\"", ty.line, ty.name);
                let list_iri = sub(iri.as_str(), "codes");
                let chain = self.chain(&TypeRef::Type(id), &list_iri, &location);
                self.simple_facts(iri.clone().into(), &chain, Some(&def.base));
                if !def.enumeration.is_empty() {
                    self.code_list(&list_iri, &ty.name, ty.guid.as_deref(), &def.enumeration)?;
                }
            }
            Body::Object {
                props,
                extends,
                restricts,
                any_attribute,
            } => {
                self.add(iri.clone(), rdf::TYPE.into_owned(), m("ObjectType"));
                if *any_attribute {
                    self.add(iri.clone(), s("anyAttribute"), Literal::from(true));
                }
                if let Some(TypeRef::Type(base)) = extends {
                    let node = self.named(&sub(iri.as_str(), "~base"));
                    self.add(iri.clone(), m("hasProperty"), node.clone());
                    self.add(node.clone(), rdf::TYPE.into_owned(), m("Specialization"));
                    let base = self.named(&self.type_iris[*base].clone());
                    self.add(node, m("hasGeneralConcept"), base);
                }
                if let Some(TypeRef::Type(base)) = restricts {
                    let base = self.named(&self.type_iris[*base].clone());
                    self.add(
                        iri.clone(),
                        NamedNode::new_unchecked(PROV_WAS_DERIVED_FROM),
                        base,
                    );
                }
                for (at, prop) in props.iter().enumerate() {
                    let prop_node = self.named(&prop_iri(iri.as_str(), &prop.name, prop.kind));
                    self.add(iri.clone(), m("hasProperty"), prop_node.clone());
                    self.emit_prop(&prop_node, prop, at + 1)?;
                }
            }
            Body::Pending => {}
        }
        Ok(())
    }

    fn emit_prop(
        &mut self,
        node: &NamedNode,
        prop: &Prop,
        order: usize,
    ) -> Result<(), ImportError> {
        let schema = self.schema;
        let types = &schema.types;
        self.add(
            node.clone(),
            dct("title"),
            Literal::new_simple_literal(&prop.name),
        );
        self.add(
            node.clone(),
            s("xmlName"),
            Literal::new_simple_literal(&prop.name),
        );
        self.add(
            node.clone(),
            m("sequenceNumber"),
            Literal::new_typed_literal(order.to_string(), xsd::POSITIVE_INTEGER),
        );
        self.add(
            node.clone(),
            m("minOccurs"),
            Literal::new_typed_literal(prop.min.to_string(), xsd::NON_NEGATIVE_INTEGER),
        );
        let max = match prop.max {
            Some(max) => Literal::new_typed_literal(max.to_string(), xsd::NON_NEGATIVE_INTEGER),
            None => Literal::new_simple_literal("*"),
        };
        self.add(node.clone(), m("maxOccurs"), max);
        match prop.kind {
            PropKind::Attribute => self.add(node.clone(), s("xmlAttribute"), Literal::from(true)),
            PropKind::Text => self.add(node.clone(), s("xmlText"), Literal::from(true)),
            PropKind::Element => {}
        }
        if prop.nillable {
            self.add(node.clone(), s("nillable"), Literal::from(true));
        }
        if let Some(fixed) = &prop.fixed {
            self.add(
                node.clone(),
                s("fixedValue"),
                Literal::new_simple_literal(fixed),
            );
        }
        if let Some(default) = &prop.default {
            self.add(
                node.clone(),
                s("defaultValue"),
                Literal::new_simple_literal(default),
            );
        }
        self.identifiers(node, prop.guid.as_deref(), prop.elementtype.as_deref());
        self.texts(node, &prop.texts);
        let location = format!("line {}, property {}", prop.line, prop.name);
        match &prop.ty {
            TypeRef::Type(id) if types[*id].is_object() => {
                self.add(node.clone(), rdf::TYPE.into_owned(), m("Role"));
                let target = self.named(&self.type_iris[*id].clone());
                self.add(node.clone(), m("hasObjectType"), target);
            }
            TypeRef::Type(id) => {
                self.add(node.clone(), rdf::TYPE.into_owned(), m("Attribute"));
                let target = self.named(&self.type_iris[*id].clone());
                self.add(node.clone(), m("hasSimpleType"), target);
                let chain = self.chain(&prop.ty, "", &location);
                if let Some(list) = chain.list {
                    let list = self.named(&list);
                    self.add(node.clone(), m("hasValueFrom"), list);
                }
            }
            TypeRef::Builtin(_) | TypeRef::Inline(_) => {
                self.add(node.clone(), rdf::TYPE.into_owned(), m("Attribute"));
                let list_iri = sub(node.as_str(), "codes");
                let chain = self.chain(&prop.ty, &list_iri, &location);
                let simple = BlankNode::default();
                self.add(node.clone(), m("hasSimpleType"), simple.clone());
                let derived = match &prop.ty {
                    TypeRef::Inline(def) => Some(&def.base),
                    _ => None,
                };
                self.simple_facts(simple.into(), &chain, derived);
                if let Some(list) = &chain.list {
                    let list = self.named(list);
                    self.add(node.clone(), m("hasValueFrom"), list);
                }
                if let TypeRef::Inline(def) = &prop.ty {
                    if !def.enumeration.is_empty() {
                        self.code_list(&list_iri, &prop.name, None, &def.enumeration)?;
                    }
                }
            }
            TypeRef::Unresolved(name) => {
                self.add(node.clone(), rdf::TYPE.into_owned(), m("Attribute"));
                self.add(
                    node.clone(),
                    s("unresolvedType"),
                    Literal::new_simple_literal(name),
                );
            }
        }
        Ok(())
    }

    fn code_list(
        &mut self,
        iri: &str,
        name: &str,
        guid: Option<&str>,
        values: &[EnumValue],
    ) -> Result<(), ImportError> {
        let mut list = CodeListBuilder::new(iri)?;
        list.fact(rdf::TYPE.as_str(), m("CodeList"));
        list.label("", name);
        if let Some(guid) = guid {
            list.identifier(guid);
            if let Some(seres_name) = guid_name(guid) {
                list.label("nb", seres_name);
            }
        }
        let mut seen = HashSet::new();
        for value in values {
            if !seen.insert(value.value.as_str()) {
                self.warn(
                    format!(
                        "line {}, xs:enumeration value=\"{}\"",
                        value.line, value.value
                    ),
                    "the value is listed twice in the enumeration; the first is kept",
                );
                continue;
            }
            let mut code = list.code(CodeValue::String(value.value.clone()));
            let mut labelled = false;
            for (lang, text) in &value.texts.labels {
                code.label(lang, text);
                labelled = true;
            }
            if let Some(seres_name) = value.guid.as_deref().and_then(guid_name) {
                if !value.texts.labels.iter().any(|(l, _)| l == "nb") {
                    code.label("nb", seres_name);
                    labelled = true;
                }
            }
            if !labelled && !value.value.is_empty() {
                code.label("", &value.value);
            }
            for (lang, text) in &value.texts.descriptions {
                code.description(lang, text);
            }
            for (lang, text) in &value.texts.help {
                code.help_text(lang, text);
            }
            if let Some(guid) = &value.guid {
                code.other(
                    &format!("{DCT}identifier"),
                    Literal::new_simple_literal(guid),
                );
            }
            if value.value.is_empty() {
                code.other(&format!("{SEMREG}emptyCode"), Literal::from(true));
            }
            code.done();
        }
        self.triples.extend(list.finish());
        self.elements.push(iri.to_owned());
        Ok(())
    }

    fn emit_model(&mut self, model: &NamedNode, identity: &Identity) -> Result<(), ImportError> {
        let schema = self.schema;
        self.add(model.clone(), rdf::TYPE.into_owned(), m("InformationModel"));
        self.add(
            model.clone(),
            dct("title"),
            Literal::new_simple_literal(&identity.title),
        );
        self.add(
            model.clone(),
            dct("identifier"),
            Literal::new_simple_literal(&identity.id),
        );
        if let Some(alias) = &identity.alias {
            self.add(
                model.clone(),
                s("alias"),
                Literal::new_simple_literal(alias),
            );
        }
        if let Some(version) = &identity.version {
            self.add(
                model.clone(),
                NamedNode::new_unchecked(OWL_VERSION_INFO),
                Literal::new_simple_literal(version),
            );
        }
        let namespace = schema.target_namespace.clone().or_else(|| {
            schema
                .header
                .iter()
                .find(|(k, _)| k == "namespace")
                .map(|(_, v)| v.clone())
        });
        if let Some(namespace) = namespace {
            self.add(
                model.clone(),
                s("xmlNamespace"),
                Literal::new_simple_literal(namespace),
            );
        }
        if !schema.header.is_empty() {
            let info: serde_json::Map<String, serde_json::Value> = schema
                .header
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            let json = serde_json::Value::Object(info).to_string();
            self.add(
                model.clone(),
                s("xsdInfo"),
                Literal::new_typed_literal(json, NamedNode::new_unchecked(RDF_JSON)),
            );
        }
        let mut elements: Vec<String> = self.type_iris.clone();
        elements.extend(std::mem::take(&mut self.elements));
        let mut seen = HashSet::new();
        for element in elements {
            if seen.insert(element.clone()) {
                let element = self.named(&element);
                self.add(model.clone(), m("containsModelElement"), element);
            }
        }
        for (at, root) in schema.roots.iter().enumerate() {
            let node = self.named(&sub(model.as_str(), &encode(&root.name)));
            self.add(model.clone(), s("rootElement"), node.clone());
            if let TypeRef::Type(id) = root.ty {
                if schema.types[id].is_object() {
                    let ty = self.named(&self.type_iris[id].clone());
                    self.add(ty, rdf::TYPE.into_owned(), m("RootObjectType"));
                }
            }
            self.emit_prop(&node, root, at + 1)?;
        }
        Ok(())
    }
}
