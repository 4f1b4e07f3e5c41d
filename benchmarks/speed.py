"""Speed and memory: the HTML path against trafilatura alone, the plain-text path end to end, model load time.

Every measurement runs in a fresh process; each is repeated and reported as the median with its min and max.
Run as `python -m benchmarks.speed textlib SRC OUT [--model DIR]` it is the library baseline of the text path.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import CACHE_DIR, REPO_ROOT, one_thread

HTML_SYSTEMS = ("trafilatura", "stripper", "stripper, 1 thread")
"""trafilatura.extract, stripper's HTML path as the library runs it, and the same held to one OpenMP thread."""


def spread(values: Sequence[float]) -> dict:
    """Median, min and max of repeated measurements (and the values themselves)."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": [round(v, 4) for v in values]}


# --- HTML path against trafilatura.extract ------------------------------------------------------------------

def _time_html(system: str, model: str | None, ids: Sequence[str], max_seconds: float) -> dict:
    """In a fresh process: load the pages, build and warm the system, then time it page by page (stopping once
    max_seconds have passed)."""
    from . import peers
    from .pages import load_page

    single = system.endswith(", 1 thread")
    if single:
        one_thread()
        system = system.split(",")[0]
    pages = [load_page(pid).html for pid in ids]
    extract = peers.make(system, model)
    extract(pages[0])  # warm-up: model load, lazy imports
    if single:
        one_thread()
    times = []
    start = time.perf_counter()
    for html in pages:
        t = time.perf_counter()
        extract(html)
        times.append(time.perf_counter() - t)
        if t - start > max_seconds:
            break
    return {"times": times, "bytes": [len(h.encode("utf-8", "replace")) for h in pages]}


def html_speed(ids: Sequence[str], model: str | None, runs: int = 3, max_seconds: float = 120.0,
               progress: Callable[[str], None] | None = None) -> dict:
    """stripper's HTML path and trafilatura.extract on the same pages, one process each, rotating the order.

    A system whose run hits max_seconds stops there and is not repeated; each run's ratio compares it with
    trafilatura's time on the same pages."""
    say = progress or (lambda m: None)
    ctx = multiprocessing.get_context("spawn")
    times: dict[str, list[list[float]]] = {s: [] for s in HTML_SYSTEMS}
    sizes: list[int] = []
    for r in range(runs):
        order = HTML_SYSTEMS[r % len(HTML_SYSTEMS):] + HTML_SYSTEMS[:r % len(HTML_SYSTEMS)]
        for system in order:
            if times[system] and len(times[system][-1]) < len(ids):
                continue  # cut short by the time limit: once is enough
            with ProcessPoolExecutor(1, mp_context=ctx) as pool:
                info = pool.submit(_time_html, system, model, list(ids), max_seconds).result()
            times[system].append(info["times"])
            sizes = info["bytes"]
            done = len(info["times"])
            say(f"  html {system:<20} run {r + 1}/{runs}: {sum(info['times']):6.1f} s for {done} pages"
                + (" (time limit)" if done < len(ids) else ""))
    def traf_prefix(n: int) -> float:
        return statistics.median(sum(t[:n]) for t in times["trafilatura"])

    out: dict = {"pages": len(ids), "mb": sum(sizes) / 1e6, "systems": {}}
    for system in HTML_SYSTEMS:
        ms, mbps, ratios, done = [], [], [], []
        for t in times[system]:
            n, secs = len(t), sum(t)
            ms.append(1000 * secs / n)
            mbps.append(sum(sizes[:n]) / 1e6 / secs)
            ratios.append(secs / traf_prefix(n))
            done.append(n)
        out["systems"][system] = {"ms_per_page": spread(ms), "mb_per_s": spread(mbps), "ratio": spread(ratios),
                                  "runs": len(ms), "pages_timed": min(done)}
    return out


# --- model load ------------------------------------------------------------------------------------------------

_LOAD_CODE = """
import json, sys, time
t0 = time.perf_counter()
import stripper
from stripper.model import load_model
t1 = time.perf_counter()
load_model(sys.argv[1] or None)
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1}))
"""


def model_load(model: str | None, runs: int = 3) -> dict:
    """Seconds to import stripper and to load (and check) the model, each in a fresh interpreter."""
    imports, loads = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _LOAD_CODE, model or ""], capture_output=True, text=True,
                             check=True, cwd=REPO_ROOT)
        t = json.loads(out.stdout.strip().splitlines()[-1])
        imports.append(t["import"])
        loads.append(t["load"])
    return {"import_seconds": spread(imports), "load_seconds": spread(loads)}


# --- plain-text path end to end ---------------------------------------------------------------------------------

def measure_command(cmd: Sequence[str], poll: float = 0.02, timeout: float | None = None) -> dict:
    """Run cmd; wall seconds, exit code (None when stopped at timeout), stderr tail and the peak RSS summed over
    the process and its children."""
    import psutil

    start = time.perf_counter()
    err_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=err_file, cwd=REPO_ROOT,
                            start_new_session=True)
    peak = 0
    timed_out = False
    try:
        ps = psutil.Process(proc.pid)
        while proc.poll() is None:
            if timeout is not None and time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait()
                break
            try:
                procs = [ps, *ps.children(recursive=True)]
                rss = 0
                for p in procs:
                    try:
                        rss += p.memory_info().rss
                    except psutil.Error:
                        pass
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(poll)
    finally:
        proc.wait()
        err_file.seek(0, os.SEEK_END)
        err_file.seek(max(0, err_file.tell() - 4000))
        err = err_file.read()
        err_file.close()
    return {"seconds": time.perf_counter() - start, "rc": None if timed_out else proc.returncode, "peak_rss": peak,
            "stderr": err.decode("utf-8", "replace")}


def cli_command() -> list[str] | None:
    """The `stripper` command when the CLI exists and has a `clean` subcommand, else None."""
    import importlib.util

    if importlib.util.find_spec("stripper.cli") is None:
        return None
    script = Path(sys.executable).with_name("stripper")
    cmd = [str(script)] if script.exists() else [sys.executable, "-c", "from stripper.cli import main; main()"]
    try:
        out = subprocess.run([*cmd, "clean", "--help"], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return cmd if out.returncode == 0 else None


def cli_help() -> str:
    """The help text of `stripper clean` ('' without the CLI)."""
    cmd = cli_command()
    if not cmd:
        return ""
    return subprocess.run([*cmd, "clean", "--help"], capture_output=True, text=True, cwd=REPO_ROOT).stdout


def _count_files(directory: Path) -> int:
    return sum(1 for p in directory.rglob("*") if p.is_file()) if directory.exists() else 0


def text_speed(manifest: dict, model: str | None, runs: int = 3, jobs: Sequence[int] = (1, 2),
               budget: float = 300.0, timeout: float = 900.0,
               progress: Callable[[str], None] | None = None) -> dict:
    """Throughput (MB/s, paragraphs/s) and peak RSS of the text path: the library in one process and, when it
    exists, the CLI `stripper clean DIR -o OUT -j N`. A path is not repeated once its runs would pass budget
    seconds; a run is stopped after timeout seconds."""
    from .corpus import text_dir

    say = progress or (lambda m: None)
    src = text_dir(manifest)
    out = CACHE_DIR / "text-out"
    paths: dict[str, list[str]] = {
        "library clean_many, 1 process": [sys.executable, "-m", "benchmarks.speed", "textlib", str(src), str(out)]
        + (["--model", model] if model else [])}
    cli = cli_command()
    notes = []
    if cli:
        help_text = cli_help()
        extra = ["--model", model] if model and "--model" in help_text else []
        if model and not extra:
            notes.append("the CLI has no --model option: the CLI rows use the packaged model")
        if "--quiet" in help_text:
            extra.append("--quiet")
        for j in jobs:
            paths[f"CLI -j {j}"] = [*cli, "clean", str(src), "-o", str(out), "-j", str(j), *extra]
    else:
        notes.append("the `stripper clean` CLI is not available yet: only the library row was measured")
    results: dict[str, dict] = {}
    for name, cmd in paths.items():
        secs, peaks, written = [], [], 0
        for r in range(runs):
            if secs and sum(secs) + secs[-1] > budget:
                notes.append(f"{name}: {len(secs)} run(s) only: another would pass its {budget:.0f} s budget")
                break
            shutil.rmtree(out, ignore_errors=True)
            m = measure_command(cmd, timeout=timeout)
            if m["rc"] is None:
                say(f"  text {name}: stopped after {timeout:.0f} s")
                notes.append(f"{name} did not finish within {timeout:.0f} s")
                break
            if m["rc"] not in (0, 1):  # 1: the CLI skipped some inputs (counted below)
                say(f"  text {name}: exit code {m['rc']}: {m['stderr'].strip()[-500:]}")
                notes.append(f"{name} failed with exit code {m['rc']}")
                break
            written = _count_files(out)
            if written != manifest["files"] and f"{name}: wrote" not in " ".join(notes):
                notes.append(f"{name}: wrote {written} of {manifest['files']} files")
            secs.append(m["seconds"])
            peaks.append(m["peak_rss"] / 1e6)
            say(f"  text {name:<20} run {r + 1}/{runs}: {m['seconds']:6.1f} s, "
                f"{manifest['bytes'] / 1e6 / m['seconds']:5.2f} MB/s, peak RSS {m['peak_rss'] / 1e6:6.0f} MB")
        if secs:
            mbps = [manifest["bytes"] / 1e6 / s for s in secs]
            pps = [manifest["paragraphs"] / s for s in secs]
            results[name] = {"seconds": spread(secs), "mb_per_s": spread(mbps), "paragraphs_per_s": spread(pps),
                             "peak_rss_mb": spread(peaks), "files_written": written}
    shutil.rmtree(out, ignore_errors=True)
    return {"corpus": {k: manifest[k] for k in ("files", "bytes", "paragraphs", "source_documents")},
            "paths": results, "notes": notes}


def scaling(manifest: dict, model: str | None, runs: int = 3, jobs: int = 2,
            progress: Callable[[str], None] | None = None) -> dict:
    """`stripper clean DIR -o OUT -j 1` against `-j JOBS` on a folder of articles, run in alternating pairs so a
    busy machine slows both alike; the speed-up of each pair and their median."""
    from .corpus import text_dir

    say = progress or (lambda m: None)
    cli = cli_command()
    if not cli:
        return {"skipped": "the `stripper clean` CLI is not available"}
    src = text_dir(manifest)
    out = CACHE_DIR / "scaling-out"
    extra = ["--quiet"] + (["--model", model] if model else [])
    report = CACHE_DIR / "scaling-report.json"
    seconds: dict[int, list[float]] = {1: [], jobs: []}
    in_run: dict[int, list[float]] = {1: [], jobs: []}
    for r in range(runs):
        for j in ((1, jobs) if r % 2 == 0 else (jobs, 1)):
            shutil.rmtree(out, ignore_errors=True)
            m = measure_command([*cli, "clean", str(src), "-o", str(out), "-j", str(j), "--report", str(report),
                                 *extra])
            if m["rc"] != 0:
                shutil.rmtree(out, ignore_errors=True)
                return {"skipped": f"-j {j} failed with exit code {m['rc']}: {m['stderr'].strip()[-300:]}"}
            seconds[j].append(m["seconds"])
            in_run[j].append(json.loads(report.read_text())["seconds"])
            say(f"  scaling -j {j} run {r + 1}/{runs}: {m['seconds']:6.1f} s ({in_run[j][-1]:.1f} s after start-up)")
    shutil.rmtree(out, ignore_errors=True)
    report.unlink(missing_ok=True)
    speedups = [a / b for a, b in zip(seconds[1], seconds[jobs], strict=True)]
    run_speedups = [a / b for a, b in zip(in_run[1], in_run[jobs], strict=True)]
    return {"files": manifest["files"], "mb": manifest["bytes"] / 1e6, "jobs": jobs,
            "seconds_j1": spread(seconds[1]), f"seconds_j{jobs}": spread(seconds[jobs]),
            "speedup": spread(speedups), "run_seconds_j1": spread(in_run[1]),
            f"run_seconds_j{jobs}": spread(in_run[jobs]), "run_speedup": spread(run_speedups)}


def _textlib(src: Path, out: Path, model: str | None) -> None:
    """The library baseline: read every .txt file, clean them in batches with clean_many, write the results
    (one OpenMP/BLAS thread, as the CLI's workers)."""
    one_thread()
    import stripper

    files = sorted(src.glob("*.txt"))
    out.mkdir(parents=True, exist_ok=True)
    s = stripper.Stripper(model=model)
    texts = (p.read_bytes() for p in files)
    for path, text in zip(files, s.clean_many(texts, format="text"), strict=True):
        (out / path.name).write_text(text + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `python -m benchmarks.speed textlib SRC OUT [--model DIR]`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.speed")
    parser.add_argument("mode", choices=["textlib"])
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--model")
    args = parser.parse_args(argv)
    _textlib(args.src, args.out, args.model)


if __name__ == "__main__":
    main()
