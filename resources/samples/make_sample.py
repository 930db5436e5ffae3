"""Generate the synthetic scanned Geneva letter sample PDF and its ground-truth text."""

from __future__ import annotations

import argparse
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageDraw, ImageFilter

STEM = "geneva-letter-2015"
SEED = 20151203

DPI = 300
PAGE_W_PT, PAGE_H_PT = 612.0, 792.0
PAGE_W_PX, PAGE_H_PX = 2550, 3300
PX_PER_PT = DPI / 72.0

MARGIN_X = 68.0
TOP_FIRST = 46.0
TOP_NEXT = 66.0
BOTTOM = 742.0
FONT_SIZES = (10.5, 10.0)
LEADING = 1.15
PARA_GAP = 0.8
SIGNATURE_H = 72.0
NOISE_SIGMA = 2.0

# Embedded rather than Base-14 so that the en dash in the body is printable.
REGULAR = pymupdf.Font("cour")
BOLD = pymupdf.Font("cobo")

LETTERHEAD = [
    "UNITED STATES MISSION",
    "TO THE UNITED NATIONS AND OTHER INTERNATIONAL ORGANIZATIONS",
    "IN GENEVA",
]

ADDRESSEE = [
    "Ms. Imma Guerras-Delgado",
    "Advisor on Child Rights",
    "Office of the United Nations High Commissioner for Human Rights",
    "Geneva, Switzerland",
]

BODY = [
    "Thank you for your inquiry regarding information and communications technology (ICT) and child sexual exploitation. The online sexual exploitation of children poses a grave challenge to nations around the world, including the United States. We are committed to prosecuting alleged offenders, protecting victims, and preventing the crimes from occurring.",
    "There are a number of federal programs which address ICT-related child sexual exploitation. For instance, the U.S. Department of Justice (DOJ) Office of Juvenile Justice and Delinquency Prevention's (OJJDP) Internet Crimes Against Children (ICAC) Task Force Program helps state and local law enforcement agencies develop an effective response to technology-facilitated child sexual exploitation and Internet crimes against children. The program was developed in response to the increasing number of children and teenagers using the Internet, the proliferation of child sexual abuse images available electronically, and heightened online activity by predators seeking unsupervised contact with potential underage victims. By helping state and local agencies to develop effective, sustainable responses to online child victimization, OJJDP has increased the capacity of thousands of communities across the country to combat Internet crimes against children. Since its inception in 1998, the ICAC task force program has conducted more than 300,000 investigations resulting in the arrest of more than 58,000 individuals.",
    "The U.S. Department of Homeland Security (DHS) Immigration and Customs Enforcement (ICE) Child Exploitation Investigations Unit (CEIU) directs ICE's Homeland Security Investigations office in its mission to investigate large-scale producers and distributors of child pornography, as well as individuals who travel abroad for the purpose of engaging in sex with minors. The CEIU employs the latest technology to collect evidence and track the activities of individuals and organized groups who sexually exploit children through the use of websites, chat rooms, newsgroups, and peer-to-peer trading.",
    "DHS's Virtual Global Taskforce (VGT) is an international alliance of law enforcement agencies and private industry sector partners working together to prevent and deter online child sexual abuse. The VGT includes investigations of child sex tourism into its portfolio, creating a global network of collaboration to combat this crime.",
    "The United States also regularly engages in multilateral anti-crime diplomatic efforts to share best practices and coordinate responses to online child sexual exploitation. For instance, the G-7 Roma-Lyon Group has completed several joint initiatives in recent years through its Law Enforcement Projects Sub-Group and its High Tech Crimes Sub-Group, which the United States chairs.",
    "While technology has increased the capabilities of child sex offenders, it has also helped revolutionize and enhance our abilities to prevent, detect, and disrupt online child sexual abuse and exploitation and to identify and prosecute predators.",
    "An example of a program that uses ICT to protect children who have been sexually exploited is the National Center for Missing and Exploited Children (NCMEC). NCMEC operates the CyberTipline, which receives leads and tips regarding suspected crimes of sexual exploitation committed against children. Since its inception in 1998, the CyberTipline has received more than 6.5 million reports of suspected child sexual exploitation from the public, as well as private companies (Google, Facebook, Yahoo!, etc). The CyberTipline is operated in partnership with the FBI, DHS Immigration and Customs Enforcement, U.S. Postal Inspection Service, U.S. Secret Service, military criminal investigative organizations, DOJ, and state and local law enforcement agencies. NCMEC receives the reports, examines the content, and adds relevant information from public and privately donated databases that can assist law enforcement in their investigation, and then provides the entire package to the appropriate investigatory agency. DHS ICE helped establish virtual private networks to facilitate the transmission of CyberTipline referrals to foreign counterparts.",
    "Another example is the DHS ICE Victim Identification Program (VIP). This program combines technological and investigative capabilities and resources to rescue child victims of sexual exploitation. During its first two years of operation, VIP has been responsible for over 180 victims identified and/or rescued from around the country. ICE has recently launched an educational outreach program called Project iGuardian, in conjunction with NCMEC and ICAC. Project iGuardian aims to educate children and parents about online safety and methods for staying safe from online sexual predators. ICE HSI also has a smartphone app designed to seek the public's help with fugitive and unknown suspected child predators. All tips can be reported anonymously through the app, by phone or online. In many cases, ICE HSI has been able to make an arrest just hours after issuing a nationwide plea for public assistance.",
    "Further, DOJ employs technology to engage and educate minors susceptible to exploitation where that exploitation first occurs – on the Internet, on social media, and on mobile technologies. It also employs novel investigative techniques to counter the increasingly sophisticated tactics used by offenders to obscure their identities.",
    "The United States Government will be submitting our report on the Optional Protocol on the Sale of Children, Child Prostitution, and Child Pornography to the Committee on the Rights of the Child in January 2016, which will contain additional information on technology and child exploitation. The United States considers child sexual exploitation a serious offense, and we will continue to take steps to combat it and protect victims.",
]

SIGNATORY = [
    "Keith M. Harper",
    "Ambassador",
    "U.S. Representative to the Human Rights Council",
]


@dataclass
class Line:
    text: str
    align: str = "left"
    font: pymupdf.Font = REGULAR


@dataclass
class Block:
    lines: list[Line]
    gap_before: float = PARA_GAP
    splittable: bool = False
    keep_with_next: bool = False
    signature: bool = False


@dataclass
class Placed:
    block_index: int
    lines: list[Line]
    y: float
    signature: bool = False


@dataclass
class PageLayout:
    items: list[Placed] = field(default_factory=list)


def wrap(text: str, font: pymupdf.Font, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and font.text_length(candidate, fontsize=size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def build_blocks(size: float) -> list[Block]:
    width = PAGE_W_PT - 2 * MARGIN_X
    blocks = [
        Block([Line(t, "center", BOLD) for t in LETTERHEAD], gap_before=0.0),
        Block([Line("December 3, 2015", "right")], gap_before=1.6),
        Block([Line("OHCHR REGISTRY", "right", BOLD)]),
        Block([Line(t) for t in ADDRESSEE]),
        Block([Line("09 DEC 2015", "right", BOLD)]),
        Block([Line("Recipients : RRDP", "right")], gap_before=0.3),
        Block([Line("Dear Ms. Guerras-Delgado:")], gap_before=1.2),
    ]
    for paragraph in BODY:
        blocks.append(Block([Line(t) for t in wrap(paragraph, REGULAR, size, width)], splittable=True))
    blocks.append(Block([Line("Sincerely,")], keep_with_next=True))
    blocks.append(Block([], gap_before=0.0, keep_with_next=True, signature=True))
    blocks.append(Block([Line(t) for t in SIGNATORY], gap_before=0.0))
    return blocks


def block_height(block: Block, lead: float, n_lines: int | None = None) -> float:
    if block.signature:
        return SIGNATURE_H
    return (len(block.lines) if n_lines is None else n_lines) * lead


def paginate(blocks: list[Block], size: float) -> list[PageLayout] | None:
    lead = size * LEADING
    pages = [PageLayout()]
    y = TOP_FIRST
    i = 0
    while i < len(blocks):
        block = blocks[i]
        gap = 0.0 if not pages[-1].items else block.gap_before * lead
        # Closing, signature and signatory move as a unit, as a typist would keep them.
        group = [block]
        j = i
        while blocks[j].keep_with_next and j + 1 < len(blocks):
            j += 1
            group.append(blocks[j])
        group_h = gap + sum(block_height(b, lead) + (b.gap_before * lead if k else 0.0) for k, b in enumerate(group))
        if y + group_h <= BOTTOM:
            yy = y + gap
            for k, b in enumerate(group):
                yy += b.gap_before * lead if k else 0.0
                pages[-1].items.append(Placed(i + k, b.lines, yy, b.signature))
                yy += block_height(b, lead)
            y = yy
            i = j + 1
            continue
        room = int((BOTTOM - y - gap) // lead)
        remaining = len(block.lines) - room
        # At least two lines on either side of a page break, to avoid widows and orphans.
        if block.splittable and room >= 2 and remaining >= 2:
            pages[-1].items.append(Placed(i, block.lines[:room], y + gap))
            blocks = blocks[:i] + [Block(block.lines[room:], splittable=True)] + blocks[i + 1 :]
            blocks[i].gap_before = 0.0
        pages.append(PageLayout())
        y = TOP_NEXT
        if len(pages) > 2:
            return None
    return pages


def true_text(pages: list[PageLayout]) -> str:
    page_texts = []
    for page in pages:
        chunks = ["\n".join(line.text for line in item.lines) for item in page.items if item.lines]
        page_texts.append("\n\n".join(chunks))
    return "\n\f\n".join(page_texts) + "\n"


def render_vector(page_layout: PageLayout, size: float) -> tuple[pymupdf.Document, tuple[float, float, float, float] | None]:
    doc = pymupdf.open()
    page = doc.new_page(width=PAGE_W_PT, height=PAGE_H_PT)
    lead = size * LEADING
    writer = pymupdf.TextWriter(page.rect)
    signature_box = None
    for item in page_layout.items:
        if item.signature:
            signature_box = (MARGIN_X, item.y, MARGIN_X + 4.2 * 72, item.y + SIGNATURE_H)
            continue
        for n, line in enumerate(item.lines):
            length = line.font.text_length(line.text, fontsize=size)
            if line.align == "center":
                x = (PAGE_W_PT - length) / 2
            elif line.align == "right":
                x = PAGE_W_PT - MARGIN_X - length
            else:
                x = MARGIN_X
            baseline = item.y + n * lead + size * 0.8
            writer.append((x, baseline), line.text, font=line.font, fontsize=size)
    writer.write_text(page)
    return doc, signature_box


def rasterize(doc: pymupdf.Document) -> np.ndarray:
    pix = doc[0].get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY, alpha=False)
    img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
    return img[:PAGE_H_PX, :PAGE_W_PX].astype(np.float32)


def catmull_rom(points: np.ndarray, samples: int = 24) -> np.ndarray:
    padded = np.vstack([points[0], points, points[-1]])
    t = np.linspace(0.0, 1.0, samples, endpoint=False)[:, None]
    out = []
    for k in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[k - 1], padded[k], padded[k + 1], padded[k + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    out.append(points[-1][None, :])
    return np.vstack(out)


def loops(rng: np.random.RandomState, x0: float, x1: float, base: float, heights: list[float]) -> list[tuple[float, float]]:
    # A prolate cycloid reads as connected cursive letters once the loop heights vary.
    pts = []
    n = len(heights)
    step = (x1 - x0) / n
    for k, h in enumerate(heights):
        for phase in np.linspace(0.0, 2 * np.pi, 6, endpoint=False):
            x = x0 + step * (k + phase / (2 * np.pi)) - 0.35 * step * np.sin(phase)
            y = base - h * (1 - np.cos(phase)) / 2
            pts.append((x + rng.normal(0, 0.006), y + rng.normal(0, 0.01)))
    pts.append((x1, base))
    return pts


def signature_strokes(rng: np.random.RandomState) -> list[np.ndarray]:
    """Pen strokes in inches, y downwards, origin at the top-left of the signature area."""
    keith = [(0.10, 0.08), (0.08, 0.35), (0.05, 0.70), (0.10, 0.45), (0.32, 0.18), (0.22, 0.40), (0.18, 0.44), (0.40, 0.66)]
    keith += loops(rng, 0.42, 1.05, 0.62, [0.18, 0.14, 0.46, 0.22])
    m = [(1.16, 0.66), (1.22, 0.30), (1.30, 0.62), (1.38, 0.28), (1.47, 0.64)]
    harper = [(1.78, 0.02), (1.74, 0.40), (1.70, 0.74), (1.73, 0.42), (1.92, 0.36), (2.04, 0.06), (2.00, 0.46), (2.08, 0.64)]
    harper += loops(rng, 2.10, 2.62, 0.62, [0.16, 0.14, 0.20])
    harper += [(2.70, 0.62), (2.73, 0.80), (2.76, 0.52), (2.86, 0.58)]
    flourish_x = np.linspace(2.95, 4.05, 8)
    harper += [(x, 0.66 - 0.05 * np.sin((x - 2.95) * 2.6) + rng.normal(0, 0.008)) for x in flourish_x]
    dot = [(1.56, 0.63), (1.565, 0.635), (1.57, 0.632)]
    strokes = [np.array(s, dtype=float) for s in (keith, m, harper, dot)]
    for s in strokes[:3]:
        s += rng.normal(0, 0.008, s.shape)
    out = []
    for s in strokes:
        s = catmull_rom(s) if len(s) > 3 else s
        # A right-handed signer slants the letters forwards.
        s[:, 0] += (0.62 - s[:, 1]) * 0.28
        s[:, 1] += 0.08
        out.append(s)
    return out


def signature_alpha(rng: np.random.RandomState, box_pt: tuple[float, float, float, float]) -> np.ndarray:
    ss = 4
    x0, y0, x1, y1 = (round(v * PX_PER_PT) for v in box_pt)
    w, h = x1 - x0, y1 - y0
    canvas = Image.new("L", (w * ss, h * ss), 0)
    draw = ImageDraw.Draw(canvas)
    for stroke in signature_strokes(rng):
        pts = stroke * DPI * ss
        seg = np.diff(pts, axis=0)
        dist = np.hypot(seg[:, 0], seg[:, 1])
        along = np.concatenate([[0.0], np.cumsum(dist)])
        total = max(along[-1], 1.0)
        # Resample evenly so the disc stamps overlap into a continuous line.
        even = np.linspace(0.0, total, max(int(total / 2.0), 2))
        xs = np.interp(even, along, pts[:, 0])
        ys = np.interp(even, along, pts[:, 1])
        dy = np.gradient(ys)
        dx = np.gradient(xs)
        downstroke = np.clip(dy / (np.hypot(dx, dy) + 1e-6), -1.0, 1.0)
        pressure = 0.65 + 0.35 * downstroke
        taper = np.minimum(1.0, np.minimum(even, total - even) / (0.12 * DPI * ss))
        radius = ss * (0.8 + 1.3 * pressure) * (0.35 + 0.65 * taper)
        for x, y, r in zip(xs, ys, radius):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    small = canvas.resize((w, h), Image.Resampling.BOX)
    alpha = np.zeros((PAGE_H_PX, PAGE_W_PX), dtype=np.float32)
    alpha[y0:y1, x0:x1] = np.asarray(small, dtype=np.float32) / 255.0
    return alpha


def smooth_field(rng: np.random.RandomState, cell: int, amplitude: float) -> np.ndarray:
    coarse = rng.uniform(-1.0, 1.0, (PAGE_H_PX // cell + 2, PAGE_W_PX // cell + 2)).astype(np.float32)
    img = Image.fromarray(coarse, mode="F").resize((PAGE_W_PX, PAGE_H_PX), Image.Resampling.BICUBIC)
    return np.asarray(img, dtype=np.float32) * amplitude


def degrade(rng: np.random.RandomState, raster: np.ndarray, sig: np.ndarray | None, angle: float) -> tuple[Image.Image, tuple[int, int, int, int] | None]:
    text_alpha = 1.0 - raster / 255.0
    # Toner density is never perfectly uniform across a printed page.
    text_alpha *= 0.93 + smooth_field(rng, 300, 0.05)
    paper = 240.0 + smooth_field(rng, 400, 2.5) + np.linspace(-1.5, 1.5, PAGE_W_PX, dtype=np.float32)[None, :]
    page = paper * (1.0 - text_alpha) + 38.0 * text_alpha
    if sig is not None:
        page = page * (1.0 - sig) + 22.0 * sig
    ink = text_alpha > 0.05
    if sig is not None:
        ink |= sig > 0.05
    specks = 0
    while specks < 18:
        cx, cy = int(rng.randint(40, PAGE_W_PX - 40)), int(rng.randint(40, PAGE_H_PX - 40))
        # Specks stay off the glyphs so they read as dust, not punctuation.
        if ink[cy - 25 : cy + 25, cx - 25 : cx + 25].any():
            continue
        r = rng.uniform(0.8, 2.6)
        yy, xx = np.ogrid[cy - 4 : cy + 5, cx - 4 : cx + 5]
        dot = np.clip(r + 0.5 - np.hypot(xx - cx, yy - cy), 0.0, 1.0)
        page[cy - 4 : cy + 5, cx - 4 : cx + 5] = np.minimum(page[cy - 4 : cy + 5, cx - 4 : cx + 5], 240.0 - dot * rng.uniform(90, 170))
        specks += 1
    fill = int(round(float(paper.mean())))
    img = Image.fromarray(np.clip(page, 0, 255).round().astype(np.uint8), mode="L")
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=fill)
    sig_bbox = None
    if sig is not None:
        sig_img = Image.fromarray((sig * 255).round().astype(np.uint8), mode="L")
        sig_bbox = sig_img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=0).point(lambda v: 255 if v > 64 else 0).getbbox()
    # Grain goes in before the optics blur, as on a real sensor, which also keeps the JPEG small.
    noisy = np.asarray(img, dtype=np.float32) + rng.normal(0.0, NOISE_SIGMA, (PAGE_H_PX, PAGE_W_PX)).astype(np.float32)
    img = Image.fromarray(np.clip(noisy, 0, 255).round().astype(np.uint8), mode="L")
    return img.filter(ImageFilter.GaussianBlur(0.7)), sig_bbox


def layout() -> tuple[float, list[PageLayout]]:
    for size in FONT_SIZES:
        pages = paginate(build_blocks(size), size)
        if pages is not None and len(pages) == 2:
            return size, pages
    raise RuntimeError("letter does not fit on two pages")


def build(out_dir: Path) -> dict[str, object]:
    """Write the PDF and ground truth; return per-page facts useful to tests."""
    rng = np.random.RandomState(SEED)  # legacy generator: its stream is frozen across numpy versions
    size, pages = layout()
    angles = (-0.42, 0.51)
    images: list[bytes] = []
    sig_boxes: list[tuple[int, int, int, int] | None] = []
    for page_layout, angle in zip(pages, angles):
        vector, box_pt = render_vector(page_layout, size)
        raster = rasterize(vector)
        sig = signature_alpha(rng, box_pt) if box_pt else None
        img, sig_bbox = degrade(rng, raster, sig, angle)
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=78, optimize=True, dpi=(DPI, DPI))
        images.append(buf.getvalue())
        sig_boxes.append(sig_bbox)

    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = pymupdf.open()
    for data in images:
        page = pdf.new_page(width=PAGE_W_PT, height=PAGE_H_PT)
        page.insert_image(page.rect, stream=data)
    fixed_date = "D:20151209093000Z"
    pdf.set_metadata({"title": "Letter to OHCHR, 3 December 2015", "creationDate": fixed_date, "modDate": fixed_date, "producer": "", "creator": ""})
    pdf_path = out_dir / f"{STEM}.pdf"
    pdf.save(pdf_path, garbage=4, deflate=True, no_new_id=True, reproducible=True)
    txt_path = out_dir / f"{STEM}.txt"
    txt_path.write_text(true_text(pages), encoding="utf-8", newline="\n")
    return {"pdf": pdf_path, "txt": txt_path, "font_size": size, "angles": angles, "signature_px": sig_boxes}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__,
        epilog="The letters with a letterhead in columns (used by the tests and bench/ocr_quality.py): "
               "make_sample.py --letterheads --out DIR (or letterheads.py --out DIR) writes each as DIR/NAME.pdf "
               "beside its true text DIR/NAME.txt.",
    )
    parser.add_argument("--out", type=Path, help="output directory (default: this script's folder; "
                                                 "with --letterheads, the current one)")
    parser.add_argument("--letterheads", action="store_true",
                        help="write the letters with a letterhead in columns (partner names beside the body, "
                             "a stamp, a fax header; letterheads.py) instead of the Geneva sample")
    args = parser.parse_args()
    if args.letterheads:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from letterheads import write_all

        for path in write_all(args.out or Path.cwd()):
            print(path)
        return
    info = build(args.out or Path(__file__).resolve().parent)
    print(info["pdf"])
    print(info["txt"])


if __name__ == "__main__":
    main()
