"""The packaged model: metadata, version checks, freshness against training_data/, size and loading."""

from __future__ import annotations

import json
import shutil

import pytest

import stripper
from stripper.features import FEATURE_VERSION
from stripper.model import META_FILE, MODEL_FILE, ModelError, _package_dir, check_meta, load_model, read_meta
from stripper.training import TrainingDataError, data_hash, load_training_data


def test_packaged_model_matches_training_data(repo):
    """Fails when training_data/ changed and `make model` was not run."""
    meta = read_meta()
    assert meta["training_data_sha256"] == data_hash(repo / "training_data"), (
        "the shipped model was trained on other data than training_data/ holds: run `make model` and commit it")


def test_metadata_records_what_loading_checks():
    import sklearn

    meta = read_meta()
    assert meta["labels"] == list(stripper.LABELS)
    assert meta["feature_version"] == FEATURE_VERSION
    assert meta["sklearn_version"] == sklearn.__version__ or meta["sklearn_minor"] == ".".join(
        sklearn.__version__.split(".")[:2])
    assert meta["documents"] >= 400 and meta["paragraphs"] >= 10_000
    assert "overall" in meta["cross_validation"]


def test_model_file_is_small():
    assert (_package_dir() / MODEL_FILE).stat().st_size < 20 * 1024 * 1024


@pytest.mark.parametrize("change, message", [
    ({"feature_version": FEATURE_VERSION + 1}, "feature version"),
    ({"sklearn_minor": "0.1", "sklearn_version": "0.1.0"}, "scikit-learn 0.1.0"),
    ({"labels": ["content", "other"]}, "labels"),
])
def test_mismatched_metadata_is_refused_with_rebuild_hint(change, message):
    meta = dict(read_meta(), **change)
    with pytest.raises(ModelError, match=message) as info:
        check_meta(meta, "somewhere")
    assert "make model" in str(info.value)


def test_loading_a_mismatched_model_directory_fails_clearly(tmp_path):
    shutil.copy(_package_dir() / MODEL_FILE, tmp_path / MODEL_FILE)
    meta = dict(read_meta(), feature_version=-1)
    (tmp_path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="make model"):
        load_model(tmp_path)
    with pytest.raises(ModelError, match="make model"):
        stripper.Stripper(model=tmp_path).clean("Some text.")


def test_missing_or_corrupt_model_fails_clearly(tmp_path):
    with pytest.raises(ModelError, match="make model"):
        load_model(tmp_path)
    (tmp_path / META_FILE).write_text(json.dumps(read_meta()))
    (tmp_path / MODEL_FILE).write_bytes(b"not a pickle")
    with pytest.raises(ModelError, match="make model"):
        load_model(tmp_path)


def test_model_is_loaded_once_per_process():
    assert load_model() is load_model()


def test_training_data_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "en" / "some-outlet"
    bad.mkdir(parents=True)
    (bad / "doc.jsonl").write_text('{"text": "Fine.", "label": "content"}\n{"text": "Odd.", "label": "advert"}\n')
    with pytest.raises(TrainingDataError, match=r"en/some-outlet/doc.jsonl:2: label 'advert'"):
        load_training_data(tmp_path)
    (bad / "doc.jsonl").write_text('{"text": "Fine.", "label": "content"}\n{not json\n')
    with pytest.raises(TrainingDataError, match=r"doc.jsonl:2: invalid JSON"):
        load_training_data(tmp_path)


def test_training_rebuilds_a_working_model_from_a_small_set(tmp_path, repo):
    """`stripper train` path end to end on a slice of the data: saves a loadable, checked model that records the
    hash of the data it loaded."""
    from stripper.training import train

    data = tmp_path / "data"
    for lang in ("en", "de"):
        outlets = sorted(p for p in (repo / "training_data" / lang).iterdir() if p.is_dir())[:3]
        for outlet in outlets:
            shutil.copytree(outlet, data / lang / outlet.name)
    loaded = data_hash(data)

    def progress(message: str) -> None:  # a file that lands in the folder while training runs
        if message.startswith("loaded"):
            (min((data / "en").iterdir()) / "added-later.jsonl").write_text('{"text": "Late", "label": "content"}\n')

    model, report = train(data, tmp_path / "model", folds=2, progress=progress)
    assert report["overall"]["paragraphs"] > 100
    assert report["edges"]["documents"] == report["documents"]  # every document has content paragraphs
    meta = read_meta(tmp_path / "model")
    assert meta["training_data_sha256"] == loaded != data_hash(data)  # the data it trained on, not the folder now
    paragraphs = stripper.Stripper(model=tmp_path / "model").label("A headline\nA body sentence of the article.")
    assert all(abs(sum(p.probs.values()) - 1) < 1e-6 for p in paragraphs)


def test_edge_content_kept_counts_the_first_and_last_content_paragraph_of_each_document():
    from stripper.document import Document, Paragraph
    from stripper.training import LabelledDoc, edge_content_kept, format_report

    def doc(labels: list[str]) -> LabelledDoc:
        paras = [Paragraph(i, f"line {i}", label=label) for i, label in enumerate(labels)]
        return LabelledDoc("x.jsonl", "en", "o", Document(paras, "text", None))

    docs = [doc(["boilerplate", "content", "content", "appeal"]), doc(["content", "caption", "content"]),
            doc(["boilerplate", "appeal"])]
    predicted = [["boilerplate", "content", "boilerplate", "appeal"],  # lead kept, closing paragraph lost
                 ["caption", "caption", "content"],                     # lead lost, closing paragraph kept
                 ["boilerplate", "appeal"]]                             # no content: not counted
    edges = edge_content_kept(docs, predicted)
    assert edges == {"documents": 2, "first_content_kept": 0.5, "last_content_kept": 0.5}
    report = {"folds": 2, "outlets": 1, "documents": 3, "overall": {"labels": {}, "confusion": [[0] * 4] * 4, "paragraphs": 0},
              "by_language": {}, "edges": edges}
    report["overall"]["labels"] = {label: {"recall": 1.0, "precision": 1.0} for label in stripper.LABELS}
    assert "last content paragraph kept in 50.0%" in format_report(report)


def test_saved_model_round_trips_its_vocabularies_and_predictions(tmp_path):
    import joblib
    import numpy as np

    model = load_model()
    model.save(tmp_path)
    again = joblib.load(tmp_path / MODEL_FILE)
    assert again.word.vocabulary_ == model.word.vocabulary_ and again.char.vocabulary_ == model.char.vocabulary_
    docs = [stripper.read("Support us monthly from just $2.\nThe council met on Tuesday.\nRead more", "text")]
    assert np.array_equal(again.predict_proba(docs)[0], model.predict_proba(docs)[0])
    assert model.word.vocabulary_ is not None  # saving left the live model whole


def test_trimmed_copy_starts_at_the_first_content_paragraph(repo):
    from stripper.training import trimmed_copy

    docs = load_training_data(repo / "training_data")
    text_doc = next(d for d in docs if d.doc.format == "text" and d.labels[0] != "content")
    copy = trimmed_copy(text_doc)
    first = text_doc.labels.index("content")
    assert copy is not None and copy.outlet == text_doc.outlet  # same cross-validation group
    assert [p.text for p in copy.doc.paragraphs] == [p.text for p in text_doc.doc.paragraphs[first:]]
    assert [p.index for p in copy.doc.paragraphs] == list(range(len(copy.doc.paragraphs)))
    assert copy.labels == text_doc.labels[first:]
    assert trimmed_copy(next(d for d in docs if d.doc.format == "html")) is None
    assert trimmed_copy(next(d for d in docs if d.labels[0] == "content")) is None


def test_excerpt_copy_is_a_short_run_of_a_text_documents_lines(repo):
    from stripper.training import excerpt_copy

    docs = load_training_data(repo / "training_data")
    text_docs = [d for d in docs if d.doc.format == "text" and len(d.doc.paragraphs) > 8][:40]
    starts = set()
    for d in text_docs:
        copy = excerpt_copy(d)
        assert copy is not None and copy.outlet == d.outlet and 4 <= len(copy.doc.paragraphs) <= 8
        texts = [p.text for p in d.doc.paragraphs]
        run = [p.text for p in copy.doc.paragraphs]
        start = next(i for i in range(len(texts)) if texts[i:i + len(run)] == run)
        assert copy.labels == d.labels[start:start + len(run)]
        assert [p.index for p in copy.doc.paragraphs] == list(range(len(run)))
        assert excerpt_copy(d).labels == copy.labels  # the same run every time
        starts.add(start)
    assert len(starts) > 5  # runs come from all over the documents, not only their start
    assert excerpt_copy(next(d for d in docs if d.doc.format == "html")) is None


def test_long_neighbour_columns_look_past_a_run_of_short_lines():
    """A list item is judged by the long paragraphs around its list; no column reaches into another document."""
    import numpy as np

    from stripper.model import _long_neighbours, context_features

    lengths = np.array([120, 8, 9, 7, 300, 5])  # body, three list items, body, a short last line
    p = np.eye(4)[[0, 3, 3, 3, 0, 3]]
    above, below, dist_above, dist_below = _long_neighbours(p, np.log1p(lengths))
    assert above[1:4].tolist() == [p[0].tolist()] * 3 and below[1:4].tolist() == [p[4].tolist()] * 3
    assert not above[0].any() and not below[5].any()  # nothing above the first, nothing below the last
    assert np.allclose(np.expm1(dist_above[1:4, 0]), [1, 2, 3]) and np.allclose(np.expm1(dist_below[1:4, 0]), [3, 2, 1])
    assert above[5].tolist() == p[4].tolist() and below[4].tolist() == [0, 0, 0, 0]

    dense_rows = np.log1p(lengths)[:, None].astype(float)
    one = context_features(p, dense_rows, [6], long_neighbours=True)
    two = context_features(np.vstack([p, p]), np.vstack([dense_rows, dense_rows]), [6, 6], long_neighbours=True)
    assert np.array_equal(two[:6], one) and np.array_equal(two[6:], one)


def test_neighbour_shape_columns_hold_the_previous_and_next_paragraph_shapes():
    """The context stage sees the shape of the line above and below (a caption with its own credit against a
    credit-only line), zero beyond either end of a document and never another document's lines."""
    import numpy as np

    from stripper.features import SHAPE_NAMES, dense
    from stripper.model import context_features

    doc = stripper.read("Ferry timetable cut to four sailings\nPassengers at the pier. Jo Ames/Wire/PA\n"
                        "The operator said on Tuesday that winter demand had halved since 2019.", "text")
    rows = dense(doc)
    p = np.full((3, 4), 0.25)
    k = len(SHAPE_NAMES)
    plain = context_features(p, rows, [3])
    with_shape = context_features(p, rows, [3], neighbour_shape=True)
    assert with_shape.shape[1] == plain.shape[1] + 2 * k
    extra = with_shape[:, plain.shape[1] - rows.shape[1]:plain.shape[1] - rows.shape[1] + 2 * k]
    prev, nxt = extra[:, :k], extra[:, k:]
    assert np.array_equal(prev[1:], rows[:2, :k]) and not prev[0].any()
    assert np.array_equal(nxt[:2], rows[1:, :k]) and not nxt[2].any()
    assert nxt[0, SHAPE_NAMES.index("tail_credit")] == 1  # the headline sees the credit on the line below
    two = context_features(np.vstack([p, p]), np.vstack([rows, rows]), [3, 3], neighbour_shape=True)
    assert np.array_equal(two[:3], with_shape) and np.array_equal(two[3:], with_shape)

