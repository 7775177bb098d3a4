"""Nothing already saved is lost: progress, answers and submission files under crashes and races.

What a learner's laptop really does: two kernels saving at once (threads and separate
processes), a kernel killed in the middle of a save (SIGKILL, no clean-up runs), a power cut
that leaves a half-written temporary file, a file damaged by hand. After each, the last good
state must be readable and every acknowledged save must still be there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from course_lib.instructor.submissions import Assignment, read_submission
from course_lib.quiz import progress
from course_lib.quiz.progress import ProgressStore

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "instructor"))
from instructor_support import payload_of, write_banks, write_roster  # noqa: E402


@pytest.fixture(autouse=True)
def course_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("COURSE_HOME", str(home))
    monkeypatch.setenv("COURSE_LEARNER_ID", "ci-learner")
    return home


@pytest.fixture
def payload(tmp_path: Path) -> str:
    """A real released assignment for student s001 (demo banks, one question of every type)."""
    from course_lib.instructor.assign import assign

    quizzes = write_banks(tmp_path / "quizzes")
    assign("98", write_roster(tmp_path / "roster.csv", 3), tmp_path / "release", name="hw1", salt="s", quizzes=quizzes)
    return payload_of(tmp_path / "release" / "hw1-s001.ipynb")


def _child(script: str, env_home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "COURSE_HOME": str(env_home), "COURSE_LEARNER_ID": "ci-learner"}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_all(children: list[subprocess.Popen[str]]) -> None:
    for child in children:
        out, err = child.communicate(timeout=180)
        assert child.returncode == 0, err


# -- the progress file --------------------------------------------------------------------------------
SAVER = """
import sys
from course_lib.quiz.progress import ProgressStore
store, chapter = ProgressStore(), sys.argv[1]
for i in range(int(sys.argv[2])):
    assert store.save_question("ada", chapter, f"q{i}", {"answer": i, "by": chapter}), store.notice
    print(i, flush=True)  # acknowledged: the save returned
"""


def test_processes_and_threads_saving_at_once_keep_every_answer(course_home: Path) -> None:
    """Three kernels (processes) and two threads in this one save 25 answers each, all at once."""
    children = [_child(SAVER, course_home, f"p{k}", "25") for k in range(3)]

    def work(chapter: str) -> None:
        store = ProgressStore()
        for i in range(25):
            assert store.save_question("ada", chapter, f"q{i}", {"answer": i, "by": chapter})

    threads = [threading.Thread(target=work, args=(f"t{k}",)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _wait_all(children)
    saved = ProgressStore().chapters("ada")
    assert sorted(saved) == ["p0", "p1", "p2", "t0", "t1"]
    for chapter, answers in saved.items():
        assert answers == {f"q{i}": {"answer": i, "by": chapter} for i in range(25)}, chapter
    json.loads((course_home / "progress.json").read_text())  # one valid document, no leftovers
    assert not list(course_home.glob("*.tmp")) and not list(course_home.glob("*.corrupt*"))


def test_a_kernel_killed_mid_save_loses_nothing_it_acknowledged(course_home: Path) -> None:
    """SIGKILL at an arbitrary moment in a stream of saves: no clean-up code runs at all."""
    for round_ in range(3):
        child = _child(SAVER, course_home, f"killed{round_}", "100000")
        acked = -1
        assert child.stdout is not None
        for line in child.stdout:
            acked = int(line)
            if acked >= 20 + 7 * round_:  # a different moment each round
                break
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        saved = ProgressStore().chapter("ada", f"killed{round_}")  # readable: valid JSON
        assert all(saved[f"q{i}"] == {"answer": i, "by": f"killed{round_}"} for i in range(acked + 1))
        assert not list(course_home.glob("*.corrupt*"))  # never half a file
        for earlier in range(round_):  # and nothing of the rounds before was lost either
            assert len(ProgressStore().chapter("ada", f"killed{earlier}")) >= 20
    # A temporary file a killed save left behind does not disturb the next save.
    assert ProgressStore().save_question("ada", "after", "q", {"answer": 1})
    assert ProgressStore().chapter("ada", "after") == {"q": {"answer": 1}}


def test_a_power_cut_mid_write_leaves_the_last_good_state(course_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new file was half written (a truncated temporary file) when the machine stopped."""
    store = ProgressStore()
    assert store.save_question("ada", "02_lambda", "good", {"answer": "kept"})
    good = (course_home / "progress.json").read_bytes()
    real_replace = os.replace

    def cut_power(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        data = Path(src).read_bytes()
        Path(src).write_bytes(data[: len(data) // 2])  # what reached the disk
        raise SystemExit("power cut")  # nothing after this line runs in a real cut

    monkeypatch.setattr(progress.os, "replace", cut_power)
    with pytest.raises(SystemExit):
        store.save_question("ada", "02_lambda", "lost", {"answer": "never acknowledged"})
    monkeypatch.setattr(progress.os, "replace", real_replace)
    # A real cut also leaves the truncated temporary file: put one there as the crash would.
    (course_home / ".progress.json-crash.tmp").write_bytes(good[: len(good) // 2])
    assert (course_home / "progress.json").read_bytes() == good
    fresh = ProgressStore()
    assert fresh.chapter("ada", "02_lambda") == {"good": {"answer": "kept"}} and fresh.notice == ""
    assert fresh.save_question("ada", "02_lambda", "next", {"answer": 2})
    assert set(ProgressStore().chapter("ada", "02_lambda")) == {"good", "next"}


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_file_is_kept_aside_byte_for_byte(course_home: Path, damage: str) -> None:
    """Damage from outside (a full disk, a hand edit): the damaged bytes are kept, not overwritten."""
    assert ProgressStore().save_question("ada", "02_lambda", "q", {"answer": 1})
    path = course_home / "progress.json"
    text = path.read_bytes()
    damaged = {"truncate": text[: len(text) // 3], "garbage": b"\x00\xff" + text, "empty": b""}[damage]
    path.write_bytes(damaged)
    store = ProgressStore()
    assert store.chapters("ada") == {}
    assert (course_home / "progress.json.corrupt").read_bytes() == damaged  # recoverable by hand
    assert "progress.json.corrupt" in store.notice
    assert store.save_question("ada", "02_lambda", "again", {"answer": 2})
    assert ProgressStore().chapter("ada", "02_lambda") == {"again": {"answer": 2}}


# -- answers and submission files -----------------------------------------------------------------------
ANSWERER = """
import sys
from course_lib.instructor.submissions import Assignment
payload = open(sys.argv[1], encoding="utf-8").read()
a = Assignment(payload, folder=sys.argv[3])
qid = sys.argv[2]
for i in range(int(sys.argv[4])):
    a.answer(qid, f"answer {i}")
    if len(sys.argv) > 5:
        a.make_submission()
    print(i, flush=True)
"""


def _text_questions(payload: str) -> list[str]:
    return [q["id"] for q in json.loads(payload)["questions"] if q["type"] in ("text", "numeric")]


def test_answers_saved_from_several_kernels_at_once_are_all_kept(tmp_path: Path, payload: str, course_home: Path) -> None:
    """Each process answers its own question 15 times; a save never drops another's answer."""
    qids = _text_questions(payload)
    assert len(qids) >= 2
    (tmp_path / "payload.json").write_text(payload, encoding="utf-8")
    children = [_child(ANSWERER, course_home, str(tmp_path / "payload.json"), qid, str(tmp_path / "out"), "15") for qid in qids]
    _wait_all(children)
    assert Assignment(payload).answers == {qid: "answer 14" for qid in qids}


def test_a_kernel_killed_while_submitting_leaves_a_readable_submission(tmp_path: Path, payload: str, course_home: Path) -> None:
    qid = _text_questions(payload)[0]
    (tmp_path / "payload.json").write_text(payload, encoding="utf-8")
    child = _child(ANSWERER, course_home, str(tmp_path / "payload.json"), qid, str(tmp_path / "out"), "100000", "submit")
    assert child.stdout is not None
    acked = -1
    for line in child.stdout:
        acked = int(line)
        if acked >= 25:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    (submission,) = (tmp_path / "out").glob("*.submission.json")
    doc, _, problem = read_submission(submission, submission.name)
    assert problem == "" and doc is not None
    latest = int(doc["answers"][qid].split()[-1])
    assert latest >= acked  # the file holds the last acknowledged answer or a later one
    assert int(Assignment(payload).answers[qid].split()[-1]) >= latest  # and the answers file too


def test_a_reader_never_sees_a_half_written_submission(tmp_path: Path, payload: str) -> None:
    """An instructor's collect running while the student presses the button again and again."""
    a = Assignment(payload, folder=tmp_path / "out")
    qid = _text_questions(payload)[0]
    a.answer(qid, "first")
    path = a.make_submission().path
    stop = threading.Event()
    failures: list[Any] = []

    def keep_submitting() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            a.answer(qid, f"answer {i} " + "x" * (i % 500))  # sizes vary: a torn write would show
            a.make_submission()

    writer = threading.Thread(target=keep_submitting)
    writer.start()
    try:
        deadline = time.monotonic() + 3
        reads = 0
        while time.monotonic() < deadline or reads < 50:
            doc, _, problem = read_submission(path, path.name)
            reads += 1
            if problem:
                failures.append(problem)
    finally:
        stop.set()
        writer.join()
    assert failures == [] and reads >= 50
