//! XSD from an export model: one file with no `xs:import` / `xs:include` and no unions, in the
//! shape SERES and Altinn Studio use (named complex and simple types, a global element per
//! root, attributes after the sequence), so Altinn Studio accepts it as a data model.
//!
//! Code lists are always written as `xsd:enumeration`s (XSD has no reference to a list
//! elsewhere); facets are written as they are stored (the XSD pattern unanchored).

use super::model::{Body, ExportModel, Facets, Prop, SimpleDef, Subject, Value, XmlKind};
use super::ExportOptions;
use std::collections::HashSet;
use std::fmt::Write as _;

/// Escapes text for an XML attribute value or element content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether a name is an XML NCName (so it can be an element or attribute name as it is).
pub fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn xml_name(name: &str) -> String {
    if is_ncname(name) {
        name.to_owned()
    } else {
        super::model::safe_name(name)
    }
}

struct Writer<'m> {
    model: &'m ExportModel,
    out: String,
    /// Simple types made for the text of complex types with simple content.
    extra: Vec<(String, SimpleDef)>,
    names: HashSet<String>,
}

/// Writes the XSD of a type or model.
pub fn write(model: &ExportModel, options: &ExportOptions) -> String {
    let _ = options;
    let mut w = Writer {
        model,
        out: String::new(),
        extra: Vec::new(),
        names: model
            .types
            .iter()
            .map(|t| t.name.clone())
            .chain(model.lists.iter().map(|l| l.name.clone()))
            .collect(),
    };
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"");
    if let Some(namespace) = &model.namespace {
        let ns = escape(namespace);
        let _ = write!(w.out, " targetNamespace=\"{ns}\" xmlns=\"{ns}\"");
    }
    w.out
        .push_str(" elementFormDefault=\"qualified\" attributeFormDefault=\"unqualified\">\n");
    w.documentation(1, model.title.as_deref(), model.description.as_deref());
    match model.subject {
        Subject::Type => {
            if let Some(id) = model.root_type {
                let ty = &model.types[id];
                let _ = writeln!(
                    w.out,
                    "  <xsd:element name=\"{0}\" type=\"{0}\" />",
                    ty.name
                );
            }
        }
        Subject::Model => {
            if model.roots.is_empty() {
                // A model without root elements: an element for every object type, so each
                // can be a document.
                for ty in &model.types {
                    if matches!(ty.body, Body::Object(_)) {
                        let _ = writeln!(
                            w.out,
                            "  <xsd:element name=\"{0}\" type=\"{0}\" />",
                            ty.name
                        );
                    }
                }
            }
            for root in &model.roots {
                w.element(1, root, true);
            }
        }
    }
    for id in 0..model.types.len() {
        w.type_def(id);
    }
    let mut i = 0;
    while i < w.extra.len() {
        let (name, def) = w.extra[i].clone();
        let _ = writeln!(w.out, "  <xsd:simpleType name=\"{name}\">");
        w.restriction(2, &def);
        w.out.push_str("  </xsd:simpleType>\n");
        i += 1;
    }
    w.out.push_str("</xsd:schema>\n");
    w.out
}

fn indent(level: usize) -> String {
    "  ".repeat(level)
}

fn occurs(prop: &Prop, global: bool) -> String {
    if global {
        return String::new();
    }
    let mut out = String::new();
    if prop.min != 1 {
        let _ = write!(out, " minOccurs=\"{}\"", prop.min);
    }
    match prop.max {
        Some(1) => {}
        Some(max) => {
            let _ = write!(out, " maxOccurs=\"{max}\"");
        }
        None => out.push_str(" maxOccurs=\"unbounded\""),
    }
    out
}

impl Writer<'_> {
    fn documentation(&mut self, level: usize, title: Option<&str>, description: Option<&str>) {
        let texts: Vec<&str> = [title, description].into_iter().flatten().collect();
        if texts.is_empty() {
            return;
        }
        let pad = indent(level);
        let _ = writeln!(self.out, "{pad}<xsd:annotation>");
        for text in texts {
            let _ = writeln!(
                self.out,
                "{pad}  <xsd:documentation>{}</xsd:documentation>",
                escape(text)
            );
        }
        let _ = writeln!(self.out, "{pad}</xsd:annotation>");
    }

    fn unique(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{wanted}_{n}");
            n += 1;
        }
        name
    }

    fn builtin_name(builtin: &str) -> String {
        format!("xsd:{builtin}")
    }

    /// The `type="..."` of a value, if it can be named (else it is written inline).
    fn type_attr(&self, value: &Value, attribute: bool) -> Option<String> {
        match value {
            Value::Object(id) | Value::Simple(id) => Some(self.model.types[*id].name.clone()),
            Value::Inline(def) if def.facets == Facets::default() && def.list.is_none() => {
                Some(Self::builtin_name(&def.builtin))
            }
            Value::Inline(_) => None,
            Value::Any if attribute => Some("xsd:anySimpleType".to_owned()),
            Value::Any => Some("xsd:anyType".to_owned()),
        }
    }

    fn value_attrs(prop: &Prop) -> String {
        let mut out = String::new();
        if let Some(fixed) = &prop.fixed {
            let _ = write!(out, " fixed=\"{}\"", escape(fixed));
        } else if let Some(default) = &prop.default {
            let _ = write!(out, " default=\"{}\"", escape(default));
        }
        out
    }

    fn element(&mut self, level: usize, prop: &Prop, global: bool) {
        let pad = indent(level);
        let name = xml_name(&prop.name);
        let nillable = if prop.nillable {
            " nillable=\"true\""
        } else {
            ""
        };
        let head = format!(
            "{pad}<xsd:element name=\"{name}\"{}{nillable}{}",
            occurs(prop, global),
            Self::value_attrs(prop)
        );
        let has_docs = prop.title.is_some() || prop.description.is_some();
        match self.type_attr(&prop.value, false) {
            Some(ty) if !has_docs => {
                let _ = writeln!(self.out, "{head} type=\"{ty}\" />");
            }
            Some(ty) => {
                let _ = writeln!(self.out, "{head} type=\"{ty}\">");
                self.documentation(
                    level + 1,
                    prop.title.as_deref(),
                    prop.description.as_deref(),
                );
                let _ = writeln!(self.out, "{pad}</xsd:element>");
            }
            None => {
                let _ = writeln!(self.out, "{head}>");
                self.documentation(
                    level + 1,
                    prop.title.as_deref(),
                    prop.description.as_deref(),
                );
                if let Value::Inline(def) = &prop.value {
                    let _ = writeln!(self.out, "{pad}  <xsd:simpleType>");
                    self.restriction(level + 2, def);
                    let _ = writeln!(self.out, "{pad}  </xsd:simpleType>");
                }
                let _ = writeln!(self.out, "{pad}</xsd:element>");
            }
        }
    }

    fn attribute(&mut self, level: usize, prop: &Prop) {
        let pad = indent(level);
        let name = xml_name(&prop.name);
        // XSD forbids a default on a required attribute.
        let required = if prop.min >= 1 && prop.default.is_none() {
            " use=\"required\""
        } else {
            ""
        };
        let head = format!(
            "{pad}<xsd:attribute name=\"{name}\"{required}{}",
            Self::value_attrs(prop)
        );
        match (&prop.value, self.type_attr(&prop.value, true)) {
            (Value::Object(_), _) => {
                // An attribute cannot hold an object; the source was inconsistent.
                let _ = writeln!(self.out, "{head} type=\"xsd:string\" />");
            }
            (_, Some(ty)) => {
                let _ = writeln!(self.out, "{head} type=\"{ty}\" />");
            }
            (Value::Inline(def), None) => {
                let _ = writeln!(self.out, "{head}>");
                let _ = writeln!(self.out, "{pad}  <xsd:simpleType>");
                self.restriction(level + 2, def);
                let _ = writeln!(self.out, "{pad}  </xsd:simpleType>");
                let _ = writeln!(self.out, "{pad}</xsd:attribute>");
            }
            _ => {
                let _ = writeln!(self.out, "{head} type=\"xsd:string\" />");
            }
        }
    }

    fn restriction(&mut self, level: usize, def: &SimpleDef) {
        let pad = indent(level);
        let has_codes = def
            .list
            .is_some_and(|l| !self.model.lists[l].codes.is_empty());
        if def.facets == Facets::default() && !has_codes {
            let _ = writeln!(
                self.out,
                "{pad}<xsd:restriction base=\"{}\" />",
                Self::builtin_name(&def.builtin)
            );
            return;
        }
        let _ = writeln!(
            self.out,
            "{pad}<xsd:restriction base=\"{}\">",
            Self::builtin_name(&def.builtin)
        );
        let f = &def.facets;
        let mut facet = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                let _ = writeln!(
                    self.out,
                    "{pad}  <xsd:{name} value=\"{}\" />",
                    escape(&value)
                );
            }
        };
        let text = |v: &Option<u64>| v.map(|n| n.to_string());
        facet("length", text(&f.length));
        facet("minLength", text(&f.min_length));
        facet("maxLength", text(&f.max_length));
        facet("totalDigits", text(&f.total_digits));
        facet("fractionDigits", text(&f.fraction_digits));
        facet("minInclusive", f.min_inclusive.clone());
        facet("maxInclusive", f.max_inclusive.clone());
        facet("minExclusive", f.min_exclusive.clone());
        facet("maxExclusive", f.max_exclusive.clone());
        facet("pattern", f.pattern.clone());
        if let Some(list) = def.list {
            for code in &self.model.lists[list].codes {
                match &code.label {
                    Some(label) => {
                        let _ = writeln!(
                            self.out,
                            "{pad}  <xsd:enumeration value=\"{}\">\n{pad}    <xsd:annotation>\n{pad}      <xsd:documentation>{}</xsd:documentation>\n{pad}    </xsd:annotation>\n{pad}  </xsd:enumeration>",
                            escape(&code.value),
                            escape(label)
                        );
                    }
                    None => {
                        let _ = writeln!(
                            self.out,
                            "{pad}  <xsd:enumeration value=\"{}\" />",
                            escape(&code.value)
                        );
                    }
                }
            }
        }
        let _ = writeln!(self.out, "{pad}</xsd:restriction>");
    }

    fn type_def(&mut self, id: usize) {
        let ty = &self.model.types[id];
        match &ty.body {
            Body::Simple(def) => {
                let _ = writeln!(self.out, "  <xsd:simpleType name=\"{}\">", ty.name);
                self.documentation(2, ty.title.as_deref(), ty.description.as_deref());
                self.restriction(2, def);
                self.out.push_str("  </xsd:simpleType>\n");
            }
            Body::Object(def) => {
                let _ = writeln!(self.out, "  <xsd:complexType name=\"{}\">", ty.name);
                self.documentation(2, ty.title.as_deref(), ty.description.as_deref());
                let elements: Vec<&Prop> = def
                    .props
                    .iter()
                    .filter(|p| p.xml == XmlKind::Element)
                    .collect();
                let attributes: Vec<&Prop> = def
                    .props
                    .iter()
                    .filter(|p| p.xml == XmlKind::Attribute)
                    .collect();
                let text = def.props.iter().find(|p| p.xml == XmlKind::Text);
                let mut level = 2;
                if let Some(text) = text {
                    // Simple content: the text's type is extended with the attributes.
                    let base = match self.type_attr(&text.value, true) {
                        Some(name) => name,
                        None => {
                            let name = self.unique(&format!("{}_value", ty.name));
                            if let Value::Inline(def) = &text.value {
                                self.extra.push((name.clone(), (**def).clone()));
                            }
                            name
                        }
                    };
                    let _ = writeln!(
                        self.out,
                        "    <xsd:simpleContent>\n      <xsd:extension base=\"{base}\">"
                    );
                    for attribute in attributes {
                        self.attribute(4, attribute);
                    }
                    if def.any_attribute {
                        self.out.push_str("        <xsd:anyAttribute />\n");
                    }
                    self.out
                        .push_str("      </xsd:extension>\n    </xsd:simpleContent>\n");
                    self.out.push_str("  </xsd:complexType>\n");
                    return;
                }
                if let Some(base) = def.base {
                    let base = self.model.types[base].name.clone();
                    let _ = writeln!(
                        self.out,
                        "    <xsd:complexContent>\n      <xsd:extension base=\"{base}\">"
                    );
                    level = 4;
                }
                let pad = indent(level);
                if !elements.is_empty() {
                    let _ = writeln!(self.out, "{pad}<xsd:sequence>");
                    for element in elements {
                        self.element(level + 1, element, false);
                    }
                    let _ = writeln!(self.out, "{pad}</xsd:sequence>");
                }
                for attribute in attributes {
                    self.attribute(level, attribute);
                }
                if def.any_attribute {
                    let _ = writeln!(self.out, "{pad}<xsd:anyAttribute />");
                }
                if def.base.is_some() {
                    self.out
                        .push_str("      </xsd:extension>\n    </xsd:complexContent>\n");
                }
                self.out.push_str("  </xsd:complexType>\n");
            }
        }
    }
}
