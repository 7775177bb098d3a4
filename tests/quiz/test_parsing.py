"""Reading numbers and short answers as people type them (property-based where it counts)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from course_lib.quiz.parsing import normalise_text, parse_number, text_problem


@pytest.mark.parametrize(
    "typed",
    ["0.2", "$0.20", "0,2", "2e-1", ".2", "0.20 USD", "USD 0.2", "US$0.2", "0.2$", "0.2 dollars", " 0.2 ", "０.２", "2E-1"],
)
def test_the_ways_people_write_one_fifth(typed: str) -> None:
    parsed = parse_number(typed, "USD")
    assert parsed.ok, parsed.message
    assert parsed.values[0] == pytest.approx(0.2)


def test_typographic_minus_and_sign_before_currency() -> None:
    assert parse_number("\u22120.5").values == (-0.5,)
    assert parse_number("-$0.5", "USD").values == (-0.5,)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1,000,000", 1_000_000),
        ("1 000 000", 1_000_000),
        ("1_000_000", 1_000_000),
        ("1'000'000", 1_000_000),
        ("1.000.000", 1_000_000),
        ("1,000,000.5", 1_000_000.5),
        ("1.000.000,5", 1_000_000.5),
        ("12,5", 12.5),
        ("0,250", 0.25),
    ],
)
def test_thousands_and_decimal_separators(typed: str, value: float) -> None:
    assert parse_number(typed).values[0] == pytest.approx(value)


def test_ambiguous_comma_keeps_both_readings() -> None:
    assert parse_number("1,500").values == (1500.0, 1.5)


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [("15 min", "s", 900), ("900000 ms", "s", 900), ("0.25 h", "s", 900), ("1 GB", "MB", 1024), ("900 seconds", "s", 900)],
)
def test_compatible_units_are_converted(typed: str, unit: str, value: float) -> None:
    assert parse_number(typed, unit).values[0] == pytest.approx(value)


@pytest.mark.parametrize(
    ("typed", "unit", "says"),
    [
        ("", "USD", "Type a number first"),
        ("   ", None, "Type a number first"),
        ("abc", None, "could not read"),
        ("éé", None, "could not read"),
        ("🙂", None, "could not read"),
        ("1e999", None, "far too large"),
        ("9" * 40, None, "far too large"),
        ("1" * 200, None, "too long"),
        ("12 MB", "USD", "US dollars"),
        ("12 parsecs", "s", "did not recognise the unit"),
        ("5 s", None, "leave out the unit"),
        ("1,2,3", None, "separators"),
        ("$5 MB", "USD", "two different units"),
    ],
)
def test_unreadable_input_gets_a_friendly_message(typed: str, unit: str | None, says: str) -> None:
    parsed = parse_number(typed, unit)
    assert not parsed.ok
    assert says in parsed.message


def test_numbers_and_non_numbers_passed_directly() -> None:
    assert parse_number(3).values == (3.0,)
    assert not parse_number(float("nan")).ok
    assert not parse_number(True).ok
    assert not parse_number(None).ok


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_never_raises_on_any_text(typed: str) -> None:
    parsed = parse_number(typed, "USD")
    assert parsed.ok or parsed.message
    assert all(math.isfinite(v) for v in parsed.values)


@given(finite)
def test_repr_round_trips(x: float) -> None:
    assert x in parse_number(repr(x)).values


@given(finite)
def test_scientific_notation_round_trips(x: float) -> None:
    assert parse_number(f"{x:e}").values[0] == pytest.approx(x, rel=1e-6, abs=1e-300)


@given(finite)
def test_us_thousands_with_dollar_sign(x: float) -> None:
    written = f"${x:,.2f}" if x >= 0 else f"-${-x:,.2f}"
    assert any(v == pytest.approx(round(x, 2), abs=0.006) for v in parse_number(written, "USD").values)


@given(finite)
def test_decimal_comma_with_dot_or_space_thousands(x: float) -> None:
    us = f"{x:,.3f}"
    for written in (us.replace(",", "_").replace(".", ",").replace("_", "."), us.replace(",", " ").replace(".", ",")):
        readings = parse_number(written).values
        assert any(v == pytest.approx(round(x, 3), abs=0.0006) for v in readings), (written, readings)


@given(st.text(max_size=600))
def test_text_normalisation_is_idempotent_and_never_raises(typed: str) -> None:
    once = normalise_text(typed)
    assert normalise_text(once) == once
    text_problem(typed)


@pytest.mark.parametrize("typed", ["Unhandled", "  unhandled ", "`Unhandled`", '"UNHANDLED".', "Ｕｎｈａｎｄｌｅｄ"])
def test_short_text_normalises_case_width_quotes(typed: str) -> None:
    assert normalise_text(typed) == "unhandled"


def test_brackets_survive_normalisation() -> None:
    assert normalise_text("aws.reset().") == "aws.reset()"


@pytest.mark.parametrize(("typed", "says"), [("", "Type an answer"), ("  ", "Type an answer"), ("x" * 501, "very long"), ("?!.", "only punctuation")])
def test_text_problems(typed: str, says: str) -> None:
    assert says in text_problem(typed)
