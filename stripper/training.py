"""Training data loading, model fitting and grouped cross-validation."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .document import LABELS, Document, Paragraph
from .features import FEATURE_VERSION
from .model import Model, context_features, refine_features, scale_dense

DATA_SUFFIXES = (".jsonl", ".html")


class TrainingDataError(ValueError):
    """A training file that does not follow the format in training_data/README.md."""


@dataclass
class LabelledDoc:
    """One training document: its path relative to the data root, language, outlet (the CV group) and paragraphs."""

    path: str
    lang: str
    outlet: str
    doc: Document

    @property
    def labels(self) -> list[str]:
        return [p.label for p in self.doc.paragraphs]


def data_files(root: str | Path) -> list[Path]:
    """Every training file under root, sorted by relative path."""
    root = Path(root)
    return sorted((p for p in root.rglob("*") if p.suffix in DATA_SUFFIXES and p.is_file()),
                  key=lambda p: p.relative_to(root).as_posix())


def data_hash(root: str | Path) -> str:
    """SHA-256 over every training file's relative path and bytes."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in data_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_labelled(path: Path, rel: str) -> Document:
    """Read one labelled JSONL or HTML training document; TrainingDataError names the file and line."""
    if path.suffix == ".html":
        from .readers import read_html

        doc = read_html(path.read_text(encoding="utf-8"), with_labels=True)
        doc.paragraphs = [p for p in doc.paragraphs if p.label in LABELS]
        for i, p in enumerate(doc.paragraphs):
            p.index = i
        return doc
    paragraphs = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TrainingDataError(f"{rel}:{lineno}: invalid JSON ({exc.msg})") from None
            if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
                raise TrainingDataError(f"{rel}:{lineno}: a line needs a non-empty string 'text'")
            if record.get("label") not in LABELS:
                raise TrainingDataError(f"{rel}:{lineno}: label {record.get('label')!r} is not one of {LABELS}")
            paragraphs.append(Paragraph(len(paragraphs), record["text"], label=record["label"]))
    return Document(paragraphs, "text", source=rel)


def load_training_data(root: str | Path) -> list[LabelledDoc]:
    """All documents under root (root/<lang>/<outlet>/<doc>.jsonl|html), skipping empty ones."""
    root = Path(root)
    docs = []
    for path in data_files(root):
        rel = path.relative_to(root).as_posix()
        parts = rel.split("/")
        lang = parts[0] if len(parts) >= 3 else "unknown"
        outlet = parts[-2] if len(parts) >= 2 else parts[0]
        doc = read_labelled(path, rel)
        if doc.paragraphs:
            docs.append(LabelledDoc(rel, lang, f"{lang}/{outlet}", doc))
    if not docs:
        raise TrainingDataError(f"no labelled documents (*.jsonl, *.html) under {root}")
    return docs


# --- fitting -------------------------------------------------------------------------------------------------

def _targets(docs: Sequence[LabelledDoc]) -> np.ndarray:
    index = {label: i for i, label in enumerate(LABELS)}
    return np.array([index[p.label] for d in docs for p in d.doc.paragraphs])


def _full_proba(clf, x) -> np.ndarray:
    """predict_proba with one column per label even when a label was missing from the fit."""
    out = np.zeros((x.shape[0], len(LABELS)))
    out[:, clf.classes_] = clf.predict_proba(x)
    return out


DEFAULT_PARAMS: dict = {
    "text_c": 8.0,          # inverse regularisation of the text model
    "text_dense": True,     # give the text model the dense shape/position/hint columns too
    "ctx_iter": 250,        # boosting rounds of the context model
    "ctx_lr": 0.08,
    "ctx_leaves": 31,
    "content_weight": 2.0,  # sample weight of content paragraphs in the context model (recall of content)
    "text_class_weight": None,  # None or "balanced" for the text model
    "neighbour_shape": True,    # context model also sees the previous and next paragraphs' shape columns
    "trimmed_copies": True,     # also train on each text document from its first content paragraph on
    "excerpt_copies": True,     # also train on a short run of lines from each text document (short inputs)
    "long_neighbours": True,    # context model also sees the nearest long paragraph above and below
    "refine_rounds": 1,         # further context passes over the previous pass's probabilities
    "refine_iter": 250,         # boosting rounds of each refining pass
}


def _part_copy(d: LabelledDoc, start: int, stop: int, suffix: str) -> LabelledDoc:
    """Paragraphs start..stop of a document as a document of its own, renumbered, under the path d.path + suffix."""
    kept = [Paragraph(i, p.text, label=p.label, hints=p.hints) for i, p in enumerate(d.doc.paragraphs[start:stop])]
    return LabelledDoc(d.path + suffix, d.lang, d.outlet, Document(kept, d.doc.format, d.doc.source))


def trimmed_copy(d: LabelledDoc) -> LabelledDoc | None:
    """The document from its first content paragraph on, as a scraper that already dropped the page header
    would give it; None for HTML documents and for those that start with content."""
    paras = d.doc.paragraphs
    first = next((i for i, p in enumerate(paras) if p.label == "content"), 0)
    if d.doc.format != "text" or first == 0:
        return None
    return _part_copy(d, first, len(paras), "#trimmed")


_EXCERPT_LINES = (4, 8)


def excerpt_copy(d: LabelledDoc) -> LabelledDoc | None:
    """A run of 4 to 8 lines from a text document, as a short snippet or a cut-off scrape would give it (its
    start and length fixed by the document's path, so that fits repeat); None for HTML and short documents."""
    paras = d.doc.paragraphs
    if d.doc.format != "text" or len(paras) <= _EXCERPT_LINES[1]:
        return None
    seed = zlib.crc32(d.path.encode())
    length = _EXCERPT_LINES[0] + seed % (_EXCERPT_LINES[1] - _EXCERPT_LINES[0] + 1)
    start = (seed // 7) % (len(paras) - length + 1)
    return _part_copy(d, start, start + length, "#excerpt")


def _fit_text_model(docs: Sequence[LabelledDoc], params: dict, dense_rows: np.ndarray | None = None) -> Model:
    """The text stage fitted on docs; dense_rows, when given, are their dense columns (computed once by fit)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import MaxAbsScaler

    from .features import char_text, dense, model_text, word_text

    texts = [model_text(p) for d in docs for p in d.doc.paragraphs]
    y = _targets(docs)
    word = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), min_df=2, max_features=40000,
                           sublinear_tf=True, dtype=np.float32)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=3, max_features=40000,
                           sublinear_tf=True, dtype=np.float32)
    xw = word.fit_transform([word_text(t) for t in texts])
    xc = char.fit_transform([char_text(t) for t in texts])
    word.stop_words_ = None  # the pruned vocabulary is large and unused after fitting
    char.stop_words_ = None
    if dense_rows is None:
        dense_rows = np.vstack([dense(d.doc) for d in docs])
    scaler = MaxAbsScaler().fit(dense_rows)  # keeps 0/1 hints at 0/1: rare hints get no outsized weight
    if not params["text_dense"]:
        scaler.scale_ = np.full_like(scaler.scale_, np.inf)  # dense columns become 0: a text-only first stage
    x = sparse.hstack([xw, xc, sparse.csr_matrix(scale_dense(scaler, dense_rows))], format="csr")
    clf = LogisticRegression(C=params["text_c"], max_iter=3000, class_weight=params["text_class_weight"])
    clf.fit(x, y)
    return Model(word=word, char=char, scaler=scaler, text_clf=clf)


def fit(docs: Sequence[LabelledDoc], params: dict | None = None, inner_folds: int = 4, seed: int = 0) -> Model:
    """Fit both stages; the context stage learns from out-of-fold text probabilities (folds hold out outlets)."""
    params = {**DEFAULT_PARAMS, **(params or {})}
    originals, docs = docs, list(docs)
    if params["trimmed_copies"]:  # most documents open with furniture; text a scraper extracted often does not
        docs += [c for c in map(trimmed_copy, originals) if c is not None]
    if params["excerpt_copies"]:  # short inputs: position alone must not decide a paragraph of a five-line text
        docs += [c for c in map(excerpt_copy, originals) if c is not None]
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GroupKFold

    from .features import dense

    sizes = [len(d.doc.paragraphs) for d in docs]
    offsets = np.concatenate(([0], np.cumsum(sizes)))
    oof = np.zeros((offsets[-1], len(LABELS)))
    groups = [d.outlet for d in docs]
    folds = min(inner_folds, len(set(groups)))
    dense_rows = np.vstack([dense(d.doc) for d in docs])
    for train, test in GroupKFold(n_splits=folds).split(docs, groups=groups):
        rows = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in train])
        part = _fit_text_model([docs[i] for i in train], params, dense_rows[rows])
        test_rows = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in test])
        x, _ = part._stage1_matrix([docs[i].doc for i in test], dense_rows[test_rows])
        proba = _full_proba(part.text_clf, x)
        start = 0
        for i in test:
            oof[offsets[i]:offsets[i + 1]] = proba[start:start + sizes[i]]
            start += sizes[i]
    model = _fit_text_model(docs, params, dense_rows)
    model.neighbour_shape = params["neighbour_shape"]
    model.long_neighbours = params["long_neighbours"]
    z = context_features(oof, dense_rows, sizes, model.neighbour_shape, model.long_neighbours)
    y = _targets(docs)
    weight = np.where(y == 0, params["content_weight"], 1.0)

    def booster(x, rows, rounds=params["ctx_iter"]):
        return HistGradientBoostingClassifier(
            max_iter=rounds, learning_rate=params["ctx_lr"], max_leaf_nodes=params["ctx_leaves"],
            l2_regularization=1.0, random_state=seed).fit(x[rows], y[rows], sample_weight=weight[rows])

    everything = np.arange(len(y))
    model.context_clf = booster(z, everything)
    if params["refine_rounds"]:
        row_splits = list(GroupKFold(n_splits=folds).split(z, groups=np.repeat(groups, sizes)))
        zr, rounds = z, params["ctx_iter"]  # each round's inner fits mirror the pass whose output they stand in for
        for _ in range(params["refine_rounds"]):
            prev = np.zeros((len(y), len(LABELS)))
            for train, test in row_splits:
                prev[test] = _full_proba(booster(zr, train, rounds), zr[test])
            zr, rounds = refine_features(z, prev, sizes), params["refine_iter"]
            model.refine_clfs.append(booster(zr, everything, rounds))
    return model


# --- evaluation ----------------------------------------------------------------------------------------------

def score(y_true: Sequence[str], y_pred: Sequence[str]) -> dict:
    """Per-label precision, recall, F1 and support, a confusion matrix (rows: truth) and accuracy."""
    idx = {label: i for i, label in enumerate(LABELS)}
    cm = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    for t, p in zip(y_true, y_pred, strict=True):
        cm[idx[t], idx[p]] += 1
    per_label = {}
    for i, label in enumerate(LABELS):
        tp = cm[i, i]
        prec = tp / cm[:, i].sum() if cm[:, i].sum() else 0.0
        rec = tp / cm[i].sum() if cm[i].sum() else float("nan")
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_label[label] = {"precision": round(float(prec), 4), "recall": round(float(rec), 4),
                            "f1": round(float(f1), 4), "support": int(cm[i].sum())}
    return {"labels": per_label, "confusion": cm.tolist(),
            "accuracy": round(float(np.trace(cm) / max(1, cm.sum())), 4), "paragraphs": int(cm.sum())}


def out_of_fold(docs: Sequence[LabelledDoc], folds: int = 5, n_jobs: int = 1, params: dict | None = None,
                extra: Sequence[LabelledDoc | None] | None = None) -> tuple[list[np.ndarray], list, int]:
    """Grouped cross-validation predictions: for each document, the probabilities (paragraphs x LABELS) of a
    model fitted without its outlet; the same model's probabilities for extra[i] (a variant of document i, or
    None); and the number of folds."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import GroupKFold

    groups = [d.outlet for d in docs]
    splits = list(GroupKFold(n_splits=min(folds, len(set(groups)))).split(docs, groups=groups))
    extra = list(extra) if extra is not None else [None] * len(docs)

    def run(train, test):
        model = fit([docs[i] for i in train], params)
        own = model.predict_proba([docs[i].doc for i in test])
        others = [i for i in test if extra[i] is not None]
        more = dict(zip(others, model.predict_proba([extra[i].doc for i in others]), strict=True)) if others else {}
        return [(i, p, more.get(i)) for i, p in zip(test, own, strict=True)]

    results = Parallel(n_jobs=n_jobs)(delayed(run)(tr, te) for tr, te in splits)
    by_doc = {i: (p, q) for chunk in results for i, p, q in chunk}
    return [by_doc[i][0] for i in range(len(docs))], [by_doc[i][1] for i in range(len(docs))], len(splits)


def _labels_of(probs: np.ndarray) -> list[str]:
    return [LABELS[j] for j in probs.argmax(axis=1)]


def cross_validate(docs: Sequence[LabelledDoc], folds: int = 5, n_jobs: int = 1, params: dict | None = None) -> dict:
    """Grouped cross-validation (whole outlets held out): figures overall and per language, and on the held-out
    text documents trimmed to start at their first content paragraph ("scraped": the shape of text a scraper
    already extracted), with the share whose first line (the headline) was kept."""
    trimmed = [trimmed_copy(d) for d in docs]
    probs, trimmed_probs, n_folds = out_of_fold(docs, folds, n_jobs, params, extra=trimmed)
    predicted = [_labels_of(p) for p in probs]
    report = {"folds": n_folds, "documents": len(docs), "outlets": len({d.outlet for d in docs}),
              **score_documents(docs, predicted), "edges": edge_content_kept(docs, predicted)}
    pairs = [(t, _labels_of(p)) for t, p in zip(trimmed, trimmed_probs, strict=True) if t is not None]
    if pairs:
        scraped = score_documents([t for t, _ in pairs], [p for _, p in pairs])["overall"]
        scraped["documents"] = len(pairs)
        scraped["first_line_kept"] = round(sum(p[0] == "content" for _, p in pairs) / len(pairs), 4)
        report["scraped"] = scraped
    return report


def edge_content_kept(docs: Sequence[LabelledDoc], predicted: Sequence[Sequence[str]]) -> dict:
    """The share of documents whose first and whose last content paragraph were predicted content: the lead and
    the closing paragraph stand next to page furniture, where the paragraph recall hides its misses."""
    first = last = n = 0
    for d, pred in zip(docs, predicted, strict=True):
        idx = [i for i, label in enumerate(d.labels) if label == "content"]
        if idx:
            n += 1
            first += pred[idx[0]] == "content"
            last += pred[idx[-1]] == "content"
    return {"documents": n, "first_content_kept": round(first / max(1, n), 4),
            "last_content_kept": round(last / max(1, n), 4)}


def score_documents(docs: Sequence[LabelledDoc], predicted: Sequence[Sequence[str]]) -> dict:
    """score() of predicted labels (one list per document) against the documents' labels: overall, and per
    language with its document count."""
    truth_all: list[str] = []
    pred_all: list[str] = []
    by_lang: dict[str, tuple[list[str], list[str], list[int]]] = {}
    for d, pred in zip(docs, predicted, strict=True):
        truth_all += d.labels
        pred_all += pred
        t, p, count = by_lang.setdefault(d.lang, ([], [], [0]))
        t += d.labels
        p += pred
        count[0] += 1
    languages = {lang: {**score(t, p), "documents": count[0]} for lang, (t, p, count) in sorted(by_lang.items())}
    return {"overall": score(truth_all, pred_all), "by_language": languages}


def format_report(report: dict) -> str:
    """The cross-validation report as a plain-text table."""
    lines = [f"grouped {report['folds']}-fold cross-validation, whole outlets held out: "
             f"{report['documents']} documents, {report['outlets']} outlets, "
             f"{report['overall']['paragraphs']} paragraphs"]
    header = f"{'set':<10}{'docs':>6}{'paras':>7}" + "".join(f"{label[:8] + ' R':>12}" for label in LABELS) + \
        "".join(f"{label[:8] + ' P':>12}" for label in LABELS)
    lines.append(header)
    rows = [("overall", report["overall"], report["documents"])] + [
        (lang, r, r.get("documents", 0)) for lang, r in report["by_language"].items()]
    if "scraped" in report:
        rows.append(("scraped", report["scraped"], report["scraped"]["documents"]))
    for name, r, ndocs in rows:
        rec = "".join(f"{r['labels'][label]['recall']:>12.3f}" for label in LABELS)
        prec = "".join(f"{r['labels'][label]['precision']:>12.3f}" for label in LABELS)
        lines.append(f"{name:<10}{ndocs:>6}{r['paragraphs']:>7}{rec}{prec}")
    lines.append("confusion (rows: truth, columns: predicted, order " + ", ".join(LABELS) + "):")
    for label, row in zip(LABELS, report["overall"]["confusion"], strict=True):
        lines.append(f"  {label:<12}" + "".join(f"{v:>8}" for v in row))
    if "edges" in report:
        edges = report["edges"]
        lines.append(f"first content paragraph (the headline or lead) kept in {edges['first_content_kept']:.1%} of "
                     f"the documents, last content paragraph kept in {edges['last_content_kept']:.1%}")
    if "scraped" in report:
        lines.append("scraped: the held-out text documents from their first content paragraph on (as a scraper "
                     f"that dropped the page header gives them); headline kept in "
                     f"{report['scraped']['first_line_kept']:.1%} of them")
    return "\n".join(lines)


def train(data_dir: str | Path, out_dir: str | Path, folds: int = 5, n_jobs: int = 1,
          progress=None) -> tuple[Model, dict]:
    """Cross-validate, fit on everything, save model and metadata to out_dir; returns (model, cv report)."""
    import sklearn

    from . import __version__

    say = progress or (lambda msg: None)
    digest = data_hash(data_dir)  # of the files as loaded, not as they are when training ends
    docs = load_training_data(data_dir)
    say(f"loaded {len(docs)} documents from {data_dir}")
    report = cross_validate(docs, folds=folds, n_jobs=n_jobs) if folds > 1 else {}
    if report:
        say(format_report(report))
    model = fit(docs)
    model.meta = {
        "labels": list(LABELS),
        "feature_version": FEATURE_VERSION,
        "sklearn_version": sklearn.__version__,
        "sklearn_minor": ".".join(sklearn.__version__.split(".")[:2]),
        "stripper_version": __version__,
        "training_data_sha256": digest,
        "documents": len(docs),
        "paragraphs": sum(len(d.doc.paragraphs) for d in docs),
        "created": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cross_validation": report,
    }
    model.save(Path(out_dir))
    return model, report
