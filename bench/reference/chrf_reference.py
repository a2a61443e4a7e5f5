"""Reference chrF values for LsLab.Translation.Chrf: NLTK's per-order counts and a numpy chrF from the paper.

Run with Debian's NLTK (python3-nltk) and numpy:
  /usr/bin/python3 bench/reference/chrf_reference.py > tests/LsLab.Tests/Translation/Fixtures/chrf_reference.json

LsLab computes chrF as sacreBLEU does by default (Popović 2015: character n-grams of orders 1-6 with
whitespace removed, beta = 2): per order the corpus n-gram precision P_n and recall R_n (counts summed
over sentences), chrP and chrR their arithmetic means over the orders present on both sides, and
chrF = (1 + beta^2) chrP chrR / (beta^2 chrP + chrR), times 100. With several references a sentence
contributes the counts of its best reference (highest sentence chrF, the first on ties).

NLTK 3.8's nltk.translate.chrf_score differs in four ways, so its final score is not ours:
  1. it averages the per-order F-scores (mean_n F_beta(P_n, R_n)) instead of taking F of the mean P and R;
  2. corpus_chrf is the mean of sentence scores (macro), not chrF of summed counts (micro);
  3. it takes one reference per hypothesis;
  4. its default beta is 3 (sacreBLEU's and ours is 2), and it reports 0-1 instead of 0-100.
Its character n-gram counting is the same, so the fixture's "nltk" part holds, per sentence pair and order,
NLTK's matches (tp), precision and recall, and sentence_chrf(beta=2): the C# test checks its counts
against them and reproduces NLTK's sentence value from its own counts with NLTK's formula. The "numpy"
part is an independent implementation of the definition above (count vectors in numpy, multi-reference,
corpus level) that the C# corpus scores must match.

The sentences are written here (not taken from any data set) and perturbed with a seeded RNG.
"""
import json
import random
import re
import sys
from collections import Counter

import nltk
import numpy as np
from nltk.translate.chrf_score import chrf_precision_recall_fscore_support, sentence_chrf

ORDER = 6
BETA = 2.0

SENTENCES = [
    "Der Mann sieht den Hund im Park.",
    "Die Frau gibt dem Kind ein rotes Buch.",
    "Wir wissen, dass er morgen nicht kommt.",
    "Kannst du mir bitte das Salz geben?",
    "Heute regnet es in Berlin, aber morgen scheint die Sonne!",
    "Meine Nachbarin hat einen großen, alten Hund.",
    "Weil der Zug Verspätung hat, kommen wir später.",
    "Öffnet ihr bitte die Tür für den Jungen?",
    "Die Lehrerin schickt den Schülern einen Brief.",
    "Obwohl es regnet, läuft das Mädchen schnell nach Hause.",
    "Das Auto des Nachbarn ist sehr schön.",
    "Sie dürfen hier nicht rauchen.",
    "Er muss morgen nicht arbeiten.",
    "Ich glaube, er hat keinen Hund.",
    "Während wir essen, singt der Vogel.",
    "Bevor ihr geht, müsst ihr das Fenster schließen.",
]

SWAPS = [("der", "die"), ("den", "dem"), ("Hund", "Katze"), ("sieht", "sah"), ("nicht", "kein"),
         ("Auto", "Wagen"), ("schön", "hübsch"), ("weil", "da"), ("Weil", "Da"), ("ihr", "Sie"),
         ("Lehrerin", "Lehrer"), ("schnell", "rasch"), ("großen", "grossen")]


def perturb(sentence, rng, p_word, p_char):
    words = sentence.split()
    out = []
    for w in words:
        r = rng.random()
        if r < p_word:
            continue  # drop the word
        for a, b in SWAPS:
            if w.startswith(a) and rng.random() < 0.5:
                w = b + w[len(a):]
                break
        chars = list(w)
        for i in range(len(chars)):
            if rng.random() < p_char:
                chars[i] = rng.choice("aeinrstäöüß")
        out.append("".join(chars))
    if len(out) > 2 and rng.random() < 0.3:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return " ".join(out)


# ------------------------------------------------------------------ numpy chrF from the paper

def char_ngrams(text, n):
    s = "".join(text.split())  # whitespace removed; Python str indexes code points
    return Counter(s[i:i + n] for i in range(len(s) - n + 1))


def stats_np(hyp, ref):
    """[ORDER, 3] array of (hypothesis n-grams, reference n-grams, clipped matches) per order."""
    out = np.zeros((ORDER, 3), dtype=np.int64)
    for n in range(1, ORDER + 1):
        h, r = char_ngrams(hyp, n), char_ngrams(ref, n)
        keys = sorted(set(h) | set(r))
        hv = np.array([h.get(k, 0) for k in keys], dtype=np.int64)
        rv = np.array([r.get(k, 0) for k in keys], dtype=np.int64)
        # An order the reference lacks contributes no hypothesis n-grams (sacreBLEU's convention).
        out[n - 1] = (hv.sum() if rv.sum() > 0 else 0, rv.sum(), np.minimum(hv, rv).sum())
    return out


def chrf_np(stats):
    """chrF (0-100) of summed [ORDER, 3] statistics: F_beta of precision and recall averaged over effective orders."""
    hyp, ref, match = stats[:, 0].astype(float), stats[:, 1].astype(float), stats[:, 2].astype(float)
    ok = (hyp > 0) & (ref > 0)
    if not ok.any():
        return 0.0, 0.0, 0.0
    p = np.mean(match[ok] / hyp[ok])
    r = np.mean(match[ok] / ref[ok])
    if p + r == 0:
        return 0.0, p, r
    b2 = BETA ** 2
    return 100 * (1 + b2) * p * r / (b2 * p + r), p, r


def numpy_case(name, hyps, refs):
    chosen, per = [], []
    for h, rs in zip(hyps, refs):
        cand = [stats_np(h, r) for r in rs]
        scores = np.array([chrf_np(c)[0] for c in cand])
        best = int(np.argmax(scores))  # first maximum on ties
        chosen.append(best)
        per.append(cand[best])
    total = np.sum(per, axis=0)
    score, p, r = chrf_np(total)
    return {
        "name": name, "hypotheses": hyps, "references": refs,
        "chosen_reference": chosen,
        "matches": total[:, 2].tolist(), "hypothesis_counts": total[:, 0].tolist(), "reference_counts": total[:, 1].tolist(),
        "sentence_chrf": [float(chrf_np(s)[0]) for s in per],
        "chrf": float(score), "precision": float(p), "recall": float(r),
    }


# ------------------------------------------------------------------ NLTK per-order counts

def nltk_pair(hyp, ref):
    h = re.sub(r"\s+", "", hyp)
    r = re.sub(r"\s+", "", ref)
    orders = []
    for n in range(1, ORDER + 1):
        prec, rec, f, tp = chrf_precision_recall_fscore_support(r, h, n, beta=BETA)
        orders.append({"n": n, "matches": tp, "precision": prec, "recall": rec, "f": f})
    return {"hypothesis": hyp, "reference": ref, "orders": orders,
            "sentence_chrf_beta2": sentence_chrf(ref, hyp, beta=BETA)}


def main():
    rng = random.Random(20261201)
    light = [perturb(s, rng, 0.05, 0.03) for s in SENTENCES]
    heavy = [perturb(s, rng, 0.3, 0.15) for s in SENTENCES]
    nltk_cases = [nltk_pair(h, s) for h, s in zip(light + heavy, SENTENCES + SENTENCES)]
    nltk_cases.append(nltk_pair("völlig anders", "Der Mann sieht den Hund."))

    refs1 = [[s] for s in SENTENCES]
    multi = [[s, perturb(s, rng, 0.05, 0.05), perturb(s, rng, 0.1, 0.0), perturb(s, rng, 0.0, 0.1)] for s in SENTENCES]
    cases = [
        numpy_case("light-noise", light, refs1),
        numpy_case("heavy-noise", heavy, refs1),
        numpy_case("identical", list(SENTENCES), refs1),
        numpy_case("four-references", [perturb(s, rng, 0.1, 0.05) for s in SENTENCES], multi),
        # Edge cases: empty hypothesis, hypothesis and reference shorter than 6 characters, a reference that is
        # repeated (tie: the first wins), whitespace of several kinds, a character outside the BMP.
        numpy_case("edges",
                   ["", "Ja.", "Der Hund.", "der  Mann\tsieht\u00a0den Hund", "Ein Ball \U0001F600 rollt.", "Nein."],
                   [["Der Mann."], ["Ja, gut."], ["Ein Hund.", "Der Hund.", "Der Hund."], ["Der Mann sieht den Hund."],
                    ["Ein Ball \U0001F600 rollt schnell."], ["Nein"]]),
    ]
    json.dump({"nltk_version": nltk.__version__, "numpy_version": np.__version__, "python": sys.version.split()[0],
               "nltk": nltk_cases, "cases": cases}, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
