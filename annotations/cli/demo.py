"""The bundled sample letter and the example tags the demo applies to it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import resources_path
from ..records import Document
from ..store import Project

SAMPLE_NAME = "geneva-letter-2015"


def sample_pdf() -> Path:
    return resources_path() / "samples" / f"{SAMPLE_NAME}.pdf"


def sample_truth() -> str:
    return (resources_path() / "samples" / f"{SAMPLE_NAME}.txt").read_text(encoding="utf-8")


@dataclass
class TagResult:
    added: int
    missing: list[str]


def apply_sample_tags(project: Project, document: Document, annotator: str = "demo") -> TagResult:
    """Tag the sample's phrases and regions; phrases the OCR did not read exactly are reported."""
    tags = json.loads((resources_path() / "samples" / f"{SAMPLE_NAME}.tags.json").read_text(encoding="utf-8"))
    text = project.document_text(document.id)
    added = 0
    missing: list[str] = []
    for tag in tags["spans"]:
        hits = text.find(tag["text"])
        if not hits:
            missing.append(tag["text"])
        for start, end in hits if tag.get("all") else hits[:1]:
            project.add_span_chars(document.id, tag["label"], start, end, annotator=annotator)
            added += 1
    for region in tags["regions"]:
        page = project.page_by_number(document.id, region["page"])
        project.add_region(page.id, region["label"], tuple(region["box"]), text=region.get("text", ""), annotator=annotator)
        added += 1
    return TagResult(added, missing)
