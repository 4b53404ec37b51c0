//! Property paths of a data model and the facts compared for each (required-ness, arrays, max
//! lengths, patterns, enum values, fixed values), read from either side of a comparison with
//! Altinn Studio: the ModellDCAT-AP-NO triples semreg imports an XSD to, or a JSON Schema (Altinn's
//! own conversion, legacy `definitions` or 2020-12 `$defs`, or semreg's export). Shared by the
//! importer's conformance test and the export round-trip tests (included with `#[path]`).
#![allow(dead_code)] // each test uses a different part

use std::collections::{BTreeMap, BTreeSet, HashMap};

use oxrdf::{Term, Triple};
use serde_json::Value;

/// Where the SERES data is, from the manifest directory of the test crate running
/// (`importers/` or the root), read at run time like the other shared-data paths.
pub fn data_dir() -> std::path::PathBuf {
    let manifest_dir =
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR");
    let here = std::path::Path::new(&manifest_dir);
    if here.ends_with("importers") {
        here.join("../../shared/data/seres")
    } else {
        here.join("../shared/data/seres")
    }
}

const M: &str = "https://data.norge.no/vocabulary/modelldcatno#";
const S: &str = "https://w3id.org/semreg/ns#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// Paths deeper than this are not compared (recursive models go on forever).
pub const MAX_DEPTH: usize = 14;

/// The facts compared for one property path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Leaf {
    pub required: bool,
    pub array: bool,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub enumeration: Option<BTreeSet<String>>,
    pub fixed: Option<String>,
}

/// One difference between Altinn's conversion and ours.
#[derive(Debug, Clone)]
pub struct Difference {
    pub path: String,
    pub field: &'static str,
    pub altinn: String,
    pub semreg: String,
}

/// A deliberate difference: the file (name prefix), the field, a test on the difference, why.
pub struct Deliberate {
    pub file: &'static str,
    pub field: &'static str,
    pub applies: fn(&Difference) -> bool,
    pub reason: &'static str,
}

/// A deliberate difference with Altinn's conversion, by the peer itself (shared by every comparison).
/// Paths of RA-0678_M that changed between the XSD version Altinn converted (dataFormatVersion
/// 38916) and the one in the shared data (45918).
pub const RA_0678_CHANGED_SINCE_ALTINNS_VERSION: &[&str] = &[
    "melding/dataFormatVersion",
    "melding/ForetakOgVirksomhetsopplysninger/foretak/adresseForetak/postnummer",
    "melding/ForetakOgVirksomhetsopplysninger/virksomhet/adresseVirksomhet/postnummer",
    "melding/InternInformasjon/identnummerEnhet",
    "melding/InternInformasjon/skjemaidentifikasjon",
    "melding/InternInformasjon/skjemaidentifikasjon/periodeAAr",
    "melding/InternInformasjon/skjemaidentifikasjon/periodenummer",
    "melding/InternInformasjon/skjemaidentifikasjon/periodetype",
    "melding/InternInformasjon/skjemaidentifikasjon/undersoekelsesnummer",
    "melding/InternInformasjon/statistiskEnhet/enhetsAdresse",
    "melding/InternInformasjon/statistiskEnhet/enhetsNavn",
    "melding/InternInformasjon/statistiskEnhet/enhetsPostnummer",
    "melding/InternInformasjon/statistiskEnhet/enhetsPoststed",
    "melding/InternInformasjon/statistiskEnhet/enhetstype",
    "melding/Skjemadata/hjelpeFelt",
    "melding/Skjemadata/hjelpeFelt/hjelpFelt1",
    "melding/Skjemadata/hjelpeFelt/hjelpFelt2",
    "melding/Skjemadata/hjelpeFelt/hjelpFelt3",
    "melding/Skjemadata/hjelpeFelt/hjelpFelt4",
    "melding/Skjemadata/hjelpeFelt/hjelpFelt5",
    "melding/Skjemadata/hjelpeFelt/hjelpFelt6",
    "melding/StatusVirksomhetMedDriftsperiode/driftsstatusPeriode",
];

/// The differences we keep on purpose, with the reason (copied into the README).
pub const DELIBERATE: &[Deliberate] = &[
    Deliberate {
        file: "or",
        field: "path",
        applies: |d| d.path.starts_with("(top-level) ") && d.semreg == "missing",
        reason: "Altinn's legacy converter makes every global element of an OR schema a \
                 top-level property; semreg makes only the root elements (global elements no \
                 ref points to) properties of the model, the others are types reached from them",
    },
    Deliberate {
        file: "or_AFP-01_stateless",
        field: "path",
        applies: |d| {
            matches!(
                d.path.as_str(),
                "Skjema/JobTitle" | "Skjema/queryParam2" | "Skjema/queryParam3"
            ) && d.semreg == "missing"
        },
        reason: "the stateless test app's JSON Schema was edited by hand after conversion: \
                 JobTitle, queryParam2 and queryParam3 are not in the XSD",
    },
    Deliberate {
        file: "RA-0678_M",
        field: "*",
        applies: |d| RA_0678_CHANGED_SINCE_ALTINNS_VERSION.contains(&d.path.as_str()),
        reason: "Altinn's RA-0678_M.schema.json was converted from an older version of the XSD \
                 (fixed dataFormatVersion 38916; the XSD in the data is 45918): these paths \
                 changed between the versions",
    },
];

pub fn deliberate_reason(
    extra: &[Deliberate],
    file: &str,
    difference: &Difference,
) -> Option<&'static str> {
    DELIBERATE
        .iter()
        .chain(extra)
        .find(|d| {
            file.starts_with(d.file)
                && (d.field == "*" || d.field == difference.field)
                && (d.applies)(difference)
        })
        .map(|d| d.reason)
}

// ---------------------------------------------------------------------------------------------
// Our side: walking the imported model over its triples.

pub struct Graph {
    by_subject: HashMap<String, Vec<(String, Term)>>,
}

impl Graph {
    pub fn new(triples: impl IntoIterator<Item = Triple>) -> Self {
        let mut by_subject: HashMap<String, Vec<(String, Term)>> = HashMap::new();
        for t in triples {
            let subject = match &t.subject {
                oxrdf::NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
                oxrdf::NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
            };
            by_subject
                .entry(subject)
                .or_default()
                .push((t.predicate.as_str().to_owned(), t.object.clone()));
        }
        Graph { by_subject }
    }

    fn objects<'g>(&'g self, subject: &str, predicate: &str) -> impl Iterator<Item = &'g Term> {
        let predicate = predicate.to_owned();
        self.by_subject
            .get(subject)
            .into_iter()
            .flatten()
            .filter(move |(p, _)| *p == predicate)
            .map(|(_, o)| o)
    }

    fn iri(&self, subject: &str, predicate: &str) -> Option<String> {
        self.objects(subject, predicate).find_map(|o| match o {
            Term::NamedNode(n) => Some(n.as_str().to_owned()),
            _ => None,
        })
    }

    fn value(&self, subject: &str, predicate: &str) -> Option<String> {
        self.objects(subject, predicate).find_map(|o| match o {
            Term::Literal(l) => Some(l.value().to_owned()),
            _ => None,
        })
    }

    fn has_type(&self, subject: &str, class: &str) -> bool {
        self.objects(subject, RDF_TYPE)
            .any(|o| matches!(o, Term::NamedNode(n) if n.as_str() == class))
    }

    fn codes(&self, list: &str) -> BTreeSet<String> {
        self.by_subject
            .iter()
            .filter(|(_, pos)| {
                pos.iter().any(|(p, o)| {
                    p == &format!("{SKOS}inScheme")
                        && matches!(o, Term::NamedNode(n) if n.as_str() == list)
                })
            })
            .filter_map(|(code, _)| self.value(code, &format!("{SKOS}notation")))
            .collect()
    }
}

pub fn our_paths(graph: &Graph) -> BTreeMap<String, Leaf> {
    let mut out = BTreeMap::new();
    let model = graph
        .by_subject
        .keys()
        .find(|s| graph.has_type(s, &format!("{M}InformationModel")))
        .expect("a model")
        .clone();
    let mut roots: Vec<String> = graph
        .objects(&model, &format!("{S}rootElement"))
        .filter_map(|o| match o {
            Term::NamedNode(n) => Some(n.as_str().to_owned()),
            _ => None,
        })
        .collect();
    roots.sort();
    for root in roots {
        let name = graph
            .value(&root, &format!("{S}xmlName"))
            .unwrap_or_default();
        walk_prop(graph, &root, &name, &mut Vec::new(), &mut out);
    }
    out
}

fn walk_prop(
    graph: &Graph,
    prop: &str,
    path: &str,
    stack: &mut Vec<String>,
    out: &mut BTreeMap<String, Leaf>,
) {
    let min: u64 = graph
        .value(prop, &format!("{M}minOccurs"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let max = graph
        .value(prop, &format!("{M}maxOccurs"))
        .unwrap_or_default();
    let mut leaf = Leaf {
        required: min >= 1,
        array: max == "*" || max.parse::<u64>().is_ok_and(|m| m > 1),
        fixed: graph.value(prop, &format!("{S}fixedValue")),
        ..Leaf::default()
    };
    if let Some(simple) = graph.iri(prop, &format!("{M}hasSimpleType")).or_else(|| {
        graph
            .objects(prop, &format!("{M}hasSimpleType"))
            .find_map(|o| match o {
                Term::BlankNode(b) => Some(format!("_:{}", b.as_str())),
                _ => None,
            })
    }) {
        let length = graph
            .value(&simple, &format!("{XSD}length"))
            .and_then(|v| v.parse().ok());
        let max_length = graph
            .value(&simple, &format!("{XSD}maxLength"))
            .and_then(|v| v.parse().ok());
        leaf.max_length = match (length, max_length) {
            (Some(a), Some(b)) => Some(u64::min(a, b)),
            (a, b) => a.or(b),
        };
        leaf.pattern = graph.value(&simple, &format!("{XSD}pattern"));
    }
    if let Some(list) = graph.iri(prop, &format!("{M}hasValueFrom")) {
        leaf.enumeration = Some(graph.codes(&list));
    }
    out.insert(path.to_owned(), leaf);
    if let Some(ty) = graph.iri(prop, &format!("{M}hasObjectType")) {
        walk_type(graph, &ty, path, stack, out);
    }
}

fn walk_type(
    graph: &Graph,
    ty: &str,
    path: &str,
    stack: &mut Vec<String>,
    out: &mut BTreeMap<String, Leaf>,
) {
    if stack.len() >= MAX_DEPTH || stack.iter().any(|t| t == ty) {
        return;
    }
    stack.push(ty.to_owned());
    let mut props: Vec<(u64, String)> = graph
        .objects(ty, &format!("{M}hasProperty"))
        .filter_map(|o| match o {
            Term::NamedNode(n) => Some(n.as_str().to_owned()),
            _ => None,
        })
        .map(|p| {
            let order = graph
                .value(&p, &format!("{M}sequenceNumber"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            (order, p)
        })
        .collect();
    props.sort();
    for (_, prop) in props {
        if graph.has_type(&prop, &format!("{M}Specialization")) {
            if let Some(base) = graph.iri(&prop, &format!("{M}hasGeneralConcept")) {
                walk_type(graph, &base, path, stack, out);
            }
            continue;
        }
        let name = graph
            .value(&prop, &format!("{S}xmlName"))
            .unwrap_or_default();
        walk_prop(graph, &prop, &format!("{path}/{name}"), stack, out);
    }
    stack.pop();
}

// ---------------------------------------------------------------------------------------------
// Altinn's side: walking its JSON Schema (legacy `definitions` or 2020-12 `$defs`).

#[derive(Default)]
struct Gathered<'j> {
    properties: Vec<(String, Vec<&'j Value>)>,
    pub required: BTreeSet<String>,
    pub array: bool,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub enumeration: Option<BTreeSet<String>>,
    pub fixed: Option<String>,
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn gather<'j>(root: &'j Value, node: &'j Value, acc: &mut Gathered<'j>, depth: usize) {
    if depth > 40 {
        return;
    }
    let Some(object) = node.as_object() else {
        return;
    };
    if let Some(Value::String(reference)) = object.get("$ref") {
        let target = reference
            .strip_prefix("#/definitions/")
            .map(|n| &root["definitions"][n])
            .or_else(|| {
                reference
                    .strip_prefix("#/$defs/")
                    .map(|n| &root["$defs"][n])
            });
        if let Some(target) = target {
            gather(root, target, acc, depth + 1);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(items)) = object.get(key) {
            for item in items {
                gather(root, item, acc, depth + 1);
            }
        }
    }
    if object.get("type") == Some(&Value::String("array".to_owned())) {
        acc.array = true;
    }
    if let Some(items) = object.get("items") {
        acc.array = true;
        gather(root, items, acc, depth + 1);
    }
    if let Some(Value::Object(properties)) = object.get("properties") {
        for (name, sub) in properties {
            match acc.properties.iter_mut().find(|(n, _)| n == name) {
                Some((_, nodes)) => nodes.push(sub),
                None => acc.properties.push((name.clone(), vec![sub])),
            }
        }
    }
    if let Some(Value::Array(required)) = object.get("required") {
        acc.required.extend(
            required
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned)),
        );
    }
    if let Some(max) = object.get("maxLength").and_then(Value::as_u64) {
        acc.max_length = Some(acc.max_length.map_or(max, |m| m.min(max)));
    }
    if let Some(Value::String(pattern)) = object.get("pattern") {
        acc.pattern = Some(pattern.clone());
    }
    if let Some(Value::Array(values)) = object.get("enum") {
        acc.enumeration = Some(values.iter().map(scalar).collect());
    }
    if let Some(value) = object.get("const") {
        acc.fixed = Some(scalar(value));
    }
}

fn walk_altinn<'j>(
    root: &'j Value,
    nodes: &[&'j Value],
    path: &str,
    required: bool,
    depth: usize,
    out: &mut BTreeMap<String, Leaf>,
) {
    let mut acc = Gathered::default();
    for node in nodes {
        gather(root, node, &mut acc, 0);
    }
    out.insert(
        path.to_owned(),
        Leaf {
            required,
            array: acc.array,
            max_length: acc.max_length,
            pattern: acc.pattern.clone(),
            enumeration: acc.enumeration.clone(),
            fixed: acc.fixed.clone(),
        },
    );
    if depth >= MAX_DEPTH {
        return;
    }
    for (name, subs) in &acc.properties {
        walk_altinn(
            root,
            subs,
            &format!("{path}/{name}"),
            acc.required.contains(name),
            depth + 1,
            out,
        );
    }
}

/// Altinn's paths, from the given root element names.
pub fn altinn_paths(json: &Value, roots: &BTreeSet<String>) -> BTreeMap<String, Leaf> {
    let mut out = BTreeMap::new();
    if let Some(Value::String(root)) = json.get("@xsdRootElement") {
        walk_altinn(json, &[json], root, true, 0, &mut out);
    } else if let Some(Value::Object(properties)) = json.get("properties") {
        for (name, sub) in properties {
            if roots.contains(name) {
                walk_altinn(json, &[sub], name, true, 0, &mut out);
            } else {
                out.insert(format!("(top-level) {name}"), Leaf::default());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------

fn show<T: std::fmt::Debug>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "-".to_owned(), |v| format!("{v:?}"))
}

pub fn compare(ours: &BTreeMap<String, Leaf>, theirs: &BTreeMap<String, Leaf>) -> Vec<Difference> {
    let mut differences = Vec::new();
    let paths: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    for path in paths {
        let (a, b) = match (theirs.get(path), ours.get(path)) {
            (Some(a), Some(b)) => (a, b),
            (Some(_), None) => {
                differences.push(Difference {
                    path: path.clone(),
                    field: "path",
                    altinn: "present".to_owned(),
                    semreg: "missing".to_owned(),
                });
                continue;
            }
            (None, _) => {
                differences.push(Difference {
                    path: path.clone(),
                    field: "path",
                    altinn: "missing".to_owned(),
                    semreg: "present".to_owned(),
                });
                continue;
            }
        };
        let mut check = |field: &'static str, x: String, y: String| {
            if x != y {
                differences.push(Difference {
                    path: path.clone(),
                    field,
                    altinn: x,
                    semreg: y,
                });
            }
        };
        check("required", a.required.to_string(), b.required.to_string());
        check("array", a.array.to_string(), b.array.to_string());
        check("maxLength", show(&a.max_length), show(&b.max_length));
        check("pattern", show(&a.pattern), show(&b.pattern));
        check("enum", show(&a.enumeration), show(&b.enumeration));
        check("fixed", show(&a.fixed), show(&b.fixed));
    }
    differences
}

pub fn peers(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the shared SERES data")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    for name in &names {
        let Some(stem) = name.strip_suffix(".xsd") else {
            continue;
        };
        for candidate in [
            format!("{stem}.schema.json"),
            format!("{stem}.expected.schema.json"),
        ] {
            if names.contains(&candidate) {
                pairs.push((name.clone(), candidate));
            }
        }
    }
    pairs
}

/// Compares one file's paths, prints the differences as a table (each with its reason, or
/// **UNEXPLAINED**), and returns (differences, unexplained ones).
pub fn report(
    xsd: &str,
    json: &str,
    ours: &BTreeMap<String, Leaf>,
    theirs: &BTreeMap<String, Leaf>,
    extra: &[Deliberate],
) -> (usize, usize) {
    let differences = compare(ours, theirs);
    let facts = |paths: &BTreeMap<String, Leaf>| {
        let count = |f: fn(&Leaf) -> bool| paths.values().filter(|l| f(l)).count();
        format!(
            "{} required, {} arrays, {} maxLength, {} pattern, {} enum, {} fixed",
            count(|l| l.required),
            count(|l| l.array),
            count(|l| l.max_length.is_some()),
            count(|l| l.pattern.is_some()),
            count(|l| l.enumeration.is_some()),
            count(|l| l.fixed.is_some()),
        )
    };
    println!(
        "\n== {xsd} vs {json}: {} paths here ({}), {} at Altinn ({}), {} differences",
        ours.len(),
        facts(ours),
        theirs.len(),
        facts(theirs),
        differences.len()
    );
    if !differences.is_empty() {
        println!("| path | field | Altinn | semreg | deliberate? |");
        println!("|---|---|---|---|---|");
    }
    let mut unexplained = 0;
    for d in &differences {
        let reason = deliberate_reason(extra, xsd, d);
        if reason.is_none() {
            unexplained += 1;
        }
        println!(
            "| {} | {} | {} | {} | {} |",
            d.path,
            d.field,
            d.altinn,
            d.semreg,
            reason.unwrap_or("**UNEXPLAINED**")
        );
    }
    (differences.len(), unexplained)
}

/// Reads a peer JSON Schema (some start with a byte-order mark).
pub fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read json");
    serde_json::from_str(text.trim_start_matches('\u{feff}')).expect("valid json")
}

/// The root element names of a set of paths.
pub fn roots_of(paths: &BTreeMap<String, Leaf>) -> BTreeSet<String> {
    paths
        .keys()
        .map(|p| p.split('/').next().unwrap_or_default().to_owned())
        .collect()
}
