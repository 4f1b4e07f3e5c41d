"""The terminal side of a batch run: a one-line progress bar on stderr (only when stderr is a terminal) that
stays out of the way of the messages printed above it."""

from __future__ import annotations

import sys
import time
from typing import BinaryIO, TextIO

from .batch import MB, Events


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Terminal(Events):
    """Events for the CLI: messages on stderr, and a progress bar (files, paragraphs, MB/s, ETA) when `bar`.

    total_files / total_bytes: the size of the run if known (for the percentage and ETA), else 0.
    """

    def __init__(self, stdout: BinaryIO, stderr: TextIO, bar: bool = False, total_files: int = 0,
                 total_bytes: int = 0, width: int = 100, interval: float = 0.2) -> None:
        super().__init__(stdout, stderr)
        self.bar = bar
        self.total_files = total_files
        self.total_bytes = total_bytes
        self.width = max(width, 40)
        self.interval = interval
        self.files = self.bytes_in = self.paragraphs = 0
        self.started = time.perf_counter()
        self._drawn = 0.0
        self._visible = False

    def message(self, line: str) -> None:
        """Print a line above the progress bar."""
        self._clear()
        self.stderr.write(line + "\n")
        self._draw(force=True)

    def advance(self, files: int = 0, bytes_in: int = 0, paragraphs: int = 0) -> None:
        """Count progress and redraw the bar (at most every `interval` seconds)."""
        self.files += files
        self.bytes_in += bytes_in
        self.paragraphs += paragraphs
        self._draw()

    def close(self) -> None:
        """Remove the bar."""
        self._clear()

    def render(self) -> str:
        """The bar's text."""
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = self.bytes_in / MB / elapsed
        files = f"{self.files:,}/{self.total_files:,} files" if self.total_files else f"{self.files:,} files"
        tail = f" {files}  {self.paragraphs:,} paragraphs  {rate:,.2f} MB/s"
        frac = None
        if self.total_bytes:
            frac = min(self.bytes_in / self.total_bytes, 1.0)
        elif self.total_files:
            frac = min(self.files / self.total_files, 1.0)
        if frac is None:
            return tail.strip()[: self.width - 1]
        eta = elapsed * (1 - frac) / frac if frac > 0 else 0
        tail += f"  ETA {_clock(eta)}" if frac > 0 else "  ETA --:--:--"
        room = self.width - 1 - len(tail) - 7
        if room < 10:
            return f"{frac:4.0%}{tail}"[: self.width - 1]
        filled = int(room * frac)
        return f"[{'#' * filled}{'.' * (room - filled)}] {frac:4.0%}{tail}"

    def _draw(self, force: bool = False) -> None:
        if not self.bar:
            return
        now = time.perf_counter()
        if not force and now - self._drawn < self.interval:
            return
        self._drawn = now
        self.stderr.write("\r" + self.render() + "\x1b[K")
        self.stderr.flush()
        self._visible = True

    def _clear(self) -> None:
        if self._visible:
            self.stderr.write("\r\x1b[K")
            self.stderr.flush()
            self._visible = False


def stderr_is_terminal() -> bool:
    """Whether stderr is an interactive terminal."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
