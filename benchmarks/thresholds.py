"""The keep threshold's trade-off on data the model did not train on: grouped cross-validation predictions on
training_data/ (whole outlets held out), and for each threshold the share of each label's paragraphs that
`clean` keeps (content) or removes (the other labels).

`python -m benchmarks.thresholds` prints the table; `make bench` puts it in RESULTS.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from . import REPO_ROOT

THRESHOLDS = (None, 0.5, 0.4, 0.3, 0.2, 0.1)
"""None: the default rule (the most probable label decides)."""


def tradeoff(data_dir: str | None = None, folds: int = 5, n_jobs: int = 2) -> dict:
    """Per threshold: content kept and each other label removed, as shares of their paragraphs."""
    from stripper.document import LABELS
    from stripper.training import load_training_data, out_of_fold

    docs = load_training_data(data_dir or REPO_ROOT / "training_data")
    probs, _, n_folds = out_of_fold(docs, folds, n_jobs)
    p = np.vstack([x for x in probs if len(x)])
    y = np.array([LABELS.index(label) for d in docs for label in d.labels])
    rows = []
    for t in THRESHOLDS:
        kept = p.argmax(axis=1) == 0 if t is None else p[:, 0] >= t
        row = {"threshold": t, "content_kept": float(kept[y == 0].mean())}
        for k, label in enumerate(LABELS[1:], start=1):
            row[f"{label}_removed"] = float((~kept[y == k]).mean())
        rows.append(row)
    return {"documents": len(docs), "paragraphs": int(len(y)), "folds": n_folds,
            "support": {label: int((y == k).sum()) for k, label in enumerate(LABELS)}, "rows": rows}


def render(result: dict) -> list[str]:
    """Markdown lines of the trade-off table."""
    lines = ["| `--threshold` | content kept | captions removed | appeals removed | boilerplate removed |",
             "|---|---|---|---|---|"]
    for r in result["rows"]:
        name = "default (most probable label)" if r["threshold"] is None else f"{r['threshold']:g}"
        lines.append(f"| {name} | {r['content_kept']:.3f} | {r['caption_removed']:.3f} | "
                     f"{r['appeal_removed']:.3f} | {r['boilerplate_removed']:.3f} |")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `python -m benchmarks.thresholds`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.thresholds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="labelled documents (default training_data/)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    result = tradeoff(args.data, args.folds, args.jobs)
    print(f"{result['documents']} documents, {result['paragraphs']} paragraphs, {result['folds']} grouped folds")
    print("\n".join(render(result)))


if __name__ == "__main__":
    main()
