"""Rosters: good files in the shapes spreadsheets write, and one clear report for bad ones."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from course_lib.instructor.roster import RosterError, parse_roster, read_roster


def test_plain_roster_with_aliases_and_quoted_commas(tmp_path: Path) -> None:
    path = tmp_path / "class.csv"
    path.write_text('Student ID,Full Name,E-mail,Section\ns1,"Lovelace, Ada",ada@x.org,A\n\n# a comment\n s2 , Alan  Turing ,,B\n', encoding="utf-8")
    roster = read_roster(path)
    assert [(s.id, s.name, s.email, s.section) for s in roster.students] == [
        ("s1", "Lovelace, Ada", "ada@x.org", "A"),
        ("s2", "Alan Turing", "", "B"),
    ]


def test_first_and_last_name_columns_and_semicolons() -> None:
    roster = parse_roster("username;first_name;last_name;phone\nab1;Ada;Lovelace;123\n".encode(), "r.csv")
    assert roster.students[0].name == "Ada Lovelace"
    assert any("semicolons" in n for n in roster.notes)
    assert any("ignored columns: phone" in n for n in roster.notes)


@pytest.mark.parametrize(
    "raw, note",
    [
        (codecs.BOM_UTF8 + "id,name\ns1,José Ñúñez\n".encode("utf-8"), "byte-order mark"),
        ("id\tname\ns1\tJosé Ñúñez\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_bom_and_utf16_are_read_correctly(raw: bytes, note: str) -> None:
    roster = parse_roster(raw, "r.csv")
    assert roster.students[0].id == "s1"  # no BOM glued to the header or the id
    assert roster.students[0].name == "José Ñúñez"
    assert any(note in n for n in roster.notes)


def test_latin1_is_refused_with_the_line_and_a_way_out() -> None:
    raw = "id,name\ns1,Ada\ns2,José\n".encode("latin-1")
    with pytest.raises(RosterError) as err:
        parse_roster(raw, "roster.csv")
    text = str(err.value)
    assert "roster.csv" in text and "line 3" in text and "not UTF-8" in text
    assert "0xe9" in text and "--roster-encoding cp1252" in text and "nothing was written" in text
    # ...and with the encoding said, the same bytes are fine.
    assert parse_roster(raw, "roster.csv", encoding="cp1252").students[1].name == "José"


def test_every_problem_in_one_report() -> None:
    raw = (
        "id,name,email\n"
        "s1,Ada,a@x.org\n"
        "S1,Ada Again,b@x.org\n"  # duplicate, case-insensitively
        "s2,,c@x.org\n"  # empty name
        ",Nobody,d@x.org\n"  # empty id
        "bad/id,Slash,e@x.org\n"  # not a file name
        "s3,Lovelace, Ada,f@x.org\n"  # unquoted comma: one field too many
        "s4,Grace,a@x.org\n"  # duplicate e-mail
    ).encode()
    with pytest.raises(RosterError) as err:
        parse_roster(raw, "roster.csv")
    report = str(err.value)
    assert report.startswith("roster.csv: 6 problems; nothing was written.")
    for expected in (
        "line 3: duplicate id 'S1' (first on line 2)",
        "line 4: empty name for id 's2'",
        "line 5: empty id (name 'Nobody')",
        "line 6: id 'bad/id' cannot be part of a file name",
        "line 7: has 4 fields but the header has 3",
        "line 8: e-mail 'a@x.org' is also on line 2",
    ):
        assert expected in report, (expected, report)


def test_missing_columns_empty_file_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="has no id column"):
        parse_roster(b"student,email\nAda,a@x\n", "r.csv")
    with pytest.raises(RosterError, match="empty"):
        parse_roster(b"", "r.csv")
    with pytest.raises(RosterError, match="no students"):
        parse_roster(b"id,name\n", "r.csv")
    with pytest.raises(RosterError, match="roster not found"):
        read_roster(tmp_path / "nope.csv")


def test_utf16_without_bom_is_refused() -> None:
    with pytest.raises(RosterError, match="NUL bytes"):
        parse_roster("id,name\ns1,Ada\n".encode("utf-16-le"), "r.csv")
