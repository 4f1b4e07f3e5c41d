"""The `stripper` command line: a thin click layer over the library (Stripper, the batch engine, training)."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from . import __version__
from .api import Stripper
from .batch import (
    DEFAULT_TIMEOUT,
    Options,
    check_model,
    default_jobs,
    progress_width,
    run,
    write_report,
)
from .document import LABELS
from .inputs import Plan, UsageProblem, count
from .model import ModelError
from .progress import Terminal, stderr_is_terminal

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ByteSize(click.ParamType):
    """A size in bytes: 1000, 500K, 50M, 2G (K/M/G are powers of 1024; a trailing B or iB is allowed)."""

    name = "SIZE"
    _units = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}

    def convert(self, value: str | int, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """The number of bytes value names."""
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(value), re.I)
        if not match:
            self.fail(f"{value!r} is not a size such as 50M, 500K or 1000000", param, ctx)
        return int(float(match.group(1)) * self._units[match.group(2).lower()])


def _say(message: str) -> None:
    click.echo(f"stripper: {message}", err=True)


def _model_failure(exc: ModelError) -> None:
    _say(f"error: {exc}")
    raise SystemExit(EXIT_USAGE)


# --- the group -----------------------------------------------------------------------------------------------

@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="stripper", message="%(prog)s %(version)s")
def cli() -> None:
    """Keep the editorial text of scraped articles; drop appeals, captions and boilerplate.

    Every paragraph is labelled content, caption, appeal or boilerplate by a small classifier;
    `clean` keeps the content. Inputs are plain text (one paragraph per line), HTML, or JSON Lines
    records, each optionally gzip-compressed.

    \b
    Examples:
      stripper clean article.html                 # the clean text on stdout
      stripper clean crawl/ -o clean/             # a folder, mirrored into clean/, on all cores
      stripper clean shard.jsonl.gz -o out/       # every record's "text" cleaned, other fields kept
      stripper label article.txt | head           # each paragraph with its label and score
      stripper train training_data -o model/      # rebuild the model from labelled data
      stripper evaluate my_labels/ --model model/ # check a model on your own labelled data

    \b
    Exit codes: 0 everything done; 1 some input was skipped (each named on stderr);
    2 usage error, or the model is missing or does not fit this installation.
    """


# --- clean and label -----------------------------------------------------------------------------------------

def _model_option(func: Callable) -> Callable:
    return click.option(
        "--model", "model", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
        metavar="DIR", help="Model folder to use instead of the packaged model (one written by `stripper train`). "
                            "Example: --model my_model/")(func)


def _batch_options(command: str) -> Callable:
    """The options `clean` and `label` share (inputs, parallelism, robustness, reporting)."""
    out_help = ("Output folder, mirroring the input tree (a/b.html -> OUT/a/b.txt, s.jsonl.gz -> OUT/s.jsonl.gz). "
                "Needed for folders and several inputs; without it one file or stdin goes to stdout. "
                "Example: -o clean/") if command == "clean" else (
        "Output folder: one .jsonl of paragraph labels per input, mirroring the input tree (a/b.html -> "
        "OUT/a/b.jsonl). Without it every line goes to stdout. Example: -o labels/")
    options = [
        click.argument("paths", nargs=-1, required=True, metavar="PATH..."),
        click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
                     metavar="OUTDIR", help=out_help),
        click.option("--glob", "globs", multiple=True, metavar="PATTERN",
                     help="Which files of a folder to read (repeatable; matched against the file name, or the path "
                          "inside the folder when the pattern has a /). Default: *.txt *.html *.htm *.jsonl "
                          "*.ndjson, each also .gz. Hidden files are always skipped. Example: --glob '*.page'"),
        click.option("--format", "fmt", type=click.Choice(["auto", "text", "html", "jsonl"]), default="auto",
                     show_default=True,
                     help="How to read the inputs: auto goes by extension and sniffs the content when the extension "
                          "says nothing (stdin too); text or html reads every non-JSONL input that way; jsonl reads "
                          "every input as JSON Lines. Example: cat shard | stripper clean - --format jsonl"),
        click.option("--text-field", default="text", show_default=True, metavar="NAME",
                     help="JSONL: the field holding each record's document. Example: --text-field content"),
        click.option("--field-format", type=click.Choice(["auto", "text", "html"]), default="auto",
                     show_default=True,
                     help="JSONL: whether the text field holds plain text or HTML (auto sniffs each record). "
                          "Example: --field-format html"),
        _model_option,
        click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, metavar="N",
                     help=f"Worker processes (default 0: all {default_jobs()} cores here; runs under 1 MB stay in "
                          "one process). Workers are forked after the model is loaded where the platform allows "
                          "(Linux). Output is identical for any N. Example: -j 4"),
        click.option("--skip-existing", is_flag=True,
                     help="Resume an interrupted run: skip inputs whose output already exists (outputs are renamed "
                          "into place only when complete). Example: stripper clean crawl/ -o out/ --skip-existing"),
        click.option("--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True,
                     metavar="SECONDS",
                     help="Time limit per document; a document that hits it is reported and skipped (0: no "
                          "limit). Example: --timeout 10"),
        click.option("--max-bytes", type=ByteSize(), default="50M", show_default=True,
                     help="Largest document (a file, or a JSONL record) to read; larger ones are reported and "
                          "skipped. Example: --max-bytes 5M"),
        click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE.json",
                     help="Also write the summary figures (files, documents, paragraphs per label, throughput, "
                          "problems) as JSON. Example: --report run.json"),
        click.option("-q", "--quiet", is_flag=True,
                     help="No progress bar and no summary line (problems are still printed)."),
    ]

    def decorate(func: Callable) -> Callable:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _run_batch(command: str, paths: tuple[str, ...], output: Path | None, globs: tuple[str, ...], fmt: str,
               text_field: str, field_format: str, model: Path | None, jobs: int, skip_existing: bool,
               timeout: float, max_bytes: int, report: Path | None, quiet: bool, keep: tuple[str, ...] = (),
               threshold: float | None = None, labels_field: str | None = None, show_removed: bool = False) -> None:
    plan = Plan(paths, command=command, output=output, globs=globs, format=fmt, text_field=text_field,
                skip_existing=skip_existing)
    try:
        plan.check()
    except UsageProblem as exc:
        raise click.UsageError(str(exc)) from None
    stripper = Stripper(model=model.resolve() if model else None, keep=("content", *keep), threshold=threshold)
    try:
        check_model(stripper, jobs or default_jobs())
    except ModelError as exc:
        _model_failure(exc)
    width = progress_width()
    bar = not quiet and stderr_is_terminal()
    files, size = count(plan) if bar else (0, 0)
    terminal = Terminal(sys.stdout.buffer, sys.stderr, bar=bar,
                        total_files=files, total_bytes=size, width=width)
    options = Options(command=command, text_field=text_field, field_format=field_format, labels_field=labels_field,
                      timeout=timeout, max_bytes=max_bytes, show_removed=show_removed, width=width)
    try:
        summary = run(plan, stripper, options, jobs, terminal)
    except ModelError as exc:
        terminal.close()
        _model_failure(exc)
    except KeyboardInterrupt:
        terminal.close()
        _say("interrupted; finished outputs are kept (rerun with --skip-existing to resume)")
        raise SystemExit(EXIT_INTERRUPTED) from None
    finally:
        terminal.close()
        terminal.stdout.flush()
    if not quiet:
        _say(summary.line())
    if report is not None:
        write_report(str(report), summary.to_dict())
    raise SystemExit(summary.exit_code)


@cli.command(context_settings=CONTEXT)
@_batch_options("clean")
@click.option("--keep", multiple=True, type=click.Choice(LABELS), metavar="LABEL",
              help="Also keep paragraphs of this label beside content (repeatable; one of "
                   f"{', '.join(LABELS[1:])}). Example: --keep caption")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None, metavar="P",
              help="Keep a paragraph when the summed probability of the kept labels reaches P, instead of when its "
                   "most probable label is kept (lower keeps more). Example: --threshold 0.3")
@click.option("--labels-field", default=None, metavar="NAME",
              help="JSONL: also add each record's paragraphs with label, score and probabilities under this field. "
                   "Example: --labels-field paragraphs")
@click.option("--show-removed", is_flag=True,
              help="Print every removed paragraph to stderr as FILE: [label score] text, cut to one terminal line.")
def clean(paths: tuple[str, ...], output: Path | None, globs: tuple[str, ...], fmt: str, text_field: str,
          field_format: str, model: Path | None, jobs: int, skip_existing: bool, timeout: float, max_bytes: int,
          report: Path | None, quiet: bool, keep: tuple[str, ...], threshold: float | None,
          labels_field: str | None, show_removed: bool) -> None:
    """Keep the editorial text of each input; drop appeals, captions and boilerplate.

    PATH is a file, a folder (walked recursively) or - for stdin. Text and HTML inputs give the kept
    paragraphs one per line; in JSONL inputs each record's text field is replaced by its kept text,
    every other field kept as it was, records in the same order. Bad inputs (missing, binary, too
    large, invalid JSON, a record without the text field, truncated gzip, HTML without text, a
    timeout) are named on stderr and skipped; everything else is still written.

    \b
    Examples:
      stripper clean article.html > article.txt
      curl -s https://example.org/story | stripper clean -
      stripper clean crawl/ -o clean/ -j 8 --report run.json
      stripper clean crawl/ -o clean/ --skip-existing          # resume after an interruption
      stripper clean shards/ -o out/ --text-field body --labels-field paragraphs
      stripper clean examples -o out --show-removed --keep caption

    \b
    Exit codes: 0 all done, 1 something was skipped, 2 usage or model error.
    """
    _run_batch("clean", paths, output, globs, fmt, text_field, field_format, model, jobs, skip_existing, timeout,
               max_bytes, report, quiet, keep=keep, threshold=threshold, labels_field=labels_field,
               show_removed=show_removed)


@cli.command(context_settings=CONTEXT)
@_batch_options("label")
def label(paths: tuple[str, ...], output: Path | None, globs: tuple[str, ...], fmt: str, text_field: str,
          field_format: str, model: Path | None, jobs: int, skip_existing: bool, timeout: float, max_bytes: int,
          report: Path | None, quiet: bool) -> None:
    """Label every paragraph: one JSON line per paragraph.

    Each line is {"file", "record", "index", "label", "score", "probs", "text"}: record is the line
    number of the document in a JSONL input (null for a text or HTML file), index the paragraph's
    position in its document, score the probability of the label, probs all four probabilities.
    Inputs, parallelism and bad-input handling are those of `clean`.

    \b
    Examples:
      stripper label article.html
      stripper label crawl/ -j 4 > labels.jsonl
      stripper label shard.jsonl.gz -o labels/ --text-field body
      stripper label article.txt | jq -r 'select(.label=="appeal") .text'
    """
    _run_batch("label", paths, output, globs, fmt, text_field, field_format, model, jobs, skip_existing, timeout,
               max_bytes, report, quiet)


# --- train and evaluate --------------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT)
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("stripper-model"),
              show_default=True, metavar="MODEL_DIR",
              help="Folder to write the model and its metadata to (created if needed). "
                   "Example: -o stripper/models (the packaged model, as `make model` does)")
@click.option("--folds", type=click.IntRange(min=1), default=5, show_default=True, metavar="K",
              help="Grouped cross-validation folds (whole outlets held out); 1 skips cross-validation. "
                   "Example: --folds 3")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, metavar="N",
              help="Processes for cross-validation (default 0: all cores). Example: -j 2")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE.json",
              help="Also write the cross-validation figures as JSON. Example: --report cv.json")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr.")
def train(data_dir: Path, output: Path, folds: int, jobs: int, report: Path | None, quiet: bool) -> None:
    """Train a model from labelled documents and report grouped cross-validation.

    DATA_DIR holds DATA_DIR/<lang>/<outlet>/<doc>.jsonl files, one {"text", "label"} line per
    paragraph (label: content, caption, appeal or boilerplate), and/or .html pages whose elements
    carry data-label attributes. The cross-validation table goes to stdout; the model and its
    metadata (scikit-learn version, labels, feature version, training-data hash) to MODEL_DIR.

    \b
    Examples:
      stripper train training_data -o stripper/models
      stripper train my_data/ -o my_model/ --folds 1 && stripper clean page.html --model my_model/
    """
    from .training import TrainingDataError
    from .training import train as train_model

    started = time.perf_counter()

    def progress(message: str) -> None:
        if not quiet and "\n" not in message:  # the multi-line table is printed to stdout below
            _say(message)

    try:
        model, cv = train_model(data_dir, output, folds=folds, n_jobs=jobs or default_jobs(), progress=progress)
    except TrainingDataError as exc:
        _say(f"error: {exc}")
        raise SystemExit(EXIT_SKIPPED) from None
    if cv:
        from .training import format_report

        click.echo(format_report(cv))
    elif not quiet:
        _say("cross-validation skipped (--folds 1)")
    if report is not None:
        write_report(str(report), cv)
    if not quiet:
        _say(f"model written to {output} ({model.meta.get('documents', 0):,} documents, "
             f"{model.meta.get('paragraphs', 0):,} paragraphs) in {time.perf_counter() - started:,.1f} s")


@cli.command(context_settings=CONTEXT)
@click.argument("data", type=click.Path(exists=True, path_type=Path))
@_model_option
@click.option("--keep", multiple=True, type=click.Choice(LABELS), metavar="LABEL",
              help="Labels kept beside content when measuring what `clean` keeps (repeatable). Example: --keep caption")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None, metavar="P",
              help="The --threshold of `clean` to measure. Example: --threshold 0.3")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of tables.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE.json",
              help="Also write the figures as JSON. Example: --report eval.json")
def evaluate(data: Path, model: Path | None, keep: tuple[str, ...], threshold: float | None, as_json: bool,
             report: Path | None) -> None:
    """Measure a model on labelled documents: per-label precision, recall, F1, confusion, content recall.

    DATA is a folder in the training-data format (<lang>/<outlet>/<doc>.jsonl with {"text", "label"}
    lines, or .html with data-label attributes) or a single such file. Content recall is the share
    of true content paragraphs that `clean` keeps with the given --keep/--threshold; noise removed
    is the share of all other paragraphs it drops.

    \b
    Examples:
      stripper evaluate my_labels/
      stripper evaluate my_labels/ --model model/ --threshold 0.3 --json
    """
    from .training import TrainingDataError

    stripper = Stripper(model=model.resolve() if model else None, keep=("content", *keep), threshold=threshold)
    try:
        docs = _labelled_docs(data)
    except TrainingDataError as exc:
        _say(f"error: {exc}")
        raise SystemExit(EXIT_SKIPPED) from None
    try:
        figures = evaluate_documents(stripper, docs)
    except ModelError as exc:
        _model_failure(exc)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
    else:
        click.echo(format_evaluation(figures))
    if report is not None:
        write_report(str(report), figures)


def _labelled_docs(data: Path) -> list:
    from .training import LabelledDoc, TrainingDataError, load_training_data, read_labelled

    if data.is_dir():
        return load_training_data(data)
    doc = read_labelled(data, data.name)
    if not doc.paragraphs:
        raise TrainingDataError(f"no labelled paragraphs in {data}")
    return [LabelledDoc(data.name, "unknown", data.name, doc)]


def evaluate_documents(stripper: Stripper, docs: list) -> dict:
    """Label docs (LabelledDoc) with stripper and score the result against their labels: overall, per language,
    and what the keep policy keeps (content recall) and removes (noise removed)."""
    from .training import score_documents

    truth = [p.label for d in docs for p in d.doc.paragraphs]
    for start in range(0, len(docs), 64):
        stripper.label_documents([d.doc for d in docs[start:start + 64]])
    scores = score_documents(docs, [[p.label for p in d.doc.paragraphs] for d in docs])
    kept = [stripper.kept(p) for d in docs for p in d.doc.paragraphs]
    content = [k for t, k in zip(truth, kept, strict=True) if t == "content"]
    other = [k for t, k in zip(truth, kept, strict=True) if t != "content"]
    figures = scores["overall"]
    figures["documents"] = len(docs)
    figures["keep"] = list(stripper.keep)
    figures["threshold"] = stripper.threshold
    figures["content_recall"] = round(sum(content) / len(content), 4) if content else None
    figures["noise_removed"] = round(sum(not k for k in other) / len(other), 4) if other else None
    if len(scores["by_language"]) > 1:
        figures["by_language"] = scores["by_language"]
    meta = stripper.model.meta
    figures["model"] = {k: meta.get(k) for k in ("created", "training_data_sha256", "documents", "paragraphs")}
    return figures


def format_evaluation(figures: dict) -> str:
    """The evaluation figures as plain-text tables."""
    lines = [f"{figures['documents']:,} documents, {figures['paragraphs']:,} paragraphs; "
             f"accuracy {figures['accuracy']:.3f}",
             f"{'label':<13}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for name, row in figures["labels"].items():
        lines.append(f"{name:<13}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}"
                     f"{row['support']:>10,}")
    lines.append("confusion (rows: truth, columns: predicted):")
    lines.append(" " * 15 + "".join(f"{name:>13}" for name in LABELS))
    for name, row in zip(LABELS, figures["confusion"], strict=True):
        lines.append(f"  {name:<13}" + "".join(f"{v:>13,}" for v in row))
    policy = "keep " + "+".join(figures["keep"]) + (f", threshold {figures['threshold']:g}"
                                                    if figures["threshold"] is not None else "")
    recall = figures["content_recall"]
    noise = figures["noise_removed"]
    lines.append(f"clean ({policy}): content recall {recall:.3f}" if recall is not None else
                 f"clean ({policy}): no content paragraphs")
    if noise is not None:
        lines[-1] += f", noise removed {noise:.3f}"
    if "by_language" in figures:
        lines.append(f"{'language':<10}{'docs':>6}{'paras':>7}" + "".join(f"{n[:8] + ' F1':>13}" for n in LABELS))
        for lang, row in figures["by_language"].items():
            lines.append(f"{lang:<10}{row['documents']:>6}{row['paragraphs']:>7}"
                         + "".join(f"{row['labels'][n]['f1']:>13.3f}" for n in LABELS))
    return "\n".join(lines)


def main() -> None:
    """Entry point of the `stripper` script and `python -m stripper`."""

    def terminated(signum, frame):
        raise KeyboardInterrupt

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, terminated)
    try:
        cli(prog_name="stripper")
    except BrokenPipeError:  # the reader of stdout went away, e.g. `stripper label crawl/ | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python exits
        raise SystemExit(EXIT_SKIPPED) from None
