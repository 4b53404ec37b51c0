#!/usr/bin/env python3
"""Deterministic search benchmark corpus: Norwegian-like concepts and types as Turtle, the same
content as TSV for PostgreSQL, and the queries to run against both.

    python3 bench/search_corpus.py OUT_DIR [CONCEPTS] [TYPES]     # defaults 100000 10000

Writes OUT_DIR/concepts_NN.ttl (10,000 concepts each), OUT_DIR/types_NN.ttl (5,000 types
each, 3-8 properties per type), OUT_DIR/corpus.tsv (one row per resource: kind, iri, label,
alternative labels, hidden labels, definition, property names), OUT_DIR/search_queries.txt and
OUT_DIR/suggest_queries.txt (200 each). Same arguments, same bytes: the generator uses its own
seeded PRNG only.
"""
import csv
import os
import random
import sys

ROOTS = """person adresse kommune nummer fødsel dato navn skatt arbeid giver taker bolig sted post
boks vei gate land fylke enhet organisasjon virksomhet konto bank lønn trygd pensjon ytelse
stønad barn foreldre penger dag syk melding søknad vedtak klage sak behandling dokument arkiv
journal register oppgave periode status type kode liste verdi beløp sum inntekt formue gjeld
eiendom matrikkel bygning bruk tomt areal grense kart punkt linje flate høyde kontakt telefon
epost nettside språk kjønn sivil stand stats borger skap opphold tillatelse pass visum reise
utdanning skole kurs grad fag yrke stilling prosent tid timer avtale kontrakt leie kjøp salg
vare tjeneste avgift gebyr faktura betaling frist varsel samtykke fullmakt rolle signatur
identitet nøkkel tilgang bruker passord sikkerhet risiko hendelse avvik tiltak plan mål
resultat rapport statistikk indikator kvalitet tilsyn kontroll revisjon regnskap budsjett
tilskudd midler prosjekt program område sektor næring bransje kategori gruppe klasse nivå
hoved under del felles offentlig privat nasjonal lokal regional digital elektronisk""".split()

FUNCTION_WORDS = "en et som for av til med på i og eller fra ved om etter når der har kan skal er".split()

ENGLISH = """person address municipality number birth date name tax work employer employee housing
place postal box road street country county unit organisation business account bank salary
benefit pension allowance child parents money day sick report application decision appeal case
document archive register task period status type code list value amount income property
building area border map point contact phone email language gender citizenship permit travel
education school course degree occupation position time agreement contract fee invoice payment
deadline consent role signature identity access user security risk incident plan result quality""".split()


class Rng:
    """A small xorshift PRNG, so the corpus does not depend on Python's random module."""

    def __init__(self, seed):
        self.state = seed or 1

    def next(self):
        x = self.state
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        self.state = x & 0xFFFFFFFFFFFFFFFF
        return self.state

    def below(self, n):
        return self.next() % n

    def pick(self, items):
        return items[self.below(len(items))]

    def chance(self, percent):
        return self.below(100) < percent


def syllable_words(rng, count):
    onsets = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "sk", "st", "tr", "br", "fl", "kj", "sj"]
    vowels = ["a", "e", "i", "o", "u", "y", "æ", "ø", "å", "ei", "au"]
    codas = ["", "n", "r", "l", "s", "t", "kk", "nd", "ng", "st", "rt"]
    words = set()
    while len(words) < count:
        word = "".join(rng.pick(onsets) + rng.pick(vowels) + rng.pick(codas) for _ in range(1 + rng.below(3)))
        words.add(word)
    return sorted(words)


def compound(rng, parts):
    n = 1 + rng.below(3)
    return "".join(rng.pick(parts) for _ in range(n))


def label(rng, parts):
    text = compound(rng, parts)
    if rng.chance(25):
        text = rng.pick(parts) + " " + text
    return text[0].upper() + text[1:]


def sentence(rng, vocab, parts, words):
    out = []
    for _ in range(words):
        r = rng.below(10)
        if r < 3:
            out.append(rng.pick(FUNCTION_WORDS))
        elif r < 6:
            out.append(compound(rng, parts))
        else:
            out.append(rng.pick(vocab))
    return " ".join(out)


def esc(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def camel(text):
    words = text.split()
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def fold(text):
    return text.replace("æ", "ae").replace("ø", "o").replace("å", "a")


def main():
    out = sys.argv[1]
    concepts = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    types = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
    os.makedirs(out, exist_ok=True)
    rng = Rng(0x5E3E6)
    vocab = syllable_words(rng, 4000)
    parts = ROOTS + vocab[:400]
    rows = []
    prefix = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix mdcatno: <https://data.norge.no/vocabulary/modelldcatno#> .
@prefix b: <https://example.org/bench/> .
"""
    per_file = 10_000
    for start in range(0, concepts, per_file):
        with open(os.path.join(out, f"concepts_{start // per_file:02}.ttl"), "w", encoding="utf-8") as f:
            f.write(prefix)
            for i in range(start, min(start + per_file, concepts)):
                pref = label(rng, parts)
                alts = [label(rng, parts) for _ in range(rng.below(3))] if rng.chance(40) else []
                hidden = [label(rng, parts)] if rng.chance(10) else []
                definition = sentence(rng, vocab, parts, 8 + rng.below(18))
                en = " ".join(rng.pick(ENGLISH) for _ in range(1 + rng.below(2))) if rng.chance(20) else None
                lines = [f'b:c{i} a skos:Concept ;', f'  skos:prefLabel "{esc(pref)}"@nb ;']
                if en:
                    lines.append(f'  skos:prefLabel "{esc(en)}"@en ;')
                lines += [f'  skos:altLabel "{esc(a)}"@nb ;' for a in alts]
                lines += [f'  skos:hiddenLabel "{esc(h)}"@nb ;' for h in hidden]
                lines.append(f'  skos:definition "{esc(definition)}"@nb .')
                f.write("\n".join(lines) + "\n")
                rows.append(("concept", f"https://example.org/bench/c{i}", pref + (" " + en if en else ""),
                             " ".join(alts), " ".join(hidden), definition, ""))
    per_file = 5_000
    for start in range(0, types, per_file):
        with open(os.path.join(out, f"types_{start // per_file:02}.ttl"), "w", encoding="utf-8") as f:
            f.write(prefix)
            for i in range(start, min(start + per_file, types)):
                title = label(rng, parts)
                props = [camel(label(rng, parts).lower()) for _ in range(3 + rng.below(6))]
                description = sentence(rng, vocab, parts, 6 + rng.below(10))
                lines = [f'b:t{i} a mdcatno:ObjectType ;', f'  dct:title "{esc(title)}"@nb ;',
                         f'  dct:description "{esc(description)}"@nb ;']
                lines.append("  mdcatno:hasProperty " + ", ".join(f"b:t{i}p{j}" for j in range(len(props))) + " .")
                for j, prop in enumerate(props):
                    lines.append(f'b:t{i}p{j} a mdcatno:Attribute ; dct:title "{esc(prop)}"@nb .')
                f.write("\n".join(lines) + "\n")
                rows.append(("type", f"https://example.org/bench/t{i}", title, "", "", description, " ".join(props)))
    with open(os.path.join(out, "corpus.tsv"), "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerows(rows)
    # Queries: designers' words (roots, compounds, two words, without Norwegian letters).
    qrng = Rng(0xC0FFEE)
    search = []
    while len(search) < 200:
        r = qrng.below(10)
        if r < 5:
            q = qrng.pick(ROOTS)
        elif r < 7:
            q = qrng.pick(ROOTS) + qrng.pick(ROOTS)
        elif r < 8:
            q = qrng.pick(ROOTS) + " " + qrng.pick(ROOTS)
        elif r < 9:
            q = fold(qrng.pick(rows)[2].split()[0].lower())
        else:
            q = qrng.pick(rows)[2].lower()
        search.append(q)
    suggest = []
    while len(suggest) < 200:
        word = qrng.pick(rows)[2].split()[0].lower()
        n = min(len(word), 2 + qrng.below(7))
        q = word[:n]
        if n >= 5 and qrng.chance(20):
            k = 1 + qrng.below(n - 2)
            q = q[:k] + q[k + 1] + q[k] + q[k + 2:]
        suggest.append(q)
    with open(os.path.join(out, "search_queries.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(search) + "\n")
    with open(os.path.join(out, "suggest_queries.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(suggest) + "\n")


if __name__ == "__main__":
    main()
