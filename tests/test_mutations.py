"""Damaged files made by seeded mutation of small good ones: every file gets exactly one outcome and nothing aborts the run."""

from __future__ import annotations

import io
import random
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import (
    Run,
    bilevel,
    document_names,
    draw_pdf,
    image_pdf,
    orphans,
    png_bytes,
    render,
    run_scanspan,
    tiff_bytes,
)
from PIL import Image

SEED = 20151203
PER_SEED_FILE = 60
"""Mutants of each of the five seed files: 300 files in all."""


def seed_files() -> dict[str, bytes]:
    """A scanned PDF, a text-layer PDF, a PNG, a G4 fax TIFF and a JPEG, each a short letter strip."""
    lines = [["Office of Inspector General", "Audit of grant 2015-0417"]]
    drawn = draw_pdf(lines, size=(3 * 72, 1.1 * 72), fontsize=11, margin=10)
    image = render(drawn, 1, 150)
    # The JPEG's resolution is in its EXIF block (no JFIF density), so damage there reaches Pillow's EXIF reader.
    exif = Image.Exif()
    exif.update({0x011A: 150.0, 0x011B: 150.0, 0x0128: 2, 0x0131: "Scanspan test scanner"})
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=85, exif=exif.tobytes())
    fax = draw_pdf(lines, size=(3 * 72, 1.1 * 72), fontname="cour", fontsize=11, margin=10)
    return {
        "scan.pdf": image_pdf([image], 150),
        "text.pdf": drawn.pdf,
        "letter.png": png_bytes(image, (150, 150)),
        "fax.tif": tiff_bytes([bilevel(render(fax, 1, 204, 196))], (204, 196), "group4"),
        "photo.jpg": jpeg.getvalue(),
    }


def _position(rng: random.Random, size: int) -> int:
    # Half of the damage goes to the first bytes, where headers, tags and dictionaries are.
    return rng.randrange(min(size, 512)) if rng.random() < 0.5 else rng.randrange(size)


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One damaged copy of `data`: bit flips, a truncation, an insertion or an overwrite."""
    out = bytearray(data)
    kind = rng.choice(["flip", "truncate", "insert", "overwrite"])
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            i = _position(rng, len(out))
            out[i] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del out[_position(rng, len(out)) :]
    elif kind == "insert":
        i = _position(rng, len(out))
        out[i:i] = rng.randbytes(rng.randint(1, 64))
    else:
        i = _position(rng, len(out))
        n = rng.randint(1, 64)
        out[i : i + n] = rng.choice([rng.randbytes(n), b"\x00" * n, b"\xff" * n])
    return kind, bytes(out)


@dataclass
class Mutants:
    root: Path
    names: list[str]  # as given on the command line, relative to root
    kinds: dict[str, str]


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory) -> Mutants:
    root = tmp_path_factory.mktemp("mutants")
    (root / "m").mkdir()
    rng = random.Random(SEED)
    names: list[str] = []
    kinds: dict[str, str] = {}
    for seed_name, data in seed_files().items():
        stem, ext = seed_name.rsplit(".", 1)
        for n in range(PER_SEED_FILE):
            kind, damaged = mutate(data, rng)
            name = f"m/{stem}-{n:03d}-{kind}.{ext}"
            (root / name).write_bytes(damaged)
            names.append(name)
            kinds[name] = kind
    return Mutants(root, names, kinds)


OUTCOME = re.compile(r"^(?:error: )?(m/[\w.-]+): (.*)$")


def outcomes(run: Run) -> dict[str, list[str]]:
    """file -> every outcome line that names it (stdout and stderr)."""
    found: dict[str, list[str]] = {}
    for line in run.out.splitlines() + run.err.splitlines():
        match = OUTCOME.match(line)
        if match:
            found.setdefault(match.group(1), []).append(line)
    return found


def kind_of(line: str) -> str:
    if line.startswith("error: "):
        return "error"
    if ": imported as document " in line:
        return "imported"
    if ": already in the project as " in line:
        return "duplicate"
    return "unknown"


def assert_clean(run: Run, names: list[str]) -> dict[str, str]:
    """Exactly one outcome line per file, nothing else on stderr; file -> its line."""
    assert run.code in (0, 1), run.err[-2000:]
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err[-2000:]
    assert "unexpected error" not in run.err, [line for line in run.err.splitlines() if "unexpected error" in line]
    stray = [line for line in run.err.splitlines() if line.strip() and not OUTCOME.match(line)]
    assert not stray, stray
    found = outcomes(run)
    assert sorted(found) == sorted(names), set(names) ^ set(found)
    several = {name: lines for name, lines in found.items() if len(lines) != 1}
    assert not several, several
    lines = {name: found[name][0] for name in names}
    assert all(kind_of(line) != "unknown" for line in lines.values()), [v for v in lines.values() if kind_of(v) == "unknown"]
    assert run.code == (1 if any(kind_of(line) == "error" for line in lines.values()) else 0)
    return lines


def integrity(project: Path) -> str:
    conn = sqlite3.connect(project)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
def test_every_mutant_gets_one_outcome_in_one_import(mutants: Mutants) -> None:
    run = run_scanspan(
        ["import", *mutants.names, "-p", "all.scanspan", "--jobs", "2", "--ocr-timeout", "60"], mutants.root, timeout=1800
    )
    lines = assert_clean(run, mutants.names)
    counts = Counter(kind_of(line) for line in lines.values())
    print(f"{len(mutants.names)} mutants: {dict(counts)}")
    # The damage must really exercise both paths: many files still import, many are refused.
    assert counts["imported"] >= len(mutants.names) // 5 and counts["error"] >= len(mutants.names) // 10, counts
    project = mutants.root / "all.scanspan"
    assert integrity(project) == "ok"
    assert orphans(project) == {"sources": 0, "pages": 0, "words": 0, "empty documents": 0}
    imported = [name for name, line in lines.items() if kind_of(line) == "imported"]
    assert document_names(project) == [Path(name).name for name in imported]

    # A few files on their own give the same outcome as in the batch (a duplicate imports alone).
    rng = random.Random(SEED)
    by_kind: dict[str, list[str]] = {}
    for name, line in lines.items():
        by_kind.setdefault(kind_of(line), []).append(name)
    sample = [name for names in by_kind.values() for name in rng.sample(names, min(3, len(names)))]
    for name in sample:
        alone = run_scanspan(["import", name, "-p", "alone.scanspan", "--ocr-timeout", "60"], mutants.root)
        (line,) = assert_clean(alone, [name]).values()
        if kind_of(lines[name]) == "error":
            assert line == lines[name]
        else:
            assert kind_of(line) in ("imported", "duplicate"), line
    assert integrity(mutants.root / "alone.scanspan") == "ok"
