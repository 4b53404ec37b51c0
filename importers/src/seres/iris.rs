//! The IRI scheme (see [`super`]): shared IRIs from SERES guids and OR ids, helpers named after
//! the one shared type that uses them, everything else under the model base; and the model's
//! identity (id, alias, title, version) from the SERES / OR metadata of the root type.

use std::collections::HashSet;

use oxrdf::NamedNode;

use super::model::{Body, Origin, PropKind, Schema, TypeDef, TypeRef, Variant};
use crate::{ImportOptions, ImportWarning};

/// Percent-encodes what may not stand in an IRI path or fragment (letters of any script stay).
pub(super) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric()
            || matches!(c, '-' | '.' | '_' | '~' | ':' | '@')
            || (c.is_alphanumeric() && is_ucschar(c))
        {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// Whether a character may stand unencoded in an IRI (RFC 3987 `ucschar`).
fn is_ucschar(c: char) -> bool {
    let c = u32::from(c);
    matches!(c, 0xA0..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFEF)
        || (0x10000..=0xEFFFD).contains(&c) && (c & 0xFFFF) < 0xFFFE
}

/// `base#part`, or `base/part` when the base already has a fragment.
pub(super) fn sub(base: &str, part: &str) -> String {
    if base.contains('#') {
        format!("{base}/{part}")
    } else {
        format!("{base}#{part}")
    }
}

/// A guid as an IRI: as written when valid, else with the offending characters encoded.
fn guid_iri(guid: &str) -> Option<String> {
    if NamedNode::new(guid).is_ok() {
        return Some(guid.to_owned());
    }
    let mut out = String::new();
    for c in guid.chars() {
        if c.is_whitespace() || "<>\"{}|\\^`".contains(c) {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    NamedNode::new(out.as_str()).is_ok().then_some(out)
}

/// The SERES name in a guid (`http://seres.no/guid/Domene/Dataobjekttype/Navn/123` -> `Navn`).
pub(super) fn guid_name(guid: &str) -> Option<&str> {
    let path = guid.split_once("/guid/")?.1;
    let mut segments = path.rsplit('/');
    let number = segments.next()?;
    let name = segments.next()?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) && !name.trim().is_empty())
        .then_some(name.trim())
}

/// The model's identity: id, alias, title, version.
pub(super) struct Identity {
    pub id: String,
    pub alias: Option<String>,
    pub title: String,
    pub version: Option<String>,
}

/// A fixed attribute of a root element's type (`dataFormatId`, `skjemanummer`).
fn root_fixed<'s>(schema: &'s Schema, name: &str) -> Option<&'s str> {
    schema.roots.iter().find_map(|root| {
        let TypeRef::Type(id) = root.ty else {
            return None;
        };
        let Body::Object { props, .. } = &schema.types.get(id)?.body else {
            return None;
        };
        props
            .iter()
            .find(|p| p.kind == PropKind::Attribute && p.name == name)
            .and_then(|p| p.fixed.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    })
}

pub(super) fn identity(schema: &Schema, options: &ImportOptions) -> Identity {
    let header = |key: &str| {
        schema
            .header
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let seres = (
        root_fixed(schema, "dataFormatId"),
        root_fixed(schema, "dataFormatVersion"),
    );
    let or = (
        root_fixed(schema, "skjemanummer"),
        root_fixed(schema, "spesifikasjonsnummer"),
    );
    let root_name = schema.roots.first().map(|r| r.name.clone());
    let file_stem = options.file_name.as_deref().map(|f| {
        let f = f.rsplit(['/', '\\']).next().unwrap_or(f);
        f.strip_suffix(".xsd").unwrap_or(f).to_owned()
    });
    let (id, alias, version) = match (seres, or) {
        ((Some(id), Some(version)), _) => (
            format!("{id}-{version}"),
            Some(format!("seres-{id}-{version}")),
            Some(version.to_owned()),
        ),
        (_, (Some(form), Some(spec))) => (
            format!("or-{form}-{spec}"),
            Some(format!("or-{form}-{spec}")),
            Some(spec.to_owned()),
        ),
        _ => (
            header("modellnavn")
                .map(str::to_owned)
                .or(file_stem)
                .or_else(|| root_name.clone())
                .unwrap_or_else(|| "schema".to_owned()),
            None,
            None,
        ),
    };
    let title = header("modellnavn")
        .map(str::to_owned)
        .or_else(|| schema.title_comment.clone())
        .or_else(|| root_fixed(schema, "tittel").map(str::to_owned))
        .or(root_name)
        .unwrap_or_else(|| id.clone());
    Identity {
        id,
        alias,
        title,
        version,
    }
}

/// The IRI of a type under the model base.
fn local_iri(base: &str, ty: &TypeDef) -> String {
    match ty.origin {
        Origin::Element => format!("{}element/{}", base, encode(&ty.name)),
        _ => format!("{}type/{}", base, encode(&ty.name)),
    }
}

/// Guid IRIs first, then OR ids; then helpers of one shared type under that type; then IRIs
/// under the model base. Every IRI is used once.
pub(super) fn assign(schema: &Schema, base: &str) -> (Vec<String>, Vec<ImportWarning>) {
    let types = &schema.types;
    let mut warnings = Vec::new();
    let owners = owners(schema);
    let mut iris: Vec<Option<String>> = vec![None; types.len()];
    let mut used = HashSet::new();
    for (id, ty) in types.iter().enumerate() {
        let shared = match (&ty.origin, &ty.guid, &ty.or_id) {
            (Origin::Local(..), _, _) => None,
            (_, Some(guid), _) => guid_iri(guid),
            (_, None, Some((kind, number))) if schema.variant == Variant::Or => Some(format!(
                "urn:semreg:or:{}:{}",
                kind.as_str(),
                encode(number)
            )),
            _ => None,
        };
        let Some(shared) = shared else { continue };
        if used.insert(shared.clone()) {
            iris[id] = Some(shared);
        } else {
            let local = local_iri(base, ty);
            warnings.push(ImportWarning {
                location: Some(format!("line {}, type {}", ty.line, ty.name)),
                message: format!(
                    "the identifier {shared} is used by another type of this file too; this \
                     one gets the IRI {local}"
                ),
            });
        }
    }
    // Anonymous types, and named types used by exactly one type with a shared IRI, are
    // named after that type, so the shared type reads the same in every file.
    let mut changed = true;
    while changed {
        changed = false;
        for (id, ty) in types.iter().enumerate() {
            if iris[id].is_some() {
                continue;
            }
            let candidate = match &ty.origin {
                Origin::Local(owner, name, kind) => iris[*owner]
                    .as_ref()
                    .map(|o| sub(&prop_iri(o, name, *kind), "type")),
                _ => match owners[id] {
                    Some(owner) if owner != id => iris[owner]
                        .as_ref()
                        .filter(|o| !o.starts_with(base))
                        .map(|o| sub(o, &format!("type/{}", encode(&ty.name)))),
                    _ => None,
                },
            };
            if let Some(iri) = candidate.filter(|i| used.insert(i.clone())) {
                iris[id] = Some(iri);
                changed = true;
            }
        }
        if !changed {
            // What is left lives under the model base; anonymous types follow their owners.
            for (id, ty) in types.iter().enumerate() {
                if iris[id].is_none() && !matches!(ty.origin, Origin::Local(..)) {
                    let mut iri = local_iri(base, ty);
                    if !used.insert(iri.clone()) {
                        iri = format!("{iri}-{id}");
                        used.insert(iri.clone());
                    }
                    iris[id] = Some(iri);
                    changed = true;
                }
            }
        }
    }
    let iris = iris
        .into_iter()
        .enumerate()
        .map(|(id, iri)| iri.unwrap_or_else(|| format!("{base}type/-{id}")))
        .collect();
    (iris, warnings)
}

/// The single type that refers to each type, if exactly one does (a root element counts as a
/// referrer of its own, so a root's type has none).
fn owners(schema: &Schema) -> Vec<Option<usize>> {
    const MODEL: usize = usize::MAX;
    let mut referrers: Vec<HashSet<usize>> = vec![HashSet::new(); schema.types.len()];
    fn note(referrers: &mut [HashSet<usize>], from: usize, to: &TypeRef) {
        let mut current = to;
        loop {
            match current {
                TypeRef::Type(id) => {
                    if let Some(set) = referrers.get_mut(*id) {
                        set.insert(from);
                    }
                    return;
                }
                TypeRef::Inline(def) => current = &def.base,
                TypeRef::Builtin(_) | TypeRef::Unresolved(_) => return,
            }
        }
    }
    for (id, ty) in schema.types.iter().enumerate() {
        match &ty.body {
            Body::Object {
                props,
                extends,
                restricts,
                ..
            } => {
                for prop in props {
                    note(&mut referrers, id, &prop.ty);
                }
                for base in [extends, restricts].into_iter().flatten() {
                    note(&mut referrers, id, base);
                }
            }
            Body::Simple(def) => note(&mut referrers, id, &def.base),
            Body::Pending => {}
        }
    }
    for root in &schema.roots {
        note(&mut referrers, MODEL, &root.ty);
    }
    referrers
        .into_iter()
        .map(|set| match set.len() {
            1 => set.into_iter().next().filter(|&o| o != MODEL),
            _ => None,
        })
        .collect()
}

/// The IRI of a property of a type: `T#name` (element), `T#@name` (attribute), `T#value` (text).
pub(super) fn prop_iri(owner: &str, name: &str, kind: PropKind) -> String {
    match kind {
        PropKind::Element => sub(owner, &encode(name)),
        PropKind::Attribute => sub(owner, &format!("@{}", encode(name))),
        PropKind::Text => sub(owner, "value"),
    }
}
