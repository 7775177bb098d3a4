"""``course grade``: submissions + manifest -> gradebook, item statistics, plots, feedback.

    course grade submissions/ --manifest hw1.manifest.json --out grades/

For every student of the roster (missing ones included) it recomputes their variants from the
bank and their seed, maps each recorded answer back onto the bank (positions as the student saw
them, see :mod:`course_lib.instructor.release`) and marks it with the same pure graders a
self-study quiz uses. It writes, into ``grades/``:

=======================  ==================================================================
``gradebook.csv``        one row per roster student, in roster order: status, score, percent,
                         answered, the file graded, notes, then one column per question
``items.csv``            per question: difficulty, discrimination, point-biserial (see
                         :mod:`course_lib.instructor.stats`)
``distractors.csv``      per question and choice: how many students chose it
``problems.csv``         every problem found in ``submissions/``, with the file's name
``scores.png``           the score histogram
``item_difficulty.png``  difficulty per question
``feedback/<id>.md``     one file per student: their score, and for every question they missed
                         their answer, why it is wrong and the explanation
``grades.json``          the same results for ``course export``
``summary.md``           the run in a few lines
=======================  ==================================================================

Status per student: ``graded``; ``missing`` (no file); ``unreadable`` (only damaged files);
``wrong-variant`` (answers made in another student's notebook or an edited one);
``wrong-assignment`` (a file for another assignment). Only ``graded`` rows have a score.

Guarantees: the same inputs give byte-identical outputs (no timestamps, stable order, latest
submission chosen by its own content); every output is written atomically; nothing under the
submissions folder is modified, and ``--out`` inside it is refused. If a bank (or a price in
``facts.yaml``) changed since the release so that a student's questions would read or mark
differently, grading stops and names the questions (``--allow-bank-changes`` grades anyway).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from course_lib.instructor.common import (
    InstructorError,
    Issue,
    ProgressBar,
    atomic_write_bytes,
    display_path,
    is_inside,
    sha256_file,
)
from course_lib.instructor.manifest import Manifest, StudentRelease, load_manifest
from course_lib.instructor.release import (
    NotAnOption,
    describe_answer,
    key_fingerprint,
    released_question,
    shown_fingerprint,
    to_grader_response,
)
from course_lib.instructor.roster import Student
from course_lib.instructor.stats import ItemStats, fmt, item_statistics
from course_lib.instructor.submissions import Collected, Submission, collect, is_blank
from course_lib.quiz.bank import BankError, load_bank, quizzes_dir
from course_lib.quiz.grading import grade as grade_response
from course_lib.quiz.model import Bank, MultipleSelect, Numeric, Ordering, Question, ShortText, SingleChoice, TrueFalse
from course_lib.quiz.variants import Variant, variant

CORRECT, INCORRECT, UNANSWERED, UNREADABLE = "correct", "incorrect", "unanswered", "unreadable"
STATUSES = ("graded", "missing", "unreadable", "wrong-variant", "wrong-assignment")


@dataclass
class QuestionResult:
    qid: str
    status: str
    points: float
    earned: float
    answer: Any  # as recorded (positions, typed text)
    shown: str  # the answer in words
    feedback: tuple[str, ...] = ()
    choices: list[str] = field(default_factory=list)  # keys for the distractor table


@dataclass
class StudentResult:
    student: Student
    status: str
    max_score: float
    score: float | None = None
    questions: list[QuestionResult] = field(default_factory=list)
    submission: Submission | None = None
    notes: list[str] = field(default_factory=list)
    variants: dict[str, Variant] = field(default_factory=dict, repr=False)  # computed once, reused for feedback

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100 * self.score / self.max_score

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.status != UNANSWERED)


@dataclass
class GradeRun:
    manifest: Manifest
    results: list[StudentResult]
    items: dict[str, ItemStats]
    collected: Collected
    questions: dict[str, Question]  # qualified id -> bank question
    notes: list[str] = field(default_factory=list)
    choice_texts: dict[str, dict[str, tuple[str, bool]]] = field(default_factory=dict)  # qid -> key -> (text, right)
    cache: VariantCache = field(default_factory=lambda: VariantCache(), repr=False)

    @property
    def issues(self) -> list[Issue]:
        return self.collected.issues

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for r in self.results:
            out[r.status] += 1
        return out


class VariantCache:
    """Texts and fingerprints per *distinct* variant: a class shares far fewer variants than it has
    students (same numbers, same option order), and rendering is most of the cost of grading."""

    def __init__(self) -> None:
        self._released: dict[tuple[str, str, tuple[int, ...]], dict[str, Any]] = {}
        self._fingerprints: dict[tuple[str, str, tuple[int, ...]], tuple[str, str]] = {}
        self._texts: dict[tuple[str, str, str], str] = {}

    @staticmethod
    def _key(qid: str, v: Variant) -> tuple[str, str, tuple[int, ...]]:
        return (qid, v.digest, v.order)

    def released(self, qid: str, v: Variant) -> dict[str, Any]:
        key = self._key(qid, v)
        if key not in self._released:
            self._released[key] = released_question(qid, v)
        return self._released[key]

    def fingerprints(self, qid: str, v: Variant) -> tuple[str, str]:
        key = self._key(qid, v)
        if key not in self._fingerprints:
            self._fingerprints[key] = (shown_fingerprint(self.released(qid, v)), key_fingerprint(v))
        return self._fingerprints[key]

    def render(self, qid: str, v: Variant, raw: str) -> str:
        key = (qid, v.digest, raw)
        if key not in self._texts:
            self._texts[key] = v.render(raw)
        return self._texts[key]


# -- banks ----------------------------------------------------------------------------------------
def load_banks(manifest: Manifest, quizzes: Path | None) -> tuple[dict[str, Question], list[str]]:
    """The released questions, by qualified id, from the banks the manifest names."""
    folder = quizzes or (Path(manifest.quizzes_dir) if manifest.quizzes_dir and Path(manifest.quizzes_dir).is_dir() else quizzes_dir())
    questions: dict[str, Question] = {}
    notes: list[str] = []
    problems: list[str] = []
    for chapter in manifest.chapters:
        path = folder / f"{chapter}.yaml"
        try:
            bank: Bank = load_bank(path)
        except BankError as err:
            problems.append(str(err))
            continue
        info = manifest.banks.get(chapter, {})
        if info.get("sha256") and path.exists() and sha256_file(path) != info["sha256"]:
            notes.append(f"{display_path(path)} changed since {manifest.assignment} was released; every released question was checked against it")
        by_id = {q.id: q for q in bank.questions}
        for qid in info.get("questions", []):
            if qid not in by_id:
                problems.append(f"{display_path(path)}: question {qid!r} was released in {manifest.assignment} but is no longer in the bank")
                continue
            questions[f"{chapter}/{qid}"] = by_id[qid]
    if problems:
        raise InstructorError(f"Cannot grade {manifest.assignment}: the quiz banks it was released from are not available as released.", problems)
    return questions, notes


def check_release(manifest: Manifest, variants: dict[str, dict[str, Variant]], allow_changes: bool, cache: VariantCache | None = None) -> list[str]:
    """Prove each graded student's questions still read and mark as released; else stop (or warn).

    ``variants``: student id -> question -> the variant recomputed from today's bank.
    """
    cache = cache or VariantCache()
    changed: dict[tuple[str, str], int] = {}
    for release in manifest.students:
        mine = variants.get(release.student.id)
        if mine is None:
            continue
        for qid in release.questions:
            shown, marked = cache.fingerprints(qid, mine[qid])
            if release.shown.get(qid) and shown != release.shown[qid]:
                changed[(qid, "reads differently")] = changed.get((qid, "reads differently"), 0) + 1
            if release.keys.get(qid) and marked != release.keys[qid]:
                changed[(qid, "is marked differently")] = changed.get((qid, "is marked differently"), 0) + 1
    lines = [f"{qid} {how} for {n} student{'s' if n != 1 else ''} than when it was released"
             for (qid, how), n in sorted(changed.items())]
    if lines and not allow_changes:
        raise InstructorError(
            f"Cannot grade {manifest.assignment}: the quiz bank (or a price or limit in facts.yaml) changed since the release, "
            "so grading now would not mark the questions the students answered. Restore the files as they were "
            "(e.g. `git log -- quizzes/ course_lib/facts/`), or pass --allow-bank-changes to grade with today's keys.",
            lines,
        )
    return [f"graded with today's keys although {line}" for line in lines]


# -- one student ------------------------------------------------------------------------------------
def _choice_keys(v: Variant, response: Any, status: str, feedback: tuple[str, ...]) -> list[str]:
    """Which 'choice' a response counts as in the distractor table."""
    q = v.question
    if status == UNANSWERED:
        return ["(no answer)"]
    if status == UNREADABLE:
        return ["(unreadable)"]
    if isinstance(q, SingleChoice):
        return [str(response)]
    if isinstance(q, MultipleSelect):
        return [str(r) for r in response]
    if isinstance(q, TrueFalse):
        value = response if isinstance(response, bool) else str(response).strip().casefold() in ("true", "t", "yes", "y", "1")
        return ["true" if value else "false"]
    if status == CORRECT:
        return ["(correct)"]
    if isinstance(q, Numeric):
        rendered = [v.render(m.feedback) for m in q.mistakes]
        if feedback and feedback[0] in rendered:
            return [f"mistake {rendered.index(feedback[0]) + 1}"]
        return ["(other wrong number)"]
    if isinstance(q, ShortText):
        rendered = [v.render(w.feedback) for w in q.wrong]
        if feedback and feedback[0] in rendered:
            return [f"wrong {rendered.index(feedback[0]) + 1}"]
        return ["(other wrong answer)"]
    if isinstance(q, Ordering):
        key = [item.id for item in q.items]
        return [f"misplaced {g}" for g, k in zip(response, key) if g != k]
    return []


def grade_question(qid: str, v: Variant, released: dict[str, Any], answer: Any) -> QuestionResult:
    q = v.question
    shown = describe_answer(released, answer)
    if is_blank(answer):
        return QuestionResult(qid, UNANSWERED, q.points, 0.0, answer, shown, ("You did not answer this question.",), ["(no answer)"])
    try:
        response = to_grader_response(v, answer)
    except NotAnOption as err:
        return QuestionResult(qid, UNREADABLE, q.points, 0.0, answer, shown, (f"Your answer could not be read: {err}.",), ["(unreadable)"])
    result = grade_response(v, response)
    if result.invalid:
        status = UNREADABLE
    else:
        status = CORRECT if result.correct else INCORRECT
    earned = q.points if status == CORRECT else 0.0
    return QuestionResult(qid, status, q.points, earned, answer, shown, result.feedback, _choice_keys(v, response, status, result.feedback))


def student_variants(release: StudentRelease, questions: dict[str, Question]) -> dict[str, Variant]:
    """A student's variants, recomputed from their seed (as ``course assign`` drew them)."""
    return {qid: variant(questions[qid], release.seed) for qid in release.questions}


def grade_student(release: StudentRelease, variants: dict[str, Variant], submission: Submission, cache: VariantCache | None = None) -> list[QuestionResult]:
    cache = cache or VariantCache()
    return [grade_question(qid, variants[qid], cache.released(qid, variants[qid]), submission.answers.get(qid))
            for qid in release.questions]


# -- the run ----------------------------------------------------------------------------------------
def grade_folder(
    submissions: Path | str,
    manifest: Manifest,
    quizzes: Path | None = None,
    allow_bank_changes: bool = False,
    progress: Callable[[int, str], ProgressBar] | None = None,
) -> GradeRun:
    """Grade everything (no file written)."""
    folder = Path(submissions)
    if not folder.is_dir():
        raise InstructorError(f"{display_path(folder)}: no such folder of submissions.")
    questions, notes = load_banks(manifest, quizzes)
    collected = collect(folder, manifest)
    variants = {r.student.id: student_variants(r, questions) for r in manifest.students if r.student.id in collected.chosen}
    cache = VariantCache()
    notes += check_release(manifest, variants, allow_bank_changes, cache)
    bar = progress(len(manifest.students), "grading") if progress else None
    results: list[StudentResult] = []
    for release in manifest.students:
        sid = release.student.id
        max_score = sum(questions[q].points for q in release.questions)
        chosen = collected.chosen.get(sid)
        if chosen is None:
            status = collected.status.get(sid, "missing")
            results.append(StudentResult(release.student, status, max_score, notes=list(collected.notes.get(sid, []))))
        else:
            graded = grade_student(release, variants[sid], chosen, cache)
            results.append(
                StudentResult(release.student, "graded", max_score, sum(q.earned for q in graded), graded, chosen,
                              list(collected.notes.get(sid, [])), variants[sid])
            )
        if bar:
            bar.advance()
    if bar:
        bar.finish()
    qids = list(dict.fromkeys(q for r in manifest.students for q in r.questions))
    rows = [{q.qid: (q.earned, q.status != UNANSWERED, q.choices) for q in r.questions} for r in results if r.status == "graded"]
    items = item_statistics(qids, {q: questions[q].type for q in qids}, {q: questions[q].points for q in qids}, rows)
    run = GradeRun(manifest, results, items, collected, questions, notes, cache=cache)
    run.choice_texts = _choice_texts(run, qids)
    return run


def _choice_texts(run: GradeRun, qids: list[str]) -> dict[str, dict[str, tuple[str, bool]]]:
    """For the distractor table: every choice of every question, with its text and whether it is right."""
    seed = run.manifest.students[0].seed if run.manifest.students else "x"
    out: dict[str, dict[str, tuple[str, bool]]] = {}
    for qid in qids:
        q = run.questions[qid]
        v = variant(q, seed)
        table: dict[str, tuple[str, bool]] = {}
        if isinstance(q, (SingleChoice, MultipleSelect)):
            table = {o.id: (v.render(o.text), o.correct) for o in q.options}
        elif isinstance(q, TrueFalse):
            table = {"true": ("True", q.answer is True), "false": ("False", q.answer is False)}
        elif isinstance(q, Numeric):
            table = {"(correct)": ("the right number", True)}
            table.update({f"mistake {i + 1}": (f"{m.answer.describe()}: {v.render(m.feedback)}", False) for i, m in enumerate(q.mistakes)})
            table["(other wrong number)"] = ("any other number", False)
        elif isinstance(q, ShortText):
            table = {"(correct)": ("an accepted answer", True)}
            table.update({f"wrong {i + 1}": (" / ".join(w.accept + w.patterns), False) for i, w in enumerate(q.wrong)})
            table["(other wrong answer)"] = ("anything else", False)
        elif isinstance(q, Ordering):
            table = {"(correct)": ("the right order", True)}
            table.update({f"misplaced {item.id}": (f"step out of place: {v.render(item.text)}", False) for item in q.items})
        table["(no answer)"] = ("no answer", False)
        table["(unreadable)"] = ("an answer that could not be read", False)
        out[qid] = table
    return out


# -- outputs ----------------------------------------------------------------------------------------
def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{int(value)}"


def gradebook_rows(run: GradeRun) -> list[list[Any]]:
    qids = list(run.items)
    header = ["student_id", "name", "email", "section", "status", "score", "max_score", "percent", "answered",
              "questions", "submission", "made_at", "notes"] + qids
    rows: list[list[Any]] = [header]
    releases = run.manifest.by_student()
    for r in run.results:
        per_q = {q.qid: _num(q.earned) for q in r.questions}
        rows.append([
            r.student.id, r.student.name, r.student.email, r.student.section, r.status,
            _num(r.score), _num(r.max_score), "" if r.percent is None else f"{r.percent:.1f}",
            r.answered if r.status == "graded" else "", len(releases[r.student.id].questions),
            r.submission.file if r.submission else "", r.submission.made_at if r.submission else "",
            "; ".join(r.notes),
        ] + [per_q.get(q, "") for q in qids])
    return rows


def item_rows(run: GradeRun) -> list[list[Any]]:
    rows: list[list[Any]] = [["question", "chapter", "type", "points", "students", "answered", "correct",
                              "difficulty", "discrimination", "point_biserial_total", "note"]]
    for qid, s in run.items.items():
        rows.append([qid, qid.split("/")[0], s.type, _num(s.points), s.students, s.answered, s.correct,
                     fmt(s.difficulty), fmt(s.discrimination), fmt(s.point_biserial_total), s.note])
    return rows


def distractor_rows(run: GradeRun) -> list[list[Any]]:
    rows: list[list[Any]] = [["question", "choice", "text", "correct", "count", "share"]]
    for qid, s in run.items.items():
        table = run.choice_texts.get(qid, {})
        keys = list(table) + sorted(k for k in s.choices if k not in table)
        for key in keys:
            text, right = table.get(key, (key, False))
            count = s.choices.get(key, 0)
            share = f"{count / s.students:.3f}" if s.students else ""
            rows.append([qid, key, " ".join(text.split()), "yes" if right else "no", count, share])
    return rows


def problem_rows(run: GradeRun) -> list[list[Any]]:
    rows: list[list[Any]] = [["file", "student", "kind", "where", "problem"]]
    rows += [[i.file, i.student, i.kind, i.where, i.message] for i in run.issues]
    return rows


def feedback_markdown(run: GradeRun, r: StudentResult) -> str:
    """One student's feedback: score, then for each question missed their answer, why not, the explanation."""
    m = run.manifest
    blocks = [f"# {m.title}", f"Feedback for **{r.student.name}** (`{r.student.id}`), assignment `{m.assignment}`."]
    if r.status != "graded":
        reason = {
            "missing": "We received no submission file from you.",
            "unreadable": "The file you handed in could not be read (it is damaged, or it is not the submission file).",
            "wrong-variant": "The answers you handed in were made in a notebook that is not the one released to you.",
            "wrong-assignment": "The file you handed in belongs to another assignment.",
        }[r.status]
        blocks.append(f"**Not graded.** {reason} Please contact your instructor.")
        return "\n\n".join(blocks) + "\n"
    blocks.append(f"**Score: {_num(r.score)} of {_num(r.max_score)} points ({r.percent:.0f}%).** "
                  f"You answered {r.answered} of {len(r.questions)} questions.")
    if r.submission:
        blocks.append(f"Graded file: `{r.submission.file}` (made {r.submission.made_at or 'at an unknown time'}).")
    missed = [q for q in r.questions if q.status != CORRECT]
    right = [str(i) for i, q in enumerate(r.questions, 1) if q.status == CORRECT]
    if not missed:
        blocks.append("Everything is right. Well done!")
        return "\n\n".join(blocks) + "\n"
    if right:
        blocks.append(f"Right: question{'s' if len(right) > 1 else ''} {', '.join(right)}.")
    blocks.append("## What you missed")
    numbers = {q.qid: i for i, q in enumerate(r.questions, 1)}
    for q in missed:
        question = run.questions[q.qid]
        v = r.variants[q.qid]
        label = {INCORRECT: "not right", UNANSWERED: "no answer", UNREADABLE: "could not be read"}[q.status]
        title = f": {run.cache.render(q.qid, v, question.title)}" if question.title else ""
        unit = "point" if q.points == 1 else "points"
        blocks.append(f"### Question {numbers[q.qid]}{title} ({label}, 0 of {_num(q.points)} {unit})")
        blocks.append(run.cache.render(q.qid, v, question.prompt).strip())
        blocks.append(f"**Your answer:** {q.shown}")
        useful = [" ".join(f.split()) for f in q.feedback if f.strip()]
        if useful:
            blocks.append("**Why not:** " + " ".join(useful))
        blocks += ["**Explanation:**", run.cache.render(q.qid, v, question.explanation).strip()]
    return "\n\n".join(blocks) + "\n"


def grades_json(run: GradeRun) -> dict[str, Any]:
    return {
        "format": "course-grades/1",
        "assignment": run.manifest.assignment,
        "title": run.manifest.title,
        "questions": list(run.items),
        "students": [
            {
                **r.student.to_json(),
                "status": r.status,
                "score": r.score,
                "max_score": r.max_score,
                "percent": None if r.percent is None else round(r.percent, 2),
                "answered": r.answered if r.status == "graded" else None,
                "missed": [i for i, q in enumerate(r.questions, 1) if q.status != CORRECT],
            }
            for r in run.results
        ],
    }


def summary_text(run: GradeRun, out: Path | None = None) -> str:
    counts = run.counts()
    graded = [r for r in run.results if r.status == "graded"]
    total = len(run.results)
    parts = [f"{counts['graded']} of {total} students graded"] + [f"{n} {s}" for s, n in counts.items() if n and s != "graded"]
    lines = [f"{run.manifest.assignment}: " + ", ".join(parts) + "."]
    if graded:
        scores = sorted(r.score or 0.0 for r in graded)
        mean = sum(scores) / len(scores)
        median = scores[len(scores) // 2] if len(scores) % 2 else (scores[len(scores) // 2 - 1] + scores[len(scores) // 2]) / 2
        lines.append(f"Scores: mean {mean:.2f}, median {median:g} of {_num(graded[0].max_score)} points.")
    flagged = [s for s in run.items.values() if s.note and "too few" not in s.note]
    if flagged:
        lines.append(f"Questions worth a look: " + "; ".join(f"{s.qid} ({s.note})" for s in flagged) + ".")
    lines += [f"Note: {n}" for n in run.notes]
    where = f" (all in {display_path(out / 'problems.csv')})" if out and run.issues else ""
    lines.append(f"{len(run.issues)} problem{'s' if len(run.issues) != 1 else ''} in the submissions{where}" + (":" if run.issues else "."))
    return "\n".join(lines)


def write_outputs(run: GradeRun, out: Path, bar: ProgressBar | None = None) -> list[Path]:
    """Every output file, each written atomically; returns their paths."""
    from course_lib.instructor import plots

    out.mkdir(parents=True, exist_ok=True)
    written = []

    def put(name: str, data: bytes, fsync: bool = True) -> None:
        path = out / name
        atomic_write_bytes(path, data, fsync=fsync)
        written.append(path)

    for r in run.results:
        put(f"feedback/{r.student.id}.md", feedback_markdown(run, r).encode("utf-8"), fsync=False)
        if bar:
            bar.advance()
    put("items.csv", _csv(item_rows(run)))
    put("distractors.csv", _csv(distractor_rows(run)))
    put("problems.csv", _csv(problem_rows(run)))
    put("grades.json", (json.dumps(grades_json(run), indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
    graded = [r for r in run.results if r.status == "graded"]
    max_score = max((r.max_score for r in run.results), default=0.0)
    counts = run.counts()
    plots.score_histogram([r.score or 0.0 for r in graded], max_score,
                          f"{run.manifest.assignment}: scores of {counts['graded']} graded students (of {len(run.results)})", out / "scores.png")
    written.append(out / "scores.png")
    plots.item_difficulty(list(run.items.values()), f"{run.manifest.assignment}: item difficulty", out / "item_difficulty.png")
    written.append(out / "item_difficulty.png")
    issues = "".join(f"- {i}\n" for i in run.issues)
    put("summary.md", (f"# Grading {run.manifest.assignment}\n\n" + summary_text(run).replace("\n", "\n\n") + "\n\n" + issues).encode("utf-8"))
    # The gradebook last: when it is there, everything it refers to is too.
    put("gradebook.csv", _csv(gradebook_rows(run)))
    return written


def grade(
    submissions: Path | str,
    manifest_path: Path | str,
    out: Path | str,
    quizzes: Path | str | None = None,
    allow_bank_changes: bool = False,
    quiet: bool = False,
) -> GradeRun:
    """The whole command: check the paths, grade, write. Raises :class:`InstructorError` when it cannot."""
    submissions, out = Path(submissions), Path(out)
    if submissions.is_dir() and is_inside(out, submissions):
        raise InstructorError(
            f"--out {display_path(out)} is inside the submissions folder {display_path(submissions)}: grading never "
            "writes into the submissions (and would read its own outputs as submissions next time). Choose another --out."
        )
    manifest = load_manifest(manifest_path)

    def bar(total: int, label: str) -> ProgressBar:
        return ProgressBar(total, label, enabled=not quiet)

    run = grade_folder(submissions, manifest, Path(quizzes) if quizzes else None, allow_bank_changes, bar)
    writing = ProgressBar(len(run.results), "writing feedback", enabled=not quiet)
    write_outputs(run, out, writing)
    writing.finish()
    return run
