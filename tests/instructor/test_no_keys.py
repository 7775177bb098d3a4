"""Nothing handed out holds a key: every released file (and the widgets' state) searched for every key.

For every student's variant of every question: the computed numeric answer written several
ways, accepted text answers and patterns,
every feedback text, every explanation and hint, the solved order of an ordering question, and
the association of the right option with being right (its text appears exactly as often as any
wrong option's: once, as a choice). The seeds and the salt must not appear either. Each file is
searched as bytes on disk *and* decoded (the payload is a JSON string inside a JSON notebook, so
quotes are escaped twice on disk).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import nbformat
import pytest
from instructor_support import payload_of, variants_of, write_roster

from course_lib.instructor.assign import assign, build_notebook
from course_lib.instructor.manifest import load_manifest
from course_lib.instructor.release import payload_digest
from course_lib.instructor.submissions import Assignment
from course_lib.quiz import text as qtext
from course_lib.quiz.model import MultipleSelect, Numeric, Ordering, ShortText, SingleChoice, TrueFalse
from course_lib.quiz.variants import format_answer


def number_forms(value: float, unit: str | None, decimals: int | None) -> list[str]:
    forms = {format_answer(value, unit, decimals), repr(value), f"{value:.2f}", f"{value:.3f}", f"{value:.4f}", f"{value:g}",
             f"{value:,.2f}", f"{value:.2f}".replace(".", ",")}
    if float(value).is_integer():
        forms |= {str(int(value)), f"{int(value):,}"}
    return sorted(f for f in forms if f)


def secrets_of(v: Any) -> dict[str, str | re.Pattern[str]]:
    """name -> a string (or pattern) that must not appear in anything handed out."""
    q = v.question
    out: dict[str, str | re.Pattern[str]] = {}

    def plain(raw: str) -> str:
        return " ".join(v.render(raw).split())[:60]

    if q.explanation.strip():
        out["explanation"] = plain(q.explanation)
    for i, hint in enumerate(q.hints):
        out[f"hint {i}"] = plain(hint)
    if isinstance(q, (SingleChoice, MultipleSelect)):
        for o in q.options:
            if o.feedback:
                out[f"feedback {o.id}"] = plain(o.feedback)
    if isinstance(q, TrueFalse) and q.wrong_feedback:
        out["wrong feedback"] = plain(q.wrong_feedback)
    if isinstance(q, Numeric):
        for form in number_forms(v.answer, q.unit, q.decimals):
            out[f"answer {form}"] = re.compile(r"(?<![\w.,$])" + re.escape(form) + r"(?![\d])")
        for i, (_value, feedback) in enumerate(v.mistakes):
            # A mistake's number is a distractor, not a key (a round 0.2 turns up anywhere); its feedback is secret.
            out[f"mistake {i} feedback"] = plain(feedback)
    if isinstance(q, ShortText):
        for a in q.accept:
            out[f"accepted {a}"] = a
        for p in q.patterns:
            out[f"pattern {p}"] = p
        for w in q.wrong:
            # A known wrong answer is no key (it may well be named in a prompt); its feedback is.
            out[f"wrong feedback {w.feedback[:20]}"] = plain(w.feedback)
    if isinstance(q, Ordering):
        labels = [qtext.to_plain(v.html(item.text, inline=True)) for item in q.items]
        out["solved order"] = json.dumps([v.render(i.text) for i in q.items], ensure_ascii=False)[1:-1]
        out["solved order plain"] = " ".join(labels)
        for item in q.items:
            if item.feedback:
                out[f"step feedback {item.id}"] = plain(item.feedback)
    return {k: s for k, s in out.items() if not isinstance(s, str) or s.strip()}


DISPLAYED = ("prompt", "title", "options", "items")


def haystacks(path: Path, displayed: bool = True) -> list[str]:
    """A released file as stored, and every decoded layer of it.

    ``displayed=False`` leaves out the question texts the student is meant to read (prompts,
    options, steps), keeping everything else: the file around them, the notebook's other
    cells, the payload's other fields. Used for course banks, where one question's text may
    legitimately mention another's answer ("S3 Standard" vs a workflow called "Standard").
    """
    raw = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return [raw]
    payload = json.loads(payload_of(path))
    nb = nbformat.read(path, as_version=4)
    cells = [c.source for c in nb.cells if "assignment-data" not in c.metadata.get("tags", [])]
    metadata = json.dumps(nb.metadata, ensure_ascii=False)
    if not displayed:
        skeleton = dict(payload, questions=[{k: v for k, v in q.items() if k not in DISPLAYED} for q in payload["questions"]])
        return cells + [metadata, json.dumps(skeleton, ensure_ascii=False)]
    texts = [raw, metadata] + [c.source for c in nb.cells]
    texts.append(json.dumps(payload, ensure_ascii=False))
    texts += [json.dumps(q, ensure_ascii=False) for q in payload["questions"]]
    return texts


def find(haystack: list[str], needle: str | re.Pattern[str]) -> bool:
    if isinstance(needle, str):
        return any(needle in h for h in haystack)
    return any(needle.search(h) for h in haystack)


def check_release(folder: Path, manifest_path: Path, quizzes: Path | None, displayed: bool = True) -> int:
    """Search every file under ``folder`` for every key of every student; returns the files searched.

    ``displayed=False``: see :func:`haystacks`; each question's own prompt is still searched for
    its own key below.
    """
    manifest = load_manifest(manifest_path)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    stacks = {p: haystacks(p, displayed) for p in files}
    every_secret: dict[str, str | re.Pattern[str]] = {"salt": manifest.salt}
    for release in manifest.students:
        every_secret[f"seed of {release.student.id}"] = release.seed
        for qid, v in variants_of(release, quizzes).items():
            for name, secret in secrets_of(v).items():
                every_secret[f"{qid} {name}"] = secret
    leaks = [f"{path.name}: {name}" for path, stack in stacks.items() for name, secret in every_secret.items() if find(stack, secret)]
    assert not leaks, leaks
    for release in manifest.students:
        path = folder / release.notebook
        payload = json.loads(payload_of(path))
        for q in payload["questions"]:
            # Only what a student sees: no flag, no key, no id of an option.
            assert set(q) <= {"id", "type", "title", "prompt", "points", "options", "items", "unit"}, q
            assert all(isinstance(o, str) for o in q.get("options", []) + q.get("items", []))
        dumped = json.dumps(payload, ensure_ascii=False)
        own = {q["id"]: [q.get("prompt", ""), q.get("title", "")] for q in payload["questions"]}
        for qid, v in variants_of(release, quizzes).items():
            q = v.question
            leaks = [name for name, secret in secrets_of(v).items() if find(own[qid], secret)]
            assert not leaks, (qid, "its own text gives away", leaks)
            if isinstance(q, (SingleChoice, MultipleSelect)):
                # The right option is shown like every other option, once, and nowhere else.
                shown = [dumped.count(json.dumps(v.render(o.text), ensure_ascii=False)) for o in q.options]
                assert shown == [1] * len(q.options), (qid, "options shown unevenly", shown)
        # Nothing is hidden in the file beyond the payload: it is exactly what assign writes for it.
        assert path.read_text(encoding="utf-8") == build_notebook(payload, payload_digest(payload)), (path.name, "not as assign wrote it")
    return len(files)


def test_demo_release_holds_no_key(tmp_path: Path, released, quizzes: Path) -> None:  # type: ignore[no-untyped-def]
    released(8, chapters="97,98")
    assert check_release(tmp_path / "release", tmp_path / "hw1.manifest.json", quizzes) == 8
    # The sentinels of the demo banks, whatever the question type.
    for path in (tmp_path / "release").iterdir():
        for stack in haystacks(path):
            for sentinel in ("KEYFB", "KEYEXPLAIN", "KEYHINT", "Zyzzogeton", "zyzz", "Handled", '"correct"'):
                assert sentinel not in stack, (path.name, sentinel)


def test_course_banks_release_holds_no_key(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.csv", 6)
    assign("00,02", roster, tmp_path / "release", name="hw1", salt="leak-test")
    assert check_release(tmp_path / "release", tmp_path / "hw1.manifest.json", None, displayed=False) == 6


def test_widget_state_holds_no_key(tmp_path: Path, released, quizzes: Path) -> None:  # type: ignore[no-untyped-def]
    released(2)
    widgets.Widget.close_all()
    # The submission goes to a temporary folder, never into the working directory.
    a = Assignment(payload_of(tmp_path / "release" / "hw1-s001.ipynb"), folder=tmp_path / "out")
    view = a.widget()
    view.views["98_demo/pick-one"].input.index = 0
    view.views["98_demo/word"].input.value = "Handled"
    view.submit_button.click()
    instances = getattr(widgets.widget, "_instances", None) or widgets.Widget.widgets
    state = json.dumps([w.get_state() for w in list(instances.values())], default=str, ensure_ascii=False)
    assert "Beta option" in state  # the collection really sees the widgets
    release = load_manifest(tmp_path / "hw1.manifest.json").by_student()["s001"]
    leaks = [name for qid, v in variants_of(release, quizzes).items() for name, s in secrets_of(v).items() if find([state], s)]
    assert not leaks, leaks
    assert "KEYFB" not in state and "KEYEXPLAIN" not in state
    widgets.Widget.close_all()


@pytest.mark.parametrize("value", [3.6200000000000006, 900.0])
def test_number_forms_cover_what_a_grep_should_find(value: float) -> None:
    forms = number_forms(value, "USD" if value < 100 else "s", None)
    assert any("," in f for f in forms) and any(f.startswith("$") or f.endswith(" s") for f in forms)


@pytest.mark.parametrize("plant", ["answer", "accepted", "explanation", "correct-flag", "encoded"])
def test_the_search_finds_a_planted_key(tmp_path: Path, released, quizzes: Path, plant: str) -> None:  # type: ignore[no-untyped-def]
    """The checker itself: a key slipped into a released notebook is found."""
    released(2)
    path = tmp_path / "release" / "hw1-s002.ipynb"
    release = load_manifest(tmp_path / "hw1.manifest.json").by_student()["s002"]
    v = variants_of(release, quizzes)
    nb = nbformat.read(path, as_version=4)
    if plant == "encoded":
        import base64

        # No grep finds an encoded key; the file is then no longer exactly what assign writes.
        nb.metadata["cache"] = base64.b64encode(repr(v["98_demo/cost"].answer).encode()).decode()
    elif plant == "correct-flag":
        payload = json.loads(payload_of(path))
        right = next(o.text for o in v["98_demo/pick-one"].question.options if o.correct)
        payload["questions"][0]["options"].append(right)  # shown twice: marked out from the others
        nb.cells[1].source = "ASSIGNMENT = " + json.dumps(json.dumps(payload))
    else:
        leak = {
            "answer": f"Hint: about {v['98_demo/cost'].answer:.2f} dollars",
            "accepted": "psst: zyzzogeton",
            "explanation": "KEYEXPLAIN-word.",
        }[plant]
        nb.cells[0].source += "\n\n" + leak.replace("zyzzogeton", "Zyzzogeton")
    nbformat.write(nb, path)
    expected = {"answer": "98_demo/cost answer", "accepted": "accepted Zyzzogeton", "explanation": "98_demo/word explanation",
                "correct-flag": "options shown unevenly", "encoded": "not as assign wrote it"}[plant]
    with pytest.raises(AssertionError, match=expected):
        check_release(tmp_path / "release", tmp_path / "hw1.manifest.json", quizzes)
