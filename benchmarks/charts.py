"""The two PNG charts of RESULTS.md, drawn with matplotlib's Agg backend."""

from __future__ import annotations

from pathlib import Path

QUALITY_PNG = "quality.png"
SPEED_PNG = "speed.png"
_STRIPPER = "#1f6f43"
_PEER = "#8c8c8c"
_TRAF = "#3b6fb6"


def _colour(system: str) -> str:
    return _STRIPPER if system.startswith("stripper") else _TRAF if system == "trafilatura" else _PEER


def quality_chart(scores: dict[str, dict], path: Path, pages: int, f1_target: float | None = None) -> Path:
    """F1 and `without` leak rate per system, side by side (a dashed line at the F1 target, if given)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(scores)
    colours = [_colour(s) for s in systems]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    f1 = [scores[s]["f1"] for s in systems]
    leak = [100 * scores[s]["leak_rate"] for s in systems]
    ax1.barh(systems, f1, color=colours)
    ax1.set_xlim(min(0.6, min(f1) - 0.05), 1.0)
    ax1.set_xlabel("F1, word 4-grams (higher is better)")
    if f1_target:
        ax1.axvline(f1_target, color="#b03030", linestyle="--", linewidth=1)
        ax1.text(f1_target, 1.01, f"target {f1_target}", color="#b03030", fontsize=8, ha="center", va="bottom",
                 transform=ax1.get_xaxis_transform())
    ax1.invert_yaxis()
    for y, v in enumerate(f1):
        ax1.text(v + 0.003, y, f"{v:.3f}", va="center", fontsize=9)
    ax2.barh(systems, leak, color=colours)
    ax2.set_xlabel("`without` snippets leaked, % (lower is better)")
    ax2.invert_yaxis()
    ax2.set_xlim(0, max(leak) * 1.2 + 0.5)
    for y, v in enumerate(leak):
        ax2.text(v + 0.1, y, f"{v:.1f}%", va="center", fontsize=9)
    ax2.set_yticklabels([])
    fig.suptitle(f"Quality on {pages} real article pages (WCXB dev)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def speed_chart(rows: list[tuple[str, dict]], path: Path) -> Path:
    """Throughput in MB of input per second for each path, median with min-max whiskers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n, _ in rows]
    med = [r["median"] for _, r in rows]
    lo = [max(0.0, r["median"] - r["min"]) for _, r in rows]
    hi = [max(0.0, r["max"] - r["median"]) for _, r in rows]
    colours = [_TRAF if "trafilatura" in n else _STRIPPER for n in names]
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(rows) + 1.4))
    ax.barh(names, med, xerr=[lo, hi], color=colours, capsize=3)
    ax.invert_yaxis()
    ax.set_xlabel("MB of input per second (median of runs, whiskers min-max)")
    right = max(r["max"] for _, r in rows)
    for y, (_, r) in enumerate(rows):
        ax.text(max(r["median"], r["max"]) + right * 0.015, y, f"{r['median']:.2f}", va="center", fontsize=9)
    ax.set_xlim(0, right * 1.15)
    ax.set_title("Throughput per path on this machine")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
