"""Each pure grader: keys accepted, distractors rejected, learner slips handled kindly."""

from __future__ import annotations

import pytest

from course_lib import facts
from course_lib.pricing import lambda_cost
from course_lib.quiz import grade, variant
from course_lib.quiz.checks import isolated_account


def v(bank, qid: str, learner: str = "ada"):  # type: ignore[no-untyped-def]
    return variant(bank.question(qid), learner)


def test_single_choice(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = v(demo_bank, "pick-one")
    right = grade(q, "a")
    assert right.status == "correct" and right.feedback == ("KEYFEEDBACK-alpha is right.",)
    wrong = grade(q, "b")
    assert wrong.status == "incorrect"
    assert wrong.feedback == ("KEYFEEDBACK-beta is wrong because of reasons.",)
    assert grade(q, None).status == "invalid"
    assert grade(q, "zz").status == "invalid"


def test_multiple_select_needs_exactly_the_right_set(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = v(demo_bank, "pick-many")
    assert grade(q, ["a", "b"]).correct
    assert grade(q, ["b", "a"]).correct
    extra = grade(q, ["a", "b", "c"])
    assert extra.status == "incorrect" and extra.feedback == ("KEYFEEDBACK-three is not right.",)
    missing = grade(q, ["a"])
    assert missing.status == "incorrect" and missing.feedback == ("You left out 1 correct option.",)
    assert grade(q, []).status == "invalid"
    assert grade(q, ["a", "nope"]).status == "invalid"


@pytest.mark.parametrize(("response", "status"), [(False, "correct"), ("false", "correct"), ("No", "correct"), (True, "incorrect"), ("yes", "incorrect"), ("maybe", "invalid"), (None, "invalid")])
def test_true_false(demo_bank, response, status) -> None:  # type: ignore[no-untyped-def]
    assert grade(v(demo_bank, "tf"), response).status == status


def test_true_false_wrong_answer_explains(demo_bank) -> None:  # type: ignore[no-untyped-def]
    assert grade(v(demo_bank, "tf"), True).feedback == ("KEYFEEDBACK-tf the sky is not green.",)


def test_numeric_answer_is_computed_by_pricing(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = v(demo_bank, "cost")
    assert q.answer == pytest.approx(lambda_cost(q.params["requests"], 987, 1234))
    for typed in (f"{q.answer:.2f}", f"${q.answer:.2f}", f"{q.answer:.2f}".replace(".", ","), f"{q.answer:e}", f"{q.answer:.2f} USD"):
        assert grade(q, typed).correct, typed


def test_numeric_tolerance_edges(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = v(demo_bank, "cost")
    assert grade(q, q.answer + 0.0099).correct
    assert grade(q, q.answer + 0.02).status == "incorrect"


def test_numeric_mistake_gets_its_feedback(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = v(demo_bank, "cost")
    requests_only = q.params["requests"] / 1e6 * facts.value("lambda.prices.request_per_million")
    result = grade(q, f"{requests_only:.2f}")
    assert result.status == "incorrect"
    assert result.feedback == ("KEYFEEDBACK-cost only the request charge.",)


def test_numeric_order_of_magnitude_hint(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = v(demo_bank, "cost")
    result = grade(q, q.answer * 1000)
    assert result.status == "incorrect"
    assert "1,000 times too large" in result.feedback[-1]


@pytest.mark.parametrize("typed", ["", "abc", "1e999", "ñ", "x" * 10_000, "12 MB"])
def test_numeric_bad_input_is_invalid_not_wrong(demo_bank, typed: str) -> None:  # type: ignore[no-untyped-def]
    result = grade(v(demo_bank, "cost"), typed)
    assert result.status == "invalid" and result.feedback[0]


def test_numeric_right_in_another_unit_is_a_nudge() -> None:
    from course_lib.quiz import load_bank

    q = variant(load_bank("02_lambda").question("max-timeout"), "ada")
    assert grade(q, "15 min").correct
    nudge = grade(q, "15")
    assert nudge.status == "invalid"
    assert "right if you mean minutes" in nudge.feedback[0]


def test_numeric_wrong_shape_response_does_not_crash(demo_bank) -> None:  # type: ignore[no-untyped-def]
    assert grade(v(demo_bank, "cost"), {"a": 1}).status == "invalid"


@pytest.mark.parametrize("typed", ["Zyzzogeton", " zyzzogeton. ", "`ZYZZOGETON`", "zyzzzzogeton"])
def test_text_accepts_spellings_and_patterns(demo_bank, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert grade(v(demo_bank, "word"), typed).correct


def test_text_wrong_answers(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = v(demo_bank, "word")
    assert grade(q, "handled").feedback == ("KEYFEEDBACK-word close but no.",)
    assert grade(q, "something else").status == "incorrect"
    for bad in ("", "   ", "!!!", "ü" * 600):
        assert grade(q, bad).status == "invalid"
    assert grade(q, "日本語").status == "incorrect"


def test_ordering(demo_bank) -> None:  # type: ignore[no-untyped-def]
    q = v(demo_bank, "steps")
    assert grade(q, ["a", "b", "c", "d"]).correct
    wrong = grade(q, ["b", "a", "c", "d"])
    assert wrong.status == "incorrect"
    assert wrong.feedback == ("2 of 4 steps are in the right place.", "KEYFEEDBACK-steps second comes after first.")
    assert grade(q, ["a", "b", "c"]).status == "invalid"
    assert grade(q, ["a", "a", "b", "c"]).status == "invalid"


def test_build_it_names_exactly_what_is_missing(demo_bank) -> None:  # type: ignore[no-untyped-def]
    from course_lib.quiz.checks import CHECKS

    q = v(demo_bank, "build")
    with isolated_account() as account:
        assert grade(q, account).feedback == ("function demo-fn not found in the sandbox",)
        CHECKS["lambda_function"].solve(account, name="demo-fn", memory_mb=128, environment={})
        result = grade(q, account)
        assert result.status == "incorrect"
        assert result.feedback == (
            "function demo-fn exists: ok",
            "memory is 128 MB, expected 256 MB",
            "environment variable GREETING missing",
        )
        account.client("lambda").update_function_configuration(FunctionName="demo-fn", MemorySize=256, Environment={"Variables": {"GREETING": "hello"}})
        assert grade(q, account).correct


def test_build_it_without_a_running_sandbox(demo_bank) -> None:  # type: ignore[no-untyped-def]
    class Stopped:
        running = False

    assert grade(v(demo_bank, "build"), Stopped()).status == "invalid"
    assert grade(v(demo_bank, "build"), None).status == "invalid"
