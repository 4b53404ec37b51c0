//! Stable skolemization: every blank node becomes `urn:semreg:genid:<32 hex>`, where the hex is
//! derived from the content around the blank node, never from the labels a parser gave it.
//!
//! So the same content, whatever its blank node labels, statement order or serialization,
//! always gets the same IRIs, and the canonical N-Triples and content hash of a resource do not
//! change when its file is re-exported.
//!
//! Algorithm (colour refinement, as in 1-dimensional Weisfeiler–Leman):
//! - Blank nodes are grouped into components: two blank nodes are in the same component when a
//!   triple links them. Each component is hashed on its own, so a blank node's IRI depends only
//!   on the triples of its component (and the IRIs and literals they touch), not on the rest of
//!   the file: adding a concept to a catalog leaves the IRIs of the other concepts' blank nodes
//!   alone.
//! - Round 0: each blank node's hash is SHA-256 over the sorted lines describing its outgoing
//!   edges (predicate, object) and incoming edges (subject, predicate), blank neighbours written
//!   as a placeholder.
//! - Round k: the same, with blank neighbours written as their round k-1 hash and the node's own
//!   round k-1 hash mixed in. Rounds stop when the number of distinct hashes stops growing (the
//!   partition is stable).
//! - A node's final hash combines its refined hash with a hash of its whole component (the
//!   component's edges written with the refined hashes), so that nodes of different components
//!   share a hash only when their components are identical.
//! - The IRI takes the first 16 bytes of the final hash. Blank nodes still sharing a hash are
//!   indistinguishable by content and are merged (their triples become one); the number merged
//!   is reported.

use std::collections::BTreeSet;

use crate::{FastMap, FastSet};

use oxrdf::{BlankNode, NamedNode, NamedOrBlankNode, Term, Triple};
use sha2::{Digest, Sha256};

use crate::canonical::hex_lower;

/// The prefix of every skolem IRI semreg mints.
pub const GENID_PREFIX: &str = "urn:semreg:genid:";

/// Upper bound on refinement rounds per component; a bound for pathological inputs only
/// (a stable partition is reached far earlier in real data).
const MAX_ROUNDS: usize = 256;

/// The result of skolemizing a set of triples.
#[derive(Debug, Clone, Default)]
pub struct Skolemized {
    /// The triples, blank nodes replaced by skolem IRIs, de-duplicated.
    pub triples: Vec<Triple>,
    /// How many distinct blank nodes the input held.
    pub blank_nodes: usize,
    /// How many blank nodes were merged into another one with the same content.
    pub merged_blank_nodes: usize,
}

/// Whether an IRI is a skolem IRI (semreg's own, or a `/.well-known/genid/` or FDK
/// `/.well-known/skolem/` one): such nodes stand for blank nodes and belong to what references them.
pub fn is_skolem_iri(iri: &str) -> bool {
    iri.starts_with(GENID_PREFIX)
        || iri.contains("/.well-known/genid/")
        || iri.contains("/.well-known/skolem/")
}

/// Replaces every blank node by a stable, content-derived skolem IRI.
pub fn skolemize(triples: Vec<Triple>) -> Skolemized {
    // Number the blank nodes.
    let mut index: FastMap<BlankNode, usize> = FastMap::default();
    for triple in &triples {
        if let NamedOrBlankNode::BlankNode(b) = &triple.subject {
            let next = index.len();
            index.entry(b.clone()).or_insert(next);
        }
        if let Term::BlankNode(b) = &triple.object {
            let next = index.len();
            index.entry(b.clone()).or_insert(next);
        }
    }
    let blank_nodes = index.len();
    if blank_nodes == 0 {
        return Skolemized {
            triples,
            blank_nodes: 0,
            merged_blank_nodes: 0,
        };
    }

    // Components of blank nodes linked by a triple.
    let mut components = UnionFind::new(blank_nodes);
    for triple in &triples {
        if let (NamedOrBlankNode::BlankNode(s), Term::BlankNode(o)) =
            (&triple.subject, &triple.object)
        {
            components.union(index[s], index[o]);
        }
    }

    // The edges of each component, as (subject, predicate, object) with blank nodes numbered.
    let mut edges_by_component: FastMap<usize, Vec<Edge>> = FastMap::default();
    for triple in &triples {
        // Most triples touch no blank node: skip them before writing any term.
        if !matches!(triple.subject, NamedOrBlankNode::BlankNode(_))
            && !matches!(triple.object, Term::BlankNode(_))
        {
            continue;
        }
        let subject = match &triple.subject {
            NamedOrBlankNode::BlankNode(b) => Node::Blank(index[b]),
            NamedOrBlankNode::NamedNode(n) => Node::Fixed(n.to_string()),
        };
        let object = match &triple.object {
            Term::BlankNode(b) => Node::Blank(index[b]),
            other => Node::Fixed(other.to_string()),
        };
        let component = match (&subject, &object) {
            (Node::Blank(b), _) | (_, Node::Blank(b)) => components.find(*b),
            _ => continue,
        };
        edges_by_component.entry(component).or_default().push(Edge {
            subject,
            predicate: triple.predicate.to_string(),
            object,
        });
    }

    let mut hashes: Vec<[u8; 32]> = vec![[0; 32]; blank_nodes];
    for edges in edges_by_component.values() {
        refine_component(edges, &mut hashes);
    }

    let iris: Vec<NamedNode> = hashes
        .iter()
        .map(|h| NamedNode::new_unchecked(format!("{GENID_PREFIX}{}", hex_lower(&h[..16]))))
        .collect();
    let distinct: FastSet<&NamedNode> = iris.iter().collect();
    let merged_blank_nodes = blank_nodes - distinct.len();

    let out: Vec<Triple> = triples
        .into_iter()
        .map(|triple| {
            let subject = match triple.subject {
                NamedOrBlankNode::BlankNode(b) => iris[index[&b]].clone().into(),
                named => named,
            };
            let object = match triple.object {
                Term::BlankNode(b) => iris[index[&b]].clone().into(),
                other => other,
            };
            Triple::new(subject, triple.predicate, object)
        })
        .collect();
    // Distinct blank nodes got distinct IRIs unless some were merged: only then can two
    // triples have become one.
    let out = if merged_blank_nodes > 0 {
        crate::rdf::deduplicate(out)
    } else {
        out
    };
    Skolemized {
        triples: out,
        blank_nodes,
        merged_blank_nodes,
    }
}

/// A node of a component's edges: a numbered blank node or a fixed term in N-Triples syntax.
#[derive(Debug)]
enum Node {
    Blank(usize),
    Fixed(String),
}

#[derive(Debug)]
struct Edge {
    subject: Node,
    predicate: String,
    object: Node,
}

/// Runs colour refinement on one component and writes the final hash of its blank nodes.
fn refine_component(edges: &[Edge], hashes: &mut [[u8; 32]]) {
    let members: BTreeSet<usize> = edges
        .iter()
        .flat_map(|e| [&e.subject, &e.object])
        .filter_map(|n| match n {
            Node::Blank(b) => Some(*b),
            Node::Fixed(_) => None,
        })
        .collect();
    let mut previous: Option<FastMap<usize, [u8; 32]>> = None;
    let mut previous_classes = 0;
    for _ in 0..MAX_ROUNDS {
        let mut lines: FastMap<usize, Vec<String>> =
            members.iter().map(|&b| (b, Vec::new())).collect();
        let write = |node: &Node, previous: &Option<FastMap<usize, [u8; 32]>>| match node {
            Node::Fixed(text) => text.clone(),
            Node::Blank(b) => match previous.as_ref().and_then(|p| p.get(b)) {
                Some(hash) => format!("_:{}", hex_lower(hash)),
                None => "_:".to_owned(),
            },
        };
        for edge in edges {
            if let Node::Blank(s) = edge.subject {
                let line = format!("out {} {}", edge.predicate, write(&edge.object, &previous));
                lines.entry(s).or_default().push(line);
            }
            if let Node::Blank(o) = edge.object {
                let line = format!("in {} {}", write(&edge.subject, &previous), edge.predicate);
                lines.entry(o).or_default().push(line);
            }
        }
        let mut current = FastMap::with_capacity_and_hasher(lines.len(), Default::default());
        for (node, mut node_lines) in lines {
            node_lines.sort_unstable();
            let mut hasher = Sha256::new();
            if let Some(own) = previous.as_ref().and_then(|p| p.get(&node)) {
                hasher.update(own);
            }
            for line in &node_lines {
                hasher.update(line.as_bytes());
                hasher.update(b"\n");
            }
            current.insert(node, <[u8; 32]>::from(hasher.finalize()));
        }
        let classes = current.values().collect::<FastSet<_>>().len();
        // Stable: this round told no more nodes apart. All apart: further rounds only rename.
        let done = (previous.is_some() && classes <= previous_classes) || classes == members.len();
        previous_classes = classes;
        previous = Some(current);
        if done {
            break;
        }
    }
    let Some(final_hashes) = previous else {
        return;
    };
    // Refinement may stop before a node's hash reflects the whole component (a node told apart
    // from its siblings at round 0 may look like a node of another component), so every hash is
    // combined with a hash of the whole component: the component's edges, written with the
    // final hashes.
    let write = |node: &Node| match node {
        Node::Fixed(text) => text.clone(),
        Node::Blank(b) => final_hashes
            .get(b)
            .map_or_else(|| "_:".to_owned(), |h| format!("_:{}", hex_lower(h))),
    };
    let mut lines: Vec<String> = edges
        .iter()
        .map(|e| format!("{} {} {}", write(&e.subject), e.predicate, write(&e.object)))
        .collect();
    lines.sort_unstable();
    let mut component = Sha256::new();
    for line in &lines {
        component.update(line.as_bytes());
        component.update(b"\n");
    }
    let component = component.finalize();
    for (node, hash) in final_hashes {
        let mut hasher = Sha256::new();
        hasher.update(component);
        hasher.update(hash);
        hashes[node] = hasher.finalize().into();
    }
}

/// Union-find over blank node numbers.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(size: usize) -> Self {
        Self {
            parent: (0..size).collect(),
        }
    }

    fn find(&mut self, mut node: usize) -> usize {
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        node
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::canonical_ntriples;
    use oxrdfio::{RdfFormat, RdfParser};
    use std::collections::HashSet;

    fn parse_turtle(text: &str) -> Vec<Triple> {
        RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(text)
            .map(|q| q.map(Triple::from))
            .collect::<Result<_, _>>()
            .expect("valid turtle")
    }

    fn canonical(text: &str) -> String {
        canonical_ntriples(&skolemize(parse_turtle(text)).triples)
    }

    const PREFIXES: &str = "@prefix ex: <http://example.org/> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n";

    #[test]
    fn same_graph_with_other_labels_and_order_gives_identical_canonical_ntriples() {
        let first = format!(
            "{PREFIXES}ex:c skos:definition _:d1 ; ex:note _:n1 .\n_:d1 ex:text \"definisjon\"@nb ; ex:source _:s1 .\n_:s1 ex:uri ex:lov .\n_:n1 ex:text \"merknad\"@nb ."
        );
        let second = format!(
            "{PREFIXES}_:x ex:text \"merknad\"@nb .\n_:zz ex:uri ex:lov .\nex:c ex:note _:x .\n_:y ex:source _:zz ; ex:text \"definisjon\"@nb .\nex:c skos:definition _:y ."
        );
        let third = format!(
            "{PREFIXES}ex:c ex:note [ ex:text \"merknad\"@nb ] ; skos:definition [ ex:text \"definisjon\"@nb ; ex:source [ ex:uri ex:lov ] ] ."
        );
        let a = canonical(&first);
        assert_eq!(a, canonical(&second));
        assert_eq!(a, canonical(&third));
        assert!(!a.contains("_:"));
        let distinct: HashSet<&str> = a
            .split(['<', '>'])
            .filter(|part| part.starts_with(GENID_PREFIX))
            .collect();
        assert_eq!(distinct.len(), 3);
    }

    #[test]
    fn blank_nodes_with_same_content_under_different_parents_stay_distinct() {
        let text = format!(
            "{PREFIXES}ex:a ex:def [ ex:text \"lik\"@nb ] .\nex:b ex:def [ ex:text \"lik\"@nb ] ."
        );
        let skolemized = skolemize(parse_turtle(&text));
        assert_eq!(skolemized.merged_blank_nodes, 0);
        let iris: HashSet<String> = skolemized
            .triples
            .iter()
            .filter(|t| t.predicate.as_str() == "http://example.org/text")
            .map(|t| t.subject.to_string())
            .collect();
        assert_eq!(iris.len(), 2);
    }

    #[test]
    fn nested_blank_nodes_are_told_apart_by_their_grandparent() {
        let text =
            format!("{PREFIXES}ex:a ex:p [ ex:q [ ex:v 1 ] ] .\nex:b ex:p [ ex:q [ ex:v 1 ] ] .");
        let skolemized = skolemize(parse_turtle(&text));
        assert_eq!(skolemized.merged_blank_nodes, 0);
        assert_eq!(skolemized.triples.len(), 6);
    }

    #[test]
    fn equal_sources_of_definitions_of_different_concepts_stay_distinct() {
        // Regression (NAV catalog): inside each component the source is told apart from the
        // definition at round 0, but the sources of two components look alike at that round.
        let text = format!(
            "{PREFIXES}ex:a ex:def [ ex:text \"A\" ; ex:source [ ex:label \"Ordliste\" ] ] .\nex:b ex:def [ ex:text \"B\" ; ex:source [ ex:label \"Ordliste\" ] ] ."
        );
        let skolemized = skolemize(parse_turtle(&text));
        assert_eq!(skolemized.merged_blank_nodes, 0);
        assert_eq!(skolemized.triples.len(), 8);
    }

    #[test]
    fn equal_lists_under_different_subjects_keep_their_cells_apart() {
        let text = format!("{PREFIXES}ex:a ex:in (1 1 1 1 1 1 1 1 1 1 1 1) .\nex:b ex:in (1 1 1 1 1 1 1 1 1 1 1 1) .");
        let input = parse_turtle(&text);
        let count = input.len();
        let skolemized = skolemize(input);
        assert_eq!(skolemized.merged_blank_nodes, 0);
        assert_eq!(skolemized.triples.len(), count);
    }

    #[test]
    fn a_blank_node_iri_does_not_depend_on_the_rest_of_the_file() {
        let alone = canonical(&format!("{PREFIXES}ex:a ex:def [ ex:text \"x\" ] ."));
        let with_more = canonical(&format!(
            "{PREFIXES}ex:a ex:def [ ex:text \"x\" ] .\nex:b ex:in (1 1 1 1 1) ."
        ));
        for line in alone.lines() {
            assert!(with_more.contains(line), "{line} missing");
        }
    }

    #[test]
    fn indistinguishable_blank_nodes_are_merged_and_counted() {
        let text = format!("{PREFIXES}ex:a ex:p [ ex:v 1 ], [ ex:v 1 ] .");
        let skolemized = skolemize(parse_turtle(&text));
        assert_eq!(skolemized.blank_nodes, 2);
        assert_eq!(skolemized.merged_blank_nodes, 1);
        assert_eq!(skolemized.triples.len(), 2);
    }

    #[test]
    fn skolem_iris_are_recognised() {
        assert!(is_skolem_iri("urn:semreg:genid:0123"));
        assert!(is_skolem_iri(
            "http://localhost:5000/.well-known/skolem/2b2c-11"
        ));
        assert!(!is_skolem_iri("http://example.org/a"));
    }
}
