"""Label names: one rule wherever a label enters (labels --add, import-annotations --add-labels), distinct
colours for new labels, and exports that refuse, in one line, a bad name stored before the rule."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import LETTER, add_letter

from annotations.errors import ProjectError
from annotations.labels import MAX_LENGTH, check_label_name, choose_color
from annotations.store import Project


@pytest.mark.parametrize("name", ["agency", "social program", "Öffentliche Stelle", "x" * MAX_LENGTH, "BI-annual", "O'Brien", "Org"])
def test_ordinary_names_are_labels(name: str) -> None:
    assert check_label_name(name) == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "is empty; a label needs a name"),
        (" stamp", "starts or ends with a space"),
        ("stamp ", "starts or ends with a space"),
        ("x\ny", "contains a line break, tab or special space (U+000A)"),
        ("a\tb", "contains a line break, tab or special space (U+0009)"),
        ("a\u2028b", "contains a line break, tab or special space (U+2028)"),
        ("a\u00a0b", "contains a line break, tab or special space (U+00A0)"),
        ("a\u200bb", "contains a control or format character (U+200B)"),
        ("a\x00b", "contains a control or format character (U+0000)"),
        ("x" * (MAX_LENGTH + 1), f"is {MAX_LENGTH + 1} characters long; at most {MAX_LENGTH} are allowed"),
        ("B-agency", "starts with the tag prefix 'B-' (B-, I-, E-, L-, S-, U- begin IOB/BILOU tags)"),
        ("i-agency", "starts with the tag prefix 'i-' (B-, I-, E-, L-, S-, U- begin IOB/BILOU tags)"),
        ("U-", "starts with the tag prefix 'U-' (B-, I-, E-, L-, S-, U- begin IOB/BILOU tags)"),
        ("S-x", "starts with the tag prefix 'S-' (B-, I-, E-, L-, S-, U- begin IOB/BILOU tags)"),
        ("O", "is the outside tag 'O' of IOB exports"),
        ("o", "is the outside tag 'O' of IOB exports"),
    ],
)
def test_names_that_break_exports_are_refused_with_the_rule(name: str, rule: str) -> None:
    with pytest.raises(ProjectError) as refused:
        check_label_name(name)
    message = str(refused.value)
    assert message.endswith(rule) and "\n" not in message
    assert message.startswith(f"label name {name!r}" if len(name) <= 80 else "label name 'xxx")


def test_labels_add_refuses_bad_names_in_one_line_and_adds_nothing(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p.scanspan"
    Project(project).close()
    for name in ("", "x\ny", "B-agency", "x" * 300, "O", " stamp"):
        code, out, err = run_cli("labels", "-p", project, "--add", name)
        assert code == 1, name
        assert err.startswith("error: label name ") and err.count("\n") == 1, err
        assert out == ""
    code, out, _ = run_cli("labels", "-p", project)
    assert [line.split()[-1] for line in out.splitlines()] == ["agency", "program", "figure", "signature"]


def test_new_labels_get_colours_no_other_label_has(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p.scanspan"
    Project(project).close()
    for name in ("stamp", "seal", "date", "address", "reference", "greeting"):
        assert run_cli("labels", "-p", project, "--add", name)[0] == 0
    assert run_cli("labels", "-p", project, "--add", "ink", "--color", "#123456")[0] == 0
    code, out, _ = run_cli("labels", "-p", project)
    colors = {line.split()[-1]: line.split()[-2] for line in out.splitlines()}
    assert colors["ink"] == "#123456"
    assert len(set(colors.values())) == len(colors) == 11
    # Past the palette, colours go round the wheel, still none taken twice.
    many: list[str] = []
    for _ in range(60):
        many.append(choose_color(many))
    assert len(set(many)) == 60


def test_import_annotations_checks_the_labels_it_adds(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p.scanspan"
    with Project(project) as p:
        add_letter(p, "l.pdf", LETTER)
        text = p.document_text(1).text
        defaults = {label.color for label in p.labels()}
    start = text.index("OJJDP")
    spans = [{"start": start, "end": start + 5, "label": name} for name in ("ORG", "B-PER", "x\ny", "ORG")]
    path = tmp_path / "model.jsonl"
    path.write_text(json.dumps({"text": text, "spans": spans}) + "\n")
    code, out, err = run_cli("import-annotations", path, "-p", project, "-d", "1", "--add-labels")
    assert code == 1
    assert "labels added: ORG" in out.splitlines()
    assert err.splitlines()[1:3] == [
        "line 1: span 2: label 'B-PER' cannot be added: it starts with the tag prefix 'B-' (B-, I-, E-, L-, S-, U- begin IOB/BILOU tags)",
        "line 1: span 3: label 'x\\ny' cannot be added: it contains a line break, tab or special space (U+000A)",
    ]
    with Project(project) as p:
        added = p.label("ORG")
        assert added.color not in defaults
        assert [label.name for label in p.labels()] == ["agency", "program", "figure", "signature", "ORG"]
        assert [(s.label, s.suggested) for s in p.spans()] == [("ORG", True)]


def _store_bad_label(path: Path, name: str) -> None:
    """A label as an older Scanspan (or another tool) could have stored it, with a span and a region."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("insert into labels (name, color, position) values (?, '#000000', 99)", [name])
        conn.commit()
    finally:
        conn.close()
    with Project(path) as project:
        words = project.document_text(1).words
        project.add_span(1, name, words[3].id, words[4].id)


@pytest.mark.parametrize("fmt", ["conll", "layoutlm", "spacy"])
@pytest.mark.parametrize("name", ["x\ny", "B-agency", "O", ""])
def test_tag_exports_refuse_a_bad_stored_label_in_one_line(letters_copy: Path, tmp_path: Path, run_cli, fmt: str, name: str) -> None:  # type: ignore[no-untyped-def]
    _store_bad_label(letters_copy, name)
    out = tmp_path / f"out.{fmt}"
    code, stdout, err = run_cli("export", "-p", letters_copy, "-f", fmt, "-o", out)
    assert code == 1
    assert err.startswith(f"error: cannot export {fmt}: label {name!r} ") and err.count("\n") == 1, err
    assert err.rstrip().endswith("relabel its annotations, or leave it out with --labels")
    assert not out.exists() and not list(tmp_path.glob("out*"))
    # The label's spans left out, the rest exports; JSONL carries every name as it is.
    assert run_cli("export", "-p", letters_copy, "-f", fmt, "-o", out, "--labels", "agency,figure")[0] == 0
    assert run_cli("export", "-p", letters_copy, "-f", "jsonl", "-o", tmp_path / "all.jsonl")[0] == 0
    labels = {s["label"] for line in (tmp_path / "all.jsonl").read_text().splitlines() for s in json.loads(line)["spans"]}
    assert name in labels


def test_label_studio_refuses_a_name_its_xml_config_cannot_carry(letters_copy: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    _store_bad_label(letters_copy, "bad\x01label")
    code, _, err = run_cli("export", "-p", letters_copy, "-f", "labelstudio", "-o", tmp_path / "t.json")
    assert code == 1
    assert err == (
        "error: cannot export labelstudio: label 'bad\\x01label' holds a control character XML cannot carry; it was "
        "stored before label names were checked: relabel its annotations, or leave it out with --labels\n"
    )
    assert not list(tmp_path.glob("t*"))


def test_funsd_refuses_a_label_named_like_its_unlabelled_words(letters_copy: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    with Project(letters_copy) as project:
        from annotations.records import Label

        project.add_label(Label("other", "#000000"))
        words = project.document_text(1).words
        project.add_span(1, "other", words[0].id, words[0].id)
    code, _, err = run_cli("export", "-p", letters_copy, "-f", "funsd", "-o", tmp_path / "funsd")
    assert code == 1 and "cannot export funsd: label 'other' is FUNSD's label for words in no entity" in err
    assert not (tmp_path / "funsd").exists()
    assert run_cli("export", "-p", letters_copy, "-f", "funsd", "-o", tmp_path / "funsd", "--labels", "agency")[0] == 0


def test_a_label_name_error_crosses_processes_intact() -> None:
    import pickle

    from annotations.labels import LabelNameError

    with pytest.raises(LabelNameError) as refused:
        check_label_name("B-x")
    again = pickle.loads(pickle.dumps(refused.value))
    assert (str(again), again.name, again.rule) == (str(refused.value), "B-x", refused.value.rule)
