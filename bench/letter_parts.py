"""Letter parts on real scans: precision and recall of each part on real letters, and the parts
wrongly suggested on real faxes, memos and forms (truth typed from the images: letter_parts_truth.json)."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import click

from annotations.assist.letter_parts import add_label_set, suggest_letter_parts
from annotations.importing.files import ImportOptions, import_into
from annotations.ingest.ocr import OcrSettings, languages
from annotations.records import Box
from annotations.store import Project

HERE = Path(__file__).resolve().parent
TRUTH = HERE / "letter_parts_truth.json"
SCANS = HERE.parent.parent / "shared" / "data" / "real-scans"
SAME = 0.5
"""A suggested part is right when its box and a true part's box of the same label overlap this much
(intersection over union); each true part is matched once."""


def iou(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def suggested_parts(db: Path, lang: str, path: Path) -> list[tuple[str, Box]]:
    """Import one page with `lang`, suggest its letter parts; each part as (label, box in pixels)."""
    with Project(db) as project:
        [outcome] = import_into(project, [path], ImportOptions(ocr=OcrSettings(lang=lang), jobs=1))
        if outcome.status != "imported" or outcome.document is None:
            raise click.ClickException(f"{path}: {outcome.message}")
        add_label_set(project, "letter")
        doc_id = outcome.document.id
        suggest_letter_parts(project, [doc_id])
        text = project.document_text(doc_id)
        found: list[tuple[str, Box]] = []
        for span in project.spans(doc_id):
            first, last = text.word_index(span.first_word_id), text.word_index(span.last_word_id)
            boxes = [w.box for w in text.words[first:last + 1]]
            found.append((span.label, (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                       max(b[2] for b in boxes), max(b[3] for b in boxes))))
        found += [(region.label, region.box) for region in project.regions(doc_id)]
        return found


def matched(found: list[tuple[str, Box]], truth: dict[str, list[Box]]) -> Counter[str]:
    """How many suggested parts of each label match a true part (greedily, best overlap first)."""
    pairs = sorted(((iou(box, true), k, (label, t)) for k, (label, box) in enumerate(found)
                    for t, true in enumerate(truth.get(label, []))), reverse=True)
    used_found: set[int] = set()
    used_true: set[tuple[str, int]] = set()
    hits: Counter[str] = Counter()
    for overlap, k, key in pairs:
        if overlap >= SAME and k not in used_found and key not in used_true:
            used_found.add(k)
            used_true.add(key)
            hits[key[0]] += 1
    return hits


@click.command()
@click.option("--scans", type=click.Path(exists=True, file_okay=False, path_type=Path), default=SCANS,
              show_default=True, help="The real-scans folder (../shared/data/real-scans beside the repository).")
@click.option("--verbose", is_flag=True, help="Also list every part suggested, page by page.")
def main(scans: Path, verbose: bool) -> None:
    truth = json.loads(TRUTH.read_text())
    installed = set(languages())
    work = Path(tempfile.mkdtemp(prefix="letter-parts-"))
    try:
        true_n: Counter[str] = Counter()
        found_n: Counter[str] = Counter()
        hit_n: Counter[str] = Counter()
        for k, (name, entry) in enumerate(truth["letters"].items()):
            lang = "+".join(code for code in entry["lang"].split("+") if code in installed) or "eng"
            if lang != entry["lang"]:
                click.echo(f"{name}: {entry['lang']} is not installed; read with {lang}")
            parts = {label: [tuple(box) for box in boxes] for label, boxes in entry["parts"].items()}
            found = suggested_parts(work / f"letter{k}.db", lang, scans / name)
            hits = matched(found, parts)  # type: ignore[arg-type]
            for label, boxes in parts.items():
                true_n[label] += len(boxes)
            found_n.update(label for label, _ in found)
            hit_n.update(hits)
            if verbose:
                click.echo(f"{name}: " + ", ".join(f"{label} {[round(v) for v in box]}" for label, box in found))
        click.echo(f"Real letters ({len(truth['letters'])} pages): a part is right when its box overlaps a true "
                   f"one's by IoU >= {SAME}")
        click.echo(f"{'part':<16} {'true':>5} {'found':>6} {'right':>6} {'precision':>10} {'recall':>7}")
        for label in sorted(set(true_n) | set(found_n)):
            precision = f"{hit_n[label] / found_n[label]:.2f}" if found_n[label] else "-"
            recall = f"{hit_n[label] / true_n[label]:.2f}" if true_n[label] else "-"
            click.echo(f"{label:<16} {true_n[label]:>5} {found_n[label]:>6} {hit_n[label]:>6} {precision:>10} {recall:>7}")
        total_true, total_found, total_hit = sum(true_n.values()), sum(found_n.values()), sum(hit_n.values())
        click.echo(f"{'all':<16} {total_true:>5} {total_found:>6} {total_hit:>6} "
                   f"{total_hit / max(1, total_found):>10.2f} {total_hit / max(1, total_true):>7.2f}")
        wrong: Counter[str] = Counter()
        pages_with = 0
        for k, name in enumerate(truth["not_letters"]):
            found = suggested_parts(work / f"other{k}.db", "eng", scans / name)
            wrong.update(label for label, _ in found)
            pages_with += bool(found)
            if verbose and found:
                click.echo(f"{name}: " + ", ".join(f"{label} {[round(v) for v in box]}" for label, box in found))
        detail = f": {', '.join(f'{label} {n}' for label, n in sorted(wrong.items()))}" if wrong else ""
        click.echo(f"Faxes, memos and forms ({len(truth['not_letters'])} pages, none a letter): "
                   f"{sum(wrong.values())} parts wrongly suggested, on {pages_with} pages{detail}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
