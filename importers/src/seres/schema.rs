//! Reading an XSD tree into the intermediate model of [`super::model`]: named and anonymous
//! types, their properties (elements, attributes, simple content), simple types with their own
//! facets and enumerations, and the SERES / OR annotations (guid, orid, element type, texts).
//!
//! Nothing here is recursive over the type graph: named types are allocated first and referenced
//! by index, so cycles and long restriction chains in hostile input cannot exhaust the stack.

use std::collections::{HashMap, HashSet};

use super::model::{
    Body, EnumValue, Facets, OrKind, Origin, Prop, PropKind, Schema, SimpleDef, Texts, TypeDef,
    TypeRef, Variant, BRREG, SERES, XML, XS,
};
use super::xml::{Document, Node};
use crate::{ImportError, ImportWarning};

struct Reader<'d> {
    doc: &'d Document,
    lang: String,
    complex: HashMap<&'d str, usize>,
    simple: HashMap<&'d str, usize>,
    elements: HashMap<&'d str, usize>,
    attributes: HashMap<&'d str, usize>,
    /// Type index of a top-level declaration node.
    type_of_node: HashMap<usize, usize>,
    referenced_elements: HashSet<String>,
    types: Vec<TypeDef>,
    warnings: Vec<ImportWarning>,
    variant: Variant,
}

/// Reads a parsed document as an XML Schema.
pub(super) fn read(doc: &Document) -> Result<Schema, ImportError> {
    let root = &doc.nodes[0];
    if !root.is(XS, "schema") {
        return Err(ImportError::Invalid {
            location: format!("line {}, element {}", root.line, root.qname),
            message: format!(
                "not an XML Schema: the root element is {{{}}}{}, expected xs:schema in {XS}",
                root.ns.as_deref().unwrap_or(""),
                root.local
            ),
        });
    }
    let header = read_header(doc, root);
    let lang = root
        .attr_ns(XML, "lang")
        .or_else(|| {
            header
                .iter()
                .find(|(k, _)| k == "spraak" || k == "språk")
                .map(|(_, v)| v.as_str())
        })
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map_or_else(|| "nb".to_owned(), |l| l.to_ascii_lowercase());
    let title_comment = root.comments.iter().find_map(|c| quoted_after(c, "title="));
    let mut reader = Reader {
        doc,
        lang,
        complex: HashMap::new(),
        simple: HashMap::new(),
        elements: HashMap::new(),
        attributes: HashMap::new(),
        type_of_node: HashMap::new(),
        referenced_elements: HashSet::new(),
        types: Vec::new(),
        warnings: Vec::new(),
        variant: detect_variant(doc, &header),
    };
    reader.index();
    reader.fill_top_level();
    let roots = reader.roots();
    Ok(Schema {
        variant: reader.variant,
        header,
        title_comment,
        target_namespace: root.attr("targetNamespace").map(str::to_owned),
        types: reader.types,
        roots,
        warnings: reader.warnings,
    })
}

fn detect_variant(doc: &Document, header: &[(String, String)]) -> Variant {
    let or_names = doc.nodes[0].children.iter().any(|&c| {
        let node = &doc.nodes[c];
        (node.is(XS, "element") || node.is(XS, "complexType"))
            && node
                .attr("name")
                .and_then(or_id)
                .is_some_and(|(kind, _)| kind != OrKind::Repformat)
    });
    if or_names || doc.nodes.iter().any(|n| n.ns.as_deref() == Some(BRREG)) {
        return Variant::Or;
    }
    let seres_attrs = doc
        .nodes
        .iter()
        .any(|n| n.attrs.iter().any(|a| a.ns.as_deref() == Some(SERES)));
    if seres_attrs || !header.is_empty() {
        Variant::Seres
    } else {
        Variant::Plain
    }
}

/// The value in quotes after `key` (`title='AFP-01: ...'`).
fn quoted_after(text: &str, key: &str) -> Option<String> {
    let at = text.find(key)?;
    let rest = &text[at + key.len()..];
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &rest[1..];
    let end = body.find(quote)?;
    Some(body[..end].trim().to_owned()).filter(|t| !t.is_empty())
}

/// The SERES header: `xs:annotation/xs:documentation/xs:attribute name= fixed=` under the schema.
fn read_header(doc: &Document, root: &Node) -> Vec<(String, String)> {
    let mut header = Vec::new();
    for &a in &root.children {
        let annotation = &doc.nodes[a];
        if !annotation.is(XS, "annotation") {
            continue;
        }
        for &d in &annotation.children {
            for &x in &doc.nodes[d].children {
                let node = &doc.nodes[x];
                if node.is(XS, "attribute") {
                    if let (Some(name), Some(value)) = (node.attr("name"), node.attr("fixed")) {
                        header.push((name.to_owned(), value.to_owned()));
                    }
                }
            }
        }
    }
    header
}

/// The Oppgaveregisteret id in a name: `Navn-datadef-123`, `Gruppe-grp-45`, `Tekst-repformat-6`.
pub(super) fn or_id(name: &str) -> Option<(OrKind, String)> {
    let (rest, number) = name.rsplit_once('-')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = if rest.ends_with("-datadef") {
        OrKind::Datadef
    } else if rest.ends_with("-grp") {
        OrKind::Group
    } else if rest.ends_with("-repformat") {
        OrKind::Repformat
    } else {
        return None;
    };
    Some((kind, number.to_owned()))
}

/// An OR language code (`NOB`, `NON`, `NNO`, `EN`) as a BCP 47 tag.
fn language_tag(code: &str) -> String {
    match code.trim().to_ascii_uppercase().as_str() {
        "NOB" | "NB" | "NO" | "NOR" => "nb".to_owned(),
        "NON" | "NNO" | "NN" => "nn".to_owned(),
        "EN" | "ENG" => "en".to_owned(),
        "SME" | "SE" => "se".to_owned(),
        other => other.to_ascii_lowercase(),
    }
}

/// Collapses runs of whitespace to one space and trims.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn node_text(doc: &Document, node: &Node, out: &mut Vec<String>) {
    let own = collapse(&node.text);
    if !own.is_empty() {
        out.push(own);
    }
    for &c in &node.children {
        node_text(doc, &doc.nodes[c], out);
    }
}

impl<'d> Reader<'d> {
    fn node(&self, id: usize) -> &'d Node {
        &self.doc.nodes[id]
    }

    fn warn(&mut self, node: &Node, message: impl Into<String>) {
        self.warnings.push(ImportWarning {
            location: Some(node.location()),
            message: message.into(),
        });
    }

    /// Indexes top-level declarations and allocates a type for each named type and each global
    /// element with an anonymous type, in document order.
    fn index(&mut self) {
        let root = self.node(0);
        for &c in &root.children {
            let node = self.node(c);
            if node.ns.as_deref() != Some(XS) {
                continue;
            }
            let name = node.attr("name");
            let table = match node.local.as_str() {
                "complexType" => Some(&mut self.complex),
                "simpleType" => Some(&mut self.simple),
                "element" => Some(&mut self.elements),
                "attribute" => Some(&mut self.attributes),
                "annotation" | "notation" => None,
                "import" | "include" | "redefine" | "override" => {
                    let location = node.attr("schemaLocation").unwrap_or("(no schemaLocation)");
                    self.warn(
                        node,
                        format!(
                            "xs:{} of {location} is not supported (only the file given is read); \
                             references into it stay unresolved",
                            node.local
                        ),
                    );
                    None
                }
                other => {
                    self.warn(
                        node,
                        format!("top-level xs:{other} is not supported; skipped"),
                    );
                    None
                }
            };
            let (Some(table), Some(name)) = (table, name) else {
                continue;
            };
            if table.contains_key(name) {
                self.warn(node, "declared twice; the first declaration is used");
                continue;
            }
            table.insert(name, c);
            let allocate = match node.local.as_str() {
                "complexType" => Some(Origin::ComplexType),
                "simpleType" => Some(Origin::SimpleType),
                "element" if node.attr("type").is_none() && self.inline_type(node).is_some() => {
                    Some(Origin::Element)
                }
                _ => None,
            };
            if let Some(origin) = allocate {
                let id = self.allocate(node, name.to_owned(), origin);
                self.type_of_node.insert(c, id);
            }
        }
    }

    fn inline_type(&self, node: &Node) -> Option<&'d Node> {
        node.children
            .iter()
            .map(|&c| self.node(c))
            .find(|n| n.is(XS, "complexType") || n.is(XS, "simpleType"))
    }

    fn allocate(&mut self, node: &Node, name: String, origin: Origin) -> usize {
        let guid = node.attr_ns(SERES, "guid").map(|g| g.trim().to_owned());
        let or_id = match self.variant {
            Variant::Or => or_id(&name),
            _ => None,
        }
        .or_else(|| {
            node.attr_ns(SERES, "orid")
                .map(|o| (OrKind::Datadef, o.trim().to_owned()))
        });
        let mut texts = self.texts_of(node);
        if let Some(description) = node.attr_ns(SERES, "beskrivelse") {
            texts
                .descriptions
                .push((self.lang.clone(), collapse(description)));
        }
        self.types.push(TypeDef {
            name,
            origin,
            guid: guid.filter(|g| !g.is_empty()),
            or_id,
            elementtype: node.attr_ns(SERES, "elementtype").map(str::to_owned),
            texts,
            line: node.line,
            body: Body::Pending,
        });
        self.types.len() - 1
    }

    fn fill_top_level(&mut self) {
        let mut entries: Vec<(usize, usize)> =
            self.type_of_node.iter().map(|(&n, &t)| (n, t)).collect();
        entries.sort_unstable();
        for (node_id, type_id) in entries {
            let node = self.node(node_id);
            let body = match self.types[type_id].origin {
                Origin::SimpleType => Body::Simple(Box::new(self.simple_def(node))),
                Origin::ComplexType => self.complex_body(node, type_id),
                _ => match self.inline_type(node) {
                    Some(inner) if inner.local == "simpleType" => {
                        Body::Simple(Box::new(self.simple_def(inner)))
                    }
                    Some(inner) => self.complex_body(inner, type_id),
                    None => Body::Simple(Box::new(SimpleDef {
                        base: TypeRef::Builtin("anyType".to_owned()),
                        facets: Facets::default(),
                        enumeration: Vec::new(),
                    })),
                },
            };
            self.types[type_id].body = body;
        }
    }

    /// The root elements: global elements no `ref` points to (all of them if each is referenced).
    fn roots(&mut self) -> Vec<Prop> {
        let root = self.node(0);
        let globals: Vec<usize> = root
            .children
            .iter()
            .copied()
            .filter(|&c| self.node(c).is(XS, "element") && self.node(c).attr("name").is_some())
            .collect();
        let unreferenced: Vec<usize> = globals
            .iter()
            .copied()
            .filter(|&c| {
                self.node(c)
                    .attr("name")
                    .is_some_and(|n| !self.referenced_elements.contains(n))
            })
            .collect();
        let chosen = if unreferenced.is_empty() {
            globals.into_iter().take(1).collect()
        } else {
            unreferenced
        };
        chosen
            .into_iter()
            .filter_map(|c| {
                let node = self.node(c);
                let mut prop = self.element_prop(node, usize::MAX, false)?;
                prop.min = 1;
                prop.max = Some(1);
                Some(prop)
            })
            .collect()
    }

    /// Texts from an `xs:annotation` child of a node.
    fn texts_of(&self, node: &Node) -> Texts {
        let mut texts = Texts::default();
        for &a in &node.children {
            let annotation = self.node(a);
            if !annotation.is(XS, "annotation") {
                continue;
            }
            for &d in &annotation.children {
                let documentation = self.node(d);
                if !documentation.is(XS, "documentation") {
                    continue;
                }
                let lang = documentation
                    .attr_ns(XML, "lang")
                    .map_or_else(|| self.lang.clone(), |l| l.to_ascii_lowercase());
                let mut structured = false;
                for &t in &documentation.children {
                    let child = self.node(t);
                    structured = true;
                    if !child.is(BRREG, "tekst") {
                        continue;
                    }
                    let mut pieces = Vec::new();
                    node_text(self.doc, child, &mut pieces);
                    let text = pieces.join("\n");
                    if text.is_empty() {
                        continue;
                    }
                    let lang = child
                        .attr_ns(BRREG, "lang")
                        .map_or_else(|| lang.clone(), language_tag);
                    let entry = (lang, text);
                    match child.attr_ns(BRREG, "teksttype").unwrap_or("") {
                        "LEDE" => texts.labels.push(entry),
                        "DEF" => texts.descriptions.push(entry),
                        "HJELP" => texts.help.push(entry),
                        _ => texts.notes.push(entry),
                    }
                }
                let plain = collapse(&documentation.text);
                if !structured && !plain.is_empty() {
                    texts.descriptions.push((lang, plain));
                }
            }
        }
        texts
    }

    /// Resolves a QName-valued attribute (`type`, `base`) to a type.
    fn resolve_type(&mut self, node: &Node, attribute: &str) -> Option<TypeRef> {
        let (ns, local) = node.qname_attr(attribute)?;
        if ns == Some(XS) {
            return Some(TypeRef::Builtin(local.to_owned()));
        }
        let found = self
            .complex
            .get(local)
            .or_else(|| self.simple.get(local))
            .and_then(|n| self.type_of_node.get(n))
            .copied();
        Some(match found {
            Some(id) => TypeRef::Type(id),
            None => {
                let written = node.attr(attribute).unwrap_or(local).to_owned();
                self.warn(
                    node,
                    format!(
                        "the type {written} is not defined in this file (an xs:import not given?); \
                         kept unresolved"
                    ),
                );
                TypeRef::Unresolved(written)
            }
        })
    }

    fn complex_body(&mut self, node: &'d Node, type_id: usize) -> Body {
        let mut props = Vec::new();
        let mut extends = None;
        let mut restricts = None;
        let mut any_attribute = false;
        for &c in &node.children {
            let child = self.node(c);
            if child.ns.as_deref() != Some(XS) {
                continue;
            }
            match child.local.as_str() {
                "annotation" => {}
                "sequence" | "all" | "choice" => {
                    self.particles(child, type_id, &mut props, false);
                }
                "attribute" => self.push_attribute(child, type_id, &mut props),
                "anyAttribute" => any_attribute = true,
                "simpleContent" => self.simple_content(
                    child,
                    type_id,
                    &mut props,
                    &mut extends,
                    &mut any_attribute,
                ),
                "complexContent" => {
                    for &d in &child.children {
                        let derivation = self.node(d);
                        let is_extension = derivation.is(XS, "extension");
                        if !is_extension && !derivation.is(XS, "restriction") {
                            continue;
                        }
                        let base = self.resolve_type(derivation, "base");
                        let base =
                            base.filter(|b| !matches!(b, TypeRef::Builtin(n) if n == "anyType"));
                        if is_extension {
                            extends = base;
                        } else {
                            restricts = base;
                        }
                        for &e in &derivation.children {
                            let inner = self.node(e);
                            match inner.local.as_str() {
                                "sequence" | "all" | "choice" => {
                                    self.particles(inner, type_id, &mut props, false)
                                }
                                "attribute" => self.push_attribute(inner, type_id, &mut props),
                                "anyAttribute" => any_attribute = true,
                                "annotation" => {}
                                other => self.warn(
                                    inner,
                                    format!(
                                        "xs:{other} in complex content is not supported; skipped"
                                    ),
                                ),
                            }
                        }
                    }
                }
                other => self.warn(
                    child,
                    format!("xs:{other} in a complex type is not supported; skipped"),
                ),
            }
        }
        Body::Object {
            props,
            extends,
            restricts,
            any_attribute,
        }
    }

    fn simple_content(
        &mut self,
        node: &'d Node,
        type_id: usize,
        props: &mut Vec<Prop>,
        extends: &mut Option<TypeRef>,
        any_attribute: &mut bool,
    ) {
        for &d in &node.children {
            let derivation = self.node(d);
            let is_extension = derivation.is(XS, "extension");
            if !is_extension && !derivation.is(XS, "restriction") {
                continue;
            }
            let base = self
                .resolve_type(derivation, "base")
                .unwrap_or_else(|| TypeRef::Builtin("anySimpleType".to_owned()));
            let base_is_complex = matches!(&base, TypeRef::Type(id) if self.types[*id].is_object());
            let value_type = if is_extension {
                if base_is_complex {
                    *extends = Some(base);
                    None
                } else {
                    Some(base)
                }
            } else {
                // A restriction of a complex type with simple content: the value is narrowed.
                let mut def = SimpleDef {
                    base: base.clone(),
                    facets: Facets::default(),
                    enumeration: Vec::new(),
                };
                self.restriction_steps(derivation, &mut def);
                if base_is_complex {
                    *extends = Some(base);
                }
                Some(TypeRef::Inline(Box::new(def)))
            };
            if let Some(ty) = value_type {
                props.push(Prop {
                    name: "value".to_owned(),
                    kind: PropKind::Text,
                    min: 1,
                    max: Some(1),
                    nillable: false,
                    fixed: None,
                    default: None,
                    ty,
                    guid: None,
                    elementtype: None,
                    texts: Texts::default(),
                    line: derivation.line,
                });
            }
            for &e in &derivation.children {
                let inner = self.node(e);
                match inner.local.as_str() {
                    "attribute" => self.push_attribute(inner, type_id, props),
                    "anyAttribute" => *any_attribute = true,
                    _ => {}
                }
            }
        }
    }

    /// Elements of a sequence / choice / all, flattened into the type's properties.
    fn particles(&mut self, node: &'d Node, type_id: usize, props: &mut Vec<Prop>, optional: bool) {
        let in_choice = node.local == "choice";
        if in_choice {
            self.warn(
                node,
                "xs:choice is imported as a sequence of optional properties (the choice itself \
                 is not kept)",
            );
        }
        let optional = optional || in_choice || node.attr("minOccurs") == Some("0");
        for &c in &node.children {
            let child = self.node(c);
            if child.ns.as_deref() != Some(XS) {
                continue;
            }
            match child.local.as_str() {
                "element" => {
                    if let Some(mut prop) = self.element_prop(child, type_id, true) {
                        if optional {
                            prop.min = 0;
                        }
                        props.push(prop);
                    }
                }
                "sequence" | "choice" | "all" => self.particles(child, type_id, props, optional),
                "annotation" => {}
                "any" => self.warn(child, "xs:any (any element) is not supported; skipped"),
                other => self.warn(child, format!("xs:{other} is not supported; skipped")),
            }
        }
    }

    fn occurs(&mut self, node: &Node) -> (u64, Option<u64>) {
        let min = match node.attr("minOccurs").map(str::trim) {
            None => 1,
            Some(v) => v.parse().unwrap_or_else(|_| {
                self.warn(
                    node,
                    format!("minOccurs=\"{v}\" is not a number; 1 is used"),
                );
                1
            }),
        };
        let max = match node.attr("maxOccurs").map(str::trim) {
            None => Some(1),
            Some("unbounded") => None,
            Some(v) => Some(v.parse().unwrap_or_else(|_| {
                self.warn(
                    node,
                    format!("maxOccurs=\"{v}\" is not a number; 1 is used"),
                );
                1
            })),
        };
        (min, max)
    }

    /// A property for an `xs:element` (local, by `ref`, or a root when `owner` is `usize::MAX`).
    fn element_prop(&mut self, node: &'d Node, owner: usize, local: bool) -> Option<Prop> {
        let (min, max) = if local {
            self.occurs(node)
        } else {
            (1, Some(1))
        };
        let mut texts = self.texts_of(node);
        if let Some(description) = node.attr_ns(SERES, "beskrivelse") {
            texts
                .descriptions
                .push((self.lang.clone(), collapse(description)));
        }
        let mut guid = node.attr_ns(SERES, "guid").map(str::to_owned);
        let mut elementtype = node.attr_ns(SERES, "elementtype").map(str::to_owned);
        let mut nillable = node.attr("nillable") == Some("true");
        let mut fixed = node.attr("fixed").map(str::to_owned);
        let mut default = node.attr("default").map(str::to_owned);
        let (name, ty) = if let Some((_, target)) = node.qname_attr("ref") {
            self.referenced_elements.insert(target.to_owned());
            let Some(&global) = self.elements.get(target) else {
                self.warn(
                    node,
                    format!(
                        "refers to the element {target}, which is not declared in this file \
                         (an xs:import not given?); kept without a type"
                    ),
                );
                return Some(self.prop(
                    target,
                    PropKind::Element,
                    (min, max),
                    node,
                    texts,
                    guid,
                    elementtype,
                    TypeRef::Unresolved(target.to_owned()),
                ));
            };
            let declaration = self.node(global);
            guid = guid.or_else(|| declaration.attr_ns(SERES, "guid").map(str::to_owned));
            elementtype = elementtype
                .or_else(|| declaration.attr_ns(SERES, "elementtype").map(str::to_owned));
            nillable |= declaration.attr("nillable") == Some("true");
            fixed = fixed.or_else(|| declaration.attr("fixed").map(str::to_owned));
            default = default.or_else(|| declaration.attr("default").map(str::to_owned));
            let ty = match self.type_of_node.get(&global) {
                Some(&id) => TypeRef::Type(id),
                None => {
                    let own = self.texts_of(declaration);
                    texts.descriptions.extend(own.descriptions);
                    texts.labels.extend(own.labels);
                    texts.help.extend(own.help);
                    texts.notes.extend(own.notes);
                    self.declared_type(declaration, owner, target)
                }
            };
            (target.to_owned(), ty)
        } else {
            let Some(name) = node.attr("name") else {
                self.warn(node, "an xs:element without name or ref; skipped");
                return None;
            };
            let global = self
                .elements
                .get(name)
                .and_then(|n| self.type_of_node.get(n));
            let ty = if owner == usize::MAX {
                match global {
                    Some(&id) => TypeRef::Type(id),
                    None => self.declared_type(node, owner, name),
                }
            } else {
                self.declared_type(node, owner, name)
            };
            (name.to_owned(), ty)
        };
        let mut prop = self.prop(
            &name,
            PropKind::Element,
            (min, max),
            node,
            texts,
            guid,
            elementtype,
            ty,
        );
        prop.nillable = nillable;
        prop.fixed = fixed;
        prop.default = default;
        Some(prop)
    }

    #[expect(clippy::too_many_arguments, reason = "a plain constructor")]
    fn prop(
        &self,
        name: &str,
        kind: PropKind,
        (min, max): (u64, Option<u64>),
        node: &Node,
        texts: Texts,
        guid: Option<String>,
        elementtype: Option<String>,
        ty: TypeRef,
    ) -> Prop {
        Prop {
            name: name.to_owned(),
            kind,
            min,
            max,
            nillable: false,
            fixed: node.attr("fixed").map(str::to_owned),
            default: node.attr("default").map(str::to_owned),
            ty,
            guid,
            elementtype,
            texts,
            line: node.line,
        }
    }

    /// The type of an element or attribute declaration: `type=`, an inline type, or anyType.
    fn declared_type(&mut self, node: &'d Node, owner: usize, name: &str) -> TypeRef {
        if let Some(ty) = self.resolve_type(node, "type") {
            return ty;
        }
        match self.inline_type(node) {
            Some(inner) if inner.local == "simpleType" => {
                TypeRef::Inline(Box::new(self.simple_def(inner)))
            }
            Some(inner) => {
                let kind = if node.local == "attribute" {
                    PropKind::Attribute
                } else {
                    PropKind::Element
                };
                let origin = if owner == usize::MAX {
                    Origin::Element
                } else {
                    Origin::Local(owner, name.to_owned(), kind)
                };
                let id = self.allocate(inner, name.to_owned(), origin);
                let body = self.complex_body(inner, id);
                self.types[id].body = body;
                TypeRef::Type(id)
            }
            None => TypeRef::Builtin(if node.local == "attribute" {
                "anySimpleType".to_owned()
            } else {
                "anyType".to_owned()
            }),
        }
    }

    fn push_attribute(&mut self, node: &'d Node, owner: usize, props: &mut Vec<Prop>) {
        let use_ = node.attr("use").unwrap_or("optional");
        if use_ == "prohibited" {
            return;
        }
        let occurs = (u64::from(use_ == "required"), Some(1));
        let texts = self.texts_of(node);
        let guid = node.attr_ns(SERES, "guid").map(str::to_owned);
        let elementtype = node.attr_ns(SERES, "elementtype").map(str::to_owned);
        if let Some((ns, target)) = node.qname_attr("ref") {
            let ty = match self.attributes.get(target) {
                Some(&global) if ns != Some(SERES) => {
                    let declaration = self.node(global);
                    self.declared_type(declaration, owner, target)
                }
                _ => {
                    let written = node.attr("ref").unwrap_or(target);
                    self.warn(
                        node,
                        format!(
                            "refers to the attribute {written}, which is not declared in this \
                             file (an xs:import not given?); imported as a string"
                        ),
                    );
                    TypeRef::Builtin("string".to_owned())
                }
            };
            props.push(self.prop(
                target,
                PropKind::Attribute,
                occurs,
                node,
                texts,
                guid,
                elementtype,
                ty,
            ));
            return;
        }
        let Some(name) = node.attr("name") else {
            self.warn(node, "an xs:attribute without name or ref; skipped");
            return;
        };
        let ty = self.declared_type(node, owner, name);
        props.push(self.prop(
            name,
            PropKind::Attribute,
            occurs,
            node,
            texts,
            guid,
            elementtype,
            ty,
        ));
    }

    /// A simple type: restriction (facets, enumeration), or list / union (not supported).
    fn simple_def(&mut self, node: &'d Node) -> SimpleDef {
        let mut def = SimpleDef {
            base: TypeRef::Builtin("anySimpleType".to_owned()),
            facets: Facets::default(),
            enumeration: Vec::new(),
        };
        for &c in &node.children {
            let child = self.node(c);
            match child.local.as_str() {
                "restriction" => {
                    def.base = match self.resolve_type(child, "base") {
                        Some(base) => base,
                        None => match self.inline_type(child) {
                            Some(inner) if inner.local == "simpleType" => {
                                TypeRef::Inline(Box::new(self.simple_def(inner)))
                            }
                            _ => TypeRef::Builtin("anySimpleType".to_owned()),
                        },
                    };
                    self.restriction_steps(child, &mut def);
                }
                "list" => {
                    self.warn(child, "xs:list is not supported; imported as a string");
                    def.base = TypeRef::Builtin("string".to_owned());
                }
                "union" => {
                    self.warn(child, "xs:union is not supported; imported as a string");
                    def.base = TypeRef::Builtin("string".to_owned());
                }
                _ => {}
            }
        }
        def
    }

    /// Facets and enumerations of one `xs:restriction`.
    fn restriction_steps(&mut self, node: &'d Node, def: &mut SimpleDef) {
        for &c in &node.children {
            let facet = self.node(c);
            if facet.ns.as_deref() != Some(XS) {
                continue;
            }
            let value = facet.attr("value").map(|v| v.to_owned());
            let slot = match facet.local.as_str() {
                "length" => &mut def.facets.length,
                "minLength" => &mut def.facets.min_length,
                "maxLength" => &mut def.facets.max_length,
                "totalDigits" => &mut def.facets.total_digits,
                "fractionDigits" => &mut def.facets.fraction_digits,
                "minInclusive" => &mut def.facets.min_inclusive,
                "maxInclusive" => &mut def.facets.max_inclusive,
                "minExclusive" => &mut def.facets.min_exclusive,
                "maxExclusive" => &mut def.facets.max_exclusive,
                "pattern" => {
                    if let Some(value) = value {
                        def.facets.patterns.push(value);
                    }
                    continue;
                }
                "enumeration" => {
                    let Some(value) = value else {
                        self.warn(facet, "an xs:enumeration without value; skipped");
                        continue;
                    };
                    let mut texts = self.texts_of(facet);
                    // A plain documentation of an enumeration value is its label.
                    if texts.labels.is_empty() && !texts.descriptions.is_empty() {
                        texts.labels = std::mem::take(&mut texts.descriptions);
                    }
                    def.enumeration.push(EnumValue {
                        value,
                        texts,
                        guid: facet.attr_ns(SERES, "guid").map(str::to_owned),
                        line: facet.line,
                    });
                    continue;
                }
                "whiteSpace" | "annotation" | "simpleType" | "attribute" | "anyAttribute"
                | "attributeGroup" => continue,
                other => {
                    self.warn(
                        facet,
                        format!("the facet xs:{other} is not supported; skipped"),
                    );
                    continue;
                }
            };
            match value {
                Some(v) => *slot = Some(v.trim().to_owned()),
                None => self.warn(facet, "a facet without value; skipped"),
            }
        }
    }
}
