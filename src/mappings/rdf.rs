//! A mapping set as SSSOM/RDF, and back: what the registry stores.

use super::{Mapping, MappingError, MappingSet, Transform};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, HashMap};

const SSSOM: &str = "https://w3id.org/sssom/";
const SEMREG: &str = "https://w3id.org/semreg/ns#";
const OWL_ANNOTATED_SOURCE: &str = "http://www.w3.org/2002/07/owl#annotatedSource";
const OWL_ANNOTATED_PROPERTY: &str = "http://www.w3.org/2002/07/owl#annotatedProperty";
const OWL_ANNOTATED_TARGET: &str = "http://www.w3.org/2002/07/owl#annotatedTarget";
const DCT_TITLE: &str = "http://purl.org/dc/terms/title";
const DCT_DESCRIPTION: &str = "http://purl.org/dc/terms/description";
const DCT_LICENSE: &str = "http://purl.org/dc/terms/license";
const PAV_AUTHORED_ON: &str = "http://purl.org/pav/authoredOn";
const RDFS_COMMENT: &str = "http://www.w3.org/2000/01/rdf-schema#comment";

fn iri(value: &str) -> Result<NamedNode, MappingError> {
    NamedNode::new(value).map_err(|e| MappingError::Invalid {
        location: value.to_owned(),
        message: format!("not a valid IRI: {e}"),
    })
}

fn sssom(slot: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SSSOM}{slot}"))
}

fn semreg(term: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SEMREG}{term}"))
}

/// The triples of a mapping set (mappings as blank nodes, skolemized when stored).
pub fn to_triples(set: &MappingSet) -> Result<Vec<Triple>, MappingError> {
    let subject = iri(&set.iri)?;
    let mut out = Vec::new();
    let mut add = |s: NamedOrBlankNode, p: NamedNode, o: Term| out.push(Triple::new(s, p, o));
    let me: NamedOrBlankNode = subject.clone().into();
    add(
        me.clone(),
        rdf::TYPE.into_owned(),
        sssom("MappingSet").into(),
    );
    if let Some(title) = &set.title {
        add(
            me.clone(),
            NamedNode::new_unchecked(DCT_TITLE),
            Literal::new_simple_literal(title).into(),
        );
    }
    if let Some(d) = &set.description {
        add(
            me.clone(),
            NamedNode::new_unchecked(DCT_DESCRIPTION),
            Literal::new_simple_literal(d).into(),
        );
    }
    add(
        me.clone(),
        NamedNode::new_unchecked(DCT_LICENSE),
        iri(&set.license)?.into(),
    );
    if let Some(s) = &set.subject_source {
        add(me.clone(), sssom("subject_source"), iri(s)?.into());
    }
    if let Some(o) = &set.object_source {
        add(me.clone(), sssom("object_source"), iri(o)?.into());
    }
    if let Some(d) = &set.mapping_date {
        add(
            me.clone(),
            NamedNode::new_unchecked(PAV_AUTHORED_ON),
            Literal::new_typed_literal(d, xsd::DATE).into(),
        );
    }
    if let Some(alias) = &set.alias {
        add(
            me.clone(),
            semreg("alias"),
            Literal::new_simple_literal(alias).into(),
        );
    }
    if !set.curie_map.is_empty() {
        let map = serde_json::to_string(&set.curie_map).unwrap_or_default();
        add(
            me.clone(),
            semreg("curieMap"),
            Literal::new_simple_literal(map).into(),
        );
    }
    for (order, m) in set.mappings.iter().enumerate() {
        let node: NamedOrBlankNode = BlankNode::default().into();
        add(me.clone(), sssom("mappings"), node.clone().into());
        add(
            node.clone(),
            rdf::TYPE.into_owned(),
            sssom("Mapping").into(),
        );
        add(
            node.clone(),
            NamedNode::new_unchecked(OWL_ANNOTATED_SOURCE),
            iri(&m.subject_id)?.into(),
        );
        add(
            node.clone(),
            NamedNode::new_unchecked(OWL_ANNOTATED_PROPERTY),
            iri(&m.predicate_id)?.into(),
        );
        add(
            node.clone(),
            NamedNode::new_unchecked(OWL_ANNOTATED_TARGET),
            iri(&m.object_id)?.into(),
        );
        add(
            node.clone(),
            sssom("mapping_justification"),
            iri(&m.mapping_justification)?.into(),
        );
        add(
            node.clone(),
            semreg("order"),
            Literal::new_typed_literal(order.to_string(), xsd::INTEGER).into(),
        );
        if let Some(l) = &m.subject_label {
            add(
                node.clone(),
                sssom("subject_label"),
                Literal::new_simple_literal(l).into(),
            );
        }
        if let Some(l) = &m.object_label {
            add(
                node.clone(),
                sssom("object_label"),
                Literal::new_simple_literal(l).into(),
            );
        }
        if let Some(c) = m.confidence {
            add(
                node.clone(),
                sssom("confidence"),
                Literal::new_typed_literal(c.to_string(), xsd::DOUBLE).into(),
            );
        }
        if let Some(c) = &m.comment {
            add(
                node.clone(),
                NamedNode::new_unchecked(RDFS_COMMENT),
                Literal::new_simple_literal(c).into(),
            );
        }
        if let Some(t) = &m.transform {
            add(
                node.clone(),
                semreg("transform"),
                Literal::new_simple_literal(t.to_string()).into(),
            );
        }
    }
    Ok(out)
}

/// N-Triples text of triples (for the registry's import path).
pub fn ntriples(triples: &[Triple]) -> String {
    let mut out = String::new();
    for t in triples {
        out.push_str(&t.to_string());
        out.push_str(" .\n");
    }
    out
}

/// Reads a stored mapping set back from its graph's N-Triples.
pub fn from_ntriples(set_iri: &str, ntriples: &str) -> Result<MappingSet, MappingError> {
    let mut by_subject: HashMap<String, Vec<(String, Term)>> = HashMap::new();
    for triple in
        oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::NTriples).for_slice(ntriples.as_bytes())
    {
        let quad = triple.map_err(|e| MappingError::Invalid {
            location: set_iri.to_owned(),
            message: format!("stored graph unreadable: {e}"),
        })?;
        let subject = match &quad.subject {
            NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
            NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
        };
        by_subject
            .entry(subject)
            .or_default()
            .push((quad.predicate.as_str().to_owned(), quad.object));
    }
    let facts = by_subject
        .get(set_iri)
        .ok_or_else(|| MappingError::NotAMappingSet(set_iri.to_owned()))?;
    let is_set = facts.iter().any(|(p, o)| {
        p == rdf::TYPE.as_str()
            && matches!(o, Term::NamedNode(n) if n.as_str() == format!("{SSSOM}MappingSet"))
    });
    if !is_set {
        return Err(MappingError::NotAMappingSet(set_iri.to_owned()));
    }
    let one = |facts: &[(String, Term)], predicate: &str| -> Option<String> {
        facts
            .iter()
            .find(|(p, _)| p == predicate)
            .map(|(_, o)| match o {
                Term::NamedNode(n) => n.as_str().to_owned(),
                Term::Literal(l) => l.value().to_owned(),
                Term::BlankNode(b) => format!("_:{}", b.as_str()),
                // An RDF 1.2 triple term is no SSSOM value; its text keeps it visible.
                Term::Triple(t) => t.to_string(),
            })
    };
    let mut set = MappingSet {
        iri: set_iri.to_owned(),
        title: one(facts, DCT_TITLE),
        description: one(facts, DCT_DESCRIPTION),
        license: one(facts, DCT_LICENSE).unwrap_or_else(|| super::UNSPECIFIED_LICENSE.to_owned()),
        subject_source: one(facts, &format!("{SSSOM}subject_source")),
        object_source: one(facts, &format!("{SSSOM}object_source")),
        mapping_date: one(facts, PAV_AUTHORED_ON),
        alias: one(facts, &format!("{SEMREG}alias")),
        curie_map: one(facts, &format!("{SEMREG}curieMap"))
            .and_then(|m| serde_json::from_str::<BTreeMap<String, String>>(&m).ok())
            .unwrap_or_default(),
        mappings: Vec::new(),
    };
    let mut mappings = Vec::new();
    for (p, o) in facts {
        if p != &format!("{SSSOM}mappings") {
            continue;
        }
        let key = match o {
            Term::NamedNode(n) => n.as_str().to_owned(),
            Term::BlankNode(b) => format!("_:{}", b.as_str()),
            Term::Literal(_) | Term::Triple(_) => continue,
        };
        let Some(m) = by_subject.get(&key) else {
            continue;
        };
        let get = |predicate: &str| one(m, predicate);
        let transform = match get(&format!("{SEMREG}transform")) {
            Some(expression) => {
                Some(
                    Transform::parse(&expression).map_err(|e| MappingError::Invalid {
                        location: key.clone(),
                        message: e.to_string(),
                    })?,
                )
            }
            None => None,
        };
        let order: i64 = get(&format!("{SEMREG}order"))
            .and_then(|o| o.parse().ok())
            .unwrap_or(i64::MAX);
        let required = |predicate: &str| {
            get(predicate).ok_or_else(|| MappingError::Invalid {
                location: key.clone(),
                message: format!("stored mapping lacks {predicate}"),
            })
        };
        mappings.push((
            order,
            Mapping {
                subject_id: required(OWL_ANNOTATED_SOURCE)?,
                subject_label: get(&format!("{SSSOM}subject_label")),
                predicate_id: required(OWL_ANNOTATED_PROPERTY)?,
                object_id: required(OWL_ANNOTATED_TARGET)?,
                object_label: get(&format!("{SSSOM}object_label")),
                mapping_justification: get(&format!("{SSSOM}mapping_justification"))
                    .unwrap_or_else(|| super::MANUAL_CURATION.to_owned()),
                confidence: get(&format!("{SSSOM}confidence")).and_then(|c| c.parse().ok()),
                comment: get(RDFS_COMMENT),
                transform,
            },
        ));
    }
    mappings.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.subject_id.cmp(&b.1.subject_id))
    });
    set.mappings = mappings.into_iter().map(|(_, m)| m).collect();
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_survives_rdf_and_back_in_order() {
        let set = MappingSet {
            iri: "https://example.org/m".into(),
            title: Some("t".into()),
            license: "https://example.org/license".into(),
            subject_source: Some("https://example.org/api".into()),
            object_source: Some("https://example.org/T".into()),
            curie_map: [("x".to_owned(), "https://example.org/".to_owned())].into(),
            mappings: (0..12)
                .map(|i| Mapping {
                    subject_id: format!("https://example.org/api#/f{}", 11 - i),
                    predicate_id: "http://www.w3.org/2004/02/skos/core#exactMatch".into(),
                    object_id: format!("https://example.org/T#/g{i}"),
                    mapping_justification: super::super::MANUAL_CURATION.into(),
                    transform: (i == 3).then(|| Transform::parse("concat(\", \")").unwrap()),
                    confidence: (i == 4).then_some(0.5),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let triples = to_triples(&set).unwrap();
        let back = from_ntriples(&set.iri, &ntriples(&triples)).unwrap();
        assert_eq!(back, set);
    }
}
