"""Where stripper and trafilatura differ on the real pages, paragraph by paragraph, by stripper's label.

Each paragraph of stripper's HTML reading is matched against the gold text and against trafilatura's output.
A paragraph of four or more words is "in" a text when at least half of its word 4-grams (the metric's shingles)
occur in that text: the same as a substring test on token-normalised text in the common case, and robust to
paragraphs the reader merged, split or glued differently from the gold. A shorter paragraph is "in" a text only
when it equals a whole line of it (so "Share" is not "in gold" because the word occurs in a sentence).

Categories by stripper's decision and the gold:
  kept & in gold: right;  kept & not in gold: leak;  removed & not in gold: good removal;
  removed & in gold: lost content.
Gold lines that no paragraph of stripper's reading contains are "reader misses" (the reader, not the model, lost them).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import metric
from .pages import Page
from .quality import Para

CATEGORIES = ("kept_in_gold", "leak", "good_removal", "lost")
SNIPPET_CHARS = 90


IN_SHARE = 0.5
"""A paragraph of four or more words is "in" a text when at least this share of its word 4-grams occur there."""


class _Text:
    """A text prepared for the paragraph-in-text test: its lines (token-normalised) and its set of 4-grams."""

    def __init__(self, text: str) -> None:
        self.lines = {key for key in (_key(line) for line in text.splitlines()) if key}
        self.shingles = set(metric.shingles(text))

    def share(self, text: str) -> float:
        """The share of text's word 4-grams found here (1.0 or 0.0 for a text under four words: whole-line match)."""
        toks = metric.tokens(text)
        if not toks:
            return 0.0
        if len(toks) < metric.NGRAM:
            return float(" ".join(toks) in self.lines)
        grams = metric.shingles(text)
        return sum(n for g, n in grams.items() if g in self.shingles) / sum(grams.values())

    def contains(self, text: str) -> bool:
        return self.share(text) >= IN_SHARE


def _key(text: str) -> str:
    return " ".join(metric.tokens(text))


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """text on one line, cut to limit characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@dataclass(slots=True)
class Row:
    """One paragraph's fate: page, position, stripper's label and probabilities, gold and trafilatura membership."""

    page: str
    index: int
    para: Para
    kept: bool
    gold_share: float
    traf_share: float
    words: int

    @property
    def in_gold(self) -> bool:
        return self.gold_share >= IN_SHARE

    @property
    def in_trafilatura(self) -> bool:
        return self.traf_share >= IN_SHARE

    @property
    def category(self) -> str:
        if self.kept:
            return "kept_in_gold" if self.in_gold else "leak"
        return "lost" if self.in_gold else "good_removal"


@dataclass(slots=True)
class Miss:
    """A gold line that stripper's reader did not produce at all."""

    page: str
    text: str
    in_trafilatura: bool
    words: int


def analyse(paragraphs: dict[str, list[Para]], trafilatura: dict[str, str], gold: dict[str, Page],
            keep: Sequence[str] = ("content",)) -> tuple[list[Row], list[Miss]]:
    """Every paragraph's Row, and the reader's misses, over the pages that stripper read."""
    rows: list[Row] = []
    misses: list[Miss] = []
    for page_id, paras in paragraphs.items():
        g = _Text(gold[page_id].main_content)
        t = _Text(trafilatura.get(page_id, ""))
        read = _Text("\n".join(p.text for p in paras))
        for i, p in enumerate(paras):
            rows.append(Row(page_id, i, p, p.label in keep, round(g.share(p.text), 3), round(t.share(p.text), 3),
                            len(metric.tokens(p.text))))
        for line in gold[page_id].main_content.splitlines():
            words = len(metric.tokens(line))
            if words and not read.contains(line):
                misses.append(Miss(page_id, line.strip(), t.contains(line), words))
    return rows, misses


def summarise(rows: Sequence[Row], misses: Sequence[Miss], examples: int = 3) -> dict:
    """Counts and words by category and label (split by whether trafilatura kept the text), with examples."""
    table: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(Counter))
    picks: dict[tuple[str, str, bool], list[Row]] = defaultdict(list)
    for r in rows:
        cell = table[r.category][r.para.label]
        cell["paragraphs"] += 1
        cell["words"] += r.words
        cell["traf_paragraphs"] += r.in_trafilatura
        cell["traf_words"] += r.words * r.in_trafilatura
        if r.category != "kept_in_gold" and len(r.para.text) >= 15:
            picks[(r.category, r.para.label, r.in_trafilatura)].append(r)
    chosen = {}
    for k, candidates in picks.items():
        candidates.sort(key=lambda r: (-r.para.probs.get(r.para.label, 0.0), -r.words, r.page, r.index))
        seen, out = set(), []
        for r in candidates:
            if r.page in seen:
                continue
            seen.add(r.page)
            out.append({"page": r.page, "label": r.para.label, "p": round(r.para.probs.get(r.para.label, 0.0), 2),
                        "text": snippet(r.para.text)})
            if len(out) == examples:
                break
        chosen["|".join([k[0], k[1], "traf" if k[2] else "notraf"])] = out
    miss_summary = {
        "lines": len(misses), "words": sum(m.words for m in misses),
        "traf_lines": sum(m.in_trafilatura for m in misses),
        "traf_words": sum(m.words for m in misses if m.in_trafilatura),
        "examples": [{"page": m.page, "text": snippet(m.text)}
                     for m in _distinct_pages(sorted((m for m in misses if m.in_trafilatura),
                                                     key=lambda m: (-m.words, m.page)), examples)],
    }
    return {"table": {c: {label: dict(v) for label, v in table[c].items()} for c in CATEGORIES if c in table},
            "examples": chosen, "reader_misses": miss_summary}


LINK_DENSITY_EDGES = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)


def _tally(rows: Iterable[tuple[str, Row]], names: Sequence[str]) -> list[dict]:
    out = {name: Counter() for name in names}
    for name, r in rows:
        out[name]["gold_words"] += r.words * r.in_gold
        out[name][r.category] += r.words
    return [{"bin": name, "gold_words": c["gold_words"], "lost": c["lost"], "leak": c["leak"],
             "good_removal": c["good_removal"]} for name, c in out.items()]


def by_position(rows: Sequence[Row], bins: int = 10) -> list[dict]:
    """Words in gold, lost, leaked and rightly removed by relative position in the page (tenths by default)."""
    size: Counter = Counter()
    for r in rows:
        size[r.page] = max(size[r.page], r.index + 1)
    names = [str(i + 1) for i in range(bins)]
    return _tally(((names[min(bins - 1, bins * r.index // max(1, size[r.page]))], r) for r in rows), names)


def by_link_density(rows: Sequence[Row], edges: Sequence[float] = LINK_DENSITY_EDGES) -> list[dict]:
    """Words in gold, lost, leaked and rightly removed by the paragraph's link density (share of linked chars)."""
    names = [f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(edges, edges[1:], strict=False)] + [f"{edges[-1]:.2f}–1"]

    def name(r: Row) -> str:
        i = max(k for k, lo in enumerate(edges) if r.para.link_density >= lo or k == 0)
        return names[i]

    return _tally(((name(r), r) for r in rows), names)


def ceilings(rows: Sequence[Row], gold: dict[str, Page]) -> dict[str, dict]:
    """What stripper's reader allows: every paragraph kept ("reader alone"), and only the paragraphs found in the
    gold kept ("perfect labels"), scored with the 4-gram metric over the pages stripper read."""
    texts: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        texts[r.page].append(r)
    pages = [pid for pid in gold if pid in texts] + [pid for pid in gold if pid not in texts]
    every = [metric.page_score(gold[pid].main_content, "\n".join(r.para.text for r in texts.get(pid, [])))
             for pid in pages]
    perfect = [metric.page_score(gold[pid].main_content,
                                 "\n".join(r.para.text for r in texts.get(pid, []) if r.in_gold)) for pid in pages]
    return {"reader_alone": metric.aggregate(every), "perfect_labels": metric.aggregate(perfect)}


def _distinct_pages(items: Iterable, n: int) -> list:
    seen, out = set(), []
    for item in items:
        if item.page not in seen:
            seen.add(item.page)
            out.append(item)
        if len(out) == n:
            break
    return out


def page_differences(rows: Sequence[Row], misses: Sequence[Miss], stripper_scores: dict[str, metric.PageScore],
                     traf_scores: dict[str, metric.PageScore], n: int = 10) -> list[dict]:
    """The n pages where stripper's F1 falls furthest below trafilatura's, with what stripper lost or leaked."""
    def f1(s: metric.PageScore) -> float:
        p, r = s.precision, s.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    by_page: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        if r.category == "lost":
            by_page[r.page][f"lost_{r.para.label}"] += r.words
        elif r.category == "leak":
            by_page[r.page]["leaked"] += r.words
    for m in misses:
        by_page[m.page]["reader_missed"] += m.words
    diffs = []
    for pid, s in stripper_scores.items():
        t = traf_scores[pid]
        diffs.append({"page": pid, "stripper_f1": round(f1(s), 3), "trafilatura_f1": round(f1(t), 3),
                      "delta": round(f1(s) - f1(t), 3), "stripper_p": round(s.precision, 3),
                      "stripper_r": round(s.recall, 3), "trafilatura_p": round(t.precision, 3),
                      "trafilatura_r": round(t.recall, 3), "words": dict(by_page.get(pid, {}))})
    diffs.sort(key=lambda d: (d["delta"], d["page"]))
    return diffs[:n]


def recall_gap(stripper_scores: dict[str, metric.PageScore], traf_scores: dict[str, metric.PageScore],
               drop: float = 0.5) -> dict:
    """The mean-recall gap to trafilatura, and the share of it from pages whose recall falls more than `drop`
    below trafilatura's (whole-page failures, as opposed to paragraph-level losses)."""
    n = max(1, len(stripper_scores))
    diffs = {pid: s.recall - traf_scores[pid].recall for pid, s in stripper_scores.items()}
    big = {pid: d for pid, d in diffs.items() if d < -drop}
    return {"gap": sum(diffs.values()) / n, "drop": drop, "pages": sorted(big),
            "from_pages": sum(big.values()) / n}


def write_dump(path: str | Path, rows: Sequence[Row], misses: Sequence[Miss],
               scores: dict[str, dict[str, metric.PageScore]], gold: dict[str, Page]) -> int:
    """Write JSON lines for study, one object per line, each with a "kind":
    "page": per-system precision and recall of one page;
    "paragraph": one paragraph of stripper's reading (label, probs, hints, kept, in_gold, in_trafilatura, the
    share of its 4-grams in each, text);
    "reader_miss": a gold line the reader never produced.
    Returns the number of lines written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        def put(obj: dict) -> None:
            nonlocal n
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
            n += 1

        for pid in gold:
            put({"kind": "page", "page": pid, "url": gold[pid].url,
                 "scores": {system: {"p": round(s[pid].precision, 4), "r": round(s[pid].recall, 4)}
                            for system, s in scores.items() if pid in s}})
        for r in rows:
            p = r.para
            put({"kind": "paragraph", "page": r.page, "index": r.index, "label": p.label, "probs": p.probs,
                 "kept": r.kept, "in_gold": r.in_gold, "in_trafilatura": r.in_trafilatura,
                 "gold_share": r.gold_share, "traf_share": r.traf_share,
                 "category": r.category, "words": r.words, "tag": p.tag, "containers": list(p.containers),
                 "tokens": list(p.tokens), "link_density": p.link_density, "text": p.text})
        for m in misses:
            put({"kind": "reader_miss", "page": m.page, "in_trafilatura": m.in_trafilatura, "words": m.words,
                 "text": m.text})
    return n
