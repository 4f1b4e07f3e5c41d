"""The batch engine's parts: input planning, sniffing, line limits, chunking, atomic outputs, deadlines, streaming."""

from __future__ import annotations

import gzip
import io
import json
import os
import threading
import time
from pathlib import Path

import pytest

from stripper import batch
from stripper.batch import (
    BATCH_DOCS,
    CHUNK_FILES,
    DocumentTimeout,
    Events,
    FileResult,
    Options,
    Summary,
    chunks,
    deadline,
    one_line,
)
from stripper.inputs import Plan, Source, UsageProblem, iter_lines, looks_like_jsonl, output_name, split_name
from stripper.outputs import atomic_output, json_line
from stripper.outputs import tmp_path as tmp_name

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("name, command, out", [
    ("a.html", "clean", "a.txt"),
    ("a.htm", "clean", "a.txt"),
    ("a.txt", "clean", "a.txt"),
    ("a.html.gz", "clean", "a.txt.gz"),
    ("s.jsonl", "clean", "s.jsonl"),
    ("s.jsonl.gz", "clean", "s.jsonl.gz"),
    ("s.ndjson", "clean", "s.ndjson"),
    ("notes", "clean", "notes.txt"),
    ("page.2024", "clean", "page.2024.txt"),
    ("a.html", "label", "a.jsonl"),
    ("s.jsonl.gz", "label", "s.jsonl.gz"),
    ("a.TXT", "clean", "a.txt"),
])
def test_output_names(name, command, out):
    kind = split_name(name)[1] or "doc"
    assert output_name(name, kind, command) == out


def test_sniffing_jsonl():
    assert looks_like_jsonl(b'{"text": "a"}\n{"text": "b"}\n')
    assert looks_like_jsonl(b'\n  {"id": 1}')
    assert not looks_like_jsonl(b"Headline\n{not json}\n")
    assert not looks_like_jsonl(b"<html><body>{x}</body></html>")
    assert not looks_like_jsonl(b"{ looks like a brace but is prose\n")
    big_first_record = b'{"text": "' + b"x" * 100_000 + b'"}\n'
    assert looks_like_jsonl(big_first_record[:65536])


def test_iter_lines_skips_overlong_lines_without_holding_them():
    data = b"short\n" + b"x" * 5000 + b"\nexact\n" + b"y" * 10 + b"\nlast"
    lines = list(iter_lines(io.BufferedReader(io.BytesIO(data), 64), 10))
    assert lines == [(1, b"short\n"), (2, None), (3, b"exact\n"), (4, b"y" * 10 + b"\n"), (5, b"last")]


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_walk_is_sorted_skips_hidden_and_unknown_and_mirrors_names(tmp_path):
    src = _tree(tmp_path / "in", {"b.txt": "b", "a/x.html": "<p>x</p>", "a/y.jsonl": "{}", ".hidden.txt": "h",
                                  ".git/c.txt": "c", "notes.md": "m", "z.txt.gz": ""})
    plan = Plan([str(src)], output=tmp_path / "out")
    got = [(os.path.relpath(s.path, src), os.path.relpath(s.out, tmp_path / "out"), s.kind) for s in plan.sources()]
    assert got == [("a/x.html", "a/x.txt", "html"), ("a/y.jsonl", "a/y.jsonl", "jsonl"), ("b.txt", "b.txt", "text"),
                   ("z.txt.gz", "z.txt.gz", "text")]


def test_glob_chooses_files(tmp_path):
    src = _tree(tmp_path / "in", {"a.page": "x", "b.txt": "y", "sub/c.page": "z", "sub/d.page": "w"})
    names = [os.path.relpath(s.path, src) for s in Plan([str(src)], globs=["*.page"]).sources()]
    assert names == ["a.page", "sub/c.page", "sub/d.page"]
    names = [os.path.relpath(s.path, src) for s in Plan([str(src)], globs=["sub/c*"]).sources()]
    assert names == ["sub/c.page"]


def test_output_folder_inside_the_input_is_not_walked(tmp_path):
    src = _tree(tmp_path, {"a.txt": "a", "out/old.txt": "o"})
    plan = Plan([str(src)], output=src / "out")
    os.makedirs(src / "out", exist_ok=True)
    assert [os.path.basename(s.path) for s in plan.sources()] == ["a.txt"]


def test_two_inputs_with_one_output_name_collide(tmp_path):
    src = _tree(tmp_path / "in", {"a.html": "<p>a</p>", "a.txt": "a"})
    got = list(Plan([str(src)], output=tmp_path / "out").sources())
    assert [s.action for s in got] == ["work", "error"]
    assert "already written for" in got[1].message
    got = list(Plan([str(src / "a.txt"), str(src / "a.html")], output=tmp_path / "out").sources())
    assert [s.action for s in got] == ["work", "error"]


def test_an_output_that_would_overwrite_an_input_is_refused(tmp_path):
    src = _tree(tmp_path, {"in/a.txt": "a"})
    (got,) = Plan([str(src / "in" / "a.txt")], output=src / "in").sources()
    assert got.action == "error" and "would overwrite an input" in got.message


def test_missing_paths_become_error_sources(tmp_path):
    (got,) = Plan([str(tmp_path / "nope.txt")], output=tmp_path / "out").sources()
    assert got.action == "error" and "no such file" in got.message
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    (got,) = Plan([str(tmp_path / "dangling")], output=tmp_path / "out").sources()
    assert got.action == "error" and "broken symbolic link" in got.message


def test_skip_existing_marks_done_outputs(tmp_path):
    src = _tree(tmp_path / "in", {"a.txt": "a", "b.txt": "b"})
    _tree(tmp_path / "out", {"a.txt": "done"})
    got = list(Plan([str(src)], output=tmp_path / "out", skip_existing=True).sources())
    assert [s.action for s in got] == ["skip", "work"]


@pytest.mark.parametrize("paths, output, message", [
    (["a", "b"], None, "several inputs need -o"),
    (["-", "-"], None, "only once"),
    (["-"], "out", "stdin"),
])
def test_usage_problems(tmp_path, paths, output, message):
    with pytest.raises(UsageProblem, match=message):
        Plan(paths, output=tmp_path / output if output else None).check()


def test_folder_without_output_and_output_equal_to_input_are_usage_problems(tmp_path):
    with pytest.raises(UsageProblem, match="need -o"):
        Plan([str(tmp_path)]).check()
    with pytest.raises(UsageProblem, match="overwrite inputs"):
        Plan([str(tmp_path)], output=tmp_path).check()


def test_chunks_are_cut_from_the_inputs_alone():
    docs = [Source(f"d{i}", f"d{i}", kind="text", size=100) for i in range(40)]
    shard = Source("s.jsonl", "s.jsonl", kind="jsonl", size=10 ** 9)
    cut = [len(c) for c in chunks(docs[:20] + [shard] + docs[20:])]
    assert cut == [CHUNK_FILES, 4, 1, CHUNK_FILES, 4]
    big = [Source(f"b{i}", f"b{i}", kind="html", size=3 << 20) for i in range(3)]
    assert [len(c) for c in chunks(big)] == [1, 1, 1]


def test_atomic_output_renames_when_complete_and_leaves_nothing_on_failure(tmp_path):
    final = str(tmp_path / "sub" / "a.txt")
    with pytest.raises(RuntimeError), atomic_output(final) as out:
        out.write(b"partial")
        assert os.path.exists(tmp_name(final))
        raise RuntimeError
    assert os.listdir(tmp_path / "sub") == []
    with atomic_output(final) as out:
        out.write(b"whole\n")
    assert Path(final).read_bytes() == b"whole\n" and os.listdir(tmp_path / "sub") == ["a.txt"]


def test_gzip_outputs_are_byte_reproducible(tmp_path):
    blobs = []
    for name in ("one.txt.gz", "two.txt.gz"):
        with atomic_output(str(tmp_path / name)) as out:
            out.write(b"same text\n")
        blobs.append((tmp_path / name).read_bytes())
    assert blobs[0] == blobs[1] and gzip.decompress(blobs[0]) == b"same text\n"
    assert blobs[0][4:8] == b"\0\0\0\0" and not blobs[0][3] & 0x08  # no timestamp, no file name


def test_json_line_keeps_unicode_and_survives_lone_surrogates():
    assert json_line({"t": "Zürich"}) == '{"t": "Zürich"}\n'.encode()
    assert json.loads(json_line({"t": "\ud800x"})) == {"t": "\ud800x"}


def test_deadline_interrupts_a_slow_document_and_is_inert_in_threads():
    start = time.perf_counter()
    with pytest.raises(DocumentTimeout), deadline(0.2):
        while True:
            pass
    assert time.perf_counter() - start < 2
    with deadline(0.05):
        pass
    time.sleep(0.1)  # the timer is cancelled: nothing fires after the block
    results = []

    def in_thread():
        with deadline(0.01):
            time.sleep(0.05)
        results.append("done")

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert results == ["done"]


def test_one_line():
    assert one_line("a\n b\t c", 80) == "a b c"
    assert one_line("x" * 100, 10) == "x" * 9 + "…"


def test_summary_exit_code_and_report():
    summary = Summary()
    summary.add(FileResult("a", documents=1))
    assert summary.exit_code == 0
    summary.add(FileResult("b", status="skipped"))
    assert summary.exit_code == 0
    bad = FileResult("c")
    bad.bad_documents += 1
    bad.problem("c:3: invalid JSON; skipped")
    summary.add(bad)
    report = summary.to_dict()
    assert summary.exit_code == 1 and report["exit_code"] == 1
    assert report["files"] == {"done": 2, "failed": 0, "skipped_existing": 1}
    assert report["errors"] == ["c:3: invalid JSON; skipped"]


class _Capture(Events):
    def __init__(self):
        super().__init__(io.BytesIO(), io.StringIO())


def test_jsonl_is_streamed_in_bounded_batches(tmp_path, stripper, monkeypatch):
    """A shard is labelled BATCH_DOCS records at a time and written as it goes, never collected whole."""
    n = 3 * BATCH_DOCS + 5
    shard = tmp_path / "s.jsonl"
    shard.write_text("".join(json.dumps({"id": i, "text": f"Body sentence number {i} of the story."}) + "\n"
                             for i in range(n)))
    sizes = []
    real = type(stripper).label_documents

    def spy(self, docs):
        sizes.append(len(docs))
        return real(self, docs)

    monkeypatch.setattr(type(stripper), "label_documents", spy)
    summary = batch.run(Plan([str(shard)], output=tmp_path / "out"), stripper, Options(), jobs=1, events=_Capture())
    assert summary.exit_code == 0 and summary.documents == n
    assert max(sizes) <= BATCH_DOCS and sum(sizes) == n
    out = [json.loads(line) for line in (tmp_path / "out" / "s.jsonl").read_text().splitlines()]
    assert [r["id"] for r in out] == list(range(n))
