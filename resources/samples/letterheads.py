"""Letters with a letterhead in columns (partner names beside the body, a stamp, a fax header), drawn as 300-dpi scans."""

from __future__ import annotations

import argparse
import io
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
from make_sample import wrap  # the Geneva sample's line breaking

DPI = 300
PAGE_W, PAGE_H = 612.0, 792.0
HELV, BOLD = "helv", "hebo"

PARTNERS = [
    "Robert A. Whitfield", "Margaret L. Osborne", "Thomas J. Kavanagh", "Eleanor R. Pryce", "Daniel M. Ashworth",
    "Catherine B. Doyle", "Harold P. Jennings", "Susan T. Calloway", "Richard W. Hensley", "Patricia A. Moreno",
    "Gregory D. Faulkner", "Linda K. Sorensen", "William H. Abernathy", "Barbara E. Lindqvist", "Joseph F. Tremblay",
    "Nancy J. Whitaker",
]
COUNSEL = ["Arthur C. Bellamy", "Dorothy M. Rutledge", "Franklin O. Pierce", "Helen G. Stroud", "Martin V. Ostrowski"]

BODY_1997 = [
    "I am enclosing the answers to the written questions posed to me by Senator Grassley following the hearing of "
    "the Committee on the Judiciary on October 22, 1997.",
    "Please do not hesitate to call me if the Committee needs anything further from me before it votes on the nomination.",
]

BODY_BRIEF = [
    "Thank you for your letter of May 2 about the delivery schedule for the spring term. We have reviewed the dates "
    "you proposed with our warehouse and can confirm the first shipment for the week of May 19.",
    "The second shipment will follow two weeks later, and our driver will call your office a day ahead of each delivery.",
]


@dataclass
class Letter:
    header: str
    firm: str
    columns: list[list[str]]
    date: str
    address: list[str]
    salutation: str
    body: list[str]
    closing: str
    signer: list[str]
    stamp: list[str] = field(default_factory=list)
    name_size: float = 7.5
    name_leading: float = 10.5
    gutter: float = 25.0
    column_width: float = 105.0
    name_top: float = 110.0


LETTERS = {
    "fax-partners": Letter(
        header="OCT-31-1997 16:42 FROM: WHITFIELD OSBORNE LLP TO: 2022249102 P.01/02",
        firm="WHITFIELD, OSBORNE & KAVANAGH",
        columns=[["PARTNERS", *PARTNERS, "", "OF COUNSEL", *COUNSEL]],
        date="October 31, 1997",
        address=["The Honorable Orrin G. Hatch", "Chairman, Committee on the Judiciary", "United States Senate",
                 "Washington, D.C. 20510"],
        salutation="Dear Mr. Chairman:",
        body=BODY_1997,
        closing="Sincerely,",
        signer=["Margaret L. Osborne"],
        stamp=["RECEIVED", "NOV 04 1997"],
    ),
    "two-name-columns": Letter(
        header="",
        firm="HARTLEY BROTHERS SUPPLY COMPANY",
        columns=[["DIRECTORS", *PARTNERS[:8]], ["OFFICERS", *PARTNERS[8:14]]],
        date="May 6, 2016",
        address=["Ms. Joan Albright", "Office Manager", "Riverside Elementary School", "Dayton, Ohio 45402"],
        salutation="Dear Ms. Albright:",
        body=BODY_BRIEF,
        closing="Yours truly,",
        signer=["Peter Hartley", "Sales Director"],
    ),
}


def _block(writer: pymupdf.TextWriter, left: float, y: float, lines: list[str], font: pymupdf.Font,
           chunks: list[str]) -> float:
    """Write lines of 10-point text from `y` down; the y below them. Their text joins `chunks`."""
    for line in lines:
        writer.append((left, y), line, font=font, fontsize=10)
        y += 13
    chunks.append("\n".join(lines))
    return y


def draw(letter: Letter) -> tuple[bytes, str]:
    """A one-page image-only PDF of `letter`, and its text in reading order: header, firm, the
    name columns left to right, then the letter itself (the stamp after the address)."""
    regular, bold = pymupdf.Font(HELV), pymupdf.Font(BOLD)
    doc = pymupdf.open()
    page = doc.new_page(width=PAGE_W, height=PAGE_H)
    writer = pymupdf.TextWriter(page.rect)
    chunks: list[str] = []
    if letter.header:
        writer.append((36, 28), letter.header, font=regular, fontsize=8)
        chunks.append(letter.header)
    size = 15
    writer.append(((PAGE_W - bold.text_length(letter.firm, fontsize=size)) / 2, 64), letter.firm, font=bold, fontsize=size)
    chunks.append(letter.firm)
    x = 40.0
    for column in letter.columns:
        y = letter.name_top
        for name in column:
            if name:
                writer.append((x, y), name, font=bold if name.isupper() else regular, fontsize=letter.name_size)
            y += letter.name_leading
        chunks.append("\n".join(n for n in column if n))
        x += letter.column_width
    left = x + letter.gutter
    width = PAGE_W - 54 - left
    y = 120.0
    writer.append((PAGE_W - 54 - regular.text_length(letter.date, fontsize=10), y), letter.date, font=regular, fontsize=10)
    chunks.append(letter.date)
    y += 36
    y = _block(writer, left, y, letter.address, regular, chunks)
    if letter.stamp:
        sx, sy = PAGE_W - 150, 150.0
        page.draw_rect(pymupdf.Rect(sx - 8, sy - 14, sx + 92, sy + 22), color=(0.3, 0.3, 0.3), width=1.5)
        for k, line in enumerate(letter.stamp):
            writer.append((sx, sy + k * 15), line, font=bold, fontsize=11)
        chunks.append("\n".join(letter.stamp))
    y += 26
    writer.append((left, y), letter.salutation, font=regular, fontsize=10)
    chunks.append(letter.salutation)
    for paragraph in letter.body:
        y += 26
        lines = wrap(paragraph, regular, 10, width)
        for line in lines:
            writer.append((left, y), line, font=regular, fontsize=10)
            y += 13
        chunks.append("\n".join(lines))
    y += 26
    writer.append((left, y), letter.closing, font=regular, fontsize=10)
    chunks.append(letter.closing)
    y += 60
    y = _block(writer, left, y, letter.signer, regular, chunks)
    writer.write_text(page)
    pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY, alpha=False)
    out = pymupdf.open()
    scan = out.new_page(width=PAGE_W, height=PAGE_H)
    buffer = io.BytesIO(pix.tobytes("png"))
    scan.insert_image(scan.rect, stream=buffer.getvalue())
    return out.tobytes(), "\n\n".join(chunks) + "\n"


def write_letter(name: str, folder: Path) -> tuple[Path, str]:
    """Write letter `name` as `folder/name.pdf`; its path and true text."""
    data, truth = draw(LETTERS[name])
    path = folder / f"{name}.pdf"
    path.write_bytes(data)
    return path, truth


def write_all(folder: Path) -> list[Path]:
    """Every letter as `folder/NAME.pdf` beside its true text `folder/NAME.txt`; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in LETTERS:
        pdf, truth = write_letter(name, folder)
        txt = pdf.with_suffix(".txt")
        txt.write_text(truth, encoding="utf-8", newline="\n")
        written += [pdf, txt]
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path.cwd(), help="output directory (default: the current one)")
    for path in write_all(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
