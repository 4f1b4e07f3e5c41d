"""Quality on the real pages: every system on the same pages in the same run, scored with the 4-gram metric."""

from __future__ import annotations

import multiprocessing
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from . import metric, one_thread, peers
from .pages import Page, load_page

DETAILED = "stripper"
"""The system whose per-paragraph labels feed the breakdown."""


@dataclass(slots=True)
class Para:
    """One paragraph of stripper's HTML reading of a page, with its label, probabilities and hints."""

    text: str
    label: str
    probs: dict[str, float]
    tag: str = ""
    containers: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()
    link_density: float = 0.0


@dataclass
class SystemRun:
    """One system's outputs on the pages, its timing and failures."""

    system: str
    outputs: dict[str, str]
    wall_seconds: float
    page_seconds: dict[str, float]
    errors: dict[str, str] = field(default_factory=dict)
    paragraphs: dict[str, list[Para]] = field(default_factory=dict)


# --- worker side ---------------------------------------------------------------------------------------------

_state: dict = {}


def _init_worker(system: str, model: str | None) -> None:
    """Build the system once per worker and warm it up (model load, lazy imports) outside the timing.

    Each worker is held to one OpenMP/BLAS thread: the workers already fill the cores, and more threads per
    worker only oversubscribe them (the same for every system)."""
    one_thread()
    _state.clear()
    _state["system"] = system
    if system == DETAILED:
        import stripper

        _state["stripper"] = stripper.Stripper(model=model)
        _state["stripper"].model  # noqa: B018 - load now, not inside the first timed page
    else:
        _state["extract"] = peers.make(system, model)
        try:
            _state["extract"]("<html><body><p>Warm-up paragraph with a few words in it.</p></body></html>")
        except Exception:  # noqa: BLE001 - a peer that fails on the warm-up page still runs on real pages
            pass
    one_thread()  # again, for the libraries the system loaded


def _labels(html: str) -> list[Para]:
    """stripper's label for every paragraph of its reading of the page (Stripper.label, outside the timing)."""
    paras = []
    for p in _state["stripper"].label(html, format="html"):
        h = p.hints
        paras.append(Para(p.text, p.label or "", {k: round(v, 4) for k, v in p.probs.items()},
                          h.tag if h else "", tuple(sorted(h.containers)) if h else (), tuple(h.tokens) if h else (),
                          round(h.link_density, 3) if h else 0.0))
    return paras


def _label_page(page_id: str) -> tuple[str, list[Para] | None]:
    try:
        return page_id, _labels(load_page(page_id).html)
    except Exception:  # noqa: BLE001 - clean() on the same page has already reported the failure
        return page_id, None


def _run_page(page_id: str) -> tuple[str, str, float, str | None]:
    page = load_page(page_id)
    start = time.perf_counter()
    try:
        if _state["system"] == DETAILED:
            text = _state["stripper"].clean(page.html, format="html")
            seconds = time.perf_counter() - start
        else:
            text = _state["extract"](page.html)
            seconds = time.perf_counter() - start
        error = None
    except Exception as exc:  # noqa: BLE001 - a failing page scores as empty output, and is reported
        text, error, seconds = "", f"{type(exc).__name__}: {exc}"[:200], time.perf_counter() - start
        if _state["system"].startswith("stripper"):
            error += "\n" + traceback.format_exc(limit=3)[-600:]
    return page_id, text or "", seconds, error


# --- driver side ---------------------------------------------------------------------------------------------

def run_system(system: str, ids: Sequence[str], model: str | None = None, workers: int = 2,
               progress: Callable[[str], None] | None = None) -> SystemRun:
    """Run one system over the pages in `workers` fresh processes; wall time excludes start-up and warm-up.
    For stripper a second, untimed pass collects every paragraph's label (Stripper.label) for the breakdown."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(system, model)) as pool:
        list(pool.map(_noop, range(workers)))  # start every worker (and run its warm-up) before the clock starts
        start = time.perf_counter()
        results = list(pool.map(_run_page, ids, chunksize=4))
        wall = time.perf_counter() - start
        labelled = dict(pool.map(_label_page, ids, chunksize=4)) if system == DETAILED else {}
    run = SystemRun(system, {}, wall, {})
    for page_id, text, seconds, error in results:
        run.outputs[page_id] = text
        run.page_seconds[page_id] = seconds
        if error:
            run.errors[page_id] = error
        if labelled.get(page_id) is not None:
            run.paragraphs[page_id] = labelled[page_id]
    if progress:
        progress(f"  {system:<18} {len(ids)} pages in {wall:6.1f} s ({workers} processes)"
                 + (f", {len(run.errors)} failed" if run.errors else ""))
    return run


def _noop(_: int) -> None:
    time.sleep(0.2)


def score(run: SystemRun, gold: dict[str, Page]) -> dict:
    """P, R, F1 (4-gram metric), with-hit and without-leak rates, seconds and failures of one run."""
    scores = []
    wf = wt = lf = lt = 0
    for page_id, page in gold.items():
        out = run.outputs.get(page_id, "")
        scores.append(metric.page_score(page.main_content, out))
        f, t = metric.snippets_found(out, page.with_snippets)
        wf, wt = wf + f, wt + t
        f, t = metric.snippets_found(out, page.without_snippets)
        lf, lt = lf + f, lt + t
    result = metric.aggregate(scores)
    result.update({
        "with_found": wf, "with_total": wt, "with_rate": metric.rate(wf, wt),
        "without_found": lf, "without_total": lt, "leak_rate": metric.rate(lf, lt),
        "wall_seconds": run.wall_seconds, "cpu_ms_per_page": 1000 * sum(run.page_seconds.values()) / max(1, len(gold)),
        "errors": len(run.errors),
    })
    return result


def page_scores(run: SystemRun, gold: dict[str, Page]) -> dict[str, metric.PageScore]:
    """Per-page 4-gram scores of one run."""
    return {pid: metric.page_score(page.main_content, run.outputs.get(pid, "")) for pid, page in gold.items()}


def run_quality(ids: Sequence[str], systems: Sequence[str], model: str | None, workers: int = 2,
                progress: Callable[[str], None] | None = None) -> tuple[dict[str, SystemRun], dict[str, Page]]:
    """All systems on the same pages; returns the runs by system and the gold pages (without HTML)."""
    say = progress or (lambda m: print(m, file=sys.stderr))
    gold = {pid: load_page(pid, html=False) for pid in ids}
    runs = {}
    for system in systems:
        runs[system] = run_system(system, ids, model, workers, say)
        for pid, err in list(runs[system].errors.items())[:3]:
            say(f"    {pid}: {err.splitlines()[0]}")
    return runs, gold
