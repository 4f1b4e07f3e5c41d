"""The ScrapingHub article-extraction-benchmark metric (word 4-gram shingles) and the gold snippet checks.

Per page, the gold text and the output each become a multiset of word 4-grams (tokens are ``\\w+`` runs, case
kept; a text of fewer than four tokens is one shingle of all its tokens). tp, fp and fn are the multiset overlaps,
normalised so that tp + fp + fn = 1. Precision is the mean of tp/(tp+fp) over the pages with any output,
recall the mean of tp/(tp+fn) over the pages with any gold text, and F1 = 2PR/(P+R) of those two means.
A page whose output and gold are both empty, or identical, scores 1.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
NGRAM = 4


def tokens(text: str | None) -> list[str]:
    """The word tokens of text: runs of \\w characters, case kept."""
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int = NGRAM) -> Counter:
    """The multiset of word n-grams of text (a text shorter than n tokens is one shingle; empty text none)."""
    toks = tokens(text)
    if len(toks) < n:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


@dataclass(frozen=True, slots=True)
class PageScore:
    """Normalised 4-gram overlap of one page's output with its gold text (tp + fp + fn = 1 unless all zero)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1 when output and gold agree exactly (or are both empty), 0 when nothing matches."""
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1 when output and gold agree exactly (or are both empty), 0 when nothing matches."""
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def page_score(gold: str, output: str, n: int = NGRAM) -> PageScore:
    """Compare one page's output with its gold text."""
    g, o = shingles(gold, n), shingles(output, n)
    tp = sum((g & o).values())
    fp = sum((o - g).values())
    fn = sum((g - o).values())
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


def aggregate(scores: Sequence[PageScore]) -> dict[str, float]:
    """Mean precision (over pages with output), mean recall (over pages with gold) and the F1 of the two."""
    with_output = [s.precision for s in scores if s.tp + s.fp > 0]
    with_gold = [s.recall for s in scores if s.tp + s.fn > 0]
    p = sum(with_output) / len(with_output) if with_output else 0.0
    r = sum(with_gold) / len(with_gold) if with_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "pages": len(scores),
            "empty_outputs": sum(1 for s in scores if s.tp + s.fp == 0)}


def normalise(text: str | None) -> str:
    """Whitespace-normalised text: runs of whitespace become one space, ends stripped."""
    return " ".join((text or "").split())


def snippets_found(output: str, snippets: Iterable[str]) -> tuple[int, int]:
    """(found, total): how many non-empty snippets occur in output as whitespace-normalised substrings."""
    out = normalise(output)
    found = total = 0
    for snippet in snippets:
        s = normalise(snippet)
        if not s:
            continue
        total += 1
        found += s in out
    return found, total


def rate(found: int, total: int) -> float:
    """found / total, or 0.0 when there is nothing to find."""
    return found / total if total else 0.0
