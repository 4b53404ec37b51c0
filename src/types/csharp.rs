//! C# classes from an export model, in the shape Altinn apps use for their data models:
//! `XmlRoot` on the root type, `XmlElement` (with `Order`) / `XmlAttribute` / `XmlText` and
//! `JsonPropertyName` on every property, validation attributes (`Required`, `MinLength`,
//! `MaxLength`, `RegularExpression`, `Range`) from the facets, and code lists as C# enums
//! (`XmlEnum` and `JsonStringEnumMemberName` keep the codes) up to the enum threshold.

use super::json_schema::{anchored, builtin};
use super::model::{Body, ExportModel, Prop, SimpleDef, Subject, TypeDef, Value, XmlKind};
use super::ExportOptions;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// The C# namespace of generated classes (as Altinn apps name theirs).
pub const NAMESPACE: &str = "Altinn.App.Models";

const KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "base",
    "bool",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "checked",
    "class",
    "const",
    "continue",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "else",
    "enum",
    "event",
    "explicit",
    "extern",
    "false",
    "finally",
    "fixed",
    "float",
    "for",
    "foreach",
    "goto",
    "if",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "new",
    "null",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "ref",
    "return",
    "sbyte",
    "sealed",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "virtual",
    "void",
    "volatile",
    "while",
];

/// A C# identifier for a name (letters, digits and `_`; keywords get an `@`).
pub fn identifier(name: &str) -> String {
    let safe = super::model::code_identifier(name);
    if KEYWORDS.contains(&safe.as_str()) {
        format!("@{safe}")
    } else {
        safe
    }
}

fn string_literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn verbatim(text: &str) -> String {
    format!("@\"{}\"", text.replace('"', "\"\""))
}

fn comment(text: &str) -> String {
    text.replace("*/", "* /")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', " ")
}

/// The C# type of a built-in XSD type, and whether it is a value type.
fn clr_type(builtin_name: &str) -> (&'static str, bool) {
    match builtin_name {
        "int" => ("int", true),
        "short" => ("short", true),
        "byte" => ("sbyte", true),
        "unsignedByte" => ("byte", true),
        "unsignedShort" => ("ushort", true),
        "unsignedInt" => ("uint", true),
        "unsignedLong" => ("ulong", true),
        "integer" | "long" | "nonNegativeInteger" | "positiveInteger" | "negativeInteger"
        | "nonPositiveInteger" => ("long", true),
        "decimal" => ("decimal", true),
        "double" => ("double", true),
        "float" => ("float", true),
        "boolean" => ("bool", true),
        "dateTime" | "date" => ("DateTime", true),
        _ => ("string", false),
    }
}

struct Writer<'m> {
    model: &'m ExportModel,
    options: &'m ExportOptions,
    out: String,
    /// C# enum name per code list id, for the lists that become enums.
    enums: BTreeMap<usize, (String, String)>,
}

/// Writes C# classes for a type or model.
pub fn write(model: &ExportModel, options: &ExportOptions) -> String {
    write_in(model, options, NAMESPACE)
}

/// Writes C# classes for a type or model in a namespace of choice (an Altinn app's data model
/// lives in `Altinn.App.Models.<Model>`).
pub fn write_in(model: &ExportModel, options: &ExportOptions, namespace: &str) -> String {
    let mut w = Writer {
        model,
        options,
        out: String::new(),
        enums: BTreeMap::new(),
    };
    w.plan_enums();
    w.out.push_str(
        "#nullable disable\nusing System;\nusing System.Collections.Generic;\nusing System.ComponentModel.DataAnnotations;\nusing System.Text.Json.Serialization;\nusing System.Xml.Serialization;\n\n",
    );
    let _ = writeln!(w.out, "namespace {namespace}\n{{");
    let root_element: Option<(usize, String)> = match model.subject {
        Subject::Type => model.root_type.map(|id| (id, model.types[id].name.clone())),
        Subject::Model => match model.roots.as_slice() {
            [root] => match root.value {
                Value::Object(id) => Some((id, root.name.clone())),
                _ => None,
            },
            _ => None,
        },
    };
    let mut first = true;
    for (id, ty) in model.types.iter().enumerate() {
        if let Body::Object(_) = ty.body {
            if !first {
                w.out.push('\n');
            }
            first = false;
            let root = root_element
                .as_ref()
                .filter(|(root, _)| *root == id)
                .map(|(_, name)| name.as_str());
            w.class(ty, root);
        }
    }
    if model.subject == Subject::Model && model.roots.len() > 1 {
        // Several root elements: a holder class with one property each.
        let holder = Body::Object(super::model::ObjectDef {
            props: model.roots.clone(),
            ..Default::default()
        });
        let ty = TypeDef {
            iri: model.iri.clone(),
            name: format!("{}_roots", model.name),
            title: model.title.clone(),
            description: model.description.clone(),
            external: false,
            body: holder,
        };
        w.out.push('\n');
        w.class(&ty, None);
    }
    let enums: Vec<(usize, (String, String))> =
        w.enums.iter().map(|(k, v)| (*k, v.clone())).collect();
    for (list, (name, builtin_name)) in enums {
        w.out.push('\n');
        w.enumeration(list, &name, &builtin_name);
    }
    w.out.push_str("}\n");
    w.out
}

impl Writer<'_> {
    /// Code lists become C# enums when short enough and of string values.
    fn plan_enums(&mut self) {
        let mut names: HashSet<String> = self
            .model
            .types
            .iter()
            .map(|t| identifier(&t.name))
            .collect();
        let mut simple_defs: Vec<SimpleDef> = Vec::new();
        for ty in &self.model.types {
            match &ty.body {
                Body::Simple(def) => simple_defs.push(def.clone()),
                Body::Object(def) => {
                    for prop in &def.props {
                        if let Value::Inline(def) = &prop.value {
                            simple_defs.push((**def).clone());
                        }
                    }
                }
            }
        }
        for root in &self.model.roots {
            if let Value::Inline(def) = &root.value {
                simple_defs.push((**def).clone());
            }
        }
        for def in simple_defs {
            let Some(list) = def.list else { continue };
            if self.enums.contains_key(&list) {
                continue;
            }
            let codes = &self.model.lists[list].codes;
            if codes.is_empty() || codes.len() > self.options.enum_threshold {
                continue;
            }
            let mut name = identifier(&self.model.lists[list].name);
            while !names.insert(name.clone()) {
                name.push('_');
            }
            self.enums.insert(list, (name, def.builtin.clone()));
        }
    }

    fn enumeration(&mut self, list: usize, name: &str, _builtin: &str) {
        let list = &self.model.lists[list];
        if let Some(title) = &list.title {
            let _ = writeln!(self.out, "  /// <summary>{}</summary>", comment(title));
        }
        let _ = writeln!(
            self.out,
            "  [JsonConverter(typeof(JsonStringEnumConverter))]\n  public enum {name}\n  {{"
        );
        let mut members = HashSet::new();
        for (i, code) in list.codes.iter().enumerate() {
            let mut member = if code.value.is_empty() {
                "Empty".to_owned()
            } else {
                identifier(&code.value)
            };
            while !members.insert(member.clone()) {
                member.push('_');
            }
            if let Some(label) = &code.label {
                let _ = writeln!(self.out, "    /// <summary>{}</summary>", comment(label));
            }
            let _ = writeln!(
                self.out,
                "    [XmlEnum({0})]\n    [JsonStringEnumMemberName({0})]\n    {member}{1}",
                string_literal(&code.value),
                if i + 1 < list.codes.len() { "," } else { "" }
            );
        }
        self.out.push_str("  }\n");
    }

    fn class(&mut self, ty: &TypeDef, root_element: Option<&str>) {
        let Body::Object(def) = &ty.body else {
            return;
        };
        let class = identifier(&ty.name);
        let summary = [ty.title.as_deref(), ty.description.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" — ");
        if !summary.is_empty() {
            let _ = writeln!(self.out, "  /// <summary>{}</summary>", comment(&summary));
        }
        if let Some(root) = root_element {
            match &self.model.namespace {
                Some(ns) => {
                    let _ = writeln!(
                        self.out,
                        "  [XmlRoot(ElementName = {}, Namespace = {})]",
                        string_literal(root),
                        string_literal(ns)
                    );
                }
                None => {
                    let _ = writeln!(
                        self.out,
                        "  [XmlRoot(ElementName = {})]",
                        string_literal(root)
                    );
                }
            }
        }
        let base = def
            .base
            .map(|b| format!(" : {}", identifier(&self.model.types[b].name)))
            .unwrap_or_default();
        let _ = writeln!(self.out, "  public class {class}{base}\n  {{");
        let mut used = HashSet::from([class.clone()]);
        let mut order = 0;
        for (i, prop) in def.props.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            let mut member = identifier(&prop.name);
            while !used.insert(member.clone()) {
                member.push('_');
            }
            if prop.xml == XmlKind::Element {
                order += 1;
            }
            self.property(prop, &member, order);
        }
        self.out.push_str("  }\n");
    }

    fn simple_of<'d>(&'d self, value: &'d Value) -> Option<&'d SimpleDef> {
        match value {
            Value::Simple(id) => match &self.model.types[*id].body {
                Body::Simple(def) => Some(def),
                Body::Object(_) => None,
            },
            Value::Inline(def) => Some(def),
            _ => None,
        }
    }

    fn property(&mut self, prop: &Prop, member: &str, order: usize) {
        let pad = "    ";
        let summary = [prop.title.as_deref(), prop.description.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" — ");
        if !summary.is_empty() {
            let _ = writeln!(
                self.out,
                "{pad}/// <summary>{}</summary>",
                comment(&summary)
            );
        }
        let simple = self.simple_of(&prop.value).cloned();
        let (mut ty, value_type) = match (&prop.value, &simple) {
            (Value::Object(id), _) => (identifier(&self.model.types[*id].name), false),
            (_, Some(def)) => match def.list.and_then(|l| self.enums.get(&l)) {
                Some((name, _)) => (name.clone(), true),
                None => {
                    let (t, v) = clr_type(&def.builtin);
                    (t.to_owned(), v)
                }
            },
            _ => ("string".to_owned(), false),
        };
        let required = prop.min >= 1;
        if prop.is_array() {
            ty = format!("List<{ty}>");
        } else if value_type && (!required || prop.nillable) {
            ty.push('?');
        }
        if required {
            let _ = writeln!(self.out, "{pad}[Required]");
        }
        if let Some(def) = &simple {
            let f = &def.facets;
            let numeric = matches!(builtin(&def.builtin).json_type, Some("integer" | "number"));
            if !numeric && def.list.is_none_or(|l| !self.enums.contains_key(&l)) {
                if let Some(n) = f.length.or(f.min_length).filter(|n| *n > 0) {
                    let _ = writeln!(self.out, "{pad}[MinLength({n})]");
                }
                if let Some(n) = f.length.or(f.max_length) {
                    let _ = writeln!(self.out, "{pad}[MaxLength({n})]");
                }
                if let Some(pattern) = &f.pattern {
                    let _ = writeln!(
                        self.out,
                        "{pad}[RegularExpression({})]",
                        verbatim(&anchored(pattern))
                    );
                }
            }
            if numeric {
                let low = f.min_inclusive.clone().or_else(|| f.min_exclusive.clone());
                let high = f.max_inclusive.clone().or_else(|| f.max_exclusive.clone());
                if low.is_some() || high.is_some() {
                    let _ = writeln!(
                        self.out,
                        "{pad}[Range(typeof(decimal), {}, {})]",
                        string_literal(low.as_deref().unwrap_or("-79228162514264337593543950335")),
                        string_literal(high.as_deref().unwrap_or("79228162514264337593543950335"))
                    );
                }
            }
        }
        let date = simple.as_ref().is_some_and(|d| d.builtin == "date");
        let data_type = if date { ", DataType = \"date\"" } else { "" };
        match prop.xml {
            XmlKind::Element => {
                let _ = writeln!(
                    self.out,
                    "{pad}[XmlElement({}, Order = {order}{data_type})]",
                    string_literal(&prop.name)
                );
            }
            XmlKind::Attribute => {
                let _ = writeln!(
                    self.out,
                    "{pad}[XmlAttribute({}{data_type})]",
                    string_literal(&prop.name)
                );
            }
            XmlKind::Text => {
                let _ = writeln!(self.out, "{pad}[XmlText]");
            }
        }
        let _ = writeln!(
            self.out,
            "{pad}[JsonPropertyName({})]",
            string_literal(&prop.name)
        );
        let initial = match (&prop.fixed, &simple) {
            (Some(fixed), Some(def)) if !prop.is_array() => {
                match def.list.and_then(|l| self.enums.get(&l)) {
                    Some((name, _)) => {
                        let member = if fixed.is_empty() {
                            "Empty".to_owned()
                        } else {
                            identifier(fixed)
                        };
                        format!(" = {name}.{member};")
                    }
                    None => match clr_type(&def.builtin).0 {
                        "string" => format!(" = {};", string_literal(fixed)),
                        "bool" => format!(" = {};", fixed.trim() == "true" || fixed.trim() == "1"),
                        "DateTime" => String::new(),
                        _ if fixed.trim().parse::<f64>().is_err() => String::new(),
                        "decimal" => format!(" = {}m;", fixed.trim()),
                        _ => format!(" = {};", fixed.trim()),
                    },
                }
            }
            _ => String::new(),
        };
        let _ = writeln!(
            self.out,
            "{pad}public {ty} {member} {{ get; set; }}{initial}"
        );
    }
}
