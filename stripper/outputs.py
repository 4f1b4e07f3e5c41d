"""Batch outputs: every output file is written to a temporary file beside it and renamed into place when complete,
so an interrupted run leaves no partial output; gzip outputs are byte-reproducible (no timestamp, no file name)."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from collections.abc import Iterator
from typing import BinaryIO

TMP_SUFFIX = ".stripper.tmp"


def tmp_path(final: str) -> str:
    """The temporary file an output is written to: hidden, beside it, named after it (a rerun reuses the name, so an
    interrupted run never accumulates temporary files)."""
    folder, name = os.path.split(final)
    return os.path.join(folder, "." + name + TMP_SUFFIX)


@contextlib.contextmanager
def atomic_output(final: str, gz: bool | None = None) -> Iterator[BinaryIO]:
    """A binary stream to the temporary file of `final`, renamed to `final` when the block ends without error and
    removed otherwise. gz=None compresses when the name ends with .gz."""
    gz = final.endswith(".gz") if gz is None else gz
    folder = os.path.dirname(final)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = tmp_path(final)
    raw = None
    try:  # opened inside the try: an interrupt that lands just after open() still removes the file
        raw = open(tmp, "wb", buffering=1 << 20)  # noqa: SIM115 - closed below on every path
        if gz:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as stream:
                yield stream
        else:
            yield raw
        raw.close()
        os.replace(tmp, final)
    except BaseException:
        if raw is not None:
            raw.close()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def remove_tmp(final: str) -> None:
    """Remove the temporary file of an output, if any (after an interrupted run)."""
    with contextlib.suppress(OSError):
        os.unlink(tmp_path(final))


def json_line(obj: object) -> bytes:
    """One JSON Lines record: UTF-8, non-ASCII kept as is, newline-terminated (lone surrogates escaped)."""
    try:
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(obj) + "\n").encode("ascii")
