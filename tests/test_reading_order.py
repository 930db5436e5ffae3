"""Reading order on synthetic word boxes: side columns stay whole, a one-column letter keeps its order."""

from __future__ import annotations

from annotations.ingest.reading_order import order_words
from annotations.records import RawWord


def _line(text: str, x: float, y: float, block: int, line: int = 0) -> list[RawWord]:
    words = []
    for k, token in enumerate(text.split()):
        x0 = x + k * 150
        words.append(RawWord(token, (x0, y, x0 + 120, y + 40), 95.0, block, 0, line))
    return words


def _texts(words: list[RawWord]) -> list[str]:
    return [w.text for w in words]


def test_a_column_of_names_beside_the_body_comes_before_it_not_inside_it() -> None:
    # Tesseract's block order as on the 1997 fax: the body's first line, the partner names, the rest.
    body_top = _line("I am enclosing the answers", 800, 600, block=1)
    names = [w for k in range(8) for w in _line(f"Partner{k} Name{k}", 100, 500 + k * 60, block=2 + k // 4, line=k)]
    body_rest = _line("posed to me by Senator Grassley.", 800, 660, block=4)
    body_rest += _line("Thank you.", 800, 720, block=4, line=1)
    header = _line("FAX FROM: Someone PAGE 1", 100, 100, block=0)
    ordered = _texts(order_words(header + body_top + names + body_rest))
    body = _texts(body_top + body_rest)
    start = ordered.index("I")
    assert ordered[start:start + len(body)] == body
    assert ordered[:5] == _texts(header)
    assert ordered.index("Partner0") < start


def test_name_column_gaps_that_line_up_with_paragraph_breaks_do_not_interleave() -> None:
    # Two name groups and two paragraphs with a gap at the same height across the whole page.
    names1 = _line("Alice Smith", 100, 500, block=0) + _line("Bob Jones", 100, 550, block=0, line=1)
    para1 = _line("First paragraph line", 800, 500, block=1) + _line("goes on here.", 800, 550, block=1, line=1)
    names2 = _line("Carol White", 100, 700, block=2)
    para2 = _line("Second paragraph.", 800, 700, block=3)
    ordered = _texts(order_words(para1 + names1 + para2 + names2))
    assert ordered == _texts(names1 + names2 + para1 + para2)


def test_a_one_column_letter_keeps_the_engines_order() -> None:
    letterhead = _line("UNITED STATES MISSION", 700, 100, block=0)
    date = _line("December 3, 2015", 1900, 250, block=1)
    address = _line("Ms. Imma Guerras-Delgado", 200, 320, block=2) + _line("Geneva, Switzerland", 200, 370, block=2, line=1)
    stamp = _line("09 DEC 2015", 1950, 330, block=3)  # beside the address, as a registry stamp lands
    body = _line("Thank you for your inquiry", 200, 500, block=4) + _line("regarding information.", 200, 550, block=4, line=1)
    words = letterhead + date + address + stamp + body
    ordered = _texts(order_words(words))
    assert ordered[:3] == _texts(letterhead) and ordered[3:6] == _texts(date)
    assert ordered[-7:] == _texts(body)
    # The stamp beside the address is a side column: whole, before or after the address, never inside it.
    middle = ordered[6:-7]
    assert middle in (_texts(address + stamp), _texts(stamp + address))


def test_words_inside_a_block_keep_the_engines_order() -> None:
    # Within one block the engine's order stands, even where its boxes would sort differently.
    words = _line("beta alpha", 100, 100, block=0)[::-1] + _line("gamma", 100, 300, block=1)
    assert _texts(order_words(words)) == ["alpha", "beta", "gamma"]


def test_a_block_whose_lines_run_across_the_gutter_is_taken_apart() -> None:
    # Tesseract made one block, and one line, of each name and the body line beside it.
    lines = []
    for k, (name, body) in enumerate([("Alice Smith", "We write to"), ("Bob Jones", "confirm the order."),
                                      ("Carol White", "Thank you.")]):
        lines += _line(name, 100, 500 + k * 60, block=0, line=k) + _line(body, 900, 500 + k * 60, block=0, line=k)
    ordered = _texts(order_words(lines))
    assert ordered == "Alice Smith Bob Jones Carol White We write to confirm the order. Thank you.".split()
