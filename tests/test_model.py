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
    """`stripper train` path end to end on a slice of the data: saves a loadable, checked model."""
    from stripper.training import train

    data = tmp_path / "data"
    for lang in ("en", "de"):
        outlets = sorted(p for p in (repo / "training_data" / lang).iterdir() if p.is_dir())[:3]
        for outlet in outlets:
            shutil.copytree(outlet, data / lang / outlet.name)
    model, report = train(data, tmp_path / "model", folds=2)
    assert report["overall"]["paragraphs"] > 100
    meta = read_meta(tmp_path / "model")
    assert meta["training_data_sha256"] == data_hash(data)
    paragraphs = stripper.Stripper(model=tmp_path / "model").label("A headline\nA body sentence of the article.")
    assert all(abs(sum(p.probs.values()) - 1) < 1e-6 for p in paragraphs)


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
