"""The progress file: atomic saves, merged writers, corrupt files set aside, learner ids."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from course_lib.quiz import progress
from course_lib.quiz.progress import ProgressStore, atomic_write_json, learner_id


def test_location_follows_course_home(course_home: Path) -> None:
    assert ProgressStore().path == course_home / "progress.json"


def test_save_and_read_back(course_home: Path) -> None:
    store = ProgressStore()
    assert store.save_question("ada", "02_lambda", "q1", {"answer": "b", "attempts": 1})
    assert ProgressStore().chapter("ada", "02_lambda") == {"q1": {"answer": "b", "attempts": 1}}
    assert ProgressStore().chapter("bob", "02_lambda") == {}
    assert not [p for p in course_home.iterdir() if p.name.endswith(".tmp")]


def test_a_crash_mid_save_leaves_the_old_file_whole(course_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProgressStore()
    store.save_question("ada", "02_lambda", "q1", {"answer": "old"})
    before = store.path.read_text()

    def crash(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(progress.os, "replace", crash)
    assert store.save_question("ada", "02_lambda", "q1", {"answer": "new"}) is False
    assert "not saved" in store.notice and "No space left" in store.notice
    assert store.path.read_text() == before
    assert not [p for p in course_home.iterdir() if p.name.endswith(".tmp")]


def test_atomic_write_replaces_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.json"
    atomic_write_json(target, {"a": 1})
    atomic_write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert os.listdir(target.parent) == ["file.json"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"format": 1, "learners": {"ada": ', "not valid JSON"),
        ("[1, 2, 3]", "does not hold a JSON object"),
        ('{"format": 99, "learners": {}}', "its format is 99"),
        (b"\xff\xfe garbage", "could not be read"),
    ],
)
def test_corrupt_file_is_set_aside_with_a_message(course_home: Path, content: str | bytes, reason: str) -> None:
    course_home.mkdir(parents=True)
    path = course_home / "progress.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    store = ProgressStore()
    assert store.chapters("ada") == {}
    assert reason in store.notice and "moved to" in store.notice and "fresh one" in store.notice
    aside = course_home / "progress.json.corrupt"
    assert aside.read_bytes() == (content if isinstance(content, bytes) else content.encode())
    assert store.save_question("ada", "02_lambda", "q1", {"answer": 1})
    assert json.loads(path.read_text())["learners"]["ada"]["chapters"]["02_lambda"]["q1"] == {"answer": 1}


def test_a_second_corrupt_file_does_not_overwrite_the_first(course_home: Path) -> None:
    course_home.mkdir(parents=True)
    for _ in range(2):
        (course_home / "progress.json").write_text("{")
        ProgressStore().chapters("ada")
    assert sorted(p.name for p in course_home.iterdir() if "corrupt" in p.name) == ["progress.json.corrupt", "progress.json.corrupt-2"]


def test_concurrent_writers_merge_instead_of_overwriting(course_home: Path) -> None:
    """Two kernels (here: threads with their own stores) saving at once keep every answer."""

    def work(chapter: str) -> None:
        store = ProgressStore()
        for i in range(10):
            store.save_question("ada", chapter, f"q{i}", {"answer": i})

    threads = [threading.Thread(target=work, args=(c,)) for c in ("00_start_here", "02_lambda")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    saved = ProgressStore().chapters("ada")
    assert len(saved["00_start_here"]) == 10 and len(saved["02_lambda"]) == 10


def test_unwritable_home_does_not_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_HOME", str(blocker / "home"))
    store = ProgressStore()
    assert store.chapters("ada") == {}
    assert store.save_question("ada", "02_lambda", "q1", {}) is False
    assert "cannot be written" in store.notice


def test_reset_one_chapter_or_all(course_home: Path) -> None:
    store = ProgressStore()
    for chapter in ("00_start_here", "02_lambda"):
        store.save_question("ada", chapter, "q1", {})
        store.save_question("ada", chapter, "q2", {})
    store.save_question("bob", "02_lambda", "q1", {})
    assert store.reset("ada", "02_lambda") == 2
    assert set(store.chapters("ada")) == {"00_start_here"}
    assert store.reset("ada") == 2
    assert store.chapters("ada") == {}
    assert store.chapter("bob", "02_lambda") == {"q1": {}}


def test_learner_id_from_env_or_generated_once(course_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert learner_id() == "ci-learner"
    monkeypatch.delenv("COURSE_LEARNER_ID")
    first = learner_id()
    assert first.startswith("learner-") and first != "ci-learner"
    assert learner_id() == first
    assert (course_home / "learner_id").read_text().strip() == first
    monkeypatch.setenv("COURSE_LEARNER_ID", "   ")
    assert learner_id() == first
