"""The systems under comparison, each a function from a page's HTML (str) to its extracted text.

Peers are imported lazily (they come from the `bench` extra) so that importing this module is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

Extractor = Callable[[str], str]

SYSTEMS: tuple[str, ...] = ("stripper", "stripper+captions", "trafilatura", "readability", "justext", "boilerpy3")
"""Every system, in report order."""

DESCRIPTIONS: dict[str, str] = {
    "stripper": "stripper HTML path, defaults (keep content)",
    "stripper+captions": 'stripper HTML path, keep=("content", "caption")',
    "trafilatura": "trafilatura `extract()` defaults",
    "readability": "readability-lxml `Document(html).summary()`, then its text",
    "justext": "jusText non-boilerplate paragraphs, stoplist of the page's `lang` (English otherwise)",
    "boilerpy3": "boilerpy3 `ArticleExtractor`",
}

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th",
           "table", "blockquote", "pre", "br", "section", "article", "figure", "figcaption", "header", "footer",
           "main", "aside", "hr", "caption", "address"}
_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
_JUSTEXT_LANGS = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
                  "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian",
                  "cs": "Czech", "sk": "Slovak", "sv": "Swedish", "da": "Danish", "fi": "Finnish", "tr": "Turkish",
                  "hu": "Hungarian", "ro": "Romanian", "el": "Greek", "id": "Indonesian", "ca": "Catalan"}


def html_text(fragment: str) -> str:
    """The text of an HTML fragment with a line break after every block element (so words never fuse)."""
    import lxml.html

    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def page_language(html: str) -> str | None:
    """The two-letter language of <html lang=...>, lowercased, or None."""
    m = _LANG.search(html[:20000])
    return m.group(1).lower()[:2] if m else None


def make_stripper(model: str | Path | None, keep: tuple[str, ...] = ("content",)) -> Extractor:
    """stripper's HTML path (format forced to html) with the given model and kept labels."""
    import stripper

    s = stripper.Stripper(model=model, keep=keep)

    def run(html: str) -> str:
        return s.clean(html, format="html")

    return run


def make_trafilatura() -> Extractor:
    """trafilatura.extract with its defaults."""
    import trafilatura

    def run(html: str) -> str:
        return trafilatura.extract(html) or ""

    return run


def make_readability() -> Extractor:
    """readability-lxml: the summary HTML, turned into text."""
    from readability import Document

    def run(html: str) -> str:
        return html_text(Document(html).summary())

    return run


def make_justext() -> Extractor:
    """jusText: non-boilerplate paragraphs, with the stoplist of the page's language when jusText has one."""
    import justext

    available = set(justext.get_stoplists())
    cache: dict[str, frozenset[str]] = {}

    def run(html: str) -> str:
        name = _JUSTEXT_LANGS.get(page_language(html) or "", "English")
        name = name if name in available else "English"
        if name not in cache:
            cache[name] = justext.get_stoplist(name)
        paragraphs = justext.justext(html, cache[name])
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return run


def make_boilerpy3() -> Extractor:
    """boilerpy3's ArticleExtractor."""
    from boilerpy3 import extractors

    extractor = extractors.ArticleExtractor(raise_on_failure=False)

    def run(html: str) -> str:
        return extractor.get_content(html) or ""

    return run


def make(system: str, model: str | Path | None = None) -> Extractor:
    """The extractor for one of SYSTEMS (model applies to the stripper systems)."""
    if system == "stripper":
        return make_stripper(model)
    if system == "stripper+captions":
        return make_stripper(model, ("content", "caption"))
    factories = {"trafilatura": make_trafilatura, "readability": make_readability, "justext": make_justext,
                 "boilerpy3": make_boilerpy3}
    if system not in factories:
        raise ValueError(f"unknown system {system!r}; systems are {', '.join(SYSTEMS)}")
    return factories[system]()
