"""The assignment in the student's notebook: the quiz widgets, saving instead of grading.

Each question is drawn by the quiz engine's own :class:`~course_lib.quiz.widgets.QuestionView`
(the same radio buttons, checkboxes, text boxes and keyboard-usable ordering buttons, the same
theme-aware styling) fed with a *keyless* question built from the release
(:func:`course_lib.instructor.release.keyless_question`). What changes for an assignment:

* there is no Check button and no feedback: the instructor grades after the deadline, so a
  student cannot probe the key by trying answers;
* every change is saved at once (the inputs are observed), and each question says
  "Saved" with the time;
* a **Make my submission file** button writes the one file to hand in.

Nothing the browser receives holds a key, because the kernel has none: the release carries the
questions only (``tests/instructor/test_no_keys.py`` searches every released file and the
widgets' state for every key).
"""

from __future__ import annotations

import datetime as _dt
import html
from typing import TYPE_CHECKING, Any, Callable

import ipywidgets as widgets

from course_lib.instructor.release import keyless_question
from course_lib.quiz import text as qtext
from course_lib.quiz.parsing import unit as lookup_unit
from course_lib.quiz.session import QuestionState
from course_lib.quiz.variants import Variant
from course_lib.quiz.widgets import (
    MUTED_COLOUR,
    OK_COLOUR,
    QUIZ_CSS,
    TEXT_COLOUR,
    TYPE_NAMES,
    WARN_COLOUR,
    QuestionView,
)

if TYPE_CHECKING:  # pragma: no cover
    from course_lib.instructor.submissions import Assignment, SubmissionFile


def widget_id(qid: str) -> str:
    """``02_lambda/max-timeout`` -> ``02_lambda--max-timeout`` (it becomes a CSS class)."""
    return qid.replace("/", "--")


class _KeylessSession:
    """What ``QuestionView`` reads from a quiz session, served from the release and the answers file."""

    def __init__(self, assignment: "Assignment") -> None:
        self.assignment = assignment
        self.qids = {widget_id(q["id"]): q["id"] for q in assignment.questions}
        self.questions = {wid: keyless_question(assignment.by_id[qid], wid) for wid, qid in self.qids.items()}
        # Options and steps are already in the student's order: the identity order shows them as released.
        self.variants = {
            wid: Variant(q, assignment.student, order=tuple(range(len(getattr(q, "options", ()) or getattr(q, "items", ())))))
            for wid, q in self.questions.items()
        }

    def question(self, wid: str) -> Any:
        return self.questions[wid]

    def state(self, wid: str) -> QuestionState:
        return QuestionState(answer=self.assignment._answers.get(self.qids[wid]))

    def submit(self, wid: str, response: Any) -> QuestionState:
        self.assignment.save(self.qids[wid], response)
        return self.state(wid)

    def hint(self, wid: str) -> None:
        return None


class AssignmentQuestionView(QuestionView):
    """A quiz question that saves on every change and shows "Saved" instead of a grade."""

    def __init__(self, session: _KeylessSession, wid: str, number: int, total: int, on_save: Callable[[], None]) -> None:
        self._saved_at = ""
        self._on_save = on_save
        self._restoring = False
        super().__init__(session, wid, number, total)  # type: ignore[arg-type]
        q = self.question
        unit = lookup_unit(q.unit) if getattr(q, "unit", None) else None
        kind = TYPE_NAMES[q.type] + (f" in {unit.name}" if unit else "")
        meta = f"{kind} · {q.points:g} point{'s' if q.points != 1 else ''}"
        title = f": {self.variant.html(q.title, inline=True)}" if q.title else ""
        self.header.value = (
            f'<div style="color:{TEXT_COLOUR}"><p><strong>Question {number} of {total}</strong>{title} '
            f'<span style="color:{MUTED_COLOUR}">({html.escape(meta)})</span></p>{self.variant.html(q.prompt)}</div>'
        )
        # No grading here: the button is kept (the view's layout expects it) but never shown.
        self.check_button.layout.display = "none"
        if self.hint_button is not None:
            self.hint_button.layout.display = "none"
        for widget, trait in self._observed():
            widget.observe(lambda _change: self._check(), names=trait)

    def _observed(self) -> list[tuple[widgets.Widget, str]]:
        q = self.question
        if q.type in ("single", "truefalse"):
            return [(self.input, "index")]
        if q.type == "multiple":
            return [(box, "value") for box in self.input.children]  # type: ignore[union-attr]
        if q.type in ("numeric", "text"):
            return [(self.input, "value")]
        if q.type == "ordering":
            return [(self.order_list, "options")]
        return []

    def _check(self) -> None:
        if self._restoring:
            return  # the input is being set from the saved answer: nothing new to save
        response = self.response()
        if isinstance(response, str) and not response.strip():
            response = None
        self.session.submit(self.qid, response)
        self._saved_at = _dt.datetime.now().strftime("%H:%M:%S")
        self._show()
        self._on_save()

    def _show(self) -> None:
        state = self.session.state(self.qid)
        answered = state.answer not in (None, "", [])
        if answered and self._saved_at:
            line = f'<span style="color:{OK_COLOUR}">&#10004; Saved at {self._saved_at}.</span>'
        elif answered:
            line = f'<span style="color:{OK_COLOUR}">&#10004; Saved.</span>'
        else:
            line = f'<span style="color:{MUTED_COLOUR}">Not answered yet.</span>'
        self.feedback_html.value = f'<div role="status" aria-live="polite">{line}</div>'

    def restore(self) -> None:
        """Show the saved answer again (after ``Assignment.answer`` changed it from code)."""
        state = self.session.state(self.qid)
        self._restoring = True
        try:
            if state.answer is not None or self.question.type != "ordering":
                self.set_answer(state.answer)  # None clears a choice or a text box
        finally:
            self._restoring = False
        self._saved_at = _dt.datetime.now().strftime("%H:%M:%S")
        self._show()


class AssignmentView:
    """The whole assignment: header, one :class:`AssignmentQuestionView` per question, the hand-in button."""

    def __init__(self, assignment: "Assignment") -> None:
        self.assignment = assignment
        self.session = _KeylessSession(assignment)
        total = len(assignment.questions)
        self.views = {
            q["id"]: AssignmentQuestionView(self.session, widget_id(q["id"]), n, total, self._update_count)
            for n, q in enumerate(assignment.questions, 1)
        }
        who = f"{html.escape(assignment.student_name)} ({html.escape(assignment.student)})"
        self.header = widgets.HTML(
            f'{QUIZ_CSS}<div style="color:{TEXT_COLOUR}"><h3>{html.escape(assignment.title)}</h3>'
            f"<p>For <strong>{who}</strong>. Your answers are saved on this computer as you go; "
            "there is no Check button, your instructor grades after the deadline. When you are done, press "
            "<strong>Make my submission file</strong> at the bottom and hand in the file it writes.</p></div>"
        )
        self.notice_html = widgets.HTML(self._notice())
        self.count_html = widgets.HTML("")
        self.submit_button = widgets.Button(
            description="Make my submission file",
            button_style="success",
            tooltip="Write the file to hand in (you can make it again after a change)",
            layout=widgets.Layout(width="auto"),
        )
        self.submit_button.on_click(lambda _: assignment.make_submission())
        self.result_html = widgets.HTML("")
        self.box = widgets.VBox(
            [self.header, self.notice_html, *(v.box for v in self.views.values()), self.count_html,
             widgets.HBox([self.submit_button]), self.result_html]
        )
        self.box.add_class("course-quiz")
        self.box.add_class("course-assignment")
        self._update_count()

    def _notice(self) -> str:
        notice = self.assignment.notice
        return f'<p style="color:{WARN_COLOUR}"><strong>&#9888;</strong> {html.escape(notice)}</p>' if notice else ""

    def _update_count(self) -> None:
        done, total = len(self.assignment.answers), len(self.assignment.questions)
        self.count_html.value = (
            f'<p style="color:{TEXT_COLOUR}"><strong>{done} of {total} questions answered.</strong></p>'
        )
        self.notice_html.value = self._notice()

    def refresh(self, qid: str) -> None:
        self.views[qid].restore()
        self._update_count()

    def submitted(self, result: "SubmissionFile") -> None:
        colour = OK_COLOUR if result.answered == result.total else WARN_COLOUR
        self.result_html.value = (
            f'<div role="status" aria-live="polite" style="color:{TEXT_COLOUR}"><p>'
            f'<strong style="color:{colour}">&#10004;</strong> {html.escape(result.message)}</p>'
            f"<p>Made at {_dt.datetime.now().strftime('%H:%M:%S')}.</p></div>"
        )

    def status_text(self) -> str:
        """Everything a reader sees under the questions, as plain text (tests read it back)."""
        parts = [qtext.to_plain(self.count_html.value), qtext.to_plain(self.result_html.value)]
        return "\n".join(p for p in parts if p)


__all__ = ["AssignmentQuestionView", "AssignmentView", "widget_id"]
