"""The real evaluation pages: ids, HTML and gold, read at run time from outside the repository."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from . import pages_dir


@dataclass(slots=True)
class Page:
    """One evaluation page: its id (file stem), decoded HTML, gold editorial text and gold snippets."""

    id: str
    html: str
    url: str
    main_content: str
    with_snippets: list[str]
    without_snippets: list[str]


def page_ids(root: Path | None = None) -> list[str]:
    """Sorted ids of the pages that have both HTML and gold (empty when the pages are absent)."""
    root = root or pages_dir()
    if root is None:
        return []
    html = {p.name.split(".")[0] for p in (root / "html").glob("*.html.gz")}
    gold = {p.stem for p in (root / "gold").glob("*.json")}
    return sorted(html & gold)


def sample_ids(ids: list[str], n: int | None) -> list[str]:
    """n ids spread evenly over the sorted ids (all of them when n is None or not smaller)."""
    if n is None or n >= len(ids):
        return list(ids)
    if n <= 0:
        return []
    step = len(ids) / n
    return [ids[int(i * step)] for i in range(n)]


def load_page(page_id: str, root: Path | None = None, html: bool = True) -> Page:
    """Read one page: HTML decoded as UTF-8 (bad bytes replaced; left empty when html is False) and its gold."""
    root = root or pages_dir()
    if root is None:
        raise FileNotFoundError("evaluation pages are absent")
    text = ""
    if html:
        text = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
    gold = json.loads((root / "gold" / f"{page_id}.json").read_text(encoding="utf-8"))
    return Page(page_id, text, gold.get("url", ""), gold.get("main_content") or "",
                list(gold.get("with") or []), list(gold.get("without") or []))
