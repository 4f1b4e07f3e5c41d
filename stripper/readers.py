"""Readers: bytes or str in, a Document of paragraphs out (plain text or HTML)."""

from __future__ import annotations

import re

from .document import LABELS, Document, Hints, Paragraph

FORMATS = ("auto", "text", "html")
_LANDMARKS = {"figure": "figure", "figcaption": "figure", "aside": "aside", "nav": "nav",
              "footer": "footer", "header": "header", "form": "form"}
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "figcaption",
               "blockquote", "pre", "caption", "summary", "address"}
_LOOSE_TAGS = {"div", "span", "section", "a", "strong", "em", "small", "cite", "label", "button"}
_MAX_ANCESTORS = 40
_TOKEN_ANCESTORS = 4
_HTML_SNIFF = re.compile(r"<(!doctype\s+html|html|head|body|p|div|article|br|span|meta|title|a\s)[\s>/]", re.I)
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")


class InputError(ValueError):
    """Input that cannot be read as a document (binary data, undecodable, ...)."""


def decode(data: bytes | str) -> str:
    """Decode bytes to text: UTF-8 when valid, otherwise the detected charset; never raises on bad bytes.

    Raises InputError for binary data (NUL bytes in the first 8 KB).
    """
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        raise InputError("binary data (NUL bytes), not text or HTML")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _detect_decode(data)
    return text[1:] if text.startswith("\ufeff") else text


_DECLARED = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})|"""
                       rb"""<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""", re.I)
_FEW_HIGH_BYTES = 32
"""Below this many non-ASCII bytes, statistical detection guesses wildly; Windows-1252 is the likelier encoding."""


def _detect_decode(data: bytes) -> str:
    """Text of bytes that are not UTF-8: UTF-16/32 by their byte-order mark, else the charset the document
    declares, else Windows-1252 when there are too few non-ASCII bytes to detect from, else charset_normalizer's
    detection."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    head = data[:4096]
    declared = _DECLARED.search(head)
    if declared:
        name = (declared.group(1) or declared.group(2)).decode("ascii").lower()
        if name not in ("utf-8", "utf8"):  # the document said UTF-8 but is not: detect instead
            try:
                return data.decode(name, errors="replace")
            except LookupError:
                pass
    if sum(b > 127 for b in data[:200_000]) < _FEW_HIGH_BYTES:
        return data.decode("cp1252", errors="replace")
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")


def sniff_format(text: str) -> str:
    """'html' when the start of the text looks like markup, else 'text'."""
    head = text[:4096].lstrip()
    if head.startswith("<") and _HTML_SNIFF.search(head):
        return "html"
    return "html" if len(_HTML_SNIFF.findall(head)) >= 3 else "text"


def read(doc: str | bytes, format: str = "auto") -> Document:
    """Read a str or bytes document as text or HTML ('auto' decides by sniffing)."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    text = decode(doc)
    fmt = sniff_format(text) if format == "auto" else format
    return read_html(text) if fmt == "html" else read_text(text)


def read_text(text: str) -> Document:
    """One paragraph per non-empty line; hard-wrapped blocks between blank lines become one paragraph."""
    lines = text.splitlines()
    has_blank = any(not line.strip() for line in lines)
    paragraphs: list[Paragraph] = []
    block: list[str] = []

    def flush() -> None:
        if not block:
            return
        if has_blank and len(block) > 1 and _is_hard_wrapped(block):
            paragraphs.append(Paragraph(len(paragraphs), " ".join(line.strip() for line in block)))
        else:
            for line in block:
                paragraphs.append(Paragraph(len(paragraphs), line))
        block.clear()

    for line in lines:
        if line.strip():
            block.append(line)
        else:
            flush()
    flush()
    return Document(paragraphs, "text")


def _is_hard_wrapped(block: list[str]) -> bool:
    """A block whose lines (but the last) are long and of similar width reads as one wrapped paragraph."""
    widths = [len(line.strip()) for line in block]
    widest = max(widths)
    return widest >= 50 and all(w >= 0.6 * widest for w in widths[:-1])


def _norm(text: str) -> str:
    return " ".join(text.split())


_HintMap = dict[str, list[tuple[Hints, "str | None"]]]
_MAX_CANDIDATES = 4


_ANCHOR_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"}


def _collect_hints(tree, with_labels: bool = False) -> tuple[_HintMap, _HintMap, dict[str, list[str]], list[str]]:
    """Map each text-bearing element's normalised text (and its 60-char prefix) to the hints and data-label of
    the elements carrying that text (a heading and its table-of-contents link share a text), the text of the
    block before each figure to that figure's caption(s), and the distinct texts of block elements in document
    order."""
    blocks: dict[str, None] = {}
    exact: _HintMap = {}
    prefix: _HintMap = {}
    captions: dict[str, list[str]] = {}
    anchor = ""
    for el in tree.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "tr":  # trafilatura's table rows come out as "cell | cell"
            text = " | ".join(c for c in (_norm(cell.text_content()) for cell in el if cell.tag in ("td", "th")) if c)
            tag = "td"
        elif tag not in _BLOCK_TAGS and not (tag in _LOOSE_TAGS and el.text and el.text.strip()):
            continue
        else:
            text = _norm(el.text_content())
        if not text:
            continue
        if tag in _BLOCK_TAGS:
            blocks[text] = None
        if tag == "figcaption":
            if text not in captions.get(anchor, ()):
                captions.setdefault(anchor, []).append(text)
        elif tag in _ANCHOR_TAGS:
            anchor = text
        if len(exact.get(text, ())) >= _MAX_CANDIDATES:
            continue
        containers: set[str] = set()
        tokens: list[str] = []
        label = None
        depth = 0
        for node in _self_and_ancestors(el):
            ntag = node.tag if isinstance(node.tag, str) else ""
            if ntag in _LANDMARKS:
                containers.add(_LANDMARKS[ntag])
            if depth < _TOKEN_ANCESTORS:
                for attr in ("class", "id"):
                    value = node.get(attr)
                    if value:
                        # tokens with digits are hashes (css-1x9k2f) and carry no meaning
                        tokens.extend(t for t in _TOKEN_SPLIT.split(value.lower()) if 2 < len(t) < 25 and t.isalpha())
            if with_labels and label is None:
                label = node.get("data-label")
            depth += 1
            if depth >= _MAX_ANCESTORS:
                break
        linked = sum(len(_norm(a.text_content())) for a in el.iter("a"))
        hints = Hints(tag, frozenset(containers), tuple(dict.fromkeys(tokens)), min(1.0, linked / len(text)))
        exact.setdefault(text, []).append((hints, label))
        candidates = prefix.setdefault(text[:60], [])
        if len(candidates) < _MAX_CANDIDATES:
            candidates.append((hints, label))
    return exact, prefix, captions, list(blocks)


_TRAF_MATCH = {"head": ("h1", "h2", "h3", "h4", "h5", "h6"), "item": ("li", "dt", "dd"), "row": ("td",),
               "quote": ("blockquote",), "code": ("pre",), "figcaption": ("figcaption",)}


def _best_candidate(candidates: list[tuple[Hints, str | None]], ttag: str) -> tuple[Hints, str | None]:
    """The source element most like the block trafilatura kept: same kind of tag, then fewest links."""
    wanted = _TRAF_MATCH.get(ttag, ("p", "div", "blockquote", "dd", "td"))
    return min(candidates, key=lambda c: (c[0].tag not in wanted, c[0].link_density,
                                          c[0].tag not in _BLOCK_TAGS))


def _self_and_ancestors(el):
    yield el
    yield from el.iterancestors()


_TRAF_TAGS = {"figcaption": "figcaption", "head": "h", "item": "li", "row": "td", "quote": "blockquote",
              "code": "pre", "p": "p"}


def _with_captions(blocks: list[tuple[str, str]], captions: dict[str, list[str]]):
    """The blocks, with the figure captions trafilatura dropped put back after the block they followed (the model
    decides on them)."""
    for text, tag in blocks:
        yield text, tag
        for caption in captions.get(text, ()):
            yield caption, "figcaption"


def _trafilatura_blocks(body):
    for el in body:
        tag = el.tag
        if tag == "list":
            for item in el.iter("item"):
                parts = [item.text or ""]
                for child in item:
                    if child.tag != "list":
                        parts.append("".join(child.itertext()))
                    parts.append(child.tail or "")
                yield _norm("".join(parts)), "item"
        elif tag == "table":
            for row in el.iter("row"):
                cells = [_norm("".join(cell.itertext())) for cell in row]
                yield " | ".join(c for c in cells if c), "row"
        elif tag == "graphic":
            continue
        else:
            yield _norm("".join(el.itertext())), tag if isinstance(tag, str) else "p"


_SHORT_EXTRACTION = 3500
"""Characters below which trafilatura's recall-favouring output may be a fragment of the article."""


def _main_blocks(tree) -> list[tuple[str, str]]:
    """(text, trafilatura tag) of each non-empty block of trafilatura's main text of the page.

    Recall-favouring extraction first: the model removes what is not the article, but cannot restore what the
    extractor dropped. On some pages that mode keeps one fragment (a teaser, a pull quote); when its text is
    short, the default mode is tried too and kept if it finds substantially more (on the WCXB pages: 14 of the
    16 pages where the default mode recalled far more, for a second extraction on about 11% of pages)."""
    from trafilatura import bare_extraction

    def extract(**mode) -> list[tuple[str, str]]:
        doc = bare_extraction(tree, include_comments=False, include_images=False, include_tables=True,
                              include_links=False, with_metadata=False, deduplicate=False, **mode)
        if doc is None or doc.body is None:
            return []
        return [(text, tag) for text, tag in _trafilatura_blocks(doc.body) if text]

    blocks = extract(favor_recall=True)
    size = sum(len(text) for text, _ in blocks)
    if size < _SHORT_EXTRACTION:
        other = extract()
        if sum(len(text) for text, _ in other) > 1.5 * size:
            return other
    return blocks


def _pieces(text: str, blocks: list[str], cover: float = 0.8) -> list[str] | None:
    """The page's blocks that a merged text is made of, in their order in it, when they are at least two and
    cover most of it; else None. Leftmost first, the shortest block where several start at the same place."""
    found = sorted((pos, len(b), b) for b in blocks if len(b) < len(text) and (pos := text.find(b)) >= 0)
    pieces: list[str] = []
    cursor = covered = 0
    for pos, size, block in found:
        if pos >= cursor:
            pieces.append(block)
            cursor = pos + size
            covered += size
    return pieces if len(pieces) >= 2 and covered >= cover * len(text) else None


def _parse_fragment(html: str):
    """A tree for markup trafilatura declines to parse (a fragment without an html element), else None."""
    import lxml.etree
    import lxml.html

    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def _page_text(tree) -> str:
    """All visible text of the page (scripts and styles left out), whitespace normalised."""
    from copy import deepcopy

    body = tree.find(".//body")
    root = deepcopy(body if body is not None else tree)
    for el in list(root.iter("script", "style", "noscript", "template")):
        if el.getparent() is not None:
            el.drop_tree()
    return _norm(root.text_content())


def read_html(html: str, with_labels: bool = False) -> Document:
    """Main text of an HTML page as paragraphs with structural hints, via trafilatura.

    A block of trafilatura's output that merges several of the page's blocks (its fallback extractors can
    return a page as one block) is split back into them. A page on which trafilatura finds nothing (a snippet,
    a tiny page) gives its block elements' texts, or its whole text as one paragraph: the model decides.
    With with_labels, each paragraph's label is the data-label of its nearest labelled source element
    (the training-data HTML format).
    """
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        tree = _parse_fragment(html)
    if tree is None:
        return Document([], "html")
    exact, prefix, captions, blocks = _collect_hints(tree, with_labels)
    extracted = list(_with_captions(_main_blocks(tree), captions))
    if not extracted:
        whole = _page_text(tree)
        extracted = [(piece, "p") for piece in (_pieces(whole, blocks, cover=0.5) or ([whole] if whole else []))]
    paragraphs: list[Paragraph] = []
    for text, ttag in extracted:
        if text in exact:
            parts = [text]
        else:
            parts = _pieces(text, blocks) or [text]
        for part in parts:
            found = exact.get(part) or prefix.get(part[:60])
            hints, label = _best_candidate(found, ttag) if found else (Hints(tag=_TRAF_TAGS.get(ttag, "p")), None)
            if with_labels and label not in LABELS:
                label = None
            paragraphs.append(Paragraph(len(paragraphs), part, label=label, hints=hints))
    return Document(paragraphs, "html")
