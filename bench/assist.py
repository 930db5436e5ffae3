"""Suggestions against the demo's tags on the bundled sample: `suggest` then `suggestions accept`, precision and recall.

    python bench/assist.py             # precision/recall per label and overall, the commands run, and the
                                       # key presses and clicks in the window without and with suggestions

The truth is the demo's span tags (resources/samples/geneva-letter-2015.tags.json, as `scanspan demo`
applies them). The suggestion side runs the real `scanspan` commands on a fresh import of the sample:
a term list of the tags' agencies and programs (one `suggest --terms` per label), a pattern file for
figures (digits, optionally "million", then a plural noun), then `suggestions accept --all`. A span
counts as found when its label and characters equal a demo tag's.

The keystroke comparison (bench/assist_keys.py) drives the real window offscreen on the same import:
by hand, and reviewing the same suggestions (before any is accepted) with the window's keys and menus.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations import resources_path  # noqa: E402
from annotations.cli.demo import SAMPLE_NAME, apply_sample_tags, sample_pdf  # noqa: E402
from annotations.store import Project  # noqa: E402

SCANSPAN = Path(sys.executable).with_name("scanspan")

FIGURE_PATTERNS = [
    {"label": "figure", "pattern": [
        {"TEXT": {"REGEX": "^[0-9][0-9.,]*$"}},  # digits: LIKE_NUM would take "first" and "two" too
        {"LOWER": {"IN": ["thousand", "million", "billion"]}, "OP": "?"},
        {"IS_ALPHA": True, "IS_LOWER": True, "TEXT": {"REGEX": "s$"}},
    ]},
]

Tag = tuple[str, int, int, str]  # label, start, end, text


@dataclass
class Scores:
    found: int
    truth: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.truth if self.truth else 0.0


def scanspan(*args: object, cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([str(SCANSPAN), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env)
    if proc.returncode:
        raise SystemExit(f"scanspan {' '.join(map(str, args))} failed: {proc.stderr.strip()}")
    return proc.stdout


def spans_of(path: Path) -> list[Tag]:
    with Project(path, read_only=True) as project:
        [doc] = project.documents()
        text = project.document_text(doc.id)
        return sorted((s.label, *(lambda r: (r.start, r.end, r.text))(text.resolve(s)))
                      for s in project.spans(doc.id) if not s.suggested)


def suggest(project: Path, work: Path, log: list[str]) -> None:
    """Suggestions for the imported, untagged sample: the demo's agencies and programs as term lists, a
    pattern file for figures. `log` gets each command and its output line."""
    tags = json.loads((resources_path() / "samples" / f"{SAMPLE_NAME}.tags.json").read_text(encoding="utf-8"))
    for label in ("agency", "program"):
        terms = work / f"{label}-terms.txt"
        terms.write_text("\n".join(t["text"] for t in tags["spans"] if t["label"] == label) + "\n", encoding="utf-8")
        out = scanspan("suggest", "-p", project, "--terms", terms, "--label", label, "--fuzzy", cwd=work)
        log.append(f"scanspan suggest --terms {terms.name} --label {label} --fuzzy: {out.strip()}")
    patterns = work / "figures.jsonl"
    patterns.write_text("".join(json.dumps(p) + "\n" for p in FIGURE_PATTERNS), encoding="utf-8")
    out = scanspan("suggest", "-p", project, "--patterns", patterns, cwd=work)
    log.append(f"scanspan suggest --patterns {patterns.name}: {out.strip()}")


def suggestion_side(project: Path, work: Path, log: list[str]) -> list[Tag]:
    """Tag the imported, untagged sample with suggestions only, then accept them all; returns the accepted spans."""
    suggest(project, work, log)
    out = scanspan("suggestions", "accept", "-p", project, "--all", cwd=work)
    log.append(f"scanspan suggestions accept --all: {out.strip()}")
    return spans_of(project)


def compare(found: list[Tag], truth: list[Tag]) -> dict[str, Scores]:
    """Per label and overall ("all"), matching (label, start, end) exactly."""
    keys = lambda tags: Counter((t[0], t[1], t[2]) for t in tags)  # noqa: E731
    f, t = keys(found), keys(truth)
    result = {}
    for label in sorted({k[0] for k in f | t}) + ["all"]:
        pick = (lambda k: True) if label == "all" else (lambda k, label=label: k[0] == label)
        fs = Counter({k: v for k, v in f.items() if pick(k)})
        ts = Counter({k: v for k, v in t.items() if pick(k)})
        result[label] = Scores(sum(fs.values()), sum(ts.values()), sum((fs & ts).values()))
    return result


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="scanspan-assist-"))
    try:
        imported = work / "imported.db"
        scanspan("import", sample_pdf(), "-p", imported, cwd=work)
        truth_db = work / "truth.db"
        shutil.copyfile(imported, truth_db)
        with Project(truth_db) as project:
            [doc] = project.documents()
            apply_sample_tags(project, doc)
        truth = spans_of(truth_db)
        assisted = work / "assisted.db"
        shutil.copyfile(imported, assisted)
        log: list[str] = []
        found = suggestion_side(assisted, work, log)
        for line in log:
            print(line)
        print(f"\n{'label':<10} {'accepted':>8} {'demo tags':>9} {'correct':>7} {'precision':>9} {'recall':>7}")
        for label, s in compare(found, truth).items():
            print(f"{label:<10} {s.found:>8} {s.truth:>9} {s.correct:>7} {s.precision:>9.2f} {s.recall:>7.2f}")
        missed = sorted(set(truth) - set(found))
        extra = sorted(set(found) - set(truth))
        for label, _s, _e, text in missed:
            print(f"missed: {label} {' '.join(text.split())!r}")
        for label, _s, _e, text in extra:
            print(f"extra:  {label} {' '.join(text.split())!r}")
        keystrokes(imported, truth, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def keystrokes(imported: Path, truth: list[Tag], work: Path) -> None:
    """Key presses and clicks in the real window to reach the demo's tags, without and with suggestions."""
    from assist_keys import compare_keystrokes

    reviewed = work / "reviewed.db"
    shutil.copyfile(imported, reviewed)
    suggest(reviewed, work, [])
    tags = json.loads((resources_path() / "samples" / f"{SAMPLE_NAME}.tags.json").read_text(encoding="utf-8"))
    without, helped, spreading = compare_keystrokes(imported, reviewed, truth, tags["regions"], spans_of)
    print(f"\nkey presses and clicks in the window to reach the demo's {len(truth)} span tags and "
          f"{len(tags['regions'])} region (each way ends with exactly those tags):")
    print(f"{'':<20} {'keys':>5} {'clicks':>6} {'total':>6}")
    print(f"{'without suggestions':<20} {without.keys:>5} {without.clicks:>6} {without.total:>6}")
    print(f"{'with suggestions':<20} {helped.keys:>5} {helped.clicks:>6} {helped.total:>6}"
          "   (after the three suggest commands above, run before opening the window)")
    print(f"{'tag all occurrences':<20} {spreading.keys:>5} {spreading.clicks:>6} {spreading.total:>6}"
          "   (no term lists: by hand, and Shift+T after a tag the demo repeats)")
    print(f"ratio: {without.total / helped.total:.1f}x fewer with suggestions "
          f"({without.total / spreading.total:.1f}x with the window's propagation alone)")


if __name__ == "__main__":
    main()
