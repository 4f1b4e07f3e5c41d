"""The batch engine behind `stripper clean` and `stripper label`: files dealt in chunks to worker processes, each
document read and labelled under a deadline, outputs written atomically, bad inputs reported and skipped.

Guarantees:
- Output does not depend on the number of workers: chunks and prediction batches are cut from the inputs alone, and
  everything that reaches stdout or stderr is replayed in input order.
- Memory stays flat: folders are walked lazily, JSONL is streamed record batch by record batch into the output's
  temporary file, and worker results carry counts, not text (text bound for the terminal is spooled to disk).
- An interrupted run leaves no partial output: each output is renamed into place only when complete, and the
  temporary files of unfinished chunks are removed.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import BinaryIO

from .api import Stripper
from .document import LABELS, Document
from .inputs import GZIP_ERRORS, Plan, Source, iter_lines, open_input, read_limited
from .model import ModelError
from .outputs import atomic_output, json_line, remove_tmp
from .readers import InputError, decode

MB = 1 << 20
DEFAULT_MAX_BYTES = 50 * MB
DEFAULT_TIMEOUT = 30.0
CHUNK_FILES = 16
"""Documents per chunk (one task for a worker, predicted together); JSONL files get a chunk each."""
CHUNK_BYTES = 2 * MB
BATCH_DOCS = 64
"""Documents (JSONL records) per batched prediction."""
BATCH_BYTES = 8 * MB
MAX_SHOWN = 100
"""Messages shown per file; the rest are counted."""
MAX_REPORTED = 1000
"""Messages kept for --report."""
_IN_PROCESS_BYTES = MB
_PEEK_CHUNKS = 16


@dataclass
class Options:
    """How documents are read, labelled and written (the same for every file of a run)."""

    command: str = "clean"
    """'clean' (kept text) or 'label' (one JSON line per paragraph)."""
    text_field: str = "text"
    field_format: str = "auto"
    labels_field: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    """Seconds per document (0: no limit)."""
    max_bytes: int = DEFAULT_MAX_BYTES
    show_removed: bool = False
    width: int = 120
    """Terminal width that --show-removed lines are cut to."""


# --- results -------------------------------------------------------------------------------------------------

@dataclass
class FileResult:
    """What happened to one input: status 'done', 'failed' or 'skipped' (output already there), and counts."""

    display: str
    status: str = "done"
    bytes_in: int = 0
    documents: int = 0
    bad_documents: int = 0
    kept: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    problems: int = 0
    shown: int = 0

    def problem(self, message: str) -> None:
        """Record a problem message (only the first MAX_SHOWN are kept)."""
        self.problems += 1
        if len(self.messages) < MAX_SHOWN:
            self.messages.append(message)

    def fail(self, message: str) -> FileResult:
        """Mark the whole file as failed with a message."""
        self.status = "failed"
        self.problem(message)
        return self


@dataclass
class ChunkResult:
    """A worker's answer for one chunk: per-file results and the spool files holding its stdout and stderr text."""

    chunk_id: int
    files: list[FileResult]
    out_spool: str | None = None
    err_spool: str | None = None


@dataclass
class Summary:
    """Totals of a run, for the summary line and --report."""

    command: str = "clean"
    files_done: int = 0
    files_failed: int = 0
    files_skipped: int = 0
    documents: int = 0
    documents_failed: int = 0
    kept: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    bytes_in: int = 0
    seconds: float = 0.0
    problems: int = 0
    errors: list[str] = field(default_factory=list)
    jobs: int = 1

    def add(self, result: FileResult) -> None:
        """Fold one file's result into the totals."""
        if result.status == "skipped":
            self.files_skipped += 1
        elif result.status == "failed":
            self.files_failed += 1
        else:
            self.files_done += 1
        self.documents += result.documents
        self.documents_failed += result.bad_documents
        self.kept.update(result.kept)
        self.removed.update(result.removed)
        self.bytes_in += result.bytes_in
        self.problems += result.problems
        room = MAX_REPORTED - len(self.errors)
        if room > 0:
            self.errors.extend(result.messages[:room])

    @property
    def exit_code(self) -> int:
        """1 when any file, document or record was skipped for a problem, else 0."""
        return 1 if self.problems or self.files_failed or self.documents_failed else 0

    def to_dict(self) -> dict:
        """The figures as JSON-ready data (the --report file)."""
        secs = max(self.seconds, 1e-9)
        return {
            "command": self.command,
            "files": {"done": self.files_done, "failed": self.files_failed, "skipped_existing": self.files_skipped},
            "documents": {"done": self.documents, "failed": self.documents_failed},
            "paragraphs": {"kept": {label: self.kept.get(label, 0) for label in LABELS},
                           "removed": {label: self.removed.get(label, 0) for label in LABELS},
                           "total": sum(self.kept.values()) + sum(self.removed.values())},
            "bytes_in": self.bytes_in,
            "seconds": round(self.seconds, 3),
            "mb_per_second": round(self.bytes_in / MB / secs, 3),
            "files_per_second": round((self.files_done + self.files_failed) / secs, 2),
            "jobs": self.jobs,
            "problems": self.problems,
            "errors": self.errors,
            "exit_code": self.exit_code,
        }

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        parts = [f"{self.files_done:,} files done", f"{self.files_failed:,} failed"]
        if self.files_skipped:
            parts.append(f"{self.files_skipped:,} skipped (output exists)")
        text = ", ".join(parts)
        text += f"; {self.documents:,} documents" + (f" ({self.documents_failed:,} skipped)"
                                                      if self.documents_failed else "")
        if self.command == "clean":
            text += f"; paragraphs kept {_counts(self.kept)}, removed {_counts(self.removed)}"
        else:
            text += f"; paragraphs {_counts(self.kept + self.removed)}"
        secs = max(self.seconds, 1e-9)
        text += f"; {self.bytes_in / MB:,.2f} MB in {self.seconds:,.1f} s ({self.bytes_in / MB / secs:,.2f} MB/s, " \
                f"{(self.files_done + self.files_failed) / secs:,.1f} files/s, -j {self.jobs})"
        return text


def _counts(counter: Counter) -> str:
    total = sum(counter.values())
    detail = ", ".join(f"{label} {counter[label]:,}" for label in LABELS if counter.get(label))
    return f"{total:,}" + (f" ({detail})" if detail else "")


# --- where text goes -----------------------------------------------------------------------------------------

class Events:
    """The terminal side of a run: stdout bytes, stderr lines (problems, removed paragraphs) and progress.

    The CLI subclasses it to draw a progress bar; this plain version writes stderr lines as they come."""

    def __init__(self, stdout: BinaryIO | None = None, stderr=None) -> None:
        self.stdout = stdout if stdout is not None else sys.stdout.buffer
        self.stderr = stderr if stderr is not None else sys.stderr

    def message(self, line: str) -> None:
        """One line for stderr."""
        self.stderr.write(line + "\n")

    def advance(self, files: int = 0, bytes_in: int = 0, paragraphs: int = 0) -> None:
        """Progress: files finished, input bytes and paragraphs processed since the last call."""


class _Console:
    """Where a chunk's processing sends terminal text: straight to Events in process, to spool files in a worker."""

    def __init__(self, events: Events | None = None, spool_dir: str | None = None, chunk_id: int = 0) -> None:
        self.events = events
        self.spool_dir = spool_dir
        self.chunk_id = chunk_id
        self.out_spool: str | None = None
        self.err_spool: str | None = None
        self._out: BinaryIO | None = None
        self._err = None

    def out(self) -> BinaryIO:
        """The stream for stdout-bound bytes."""
        if self.events is not None:
            return self.events.stdout
        if self._out is None:
            self.out_spool = os.path.join(self.spool_dir, f"{self.chunk_id:09d}.out")
            self._out = open(self.out_spool, "wb")  # noqa: SIM115 - closed in close()
        return self._out

    def err(self, line: str) -> None:
        """One stderr-bound line."""
        if self.events is not None:
            self.events.message(line)
            return
        if self._err is None:
            self.err_spool = os.path.join(self.spool_dir, f"{self.chunk_id:09d}.err")
            self._err = open(self.err_spool, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._err.write(line + "\n")

    def advance(self, bytes_in: int = 0, paragraphs: int = 0) -> None:
        """Progress (in process only: a worker's progress is counted from its results)."""
        if self.events is not None:
            self.events.advance(bytes_in=bytes_in, paragraphs=paragraphs)

    def close(self) -> None:
        """Close the spool files."""
        for fh in (self._out, self._err):
            if fh is not None:
                fh.close()


# --- deadlines -----------------------------------------------------------------------------------------------

class DocumentTimeout(Exception):
    """A document took longer than --timeout."""


_armed = False


def _on_alarm(signum, frame) -> None:
    if _armed:
        raise DocumentTimeout


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise DocumentTimeout in the block after `seconds` (SIGALRM; only in the main thread, a no-op elsewhere)."""
    global _armed
    if not seconds or seconds <= 0 or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getsignal(signal.SIGALRM) is not _on_alarm:
        signal.signal(signal.SIGALRM, _on_alarm)
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _armed = False


# --- processing one chunk (in a worker or in process) --------------------------------------------------------

@dataclass
class _Pending:
    source: Source
    result: FileResult
    doc: Document | None = None


class _Processor:
    def __init__(self, stripper: Stripper, options: Options, console: _Console) -> None:
        quiet_libraries()
        self.stripper = stripper
        self.opts = options
        self.console = console
        self.pending: list[_Pending] = []

    def run(self, sources: Iterable[Source]) -> list[FileResult]:
        """Process sources in order; returns one result per source."""
        self.stripper.model  # noqa: B018 - load (once per process) before any deadline is armed
        results = []
        for src in sources:
            res = FileResult(src.display)
            results.append(res)
            if src.action == "skip":
                res.status = "skipped"
                self.pending.append(_Pending(src, res))
            elif src.action == "error":
                res.fail(src.message)
                self.pending.append(_Pending(src, res))
            else:
                self._open(src, res)
        self._flush()
        return results

    def _open(self, src: Source, res: FileResult) -> None:
        res.bytes_in = src.size
        try:
            stream, kind, closers = open_input(src, self.opts.text_field)
        except GZIP_ERRORS as exc:
            self.pending.append(_Pending(src, res.fail(f"{src.display}: truncated or corrupt gzip ({exc}); skipped")))
            return
        except OSError as exc:
            self.pending.append(_Pending(src, res.fail(f"{src.display}: cannot read ({exc.strerror or exc})")))
            return
        try:
            if kind == "jsonl":
                self._flush()
                raw = closers[-1] if closers else None  # the file on disk: its position measures progress
                self._jsonl(src, res, stream, raw.tell if raw is not None else None)
                self._emit(res)
            else:
                self.pending.append(_Pending(src, res, self._read_doc(src, res, stream, kind)))
                if sum(p.doc is not None for p in self.pending) >= BATCH_DOCS:
                    self._flush()
        finally:
            for fh in closers:
                with contextlib.suppress(Exception):
                    fh.close()

    # --- whole-file documents ---
    def _read_doc(self, src: Source, res: FileResult, stream: BinaryIO, kind: str) -> Document | None:
        name = src.display
        try:
            data = read_limited(stream, self.opts.max_bytes)
        except GZIP_ERRORS as exc:
            res.fail(f"{name}: truncated or corrupt gzip ({exc}); skipped")
            return None
        except OSError as exc:
            res.fail(f"{name}: cannot read ({exc.strerror or exc}); skipped")
            return None
        if data is None:
            res.fail(f"{name}: larger than --max-bytes {self.opts.max_bytes:,} bytes; skipped")
            return None
        res.bytes_in = src.size or len(data)
        try:
            with deadline(self.opts.timeout):
                text = decode(data)
                if not text.strip():
                    return Document([], "text")
                doc = self.stripper.read(text, "auto" if kind == "doc" else kind)
        except InputError as exc:
            res.fail(f"{name}: {exc}; skipped")
            return None
        except DocumentTimeout:
            res.fail(f"{name}: reading took longer than --timeout {self.opts.timeout:g} s; skipped")
            return None
        except Exception as exc:  # one strange page must not stop a run of a million
            res.fail(f"{name}: cannot be read ({_describe(exc)}); skipped")
            return None
        if doc.format == "html" and not doc.paragraphs:
            res.fail(f"{name}: HTML with no text found in it; skipped")
            return None
        return doc

    def _flush(self) -> None:
        """Label the pending documents (in batches), write their outputs and emit their messages, in order."""
        docs = [p for p in self.pending if p.doc is not None]
        for start in range(0, len(docs), BATCH_DOCS):
            batch = docs[start:start + BATCH_DOCS]
            for item, error in zip(batch, self._label([p.doc for p in batch]), strict=True):
                if error:
                    item.result.fail(f"{item.source.display}: {error}; skipped")
                    item.doc = None
        for item in self.pending:
            if item.doc is not None:
                self._write_doc(item)
            self._emit(item.result)
            self.console.advance(item.result.bytes_in, len(item.doc.paragraphs) if item.doc is not None else 0)
        self.pending = []

    def _write_doc(self, item: _Pending) -> None:
        src, res, doc = item.source, item.result, item.doc
        data = b"".join(self._render(doc, src.display, None, res))
        try:
            if src.out is not None:
                with atomic_output(src.out) as out:
                    out.write(data)
            else:
                self.console.out().write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            res.fail(f"{src.display}: cannot write {src.out or 'stdout'} ({exc.strerror or exc})")
            return
        res.documents += 1

    def _render(self, doc: Document, name: str, record: int | None, res: FileResult) -> Iterator[bytes]:
        """Output bytes of one labelled document (clean: kept text; label: JSON lines), counting and reporting
        removed paragraphs on the way."""
        where = name if record is None else f"{name}:{record}"
        for p in doc.paragraphs:
            kept = self.stripper.kept(p)
            (res.kept if kept else res.removed)[p.label] += 1
            if self.opts.command == "label":
                yield json_line({"file": name, "record": record, **p.to_dict()})
            elif not kept and self.opts.show_removed:
                self.console.err(one_line(f"{where}: [{p.label} {p.score:.2f}] {p.text}", self.opts.width))
        if self.opts.command == "clean" and record is None:
            text = self.stripper.render(doc)
            yield (text + "\n").encode("utf-8", "surrogatepass") if text else b""

    def _label(self, docs: list[Document]) -> list[str | None]:
        """Label docs in one prediction under a shared deadline; if that fails, one by one to find the culprits.
        Returns, per document, None or why it could not be labelled."""
        timeout = self.opts.timeout
        try:
            with deadline(timeout * len(docs)):
                self.stripper.label_documents(docs)
            return [None] * len(docs)
        except ModelError:
            raise
        except Exception:  # a timeout, or one document the model chokes on: find which
            pass
        errors: list[str | None] = []
        for doc in docs:
            try:
                with deadline(timeout):
                    self.stripper.label_documents([doc])
                errors.append(None)
            except DocumentTimeout:
                errors.append(f"labelling took longer than --timeout {timeout:g} s")
            except ModelError:
                raise
            except Exception as exc:
                errors.append(f"cannot be labelled ({_describe(exc)})")
        return errors

    def _emit(self, res: FileResult, final: bool = True) -> None:
        """Send a file's messages not sent yet to stderr; at the end of the file, say how many were not shown."""
        for message in res.messages[res.shown:]:
            self.console.err(message)
        res.shown = len(res.messages)
        if final and res.problems > len(res.messages):
            self.console.err(f"{res.display}: {res.problems - len(res.messages):,} more problems not shown")

    # --- JSONL ---
    def _jsonl(self, src: Source, res: FileResult, stream: BinaryIO, position) -> None:
        name = src.display
        try:
            head = stream.peek(8192)[:8192]
        except GZIP_ERRORS as exc:
            res.fail(f"{name}: truncated or corrupt gzip ({exc}); skipped")
            return
        except OSError as exc:
            res.fail(f"{name}: cannot read ({exc.strerror or exc}); skipped")
            return
        if b"\x00" in head:
            res.fail(f"{name}: binary data (NUL bytes), not JSON Lines; skipped")
            return
        try:
            sink = atomic_output(src.out) if src.out is not None else contextlib.nullcontext(self.console.out())
            with sink as out:
                self._records(src, res, stream, out, position)
        except BrokenPipeError:
            raise
        except OSError as exc:
            res.fail(f"{name}: cannot write {src.out or 'stdout'} ({exc.strerror or exc})")

    def _records(self, src: Source, res: FileResult, stream: BinaryIO, out: BinaryIO, position) -> None:
        """Stream the records of a JSONL input to out, a batch of records at a time, in order."""
        name, field_name = src.display, self.opts.text_field
        batch: list[tuple[int, dict, Document]] = []
        size = lineno = done = 0
        res.bytes_in = 0
        lines = iter_lines(stream, self.opts.max_bytes)
        while True:
            try:
                lineno, raw = next(lines, (lineno + 1, b""))
            except GZIP_ERRORS as exc:
                res.fail(f"{name}:{lineno + 1}: truncated or corrupt gzip ({exc}); "
                         f"the records before line {lineno + 1} are written")
                break
            except OSError as exc:
                res.fail(f"{name}:{lineno + 1}: cannot read ({exc.strerror or exc}); "
                         f"the records before line {lineno + 1} are written")
                break
            if raw == b"":
                break
            if raw is None:
                res.bad_documents += 1
                res.problem(f"{name}:{lineno}: record larger than --max-bytes {self.opts.max_bytes:,} bytes; skipped")
                self._emit(res, final=False)
                continue
            res.bytes_in += len(raw)
            size += len(raw)
            if not raw.strip():
                continue
            parsed = self._record(name, lineno, raw, field_name, res)
            if parsed is not None:
                batch.append((lineno, *parsed))
            if len(batch) >= BATCH_DOCS or size >= BATCH_BYTES:
                done = self._write_records(src, res, batch, out, position() if position else res.bytes_in, done)
                batch, size = [], 0
        self._write_records(src, res, batch, out, src.size or res.bytes_in, done)
        res.bytes_in = src.size or res.bytes_in  # throughput counts bytes on disk

    def _record(self, name: str, lineno: int, raw: bytes, field_name: str,
                res: FileResult) -> tuple[dict, Document] | None:
        where = f"{name}:{lineno}"
        problem = None
        record = None
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                line = decode(raw)
            except InputError as exc:
                problem, line = str(exc), ""
        if problem is None:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                problem = f"invalid JSON ({exc.msg} at column {exc.colno})"
            except ValueError as exc:
                problem = f"invalid JSON ({exc})"
            except RecursionError:
                problem = "invalid JSON (nested too deeply)"
        if problem is None:
            if not isinstance(record, dict):
                problem = f"a JSON {_JSON_TYPES.get(type(record), 'value')}, not an object"
            elif field_name not in record:
                problem = f'no "{field_name}" field'
            elif not isinstance(record[field_name], str):
                problem = f'"{field_name}" is a {_JSON_TYPES.get(type(record[field_name]), "value")}, not a string'
        doc = None
        if problem is None:
            value = record[field_name]
            try:
                with deadline(self.opts.timeout):
                    doc = self.stripper.read(value, self.opts.field_format)
            except DocumentTimeout:
                problem = f"reading took longer than --timeout {self.opts.timeout:g} s"
            except InputError as exc:
                problem = str(exc)
            except Exception as exc:  # one strange record must not stop the shard
                problem = f"cannot be read ({_describe(exc)})"
            else:
                if doc.format == "html" and not doc.paragraphs and value.strip():
                    problem = "HTML with no text found in it"
        if problem is not None:
            res.bad_documents += 1
            res.problem(f"{where}: {problem}; skipped")
            self._emit(res, final=False)
            return None
        return record, doc

    def _write_records(self, src: Source, res: FileResult, batch: list[tuple[int, dict, Document]],
                       out: BinaryIO, position: int, done: int) -> int:
        """Label a batch of records and write them; returns the input position reached (for progress)."""
        name = src.display
        errors = self._label([doc for _, _, doc in batch]) if batch else []
        paragraphs = 0
        for (lineno, record, doc), error in zip(batch, errors, strict=True):
            if error:
                res.bad_documents += 1
                res.problem(f"{name}:{lineno}: {error}; skipped")
                self._emit(res, final=False)
                continue
            chunks = list(self._render(doc, name, lineno, res))
            if self.opts.command == "clean":
                record[self.opts.text_field] = self.stripper.render(doc)
                if self.opts.labels_field:
                    record[self.opts.labels_field] = [p.to_dict() for p in doc.paragraphs]
                chunks = [json_line(record)]
            out.write(b"".join(chunks))
            res.documents += 1
            paragraphs += len(doc.paragraphs)
        self.console.advance(max(position - done, 0), paragraphs)
        return max(position, done)


_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean",
               type(None): "null"}


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def quiet_libraries() -> None:
    """Keep the HTML extractor's log warnings ("discarding data: None") off stderr: problems are reported here."""
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def one_line(text: str, width: int) -> str:
    """text on one line (whitespace runs folded to a space), cut to width characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[:max(width - 1, 1)] + "…"


_inherited: Stripper | None = None
"""The parent's Stripper, model loaded, which forked workers inherit instead of loading their own."""


def process_chunk(chunk_id: int, sources: list[Source], stripper: Stripper | None, options: Options,
                  spool_dir: str | None) -> ChunkResult:
    """Process one chunk in a worker process; terminal-bound text goes to spool files in spool_dir.

    stripper None: the one this worker inherited from the parent when it was forked."""
    console = _Console(spool_dir=spool_dir, chunk_id=chunk_id)
    try:
        files = _Processor(stripper or _inherited, options, console).run(sources)
    finally:
        console.close()
    return ChunkResult(chunk_id, files, console.out_spool, console.err_spool)


# --- the run -------------------------------------------------------------------------------------------------

def chunks(sources: Iterable[Source]) -> Iterator[list[Source]]:
    """Group sources into chunks: up to CHUNK_FILES documents or CHUNK_BYTES; each JSONL file alone.

    The cut depends only on the sources, never on the number of workers (so outputs do not either)."""
    chunk: list[Source] = []
    size = count = 0
    for src in sources:
        if src.action == "work" and src.kind == "jsonl":
            if chunk:
                yield chunk
            yield [src]
            chunk, size, count = [], 0, 0
            continue
        chunk.append(src)
        if src.action == "work":
            size += src.size
            count += 1
        if count >= CHUNK_FILES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size, count = [], 0, 0
    if chunk:
        yield chunk


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run(plan: Plan, stripper: Stripper, options: Options, jobs: int | None = None,
        events: Events | None = None) -> Summary:
    """Process every input of plan with `jobs` worker processes; returns the totals.

    jobs None (or 0): all cores, except that a small run (under 1 MB in all) is done in this process, where it is
    over before workers would have started. Raises KeyboardInterrupt, after removing unfinished temporary files,
    when interrupted."""
    events = events or Events()
    auto = not jobs
    jobs = jobs or default_jobs()
    started = time.perf_counter()
    summary = Summary(command=options.command, jobs=jobs)
    if plan.output is not None:
        os.makedirs(plan.output, exist_ok=True)
    all_chunks = chunks(plan.sources())
    head = list(islice(all_chunks, _PEEK_CHUNKS))
    small = len(head) < _PEEK_CHUNKS and sum(s.size for c in head for s in c) < _IN_PROCESS_BYTES
    if jobs <= 1 or len(head) <= 1 or (auto and small):
        summary.jobs = 1
        _run_in_process(chain(head, all_chunks), stripper, options, events, summary)
    else:
        _run_parallel(chain(head, all_chunks), stripper, options, events, summary, jobs)
    summary.seconds = time.perf_counter() - started
    return summary


def _run_in_process(all_chunks: Iterable[list[Source]], stripper: Stripper, options: Options, events: Events,
                    summary: Summary) -> None:
    console = _Console(events=events)
    for chunk in all_chunks:
        try:
            results = _Processor(stripper, options, console).run(chunk)
        except BaseException:
            for src in chunk:  # atomic_output removes its own file; this covers any window it cannot
                if src.out is not None and src.action == "work":
                    remove_tmp(src.out)
            raise
        for result in results:
            summary.add(result)
            events.advance(files=1)


def can_fork() -> bool:
    """Whether workers can be forked from this process, inheriting its loaded model (Linux and the BSDs; not macOS,
    where forking a process that has loaded system frameworks is unsafe, nor Windows)."""
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def _run_parallel(all_chunks: Iterable[list[Source]], stripper: Stripper, options: Options, events: Events,
                  summary: Summary, jobs: int) -> None:
    """Deal chunks to `jobs` worker processes, at most 2 * jobs chunks ahead of the one being collected."""
    spool_dir = tempfile.mkdtemp(prefix="stripper-spool-")
    lock = threading.Lock()
    in_flight: dict[int, list[str]] = {}

    def tasks() -> Iterator[tuple[int, list[Source]]]:
        for chunk_id, chunk in enumerate(all_chunks):
            with lock:
                in_flight[chunk_id] = [s.out for s in chunk if s.out is not None and s.action == "work"]
            yield chunk_id, chunk

    results = _forked if can_fork() else _loky
    try:
        for result in results(tasks(), stripper, options, spool_dir, jobs):
            with lock:
                in_flight.pop(result.chunk_id, None)
            _replay(result, events)
            for file_result in result.files:
                summary.add(file_result)
                events.advance(files=1, bytes_in=file_result.bytes_in,
                               paragraphs=sum(file_result.kept.values()) + sum(file_result.removed.values()))
    except BaseException:
        with lock:
            for outs in in_flight.values():
                for out in outs:
                    remove_tmp(out)
        raise
    finally:
        shutil.rmtree(spool_dir, ignore_errors=True)


def _forked(tasks: Iterator[tuple[int, list[Source]]], stripper: Stripper, options: Options, spool_dir: str,
            jobs: int) -> Iterator[ChunkResult]:
    """Chunk results in order from workers forked from this process after it loaded the model.

    The workers start in milliseconds and share the model's memory, where fresh interpreters (loky) would each
    spend 2-3 s importing scikit-learn and loading the model. This process never predicts in this mode, so no
    native thread pool exists to be broken by the fork."""
    from concurrent.futures import ProcessPoolExecutor

    global _inherited
    stripper.model  # noqa: B018 - loaded once, here, before the fork
    _inherited = stripper
    gc.freeze()  # the workers' garbage collector then leaves the shared pages alone instead of copying them
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=_worker_signals)
    window: deque = deque()
    try:
        for chunk_id, chunk in tasks:
            window.append(pool.submit(process_chunk, chunk_id, chunk, None, options, spool_dir))
            if len(window) >= 2 * jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():  # workers busy with a chunk would finish it first
            child.terminate()
        raise
    finally:
        pool.shutdown(wait=True)
        gc.unfreeze()
        _inherited = None


def _worker_signals() -> None:
    """In a forked worker: the parent alone handles Ctrl-C (and then stops the workers); SIGTERM ends a worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _loky(tasks: Iterator[tuple[int, list[Source]]], stripper: Stripper, options: Options, spool_dir: str,
          jobs: int) -> Iterator[ChunkResult]:
    """Chunk results in order from fresh loky workers, each loading the model itself."""
    from joblib import Parallel, delayed

    with Parallel(n_jobs=jobs, backend="loky", return_as="generator", batch_size=1,
                  pre_dispatch=2 * jobs) as parallel:
        yield from parallel(delayed(process_chunk)(chunk_id, chunk, stripper, options, spool_dir)
                            for chunk_id, chunk in tasks)


def _replay(result: ChunkResult, events: Events) -> None:
    """Copy a chunk's spooled stdout and stderr text to the terminal, then delete the spools."""
    if result.out_spool:
        with open(result.out_spool, "rb") as fh:
            shutil.copyfileobj(fh, events.stdout, 1 << 20)
        os.unlink(result.out_spool)
    if result.err_spool:
        with open(result.err_spool, encoding="utf-8") as fh:
            for line in fh:
                events.message(line.rstrip("\n"))
        os.unlink(result.err_spool)


def check_model(stripper: Stripper, jobs: int) -> None:
    """Raise ModelError now if the model is missing or does not fit (loaded here unless loky workers will load it)."""
    from .model import Model, check_meta, read_meta

    spec = stripper._model_spec
    if isinstance(spec, Model):
        return
    if jobs <= 1 or can_fork():
        stripper.model  # noqa: B018 - load it once, here
        return
    check_meta(read_meta(spec), str(spec or "the packaged model"))


def write_report(path: str, data: dict) -> None:
    """Write a JSON report atomically."""
    with atomic_output(path, gz=False) as out:
        out.write((json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def progress_width(default: int = 120) -> int:
    """Terminal columns for stderr lines: $COLUMNS, else the width of the terminal on stderr (or stdout), else
    default."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for stream in (sys.stderr, sys.stdout):
        try:
            columns = os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            continue
        if columns > 0:
            return columns
    return default

