"""Shared fixtures: paths and the packaged model."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO.parent / "shared" / "eval" / "wcxb-dev-articles"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def stripper_default():
    import stripper

    return stripper.Stripper()
