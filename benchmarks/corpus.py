"""A plain-text corpus for the speed benchmark, generated from the project's own training documents.

Each generated .txt file is one to three training documents (JSONL texts, paragraphs in their order), one
paragraph per line and no blank lines, so the text reader sees exactly those paragraphs. Files are written into
benchmarks/.cache/ (git-ignored) and reused while the training data, size and seed are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

from . import CACHE_DIR, REPO_ROOT

MANIFEST = "manifest.json"


def _documents(data_dir: Path) -> list[list[str]]:
    docs = []
    for path in sorted(data_dir.rglob("*.jsonl")):
        paras = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    text = json.loads(line).get("text", "")
                    text = " ".join(text.split())
                    if text:
                        paras.append(text)
        if paras:
            docs.append(paras)
    return docs


def _fingerprint(data_dir: Path, target_bytes: int, seed: int, kind: str = "") -> str:
    digest = hashlib.sha256(f"{target_bytes}:{seed}:v1{kind}".encode())
    for path in sorted(data_dir.rglob("*.jsonl")):
        digest.update(path.relative_to(data_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_corpus(target_mb: float = 55.0, seed: int = 0, data_dir: Path | None = None,
                  out_dir: Path | None = None, articles: int | None = None) -> dict:
    """Generate (or reuse) a corpus of at least target_mb megabytes, each file one to three training documents;
    or, with articles=N, a folder of N files of one document each. Returns its manifest:
    dir, files, bytes, paragraphs, source_documents."""
    data_dir = data_dir or REPO_ROOT / "training_data"
    out_dir = out_dir or CACHE_DIR / ("text-corpus" if articles is None else f"articles-{articles}")
    target = int(target_mb * 1_000_000) if articles is None else 0
    fingerprint = _fingerprint(data_dir, target, seed, "" if articles is None else f":{articles} articles")
    manifest_path = out_dir / MANIFEST
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("fingerprint") == fingerprint:
            manifest["dir"] = str(out_dir)
            return manifest
    docs = _documents(data_dir)
    if not docs:
        raise FileNotFoundError(f"no JSONL training documents under {data_dir}")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    files_dir = out_dir / "txt"
    files_dir.mkdir(parents=True)
    rng = random.Random(seed)
    total = paragraphs = files = 0
    while (total < target) if articles is None else (files < articles):
        parts = [p for _ in range(rng.randint(1, 3) if articles is None else 1) for p in rng.choice(docs)]
        data = ("\n".join(parts) + "\n").encode("utf-8")
        (files_dir / f"doc-{files:06d}.txt").write_bytes(data)
        total += len(data)
        paragraphs += len(parts)
        files += 1
    manifest = {"fingerprint": fingerprint, "files": files, "bytes": total, "paragraphs": paragraphs,
                "source_documents": len(docs), "seed": seed}
    manifest_path.write_text(json.dumps(manifest, indent=1))
    manifest["dir"] = str(out_dir)
    return manifest


def text_dir(manifest: dict) -> Path:
    """The folder of .txt files of a corpus manifest."""
    return Path(manifest["dir"]) / "txt"
