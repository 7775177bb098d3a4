"""LMS exports: the Canvas and Moodle gradebook CSVs, and GIFT read back the way Moodle reads it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from instructor_support import display_key, payload_of, variants_of, write_banks

from course_lib.cli import main
from course_lib.instructor.common import InstructorError
from course_lib.instructor.export import canvas_csv, gift, load_grades, moodle_csv
from course_lib.instructor.grade import grade
from course_lib.instructor.manifest import load_manifest
from course_lib.instructor.submissions import Assignment
from course_lib.quiz.bank import load_bank
from course_lib.quiz.progress import MemoryStore
from course_lib.quiz.variants import variant


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One graded class shared by the export tests (exports only read it)."""
    from course_lib.instructor.assign import assign

    tmp_path = tmp_path_factory.mktemp("export")
    quizzes = write_banks(tmp_path / "quizzes")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id,name,email,section,sis_login_id\n"
        "s001,\"Lovelace, Ada\",ada@x.org,Mon,ada.l\n"
        "s002,Alan Turing,alan@x.org,Tue,\n"
        "s003,Grace Hopper,,Tue,\n"
    )
    assign("98", roster, tmp_path / "release", name="hw1", salt="x", quizzes=quizzes)
    manifest = load_manifest(tmp_path / "hw1.manifest.json")
    for sid in ("s001", "s002"):
        a = Assignment(payload_of(tmp_path / "release" / f"hw1-{sid}.ipynb"), store=MemoryStore(), folder=tmp_path / "inbox")
        for i, (qid, v) in enumerate(variants_of(manifest.by_student()[sid], quizzes).items()):
            if sid == "s001" or i < 2:
                a.answer(qid, display_key(v))
        a.make_submission()
    grade(tmp_path / "inbox", tmp_path / "hw1.manifest.json", tmp_path / "grades", quiet=True)
    return tmp_path / "grades"


def rows(text: str, sep: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=sep))


def canvas_reads(table: list[list[str]]) -> dict[str, Any]:
    """The checks Canvas's GradebookImporter makes on a file, reproduced."""
    header = table[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    assert re.match(r"SIS\s+User\s+ID", header[2]) and re.match(r"SIS\s+Login\s+ID", header[3])
    assert "Section" in header[4]  # the last student column
    assert "Points Possible" in table[1][0]
    return {"assignment": header[5], "points": table[1][5], "students": {r[2]: r for r in table[2:]}}


def test_canvas_file(grades: Path) -> None:
    text = canvas_csv(load_grades(grades))
    assert text.startswith("Student,ID,SIS User ID,SIS Login ID,Section,hw1\r\nPoints Possible,,,,,6\r\n")
    seen = canvas_reads(rows(text))
    assert seen["students"]["s001"] == ["Lovelace, Ada", "", "s001", "ada.l", "Mon", "6"]
    assert seen["students"]["s002"][-1] == "2"
    assert seen["students"]["s003"][-1] == ""  # missing: no grade, not a silent zero
    zero = canvas_reads(rows(canvas_csv(load_grades(grades), title="Quiz: Lambda", assignment_id="4321", ungraded="zero")))
    assert zero["assignment"] == "Quiz: Lambda (4321)" and zero["students"]["s003"][-1] == "0"
    for bad in ("Final Score hw1", "Week (3)"):
        with pytest.raises(InstructorError, match="cannot be used"):
            canvas_csv(load_grades(grades), title=bad)


def test_moodle_file(grades: Path) -> None:
    table = rows(moodle_csv(load_grades(grades)))
    assert table[0] == ["ID number", "Full name", "Email address", "hw1", "Feedback"]
    body = {r[0]: r for r in table[1:]}
    assert body["s001"][1:4] == ["Lovelace, Ada", "ada@x.org", "6"]
    assert body["s001"][4] == "6 of 6 points (100%). Everything right."
    assert body["s002"][3] == "2" and "Missed: questions 3, 4, 5, 6." in body["s002"][4]
    assert body["s003"][3] == "" and "no submission" in body["s003"][4]
    assert all(r[0] for r in table[1:])  # Moodle stops the whole import at a row it cannot match
    assert rows(moodle_csv(load_grades(grades), identifier="username"))[0][0] == "Username"
    with pytest.raises(InstructorError) as err:
        moodle_csv(load_grades(grades), identifier="email")
    assert "s003 (Grace Hopper)" in str(err.value)


def test_cli_export_and_a_missing_grades_folder(tmp_path: Path, grades: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "canvas", str(grades), "--out", str(tmp_path / "c.csv")]) == 0
    assert (tmp_path / "c.csv").read_text(encoding="utf-8").startswith("Student,ID,")
    assert main(["export", "moodle", str(grades), "--out", str(tmp_path / "m.csv"), "--moodle-id", "username"]) == 0
    assert main(["export", "canvas", str(tmp_path / "nope"), "--out", str(tmp_path / "x.csv")]) == 1
    assert "Run `course grade` first" in capsys.readouterr().err


# -- GIFT, read back as Moodle's qformat_gift reads it ------------------------------------------------
ESCAPES = {"\\:": "\x01", "\\#": "\x02", "\\=": "\x03", "\\{": "\x04", "\\}": "\x05", "\\~": "\x06", "\\n": "\x07"}
UNESCAPE = {"\x01": ":", "\x02": "#", "\x03": "=", "\x04": "{", "\x05": "}", "\x06": "~", "\x07": "\n"}


def unescape(text: str) -> str:
    for k, v in UNESCAPE.items():
        text = text.replace(k, v)
    return text.replace("\x00", "\\")


def parse_gift(text: str) -> list[dict[str, Any]]:
    """A faithful miniature of Moodle's GIFT import: blank lines split questions, the first '{'
    and first '}' delimit the answers, escapes are hidden before parsing."""
    out: list[dict[str, Any]] = []
    category = ""
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [" " if ln.strip().startswith("//") else ln for ln in block.split("\n")]
        body = "\n".join(lines).strip()
        if not body:
            continue
        body = body.replace("\\\\", "\x00")
        for k, v in ESCAPES.items():
            body = body.replace(k, v)
        if body.startswith("$CATEGORY:"):
            category = body[10:].strip()
            continue
        assert body.startswith("::")
        body = body[2:]
        name, body = body.split("::", 1)
        start, end = body.find("{"), body.find("}")
        assert 0 < start < end and body[end + 1 :].strip() == "", name
        answer = body[start + 1 : end].strip()
        general = ""
        if "####" in answer:
            answer, general = answer.rsplit("####", 1)
            answer = answer.strip()
        if answer.startswith("#"):
            kind = "numerical"
        elif "~" in answer:
            kind = "multichoice"
        elif "=" in answer and "->" in answer:
            kind = "match"
        elif answer.split("#")[0].strip() in ("T", "TRUE", "F", "FALSE"):
            kind = "truefalse"
        else:
            kind = "shortanswer"
        out.append({"name": unescape(name), "category": category, "type": kind, "text": unescape(body[:start]),
                    "answer": answer, "general": unescape(general)})
    return out


def answers(q: dict[str, Any], sep: str) -> list[str]:
    return [a.strip() for a in q["answer"].replace("=", sep + "=").split(sep) if a.strip()]


def test_gift_reads_back_as_the_bank(quizzes: Path) -> None:
    bank = load_bank(quizzes / "98_demo.yaml")
    parsed = {q["name"]: q for q in parse_gift(gift([bank], variants=3))}
    assert set(parsed) == {"98_demo/pick-one", "98_demo/pick-many", "98_demo/tf", "98_demo/word", "98_demo/steps"} | {
        f"98_demo/cost (variant {i})" for i in (1, 2, 3)}
    one = parsed["98_demo/pick-one"]
    assert one["type"] == "multichoice" and one["text"].startswith("[html]<p>Which option")
    choices = answers(one, "~")
    assert [c[0] for c in choices].count("=") == 1 and choices[0].startswith("=ZEBRA-right option")
    assert "KEYEXPLAIN-pick-one." in one["general"]
    many = answers(parsed["98_demo/pick-many"], "~")
    weights = [float(re.match(r"%(-?[\d.]+)%", c).group(1)) for c in many]
    assert sum(w for w in weights if w > 0) == pytest.approx(100) and sum(w for w in weights if w < 0) == pytest.approx(-100)
    assert parsed["98_demo/tf"]["type"] == "truefalse" and parsed["98_demo/tf"]["answer"].startswith("FALSE#")
    word = answers(parsed["98_demo/word"], "\n")
    assert word[:2] == ["=%100%Zyzzogeton#", "=%100%Zyzzogetons#"] and word[2].startswith("=%0%Handled#")
    steps = answers(parsed["98_demo/steps"], "\n")
    assert [s.rsplit("->", 1)[1].strip() for s in steps] == ["1", "2", "3", "4"]
    assert "ZEBRA first step" in steps[0]
    costs = [q for name, q in parsed.items() if name.startswith("98_demo/cost")]
    assert {q["category"] for q in costs} == {"$course$/top/Serverless course/98_demo/cost"}
    assert parsed["98_demo/pick-one"]["category"] == "$course$/top/Serverless course/98_demo"
    for q in costs:
        assert q["type"] == "numerical" and "(Answer in US dollars: a number only.)" in q["text"]
        assert q["answer"].startswith("#")
        lines = [line.strip() for line in q["answer"][1:].split("\n") if line.strip()]
        value, margin = re.match(r"=%100%([-\d.e+]+):([\d.e+-]+)#$", lines[0]).groups()
        assert lines[1].startswith("=%0%") and "KEYFB-cost only the request charge." in lines[1]
        requests = int(re.search(r"for ([\d,]+) requests", q["text"]).group(1).replace(",", ""))
        expected = next(variant(bank.question("cost"), f"gift-variant-{i}") for i in range(1, 20)
                        if variant(bank.question("cost"), f"gift-variant-{i}").params["requests"] == requests)
        assert float(value) == pytest.approx(expected.answer) and float(margin) == pytest.approx(0.01)


def test_gift_of_the_course_banks_parses() -> None:
    banks = [load_bank("00_start_here"), load_bank("02_lambda")]
    text = gift(banks)
    parsed = parse_gift(text)
    names = {q["name"] for q in parsed}
    assert "02_lambda/deploy-greeter" not in names  # build-it: left out, and said so
    assert "// Note: 02_lambda/deploy-greeter: a build-it task, left out" in text
    releasable = sum(1 for b in banks for q in b.questions if q.type != "build" and not q.params)
    assert len([n for n in names if "(variant" not in n]) == releasable
    assert all(q["type"] in ("multichoice", "truefalse", "numerical", "shortanswer", "match") for q in parsed)
