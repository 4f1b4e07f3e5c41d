"""Paragraph features: text for the word and character vectorizers, and dense shape, position and hint columns."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from .document import Document, Paragraph

FEATURE_VERSION = 8
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
_CAP_NAME = r"[A-Z][\w.'’-]+(\s[A-Z][\w.'’-]+){0,2}"  # one to three capitalised words: "Jane Roe", "The Examiner"
_TAIL_CREDIT = re.compile(  # "... Name/Agency", "... Name / The Outlet / Agency", "... Jane Roe for The Outlet"
    rf"(\w+\s*/\s*{_CAP_NAME}(\s*/\s*{_CAP_NAME})?|\b[A-Z][\w'’.-]+(\s[A-Z][\w'’.-]+){{1,2}}\s(for|für|pour|para|per)"
    r"\s(the\s|The\s)?[A-Z][\w&'’. -]{1,40})\s*\)?\s*$")
_MEDIA = (
    r"photos?|photograph(y|s)?|pictures?|pics?|images?|video|watch|figure|fig\.?|chart|graph|graphic|infographic|"
    r"diagram|map|screenshot|illustration|gallery|slideshow|foto|fotos|fotografia|fotografie|fotoğraf|görsel|grafik|"
    r"grafika|infografik|infografika|infografía|infográfico|infographie|abb\.?|abbildung|bild|bilder|zdjęcie|zdjęcia|"
    r"fot\.?|wideo|zrzut ekranu|diaporama|vidéo|carte|imagen|gráfico|mapa|vídeo|legenda|leyenda|légende|bildtext|"
    r"фото|фотография|видео|відео|інфографіка|инфографика|скриншот|карта|мапа|ilustracja|ilustração|ilustración")
_MEDIA_PREFIX = re.compile(  # "Photo: ...", "Figure 2: ...", "[3/9] ...", "2 of 6", "▲ ...", "図1：...", "图 | ..."
    rf"^\s*(\[?\(?({_MEDIA})\s*\d*\s*([:：|｜/／—–-]|(z|of|de|з|из|van|sur)\s+\d)|[▲▶△↑►]|\[\d{{1,2}}\s*/\s*\d{{1,2}}\]|"
    r"\d{1,2}\s*/\s*\d{1,2}\s*$|\d{1,2}\s+(de|of|z|из|з|van|sur)\s+\d{1,2}\b|"
    r"(写真|画像|図|グラフ|動画|映像|图片?|圖片?|照片|视频|影片|製圖|制图|攝影|摄影|资料照|資料照)\s*\d*\s*[:：|｜/／＝=]|"
    r"【(写真|動画|図|グラフ)|(资料照|資料照)\s*$)", re.I)
_PAREN_END = re.compile(r"\([^()]{2,60}\)\s*$")
_YOU = re.compile(
    r"\b(you|your|yours|yourself|sie|ihr|ihnen|ihre|du|dich|dein|deine|vous|votre|vos|tu|toi|ton|ta|usted|ustedes|"
    r"tú|te|tus|tuo|tua|voi|vostro|vostra|lei|вы|вас|вам|ваш|ваша|ваши|ты|тебя|você|vocês|seu|sua|ty|ciebie|"
    r"wy|was|państwo|siz|sen|sizin|senin)\b|你|您|あなた|皆さま|皆様", re.I)
_WE = re.compile(
    r"\b(we|us|our|ours|wir|uns|unser|unsere|nous|notre|nos|nosotros|nuestro|nuestra|noi|nostro|nostra|мы|нас|нам|"
    r"наш|наша|наши|nós|nosso|nossa|my|nas|nasz|nasza|biz|bizim|bize)\b|我们|我們|私たち|当社|本紙|本报", re.I)
_REPORT = re.compile(  # a reporting verb or "according to": text that reports what someone said
    r"\b(says|said|told|according to|added|explained|stated|announced|reported|sagte|sagt|erklärte|berichtete|"
    r"betonte|laut|déclaré|a dit|selon|explique|affirme|indiqué|précise|dijo|afirmó|según|explicó|señaló|declaró|"
    r"aseguró|detto|dichiarato|secondo|spiegato|afferma|disse|afirmou|segundo|explicou|declarou|zei|zegt|aldus|"
    r"volgens|verklaarde|сказал|сказала|заявил|заявила|по словам|по данным|сообщил|сообщила|отметил|отметила|"
    r"сказав|заявив|за словами|повідомив|повідомила|powiedział|powiedziała|według|poinformował|zaznaczył|dedi|"
    r"söyledi|açıkladı|belirtti|göre|säger|sade|enligt|berättar|uppger)\b|によると|と話す|と話した|と述べ|と語っ|"
    r"明らかにした|表示|指出|介绍|介紹|据悉|據", re.I)
_QUOTE = re.compile(r"[\"“”«»„‟「」『』]")
_URL = re.compile(r"https?://|www\.|@\w+\.\w+|\.(com|org|net)\b", re.I)
_SENT_END = ("." , "!", "?", "。", "！", "？", "…", '"', "”", "»", "」", ")")
_TAGS = ("p", "h", "li", "td", "blockquote", "figcaption", "pre", "other")
_CONTAINERS = ("figure", "aside", "nav", "footer", "header", "form")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "h"}

SHAPE_NAMES: tuple[str, ...] = (
    "log_chars", "log_words", "upper", "digits", "punct", "non_ascii", "ends_sentence", "ends_colon",
    "starts_upper", "title_words", "currency", "amount", "credit", "tail_credit", "media_prefix", "paren_end", "you",
    "we", "quote", "url", "sentences", "pipe", "report",
)
POSITION_NAMES: tuple[str, ...] = ("rel_pos", "is_first", "is_last", "near_start", "near_end")
"""Bounded on purpose: real pages run to hundreds of paragraphs, far longer than any training document."""
HINT_NAMES: tuple[str, ...] = ("is_html",) + tuple(f"tag_{t}" for t in _TAGS) + tuple(
    f"in_{c}" for c in _CONTAINERS) + ("all_link",)
NEIGHBOUR_NAMES: tuple[str, ...] = ("prev_log_chars", "next_log_chars", "prev_prose", "next_prose")
"""Prose: a paragraph of 80 or more characters that ends a sentence. A caption stands between prose paragraphs; a
headline below a short "Support us!" banner does not, though the banner ends a sentence too. No neighbour credit
column: it made any line above a credit line a caption in the text stage, headlines included; the context stage
weighs the neighbours' caption probabilities instead."""
REPEAT_NAMES: tuple[str, ...] = ("repeated", "shared")
"""Within the document: the same text elsewhere (a share bar, a "Copy" button); the share of the text in sentences
that another paragraph also holds (a caption and the body sentence it repeats: each paragraph's other columns
tell which is which)."""
DENSE_NAMES: tuple[str, ...] = SHAPE_NAMES + POSITION_NAMES + HINT_NAMES + NEIGHBOUR_NAMES + REPEAT_NAMES


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


_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def word_text(text: str) -> str:
    """The text the word vectorizer sees: Chinese and Japanese characters stand apart, so that its words and word
    pairs are their characters and character pairs (they write no spaces between words)."""
    return text if text.isascii() else _CJK.sub(r" \1 ", text)


def char_text(text: str, head: int = 240, tail: int = 80) -> str:
    """The shorter slice the character n-gram vectorizer sees."""
    return text if len(text) <= head + tail else text[:head] + " " + text[-tail:]


_LOG_CHARS_CAP = math.log1p(3000)
_PROSE_LOG_CHARS = math.log1p(80)
_SAMPLE = 2000
"""Characters of a paragraph that the character-class and pattern columns look at."""

# character classes as bits of one byte, for counting with numpy instead of a Python loop per character
_ALPHA, _UPPER, _DIGIT, _PUNCT, _SENTENCE, _WORDCHAR = 1, 2, 4, 8, 16, 32
_SENTENCE_CHARS = ".!?。！？"
_table = np.zeros(0x10000, dtype=np.uint8)
_known = np.zeros(0x10000, dtype=bool)


def _classes(c: str) -> int:
    """The class bits of one character, as str methods (and the re module's \\w) define them."""
    bits = 0
    if c.isalpha():
        bits |= _ALPHA
    if c.isupper():
        bits |= _UPPER
    if c.isdigit():
        bits |= _DIGIT
    if not c.isalnum() and not c.isspace():
        bits |= _PUNCT
    if c in _SENTENCE_CHARS:
        bits |= _SENTENCE
    if c.isalnum() or c == "_":
        bits |= _WORDCHAR
    return bits


def _class_bits(cps: np.ndarray) -> np.ndarray:
    """Class bits of each code point; Basic Multilingual Plane characters are classified once per process."""
    low = np.minimum(cps, 0xFFFF)
    new = np.unique(low[~_known[low]])
    if new.size:
        _table[new] = [_classes(chr(int(cp))) for cp in new]
        _known[new] = True
    bits = _table[low]
    high = np.flatnonzero(cps > 0xFFFF)
    if high.size:  # emoji, rare CJK
        bits[high] = [_classes(chr(int(cps[i]))) for i in high]
    return bits


def _class_counts(samples: list[str]) -> np.ndarray:
    """Per sample: letters, upper-case, digits, punctuation, sentence marks, non-ASCII characters, words and
    words starting upper-case (words as the re module's \\w+ finds them)."""
    lengths = np.fromiter((len(x) for x in samples), dtype=np.int64, count=len(samples))
    cps = np.frombuffer("".join(samples).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bits = _class_bits(cps)
    word = (bits & _WORDCHAR) != 0
    start = word.copy()
    start[1:] &= ~word[:-1]
    ends = np.cumsum(lengths)
    first = ends - lengths
    start[first[lengths > 0]] = word[first[lengths > 0]]  # a word starts at every sample's first character
    columns = np.stack([bits & _ALPHA, bits & _UPPER, bits & _DIGIT, bits & _PUNCT, bits & _SENTENCE,
                        cps > 127, start, start & ((bits & _UPPER) != 0)], axis=1).astype(bool)
    totals = np.zeros((len(cps) + 1, columns.shape[1]), dtype=np.int64)
    np.cumsum(columns, axis=0, out=totals[1:])
    return totals[ends] - totals[first]


def shapes(texts: list[str]) -> np.ndarray:
    """Shape columns (SHAPE_NAMES order) of each text, one row per text."""
    stripped = [t.strip() for t in texts]
    samples = [s[:_SAMPLE] for s in stripped]
    counts = _class_counts(samples)
    rows = np.zeros((len(texts), len(SHAPE_NAMES)), dtype=np.float64)
    for i, (s, sample) in enumerate(zip(stripped, samples, strict=True)):
        letters, upper, digits, punct, marks, non_ascii, nwords, title = counts[i].tolist()
        letters = letters or 1
        m = min(len(s) or 1, _SAMPLE)
        nw = nwords or 1
        tail = s[-80:]
        rows[i] = (
            min(math.log1p(len(s)), _LOG_CHARS_CAP),
            min(math.log1p(nwords), _LOG_CHARS_CAP - 2),
            upper / letters,
            digits / m,
            punct / m,
            non_ascii / m,
            s.endswith(_SENT_END),
            s.endswith(":"),
            s[:1].isupper(),
            title / nw,
            _CURRENCY.search(sample) is not None,
            _AMOUNT.search(sample) is not None,
            min(3, len(_CREDIT.findall(sample))) / 3,
            _TAIL_CREDIT.search(tail) is not None,
            _MEDIA_PREFIX.match(s) is not None,
            _PAREN_END.search(tail) is not None,
            min(1.0, len(_YOU.findall(sample)) / nw * 5),
            min(1.0, len(_WE.findall(sample)) / nw * 5),
            _QUOTE.search(sample) is not None,
            _URL.search(sample) is not None,
            math.log1p(marks),
            " | " in sample,
            _REPORT.search(sample) is not None,
        )
    return rows


def shape(text: str) -> list[float]:
    """Shape columns of one paragraph, in SHAPE_NAMES order."""
    return shapes([text])[0].tolist()


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


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
_SPACES = re.compile(r"\s+")
_MIN_SENTENCE = 20
"""Shorter sentences ("Thank you.", a credit) repeat by chance and say nothing about a paragraph."""


def _key(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def repeats(texts: list[str]) -> np.ndarray:
    """Repetition columns (REPEAT_NAMES order) of a document's paragraphs; linear in the document's length."""
    keys = [_key(t) for t in texts]
    count = Counter(keys)
    sentences = [set(s for s in _SENTENCE_SPLIT.split(k) if len(s) >= _MIN_SENTENCE) for k in keys]
    owners = Counter(s for sents in sentences for s in sents)
    rows = np.zeros((len(texts), len(REPEAT_NAMES)), dtype=np.float32)
    for i, (k, sents) in enumerate(zip(keys, sentences, strict=True)):
        rows[i, 0] = min(count[k] - 1, 3) / 3 if k else 0.0
        if sents:
            rows[i, 1] = min(1.0, sum(len(s) for s in sents if owners[s] > 1) / len(k))
    return rows


def dense(doc: Document) -> np.ndarray:
    """Dense columns (DENSE_NAMES order) for every paragraph of a document, neighbours included."""
    n = len(doc.paragraphs)
    if n == 0:
        return np.zeros((0, len(DENSE_NAMES)), dtype=np.float32)
    is_html = doc.format == "html"
    shape_rows = shapes([p.text for p in doc.paragraphs]).astype(np.float32)
    rows = np.empty((n, len(DENSE_NAMES)), dtype=np.float32)
    k = len(SHAPE_NAMES)
    rows[:, :k] = shape_rows
    idx = np.arange(n, dtype=np.float32)
    rows[:, k] = idx / max(1, n - 1)
    rows[:, k + 1] = idx == 0
    rows[:, k + 2] = idx == n - 1
    rows[:, k + 3] = np.minimum(idx, 5) / 5
    rows[:, k + 4] = np.minimum(n - 1 - idx, 5) / 5
    k += len(POSITION_NAMES)
    rows[:, k:k + len(HINT_NAMES)] = np.array([_hint_columns(p, is_html) for p in doc.paragraphs], dtype=np.float32)
    k += len(HINT_NAMES)
    log_chars = shape_rows[:, 0]
    prose = shape_rows[:, SHAPE_NAMES.index("ends_sentence")] * (log_chars >= _PROSE_LOG_CHARS)
    for j, col in enumerate((log_chars, prose)):
        prev = np.concatenate(([-1.0], col[:-1]))
        nxt = np.concatenate((col[1:], [-1.0]))
        rows[:, k + 2 * j] = prev
        rows[:, k + 2 * j + 1] = nxt
    k += len(NEIGHBOUR_NAMES)
    rows[:, k:] = repeats([p.text for p in doc.paragraphs])
    return rows
