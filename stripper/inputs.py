"""Batch inputs: which files a command line names, what each one is, where its output goes, and how to read it.

Everything here streams: folders are walked lazily (one listing at a time, sorted, hidden names skipped), and a
file's kind (plain text, HTML or JSONL, each maybe gzip-compressed) is decided from its name, or by sniffing its
first bytes when the name says nothing.
"""

from __future__ import annotations

import fnmatch
import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

STDIN = "-"
STDIN_NAME = "<stdin>"
GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 65536

EXTENSIONS: dict[str, str] = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".xhtml": "html",
                              ".jsonl": "jsonl", ".ndjson": "jsonl"}
"""Known extensions and the kind of input each names (each also with .gz after it)."""

GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)
"""What reading a truncated or corrupt gzip stream raises."""


class UsageProblem(ValueError):
    """A command line that cannot run as given (the CLI turns it into a usage error, exit code 2)."""


@dataclass(slots=True)
class Source:
    """One input of a batch run and what to do with it.

    path: filesystem path, or "-" for stdin. display: the name used in messages and in `label` output.
    kind: "text" or "html" (read as that), "doc" (text or HTML, the reader sniffs), "jsonl", or None (sniffed when
    opened: stdin). out: the output file, or None to write to the output stream (stdout). size: bytes on disk.
    action: "work", "skip" (--skip-existing found the output) or "error" (message says why).
    """

    path: str
    display: str
    kind: str | None = None
    out: str | None = None
    size: int = 0
    action: str = "work"
    message: str = ""


def split_name(name: str) -> tuple[str, str | None, bool]:
    """(stem, kind or None, gz) of a file name: 'a.html.gz' -> ('a', 'html', True), 'x' -> ('x', None, False)."""
    gz = name.lower().endswith(".gz")
    base = name[:-3] if gz else name
    root, ext = os.path.splitext(base)
    kind = EXTENSIONS.get(ext.lower())
    return (root, kind, gz) if kind else (base, None, gz)


def output_name(name: str, kind: str, command: str) -> str:
    """The output file name for an input file name of a given kind.

    clean: documents become .txt, JSONL keeps its name; label: everything becomes .jsonl. A .gz input gives a .gz
    output.
    """
    stem, named_kind, gz = split_name(name)
    if command == "clean" and kind == "jsonl" and named_kind == "jsonl":
        return name
    suffix = ".jsonl" if command == "label" or kind == "jsonl" else ".txt"
    return stem + suffix + (".gz" if gz else "")


def looks_like_jsonl(head: bytes, text_field: str = "text") -> bool:
    """Whether the first bytes of a stream look like JSON Lines: the first non-blank line is a JSON object."""
    stripped = head.lstrip()
    if not stripped.startswith(b"{"):
        return False
    line, newline, _ = stripped.partition(b"\n")
    if newline or len(head) < SNIFF_BYTES:
        try:
            return isinstance(json.loads(line), dict)
        except ValueError:
            return False
    return f'"{text_field}"'.encode() in line  # a first record longer than the sniffing window


def sniff_kind(head: bytes, text_field: str = "text") -> str:
    """'jsonl' for JSON Lines, else 'doc' (text or HTML, told apart later by the reader)."""
    return "jsonl" if looks_like_jsonl(head, text_field) else "doc"


def _file_head(path: str) -> bytes:
    """The first SNIFF_BYTES of a file, decompressed when it is gzip (best effort; b'' on any error)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
            if head.startswith(GZIP_MAGIC):
                fh.seek(0)
                with gzip.GzipFile(fileobj=fh) as gz:
                    return gz.read(SNIFF_BYTES)
            return head
    except (OSError, *GZIP_ERRORS):
        return b""


# --- planning ------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Plan:
    """What the command line asks for: inputs, the output folder (None: stdout) and the selection rules."""

    paths: Sequence[str]
    command: str = "clean"
    output: Path | None = None
    globs: Sequence[str] = ()
    format: str = "auto"
    text_field: str = "text"
    skip_existing: bool = False

    def check(self) -> None:
        """Raise UsageProblem for command lines that cannot run (nothing read or written yet)."""
        if not self.paths:
            raise UsageProblem("name at least one PATH (a file, a folder, or - for stdin)")
        if sum(p == STDIN for p in self.paths) > 1:
            raise UsageProblem("stdin (-) can be named only once")
        if self.output is None:
            if self.command == "clean":
                if len(self.paths) > 1:
                    raise UsageProblem("several inputs need -o OUTDIR (one output file per input)")
                if self.paths[0] != STDIN and os.path.isdir(self.paths[0]):
                    raise UsageProblem(f"{self.paths[0]} is a folder: folders need -o OUTDIR")
            if self.skip_existing:
                raise UsageProblem("--skip-existing needs -o OUTDIR")
            return
        if STDIN in self.paths:
            raise UsageProblem("stdin (-) is written to stdout: drop -o, or save stdin to a file first")
        if self.output.exists() and not self.output.is_dir():
            raise UsageProblem(f"-o {self.output} is a file; -o names the output folder")
        out = self.output.resolve()
        for p in self.paths:
            if os.path.isdir(p) and Path(p).resolve() == out:
                raise UsageProblem(f"-o {self.output} is the input folder {p}; outputs would overwrite inputs")

    def sources(self) -> Iterator[Source]:
        """Every input in order, lazily: explicit files as given, folders walked recursively (sorted)."""
        out_root = self.output.resolve() if self.output is not None else None
        out_id = _dir_id(self.output) if self.output is not None else None
        explicit = {os.path.realpath(p) for p in self.paths if p != STDIN and not os.path.isdir(p)}
        nested_roots = [Path(p).resolve() for p in self.paths
                        if out_root is not None and os.path.isdir(p) and Path(p).resolve().is_relative_to(out_root)]
        claimed: dict[str, str] | None = {} if len(self.paths) > 1 else None
        for arg in self.paths:
            if arg == STDIN:
                yield Source(STDIN, STDIN_NAME, kind=None if self.format == "auto" else self.format)
                continue
            if os.path.isdir(arg):
                entries = self._walk(arg, out_id)
            elif os.path.lexists(arg) and not os.path.exists(arg):
                entries = iter([Source(arg, arg, action="error", message=f"{arg}: broken symbolic link")])
            elif not os.path.exists(arg):
                entries = iter([Source(arg, arg, action="error", message=f"{arg}: no such file or folder")])
            else:
                entries = iter([self._source(arg, arg, os.path.basename(arg), _size(arg))])
            for src in entries:
                if src.action == "work" and out_root is not None:
                    self._place(src, explicit, nested_roots, claimed)
                yield src

    def _walk(self, root: str, exclude: tuple[int, int] | None) -> Iterator[Source]:
        """Files under root in sorted order (depth first), hidden names and the output folder skipped."""
        stack: list[Iterator[os.DirEntry]] = []
        prefixes: list[str] = []
        outputs: list[dict[str, str]] = []  # per listing: output name -> input that claimed it

        def listing(path: str) -> Iterator[os.DirEntry] | Source:
            try:
                with os.scandir(path) as it:
                    return iter(sorted(it, key=lambda e: e.name))
            except OSError as exc:
                return Source(path, path, action="error", message=f"{path}: cannot read folder ({exc.strerror})")

        first = listing(root)
        if isinstance(first, Source):
            yield first
            return
        stack.append(first)
        prefixes.append("")
        outputs.append({})
        while stack:
            entry = next(stack[-1], None)
            if entry is None:
                stack.pop()
                prefixes.pop()
                outputs.pop()
                continue
            if entry.name.startswith("."):
                continue
            rel = prefixes[-1] + entry.name
            display = os.path.join(root, rel)
            try:
                if entry.is_dir(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    if exclude is not None and (st.st_dev, st.st_ino) == exclude:
                        continue
                    sub = listing(entry.path)
                    if isinstance(sub, Source):
                        sub.display = display
                        sub.message = f"{display}: " + sub.message.split(": ", 1)[1]
                        yield sub
                        continue
                    stack.append(sub)
                    prefixes.append(rel + "/")
                    outputs.append({})
                elif entry.is_file() and self._selected(rel, entry.name):
                    src = self._source(entry.path, display, rel, entry.stat().st_size)
                    if src.out is not None:  # two inputs of one folder with one output name (a.html, a.txt)
                        first = outputs[-1].setdefault(src.out, display)
                        if first != display:
                            src.action = "error"
                            src.message = f"{display}: output {src.out} is already written for {first}; skipped"
                    yield src
            except OSError as exc:
                yield Source(entry.path, display, action="error", message=f"{display}: cannot read ({exc.strerror})")

    def _selected(self, rel: str, name: str) -> bool:
        if self.globs:
            return any(fnmatch.fnmatchcase(rel if "/" in g else name, g) for g in self.globs)
        return split_name(name)[1] is not None

    def _source(self, path: str, display: str, rel: str, size: int) -> Source:
        kind = split_name(os.path.basename(rel))[1]
        if self.format == "jsonl":
            kind = "jsonl"
        elif kind != "jsonl" and self.format in ("text", "html"):
            kind = self.format
        elif kind is None:
            kind = sniff_kind(_file_head(path), self.text_field)
        src = Source(path, display, kind=kind, size=size)
        if self.output is not None:
            folder, name = os.path.split(rel)
            src.out = os.path.join(str(self.output), folder, output_name(name, kind or "doc", self.command))
        return src

    def _place(self, src: Source, explicit: set[str], nested_roots: list[Path],
               claimed: dict[str, str] | None) -> None:
        """Refuse an output that would overwrite an input or another input's output; honour --skip-existing.

        claimed (outputs of earlier inputs) is kept only when several PATHs are given: one folder's walk cannot
        collide with itself beyond what _walk checks per listing."""
        real = os.path.realpath(src.out)
        if real in explicit or any(Path(real).is_relative_to(r) for r in nested_roots):
            src.action, src.message = "error", f"{src.display}: output {src.out} would overwrite an input; skipped"
            return
        if claimed is not None:
            if real in claimed:
                src.action = "error"
                src.message = f"{src.display}: output {src.out} is already written for {claimed[real]}; skipped"
                return
            claimed[real] = src.display
        if self.skip_existing and os.path.exists(src.out):
            src.action = "skip"


def _dir_id(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def count(plan: Plan) -> tuple[int, int]:
    """(files, bytes) the plan will work on: a cheap pre-walk for the progress bar's total."""
    files = size = 0
    for src in plan.sources():
        if src.action == "work":
            files += 1
            size += src.size
    return files, size


# --- reading -------------------------------------------------------------------------------------------------

class _Prefixed(io.RawIOBase):
    """A raw stream that yields `head` first, then the rest of `stream` (to sniff a stream that cannot seek)."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def open_input(src: Source, text_field: str = "text") -> tuple[BinaryIO, str, list]:
    """Open an input for reading: (decompressed binary stream, kind 'jsonl'|'text'|'html'|'doc', things to close
    innermost first).

    Gzip is recognised by its magic bytes whatever the name; a kind the name did not give is sniffed.
    Raises OSError for unreadable paths, one of GZIP_ERRORS for a gzip stream broken within its first bytes.
    """
    closers: list = []
    if src.path == STDIN:
        head, stream = _with_head(sys.stdin.buffer)
    else:
        raw = open(src.path, "rb", buffering=1 << 20)  # closed by the caller through closers
        closers.append(raw)
        head, stream = raw.peek(2)[:2], raw
    if head[:2] == GZIP_MAGIC:
        # GzipFile buffers in small steps: a truncated stream fails only where it ends, after the lines before it
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
        closers.insert(0, stream)
    kind = src.kind
    if kind is None:
        head, stream = _with_head(stream)
        kind = sniff_kind(head, text_field)
    return stream, kind, closers


def _with_head(stream: BinaryIO) -> tuple[bytes, BinaryIO]:
    """(first SNIFF_BYTES of stream, a stream that still yields them): sniffing without seeking."""
    head = stream.read(SNIFF_BYTES)
    return head, io.BufferedReader(_Prefixed(head, stream), buffer_size=1 << 20)


def read_limited(stream: BinaryIO, limit: int) -> bytes | None:
    """The whole stream, or None when it holds more than limit bytes."""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def iter_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for each line; the line is None when it is longer than limit bytes (and is skipped
    without being held in memory)."""
    lineno = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) > limit and not (len(line) == limit + 1 and line.endswith(b"\n")):
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
            yield lineno, None
            continue
        yield lineno, line
