//! Codes of a list by code text, and its hierarchy as positions: what lookups, validation and
//! nested renderings need, built once per list version when first asked for.

use super::model::CodeList;
use std::collections::HashMap;

/// How deep codes nest; a code deeper in a (broken or hostile) hierarchy starts a tree of its
/// own, so renderings and their readers never recurse without bound.
pub const MAX_NESTING: usize = 32;

/// Marks every code below `start` reached; a child already reached is on a cycle, and its
/// edge is cut so nesting ends. Returns the codes cut off below [`MAX_NESTING`].
fn reach(start: u32, reached: &mut [bool], children: &mut [Vec<u32>]) -> Vec<u32> {
    let mut cut = Vec::new();
    let mut stack = vec![(start, 1)];
    reached[start as usize] = true;
    while let Some((at, depth)) = stack.pop() {
        children[at as usize].retain(|c| !reached[*c as usize]);
        if depth >= MAX_NESTING {
            cut.append(&mut children[at as usize]);
            continue;
        }
        for &child in &children[at as usize] {
            reached[child as usize] = true;
            stack.push((child, depth + 1));
        }
    }
    cut
}

/// Positions of a list's codes (indexes into [`CodeList::codes`]).
#[derive(Debug, Default)]
pub struct ListIndex {
    by_code: HashMap<Box<str>, u32>,
    children: Vec<Vec<u32>>,
    roots: Vec<u32>,
    hierarchical: bool,
    dated: bool,
}

impl ListIndex {
    /// Indexes a list. A code whose parent is not in the list, or that sits on a cycle of
    /// parents (hostile or broken data), is a root, so every code is reached exactly once.
    pub fn of(list: &CodeList) -> ListIndex {
        let mut by_code = HashMap::with_capacity(list.codes.len());
        for (at, code) in list.codes.iter().enumerate() {
            by_code.entry(code.code.clone()).or_insert(at as u32);
        }
        let mut children = vec![Vec::new(); list.codes.len()];
        let mut has_parent = vec![false; list.codes.len()];
        for (at, code) in list.codes.iter().enumerate() {
            let parent = code.parent.as_deref().and_then(|p| by_code.get(p).copied());
            if let Some(parent) = parent.filter(|p| *p as usize != at) {
                children[parent as usize].push(at as u32);
                has_parent[at] = true;
            }
        }
        let mut reached = vec![false; list.codes.len()];
        let mut roots = Vec::new();
        let starts = (0..list.codes.len() as u32)
            .filter(|at| !has_parent[*at as usize])
            .chain(0..list.codes.len() as u32);
        for at in starts {
            if reached[at as usize] {
                continue;
            }
            let mut pending = vec![at];
            while let Some(root) = pending.pop() {
                roots.push(root);
                pending.extend(reach(root, &mut reached, &mut children));
            }
        }
        roots.sort_unstable();
        let hierarchical = children.iter().any(|c| !c.is_empty());
        let dated = list
            .codes
            .iter()
            .any(|c| c.valid_from.is_some() || c.valid_to.is_some());
        ListIndex {
            by_code,
            children,
            roots,
            hierarchical,
            dated,
        }
    }

    /// The position of a code.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).map(|at| *at as usize)
    }

    /// The positions of a code's children, in list order.
    pub fn children(&self, at: usize) -> &[u32] {
        self.children.get(at).map_or(&[], Vec::as_slice)
    }

    /// The positions of the codes without a parent in the list, in list order.
    pub fn roots(&self) -> &[u32] {
        &self.roots
    }

    /// Whether any code has a parent in the list.
    pub fn is_hierarchical(&self) -> bool {
        self.hierarchical
    }

    /// Whether any code has a validity date (so what is valid depends on the day).
    pub fn is_dated(&self) -> bool {
        self.dated
    }

    /// Whether the code at `ancestor` is the code at `at` or one of its ancestors.
    pub fn subsumes(&self, list: &CodeList, ancestor: usize, at: usize) -> bool {
        let mut current = Some(at);
        for _ in 0..=list.codes.len() {
            match current {
                Some(c) if c == ancestor => return true,
                Some(c) => {
                    current = list.codes[c]
                        .parent
                        .as_deref()
                        .and_then(|p| self.position(p))
                }
                None => return false,
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(lines: &[(&str, Option<&str>)]) -> CodeList {
        let mut nt = String::new();
        for (order, (code, parent)) in lines.iter().enumerate() {
            let s = format!("<https://e.org/l/code/{code}>");
            nt.push_str(&format!(
                "{s} <http://www.w3.org/2004/02/skos/core#inScheme> <https://e.org/l> .\n\
                 {s} <http://www.w3.org/2004/02/skos/core#notation> \"{code}\" .\n\
                 {s} <https://w3id.org/semreg/ns#order> \"{order}\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
            ));
            if let Some(p) = parent {
                nt.push_str(&format!(
                    "{s} <http://www.w3.org/2004/02/skos/core#broader> <https://e.org/l/code/{p}> .\n"
                ));
            }
        }
        CodeList::from_ntriples("https://e.org/l", &nt)
    }

    #[test]
    fn children_follow_their_parents_and_every_code_is_reached_once() {
        let l = list(&[
            ("a", None),
            ("a1", Some("a")),
            ("a2", Some("a")),
            ("b", None),
        ]);
        let index = ListIndex::of(&l);
        assert!(index.is_hierarchical());
        assert_eq!(index.roots(), &[0, 3]);
        assert_eq!(index.children(0), &[1, 2]);
        assert!(index.subsumes(&l, 0, 2));
        assert!(!index.subsumes(&l, 2, 0));
        assert!(!index.subsumes(&l, 3, 1));
    }

    #[test]
    fn a_very_deep_hierarchy_nests_at_most_max_nesting_levels() {
        let names: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
        let lines: Vec<(&str, Option<&str>)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), (i > 0).then(|| names[i - 1].as_str())))
            .collect();
        let index = ListIndex::of(&list(&lines));
        let mut deepest = 0;
        let mut seen = 0;
        let mut stack: Vec<(u32, usize)> = index.roots().iter().map(|r| (*r, 1)).collect();
        while let Some((at, depth)) = stack.pop() {
            seen += 1;
            deepest = deepest.max(depth);
            stack.extend(index.children(at as usize).iter().map(|c| (*c, depth + 1)));
        }
        assert_eq!(seen, 100);
        assert_eq!(deepest, MAX_NESTING);
    }

    #[test]
    fn a_cycle_of_parents_does_not_nest_forever() {
        let l = list(&[("x", Some("y")), ("y", Some("x")), ("z", None)]);
        let index = ListIndex::of(&l);
        let mut seen = 0;
        let mut stack: Vec<u32> = index.roots().to_vec();
        while let Some(at) = stack.pop() {
            seen += 1;
            stack.extend_from_slice(index.children(at as usize));
        }
        assert_eq!(seen, 3, "each code once");
        assert!(!index.subsumes(&l, 2, 0), "the walk up a cycle ends");
    }
}
