"""Reference corpus-BLEU values from NLTK for LsLab.Translation.Bleu.

Run with Debian's NLTK:
  /usr/bin/python3 bench/reference/bleu_reference.py > tests/LsLab.Tests/Translation/Fixtures/bleu_nltk.json

Both sides must tokenise the same way, so this script carries its own copy of sacreBLEU's 13a
tokeniser (mteval-v13a: TokenizerRegexp after a few HTML unescapes), tokenises every raw sentence,
and passes the tokens to nltk.translate.bleu_score.corpus_bleu (BLEU-4, uniform weights, no
smoothing). The fixture holds the raw sentences, this script's 13a tokens and NLTK's score and
n-gram counts; the C# test checks its tokeniser against the tokens and its BLEU against the score.

NLTK differs from sacreBLEU when a hypothesis is shorter than n tokens (it counts max(1, 0) n-grams
for it), so every hypothesis here has at least 4 tokens. With some n-gram order having no match,
NLTK returns about 1e-77 (it uses sys.float_info.min); the standard definition, and LsLab, give 0.
The sentences are written here (not taken from any data set) and perturbed with a seeded RNG.
"""
import json
import random
import re
import sys

import nltk
from nltk.translate.bleu_score import corpus_bleu, modified_precision

_RE = [
    (re.compile(r'([\{-\~\[-\` -\&\(-\+\:-\@\/])'), r' \1 '),
    (re.compile(r'([^0-9])([\.,])'), r'\1 \2 '),
    (re.compile(r'([\.,])([^0-9])'), r' \1 \2'),
    (re.compile(r'([0-9])(-)'), r'\1 \2 '),
]


def tok13a(line):
    line = line.replace('<skipped>', '').replace('-\n', '').replace('\n', ' ')
    if '&' in line:
        line = line.replace('&quot;', '"').replace('&amp;', '&').replace('&lt;', '<').replace('&gt;', '>')
    line = ' {} '.format(line)
    for r, repl in _RE:
        line = r.sub(repl, line)
    return ' '.join(line.split())


SENTENCES = [
    "Der Mann sieht den Hund im Park.",
    "Die Frau gibt dem Kind ein rotes Buch.",
    "Wir wissen, dass er morgen nicht kommt.",
    "Kannst du mir bitte das Salz geben?",
    "Heute regnet es in Berlin, aber morgen scheint die Sonne!",
    "Das kostet 3.50 Euro, also 1,000 Cent weniger als gestern.",
    "Er wohnt in der Müllerstraße 10-12 seit 1998.",
    "\"Ich komme gleich\", sagte sie leise.",
    "Tom & Jerry sind (angeblich) Freunde: Katze und Maus.",
    "Die Kinder spielen im Garten; die Eltern lesen Zeitung.",
    "Ob er das wirklich will, weiß niemand so genau.",
    "Meine Nachbarin hat einen großen, alten Hund.",
    "Die Temperatur liegt bei -5 Grad, also sehr kalt.",
    "Bitte schicken Sie die Unterlagen an info@example.org bis Freitag.",
    "Wenn der Zug pünktlich ist, sind wir um 8:30 Uhr da.",
    "Der Preis stieg um 12.5% auf 1.234,56 Euro.",
    "Sie fragte: \"Warum denn nicht?\"",
    "Das Buch, das du mir geliehen hast, ist spannend.",
    "Im Jahr 2020-2021 arbeitete er in Wien/Österreich.",
    "Es war einmal ein König, der hatte drei Töchter.",
    "He said it's a \"great\" idea &amp; everyone agreed.",
    "The quick brown fox jumps over the lazy dog.",
    "Prices rose 3.5 percent in 2023, the bank said.",
    "Don't forget: the meeting starts at 10:00 a.m. sharp!",
    "She bought apples, pears and plums at the market.",
    "Is this the right way to the station?",
    "We have to go as well, it's getting late.",
    "The children (all seven of them) were playing outside.",
    "Rock-and-roll never dies, or so they say.",
    "Visit www.example.com/page?id=5 for more details.",
]

WORDS = ["der", "die", "das", "und", "nicht", "Haus", "schnell", "Hund", "the", "a", "of", "green", ",", ".", "sehr", "heute"]


def perturb(tokens, rng, p_del, p_sub, p_ins, p_swap):
    out = []
    for t in tokens:
        r = rng.random()
        if r < p_del:
            continue
        if r < p_del + p_sub:
            out.append(rng.choice(WORDS))
            continue
        out.append(t)
        if rng.random() < p_ins:
            out.append(rng.choice(WORDS))
    for i in range(len(out) - 1):
        if rng.random() < p_swap:
            out[i], out[i + 1] = out[i + 1], out[i]
    while len(out) < 4:
        out.append(rng.choice(WORDS))
    return ' '.join(out)


def case(name, hyps_raw, refs_raw):
    hyps = [tok13a(h).split() for h in hyps_raw]
    refs = [[tok13a(r).split() for r in rs] for rs in refs_raw]
    assert all(len(h) >= 4 for h in hyps), name
    bleu = corpus_bleu(refs, hyps)
    matches, totals = [], []
    for n in range(1, 5):
        num = den = 0
        for rs, h in zip(refs, hyps):
            p = modified_precision(rs, h, n)
            num += p.numerator
            den += p.denominator
        matches.append(num)
        totals.append(den)
    return {
        "name": name,
        "hypotheses": hyps_raw,
        "references": refs_raw,
        "hypotheses_13a": [' '.join(h) for h in hyps],
        "references_13a": [[' '.join(r) for r in rs] for rs in refs],
        "bleu": bleu,
        "matches": matches,
        "totals": totals,
    }


def main():
    import warnings
    warnings.simplefilter("ignore")
    rng = random.Random(20261128)
    cases = []
    refs = [[s] for s in SENTENCES]
    toks = [tok13a(s).split() for s in SENTENCES]
    cases.append(case("light-noise", [perturb(t, rng, 0.08, 0.08, 0.03, 0.03) for t in toks], refs))
    cases.append(case("heavy-noise-short", [perturb(t, rng, 0.3, 0.15, 0.0, 0.1) for t in toks], refs))
    cases.append(case("insertions-long", [perturb(t, rng, 0.0, 0.05, 0.3, 0.0) for t in toks], refs))
    cases.append(case("identical", [' '.join(t) for t in toks], refs))
    multi = [[SENTENCES[i], perturb(toks[i], rng, 0.1, 0.1, 0.05, 0.05), perturb(toks[i], rng, 0.05, 0.2, 0.1, 0.0)]
             for i in range(len(SENTENCES))]
    cases.append(case("three-references", [perturb(t, rng, 0.15, 0.15, 0.05, 0.05) for t in toks], multi))
    shuffled = []
    for t in toks:
        s = list(t)
        rng.shuffle(s)
        shuffled.append(' '.join(s))
    cases.append(case("shuffled-words", shuffled, refs))
    cases.append(case("no-4gram-match", ["Haus Hund Haus Hund Haus", "der die das Haus", "a green of the a green"],
                      [["Der Hund sieht das Haus."], ["der Hund und die Katze"], ["the green house of a friend"]]))
    json.dump({"nltk_version": nltk.__version__, "python": sys.version.split()[0], "cases": cases},
              sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
