"""EventBridge event patterns: does this event match this pattern, and why (or why not)?

    from course_lib import event_patterns
    pattern = {"source": ["shop.orders"], "detail": {"total": [{"numeric": [">=", 100]}]}}
    event_patterns.test_event_pattern(pattern, event)      # True/False, like the TestEventPattern API
    event_patterns.explain(pattern, event)                 # one line per condition, ✔ or ✘, and why
    event_patterns.tester(pattern, event)                  # a widget to edit both and re-test

What it emulates. AWS's ``TestEventPattern`` API answers only true or false, and moto 5.2.5
does not implement it (``NotImplementedError``). This module matches as EventBridge's
content filtering documents (Amazon EventBridge User Guide, "Event patterns" and "Content
filtering"):

* every field named in the pattern must match (AND); inside a field's array, any one filter
  matching is enough (OR); ``$or`` lists alternative sub-patterns;
* leaves are arrays of filters: exact values (strings case-sensitive, numbers compared as
  numbers, ``true``/``false``/``null``), ``prefix``, ``suffix``, ``equals-ignore-case``,
  ``wildcard`` (``*``), ``anything-but`` (a value, a list, or ``prefix``/``suffix``/
  ``equals-ignore-case``/``wildcard`` inside it), ``numeric`` (``["<", 10, ">=", 0]``),
  ``exists`` (true/false, leaves only) and ``cidr``;
* an array in the event matches when any of its elements matches; for an array of objects
  the sub-pattern must match within one element;
* a pattern must be a JSON object whose leaves are non-empty arrays (else the API answers
  ``InvalidEventPatternException``); :func:`problems` lists what is wrong.

The same matcher is the SNS filter-policy language for ``FilterPolicyScope: MessageBody``.

Differs from AWS: no limit on pattern size or complexity is checked here; numbers are
compared as Python floats (AWS compares to five decimal places in numeric filters);
``anything-but`` on an array of values matches if any element is not excluded.
"""

from __future__ import annotations

import html
import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any

_MISSING = object()
_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr")
_COMPARE = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b,
            ">=": lambda a, b: a >= b, ">": lambda a, b: a > b}


class InvalidEventPattern(ValueError):
    """A pattern EventBridge would refuse (``InvalidEventPatternException``)."""


@dataclass(frozen=True)
class Condition:
    """One field of the pattern checked against the event."""

    path: str
    ok: bool
    reason: str

    def line(self) -> str:
        return f"{'✔' if self.ok else '✘'} {self.path}: {self.reason}"


@dataclass(frozen=True)
class Explanation:
    """The verdict and the conditions behind it (``print`` it, or use ``matched``)."""

    matched: bool
    conditions: tuple[Condition, ...]

    def lines(self) -> list[str]:
        verdict = "MATCH: the rule would send this event to its targets" if self.matched else \
            "NO MATCH: the rule ignores this event"
        return [c.line() for c in self.conditions] + [verdict]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<li style="color:{"#1b7f3b" if c.ok else "#b00020"}">{html.escape(c.line())}</li>' for c in self.conditions
        )
        verdict = html.escape(self.lines()[-1])
        colour = "#1b7f3b" if self.matched else "#b00020"
        return f'<ul style="list-style:none;padding-left:0;font-family:monospace">{rows}</ul><b style="color:{colour}">{verdict}</b>'


# -- parsing and validation -------------------------------------------------------------------


def _load(value: Any, what: str) -> Any:
    if isinstance(value, (bytes, str)):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise InvalidEventPattern(f"The {what} is not valid JSON: {exc}") from None
    return value


def problems(pattern: Any) -> list[str]:
    """Why EventBridge would refuse this pattern (an empty list when it is valid)."""
    try:
        pattern = _load(pattern, "pattern")
    except InvalidEventPattern as exc:
        return [str(exc)]
    found: list[str] = []
    if not isinstance(pattern, dict):
        return ["An event pattern must be a JSON object."]
    _check_node(pattern, "", found)
    return found


def _check_node(node: dict[str, Any], path: str, found: list[str]) -> None:
    for key, value in node.items():
        where = f"{path}.{key}" if path else key
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
                found.append(f"{where}: $or takes a list of at least two sub-patterns (objects).")
            else:
                for sub in value:
                    _check_node(sub, path, found)
        elif isinstance(value, dict):
            _check_node(value, where, found)
        elif isinstance(value, list):
            if not value:
                found.append(f"{where}: empty arrays are not allowed.")
            for item in value:
                if isinstance(item, dict):
                    _check_operator(item, where, found)
                elif isinstance(item, list):
                    found.append(f"{where}: arrays inside a filter array are not allowed.")
        else:
            found.append(f"{where}: must be an object or an array (write [{json.dumps(value)}]).")


def _check_operator(item: dict[str, Any], where: str, found: list[str]) -> None:
    if len(item) != 1:
        found.append(f"{where}: each filter object has exactly one operator, got {sorted(item)}.")
        return
    (name, arg), = item.items()
    if name not in _OPERATORS:
        found.append(f"{where}: unknown operator {name!r} (known: {', '.join(_OPERATORS)}).")
    elif name == "numeric":
        if not isinstance(arg, list) or not arg or len(arg) % 2 or len(arg) > 4 or \
                any(op not in _COMPARE for op in arg[::2]) or \
                any(not isinstance(n, (int, float)) or isinstance(n, bool) for n in arg[1::2]):
            found.append(f'{where}: numeric takes one or two ["operator", number] pairs, e.g. [">", 0, "<=", 5].')
    elif name == "exists" and not isinstance(arg, bool):
        found.append(f"{where}: exists takes true or false.")
    elif name in ("prefix", "suffix", "wildcard", "cidr") and not isinstance(arg, (str, dict)):
        found.append(f"{where}: {name} takes a string.")


# -- matching ---------------------------------------------------------------------------------


def _scalar_equal(filter_value: Any, value: Any) -> bool:
    if isinstance(filter_value, bool) or isinstance(value, bool):
        return isinstance(filter_value, bool) and isinstance(value, bool) and filter_value == value
    if isinstance(filter_value, (int, float)) and isinstance(value, (int, float)):
        return float(filter_value) == float(value)
    return filter_value == value and type(filter_value) is type(value)


def _wildcard(pattern: str, value: str) -> bool:
    # EventBridge's only wildcard is *, and \* is a literal star.
    parts = re.split(r"(?<!\\)\*", pattern)
    regex = ".*".join(re.escape(p.replace("\\*", "*")) for p in parts)
    return re.fullmatch(regex, value, re.S) is not None


def _string_op(name: str, arg: Any, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if isinstance(arg, dict) and "equals-ignore-case" in arg:
        target, value = str(arg["equals-ignore-case"]).lower(), value.lower()
    else:
        target = arg
    if name == "prefix":
        return value.startswith(target)
    if name == "suffix":
        return value.endswith(target)
    if name == "equals-ignore-case":
        return value.lower() == str(target).lower()
    if name == "wildcard":
        return _wildcard(str(target), value)
    return False


def _operator_matches(item: dict[str, Any], value: Any) -> tuple[bool, str]:
    (name, arg), = item.items()
    shown = json.dumps(value)
    if name in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
        ok = _string_op(name, arg, value)
        return ok, f"{shown} {'matches' if ok else 'does not match'} {name} {json.dumps(arg)}"
    if name == "numeric":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return False, f"{shown} is not a number, so numeric {json.dumps(arg)} cannot match"
        ok = all(_COMPARE[op](float(value), float(limit)) for op, limit in zip(arg[::2], arg[1::2]))
        text = " and ".join(f"{op} {limit}" for op, limit in zip(arg[::2], arg[1::2]))
        return ok, f"{shown} is {'' if ok else 'not '}{text}"
    if name == "anything-but":
        if isinstance(arg, dict):
            (inner, inner_arg), = arg.items()
            hit = _string_op(inner, inner_arg, value)
            return not hit, f"{shown} {'matches' if hit else 'does not match'} {inner} {json.dumps(inner_arg)}" + \
                (" (excluded)" if hit else "")
        excluded = arg if isinstance(arg, list) else [arg]
        hit = any(_scalar_equal(e, value) for e in excluded)
        return not hit, f"{shown} is {'one of the excluded' if hit else 'not among the excluded'} {json.dumps(excluded)}"
    if name == "cidr":
        try:
            ok = ipaddress.ip_address(str(value)) in ipaddress.ip_network(str(arg), strict=False)
        except ValueError:
            ok = False
        return ok, f"{shown} is {'' if ok else 'not '}in {arg}"
    return False, f"unknown operator {name}"


def _leaf(filters: list[Any], node: Any, path: str) -> Condition:
    exists = [f for f in filters if isinstance(f, dict) and "exists" in f]
    others = [f for f in filters if f not in exists]
    is_leaf = node is not _MISSING and not isinstance(node, dict) and \
        not (isinstance(node, list) and any(isinstance(v, dict) for v in node))
    for f in exists:
        if f["exists"] and is_leaf:
            return Condition(path, True, f"present ({json.dumps(node)}), as exists: true asks")
        if not f["exists"] and node is _MISSING:
            return Condition(path, True, "absent, as exists: false asks")
    if node is _MISSING:
        if exists and exists[0]["exists"]:
            return Condition(path, False, "absent, but exists: true asks for it")
        return Condition(path, False, f"the event has no {path}, so {json.dumps(filters)} cannot match")
    if exists and not others:
        return Condition(path, False, f"present ({json.dumps(node)}), but exists: false asks for it to be absent")
    values = node if isinstance(node, list) else [node]
    reasons = []
    for f in others:
        for value in values:
            if isinstance(f, dict):
                ok, reason = _operator_matches(f, value)
            else:
                ok = _scalar_equal(f, value)
                reason = f"{json.dumps(value)} {'equals' if ok else 'is not'} {json.dumps(f)}"
            if ok:
                return Condition(path, True, reason)
            reasons.append(reason)
    if len(reasons) == 1:
        return Condition(path, False, reasons[0])
    shown = json.dumps(node)
    return Condition(path, False, f"{shown} matches none of {json.dumps(others)}")


def _match(pattern: dict[str, Any], node: Any, path: str) -> tuple[bool, list[Condition]]:
    conditions: list[Condition] = []
    ok = True
    for key, sub in pattern.items():
        if key == "$or":
            tried = [_match(alt, node, path) for alt in sub]
            winner = next((t for t in tried if t[0]), None)
            if winner:
                conditions += winner[1]
            else:
                ok = False
                conditions += [c for t in tried for c in t[1]]
                conditions.append(Condition(path or "(event)", False, "none of the $or alternatives matched"))
            continue
        where = f"{path}.{key}" if path else key
        child = node.get(key, _MISSING) if isinstance(node, dict) else _MISSING
        if isinstance(sub, dict):
            if isinstance(child, list) and any(isinstance(c, dict) for c in child):
                tried = [_match(sub, element, f"{where}[{i}]") for i, element in enumerate(child) if isinstance(element, dict)]
                winner = next((t for t in tried if t[0]), None)
                if winner:
                    conditions += winner[1]
                else:
                    ok = False
                    conditions.append(Condition(where, False, "no element of the array matches all of the sub-pattern"))
                continue
            sub_ok, sub_conditions = _match(sub, child if isinstance(child, dict) else _MISSING, where)
            ok = ok and sub_ok
            conditions += sub_conditions
        else:
            condition = _leaf(sub, child, where)
            ok = ok and condition.ok
            conditions.append(condition)
    return ok, conditions


def explain(pattern: Any, event: Any) -> Explanation:
    """Match ``event`` against ``pattern`` (dicts or JSON text) and say why, condition by condition.

    Raises :class:`InvalidEventPattern` for a pattern EventBridge would refuse.
    """
    pattern = _load(pattern, "pattern")
    event = _load(event, "event")
    found = problems(pattern)
    if found:
        raise InvalidEventPattern("InvalidEventPatternException: " + " ".join(found))
    if not pattern:
        return Explanation(True, (Condition("(event)", True, "an empty pattern matches every event"),))
    ok, conditions = _match(pattern, event, "")
    return Explanation(ok, tuple(conditions))


def test_event_pattern(pattern: Any, event: Any) -> bool:
    """What AWS's ``TestEventPattern`` API answers: does the event match?"""
    return explain(pattern, event).matched


test_event_pattern.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite its name


# -- the interactive tester -------------------------------------------------------------------


def _tester_class() -> Any:
    import ipywidgets as widgets

    class PatternTester(widgets.VBox):
        """Two editable JSON boxes and a Test button; the verdict appears below."""

        def __init__(self, pattern: Any, event: Any) -> None:
            text = lambda v: v if isinstance(v, str) else json.dumps(v, indent=2)  # noqa: E731
            self.pattern_box = widgets.Textarea(value=text(pattern), description="Pattern",
                                                layout=widgets.Layout(width="48%", height="220px"))
            self.event_box = widgets.Textarea(value=text(event), description="Event",
                                              layout=widgets.Layout(width="48%", height="220px"))
            self.button = widgets.Button(description="Test", button_style="primary")
            self.result = widgets.HTML()
            self.button.on_click(lambda _: self.test())
            super().__init__([widgets.HBox([self.pattern_box, self.event_box]), self.button, self.result])
            self.test()

        def test(self) -> Explanation | None:
            try:
                explanation = explain(self.pattern_box.value, self.event_box.value)
            except InvalidEventPattern as exc:
                self.result.value = f'<b style="color:#b00020">{html.escape(str(exc))}</b>'
                return None
            self.result.value = explanation._repr_html_()
            return explanation

        def __repr__(self) -> str:
            return "Event pattern tester: edit the pattern or the event, then press Test"

    return PatternTester


def tester(pattern: Any, event: Any) -> Any:
    """An editable pattern tester widget, already showing the verdict for ``pattern`` and ``event``."""
    return _tester_class()(pattern, event)
