"""The student's side: answers saved as they go and restored, one submission file, the widgets."""

from __future__ import annotations

import json
from pathlib import Path

import ipywidgets as widgets
import pytest
from instructor_support import payload_of

from course_lib.instructor.common import digest
from course_lib.instructor.manifest import load_manifest
from course_lib.instructor.submissions import Assignment, BrokenAssignment, open_assignment


@pytest.fixture
def payload(tmp_path: Path, released) -> str:  # type: ignore[no-untyped-def]
    released(2)
    return payload_of(tmp_path / "release" / "hw1-s001.ipynb")


def answers_file(home: Path) -> Path:
    return home / "assignments" / "hw1-s001.answers.json"


def test_answers_are_saved_at_once_and_restored(payload: str, course_home: Path) -> None:
    a = open_assignment(payload, display=False)
    assert isinstance(a, Assignment) and a.answers == {}
    q = {x["id"].split("/")[1]: x for x in a.questions}
    a.answer("98_demo/pick-one", q["pick-one"]["options"][2])  # by the text shown
    a.answer("98_demo/pick-many", [2, "1"])  # by the numbers shown
    a.answer("98_demo/tf", "false")
    a.answer("98_demo/cost", "$1.23")
    a.answer("98_demo/steps", list(reversed(q["steps"]["items"])))
    saved = json.loads(answers_file(course_home).read_text())  # on disk after each answer, valid JSON
    entries = saved["learners"]["s001"]["chapters"]["hw1"]
    assert entries["98_demo/pick-one"]["answer"] == "3"
    assert entries["98_demo/pick-many"]["answer"] == ["1", "2"]
    assert entries["98_demo/tf"]["answer"] is False
    assert entries["98_demo/steps"]["answer"] == ["4", "3", "2", "1"]
    assert not list(answers_file(course_home).parent.glob("*.tmp"))  # atomic: no debris

    again = Assignment(payload)  # the notebook reopened, a new kernel
    assert again.answers == a.answers
    assert again.answers["98_demo/cost"] == "$1.23"
    again.answer("98_demo/cost", None)  # cleared
    assert "98_demo/cost" not in Assignment(payload).answers


def test_bad_answers_say_what_fits(payload: str) -> None:
    a = Assignment(payload)
    with pytest.raises(ValueError, match="not one of the options of 98_demo/pick-one.*1 to 4"):
        a.answer("98_demo/pick-one", "Epsilon option")
    with pytest.raises(ValueError, match="every step exactly once"):
        a.answer("98_demo/steps", [1, 1, 2, 3])
    with pytest.raises(KeyError, match="no question"):
        a.answer("98_demo/nope", 1)


def test_submission_file_carries_id_digest_answers_and_nothing_secret(tmp_path: Path, payload: str) -> None:
    a = Assignment(payload, folder=tmp_path / "out")
    a.answer("98_demo/word", "Zyzzogeton")
    a.answer("98_demo/tf", True)
    result = a.make_submission()
    assert result.path == (tmp_path / "out" / "hw1-s001.submission.json").resolve()
    assert "2 of 6 questions answered" in repr(result) and "4 questions have no answer" in repr(result)
    doc = json.loads(result.path.read_text())
    assert doc["student"] == {"id": "s001", "name": "Student 1"}
    assert doc["assignment"] == "hw1" and doc["assignment_digest"] == a.digest
    assert doc["answers"] == {"98_demo/word": "Zyzzogeton", "98_demo/tf": True}
    assert doc["checksum"] == digest({k: v for k, v in doc.items() if k != "checksum"})
    text = result.path.read_text()
    manifest = load_manifest(tmp_path / "hw1.manifest.json")
    assert manifest.salt not in text and manifest.students[0].seed not in text


def test_answers_of_another_release_are_not_restored(tmp_path: Path, payload: str, released) -> None:  # type: ignore[no-untyped-def]
    Assignment(payload).answer("98_demo/tf", True)
    (tmp_path / "hw1.manifest.json").unlink()  # the instructor starts the release over
    released(2, salt="second-release")  # same assignment name, other questions
    fresh = Assignment(payload_of(tmp_path / "release" / "hw1-s001.ipynb"))
    assert fresh.digest != Assignment(payload).digest
    assert fresh.answers == {}


def test_damaged_cell_gives_a_message_not_a_traceback(payload: str) -> None:
    broken = open_assignment(payload[: len(payload) // 2], display=True)
    assert isinstance(broken, BrokenAssignment)
    assert "damaged" in repr(broken) and "saved answers are kept" in repr(broken)
    edited = json.loads(payload)
    edited["questions"] = []
    assert "has no questions" in repr(open_assignment(edited, display=False))
    with pytest.raises(Exception, match="cannot be used"):
        broken_again = open_assignment(edited, display=False)
        broken_again.make_submission()


def test_widgets_save_on_change_and_restore(tmp_path: Path, payload: str, course_home: Path) -> None:
    widgets.Widget.close_all()
    a = Assignment(payload, folder=tmp_path / "out")
    view = a.widget()
    one = view.views["98_demo/pick-one"]
    assert one.check_button.layout.display == "none"  # nothing is graded in an assignment
    assert "attempt" not in one.header.value and "1 point" in one.header.value
    assert "Not answered yet" in one.feedback_html.value

    one.input.index = 1  # the student clicks the second option
    assert a.answers["98_demo/pick-one"] == "2" and "Saved at" in one.feedback_html.value
    many = view.views["98_demo/pick-many"]
    many.input.children[0].value = True
    many.input.children[3].value = True
    view.views["98_demo/word"].input.value = "Handled"
    steps = view.views["98_demo/steps"]
    steps.order_list.index = 0
    steps.move(1)  # first step moved down
    assert a.answers["98_demo/steps"] == ["2", "1", "3", "4"]
    assert "4 of 6 questions answered" in view.status_text()
    on_disk = json.loads(answers_file(course_home).read_text())["learners"]["s001"]["chapters"]["hw1"]
    assert on_disk["98_demo/pick-many"]["answer"] == ["1", "4"]

    view.submit_button.click()
    assert (tmp_path / "out" / "hw1-s001.submission.json").exists()
    assert "Wrote hw1-s001.submission.json (4 of 6 questions answered)" in view.status_text()

    # Reopened: the widgets show the saved answers again.
    widgets.Widget.close_all()
    again = Assignment(payload).widget()
    assert again.views["98_demo/pick-one"].input.index == 1
    assert [b.value for b in again.views["98_demo/pick-many"].input.children] == [True, False, False, True]
    assert again.views["98_demo/word"].input.value == "Handled"
    items = json.loads(payload)["questions"][5]["items"]
    assert list(again.views["98_demo/steps"].order_list.options) == [items[1], items[0], items[2], items[3]]
    # Setting an answer from code shows in the widget too.
    a2 = again.assignment
    a2.answer("98_demo/pick-one", 4)
    assert again.views["98_demo/pick-one"].input.index == 3
    widgets.Widget.close_all()


def test_corrupt_answers_file_is_set_aside_with_a_notice(payload: str, course_home: Path) -> None:
    path = answers_file(course_home)
    path.parent.mkdir(parents=True)
    path.write_text("{ not json")
    a = Assignment(payload)
    assert a.answers == {} and "could not be used" in a.notice
    assert path.with_name(path.name + ".corrupt").exists()
    a.answer("98_demo/tf", True)
    assert Assignment(payload).answers == {"98_demo/tf": True}
