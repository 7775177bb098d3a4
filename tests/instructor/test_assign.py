"""``course assign``: one notebook per student with their own variants, a manifest kept aside."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from instructor_support import payload_of, write_roster

from course_lib.cli import main
from course_lib.instructor.common import InstructorError, sha256_file
from course_lib.instructor.manifest import load_manifest
from course_lib.instructor.release import payload_digest


def test_release_layout_manifest_and_digests(tmp_path: Path, released) -> None:  # type: ignore[no-untyped-def]
    result = released(5)
    release = tmp_path / "release"
    assert sorted(p.name for p in release.iterdir()) == [f"hw1-s00{i}.ipynb" for i in range(1, 6)]
    assert result.manifest_path == tmp_path / "hw1.manifest.json"  # beside the release, not in it
    manifest = load_manifest(result.manifest_path)
    assert manifest.assignment == "hw1" and manifest.chapters == ("98_demo",)
    assert manifest.banks["98_demo"]["skipped"] == ["build"]
    for r in manifest.students:
        path = release / r.notebook
        nbformat.validate(nbformat.read(path, as_version=4))
        assert r.notebook_sha256 == sha256_file(path)
        payload = json.loads(payload_of(path))
        assert payload["student"]["id"] == r.student.id
        assert payload_digest(payload) == r.digest
        assert r.questions == tuple(f"98_demo/{q}" for q in ("pick-one", "pick-many", "tf", "cost", "word", "steps"))
        assert r.seed == f"hw1:test-salt:{r.student.id}"
    assert "left out 1 build-it question (build)" in result.summary()


def test_students_get_different_variants(tmp_path: Path, released) -> None:  # type: ignore[no-untyped-def]
    released(12)
    payloads = [json.loads(payload_of(p)) for p in sorted((tmp_path / "release").glob("*.ipynb"))]
    prompts = {next(q["prompt"] for q in p["questions"] if q["id"] == "98_demo/cost") for p in payloads}
    orders = {tuple(next(q["options"] for q in p["questions"] if q["id"] == "98_demo/pick-one")) for p in payloads}
    assert len(prompts) > 1 and len(orders) > 1
    assert len({payload_digest(p) for p in payloads}) == 12


def test_rerun_is_byte_identical_and_keeps_seeds(tmp_path: Path, released, quizzes: Path) -> None:  # type: ignore[no-untyped-def]
    from course_lib.instructor.assign import assign

    released(3)
    before = {p.name: p.read_bytes() for p in (tmp_path / "release").iterdir()}
    manifest_before = (tmp_path / "hw1.manifest.json").read_bytes()
    # No --salt on the second run: the manifest's seeds are kept, so nothing changes.
    result = assign("98", tmp_path / "roster.csv", tmp_path / "release", name="hw1", quizzes=quizzes)
    assert {p.name: p.read_bytes() for p in (tmp_path / "release").iterdir()} == before
    assert (tmp_path / "hw1.manifest.json").read_bytes() == manifest_before
    assert any("kept the seeds" in n for n in result.release.notes)
    # A late student added to the roster: the others keep their notebooks exactly.
    write_roster(tmp_path / "roster.csv", 4)
    assign("98", tmp_path / "roster.csv", tmp_path / "release", name="hw1", quizzes=quizzes)
    after = {p.name: p.read_bytes() for p in (tmp_path / "release").iterdir()}
    assert set(after) == set(before) | {"hw1-s004.ipynb"}
    assert all(after[name] == data for name, data in before.items())


def test_new_salt_over_an_existing_release_is_refused(tmp_path: Path, released, quizzes: Path) -> None:  # type: ignore[no-untyped-def]
    from course_lib.instructor.assign import assign

    released(3)
    before = {p.name: p.read_bytes() for p in (tmp_path / "release").iterdir()}
    with pytest.raises(InstructorError, match="other seeds"):
        assign("98", tmp_path / "roster.csv", tmp_path / "release", name="hw1", salt="other", quizzes=quizzes)
    assert {p.name: p.read_bytes() for p in (tmp_path / "release").iterdir()} == before
    assign("98", tmp_path / "roster.csv", tmp_path / "release", name="hw1", salt="other", quizzes=quizzes, force=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "release").iterdir()} != before


def test_cli_missing_chapter_bad_roster_and_manifest_inside(tmp_path: Path, quizzes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = write_roster(tmp_path / "roster.csv", 2)
    out = tmp_path / "release"
    args = ["assign", "--roster", str(roster), "--out", str(out), "--quizzes", str(quizzes)]
    assert main(args + ["--chapters", "98,06"]) == 1
    err = capsys.readouterr().err
    assert "chapter 06 has no quiz bank yet" in err and "97_small, 98_demo" in err and "Traceback" not in err

    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\ns1,Ada\ns1,Ada again\n")
    assert main(["assign", "--roster", str(bad), "--out", str(out), "--quizzes", str(quizzes), "--chapters", "98"]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and "duplicate id 's1'" in err

    assert main(args + ["--chapters", "98", "--manifest", str(out / "m.json")]) == 1
    assert "inside the release folder" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob("*.manifest.json"))  # nothing was written

    (tmp_path / "a-file").write_text("")
    assert main(["assign", "--roster", str(roster), "--out", str(tmp_path / "a-file" / "release"), "--quizzes", str(quizzes), "--chapters", "98"]) == 1
    err = capsys.readouterr().err
    assert "cannot be written" in err and "Traceback" not in err

    assert main(args + ["--chapters", "97,98", "--name", "hw2"]) == 0
    printed = capsys.readouterr().out
    assert "2 notebooks" in printed and "hw2.manifest.json" in printed
    assert load_manifest(tmp_path / "hw2.manifest.json").chapters == ("97_small", "98_demo")
