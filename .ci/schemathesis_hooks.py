"""Schemathesis hooks for .ci/schemathesis.sh: strategies for the bodies and values a JSON
Schema cannot describe, so Schemathesis also sends *valid* ones and reaches the code behind the
parsers: SPARQL queries (the `sparql-query` string format and `application/sparql-query`
bodies), Turtle files and SSSOM/TSV mapping sets. Random text still goes out too (Schemathesis'
own negative and coverage cases), so the parsers' error paths stay covered.
"""

from hypothesis import strategies as st

import schemathesis

# Text that is safe inside a SPARQL or Turtle string literal once escaped.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=20
)
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå0123456789", min_size=1, max_size=12)


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@st.composite
def sparql_queries(draw) -> str:
    """A valid SPARQL 1.1 query: SELECT, ASK, CONSTRUCT or DESCRIBE over the store."""
    limit = draw(st.integers(min_value=0, max_value=50))
    text = _literal(draw(_TEXT))
    word = draw(_WORD)
    template = draw(
        st.sampled_from(
            [
                "SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {limit}",
                "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}",
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?c ?l WHERE {{ ?c skos:prefLabel ?l FILTER(CONTAINS(LCASE(STR(?l)), LCASE({text}))) }} LIMIT {limit}",
                "ASK {{ ?s ?p {text} }}",
                "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT {limit}",
                "DESCRIBE <https://example.org/fuzz/{word}>",
                "SELECT DISTINCT ?type WHERE {{ ?s a ?type }} ORDER BY ?type LIMIT {limit}",
            ]
        )
    )
    return template.format(limit=limit, text=text, word=word)


@st.composite
def turtle_files(draw) -> bytes:
    """A small, valid SKOS Turtle file: a scheme with one to five concepts."""
    scheme = draw(_WORD)
    lines = [
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        f"<https://example.org/fuzz/{scheme}> a skos:ConceptScheme ; dct:title {_literal(draw(_TEXT))}@nb .",
    ]
    for n in range(draw(st.integers(min_value=1, max_value=5))):
        code = draw(_WORD)
        label = _literal(draw(_TEXT) or code)
        lines.append(
            f"<https://example.org/fuzz/{scheme}/{n}-{code}> a skos:Concept ; "
            f'skos:inScheme <https://example.org/fuzz/{scheme}> ; skos:notation "{n}-{code}" ; '
            f"skos:prefLabel {label}@nb ."
        )
    return ("\n".join(lines) + "\n").encode()


@st.composite
def sssom_tsv_files(draw) -> bytes:
    """A small, valid SSSOM/TSV mapping set."""
    name = draw(_WORD)
    header = [
        "# curie_map:",
        "#   a: https://example.org/fuzz/a#",
        "#   b: https://example.org/fuzz/b#",
        f"# mapping_set_id: https://example.org/fuzz/mappings/{name}",
        "# license: https://creativecommons.org/licenses/by/4.0/",
        "subject_id\tpredicate_id\tobject_id\tmapping_justification",
    ]
    predicates = st.sampled_from(["skos:exactMatch", "skos:closeMatch", "skos:relatedMatch"])
    rows = [
        f"a:{draw(_WORD)}\t{draw(predicates)}\tb:{draw(_WORD)}\tsemapv:ManualMappingCuration"
        for _ in range(draw(st.integers(min_value=1, max_value=4)))
    ]
    return ("\n".join(header + rows) + "\n").encode()


schemathesis.openapi.format("sparql-query", sparql_queries())
schemathesis.openapi.media_type(
    "application/sparql-query", sparql_queries().map(str.encode)
)
schemathesis.openapi.media_type("text/turtle", turtle_files())
schemathesis.openapi.media_type("text/tab-separated-values", sssom_tsv_files())
