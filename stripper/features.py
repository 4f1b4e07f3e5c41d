"""Paragraph features: text for the word and character vectorizers, and dense shape, position and hint columns."""

from __future__ import annotations

import math
import re

import numpy as np

from .document import Document, Paragraph

FEATURE_VERSION = 3
"""Bump when any feature changes meaning; a saved model with another version refuses to load."""

_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"\w+")
_CURRENCY = re.compile(r"[$€£¥₽₺₹]|\b(usd|eur|gbp|chf|руб\w*|zł|zl|pln|tl|r\$|円|元)\b|\d\s?(円|元|€|zł)", re.I)
_AMOUNT = re.compile(
    r"([$€£¥₽₺₹]\s?\d|\d[\d.,]*\s?([$€£¥₽₺₹]|円|元|zł|руб|tl\b|eur\b|usd\b|dollars?\b|euros?\b))", re.I)
_CREDIT = re.compile(
    r"\b(photo|photos|foto|fotos|fot\.|photograph|photography|credit|credits|illustration|image|images|picture|"
    r"bild|crédit|crédits|imagen|immagine|zdjęcie|fotoğraf|фото|фотография|video|getty|reuters|afp|ap|epa|dpa|ansa|"
    r"efe|tass|pap|shutterstock|alamy|istock|xinhua|kyodo|anadolu|aa)\b|©|写真|图片|照片|图/|提供|撮影|来源",
    re.I)
_SLASH_CREDIT = re.compile(r"\w+\s*/\s*[A-Z][\w.-]+(\s*/\s*[A-Z][\w.-]+)?\s*\)?\s*$")
_PAREN_END = re.compile(r"\([^()]{2,60}\)\s*$")
_YOU = re.compile(
    r"\b(you|your|yours|yourself|sie|ihr|ihnen|ihre|du|dich|dein|deine|vous|votre|vos|tu|toi|ton|ta|usted|ustedes|"
    r"tú|te|tus|tuo|tua|voi|vostro|vostra|lei|вы|вас|вам|ваш|ваша|ваши|ты|тебя|você|vocês|seu|sua|ty|ciebie|"
    r"wy|was|państwo|siz|sen|sizin|senin)\b|你|您|あなた|皆さま|皆様", re.I)
_WE = re.compile(
    r"\b(we|us|our|ours|wir|uns|unser|unsere|nous|notre|nos|nosotros|nuestro|nuestra|noi|nostro|nostra|мы|нас|нам|"
    r"наш|наша|наши|nós|nosso|nossa|my|nas|nasz|nasza|biz|bizim|bize)\b|我们|我們|私たち|当社|本紙|本报", re.I)
_QUOTE = re.compile(r"[\"“”«»„‟「」『』]")
_URL = re.compile(r"https?://|www\.|@\w+\.\w+|\.(com|org|net)\b", re.I)
_SENT_END = ("." , "!", "?", "。", "！", "？", "…", '"', "”", "»", "」", ")")
_TAGS = ("p", "h", "li", "td", "blockquote", "figcaption", "pre", "other")
_CONTAINERS = ("figure", "aside", "nav", "footer", "header", "form")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "h"}

SHAPE_NAMES: tuple[str, ...] = (
    "log_chars", "log_words", "upper", "digits", "punct", "non_ascii", "ends_sentence", "ends_colon",
    "starts_upper", "title_words", "currency", "amount", "credit", "slash_credit", "paren_end", "you", "we",
    "quote", "url", "sentences", "pipe",
)
POSITION_NAMES: tuple[str, ...] = ("rel_pos", "is_first", "is_last", "near_start", "near_end")
"""Bounded on purpose: real pages run to hundreds of paragraphs, far longer than any training document."""
HINT_NAMES: tuple[str, ...] = ("is_html",) + tuple(f"tag_{t}" for t in _TAGS) + tuple(
    f"in_{c}" for c in _CONTAINERS) + ("all_link",)
NEIGHBOUR_NAMES: tuple[str, ...] = ("prev_log_chars", "next_log_chars", "prev_ends_sentence", "next_ends_sentence",
                                    "prev_credit", "next_credit")
DENSE_NAMES: tuple[str, ...] = SHAPE_NAMES + POSITION_NAMES + HINT_NAMES + NEIGHBOUR_NAMES


def model_text(p: Paragraph, head: int = 600, tail: int = 200) -> str:
    """The paragraph text the vectorizers see: digits folded to 0, long text cut to its head and tail,
    HTML class/id tokens appended as marked words."""
    text = p.text.strip()
    if len(text) > head + tail:
        text = text[:head] + " " + text[-tail:]
    text = _DIGITS.sub("0", text)
    if p.hints is not None and p.hints.tokens:
        text += " " + " ".join("zzcls" + t for t in p.hints.tokens[:12])
    return text


def char_text(text: str, head: int = 240, tail: int = 80) -> str:
    """The shorter slice the character n-gram vectorizer sees."""
    return text if len(text) <= head + tail else text[:head] + " " + text[-tail:]


_LOG_CHARS_CAP = math.log1p(3000)


def shape(text: str) -> list[float]:
    """Shape columns of one paragraph, in SHAPE_NAMES order."""
    s = text.strip()
    n = len(s) or 1
    words = _WORD.findall(s[:2000])
    nw = len(words) or 1
    letters = sum(c.isalpha() for c in s[:2000]) or 1
    sample = s[:2000]
    return [
        min(math.log1p(len(s)), _LOG_CHARS_CAP),
        min(math.log1p(len(words)), _LOG_CHARS_CAP - 2),
        sum(c.isupper() for c in sample) / letters,
        sum(c.isdigit() for c in sample) / min(n, 2000),
        sum((not c.isalnum()) and not c.isspace() for c in sample) / min(n, 2000),
        sum(ord(c) > 127 for c in sample) / min(n, 2000),
        float(s.endswith(_SENT_END)),
        float(s.endswith(":")),
        float(s[:1].isupper()),
        sum(w[:1].isupper() for w in words) / nw,
        float(bool(_CURRENCY.search(sample))),
        float(bool(_AMOUNT.search(sample))),
        min(3, len(_CREDIT.findall(sample))) / 3,
        float(bool(_SLASH_CREDIT.search(s[-80:]))),
        float(bool(_PAREN_END.search(s[-80:]))),
        min(1.0, len(_YOU.findall(sample)) / nw * 5),
        min(1.0, len(_WE.findall(sample)) / nw * 5),
        float(bool(_QUOTE.search(sample))),
        float(bool(_URL.search(sample))),
        math.log1p(sum(sample.count(c) for c in ".!?。！？")),
        float(" | " in sample),
    ]


def _hint_columns(p: Paragraph, is_html: bool) -> list[float]:
    h = p.hints
    tag = "other"
    if h is None or not h.tag:
        tag = "p" if not is_html else "other"
    elif h.tag in _HEADINGS:
        tag = "h"
    elif h.tag in ("p", "li", "td", "blockquote", "figcaption", "pre"):
        tag = h.tag
    elif h.tag == "th":
        tag = "td"
    cols = [float(is_html)] + [float(tag == t) for t in _TAGS]
    containers = h.containers if h is not None else frozenset()
    cols += [float(c in containers) for c in _CONTAINERS]
    # only link-only blocks count: training pages rarely link inside body text, real pages often do
    cols.append(float(h is not None and h.link_density >= 0.9))
    return cols


def dense(doc: Document) -> np.ndarray:
    """Dense columns (DENSE_NAMES order) for every paragraph of a document, neighbours included."""
    n = len(doc.paragraphs)
    if n == 0:
        return np.zeros((0, len(DENSE_NAMES)), dtype=np.float32)
    is_html = doc.format == "html"
    shapes = np.array([shape(p.text) for p in doc.paragraphs], dtype=np.float32)
    rows = np.empty((n, len(DENSE_NAMES)), dtype=np.float32)
    k = len(SHAPE_NAMES)
    rows[:, :k] = shapes
    idx = np.arange(n, dtype=np.float32)
    rows[:, k] = idx / max(1, n - 1)
    rows[:, k + 1] = idx == 0
    rows[:, k + 2] = idx == n - 1
    rows[:, k + 3] = np.minimum(idx, 5) / 5
    rows[:, k + 4] = np.minimum(n - 1 - idx, 5) / 5
    k += len(POSITION_NAMES)
    rows[:, k:k + len(HINT_NAMES)] = np.array([_hint_columns(p, is_html) for p in doc.paragraphs], dtype=np.float32)
    k += len(HINT_NAMES)
    log_chars, ends, credit = shapes[:, 0], shapes[:, SHAPE_NAMES.index("ends_sentence")], shapes[
        :, SHAPE_NAMES.index("credit")]
    for j, col in enumerate((log_chars, ends, credit)):
        prev = np.concatenate(([-1.0], col[:-1]))
        nxt = np.concatenate((col[1:], [-1.0]))
        rows[:, k + 2 * j] = prev
        rows[:, k + 2 * j + 1] = nxt
    return rows
