"""The command line, through click's CliRunner and real subprocess runs: every command, every bad input, stdin to
stdout, JSONL field preservation, gzip in and out, resuming after an interrupted run, identical output for any -j."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from stripper import Stripper, batch
from stripper.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ARTICLES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".html"))
SHARD = EXAMPLES / "gazette-shard.jsonl"
LABEL_KEYS = ["file", "record", "index", "label", "score", "probs", "text"]

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def run(model_args):
    """Invoke the CLI in process: run("clean", path, ...) -> click Result (stdout and stderr kept apart)."""

    def invoke(*args: str, input: str | bytes | None = None, env: dict | None = None) -> Result:
        argv = [str(a) for a in args]
        if argv and argv[0] in ("clean", "label", "evaluate") and "--model" not in argv:
            argv += model_args
        return CliRunner().invoke(cli, argv, input=input, env=env, catch_exceptions=False)

    return invoke


def expected_clean(stripper: Stripper, data: bytes | str) -> str:
    text = stripper.clean(data)
    return text + "\n" if text else ""


def subprocess_run(args: list[str], model_args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stripper", *args, *model_args], capture_output=True, **kwargs)


# --- commands, help, version ---------------------------------------------------------------------------------

def test_version_and_help_with_an_example_for_every_option(run):
    result = run("--version")
    assert result.exit_code == 0 and re.fullmatch(r"stripper \d+\.\d+\.\d+\n", result.stdout)
    for name, command in cli.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0 and "Examples:" in result.stdout, name
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag:
                assert "Example" in (param.help or ""), f"{name} {param.opts[0]} has no example"


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_cli_and_library_agree(run, stripper, article):
    """One table of cases through both the CLI (file and stdin) and the library."""
    expected = expected_clean(stripper, article.read_bytes())
    assert expected.count("\n") >= 5
    result = run("clean", article)
    assert result.exit_code == 0 and result.stdout == expected
    result = run("clean", "-", "-q", input=article.read_bytes())
    assert result.exit_code == 0 and result.stdout == expected and result.stderr == ""


def test_keep_and_threshold_change_what_is_kept(run, model_dir):
    article = EXAMPLES / "ferry-strike-ends.txt"
    labels = [json.loads(line) for line in run("label", article).stdout.splitlines()]
    by_label = {name: [r["text"] for r in labels if r["label"] == name] for name in ("content", "caption", "appeal")}
    assert by_label["content"] and by_label["appeal"]
    default = run("clean", article).stdout.splitlines()
    assert default == by_label["content"]
    with_captions = run("clean", article, "--keep", "caption", "--keep", "appeal").stdout
    lib = Stripper(model=model_dir, keep=("content", "caption", "appeal"))
    assert with_captions == expected_clean(lib, article.read_bytes())
    assert with_captions.splitlines() == [r["text"] for r in labels if r["label"] != "boilerplate"]
    loose = run("clean", article, "--threshold", "0.001").stdout.splitlines()
    strict = run("clean", article, "--threshold", "0.999").stdout.splitlines()
    assert set(strict) <= set(default) <= set(loose) and len(strict) < len(loose)


def test_show_removed_prints_each_removed_paragraph_on_one_line(run, tmp_path):
    result = run("clean", EXAMPLES / "ferry-strike-ends.txt", SHARD, "-o", tmp_path, "--show-removed", "-q",
                 env={"COLUMNS": "100"})
    lines = result.stderr.splitlines()
    labels = [json.loads(line) for line in run("label", EXAMPLES / "ferry-strike-ends.txt", SHARD).stdout.splitlines()]
    removed = [r for r in labels if r["label"] != "content"]
    assert len(lines) == len(removed) > 0
    for line, row in zip(lines, removed, strict=True):
        head = f"{row['file']}{'' if row['record'] is None else ':' + str(row['record'])}: [{row['label']} "
        assert line.startswith(head)
        assert line.endswith(row["text"]) or line.endswith("…")
    assert all(len(line) <= 100 for line in lines) and any(line.endswith("…") for line in lines)
    pattern = r"(\S+ferry-strike-ends\.txt|\S+gazette-shard\.jsonl:\d+): \[(caption|appeal|boilerplate) \d\.\d\d\] .+"
    assert all(re.fullmatch(pattern, line) for line in lines), lines
    assert any(":1: [" in line for line in lines)


def test_label_writes_one_json_line_per_paragraph(run, stripper):
    article = EXAMPLES / "council-budget-vote.txt"
    result = run("label", article, SHARD)
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(list(row) == LABEL_KEYS for row in rows)
    own = [r for r in rows if r["file"] == str(article)]
    expected = stripper.label(article.read_bytes())
    assert [(r["index"], r["label"], r["text"]) for r in own] == [(p.index, p.label, p.text) for p in expected]
    assert all(r["record"] is None for r in own)
    assert {r["record"] for r in rows if r["file"] == str(SHARD)} == {1, 2, 3}
    assert all(abs(sum(r["probs"].values()) - 1) < 1e-3 and r["score"] == max(r["probs"].values()) for r in rows)


def test_label_to_a_folder_mirrors_the_inputs(run, tmp_path):
    result = run("label", EXAMPLES, "-o", tmp_path / "labels", "-q")
    assert result.exit_code == 0
    names = sorted(p.name for p in (tmp_path / "labels").iterdir())
    assert names == sorted([p.stem + ".jsonl" for p in ARTICLES] + ["gazette-shard.jsonl"])


# --- folders, gzip, JSONL ------------------------------------------------------------------------------------

def test_folder_is_mirrored_with_gzip_in_and_out(run, stripper, tmp_path):
    src = tmp_path / "in"
    shutil.copytree(EXAMPLES, src / "plain")
    (src / "zipped").mkdir()
    for article in ARTICLES[:2]:
        (src / "zipped" / (article.name + ".gz")).write_bytes(gzip.compress(article.read_bytes()))
    (src / "zipped" / "shard.jsonl.gz").write_bytes(gzip.compress(SHARD.read_bytes()))
    (src / "plain" / ".draft.txt").write_text("hidden files are skipped")
    (src / "plain" / "notes.md").write_text("not an input by default")
    out = tmp_path / "out"
    result = run("clean", src, "-o", out, "--report", tmp_path / "report.json")
    assert result.exit_code == 0, result.stderr
    got = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert got == sorted([f"plain/{p.stem}.txt" for p in ARTICLES] + ["plain/gazette-shard.jsonl"]
                         + [f"zipped/{p.stem}.txt.gz" for p in ARTICLES[:2]] + ["zipped/shard.jsonl.gz"])
    for article in ARTICLES[:2]:
        unzipped = gzip.decompress((out / "zipped" / f"{article.stem}.txt.gz").read_bytes()).decode()
        assert unzipped == (out / "plain" / f"{article.stem}.txt").read_text()
        assert unzipped == expected_clean(stripper, article.read_bytes())
    assert gzip.decompress((out / "zipped" / "shard.jsonl.gz").read_bytes()) == \
        (out / "plain" / "gazette-shard.jsonl").read_bytes()
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["files"] == {"done": 9, "failed": 0, "skipped_existing": 0} and report["exit_code"] == 0
    assert sum(report["paragraphs"]["removed"].values()) > 0 and report["bytes_in"] > 0
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith("stripper: 9 files done, 0 failed") and "removed" in summary and "MB/s" in summary


def test_jsonl_records_keep_every_other_field_and_their_order(run, stripper, tmp_path):
    records = [
        {"id": 7, "meta": {"source": "crawl-1", "tags": ["a", "b"]}, "body": (EXAMPLES / "ferry-strike-ends.txt")
         .read_text(), "score": 0.25, "null": None, "ünï": "cödé"},
        {"body": "", "id": 8},
        {"id": 9, "body": (EXAMPLES / "library-reopens.html").read_text(), "flag": True},
    ]
    shard = tmp_path / "s.jsonl"
    shard.write_text("".join(json.dumps(r, ensure_ascii=bool(i % 2)) + "\n" for i, r in enumerate(records)))
    result = run("clean", shard, "-o", tmp_path / "out", "--text-field", "body", "--labels-field", "paragraphs")
    assert result.exit_code == 0, result.stderr
    out = [json.loads(line) for line in (tmp_path / "out" / "s.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(out) == 3
    for before, after in zip(records, out, strict=True):
        assert list(after) == [*before, "paragraphs"]
        assert {k: v for k, v in after.items() if k not in ("body", "paragraphs")} == \
               {k: v for k, v in before.items() if k != "body"}
        assert after["body"] == stripper.clean(before["body"])
        assert [p["text"] for p in after["paragraphs"]] == [p.text for p in stripper.label(before["body"])]
        assert all(list(p) == ["index", "label", "score", "probs", "text"] for p in after["paragraphs"])
    assert out[1]["body"] == "" and out[1]["paragraphs"] == []


def test_jsonl_on_stdin_is_sniffed(run, stripper):
    result = run("clean", "-", "-q", input=SHARD.read_bytes())
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    originals = [json.loads(line) for line in SHARD.read_text().splitlines()]
    assert [r["id"] for r in out] == [r["id"] for r in originals]
    assert [r["text"] for r in out] == [stripper.clean(r["text"]) for r in originals]
    result = run("clean", "-", "-q", input=gzip.compress(SHARD.read_bytes()))
    assert result.exit_code == 0 and [json.loads(line) for line in result.stdout.splitlines()] == out


def test_non_utf8_article_is_decoded_and_cleaned(run, tmp_path):
    article = EXAMPLES / "deichschaeferei-spendenlauf.txt"
    text = article.read_text(encoding="utf-8").replace("„", '"').replace("“", '"').replace("–", "-").replace("›", ">")
    (tmp_path / "utf8.txt").write_text(text, encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes(text.encode("latin-1"))
    utf8 = run("clean", tmp_path / "utf8.txt")
    latin1 = run("clean", tmp_path / "latin1.txt")
    assert latin1.exit_code == 0 and latin1.stdout == utf8.stdout and "Schäfers" in latin1.stdout


# --- bad input -----------------------------------------------------------------------------------------------

def test_each_bad_input_is_named_skipped_and_everything_else_written(run, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(EXAMPLES / "ferry-strike-ends.txt", src / "good.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (src / "huge.txt").write_text("A very long line of text that repeats. " * 1000)
    (src / "nothing.html").write_text("<html><head><script>var a = 1;</script></head><body><div></div></body></html>")
    (src / "cut.txt.gz").write_bytes(gzip.compress((EXAMPLES / "council-budget-vote.txt").read_bytes())[:300])
    good = json.dumps({"id": 1, "text": "Council approves the budget after a long debate on Tuesday night."})
    lines = [good, "{not json", json.dumps({"id": 3, "body": "no text field"}), json.dumps({"text": 42}),
             json.dumps({"text": "x " * 20_000}), json.dumps({"text": "<html><body><div></div></body></html>"}),
             good.replace('"id": 1', '"id": 7')]
    (src / "shard.jsonl").write_text("\n".join(lines) + "\n")
    many = "".join(json.dumps({"n": i, "text": f"Record {i}: the harbour board met on Monday to discuss "
                                          f"berth {i % 97} and the cost of dredging, {os.urandom(8).hex()}."}) + "\n"
                   for i in range(3000))
    (src / "cut.jsonl.gz").write_bytes(gzip.compress(many.encode())[:-2000])
    result = run("clean", src, tmp_path / "missing.txt", "-o", tmp_path / "out", "--max-bytes", "20K")
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if not line.startswith("stripper: ")]
    expected = {
        "binary.html": "binary", "huge.txt": "--max-bytes", "nothing.html": "HTML with no text",
        "cut.txt.gz": "truncated or corrupt gzip", "shard.jsonl:2": "invalid JSON", "shard.jsonl:3": 'no "text" field',
        "shard.jsonl:4": "is a number, not a string", "shard.jsonl:5": "--max-bytes", "shard.jsonl:6": "HTML with no text",
        "missing.txt": "no such file", "cut.jsonl.gz:": "truncated or corrupt gzip",
    }
    for where, what in expected.items():
        hits = [line for line in problems if where in line and what in line]
        assert len(hits) == 1, (where, what, problems)
    assert len(problems) == len(expected)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["cut.jsonl.gz", "empty.txt", "good.txt", "shard.jsonl"]
    assert (out / "empty.txt").read_bytes() == b""
    assert [json.loads(line)["id"] for line in (out / "shard.jsonl").read_text().splitlines()] == [1, 7]
    kept = [json.loads(line)["n"] for line in gzip.decompress((out / "cut.jsonl.gz").read_bytes()).splitlines()]
    assert 0 < len(kept) < 3000 and kept == list(range(len(kept)))
    assert not list(out.rglob("*.tmp"))


def test_a_document_that_hits_the_timeout_is_skipped(run, tmp_path, monkeypatch):
    real_read = Stripper.read

    def read(self, doc, format="auto"):
        if isinstance(doc, str) and "PATHOLOGICAL" in doc:
            time.sleep(5)  # interrupted by the deadline
        return real_read(self, doc, format)

    monkeypatch.setattr(Stripper, "read", read)
    (tmp_path / "slow.txt").write_text("PATHOLOGICAL page\n")
    shutil.copy(EXAMPLES / "ferry-strike-ends.txt", tmp_path / "fine.txt")
    (tmp_path / "s.jsonl").write_text(json.dumps({"text": "A normal record about the harbour."}) + "\n"
                                      + json.dumps({"text": "PATHOLOGICAL record"}) + "\n")
    started = time.perf_counter()
    result = run("clean", tmp_path / "slow.txt", tmp_path / "fine.txt", tmp_path / "s.jsonl", "-o", tmp_path / "out",
                 "--timeout", "0.2", "-j", "1")
    assert time.perf_counter() - started < 4
    assert result.exit_code == 1
    assert re.search(r"slow\.txt: reading took longer than --timeout 0\.2 s; skipped", result.stderr)
    assert re.search(r"s\.jsonl:2: reading took longer than --timeout 0\.2 s; skipped", result.stderr)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["fine.txt", "s.jsonl"]
    assert len((tmp_path / "out" / "s.jsonl").read_text().splitlines()) == 1


def test_a_genuinely_huge_page_hits_the_timeout(run, tmp_path):
    page = "<html><body>" + "".join(f"<div class='c{i}'><p>Paragraph {i} of an endless page that says little.</p>"
                                    "</div>" for i in range(12000)) + "</body></html>"
    (tmp_path / "huge.html").write_text(page)
    shutil.copy(EXAMPLES / "council-budget-vote.txt", tmp_path / "fine.txt")
    result = run("clean", tmp_path, "-o", tmp_path / "out", "--timeout", "0.3", "-q")
    assert result.exit_code == 1 and "huge.html: reading took longer than --timeout" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["fine.txt"]


def test_an_output_that_would_overwrite_an_input_is_refused(run, tmp_path):
    article = tmp_path / "a.txt"
    shutil.copy(EXAMPLES / "ferry-strike-ends.txt", article)
    before = article.read_bytes()
    result = run("clean", article, "-o", tmp_path)
    assert result.exit_code == 1 and "would overwrite an input" in result.stderr
    assert article.read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["clean", str(EXAMPLES)], "need -o"),
    (["clean", str(ARTICLES[0]), str(ARTICLES[1])], "several inputs need -o"),
    (["clean", str(EXAMPLES), "-o", str(EXAMPLES)], "overwrite inputs"),
    (["clean", "-", "-o", "somewhere"], "stdin"),
    (["clean", str(ARTICLES[0]), "--threshold", "2"], "threshold"),
    (["clean", str(ARTICLES[0]), "--keep", "everything"], "keep"),
    (["clean", str(ARTICLES[0]), "--max-bytes", "lots"], "max-bytes"),
    (["clean", str(ARTICLES[0]), "--skip-existing"], "needs -o"),
    (["label", "--no-such-option", "x"], "no-such-option"),
    (["train", "/no/such/folder"], "does not exist"),
])
def test_usage_errors_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr


def test_missing_or_broken_model_exits_2_with_a_message(run, tmp_path):
    for args in (["clean", ARTICLES[0]], ["label", ARTICLES[0]], ["evaluate", ROOT / "training_data"]):
        result = run(*args, "--model", tmp_path)
        assert result.exit_code == 2, args
        assert "no model metadata" in result.stderr and "Traceback" not in result.stderr


# --- parallel, resuming, subprocess --------------------------------------------------------------------------

def _article_tree(root: Path, copies: int) -> Path:
    for i in range(copies):
        article = ARTICLES[i % len(ARTICLES)]
        folder = root / f"part{i % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        data = article.read_bytes()
        if article.suffix == ".txt":
            data += f"Paragraph added to copy {i} so that every copy differs.\n".encode()
        (folder / f"{article.stem}-{i:03d}{article.suffix}").write_bytes(data)
    shutil.copy(SHARD, root / "part0" / "shard.jsonl")
    return root


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fork", [True, False], ids=["forked-workers", "loky-workers"])
def test_output_is_identical_for_one_and_two_workers(run, tmp_path, monkeypatch, fork):
    if fork and not batch.can_fork():
        pytest.skip("this platform cannot fork workers")
    monkeypatch.setattr(batch, "can_fork", lambda: fork)
    src = _article_tree(tmp_path / "in", 70)
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        cleaned = run("clean", src, "-o", out, "-j", jobs, "--show-removed", "-q")
        labelled = run("label", src, "-j", jobs, "-q")
        assert cleaned.exit_code == 0 and labelled.exit_code == 0
        results[jobs] = (_tree_bytes(out), cleaned.stderr, labelled.stdout_bytes)
    assert len(results["1"][0]) == 71 and results["1"][1].count("\n") > 100
    assert results["1"] == results["2"]


def _wait_for_outputs(out: Path, proc: subprocess.Popen, deadline: float = 60) -> None:
    limit = time.monotonic() + deadline
    while time.monotonic() < limit and proc.poll() is None:
        if out.exists() and any(p.suffix == ".txt" for p in out.rglob("*.txt")):
            return
        time.sleep(0.02)


@pytest.mark.parametrize("jobs, sig", [("1", signal.SIGINT), ("2", signal.SIGTERM)])
def test_interrupted_run_leaves_no_partial_file_and_resumes(model_args, stripper, tmp_path, jobs, sig):
    src = _article_tree(tmp_path / "in", 100)
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "stripper", "clean", str(src), "-o", str(out), "-j", jobs, "-q", *model_args]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for_outputs(out, proc)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode in (130, 0), stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    done = [p for p in out.rglob("*") if p.is_file()]
    for output in done:  # whatever is there is complete
        if output.suffix == ".txt":
            source = next(src.rglob(output.stem + ".*"))
            assert output.read_text() == expected_clean(stripper, source.read_bytes()), output
    report = tmp_path / "report.json"
    result = subprocess_run(["clean", str(src), "-o", str(out), "--skip-existing", "-q", "-j", "1",
                             "--report", str(report)], model_args)
    assert result.returncode == 0, result.stderr.decode()
    figures = json.loads(report.read_text())
    assert figures["files"]["skipped_existing"] == len(done)
    assert figures["files"]["done"] == 101 - len(done)
    assert len([p for p in out.rglob("*") if p.is_file()]) == 101


def test_python_dash_m_pipes_stdin_to_stdout(model_args, stripper):
    article = EXAMPLES / "council-budget-vote.txt"
    result = subprocess_run(["clean", "-"], model_args, input=article.read_bytes())
    assert result.returncode == 0
    assert result.stdout.decode() == expected_clean(stripper, article.read_bytes())
    assert result.stderr.decode().startswith("stripper: 1 files done, 0 failed")
    version = subprocess.run([sys.executable, "-m", "stripper", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("stripper ")


# --- train and evaluate --------------------------------------------------------------------------------------

def _labelled_slice(dest: Path, files: int = 4) -> Path:
    for path in sorted((ROOT / "training_data" / "en").rglob("*.jsonl"))[:files]:
        target = dest / path.relative_to(ROOT / "training_data")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return dest


def test_evaluate_reports_per_label_figures_and_content_recall(run, tmp_path):
    data = _labelled_slice(tmp_path / "data")
    result = run("evaluate", data)
    assert result.exit_code == 0, result.stderr
    for heading in ("precision", "recall", "f1", "confusion", "content recall", "noise removed"):
        assert heading in result.stdout
    figures = json.loads(run("evaluate", data, "--json", "--threshold", "0.2").stdout)
    assert set(figures["labels"]) == {"content", "caption", "appeal", "boilerplate"}
    assert figures["documents"] == 4 and figures["threshold"] == 0.2
    assert 0 <= figures["content_recall"] <= 1 and len(figures["confusion"]) == 4
    single = next(data.rglob("*.jsonl"))
    assert run("evaluate", single).exit_code == 0
    (tmp_path / "bad" / "en" / "x").mkdir(parents=True)
    (tmp_path / "bad" / "en" / "x" / "d.jsonl").write_text('{"text": "a", "label": "nonsense"}\n')
    bad = run("evaluate", tmp_path / "bad")
    assert bad.exit_code == 1 and "d.jsonl:1" in bad.stderr


def test_train_wires_data_folder_options_and_report(run, tmp_path, monkeypatch):
    from stripper import training
    from stripper.training import score

    calls = {}

    class FakeModel:
        meta = {"documents": 3, "paragraphs": 40}

    def fake_train(data_dir, out_dir, folds=5, n_jobs=1, progress=None):
        calls.update(data_dir=Path(data_dir), out_dir=Path(out_dir), folds=folds, n_jobs=n_jobs)
        progress("loaded 3 documents")
        overall = score(["content", "appeal"], ["content", "appeal"])
        report = {"folds": folds, "documents": 3, "outlets": 2, "overall": overall, "by_language": {}}
        progress(training.format_report(report))
        return FakeModel(), report

    monkeypatch.setattr(training, "train", fake_train)
    result = run("train", tmp_path, "-o", tmp_path / "model", "--folds", "3", "-j", "2", "--report",
                 tmp_path / "cv.json")
    assert result.exit_code == 0
    assert calls == {"data_dir": tmp_path, "out_dir": tmp_path / "model", "folds": 3, "n_jobs": 2}
    assert result.stdout.startswith("grouped 3-fold cross-validation")
    assert "loaded 3 documents" in result.stderr and "grouped" not in result.stderr
    assert json.loads((tmp_path / "cv.json").read_text())["folds"] == 3


def test_train_on_a_folder_without_labelled_documents_exits_1(run, tmp_path):
    result = run("train", tmp_path, "-o", tmp_path / "model")
    assert result.exit_code == 1 and "no labelled documents" in result.stderr
