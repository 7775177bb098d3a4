"""Reading what a learner typed: numbers with units, and short text answers.

Numbers are read the way people write them, not the way Python does:

* ``0.2``, ``$0.20``, ``0,2`` (decimal comma), ``2e-1``, ``.2``, ``0.20 USD``, ``−0.2`` (a
  typographic minus), full-width digits;
* thousands separators: ``1,000,000``, ``1 000 000``, ``1_000_000``, ``1'000'000``,
  ``1.000.000,5`` and ``1,000,000.5`` (when both ``,`` and ``.`` appear, the last one is the
  decimal mark);
* a unit after the number (``900 s``, ``15 min``, ``256 MB``) converted to the question's unit.

``1,500`` is genuinely ambiguous (one and a half in much of Europe, fifteen hundred in the US),
so the parser returns both readings and the grader accepts the answer if either is right.

Nothing here raises on learner input: every problem comes back as a friendly message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

MAX_INPUT_CHARS = 64  # a number longer than this is a paste accident, not an answer
MAX_MAGNITUDE = 1e15  # beyond anything the course asks; also keeps floats exact enough
MAX_TEXT_CHARS = 500


@dataclass(frozen=True)
class Unit:
    symbol: str  # canonical, as the course writes it
    dimension: str  # money, time, data, ...
    factor: float  # size of this unit in the dimension's base unit
    noun: str  # how feedback names the dimension
    words: str = ""  # how feedback names the unit itself ("seconds")

    @property
    def name(self) -> str:
        return self.words or self.symbol


_UNITS: dict[str, Unit] = {}
_ALIASES: dict[str, str] = {}


def _unit(symbol: str, dimension: str, factor: float, noun: str, words: str, *aliases: str) -> None:
    _UNITS[symbol] = Unit(symbol, dimension, factor, noun, words)
    for alias in (symbol, words, *aliases):
        _ALIASES[alias.casefold()] = symbol


_unit("USD", "money", 1.0, "an amount in US dollars", "US dollars", "$", "us$", "usd$", "dollar", "dollars")
_unit("ms", "time", 0.001, "a duration", "milliseconds", "msec", "millisecond")
_unit("s", "time", 1.0, "a duration", "seconds", "sec", "secs", "second")
_unit("min", "time", 60.0, "a duration", "minutes", "mins", "minute")
_unit("h", "time", 3600.0, "a duration", "hours", "hr", "hrs", "hour")
_unit("KB", "data", 1 / 1024, "a size", "KB", "kib", "kilobyte", "kilobytes")
_unit("MB", "data", 1.0, "a size", "MB", "mib", "megabyte", "megabytes")
_unit("GB", "data", 1024.0, "a size", "GB", "gib", "gigabyte", "gigabytes")
_unit("GB-s", "compute", 1.0, "an amount of GB-seconds", "GB-seconds", "gb-second", "gbs", "gb s", "gb·s")
_unit("requests", "count", 1.0, "a number of requests", "requests", "request", "req", "invocations", "invocation")
_unit("%", "percent", 1.0, "a percentage", "percent", "pct")


def unit(symbol: str) -> Unit | None:
    """The unit a bank names (``USD``, ``s``, ``MB``...), or None when unknown."""
    canonical = _ALIASES.get(symbol.casefold())
    return _UNITS[canonical] if canonical else None


def known_units() -> list[str]:
    return sorted(_UNITS)


def same_dimension(symbol: str) -> list[Unit]:
    """The other units that measure what ``symbol`` measures (minutes and hours for seconds)."""
    base = unit(symbol)
    return [u for u in _UNITS.values() if base and u.dimension == base.dimension and u.symbol != base.symbol]


@dataclass(frozen=True)
class ParsedNumber:
    """A learner's number: every plausible reading, in the question's unit; or a message."""

    values: tuple[float, ...] = ()
    unit: str | None = None  # the unit the learner typed, canonical, if any
    message: str = ""  # non-empty when the input could not be read

    @property
    def ok(self) -> bool:
        return not self.message


_MINUS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\ufe63\uff0d"), "-")
_CURRENCY_PREFIX = re.compile(r"^(?P<sign>[+-]?)\s*(?P<cur>us\$|usd|\$)\s*", re.I)
_NUMBER = re.compile(
    r"^(?P<num>[+-]?(?:\d[\d.,_' ]*|[.,]\d[\d_]*)(?:[eE][+-]?\d+)?)\s*(?P<unit>.*?)\s*$"
)
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")


def _readings(body: str) -> list[float] | None:
    """Every plausible float for a digit string with separators (None when malformed)."""
    mantissa, exp = body, ""
    match = re.search(r"[eE][+-]?\d+$", body)
    if match:
        mantissa, exp = body[: match.start()], match.group(0)
    sign = ""
    if mantissa[:1] in "+-":
        sign, mantissa = mantissa[0], mantissa[1:]
    # Spaces, underscores and apostrophes only ever group digits.
    grouped = re.sub(r"(?<=\d)[ _'](?=\d)", "", mantissa)
    if re.search(r"[ _']", grouped):
        return None
    commas, dots = grouped.count(","), grouped.count(".")
    candidates: list[str] = []
    if commas and dots:
        decimal = "," if grouped.rfind(",") > grouped.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, frac = grouped.rpartition(decimal)
        if frac == "" or thousands in frac or decimal in whole:
            return None
        candidates.append(whole.replace(thousands, "") + "." + frac)
    elif commas > 1 or dots > 1:
        sep = "," if commas else "."
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+", grouped):
            return None
        candidates.append(grouped.replace(sep, ""))
    elif commas == 1:
        if _GROUPED.match(grouped) and not grouped.startswith("0"):
            # "1,500": fifteen hundred (US) or one and a half (decimal comma). Keep both.
            candidates += [grouped.replace(",", ""), grouped.replace(",", ".")]
        else:
            candidates.append(grouped.replace(",", "."))
    else:
        candidates.append(grouped)
    values = []
    for text in candidates:
        try:
            values.append(float(sign + text + exp))
        except ValueError:
            return None
    return values


def parse_number(raw: object, expected_unit: str | None = None) -> ParsedNumber:
    """Read a number (and optional unit) from what the learner typed; never raises.

    With ``expected_unit``, a compatible unit the learner typed is converted (``15 min`` for a
    question in seconds gives 900); an incompatible one gives a message.
    """
    if isinstance(raw, bool):
        return ParsedNumber(message="Type a number, for example 0.25.")
    if isinstance(raw, (int, float)):
        value = float(raw)
        if not math.isfinite(value):
            return ParsedNumber(message="That is not a finite number. Type an ordinary number, for example 0.25.")
        if abs(value) > MAX_MAGNITUDE:
            return ParsedNumber(message="That number is far too large for this question. Check the order of magnitude.")
        return ParsedNumber(values=(value,))
    text = unicodedata.normalize("NFKC", str(raw) if raw is not None else "").translate(_MINUS).strip()
    if not text:
        return ParsedNumber(message="Type a number first, for example 0.25.")
    if len(text) > MAX_INPUT_CHARS:
        return ParsedNumber(message=f"That is too long to be a number ({len(text)} characters). Type just the number.")
    typed_unit: str | None = None
    prefix = _CURRENCY_PREFIX.match(text)
    if prefix:
        typed_unit = "USD"
        text = prefix.group("sign") + text[prefix.end() :]
    match = _NUMBER.match(text)
    if not match:
        return ParsedNumber(message=f"I could not read {_quote(text)} as a number. Type digits, for example 0.25.")
    suffix = match.group("unit").strip().rstrip(".")
    if suffix:
        canonical = _ALIASES.get(suffix.casefold())
        if canonical is None:
            hint = f" Answer in {expected_unit}." if expected_unit else " Type just the number."
            return ParsedNumber(message=f"I did not recognise the unit {_quote(suffix)}.{hint}")
        if typed_unit and canonical != typed_unit:
            return ParsedNumber(message=f"{_quote(str(raw).strip())} names two different units. Type just one.")
        typed_unit = canonical
    readings = _readings(match.group("num").strip())
    if readings is None:
        return ParsedNumber(message=f"I could not read {_quote(match.group('num').strip())} as a number: check the separators.")
    if any(not math.isfinite(v) for v in readings) or any(abs(v) > MAX_MAGNITUDE for v in readings):
        return ParsedNumber(message="That number is far too large for this question. Check the order of magnitude.")
    if typed_unit and expected_unit:
        want, got = unit(expected_unit), _UNITS[typed_unit]
        if want is None or got.dimension != want.dimension:
            noun = want.noun if want else expected_unit
            return ParsedNumber(message=f"This question asks for {noun} ({expected_unit}); {typed_unit} does not measure that.")
        readings = [v * got.factor / want.factor for v in readings]
    elif typed_unit and not expected_unit:
        return ParsedNumber(message=f"This question asks for a plain number: leave out the unit ({typed_unit}).")
    # Keep the first reading first: it is the one feedback talks about.
    return ParsedNumber(values=tuple(dict.fromkeys(readings)), unit=typed_unit)


def _quote(text: str, limit: int = 30) -> str:
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"


# -- short text ---------------------------------------------------------------------------------
# Brackets stay: "aws.reset()" is code, and its parentheses are part of the answer.
_EDGE_PUNCTUATION = "\"'`“”‘’«».!?;:,"


def normalise_text(raw: object) -> str:
    """Case, width, spacing and surrounding quotes/punctuation do not matter in a short answer."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).casefold()
    text = " ".join(text.split())
    return text.strip(_EDGE_PUNCTUATION + " ")


def text_problem(raw: object) -> str:
    """A friendly message when a short text answer cannot be graded, else ''."""
    if raw is None or not str(raw).strip():
        return "Type an answer first."
    if len(str(raw)) > MAX_TEXT_CHARS:
        return f"That answer is very long ({len(str(raw))} characters). A word or a short phrase is enough."
    if not normalise_text(raw):
        return "That answer is only punctuation. Type a word or a short phrase."
    return ""
