"""Entry point: `python -m benchmarks.run [--only quality|thresholds|speed] [--pages N] [--model DIR] ...`.

Quality: every system on the same real pages (../shared/eval, or $STRIPPER_EVAL_DIR), scored with the 4-gram
metric, with the breakdown of stripper's labels against the gold and trafilatura. Speed: the HTML path against
trafilatura alone, the text path end to end (library and CLI) on a generated corpus, model load time, peak RSS.
Writes benchmarks/RESULTS.md (or --out), quality.png and speed.png beside it, and the raw numbers to
benchmarks/.cache/results.json; a partial run (--only) keeps the other section from the last run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from . import CACHE_DIR, REPO_ROOT, charts, missing_pages_message, pages_dir, report
from .pages import page_ids, sample_ids
from .peers import SYSTEMS

RESULTS_JSON = CACHE_DIR / "results.json"


def say(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def versions() -> dict[str, str]:
    """Versions of Python, stripper, its key dependencies and the peers."""
    import stripper

    out = {"python": platform.python_version(), "stripper": stripper.__version__}
    for dist in ("trafilatura", "scikit-learn", "numpy", "lxml", "readability-lxml", "jusText", "boilerpy3"):
        out[dist] = _version(dist)
    return out


def machine(load_start: float) -> dict:
    """CPU count and model, memory, OS, and the load average at the start and now."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0.0
    try:
        import psutil

        memory = psutil.virtual_memory().total / 2**30
    except ImportError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gb": memory, "os": f"{platform.system()} {platform.release()}",
            "load_start": load_start, "load_end": os.getloadavg()[0]}


def model_info(model: str | None) -> dict:
    """Which model was measured (never an absolute path), when it was built and whether its data is current."""
    from stripper.model import read_meta
    from stripper.training import data_hash

    meta = read_meta(Path(model) if model else None)
    name = f"model `{Path(model).name}` (--model)" if model else "packaged model (stripper/models)"
    return {"name": name, "created": meta.get("created"), "documents": meta.get("documents"),
            "data_hash": meta.get("training_data_sha256", ""),
            "data_current": meta.get("training_data_sha256") == data_hash(REPO_ROOT / "training_data"),
            "cross_validation": bool(meta.get("cross_validation"))}


# --- sections --------------------------------------------------------------------------------------------------

def run_quality_section(args: argparse.Namespace, model: str | None) -> dict:
    """Every system on the same pages; scores, the breakdown and (with --dump) the per-paragraph dump."""
    from . import breakdown, quality

    root = pages_dir()
    if root is None:
        say(f"quality: skipped: {missing_pages_message()}")
        return {"skipped": missing_pages_message(absolute=False)}
    all_ids = page_ids(root)
    ids = sample_ids(all_ids, args.pages)
    say(f"quality: {len(ids)} of {len(all_ids)} pages, {len(args.systems)} systems, {args.workers} processes each")
    runs, gold = quality.run_quality(ids, args.systems, model, args.workers, say)
    scores = {s: quality.score(r, gold) for s, r in runs.items()}
    for s, r in scores.items():
        say(f"  {s:<18} P {r['precision']:.4f} R {r['recall']:.4f} F1 {r['f1']:.4f} with {r['with_rate']:.3f} "
            f"leak {r['leak_rate']:.3f}")
    result = {"pages": len(ids), "available": len(all_ids), "workers": args.workers, "scores": scores}
    if "stripper" in runs and "trafilatura" in runs:
        rows, misses = breakdown.analyse(runs["stripper"].paragraphs, runs["trafilatura"].outputs, gold)
        result["breakdown"] = breakdown.summarise(rows, misses)
        result["breakdown"]["by_position"] = breakdown.by_position(rows)
        result["breakdown"]["by_link_density"] = breakdown.by_link_density(rows)
        result["breakdown"]["ceilings"] = breakdown.ceilings(rows, gold)
        per_page = {s: quality.page_scores(r, gold) for s, r in runs.items()}
        result["worst_pages"] = breakdown.page_differences(rows, misses, per_page["stripper"],
                                                           per_page["trafilatura"])
        result["recall_gap"] = breakdown.recall_gap(per_page["stripper"], per_page["trafilatura"])
        if args.dump:
            n = breakdown.write_dump(args.dump, rows, misses, per_page, gold)
            say(f"quality: wrote {n} rows to {args.dump}")
    elif args.dump:
        say("quality: --dump needs the stripper and trafilatura systems; nothing written")
    return result


def run_speed_section(args: argparse.Namespace, model: str | None) -> dict:
    """The HTML path against trafilatura, model load, and the text path end to end."""
    from . import corpus, speed

    result: dict = {"runs": args.runs}
    root = pages_dir()
    if root is None:
        say(f"speed: HTML path skipped: {missing_pages_message()}")
        result["html"] = {"skipped": missing_pages_message(absolute=False)}
    else:
        ids = sample_ids(page_ids(root), args.pages)
        say(f"speed: HTML path against trafilatura on {len(ids)} pages, {args.runs} runs")
        result["html"] = speed.html_speed(ids, model, args.runs, args.time_limit, say)
    say("speed: model load")
    result["load"] = speed.model_load(model, args.runs)
    say(f"speed: generating (or reusing) a {args.corpus_mb:g} MB text corpus")
    manifest = corpus.ensure_corpus(args.corpus_mb)
    say(f"speed: text path on {manifest['files']} files, {manifest['bytes'] / 1e6:.1f} MB")
    result["text"] = speed.text_speed(manifest, model, args.runs, budget=args.path_budget, progress=say)
    articles = corpus.ensure_corpus(articles=2000)
    say(f"speed: -j 1 against -j 2 on {articles['files']} articles, {articles['bytes'] / 1e6:.1f} MB")
    result["scaling"] = speed.scaling(articles, model, args.runs, progress=say)
    return result


def speed_rows(sp: dict) -> list[tuple[str, dict]]:
    """(name, MB/s spread) for the throughput chart."""
    rows = []
    h = sp.get("html", {})
    names = {"trafilatura": "HTML: trafilatura.extract", "stripper": "HTML: stripper",
             "stripper, 1 thread": "HTML: stripper, 1 thread"}
    if "systems" in h:
        for name, r in h["systems"].items():
            rows.append((names.get(name, name), r["mb_per_s"]))
    for name, r in sp.get("text", {}).get("paths", {}).items():
        rows.append((f"text: {name}", r["mb_per_s"]))
    return rows


# --- main ------------------------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[1])
    p.add_argument("--only", choices=["quality", "speed", "thresholds"],
                   help="run one section (the others are kept from the last run)")
    p.add_argument("--pages", type=int, help="an even sample of N real pages (default: all)")
    p.add_argument("--runs", type=int, default=3, help="repetitions of each speed measurement (default 3)")
    p.add_argument("--model", help="a model directory (default: the packaged model)")
    p.add_argument("--systems", default=",".join(SYSTEMS),
                   help=f"comma-separated systems for the quality section (default: {','.join(SYSTEMS)})")
    p.add_argument("--workers", type=int, default=2, help="processes per system in the quality section (default 2)")
    p.add_argument("--corpus-mb", type=float, default=55.0, help="size of the generated text corpus (default 55)")
    p.add_argument("--time-limit", type=float, default=120.0,
                   help="HTML speed: seconds after which a run stops and is not repeated (default 120)")
    p.add_argument("--path-budget", type=float, default=300.0,
                   help="text speed: seconds of runs per path before it stops repeating (default 300)")
    p.add_argument("--dump", help="write per-paragraph JSON lines of the breakdown to this file")
    p.add_argument("--out", default=str(REPO_ROOT / "benchmarks" / "RESULTS.md"),
                   help="the Markdown report; the charts are written beside it (default benchmarks/RESULTS.md)")
    args = p.parse_args(argv)
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in args.systems if s not in SYSTEMS]
    if unknown:
        p.error(f"unknown system(s) {', '.join(unknown)}; systems are {', '.join(SYSTEMS)}")
    if args.runs < 1 or args.workers < 1:
        p.error("--runs and --workers must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write the report; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    model = str(Path(args.model).resolve()) if args.model else None
    from stripper.model import ModelError, load_model

    try:
        load_model(model)  # fail now, with the reason, rather than in every worker
        info = model_info(model)
    except ModelError as exc:
        say(f"benchmark: {exc}")
        return 2
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS_JSON.read_text()) if args.only and RESULTS_JSON.exists() else {}
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if args.only in (None, "quality"):
        results["quality"] = run_quality_section(args, model) | {"measured": stamp, "model": info["name"]}
    if args.only in (None, "thresholds"):
        from . import thresholds

        say("thresholds: grouped cross-validation on training_data/")
        results["thresholds"] = thresholds.tradeoff() | {"measured": stamp}
    if args.only in (None, "speed"):
        results["speed"] = run_speed_section(args, model) | {"measured": stamp, "model": info["name"]}
    results["meta"] = {"date": stamp, "args": " ".join(Path(a).name if a.startswith("/") else a for a in argv),
                       "versions": versions(), "machine": machine(load_start), "model": info}
    RESULTS_JSON.write_text(json.dumps(results, indent=1, default=str))
    out = Path(args.out)
    write_outputs(results, out)
    say(f"benchmark: wrote {out} and charts in {time.perf_counter() - started:.0f} s")
    return 0


def write_outputs(results: dict, out: Path) -> None:
    """The Markdown report at out and the two charts beside it, from a results dict."""
    out.parent.mkdir(parents=True, exist_ok=True)
    q = results.get("quality", {})
    if q.get("scores"):
        charts.quality_chart(q["scores"], out.parent / charts.QUALITY_PNG, q["pages"], report.TARGETS["f1"])
    if results.get("speed") and speed_rows(results["speed"]):
        charts.speed_chart(speed_rows(results["speed"]), out.parent / charts.SPEED_PNG)
    out.write_text(report.render(results), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
