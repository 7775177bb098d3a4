"""The quiz in a notebook: one call renders a chapter's quiz as ipywidgets.

    from course_lib.quiz import show_quiz
    quiz = show_quiz("02_lambda")

Everything that decides right from wrong stays in the kernel: the browser receives the
question text, the option labels and, once a learner has answered, the feedback for *their*
answer. No key, no ``correct`` flag, no other option's feedback and no explanation before the
question is finished ever enters a widget trait (``tests/quiz/test_no_leaks.py`` proves it).

Feedback is written with ``widgets.HTML(...).value = ...`` (never ``with output: print``), so
a notebook test cell can drive a quiz and read the result back under nbval::

    q = show_quiz("02_lambda", rehearsal=True, display=False)   # memory only: your progress is untouched
    q.answer("max-timeout", "5 minutes"); q.check("max-timeout")
    assert "Not quite" in q.feedback("max-timeout")

Accessibility: everything works with Tab, Space and Enter alone (checked in a real JupyterLab:
the notebook takes arrow keys from a focused list box, so ordering uses toggle buttons, not a
Select); feedback is in an ``aria-live`` region; long option labels wrap instead of being cut;
colours come from JupyterLab's theme variables, so the quiz is readable in the light and dark
themes, and right/wrong is always said in words and symbols, not colour alone.
"""

from __future__ import annotations

import html
import re
from typing import Any

import ipywidgets as widgets

from course_lib.quiz import text as qtext
from course_lib.quiz.bank import BankError, load_bank
from course_lib.quiz.grading import CORRECT, INCORRECT, INVALID
from course_lib.quiz.model import Bank, BuildIt, MultipleSelect, Numeric, Ordering, ShortText, SingleChoice, TrueFalse
from course_lib.quiz.parsing import unit as lookup_unit
from course_lib.quiz.session import QuizSession, rehearsal as _rehearsal

# Theme variables with fallbacks for front-ends that do not define them (VS Code, nbconvert).
OK_COLOUR = "var(--jp-success-color1, #2e7d32)"
BAD_COLOUR = "var(--jp-error-color1, #c62828)"
WARN_COLOUR = "var(--jp-warn-color1, #e65100)"
MUTED_COLOUR = "var(--jp-ui-font-color2, #616161)"
TEXT_COLOUR = "var(--jp-content-font-color1, inherit)"
BORDER = "1px solid var(--jp-border-color2, #bdbdbd)"

TYPE_NAMES = {
    "single": "choose one",
    "multiple": "choose all that apply",
    "truefalse": "true or false",
    "numeric": "a number",
    "text": "a short answer",
    "ordering": "put in order",
    "build": "build it in the sandbox",
}
# ipywidgets gives radio and checkbox labels a fixed height and `white-space: nowrap`, so a
# long option is cut off ("moto answers the call in…"). Scoped to the quiz, let them wrap.
# Layout only: colours stay the theme's.
QUIZ_CSS = """<style>
.course-quiz .widget-radio-box label, .course-quiz .jupyter-widget-radio-box label {
  height: auto; line-height: 1.4; display: flex; align-items: flex-start; margin-bottom: 4px; white-space: normal; }
.course-quiz .widget-radio-box input, .course-quiz .jupyter-widget-radio-box input {
  order: -1; height: auto; margin-top: 3px; flex-shrink: 0; }
.course-quiz .widget-checkbox, .course-quiz .jupyter-widget-checkbox { height: auto; width: auto; }
.course-quiz .widget-checkbox label, .course-quiz .jupyter-widget-checkbox label {
  height: auto; line-height: 1.4; white-space: normal; overflow: visible; display: flex; align-items: flex-start; }
.course-quiz .widget-checkbox input, .course-quiz .jupyter-widget-checkbox input { flex-grow: 0; flex-shrink: 0; margin-top: 2px; }
.course-quiz .widget-html-content, .course-quiz .jupyter-widget-html-content { line-height: 1.5; }
.course-quiz .course-quiz-order > div { display: flex; flex-direction: column; align-items: stretch; }
.course-quiz .course-quiz-order button {
  width: auto; height: auto; white-space: normal; text-align: left; line-height: 1.4; padding: 4px 8px; margin: 2px 0; }
.course-quiz .course-quiz-order button.mod-active { outline: 2px solid var(--jp-brand-color1, #1976d2); outline-offset: -2px; font-weight: bold; }
</style>"""
_MARKUP = re.compile(r"`|\*\*|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)")


def _label(markdown: str) -> str:
    """Option labels are plain text in ipywidgets: drop the Markdown markers."""
    return " ".join(_MARKUP.sub("", markdown).split())


def _attempts_text(attempts: int | None) -> str:
    if attempts is None:
        return "unlimited attempts"
    return f"{attempts} attempt{'s' if attempts != 1 else ''}"


def feedback_html(session: QuizSession, qid: str) -> str:
    """What the learner sees under a question, from its saved state alone (pure)."""
    q, state, v = session.question(qid), session.state(qid), session.variants[qid]
    parts: list[str] = []
    if state.status == CORRECT:
        parts.append(f'<p><strong style="color:{OK_COLOUR}">&#10004; Correct.</strong></p>')
    elif state.status == INCORRECT:
        parts.append(f'<p><strong style="color:{BAD_COLOUR}">&#10008; Not quite.</strong></p>')
    elif state.status == INVALID:
        parts.append(f'<p><strong style="color:{WARN_COLOUR}">&#9888; Not graded yet.</strong></p>')
    if isinstance(q, BuildIt) and state.status in (CORRECT, INCORRECT):
        rows = []
        for line in state.feedback:
            ok = line.endswith(": ok")
            mark = f'<span style="color:{OK_COLOUR if ok else BAD_COLOUR}">{"&#10004;" if ok else "&#10008;"}</span>'
            rows.append(f"<li>{mark} {qtext.to_html(line, inline=True)}</li>")
        parts.append('<ul style="list-style:none;padding-left:0">' + "".join(rows) + "</ul>")
    else:
        parts += [qtext.to_html(line) for line in state.feedback]
    remaining = state.remaining(q)
    if not state.done and state.attempts and remaining is not None:
        parts.append(f'<p style="color:{MUTED_COLOUR}">{remaining} attempt{"s" if remaining != 1 else ""} left.</p>')
    for i in range(min(state.hints_shown, len(q.hints))):
        parts.append(f"<p><strong>Hint {i + 1}.</strong></p>{v.html(q.hints[i])}")
    if state.done:
        head = "Explanation." if state.status == CORRECT else "No attempts left. The answer:"
        parts.append(
            f'<div style="border-left:3px solid var(--jp-brand-color1, #1976d2);padding-left:8px;margin-top:6px">'
            f"<p><strong>{head}</strong></p>{v.html(q.explanation)}</div>"
        )
    if not parts:
        return ""
    return f'<div role="status" aria-live="polite" style="color:{TEXT_COLOUR}">{"".join(parts)}</div>'


class QuizView(widgets.VBox):
    """The quiz's root widget. Its text form is a short, stable summary (what nbval and GitHub show)."""

    def __init__(self, summary: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._summary = summary

    def __repr__(self) -> str:
        return self._summary


class QuestionView:
    """The widgets of one question: ``header``, ``input`` (None for build-it), ``check_button``,
    ``hint_button`` (None without hints), ``feedback_html`` and the container ``box``."""

    def __init__(self, session: QuizSession, qid: str, number: int, total: int) -> None:
        self.session, self.qid = session, qid
        q = self.question = session.question(qid)
        v = self.variant = session.variants[qid]
        unit = lookup_unit(q.unit) if isinstance(q, Numeric) and q.unit else None
        kind = TYPE_NAMES[q.type] + (f" in {unit.name}" if unit else "")
        meta = f"{kind} · {_attempts_text(q.attempts)} · {q.points:g} point{'s' if q.points != 1 else ''}"
        title = f": {v.html(q.title, inline=True)}" if q.title else ""
        self.header = widgets.HTML(
            f'<div style="color:{TEXT_COLOUR}"><p><strong>Question {number} of {total}</strong>{title} '
            f'<span style="color:{MUTED_COLOUR}">({html.escape(meta)})</span></p>{v.html(q.prompt)}</div>'
        )
        self._labels: list[str] = []
        self._order: list[int] = list(v.order)
        self.input: widgets.Widget | None = self._make_input()
        self.check_button = widgets.Button(
            description="Check my sandbox" if isinstance(q, BuildIt) else "Check",
            button_style="primary",
            tooltip=f"Grade question {number}",
            layout=widgets.Layout(width="auto"),
        )
        self.check_button.on_click(lambda _: self._check())
        self.hint_button: widgets.Button | None = None
        buttons: list[widgets.Widget] = [self.check_button]
        if q.hints:
            self.hint_button = widgets.Button(description="Show a hint", tooltip=f"A hint for question {number}", layout=widgets.Layout(width="auto"))
            self.hint_button.on_click(lambda _: self._hint())
            buttons.append(self.hint_button)
        self.feedback_html = widgets.HTML("")
        rows: list[widgets.Widget] = [self.header]
        rows += [self.input] if self.input is not None else []
        rows += [widgets.HBox(buttons), self.feedback_html]
        self.box = widgets.VBox(rows, layout=widgets.Layout(border=BORDER, padding="4px 12px 8px 12px", margin="0 0 12px 0"))
        self.box.add_class("course-quiz-question")
        self.box.add_class(f"course-quiz-q-{qid}")
        self._restore()

    # -- inputs ----------------------------------------------------------------------------------
    def _make_input(self) -> widgets.Widget | None:
        q, v = self.question, self.variant
        wide = widgets.Layout(width="auto")
        if isinstance(q, SingleChoice):
            # Values are display positions; option ids and correctness stay in the kernel.
            self._labels = [_label(v.render(q.options[i].text)) for i in self._order]
            return widgets.RadioButtons(options=self._labels, index=None, layout=wide, description="")
        if isinstance(q, MultipleSelect):
            self._labels = [_label(v.render(q.options[i].text)) for i in self._order]
            boxes = [widgets.Checkbox(value=False, description=label, indent=False, layout=wide) for label in self._labels]
            return widgets.VBox(boxes)
        if isinstance(q, TrueFalse):
            return widgets.RadioButtons(options=["True", "False"], index=None, layout=wide)
        if isinstance(q, Numeric):
            unit = f" in {q.unit}" if q.unit else ""
            return widgets.Text(
                placeholder=f"a number{unit}",
                description="Your answer:",
                style={"description_width": "initial"},
                continuous_update=False,
            )
        if isinstance(q, ShortText):
            return widgets.Text(placeholder="a word or short phrase", description="Your answer:", style={"description_width": "initial"})
        if isinstance(q, Ordering):
            self._labels = [_label(v.render(item.text)) for item in q.items]
            # Toggle buttons, not a Select list: JupyterLab's notebook takes the arrow keys from a
            # focused <select>, while buttons work with Tab and Space/Enter alone.
            self.order_list = widgets.ToggleButtons(
                options=[self._labels[i] for i in self._order],
                index=None,
                tooltips=["Select this step, then move it" for _ in self._labels],
                layout=widgets.Layout(width="auto"),
            )
            self.order_list.add_class("course-quiz-order")
            self.up_button = widgets.Button(description="Move up", tooltip="Move the selected step up")
            self.down_button = widgets.Button(description="Move down", tooltip="Move the selected step down")
            self.order_hint = widgets.HTML(
                f'<span style="color:{MUTED_COLOUR}">Select a step, then move it up or down. First step at the top.</span>'
            )
            self.up_button.on_click(lambda _: self.move(-1))
            self.down_button.on_click(lambda _: self.move(1))
            return widgets.VBox([self.order_hint, self.order_list, widgets.HBox([self.up_button, self.down_button])])
        return None  # build-it: the sandbox is the answer

    def move(self, step: int) -> None:
        """Move the selected step up (-1) or down (+1) in an ordering question."""
        index = self.order_list.index
        if index is None or not 0 <= index + step < len(self._order):
            return
        self._order[index], self._order[index + step] = self._order[index + step], self._order[index]
        self.order_list.options = [self._labels[i] for i in self._order]
        self.order_list.index = index + step

    def response(self) -> Any:
        """The input's current value in the grader's form (see ``grading``)."""
        q = self.question
        if isinstance(q, SingleChoice):
            index = self.input.index  # type: ignore[union-attr]
            return None if index is None else q.options[self._order[index]].id
        if isinstance(q, MultipleSelect):
            return [q.options[self._order[i]].id for i, box in enumerate(self.input.children) if box.value]  # type: ignore[union-attr]
        if isinstance(q, TrueFalse):
            index = self.input.index  # type: ignore[union-attr]
            return None if index is None else index == 0
        if isinstance(q, (Numeric, ShortText)):
            return self.input.value  # type: ignore[union-attr]
        if isinstance(q, Ordering):
            return [q.items[i].id for i in self._order]
        return None

    def set_answer(self, value: Any) -> None:
        """Put ``value`` in the input as a learner would. Choices take option ids or option texts;
        ordering takes step ids or texts; true/false takes a bool."""
        q = self.question
        if isinstance(q, (SingleChoice, MultipleSelect)):
            wanted = [value] if isinstance(value, str) or value is None else list(value)
            positions = [self._option_position(w) for w in wanted if w is not None]
            if isinstance(q, SingleChoice):
                self.input.index = positions[0] if positions else None  # type: ignore[union-attr]
            else:
                for i, box in enumerate(self.input.children):  # type: ignore[union-attr]
                    box.value = i in positions
        elif isinstance(q, TrueFalse):
            self.input.index = None if value is None else (0 if _truthy(value) else 1)  # type: ignore[union-attr]
        elif isinstance(q, (Numeric, ShortText)):
            self.input.value = "" if value is None else str(value)  # type: ignore[union-attr]
        elif isinstance(q, Ordering):
            by_id = {item.id: i for i, item in enumerate(q.items)}
            by_text = {_label(self.variant.render(item.text)): i for i, item in enumerate(q.items)}
            order = [by_id.get(str(x), by_text.get(_label(str(x)))) for x in value]
            if None in order or sorted(order) != list(range(len(q.items))):  # type: ignore[type-var]
                raise ValueError(f"give every step of {self.qid!r} exactly once, by id or text")
            self._order = order  # type: ignore[assignment]
            self.order_list.options = [self._labels[i] for i in self._order]
        else:
            raise ValueError(f"{self.qid!r} is a build-it task: build it in the sandbox, then check")

    def _option_position(self, wanted: str) -> int:
        q = self.question
        assert isinstance(q, (SingleChoice, MultipleSelect))
        for position, index in enumerate(self._order):
            option = q.options[index]
            if wanted == option.id or _label(wanted) == self._labels[position]:
                return position
        raise ValueError(f"{wanted!r} is not an option id or option text of {self.qid!r}")

    # -- actions -----------------------------------------------------------------------------------
    def _check(self) -> None:
        self.session.submit(self.qid, self.response())
        self._show()

    def _hint(self) -> None:
        self.session.hint(self.qid)
        self._show()

    def _restore(self) -> None:
        state = self.session.state(self.qid)
        if state.answer is not None and not isinstance(self.question, BuildIt):
            try:
                self.set_answer(state.answer)
            except (ValueError, TypeError, IndexError):
                pass  # an answer saved against an older bank: start this question afresh
        self._show()

    def _show(self) -> None:
        state = self.session.state(self.qid)
        self.feedback_html.value = feedback_html(self.session, self.qid)
        self.check_button.disabled = state.done
        if self.hint_button is not None:
            self.hint_button.disabled = state.hints_shown >= len(self.question.hints)
        for widget in _inputs(self.input):
            widget.disabled = state.done


def _inputs(widget: widgets.Widget | None) -> list[widgets.Widget]:
    if widget is None:
        return []
    if isinstance(widget, widgets.Box):
        return [w for child in widget.children for w in _inputs(child)]
    return [widget] if widget.has_trait("disabled") else []


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in ("true", "t", "yes", "y", "1")
    return bool(value)


class Quiz:
    """A rendered quiz and the small API notebook test cells use.

    ``answer(qid, value)`` fills an input, ``check(qid)`` clicks its Check button and returns
    the feedback text, ``feedback(qid)`` reads it back, ``hint(qid)`` clicks Show a hint.
    ``view`` is the root widget; ``question(qid)`` gives one question's widgets.
    """

    def __init__(self, session: QuizSession, is_rehearsal: bool = False) -> None:
        self.session = session
        self.is_rehearsal = is_rehearsal
        bank = session.bank
        total = len(bank.questions)
        self.views = {q.id: QuestionView(session, q.id, n, total) for n, q in enumerate(bank.questions, 1)}
        intro = qtext.to_html(bank.intro) if bank.intro else ""
        self.header = widgets.HTML(
            f'{QUIZ_CSS}<div style="color:{TEXT_COLOUR}"><h3>Quiz: {html.escape(bank.title)}</h3>{intro}'
            "<p>Answer each question and press <strong>Check</strong>. Your answers are saved as you go: "
            "run this cell again at any time to see where you left off.</p></div>"
        )
        self.notice_html = widgets.HTML(self._notice())
        self.score_html = widgets.HTML("")
        for view in self.views.values():
            view.check_button.on_click(lambda _: self._refresh())
            if view.hint_button is not None:
                view.hint_button.on_click(lambda _: self._refresh())
        self.view = QuizView(
            f"Quiz: {bank.title} ({total} questions; run the notebook to answer them)",
            children=[self.header, self.notice_html, *(v.box for v in self.views.values()), self.score_html],
        )
        self.view.add_class("course-quiz")
        self._shown_this_cell = False
        self._refresh()

    def _notice(self) -> str:
        notice = self.session.notice
        return f'<p style="color:{WARN_COLOUR}"><strong>&#9888;</strong> {html.escape(notice)}</p>' if notice else ""

    def _refresh(self) -> None:
        earned, possible = self.session.score()
        finished = sum(1 for s in self.session.states.values() if s.done)
        total = len(self.session.states)
        self.score_html.value = (
            f'<p style="color:{TEXT_COLOUR}"><strong>Score: {earned:g} of {possible:g} points</strong> '
            f'<span style="color:{MUTED_COLOUR}">({finished} of {total} questions finished)</span></p>'
        )
        self.notice_html.value = self._notice()

    # -- the test-cell API ----------------------------------------------------------------------
    def question(self, qid: str) -> QuestionView:
        self.session.question(qid)  # a clear error for an unknown id
        return self.views[qid]

    def answer(self, qid: str, value: Any) -> "Quiz":
        self.question(qid).set_answer(value)
        return self

    def check(self, qid: str) -> str:
        self.question(qid).check_button.click()
        return self.feedback(qid)

    def hint(self, qid: str) -> str:
        view = self.question(qid)
        if view.hint_button is not None:
            view.hint_button.click()
        return self.feedback(qid)

    def feedback(self, qid: str) -> str:
        """The feedback under ``qid`` as plain text (what a reader sees)."""
        return qtext.to_plain(self.question(qid).feedback_html.value)

    def state(self, qid: str) -> Any:
        return self.session.state(qid)

    def score(self) -> tuple[float, float]:
        return self.session.score()

    def key(self, qid: str) -> Any:
        """A response the grader accepts, for self-tests. Rehearsal quizzes only."""
        if not self.is_rehearsal:
            raise PermissionError("Keys are only available in a rehearsal quiz: show_quiz(..., rehearsal=True).")
        from course_lib.quiz.audit import key_response

        return key_response(self.session.variants[self.question(qid).qid])

    # -- display ------------------------------------------------------------------------------
    def display(self) -> None:
        from IPython.display import display

        display(self.view)
        self._shown_this_cell = True
        shell = _shell()
        if shell is None:
            return

        def cell_done(*_: Any) -> None:
            self._shown_this_cell = False
            shell.events.unregister("post_run_cell", cell_done)

        shell.events.register("post_run_cell", cell_done)

    def _ipython_display_(self) -> None:
        # `show_quiz(...)` as a cell's last line both displays and returns the quiz: show it once.
        # (Execution counts cannot tell: nbval runs cells without storing history.)
        if getattr(self, "_shown_this_cell", False):
            return
        self.display()

    def __repr__(self) -> str:
        return repr(self.view)


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipywidgets
        return None
    return get_ipython()


class BrokenQuiz:
    """What ``show_quiz`` returns for a bank that breaks the schema: the report, not a traceback."""

    def __init__(self, error: BankError) -> None:
        self.error = error
        self.view = widgets.HTML(
            f'<div style="color:{BAD_COLOUR}"><strong>This quiz cannot be shown: its bank has problems.</strong>'
            f'<pre style="color:{TEXT_COLOUR}">{html.escape(str(error))}</pre></div>'
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)  # IPython probes _repr_*_ methods: let it
        raise self.error

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.view)


def show_quiz(
    chapter: str | Bank,
    *,
    learner: str | None = None,
    store: Any = None,
    sandbox: Any = None,
    rehearsal: bool = False,
    display: bool = True,
) -> Quiz | BrokenQuiz:
    """Render ``chapter``'s quiz (``"02_lambda"``) and return it.

    ``rehearsal=True`` keeps progress in memory (the learner's saved answers are neither read
    nor changed); ``display=False`` builds the widgets without showing them (tests).
    """
    try:
        bank = chapter if isinstance(chapter, Bank) else load_bank(chapter)
    except BankError as err:
        broken = BrokenQuiz(err)
        if display:
            broken._ipython_display_()
        return broken
    session = _rehearsal(bank, learner, sandbox) if rehearsal else QuizSession(bank, learner=learner, store=store, sandbox=sandbox)
    quiz = Quiz(session, is_rehearsal=rehearsal)
    if display:
        quiz.display()
    return quiz
