"""Shared fixtures: one model for the whole session (the packaged one when it loads), example inputs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from stripper import ModelError, Stripper, load_model

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PACKAGED = ROOT / "stripper" / "models"


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return ROOT


def _small_training_set(dest: Path, docs_per_outlet: int = 3) -> Path:
    """Three documents from each of three outlets of training_data/ (two languages): enough for a working model,
    trained in seconds on an idle machine."""
    source = ROOT / "training_data"
    for lang, outlets in (("en", 2), ("de", 1)):
        for outlet in sorted(p for p in (source / lang).iterdir() if p.is_dir())[:outlets]:
            for doc in sorted(outlet.glob("*.jsonl"))[:docs_per_outlet]:
                target = dest / lang / outlet.name / doc.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(doc, target)
    return dest


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The model folder tests use: $STRIPPER_TEST_MODEL, else the packaged model (None) when it loads, else a small
    model trained once into a temporary folder."""
    if os.environ.get("STRIPPER_TEST_MODEL"):
        return Path(os.environ["STRIPPER_TEST_MODEL"])
    try:
        load_model(PACKAGED)
        return None
    except ModelError:
        pass
    from threadpoolctl import threadpool_limits

    from stripper.training import train

    data = _small_training_set(tmp_path_factory.mktemp("training"))
    out = tmp_path_factory.mktemp("model")
    with threadpool_limits(limits=1):
        train(data, out, folds=1)
    return out


@pytest.fixture(scope="session")
def model_args(model_dir: Path | None) -> list[str]:
    """CLI arguments that select the test model ([] for the packaged one)."""
    return [] if model_dir is None else ["--model", str(model_dir)]


@pytest.fixture(scope="session")
def stripper(model_dir: Path | None) -> Stripper:
    """A library Stripper on the test model, loaded once."""
    s = Stripper(model=model_dir)
    s.model  # noqa: B018
    return s


@pytest.fixture(scope="module")
def one_thread():
    """Native thread pools limited to one thread, as the CLI runs (HistGradientBoosting's OpenMP prediction on small
    batches is many times slower than one thread on a busy machine)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
