"""Benchmarks: stripper against its peers on real pages (quality) and on this machine (speed).

Run everything with `make bench` or `python -m benchmarks.run`; see `python -m benchmarks.run --help`.
The real pages live outside the repository, in ../shared/eval (or $STRIPPER_EVAL_DIR), and are only ever read
at run time; everything that needs them skips with a message when they are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the folder holding benchmarks/, stripper/ and training_data/)."""

CACHE_DIR = REPO_ROOT / "benchmarks" / ".cache"
"""Generated corpora and intermediate results (git-ignored)."""

EVAL_ENV = "STRIPPER_EVAL_DIR"
PAGE_SET = "wcxb-dev-articles"


def eval_dir() -> Path:
    """The evaluation folder: $STRIPPER_EVAL_DIR when set, else ../shared/eval beside the repository."""
    override = os.environ.get(EVAL_ENV)
    return Path(override) if override else REPO_ROOT.parent / "shared" / "eval"


def pages_dir() -> Path | None:
    """The folder holding html/ and gold/ of the real pages, or None when it is absent.

    $STRIPPER_EVAL_DIR may name either the eval folder or the page set inside it.
    """
    root = eval_dir()
    for candidate in (root / PAGE_SET, root):
        if (candidate / "html").is_dir() and (candidate / "gold").is_dir():
            return candidate
    return None


def missing_pages_message(absolute: bool = True) -> str:
    """Why page-based measurements are skipped (absolute=False: without this machine's paths, for reports)."""
    expected = f"expected ../shared/eval/{PAGE_SET} beside the repository, or a folder named by ${EVAL_ENV}"
    if not absolute:
        return f"real evaluation pages not found ({expected})"
    return f"real evaluation pages not found at {eval_dir() / PAGE_SET} ({expected})"


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_thread() -> None:
    """Hold this process to one OpenMP/BLAS thread: the environment variables for libraries not loaded yet
    (call it before importing numpy or scikit-learn), threadpoolctl for the ones already loaded."""
    for var in THREAD_VARS:
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)
