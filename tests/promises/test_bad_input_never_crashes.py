"""Nothing crashes on bad input: every input gives a result or a clear error, never a traceback.

Property-based (hypothesis) over what learners and instructors feed the course: what a learner
types into a quiz, quiz bank files (arbitrary YAML, and real banks mutated), roster CSVs,
submission files, and usage figures for the price calculators. Each property keeps
``max_examples`` modest so the whole file runs in seconds; ``derandomize`` makes a failure
reproducible from the test name alone.
"""

from __future__ import annotations

import copy
import csv
import inspect
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from course_lib import pricing
from course_lib.instructor.common import FORMAT_SUBMISSION, InstructorError
from course_lib.instructor.roster import Roster, RosterError, parse_roster
from course_lib.instructor.submissions import read_submission
from course_lib.quiz.bank import bank_paths, read_bank
from course_lib.quiz.grading import Grade, grade
from course_lib.quiz.model import BuildIt
from course_lib.quiz.parsing import ParsedNumber, known_units, normalise_text, parse_number, text_problem, unit
from course_lib.quiz.variants import variant

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROOT = Path(__file__).resolve().parents[2]

# JSON/YAML-like values of any shape: what a hand-edited file can hold.
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20,
)


# -- the answer parsers ---------------------------------------------------------------------------
@SETTINGS
@given(raw=st.one_of(st.text(max_size=80), SCALARS, VALUES), expected=st.sampled_from([None, *known_units(), "parsecs"]))
def test_parse_number_gives_numbers_or_a_message(raw: Any, expected: str | None) -> None:
    parsed = parse_number(raw, expected)
    assert isinstance(parsed, ParsedNumber)
    if parsed.ok:
        assert parsed.values and all(math.isfinite(v) for v in parsed.values)
    else:
        assert parsed.values == () and parsed.message.strip()


@SETTINGS
@given(value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), decimals=st.integers(0, 6))
def test_a_number_written_plainly_reads_back(value: float, decimals: int) -> None:
    written = f"{value:.{decimals}f}"
    parsed = parse_number(written)
    assert parsed.ok, (written, parsed.message)
    assert float(written) in parsed.values


@SETTINGS
@given(
    amount=st.integers(min_value=0, max_value=10**9),
    typed=st.sampled_from(["ms", "s", "min", "h", "KB", "MB", "GB"]),
    asked=st.sampled_from(["ms", "s", "min", "h", "KB", "MB", "GB"]),
    space=st.sampled_from(["", " ", "  "]),
)
def test_a_number_with_a_unit_is_converted_or_refused_clearly(amount: int, typed: str, asked: str, space: str) -> None:
    parsed = parse_number(f"{amount}{space}{typed}", asked)
    got, want = unit(typed), unit(asked)
    assert got is not None and want is not None
    if got.dimension != want.dimension:
        assert not parsed.ok and asked in parsed.message  # "15 MB" for a duration: says what is asked
        return
    assert parsed.ok, parsed.message
    assert parsed.values[0] == pytest.approx(amount * got.factor / want.factor, rel=1e-9)


@SETTINGS
@given(raw=st.one_of(st.text(max_size=200), SCALARS))
def test_text_normalisation_is_stable_and_never_raises(raw: Any) -> None:
    once = normalise_text(raw)
    assert normalise_text(once) == once  # normalising twice changes nothing
    assert once == once.strip() and "  " not in once
    assert isinstance(text_problem(raw), str)
    if isinstance(raw, str):
        assert normalise_text(f'  "{raw.upper()}".  ') == normalise_text(raw.upper())  # quotes, spaces, full stop


def _real_variants() -> list[Any]:
    out = []
    for path in bank_paths():
        bank, _ = read_bank(path)
        if bank is None:
            continue  # a broken bank is test_bank's business; here we need questions to grade
        for q in bank.questions:
            if not isinstance(q, BuildIt):
                try:
                    out.append(variant(q, "hypothesis-learner"))
                except Exception:  # noqa: BLE001 - a formula failing for a draw is `course check`'s report
                    continue
    return out


VARIANTS = _real_variants()


def test_there_are_real_questions_to_grade() -> None:
    kinds = {type(v.question).__name__ for v in VARIANTS}
    assert len(VARIANTS) >= 20 and {"Numeric", "ShortText", "SingleChoice", "Ordering"} <= kinds, kinds


@SETTINGS
@given(index=st.integers(min_value=0), response=st.one_of(VALUES, st.lists(st.text(max_size=5), max_size=6)))
def test_grading_any_response_to_any_real_question_gives_a_grade(index: int, response: Any) -> None:
    v = VARIANTS[index % len(VARIANTS)]
    result = grade(v, response)
    assert isinstance(result, Grade)
    assert all(isinstance(line, str) for line in result.feedback)


# -- the bank loader ------------------------------------------------------------------------------
def _load(tmp_path: Path, text: str | bytes, name: str = "07_probe.yaml") -> tuple[Any, list[Any]]:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    bank, problems = read_bank(path)
    # Always exactly one of: a bank, or a non-empty report naming the file.
    assert (bank is None) == bool(problems)
    for problem in problems:
        assert str(problem).strip() and problem.file.endswith(name)
    return bank, problems


@SETTINGS
@given(doc=VALUES)
def test_any_yaml_document_gives_a_bank_or_a_report(tmp_path: Path, doc: Any) -> None:
    bank, problems = _load(tmp_path, yaml.safe_dump(doc, allow_unicode=True))
    assert bank is None  # nothing random is a valid bank
    assert problems


@SETTINGS
@given(text=st.text(max_size=400))
def test_any_text_gives_a_bank_or_a_report(tmp_path: Path, text: str) -> None:
    _load(tmp_path, text)


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_any_bytes_give_a_bank_or_a_report(tmp_path: Path, raw: bytes) -> None:
    _load(tmp_path, raw)


def _real_bank_documents() -> dict[str, Any]:
    """The real banks as YAML data (one being written and not yet valid YAML is test_bank's business)."""
    docs = {}
    for path in bank_paths():
        try:
            docs[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
    return docs


REAL_BANKS = _real_bank_documents()


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, here + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, here + (i,))
    return found


@SETTINGS
@given(data=st.data())
def test_a_mutated_real_bank_gives_a_bank_or_a_report(tmp_path: Path, data: st.DataObject) -> None:
    stem = data.draw(st.sampled_from(sorted(REAL_BANKS)))
    doc = copy.deepcopy(REAL_BANKS[stem])
    for _ in range(data.draw(st.integers(1, 3))):
        spots = [p for p in _paths(doc) if p]
        if not spots:
            break
        where = data.draw(st.sampled_from(spots))
        parent = doc
        for step in where[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()):
            parent[where[-1]] = data.draw(VALUES)  # a wrong type or value
        elif isinstance(parent, dict):
            del parent[where[-1]]  # a missing field
        else:
            parent.pop(where[-1])
    _load(tmp_path, yaml.safe_dump(doc, allow_unicode=True), name=f"{stem}.yaml")


@SETTINGS
@given(data=st.data())
def test_a_truncated_or_garbled_real_bank_gives_a_bank_or_a_report(tmp_path: Path, data: st.DataObject) -> None:
    stem = data.draw(st.sampled_from(sorted(REAL_BANKS)))
    text = (ROOT / "quizzes" / f"{stem}.yaml").read_text(encoding="utf-8")
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.text(max_size=8))
    _load(tmp_path, text[:cut] + junk + text[cut + len(junk) :], name=f"{stem}.yaml")


# -- the roster and submission readers ----------------------------------------------------------
def _roster_or_error(raw: bytes) -> Roster | RosterError:
    try:
        roster = parse_roster(raw, "roster.csv")
    except RosterError as err:
        assert str(err).startswith("roster.csv") and "nothing was written" in str(err)
        return err
    assert roster.students
    return roster


@SETTINGS
@given(raw=st.binary(max_size=400))
def test_any_bytes_as_a_roster_give_students_or_a_report(raw: bytes) -> None:
    _roster_or_error(raw)


@SETTINGS
@given(
    header=st.lists(st.sampled_from(["id", "name", "email", "Student ID", "First Name", "Last Name", "section", "x"]), max_size=5),
    rows=st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=6),
    sep=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_any_csv_as_a_roster_gives_students_or_a_report(header: list[str], rows: list[list[str]], sep: str, encoding: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow(header)
    writer.writerows(rows)
    result = _roster_or_error(out.getvalue().encode(encoding, "surrogatepass"))
    if isinstance(result, Roster):  # what is accepted is usable: ids name files, no duplicates
        ids = [s.id.casefold() for s in result.students]
        assert len(ids) == len(set(ids)) and all(s.id and s.name for s in result.students)


def test_roster_error_is_the_instructor_error_the_cli_reports() -> None:
    assert issubclass(RosterError, InstructorError)


SUBMISSION_LIKE = st.fixed_dictionaries(
    {"format": st.sampled_from([FORMAT_SUBMISSION, "course-submission/0", 1])},
    optional={
        "student": st.one_of(VALUES, st.fixed_dictionaries({"id": st.one_of(st.text(max_size=8), VALUES)})),
        "assignment": VALUES,
        "assignment_digest": VALUES,
        "answers": VALUES,
        "revision": VALUES,
        "checksum": VALUES,
    },
)


def _read(tmp_path: Path, raw: bytes, name: str = "hw1-s001.submission.json") -> tuple[Any, str, str]:
    path = tmp_path / name
    path.write_bytes(raw)
    doc, text, problem = read_submission(path, name)
    assert (doc is None) == bool(problem)  # a document, or a sentence saying what is wrong
    if doc is not None:
        assert isinstance(doc["answers"], dict) and isinstance(doc["student"]["id"], str)
    return doc, text, problem


@SETTINGS
@given(raw=st.binary(max_size=400))
def test_any_bytes_as_a_submission_give_a_document_or_a_problem(tmp_path: Path, raw: bytes) -> None:
    _read(tmp_path, raw)


@SETTINGS
@given(doc=st.one_of(VALUES, SUBMISSION_LIKE), cut=st.integers(min_value=0, max_value=400))
def test_any_json_as_a_submission_gives_a_document_or_a_problem(tmp_path: Path, doc: Any, cut: int) -> None:
    text = json.dumps(doc, allow_nan=True)
    _read(tmp_path, text.encode("utf-8"))
    if 0 < cut < len(text):
        _read(tmp_path, text[:cut].encode("utf-8"))  # an interrupted upload


def test_a_real_format_submission_is_read() -> None:
    """The generated documents above can be accepted: the property is not vacuous."""
    import tempfile

    doc = {"format": FORMAT_SUBMISSION, "student": {"id": "s001"}, "assignment": "hw1", "assignment_digest": "d", "answers": {}}

    with tempfile.TemporaryDirectory() as folder:
        got, _, problem = _read(Path(folder), json.dumps(doc).encode())
    assert problem == "" and got == doc


# -- the price calculators ---------------------------------------------------------------------------
# The smallest valid call of each calculator; every other argument keeps its default.
BASE: dict[str, dict[str, Any]] = {
    "lambda": {"requests": 1000, "duration_ms": 100, "memory_mb": 128},
    "lambda_provisioned": {"concurrency": 1, "memory_mb": 128, "hours": 1},
    "apigateway": {"requests": 1000},
    "cloudwatch_logs": {"ingested_gb": 1},
    "cognito": {"mau": 10},
    "ec2": {"instance_type": next(iter(pricing.ec2_instance_types()))},
    "fargate": {"vcpu": 1, "memory_gb": 2},
    "firehose": {"records": 1000},
    "sns": {"publishes": 1000},
    "sqs": {"requests": 1000},
    "stepfunctions": {"executions": 1000},
    "dynamodb": {},
    "s3": {},
    "eventbridge": {},
    "kinesis": {},
}
# Sizes that select a configuration rather than measure usage (more is not always dearer or valid).
CONFIGURATION = {"memory_mb", "vcpu", "memory_gb", "ephemeral_storage_mb", "ephemeral_storage_gb", "shards", "streams"}


def _numeric_params() -> list[tuple[str, str]]:
    found = []
    for service, func in sorted(pricing.CALCULATORS.items()):
        for name, param in inspect.signature(func).parameters.items():
            default = BASE[service].get(name, param.default)
            if name in ("month", "free_tier") or isinstance(default, bool):
                continue
            if isinstance(default, (int, float)) or (default is None and name == "hours"):
                found.append((service, name))
    return found


NUMERIC_PARAMS = _numeric_params()
USAGE_PARAMS = [(s, n) for s, n in NUMERIC_PARAMS if n not in CONFIGURATION]
ANY_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, -1, -0.0, 1e-300, 1e15, 1e300, 1.7e308, float("nan"), float("inf"), float("-inf")]),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
)


def test_every_calculator_is_covered() -> None:
    assert set(BASE) == set(pricing.CALCULATORS)
    assert len(USAGE_PARAMS) >= 25, USAGE_PARAMS
    for service, args in BASE.items():
        assert math.isfinite(pricing.CALCULATORS[service](**args).total)


def _price(service: str, **changes: Any) -> float | pricing.PricingInputError:
    try:
        cost = pricing.CALCULATORS[service](**{**BASE[service], **changes})
    except pricing.PricingInputError as err:
        assert str(err).strip()
        return err
    total = cost.total
    assert isinstance(total, float) and math.isfinite(total) and total >= -1e-9, (service, changes, total)
    return total


@SETTINGS
@given(which=st.sampled_from(NUMERIC_PARAMS), value=ANY_NUMBER, free_tier=st.booleans())
def test_any_number_gives_a_price_or_a_pricing_input_error(which: tuple[str, str], value: Any, free_tier: bool) -> None:
    service, name = which
    _price(service, **{name: value}, free_tier=free_tier)


@SETTINGS
@given(
    which=st.sampled_from(USAGE_PARAMS),
    a=st.floats(min_value=0, max_value=1e12, allow_nan=False),
    b=st.floats(min_value=0, max_value=1e12, allow_nan=False),
    free_tier=st.booleans(),
)
def test_more_usage_never_costs_less(which: tuple[str, str], a: float, b: float, free_tier: bool) -> None:
    service, name = which
    low, high = sorted((a, b))
    cheap, dear = _price(service, **{name: low}, free_tier=free_tier), _price(service, **{name: high}, free_tier=free_tier)
    assume(not isinstance(cheap, Exception) and not isinstance(dear, Exception))  # e.g. a whole-number count
    assert dear >= cheap - 1e-9 * max(1.0, abs(cheap)), (service, name, low, high, cheap, dear)


@SETTINGS
@given(requests=st.integers(min_value=0, max_value=10**12), duration_ms=st.floats(min_value=0, max_value=900_000))
def test_the_free_tier_never_raises_a_lambda_bill(requests: int, duration_ms: float) -> None:
    paid = pricing.lambda_cost(requests, duration_ms, 512)
    free = pricing.lambda_cost(requests, duration_ms, 512, free_tier=True)
    assert 0 <= free <= paid


EXTREMES = [0, -1, -0.0, 1e-300, 0.5, 1e15, 1e300, 1.7e308, 10**400, float("nan"), float("inf"), float("-inf"), "12", None, True]


@pytest.mark.parametrize("service,name", NUMERIC_PARAMS)
def test_every_extreme_number_gives_a_price_or_a_pricing_input_error(service: str, name: str) -> None:
    """Every calculator argument against every extreme, not a sample: an overflow to inf (a bill
    of "$inf") or an OverflowError is caught here even when the random search misses it."""
    for value in EXTREMES:
        for free_tier in (False, True):
            _price(service, **{name: value}, free_tier=free_tier)
