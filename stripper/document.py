"""The one data type that flows from reader to writer: a Document of Paragraphs."""

from __future__ import annotations

from dataclasses import dataclass, field

LABELS: tuple[str, ...] = ("content", "caption", "appeal", "boilerplate")


@dataclass(slots=True)
class Hints:
    """Structural hints an HTML reader found for one paragraph (all empty for plain text)."""

    tag: str = ""
    """Source element: p, h1..h6, li, td, blockquote, figcaption, pre, ..."""
    containers: frozenset[str] = frozenset()
    """Enclosing landmarks among figure, aside, nav, footer, header, form."""
    tokens: tuple[str, ...] = ()
    """Class and id tokens of the element and its nearest ancestors, lowercased."""
    link_density: float = 0.0
    """Share of the paragraph's characters that sit inside links."""


@dataclass(slots=True)
class Paragraph:
    """One paragraph of a document, with its label and per-label probabilities once labelled."""

    index: int
    text: str
    label: str | None = None
    probs: dict[str, float] = field(default_factory=dict)
    hints: Hints | None = None

    @property
    def score(self) -> float:
        """Probability of the assigned label (0.0 before labelling)."""
        return self.probs.get(self.label, 0.0) if self.label else 0.0

    def to_dict(self) -> dict:
        """A JSON-ready view: index, label, score, probs, text."""
        return {
            "index": self.index,
            "label": self.label,
            "score": round(self.score, 4),
            "probs": {k: round(v, 4) for k, v in self.probs.items()},
            "text": self.text,
        }


@dataclass(slots=True)
class Document:
    """Ordered paragraphs read from one input, and the format they were read as."""

    paragraphs: list[Paragraph]
    format: str = "text"
    source: str | None = None

    def __len__(self) -> int:
        return len(self.paragraphs)
