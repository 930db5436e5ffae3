"""The cost of `merge` against storing the same documents afresh, and of `agreement`, side by side in one run.

    python bench/team.py                       # 100 documents of 2 pages x 400 words, 20 spans per analyst each
    python bench/team.py --documents 300       # more

It builds one analyst's project (documents stored directly: no OCR, the words invented), then times:
storing those documents into a new project (the import's own storing, the baseline); merging the
project into an empty one (documents copied); merging it again into the result (matched, nothing
added); and `agreement` on a project holding both analysts' layers. Each is printed in seconds and
as a ratio to the baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.records import Provenance, RawWord  # noqa: E402
from annotations.store import NewPage, Project  # noqa: E402
from annotations.store.merge import merge_project  # noqa: E402
from annotations.team.agreement import agreement  # noqa: E402

PROV = Provenance("bench", "1", "eng", None, 300.0, True)


def _pdf(title: str, pages: int) -> bytes:
    """A PDF of blank letter pages: a merge checks a document's pages against its source file's."""
    import pymupdf

    pdf = pymupdf.open()
    for _ in range(pages):
        pdf.new_page(width=612, height=792)
    pdf.set_metadata({"title": title})
    return pdf.tobytes(no_new_id=True)


def _documents(count: int, pages: int, words: int) -> list[tuple[str, bytes, list[NewPage]]]:
    rng = random.Random(0)
    docs = []
    for d in range(count):
        data = _pdf(f"document {d}", pages)
        sha = hashlib.sha256(data).hexdigest()
        new_pages = []
        for n in range(1, pages + 1):
            raw = [RawWord(f"w{rng.randrange(5000)}", (10.0 + (i % 20) * 40, 10.0 + (i // 20) * 30,
                                                      45.0 + (i % 20) * 40, 35.0 + (i // 20) * 30), 95.0, 0, 0, i // 20)
                   for i in range(words)]
            new_pages.append(NewPage(n, 850, 1100, 100, 100, f"{sha}-{n}", PROV, raw))
        docs.append((f"doc{d}.pdf", data, new_pages))
    return docs


def _tag(project: Project, who: str, spans: int, seed: int) -> None:
    rng = random.Random(seed)
    with project.transaction():
        for doc in project.documents():
            words = [w.id for p in project.pages(doc.id) for w in project.words(p.id)]
            for _ in range(spans):
                i = rng.randrange(len(words) - 3)
                project.add_span(doc.id, rng.choice(["agency", "program"]), words[i], words[i + rng.randrange(3)],
                                 annotator=who)


def _timed(what: object) -> float:
    started = time.perf_counter()
    what()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--spans", type=int, default=20)
    args = parser.parse_args()
    docs = _documents(args.documents, args.pages, args.words)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Project(folder / "ann.db") as ann:
            for name, data, pages in docs:
                ann.add_document(name, data, hashlib.sha256(data).hexdigest(), pages)
            _tag(ann, "ann", args.spans, 1)
        with Project(folder / "bob.db") as bob:

            def store() -> None:
                for name, data, pages in docs:
                    bob.add_document(name, data, hashlib.sha256(data).hexdigest(), pages)

            baseline = _timed(store)
            _tag(bob, "bob", args.spans, 2)
        with Project(folder / "empty.db") as empty:
            copied = _timed(lambda: merge_project(empty, folder / "bob.db"))
        with Project(folder / "ann.db") as ann:
            matched = _timed(lambda: merge_project(ann, folder / "bob.db"))
            again = _timed(lambda: merge_project(ann, folder / "bob.db"))
            measured = _timed(lambda: agreement(ann, by_label=True))
    words = args.documents * args.pages * args.words
    print(f"{args.documents} documents, {words} words, {args.spans} spans per analyst and document")
    print(f"storing afresh (baseline)        {baseline:7.2f} s  1.00")
    for name, seconds in [("merge, documents copied", copied), ("merge, documents matched", matched),
                          ("merge again (nothing to add)", again), ("agreement --labels", measured)]:
        print(f"{name:<32} {seconds:7.2f} s  {seconds / baseline:4.2f}")


if __name__ == "__main__":
    main()
