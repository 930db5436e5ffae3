"""Term lists: 10, 1,000 and 100,000 terms over a 200-document project, one pass against a look-up per term."""

from __future__ import annotations

import random
import shutil
import string
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).parent))
from scale import VOCABULARY, generate  # noqa: E402

from annotations.importing.files import ImportOptions  # noqa: E402
from annotations.importing.folders import import_paths  # noqa: E402
from annotations.store import Project  # noqa: E402
from annotations.text.matching import TermMatcher, TextIndex  # noqa: E402


def term_list(count: int, rng: random.Random) -> list[str]:
    """A few phrases of the letters' own words (found everywhere), the rest names the letters lack."""
    present = [f"{rng.choice(VOCABULARY)} {rng.choice(VOCABULARY)}" for _ in range(min(5, count))]
    absent = {" ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 10))).capitalize()
                       for _ in range(rng.randint(1, 3))) for _ in range(count)}
    return list(dict.fromkeys(present + sorted(absent)))[:count]


def one_pass(indexes: list[TextIndex], terms: list[str], fuzzy: bool) -> int:
    matcher = TermMatcher(terms)
    return sum(len(m) for index in indexes for _, m in matcher.find(index, fuzzy))


def per_term(indexes: list[TextIndex], terms: list[str], fuzzy: bool) -> int:
    return sum(len(index.find(term, fuzzy)) for index in indexes for term in terms)


def timed(fn, *args) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    found = fn(*args)
    return time.perf_counter() - start, found


@click.command()
@click.option("--documents", default=200, show_default=True)
@click.option("--pages", default=2, show_default=True)
@click.option("--lines", default=25, show_default=True, help="Text lines per page (5-9 words each).")
@click.option("--per-term-limit", default=1000, show_default=True,
              help="Largest list also timed a term at a time (larger ones are estimated from it).")
def main(documents: int, pages: int, lines: int, per_term_limit: int) -> None:
    """Print the time of each list size, exact and --fuzzy, found in one pass and a term at a time."""
    tmp = Path(tempfile.mkdtemp(prefix="scanspan-terms-"))
    try:
        generate(tmp / "files", documents, pages, lines)
        with Project(tmp / "p.db") as project:
            import_paths(project, [tmp / "files"], ImportOptions(), recursive=True)
            indexes = [TextIndex(project.document_text(d.id)) for d in project.documents()]
        words = sum(len(i.text.words) for i in indexes)
        click.echo(f"{len(indexes)} documents, {words:,} words; seconds for all documents")
        click.echo(f"{'terms':>8} {'':<6} {'one pass':>9} {'a term at a time':>17} {'matches':>8}")
        rng = random.Random(1)
        for count in (10, 1_000, 100_000):
            terms = term_list(count, rng)
            for fuzzy in (False, True):
                new, found = timed(one_pass, indexes, terms, fuzzy)
                if count <= per_term_limit:
                    old, found_old = timed(per_term, indexes, terms, fuzzy)
                    assert found_old == found, (found_old, found)
                    then = f"{old:17.2f}"
                else:
                    sample = terms[:per_term_limit]
                    old, _ = timed(per_term, indexes, sample, fuzzy)
                    then = f"~{old * len(terms) / len(sample):16.0f}"
                click.echo(f"{count:>8,} {'fuzzy' if fuzzy else 'exact':<6} {new:9.2f} {then} {found:>8,}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
