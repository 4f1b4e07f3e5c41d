"""The paragraph classifier: a text model per paragraph, then a context pass over neighbours' probabilities."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from .document import LABELS, Document
from .features import DENSE_NAMES, FEATURE_VERSION, SHAPE_NAMES, char_text, dense, model_text, word_text

MODEL_FILE = "stripper.joblib"
META_FILE = "stripper.json"
_CONTEXT_OFFSETS = (-2, -1, 1, 2)
_WINDOW = 3
_VECTORIZERS = ("word", "char")
_TERMS = "_terms"


class ModelError(RuntimeError):
    """A model file that is missing, corrupt or does not match this code or scikit-learn."""


def _sklearn_minor() -> str:
    import sklearn

    return ".".join(sklearn.__version__.split(".")[:2])


@dataclass
class Model:
    """Fitted stage-1 (text) and stage-2 (context) estimators, with the metadata saved beside them."""

    word: object = None
    char: object = None
    scaler: object = None
    text_clf: object = None
    context_clf: object = None
    neighbour_shape: bool = False
    refine_clfs: list = field(default_factory=list)
    long_neighbours: bool = False
    meta: dict = field(default_factory=dict)

    # --- prediction -------------------------------------------------------------------------------------------
    def _stage1_matrix(self, docs: Sequence[Document], dense_rows: np.ndarray | None = None):
        from scipy import sparse

        paras = [p for d in docs for p in d.paragraphs]
        texts = [model_text(p) for p in paras]
        if dense_rows is None:
            dense_rows = np.vstack([dense(d) for d in docs]) if paras else np.zeros((0, len(DENSE_NAMES)))
        x = sparse.hstack([
            self.word.transform([word_text(t) for t in texts]),
            self.char.transform([char_text(t) for t in texts]),
            sparse.csr_matrix(scale_dense(self.scaler, dense_rows)),
        ], format="csr")
        return x, dense_rows

    def text_proba(self, docs: Sequence[Document]) -> tuple[np.ndarray, np.ndarray]:
        """Stage-1 probabilities and dense columns for all paragraphs of docs, concatenated in order."""
        x, dense_rows = self._stage1_matrix(docs)
        if x.shape[0] == 0:
            return np.zeros((0, len(LABELS))), dense_rows
        return self.text_clf.predict_proba(x), dense_rows

    def predict_proba(self, docs: Sequence[Document]) -> list[np.ndarray]:
        """Per-document arrays (paragraphs x LABELS) of final probabilities."""
        sizes = [len(d.paragraphs) for d in docs]
        if sum(sizes) == 0:
            return [np.zeros((0, len(LABELS))) for _ in docs]
        # One native thread: the context model's OpenMP threads on a page-sized batch cost far more than they
        # save, up to 15x slower on a busy machine (measured in benchmarks/); batch runs parallelise by process.
        with _single_thread():
            p1, dense_rows = self.text_proba(docs)
            z = context_features(p1, dense_rows, sizes, self.neighbour_shape, self.long_neighbours)
            p2 = self.context_clf.predict_proba(z)
            for clf in self.refine_clfs:
                p2 = clf.predict_proba(refine_features(z, p2, sizes))
        return np.split(p2, np.cumsum(sizes)[:-1])

    # --- pickling ------------------------------------------------------------------------------------------------
    def __getstate__(self) -> dict:
        """The vectorizers' vocabularies travel as arrays of terms: unpickling 80,000 dictionary entries through
        joblib's pure-Python unpickler took 0.3 s of every process start, an array takes milliseconds."""
        import copy

        state = self.__dict__.copy()
        for name in _VECTORIZERS:
            vec = state.get(name)
            vocab = getattr(vec, "vocabulary_", None)
            if not isinstance(vocab, dict):
                continue
            terms = [""] * len(vocab)
            for term, index in vocab.items():
                terms[index] = term
            if any(t.endswith("\x00") for t in terms):  # numpy strings drop trailing NULs: keep the dict
                continue
            vec = copy.copy(vec)
            vec.vocabulary_ = None
            state[name] = vec
            state[name + _TERMS] = np.array(terms, dtype=str)
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        terms = {name: state.pop(name + _TERMS, None) for name in _VECTORIZERS}
        self.__dict__.update(state)
        for name, array in terms.items():
            if array is not None:
                getattr(self, name).vocabulary_ = dict(zip(array.tolist(), range(len(array)), strict=True))

    # --- persistence ---------------------------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write the model file and its metadata JSON into directory."""
        import joblib

        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (MODEL_FILE + ".tmp")
        joblib.dump(self, tmp, compress=3)
        tmp.replace(directory / MODEL_FILE)
        (directory / META_FILE).write_text(json.dumps(self.meta, indent=2, ensure_ascii=False) + "\n")


_controller = None


def _single_thread():
    """A context that holds native thread pools (OpenMP, BLAS) to one thread; cheap to enter."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller.limit(limits=1)


def scale_dense(scaler, dense_rows: np.ndarray) -> np.ndarray:
    """Scaled dense columns, clipped so that pages unlike the training data cannot extrapolate."""
    return np.clip(scaler.transform(dense_rows), -1.5, 1.5).astype(np.float32)


def _shift(a: np.ndarray, off: int) -> np.ndarray:
    """Rows of a moved by off (row i gets row i+off), zero-filled at the ends."""
    out = np.zeros_like(a)
    n = len(a)
    if off < 0 and n > -off:
        out[-off:] = a[:off]
    elif off > 0 and n > off:
        out[:-off] = a[off:]
    return out


_LONG = float(np.log1p(80))


def _long_neighbours(p: np.ndarray, log_chars: np.ndarray) -> list[np.ndarray]:
    """The probabilities of the nearest paragraph of 80 or more characters above and below each paragraph, and
    the log distance to each: a run of short lines (a list, a menu) is judged by what stands around the run."""
    n = len(p)
    idx = np.arange(n)
    is_long = log_chars >= _LONG
    above = np.maximum.accumulate(np.where(is_long, idx, -1))
    above = np.concatenate(([-1], above[:-1]))
    below = np.minimum.accumulate(np.where(is_long, idx, n)[::-1])[::-1]
    below = np.concatenate((below[1:], [n]))
    padded = np.vstack([p, np.zeros((1, p.shape[1]))])  # row n (and -1) is "none"
    return [padded[above], padded[np.where(below < n, below, n)],
            np.log1p(np.where(above >= 0, idx - above, n + 1))[:, None],
            np.log1p(np.where(below < n, below - idx, n + 1))[:, None]]


def context_features(p1: np.ndarray, dense_rows: np.ndarray, sizes: Sequence[int],
                     neighbour_shape: bool = False, long_neighbours: bool = False) -> np.ndarray:
    """Stage-2 columns: own probabilities, neighbours' at offsets -2..+2, a window mean, the document mean,
    the dense columns, and optionally the nearest long paragraphs' probabilities and the previous and next
    paragraphs' shape columns. Linear in length."""
    blocks = []
    start = 0
    k = p1.shape[1]
    for n in sizes:
        if n == 0:
            continue
        p = p1[start:start + n]
        cols = [p] + [_shift(p, off) for off in _CONTEXT_OFFSETS]
        csum = np.vstack([np.zeros((1, k)), np.cumsum(p, axis=0)])
        idx = np.arange(n)
        lo = np.maximum(idx - _WINDOW, 0)
        hi = np.minimum(idx + _WINDOW + 1, n)
        count = np.maximum(hi - lo - 1, 1)[:, None]
        cols.append((csum[hi] - csum[lo] - p) / count)
        cols.append(np.broadcast_to(p.mean(axis=0), p.shape))
        if long_neighbours:
            cols += _long_neighbours(p, dense_rows[start:start + n, 0])
        if neighbour_shape:
            shapes = dense_rows[start:start + n, :len(SHAPE_NAMES)]
            cols += [_shift(shapes, -1), _shift(shapes, 1)]
        blocks.append(np.hstack(cols))
        start += n
    return np.hstack([np.vstack(blocks), dense_rows]).astype(np.float32)


def refine_features(z: np.ndarray, p: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """Columns of a refining pass: the first context pass's columns z beside the context columns of the previous
    pass's probabilities p (a list item whose neighbours were revised to content is revised again)."""
    return np.hstack([z, context_features(p, np.zeros((len(p), 0), dtype=np.float32), sizes)])


# --- loading the shipped model -------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, Model] = {}


def read_meta(directory: Path | None = None) -> dict:
    """The metadata JSON of a model directory (default: the packaged model)."""
    path = (Path(directory) if directory else _package_dir()) / META_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelError(f"no model metadata at {path}; build the model with `make model` "
                         "(or `stripper train training_data`)") from None


def check_meta(meta: dict, where: str) -> None:
    """Raise ModelError when a model's metadata does not match the code and the installed scikit-learn."""
    problems = []
    if meta.get("feature_version") != FEATURE_VERSION:
        problems.append(f"feature version {meta.get('feature_version')} but this code needs {FEATURE_VERSION}")
    if meta.get("sklearn_minor") != _sklearn_minor():
        problems.append(f"built with scikit-learn {meta.get('sklearn_version')} but {_sklearn_minor()} is installed")
    if tuple(meta.get("labels", ())) != LABELS:
        problems.append(f"labels {meta.get('labels')} but this code uses {list(LABELS)}")
    if problems:
        raise ModelError(f"model at {where} does not fit this installation: " + "; ".join(problems)
                         + ". Rebuild it with `make model` (or `stripper train training_data -o DIR`).")


def _package_dir() -> Path:
    return Path(str(resources.files("stripper") / "models"))


def load_model(directory: str | Path | None = None) -> Model:
    """Load a model directory (default: the packaged one), checked against its metadata; cached per process."""
    path = Path(directory) if directory else _package_dir()
    key = str(path.resolve())
    with _lock:
        if key in _cache:
            return _cache[key]
        meta = read_meta(path)
        check_meta(meta, str(path))
        import joblib

        try:
            model = joblib.load(path / MODEL_FILE)
        except FileNotFoundError:
            raise ModelError(f"no model file at {path / MODEL_FILE}; build it with `make model`") from None
        except Exception as exc:  # a corrupt or foreign pickle
            raise ModelError(f"cannot load model {path / MODEL_FILE}: {exc}; rebuild it with `make model`") from exc
        if not isinstance(model, Model):
            raise ModelError(f"{path / MODEL_FILE} does not hold a stripper model; rebuild it with `make model`")
        model.meta = meta
        _cache[key] = model
        return model
