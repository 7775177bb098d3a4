"""Per-learner variants: deterministic, different between learners, answers from course_lib."""

from __future__ import annotations

from course_lib.pricing import lambda_cost
from course_lib.quiz import load_bank, variant
from course_lib.quiz.variants import draw, permutation


def test_same_seed_same_variant_and_stable_across_processes() -> None:
    q = load_bank("02_lambda").question("monthly-cost")
    a, b = variant(q, "ada"), variant(q, "ada")
    assert a.params == b.params and a.answer == b.answer and a.digest == b.digest
    # Pinned: SHA-256 based, so it never changes with Python versions or hash randomisation.
    assert draw("ada\x1fmonthly-cost", "requests", 4) == 2
    assert permutation("seed", 5) == (3, 4, 0, 1, 2)
    assert all(sorted(permutation(f"s{i}", 7)) == list(range(7)) for i in range(50))


def test_pinned_variant_for_the_ci_learner() -> None:
    """If this changes, every learner's saved numbers change: do it only on purpose."""
    q = load_bank("02_lambda").question("monthly-cost")
    assert variant(q, "ci-learner").params == {"requests": 5000000, "duration_ms": 800, "memory_mb": 128}


def test_learners_get_different_numbers() -> None:
    q = load_bank("02_lambda").question("monthly-cost")
    drawn = {tuple(sorted(variant(q, f"learner-{i}").params.items())) for i in range(50)}
    assert len(drawn) > 20


def test_answers_are_computed_by_pricing() -> None:
    q = load_bank("02_lambda").question("monthly-cost")
    for i in range(20):
        v = variant(q, f"learner-{i}")
        p = v.params
        assert v.answer == lambda_cost(p["requests"], p["duration_ms"], p["memory_mb"])
        assert f"{p['requests']:,}" in v.render(q.prompt)


def test_options_shuffle_per_learner_but_ordering_never_starts_solved() -> None:
    bank = load_bank("02_lambda")
    orders = {variant(bank.question("handler-signature"), f"l{i}").order for i in range(30)}
    assert len(orders) > 5
    lifecycle = bank.question("lifecycle")
    identity = tuple(range(len(lifecycle.items)))
    assert all(variant(lifecycle, f"l{i}").order != identity for i in range(300))


def test_fact_answers_follow_the_facts_file() -> None:
    from course_lib import facts

    v = variant(load_bank("02_lambda").question("max-timeout"), "anyone")
    assert v.answer == facts.value("lambda.limits.timeout_max_s")
    assert v.digest == "fixed"
