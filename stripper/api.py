"""The library API: label paragraphs and keep the ones the caller asked for."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path

from .document import LABELS, Document, Paragraph
from .model import Model, load_model
from .readers import read

DEFAULT_KEEP: tuple[str, ...] = ("content",)


def _check_keep(keep: Iterable[str]) -> tuple[str, ...]:
    keep = tuple(dict.fromkeys(keep))
    unknown = [k for k in keep if k not in LABELS]
    if unknown:
        raise ValueError(f"unknown label(s) {', '.join(map(repr, unknown))}; labels are {', '.join(LABELS)}")
    if not keep:
        raise ValueError("keep must name at least one label")
    return keep


class Stripper:
    """A reusable labeller and cleaner: thread-safe, picklable, the model loaded lazily once per process.

    model: None for the packaged model, a model directory, or a Model.
    keep: labels whose paragraphs clean() keeps.
    threshold: None keeps a paragraph whose most probable label is in keep; a number in [0, 1] keeps it
    when the summed probability of the kept labels reaches the threshold (lower keeps more).
    """

    def __init__(self, model: str | Path | Model | None = None, keep: Iterable[str] = DEFAULT_KEEP,
                 threshold: float | None = None) -> None:
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
        self.keep = _check_keep(keep)
        self.threshold = threshold
        self._model_spec = model
        self._model = model if isinstance(model, Model) else None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_lock"]
        if not isinstance(self._model_spec, Model):
            state["_model"] = None  # reloaded lazily (and cached) in the receiving process
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def model(self) -> Model:
        """The model, loaded (and checked) on first use."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = load_model(self._model_spec)
        return self._model

    # --- labelling --------------------------------------------------------------------------------------------
    def label_documents(self, docs: Sequence[Document]) -> list[Document]:
        """Set label and probs on every paragraph of docs in one batched prediction; returns docs."""
        if not any(d.paragraphs for d in docs):
            return list(docs)
        for doc, probs in zip(docs, self.model.predict_proba(docs), strict=True):
            for p, row in zip(doc.paragraphs, probs, strict=True):
                p.probs = {label: float(v) for label, v in zip(LABELS, row, strict=True)}
                p.label = LABELS[int(row.argmax())]
        return list(docs)

    def read(self, doc: str | bytes | Document, format: str = "auto") -> Document:
        """A Document from str/bytes (or the Document itself)."""
        return doc if isinstance(doc, Document) else read(doc, format)

    def label(self, doc: str | bytes | Document, *, format: str = "auto") -> list[Paragraph]:
        """Every paragraph of doc with its label and probabilities, in order."""
        document = self.read(doc, format)
        self.label_documents([document])
        return document.paragraphs

    def kept(self, paragraph: Paragraph) -> bool:
        """Whether clean() keeps this labelled paragraph."""
        if self.threshold is None:
            return paragraph.label in self.keep
        return sum(paragraph.probs.get(k, 0.0) for k in self.keep) >= self.threshold

    def render(self, document: Document) -> str:
        """The kept paragraphs of a labelled document, one per line, in order."""
        return "\n".join(p.text for p in document.paragraphs if self.kept(p))

    # --- cleaning ---------------------------------------------------------------------------------------------
    def clean(self, doc: str | bytes | Document, *, format: str = "auto") -> str:
        """The kept paragraphs of doc, one per line (text input: verbatim)."""
        document = self.read(doc, format)
        self.label_documents([document])
        return self.render(document)

    def clean_many(self, docs: Iterable[str | bytes | Document], *, format: str = "auto",
                   batch_size: int = 64) -> Iterator[str]:
        """clean() over many documents, predicting a batch of documents at a time; yields results in order."""
        it = iter(docs)
        while batch := [self.read(d, format) for d in islice(it, batch_size)]:
            self.label_documents(batch)
            yield from (self.render(d) for d in batch)


def clean(doc: str | bytes, *, keep: Iterable[str] = DEFAULT_KEEP, format: str = "auto",
          threshold: float | None = None) -> str:
    """The editorial text of doc (str or bytes, text or HTML): kept paragraphs one per line."""
    return Stripper(keep=keep, threshold=threshold).clean(doc, format=format)


def label(doc: str | bytes, *, format: str = "auto") -> list[Paragraph]:
    """Every paragraph of doc with .index, .text, .label and .probs (a dict over the four labels)."""
    return Stripper().label(doc, format=format)
