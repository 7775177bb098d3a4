"""Figures that explain how things run (cost figures live in ``plots``).

Every function returns the matplotlib Figure and the data it drew, so tests check the data,
not pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from course_lib.runtime.logs import Report

INIT_COLOUR = "#e8833a"
INVOKE_COLOUR = "#3a78c2"


@dataclass(frozen=True)
class LifecycleRow:
    label: str
    init_ms: float
    duration_ms: float
    billed_ms: int
    cold: bool


def lifecycle_timeline(reports: Sequence[Report], labels: Sequence[str] | None = None) -> tuple[Figure, list[LifecycleRow]]:
    """One bar per invocation: INIT (cold starts only) then the handler's run, from REPORT lines."""
    rows = [
        LifecycleRow(
            label=(labels[i] if labels else f"request {i + 1}"),
            init_ms=r.init_ms or 0.0,
            duration_ms=r.duration_ms,
            billed_ms=r.billed_ms,
            cold=r.init_ms is not None,
        )
        for i, r in enumerate(reports)
    ]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(rows) + 1.6))
    for y, row in enumerate(rows):
        if row.cold:
            ax.barh(y, row.init_ms, color=INIT_COLOUR, label="INIT (cold start)" if y == 0 or not rows[0].cold else None)
        ax.barh(y, row.duration_ms, left=row.init_ms, color=INVOKE_COLOUR, label="INVOKE (your handler)" if y == 0 else None)
        ax.text(row.init_ms + row.duration_ms, y, f"  billed {row.billed_ms} ms ({'cold' if row.cold else 'warm'})", va="center", fontsize=9)
    ax.set_yticks(range(len(rows)), [r.label for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("time (ms), measured by the local runtime")
    ax.set_title("Cold and warm starts: what each request spent, from its REPORT line")
    longest = max((r.init_ms + r.duration_ms for r in rows), default=1.0)
    ax.set_xlim(0, longest * 1.6)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles))
    # Below the axes: inside, it would cover the bars' labels.
    fig.legend(unique.values(), unique.keys(), loc="lower center", ncol=2, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig, rows


# -- chapter 10: Cognito ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MauCostRow:
    mau: int
    lite: float
    essentials: float
    plus: float


def cognito_mau_costs(max_mau: int = 200_000, points: int = 21) -> tuple[Figure, list[MauCostRow]]:
    """Monthly Cognito bill against monthly active users for the three plans (free tier applied).

    Prices come from ``course_lib.pricing.cognito_cost`` and so from the facts file.
    """
    from course_lib import pricing

    step = max(1, max_mau // (points - 1))
    rows = [
        MauCostRow(
            mau,
            pricing.cognito_cost(mau, "lite", free_tier=True).total,
            pricing.cognito_cost(mau, "essentials", free_tier=True).total,
            pricing.cognito_cost(mau, "plus", free_tier=True).total,
        )
        for mau in range(0, max_mau + 1, step)
    ]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = [r.mau for r in rows]
    for plan, colour in (("lite", "#7fb069"), ("essentials", INVOKE_COLOUR), ("plus", INIT_COLOUR)):
        ax.plot(xs, [getattr(r, plan) for r in rows], label=plan.capitalize(), color=colour, linewidth=2)
    ax.set_xlabel("monthly active users (MAUs)")
    ax.set_ylabel("Cognito bill per month (USD)")
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v / 1000:,.0f}k")
    ax.yaxis.set_major_formatter(lambda v, _pos: f"${v:,.0f}")
    ax.set_title("Cognito user pools: you pay per user who signs in that month")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig, rows


# --------------------------------------------------------------------------------------------
# Chapter 01: scaling out, the service map, the typical architecture
# --------------------------------------------------------------------------------------------
COLD_COLOUR = INIT_COLOUR
WARM_COLOUR = INVOKE_COLOUR


@dataclass(frozen=True)
class BurstBar:
    request: int
    wave: int
    environment: int
    sent_ms: float
    done_ms: float
    cold: bool


def burst_timeline(
    requests: Sequence[object], title: str | None = None, pause_ms: float = 40.0
) -> tuple[Figure, list[BurstBar]]:
    """One row per AWS execution environment (modeled), one bar per request (measured times).

    ``requests`` are :class:`course_lib.scaling.Request` objects (``fleet.requests``). The time
    between waves (however long you paused between cells) is drawn as ``pause_ms``; within a
    wave, times are as measured."""
    shift: dict[int, float] = {}
    end = 0.0
    for wave in sorted({r.wave for r in requests}):  # type: ignore[attr-defined]
        members = [r for r in requests if r.wave == wave]  # type: ignore[attr-defined]
        first = min(r.sent_ms for r in members)  # type: ignore[attr-defined]
        shift[wave] = (end + pause_ms if shift else 0.0) - first
        end = max(r.done_ms for r in members) + shift[wave]  # type: ignore[attr-defined]
    bars = [
        BurstBar(r.number, r.wave, r.environment, r.sent_ms + shift[r.wave], r.done_ms + shift[r.wave], r.cold)  # type: ignore[attr-defined]
        for r in requests
    ]
    environments = max((b.environment for b in bars), default=1)
    fig, ax = plt.subplots(figsize=(8, 0.32 * environments + 1.9))
    for cold, colour in ((True, COLD_COLOUR), (False, WARM_COLOUR)):  # one call per colour: fast to draw
        group = [b for b in bars if b.cold is cold]
        if group:
            ax.barh([b.environment for b in group], [b.done_ms - b.sent_ms for b in group],
                    left=[b.sent_ms for b in group], height=0.6, color=colour, edgecolor="white")
    waves = sorted({b.wave for b in bars})
    for wave in waves:
        first = min(b.sent_ms for b in bars if b.wave == wave)
        ax.axvline(first, color="#999999", linestyle=":", linewidth=1)
        ax.text(first, environments + 0.9, f" wave {wave}", fontsize=8, color="#555555", va="bottom")
    ax.set_ylim(environments + 1.6, 0.3)
    ax.set_yticks(range(1, environments + 1), [f"env {i}" for i in range(1, environments + 1)], fontsize=8)
    ax.set_xlabel("time (ms): measured within each wave, pauses between waves shortened")
    ax.set_ylabel("AWS execution environment (modeled)")
    ax.set_title(title or "A burst scales out: which environment each request would use on AWS")
    from matplotlib.patches import Patch

    fig.legend(
        [Patch(color=COLD_COLOUR), Patch(color=WARM_COLOUR)],
        ["new environment (cold start)", "reused environment (warm start)"],
        loc="lower center", ncol=2, fontsize=9, frameon=False,
    )
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig, bars


FAAS_COLOUR = "#FF9900"
MANAGED_COLOUR = "#3a78c2"


def service_map() -> tuple[Figure, dict[str, list[str]]]:
    """The AWS serverless services by category (``course_lib.serverless.SERVICES``), FaaS in orange."""
    from matplotlib.patches import FancyBboxPatch

    from course_lib import serverless

    drawn = {c: [s.name for s in serverless.services_in(c)] for c in serverless.CATEGORIES}
    columns = 3
    rows = -(-len(serverless.CATEGORIES) // columns)
    fig, ax = plt.subplots(figsize=(9, 5.6))
    ax.set_xlim(0, columns)
    ax.set_ylim(0, rows)
    ax.axis("off")
    for index, category in enumerate(serverless.CATEGORIES):
        col, row = index % columns, rows - 1 - index // columns
        ax.add_patch(FancyBboxPatch((col + 0.04, row + 0.05), 0.92, 0.9, boxstyle="round,pad=0.01,rounding_size=0.04",
                                    facecolor="#f4f4f4", edgecolor="#bbbbbb"))
        ax.text(col + 0.5, row + 0.86, category, ha="center", va="center", fontsize=10, fontweight="bold")
        services = serverless.services_in(category)
        for k, service in enumerate(services):
            y = row + 0.7 - k * 0.17
            colour = FAAS_COLOUR if service.kind == serverless.FAAS else MANAGED_COLOUR
            ax.add_patch(FancyBboxPatch((col + 0.12, y - 0.065), 0.76, 0.13, boxstyle="round,pad=0.005,rounding_size=0.03",
                                        facecolor=colour, edgecolor="none"))
            chapter = f"  (ch. {service.chapter:02d})" if service.chapter is not None else ""
            ax.text(col + 0.5, y, service.name + chapter, ha="center", va="center", fontsize=8.5, color="white")
    from matplotlib.patches import Patch

    fig.legend([Patch(color=FAAS_COLOUR), Patch(color=MANAGED_COLOUR)],
               ["functions as a service (your code, run per event)", "managed serverless service (you configure, AWS runs)"],
               loc="lower center", ncol=2, fontsize=9, frameon=False)
    ax.set_title("AWS serverless services by category (the chapter that teaches each)")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig, drawn


@dataclass(frozen=True)
class ArchitectureEdge:
    source: str
    target: str
    label: str
    main_path: bool


# (name, x, y, caption) of the typical serverless web application, and how requests flow.
ARCHITECTURE_NODES: tuple[tuple[str, float, float, str], ...] = (
    ("Browser", 0.6, 2.2, "the user"),
    ("Cognito", 2.6, 3.5, "sign-in, tokens"),
    ("S3", 2.6, 0.9, "static site"),
    ("API Gateway", 4.7, 2.2, "HTTPS API"),
    ("Lambda", 6.8, 2.2, "business logic"),
    ("DynamoDB", 8.9, 2.2, "data"),
    ("SNS", 6.8, 0.6, "events"),
    ("SQS", 8.9, 0.6, "work queue"),
)
ARCHITECTURE_EDGES: tuple[ArchitectureEdge, ...] = (
    ArchitectureEdge("Browser", "Cognito", "1 sign in", True),
    ArchitectureEdge("Browser", "S3", "2 load the site", True),
    ArchitectureEdge("Browser", "API Gateway", "3 call the API with the token", True),
    ArchitectureEdge("API Gateway", "Lambda", "4 invoke", True),
    ArchitectureEdge("Lambda", "DynamoDB", "5 read/write", True),
    ArchitectureEdge("Lambda", "SNS", "publish", False),
    ArchitectureEdge("SNS", "SQS", "fan out", False),
)


def typical_architecture() -> tuple[Figure, list[ArchitectureEdge]]:
    """The typical serverless web application: Cognito, a static site on S3, API Gateway, Lambda,
    DynamoDB, with SNS and SQS on the side for work that can happen later."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from course_lib import serverless

    kinds = {s.name: s.kind for s in serverless.SERVICES}
    where = {name: (x, y) for name, x, y, _ in ARCHITECTURE_NODES}
    fig, ax = plt.subplots(figsize=(9, 4.2))
    ax.set_xlim(-0.1, 9.6)
    ax.set_ylim(0.1, 4.1)
    ax.axis("off")
    half_w, half_h = 0.62, 0.32
    for name, x, y, caption in ARCHITECTURE_NODES:
        colour = "#777777" if name == "Browser" else (FAAS_COLOUR if kinds.get(name) == serverless.FAAS else MANAGED_COLOUR)
        ax.add_patch(FancyBboxPatch((x - half_w, y - half_h), 2 * half_w, 2 * half_h,
                                    boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=colour, edgecolor="none"))
        ax.text(x, y + 0.07, name, ha="center", va="center", color="white", fontsize=9.5, fontweight="bold")
        ax.text(x, y - 0.16, caption, ha="center", va="center", color="white", fontsize=7.5)
    for edge in ARCHITECTURE_EDGES:
        (x1, y1), (x2, y2) = where[edge.source], where[edge.target]
        arrow = FancyArrowPatch((x1, y1), (x2, y2), arrowstyle="-|>", mutation_scale=12,
                                color="#333333" if edge.main_path else "#999999",
                                linestyle="-" if edge.main_path else "--", linewidth=1.3,
                                shrinkA=34, shrinkB=34)
        ax.add_patch(arrow)
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        if abs(x2 - x1) < 0.01:  # vertical: label beside the arrow
            dx, dy, ha, va = 0.1, 0.0, "left", "center"
        elif abs(y2 - y1) < 0.01:  # horizontal: label above it
            dx, dy, ha, va = 0.0, 0.1, "center", "bottom"
        else:  # diagonal: label to its left
            dx, dy, ha, va = -0.08, 0.0, "right", "center"
        ax.text(mx + dx, my + dy, edge.label, ha=ha, va=va, fontsize=7.5,
                color="#333333" if edge.main_path else "#777777")
    ax.set_title("The typical serverless web application (dashed: work done later, off the request path)")
    fig.tight_layout()
    return fig, list(ARCHITECTURE_EDGES)


# -- chapter 06: queue depth over the course clock --------------------------------------------
@dataclass(frozen=True)
class DepthSeries:
    label: str
    peak_depth: int
    peak_at_s: float
    drained_at_s: float | None


def queue_depth(runs: dict[str, object], title: str = "A fast producer and slow consumers: the queue absorbs the burst") -> tuple[Figure, list[DepthSeries]]:
    """Queue depth against course time, one line per run of ``queue_workers.backlog``.

    ``runs`` maps a label to a ``BacklogRun`` (anything with ``times_s``, ``depth``,
    ``produce_for_s``, ``peak_depth``, ``peak_at_s`` and ``drained_at_s``).
    """
    colours = ["#d62728", "#2ca02c", "#1f77b4", "#9467bd"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    rows = []
    producing = max(getattr(r, "produce_for_s") for r in runs.values())
    ax.axvspan(0, producing, color="#f2f2f2", zorder=0)
    ax.text(producing / 2, 0.97, "producer sending", transform=ax.get_xaxis_transform(), ha="center", va="top",
            fontsize=9, color="#555555")
    for (label, run), colour in zip(runs.items(), colours):
        ax.plot(run.times_s, run.depth, color=colour, linewidth=2.2, label=label, zorder=3, clip_on=False)
        rows.append(DepthSeries(label, run.peak_depth, run.peak_at_s, run.drained_at_s))
        if run.peak_depth > 0:
            ax.annotate(f"peak {run.peak_depth}", (run.peak_at_s, run.peak_depth), textcoords="offset points",
                        xytext=(8, 4), fontsize=9, color=colour)
            if run.drained_at_s is not None:
                ax.annotate(f"empty again at {run.drained_at_s:.0f} s", (run.drained_at_s, 0), textcoords="offset points",
                            xytext=(6, 10), fontsize=9, color=colour)
    top = max(max(r.depth) for r in runs.values())
    ax.set_xlabel("course time (s)")
    ax.set_ylabel("messages waiting in the queue")
    ax.set_title(title)
    ax.set_ylim(bottom=-0.03 * (top + 1), top=top * 1.15 + 1)
    ax.set_xlim(0, max(r.times_s[-1] for r in runs.values()))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=9, frameon=False)
    fig.tight_layout()
    return fig, rows


# --------------------------------------------------------------------------------------------
# Chapter 05: which S3 event reached which destination
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteCell:
    event: str  # "PUT images/cat.png", "DELETE images/notes.txt"
    destination: str
    delivered: bool


def notification_routes(
    events: Sequence[str], destinations: Sequence[str], delivered: dict[str, set[str]],
    title: str = "Where each S3 event went (observed in the sandbox)",
) -> tuple[Figure, list[RouteCell]]:
    """A grid: one row per S3 event, one column per destination, a filled cell where it arrived.

    ``delivered`` maps a destination to the events it actually received (read back from the
    queues, logs and tables the demo used), so the picture shows what happened, not the config.
    """
    cells = [RouteCell(e, d, e in delivered.get(d, set())) for e in events for d in destinations]
    fig, ax = plt.subplots(figsize=(1.9 * len(destinations) + 3.2, 0.5 * len(events) + 1.6))
    for cell in cells:
        x, y = destinations.index(cell.destination), events.index(cell.event)
        colour = INVOKE_COLOUR if cell.delivered else "#eeeeee"
        ax.add_patch(plt.Rectangle((x - 0.45, y - 0.4), 0.9, 0.8, color=colour))
        ax.text(x, y, "delivered" if cell.delivered else "-", ha="center", va="center", fontsize=9,
                color="white" if cell.delivered else "#888888")
    ax.set_xlim(-0.5, len(destinations) - 0.5)
    ax.set_ylim(len(events) - 0.5, -0.5)
    ax.set_xticks(range(len(destinations)), destinations, fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(events)), events, fontsize=9, family="monospace")
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(title, pad=28, fontsize=11)
    fig.tight_layout()
    return fig, cells


# -- Step Functions: a state machine with an execution's path, and its timeline (chapter 08) -------

from typing import Callable  # noqa: E402  (this section's own import)

SFN_STATUS_COLOURS = {
    "succeeded": "#2e7d32",
    "retried": "#f9a825",
    "caught": "#ef6c00",
    "failed": "#c62828",
    "not run": "#eceff1",
}


@dataclass(frozen=True)
class StateBox:
    """One top-level state as drawn: where, and how the execution (if any) left it."""

    name: str
    state_type: str
    layer: int
    column: float
    status: str  # a key of SFN_STATUS_COLOURS
    detail: str  # nested states of a Map or Parallel, or ""


@dataclass(frozen=True)
class StateEdge:
    source: str
    target: str
    kind: str  # "next", "choice", "default", "catch"
    label: str
    taken: bool


def _sfn_rule_label(rule: dict) -> str:
    """A Choice rule in a few words: ``total >= 100``."""
    ops = {"NumericGreaterThanEquals": ">=", "NumericGreaterThan": ">", "NumericLessThan": "<",
           "NumericLessThanEquals": "<=", "NumericEquals": "==", "StringEquals": "==",
           "BooleanEquals": "is"}
    variable = str(rule.get("Variable", "")).removeprefix("$.")
    for key, symbol in ops.items():
        if key in rule:
            value = rule[key]
            return f"{variable} {symbol} {str(value).lower() if isinstance(value, bool) else value}"
    return "rule"


def _sfn_edges(definition: dict) -> list[tuple[str, str, str, str]]:
    edges = []
    for name, state in (definition.get("States") or {}).items():
        if state.get("Next"):
            edges.append((name, state["Next"], "next", ""))
        for rule in state.get("Choices") or []:
            if rule.get("Next"):
                edges.append((name, rule["Next"], "choice", _sfn_rule_label(rule)))
        if state.get("Default"):
            edges.append((name, state["Default"], "default", "default"))
        for catch in state.get("Catch") or []:
            if catch.get("Next"):
                errors = ", ".join(catch.get("ErrorEquals") or [])
                edges.append((name, catch["Next"], "catch", f"catch {errors}"))
    return edges


def _sfn_inner(state: dict) -> str:
    if state.get("Type") == "Parallel":
        return " | ".join(", ".join((b.get("States") or {}).keys()) for b in state.get("Branches") or [])
    if state.get("Type") == "Map":
        block = state.get("ItemProcessor") or state.get("Iterator") or {}
        return "each item: " + ", ".join((block.get("States") or {}).keys())
    return ""


def _sfn_layout(definition: dict) -> dict[str, tuple[int, float]]:
    """(layer, column) per state: layers by distance from StartAt; error exits to the right."""
    states = definition.get("States") or {}
    edges = _sfn_edges(definition)
    layer: dict[str, int] = {}
    start = definition.get("StartAt")
    frontier = [start] if start in states else []
    if frontier:
        layer[start] = 0
    while frontier:
        nxt = []
        for node in frontier:
            for a, b, _kind, _label in edges:
                if a == node and b in states and b not in layer:
                    layer[b] = layer[a] + 1
                    nxt.append(b)
        frontier = nxt
    for name in states:
        layer.setdefault(name, max(layer.values(), default=-1) + 1)
    parents: dict[str, list[str]] = {}
    for a, b, kind, _label in edges:
        parents.setdefault(b, []).append(a)
    column: dict[str, float] = {}
    for depth in sorted(set(layer.values())):
        names = [n for n in states if layer[n] == depth]
        # Error exits (reached only through Catch) go to the right of the main flow.
        caught_only = [n for n in names if all(k == "catch" for a, b, k, _ in edges if b == n) and n in parents]
        main = [n for n in names if n not in caught_only]
        placed = sorted(main, key=lambda n: sum(column.get(p, 0.0) for p in parents.get(n, [])) / max(1, len(parents.get(n, []))))
        offset = (len(placed) - 1) / 2
        for i, name in enumerate(placed):
            column[name] = i - offset
        right = max((column[n] for n in placed), default=0.0)
        for i, name in enumerate(caught_only):
            column[name] = right + 1 + i
    return {n: (layer[n], column[n]) for n in states}


def state_machine_diagram(definition: dict, run: object | None = None, title: str | None = None) -> tuple[Figure, list[StateBox]]:
    """The state machine's top-level states and transitions, with a run's path highlighted.

    ``run`` is a :class:`course_lib.state_machines.Run` (or None for the bare definition).
    Colours say how each state ended; thick arrows are the transitions the run took.
    """
    from matplotlib.patches import FancyBboxPatch, Patch

    states = definition.get("States") or {}
    positions = _sfn_layout(definition)
    visits = list(getattr(run, "visits", []) or [])
    status_of: dict[str, str] = {}
    for visit in visits:
        if visit.name in states:
            status_of[visit.name] = visit.status
    top_path = [v.name for v in visits if v.name in states]
    taken = set(zip(top_path, top_path[1:]))
    boxes = [
        StateBox(name, state.get("Type", ""), positions[name][0], positions[name][1],
                 status_of.get(name, "not run"), _sfn_inner(state))
        for name, state in states.items()
    ]
    edges = [StateEdge(a, b, kind, label, (a, b) in taken) for a, b, kind, label in _sfn_edges(definition)
             if a in states and b in states]

    layers = max((b.layer for b in boxes), default=0) + 1
    columns = [b.column for b in boxes] or [0.0]
    x_span = max(columns) - min(columns) + 1
    box_w, box_h, x_gap, y_gap = 2.3, 0.62, 2.9, 1.05
    fig_w = max(6.5, x_span * x_gap * 0.95 + 0.6)
    fig_h = layers * y_gap * 0.7 + 1.0
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    xy = {b.name: (b.column * x_gap, -b.layer * y_gap) for b in boxes}

    for edge in edges:
        (x1, y1), (x2, y2) = xy[edge.source], xy[edge.target]
        same_layer = abs(y1 - y2) < 1e-9
        start = (x1 + (box_w / 2 if x2 > x1 else -box_w / 2), y1) if same_layer else (x1, y1 - box_h / 2)
        end = (x2 - (box_w / 2 if x2 > x1 else -box_w / 2), y2) if same_layer else (x2, y2 + box_h / 2)
        if not same_layer and abs(x1 - x2) > 1e-9 and edge.kind == "catch":
            start = (x1 + box_w / 2, y1)  # catch arrows leave from the side
        colour = "#c62828" if edge.kind == "catch" else "#37474f"
        # With a run, the path it took stands out; without one, every transition is drawn plainly.
        strong = edge.taken or run is None
        ax.annotate(
            "", xy=end, xytext=start,
            arrowprops={"arrowstyle": "-|>", "color": colour if strong else "#b0bec5",
                        "lw": (2.4 if edge.taken else 1.3) if strong else 1.0,
                        "linestyle": "--" if edge.kind == "catch" else "-", "shrinkA": 0, "shrinkB": 1},
            zorder=1,
        )
        if edge.label:
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            ax.text(mx, my, edge.label, fontsize=7.5, ha="center", va="center",
                    color=colour if strong else "#78909c",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9}, zorder=3)

    for box in boxes:
        x, y = xy[box.name]
        visited = box.status != "not run"
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.03",
                                    fc=SFN_STATUS_COLOURS[box.status], ec="#37474f", lw=1.1, zorder=2))
        ink = "white" if visited and box.status != "retried" else "#263238"
        ax.text(x, y + 0.12, box.name, ha="center", va="center", fontsize=9, weight="bold", color=ink, zorder=4)
        retries = sum(v.retries for v in visits if v.name == box.name)
        kind = box.state_type + (f" ({box.detail})" if box.detail else "") + (f", retried x{retries}" if retries else "")
        ax.text(x, y - 0.14, kind, ha="center", va="center", fontsize=7, color=ink, zorder=4)

    xs = [p[0] for p in xy.values()] or [0.0]
    ys = [p[1] for p in xy.values()] or [0.0]
    ax.set_xlim(min(xs) - box_w / 2 - 0.3, max(xs) + box_w / 2 + 1.0)
    ax.set_ylim(min(ys) - box_h / 2 - 0.25, max(ys) + box_h / 2 + 0.25)
    ax.set_axis_off()
    status = getattr(run, "status", None)
    ax.set_title(title or (f"Path of execution {getattr(run, 'name', '')}: {status}" if run else "State machine"), fontsize=10)
    if run is not None:
        shown = [s for s in SFN_STATUS_COLOURS if any(b.status == s for b in boxes)]
        handles = [Patch(fc=SFN_STATUS_COLOURS[s], ec="#37474f", label=s) for s in shown]
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    else:
        fig.tight_layout()
    return fig, boxes


@dataclass(frozen=True)
class TimelineBar:
    """One drawn segment of an execution timeline, in seconds of course time since it started."""

    row: str
    kind: str  # "state", "attempt", "backoff", "wait"
    start_s: float
    end_s: float
    status: str
    label: str


def _squeeze(points: list[float], cap: float) -> Callable[[float], float]:
    """Piecewise-linear time axis: gaps longer than ``cap`` seconds are drawn ``cap`` wide."""
    marks = sorted(set(points))
    shown = [0.0]
    for a, b in zip(marks, marks[1:]):
        shown.append(shown[-1] + min(b - a, cap))

    def to_axis(t: float) -> float:
        for i, (a, b) in enumerate(zip(marks, marks[1:])):
            if t <= b:
                width = b - a
                part = (t - a) / width if width else 0.0
                return shown[i] + part * (shown[i + 1] - shown[i])
        return shown[-1] + (t - marks[-1]) if marks else t

    return to_axis


def execution_timeline(run: object, title: str | None = None) -> tuple[Figure, list[TimelineBar]]:
    """Every state the execution entered, as bars on its course-time axis.

    Task attempts are drawn separately (red failed, green succeeded) with the backoff wait
    between them hatched; Wait states are hatched blue. Waits far longer than the work around
    them are squeezed, and the axis says how long they really were.
    """
    from matplotlib.patches import Patch

    visits = list(getattr(run, "visits"))
    origin = run.started  # type: ignore[attr-defined]

    def secs(when: object) -> float:
        return (when - origin).total_seconds()  # type: ignore[operator]

    end_all = max([secs(v.exited) for v in visits if v.exited] + [secs(run.stopped)])  # type: ignore[attr-defined]
    top = (getattr(run, "definition", {}) or {}).get("States") or {}
    counts: dict[str, int] = {}
    bars: list[TimelineBar] = []
    rows: list[str] = []
    for visit in visits:
        counts[visit.name] = counts.get(visit.name, 0) + 1
        row = ("" if visit.name in top else "\u21b3 ") + visit.name + (f" ({counts[visit.name]})" if counts[visit.name] > 1 else "")
        rows.append(row)
        start = secs(visit.entered)
        end = secs(visit.exited) if visit.exited else (end_all if visit.state_type != "Fail" else start)
        if visit.attempts:
            for attempt in visit.attempts:
                a_start = secs(attempt.started)
                if attempt.waited_s:
                    bars.append(TimelineBar(row, "backoff", a_start - attempt.waited_s, a_start, "backoff",
                                            f"backoff {_human(attempt.waited_s)}"))
                a_end = secs(attempt.ended) if attempt.ended else a_start
                status = "succeeded" if attempt.succeeded else "failed"
                label = ""
                if attempt is visit.attempts[-1] and len(visit.attempts) > 1 and attempt.succeeded:
                    label = f"attempt {attempt.number} succeeded"
                elif attempt is visit.attempts[-1] and not attempt.succeeded:
                    label = f"{attempt.error or 'failed'} (caught)" if visit.exited else (attempt.error or "failed")
                bars.append(TimelineBar(row, "attempt", a_start, a_end, status, label))
        elif visit.state_type == "Wait":
            bars.append(TimelineBar(row, "wait", start, end, "wait", f"Wait {_human(end - start)}"))
        else:
            bars.append(TimelineBar(row, "state", start, end, visit.status, ""))

    points = [0.0, end_all] + [b.start_s for b in bars] + [b.end_s for b in bars]
    work = sorted(set(points))
    short_gaps = [b - a for a, b in zip(work, work[1:]) if b - a < 60]
    cap = max(2.0, 1.2 * max(short_gaps, default=1.0)) if end_all > 60 else max(end_all, 1e-3)
    to_axis = _squeeze(points, cap)
    span = max(to_axis(end_all), 1e-6)
    min_width = span * 0.008

    fig, ax = plt.subplots(figsize=(9, 0.36 * len(rows) + 1.7))
    style = {
        "succeeded": {"color": SFN_STATUS_COLOURS["succeeded"]},
        "retried": {"color": SFN_STATUS_COLOURS["retried"]},
        "caught": {"color": SFN_STATUS_COLOURS["caught"]},
        "failed": {"color": SFN_STATUS_COLOURS["failed"]},
        "backoff": {"color": "#fff3e0", "hatch": "///", "edgecolor": "#ef6c00"},
        "wait": {"color": "#e3f2fd", "hatch": "///", "edgecolor": "#1565c0"},
    }
    index = {row: i for i, row in enumerate(rows)}
    for bar in bars:
        left = to_axis(bar.start_s)
        width = max(to_axis(bar.end_s) - left, min_width)
        ax.barh(index[bar.row], width, left=left, height=0.62, linewidth=0.8, **style[bar.status])
        if bar.label:
            inside = bar.kind in ("backoff", "wait") and width > span * 0.12
            ax.text(left + width / 2 if inside else left + width + span * 0.006, index[bar.row], bar.label,
                    va="center", ha="center" if inside else "left", fontsize=7.5,
                    color=SFN_STATUS_COLOURS["failed"] if bar.status == "failed" else "#263238",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85} if inside else None)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.invert_yaxis()
    # Mark squeezed stretches so the axis never pretends a day is two seconds wide.
    for a, b in zip(work, work[1:]):
        if b - a > cap:
            x = to_axis(a) + (to_axis(b) - to_axis(a)) / 2
            ax.axvspan(to_axis(a), to_axis(b), color="#f5f5f5", zorder=0)
            ax.text(x, len(rows) - 0.35, f"{_human(b - a)}\n(squeezed)", ha="center", va="bottom", fontsize=7, color="#546e7a")
    if end_all < 1.0:  # all work, no waiting: a plain millisecond axis
        step = next(s for s in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5) if end_all / s <= 8)
        ticks = [i * step for i in range(int(end_all / step) + 1)]
    else:
        ticks = [0.0] + [b for a, b in zip(work, work[1:]) if b - a >= 1.0]
        if end_all - ticks[-1] >= 1.0:
            ticks.append(end_all)
    tick_x = [to_axis(t) for t in ticks]
    keep: list[int] = []
    for i, x in enumerate(tick_x):  # drop ticks that would print on top of each other
        if not keep or x - tick_x[keep[-1]] > span * 0.07:
            keep.append(i)
    ax.set_xticks([tick_x[i] for i in keep], [_human(ticks[i]) for i in keep], fontsize=8)
    ax.set_xlim(0, span * 1.3)
    ax.set_xlabel("course time since the execution started", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or f"Timeline of execution {getattr(run, 'name', '')}: {getattr(run, 'status', '')}", fontsize=10)
    kinds = {b.status for b in bars}
    legend = [(s, SFN_STATUS_COLOURS[s]) for s in ("succeeded", "retried", "caught", "failed") if s in kinds]
    handles = [Patch(fc=c, label=s if s != "failed" else "failed attempt or state") for s, c in legend]
    if "backoff" in kinds:
        handles.append(Patch(fc="#fff3e0", ec="#ef6c00", hatch="///", label="retry backoff"))
    if "wait" in kinds:
        handles.append(Patch(fc="#e3f2fd", ec="#1565c0", hatch="///", label="Wait state"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig, bars


def _human(seconds: float) -> str:
    from course_lib.state_machines import human_span

    return human_span(seconds) if seconds >= 0.5 else f"{seconds * 1000:.0f} ms"


# --------------------------------------------------------------------------------------------
# Chapter 04: DynamoDB partitions, and query vs scan
# --------------------------------------------------------------------------------------------
GOOD_KEY_COLOUR = "#2ca02c"
BAD_KEY_COLOUR = "#d62728"


def partition_spread(good: object, bad: object) -> tuple[Figure, dict[str, tuple[int, ...]]]:
    """Items per partition for a good and a bad partition key, side by side.

    ``good`` and ``bad`` are :class:`course_lib.partitions.KeySpread` objects; the dashed line
    is a perfectly even share."""
    spreads = [good, bad]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, spread, colour, verdict in zip(axes, spreads, (GOOD_KEY_COLOUR, BAD_KEY_COLOUR), ("good key", "bad key")):
        counts = spread.counts  # type: ignore[attr-defined]
        ax.bar(range(len(counts)), counts, color=colour)
        ax.axhline(spread.items / spread.partitions, color="#555555", linestyle="--", linewidth=1)  # type: ignore[attr-defined]
        ax.set_xticks(range(len(counts)), [str(i + 1) for i in range(len(counts))])
        ax.set_xlabel("partition (modeled)")
        ax.set_title(
            f"{verdict}: {spread.attribute}\n{spread.distinct_values:,} distinct values, busiest {spread.hottest_share:.0%}",  # type: ignore[attr-defined]
            fontsize=10,
        )
    axes[0].set_ylabel("items")
    fig.suptitle("Where the same items would live, by partition key (dashed: an even share)", fontsize=11)
    fig.tight_layout()
    return fig, {s.attribute: tuple(s.counts) for s in spreads}  # type: ignore[attr-defined]


def query_vs_scan(costs: Sequence[object]) -> tuple[Figure, list[tuple[str, int, int, float]]]:
    """Items read, items returned and read units of a Query and a Scan that return the same items.

    ``costs`` are :class:`course_lib.capacity.ReadCost` objects."""
    rows = [(c.operation, c.items_read, c.items_returned, c.read_units) for c in costs]  # type: ignore[attr-defined]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    names = [r[0] for r in rows]
    positions = range(len(rows))
    for offset, column, colour, label in ((-0.2, 1, "#7f7f7f", "items read"), (0.2, 2, INVOKE_COLOUR, "items returned")):
        xs = [p + offset for p in positions]
        ys = [r[column] for r in rows]
        axes[0].bar(xs, ys, width=0.4, color=colour, label=label)
        for x, y in zip(xs, ys):
            axes[0].text(x, y, f"{y:,}", ha="center", va="bottom", fontsize=8)
    axes[0].set_xticks(list(positions), names)
    axes[0].set_title("Items read and returned", fontsize=10)
    axes[0].legend(fontsize=8, loc="upper left")
    axes[1].bar(list(positions), [r[3] for r in rows], color=INIT_COLOUR, width=0.5)
    for p, r in zip(positions, rows):
        axes[1].text(p, r[3], f"{r[3]:g}", ha="center", va="bottom", fontsize=9)
    axes[1].set_xticks(list(positions), names)
    axes[1].set_title("Read units consumed (what you pay for)", fontsize=10)
    for ax in axes:
        ax.set_ylim(0, ax.get_ylim()[1] * 1.15)  # room for the labels
    fig.suptitle("Same answer, different work: Query vs Scan", fontsize=11)
    fig.tight_layout()
    return fig, rows


# -- chapter 12: CloudWatch ------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardSeries:
    metric: str
    statistic: str
    minutes: tuple[int, ...]  # minutes since the start of the window
    values: tuple[float, ...]


def lambda_dashboard(
    cloudwatch: object,
    function_name: str,
    start: "dt.datetime",
    end: "dt.datetime",
    period: int = 60,
    alarm_threshold: float | None = None,
) -> tuple[Figure, dict[str, DashboardSeries]]:
    """A CloudWatch-dashboard-like view of one function: four Lambda metrics per period.

    Data come from ``get_metric_data`` on the client you pass, as a real dashboard reads them.
    ``alarm_threshold`` draws the Errors alarm's threshold.
    """
    import datetime as dt  # noqa: F401 - for the annotation above

    panels = [("Invocations", "Sum"), ("Errors", "Sum"), ("Duration", "Average"), ("Throttles", "Sum")]
    queries = [
        {
            "Id": f"m{i}",
            "MetricStat": {
                "Metric": {"Namespace": "AWS/Lambda", "MetricName": name,
                           "Dimensions": [{"Name": "FunctionName", "Value": function_name}]},
                "Period": period,
                "Stat": stat,
            },
        }
        for i, (name, stat) in enumerate(panels)
    ]
    results = cloudwatch.get_metric_data(  # type: ignore[attr-defined]
        MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending"
    )["MetricDataResults"]
    series: dict[str, DashboardSeries] = {}
    origin = start.timestamp()
    for (name, stat), result in zip(panels, sorted(results, key=lambda r: r["Id"])):
        pairs = sorted(zip(result["Timestamps"], result["Values"]), key=lambda p: p[0])
        minutes = tuple(int(round((t.timestamp() - origin) / 60)) for t, _ in pairs)
        series[name] = DashboardSeries(name, stat, minutes, tuple(float(v) for _, v in pairs))
    fig, axes = plt.subplots(2, 2, figsize=(10, 5.5), sharex=True)
    colours = {"Invocations": INVOKE_COLOUR, "Errors": "#c23a3a", "Duration": "#7fb069", "Throttles": INIT_COLOUR}
    span = max(1, int(round((end.timestamp() - origin) / 60)))
    for ax, (name, stat) in zip(axes.flat, panels):
        data = series[name]
        ax.bar(data.minutes, data.values, width=0.8 * period / 60, color=colours[name], align="edge")
        ax.set_title(f"{name} ({stat}, per {period // 60} min)", fontsize=10)
        ax.set_xlim(0, span)
        ax.grid(alpha=0.3)
        top = max(data.values + ((alarm_threshold or 0.0) if name == "Errors" else 0.0,), default=0.0)
        ax.set_ylim(0, top * 1.25 if top > 0 else 1)  # an empty panel reads 0 to 1, not -0.05 to 0.05
        if name == "Errors" and alarm_threshold is not None:
            ax.axhline(alarm_threshold, color="black", linestyle="--", linewidth=1)
            ax.text(0.2, alarm_threshold, "alarm threshold", va="bottom", ha="left", fontsize=8)
        if name == "Duration":
            ax.set_ylabel("ms")
    for ax in axes[1]:
        ax.set_xlabel("minutes (course clock)")
    fig.suptitle(f"Lambda function {function_name}: a dashboard built from CloudWatch metrics")
    # fixed margins: tight_layout measures every tick label, slow for four panels
    fig.subplots_adjust(left=0.07, right=0.98, top=0.88, bottom=0.1, hspace=0.35, wspace=0.18)
    return fig, series


# -- chapter 07: fan-out and schedules ---------------------------------------------------------
@dataclass(frozen=True)
class FanoutBranch:
    """One subscription drawn by :func:`fanout`: where it goes, its filter, what it received."""

    name: str
    protocol: str
    filter: str
    received: int


def fanout(topic: str, branches: Sequence[FanoutBranch], published: int,
           title: str = "One publish, many deliveries: SNS fan-out") -> tuple[Figure, list[FanoutBranch]]:
    """The publisher, the topic and one box per subscription, each labelled with its filter and
    how many of the ``published`` messages it received."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    n = len(branches)
    height = max(3.2, 1.1 * n + 1.0)
    fig, ax = plt.subplots(figsize=(9, height))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, height)
    ax.axis("off")

    def box(x: float, y: float, w: float, h: float, text: str, colour: str) -> None:
        ax.add_patch(FancyBboxPatch((x, y - h / 2), w, h, boxstyle="round,pad=0.05,rounding_size=0.12",
                                    facecolor=colour, edgecolor="#444444", linewidth=1))
        ax.text(x + w / 2, y, text, ha="center", va="center", fontsize=9)

    middle = height / 2
    box(0.2, middle, 1.8, 0.8, f"publisher\n{published} message{'s' if published != 1 else ''}", "#eeeeee")
    box(3.0, middle, 1.9, 0.9, f"SNS topic\n{topic}", "#f7c6e0")
    ax.add_patch(FancyArrowPatch((2.05, middle), (2.95, middle), arrowstyle="-|>", mutation_scale=14, color="#444444"))
    ax.text(2.5, middle + 0.18, "Publish", ha="center", fontsize=8, color="#444444")
    colours = {"sqs": "#f4b6b6", "lambda": "#ffd699", "http": "#c6dbef", "https": "#c6dbef", "email": "#d9d9d9"}
    for i, branch in enumerate(branches):
        y = height - (i + 0.5) * (height / n) if n else middle
        box(6.9, y, 2.9, 0.75, f"{branch.protocol}: {branch.name}\nreceived {branch.received} of {published}",
            colours.get(branch.protocol, "#e5f5e0"))
        ax.add_patch(FancyArrowPatch((4.95, middle), (6.85, y), arrowstyle="-|>", mutation_scale=12,
                                     color="#444444" if branch.received else "#aaaaaa", linewidth=1))
        # The label sits on the arrow, three quarters of the way along, where arrows are apart.
        along = 0.72
        ax.text(4.95 + (6.85 - 4.95) * along, middle + (y - middle) * along, branch.filter, ha="center",
                va="center", fontsize=7.5, color="#333333",
                bbox={"facecolor": "white", "edgecolor": "#dddddd", "pad": 1.5, "boxstyle": "round,pad=0.2"})
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig, list(branches)


@dataclass(frozen=True)
class ScheduleRow:
    label: str
    runs: int
    first_at_h: float | None


def schedule_timeline(runs: dict[str, Sequence[float]], start: float, days: float,
                      title: str = "Scheduled rules firing on the course clock") -> tuple[Figure, list[ScheduleRow]]:
    """One row per schedule: a mark at each run (epoch seconds), over ``days`` from ``start``."""
    import datetime as dt

    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    fig, ax = plt.subplots(figsize=(9, 1.0 + 0.7 * len(runs)))
    rows = []
    for i, ((label, times), colour) in enumerate(zip(runs.items(), colours)):
        hours = [(t - start) / 3600 for t in times]
        ax.scatter([h / 24 for h in hours], [i] * len(hours), marker="|", s=400, linewidths=2.5, color=colour)
        rows.append(ScheduleRow(label, len(hours), hours[0] if hours else None))
    ax.set_yticks(range(len(runs)), [f"{label} ({len(t)} runs)" for label, t in runs.items()])
    ax.set_ylim(-0.6, len(runs) - 0.4)
    ax.invert_yaxis()
    ax.set_xlim(0, days)
    # Ticks at UTC midnights, labelled with the day that starts there.
    first = dt.datetime.fromtimestamp(start, dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    midnights = [first + dt.timedelta(days=d) for d in range(1, int(days) + 2)]
    positions = [(m.timestamp() - start) / 86400 for m in midnights if (m.timestamp() - start) / 86400 <= days]
    ax.set_xticks(positions, [m.strftime("%a") for m in midnights[: len(positions)]], fontsize=8)
    ax.set_xlabel("course time: days after the rules were created (ticks at midnight UTC)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title)
    fig.tight_layout()
    return fig, rows


# -- chapter 11: Aurora Serverless v2 --------------------------------------------------------------


def aurora_capacity_plot(runs: dict[str, object], hours: bool = True) -> Figure:
    """Simulated capacity (ACUs) of one or more :class:`course_lib.aurora_capacity.CapacityRun`
    against the load they served; the shaded area is the load."""
    fig, ax = plt.subplots(figsize=(9, 4.2))
    first = next(iter(runs.values()))
    xs = [i / 60 if hours else i for i in range(len(first.load))]  # type: ignore[attr-defined]
    ax.fill_between(xs, first.load, color="#cccccc", label="ACUs the work needs (load)", step="post")  # type: ignore[attr-defined]
    colours = [INVOKE_COLOUR, INIT_COLOUR, "#7fb069"]
    for (colour, style), (label, run) in zip(zip(colours, ("-", "--", ":")), runs.items()):
        ax.step(xs, run.capacity, where="post", color=colour, linewidth=1.8, linestyle=style, label=label)  # type: ignore[attr-defined]
    ax.set_xlabel("hour of the day" if hours else "minute")
    ax.set_ylabel("Aurora capacity units (ACUs)")
    ax.set_title("Aurora Serverless v2 (simulated): capacity follows the load, fast up and slowly down")
    ax.set_xlim(0, xs[-1])
    ax.set_ylim(0, max(max(r.capacity) for r in runs.values()) * 1.15 + 0.5)  # type: ignore[attr-defined]
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=9, loc="upper left")
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.13)
    return fig


# -- Kinesis and Firehose: how keys spread over shards, and the streaming pipeline (chapter 09) -----

@dataclass(frozen=True)
class ShardLoad:
    """How many records one partition-key scheme put on one shard."""

    scheme: str
    shard_id: str
    records: int
    share: float  # of that scheme's records


def shard_spread(counts: dict[str, dict[str, int]], title: str | None = None) -> tuple[Figure, list[ShardLoad]]:
    """Records per shard for each partition-key scheme (``{scheme: {shard_id: records}}``).

    A dashed line marks an even spread; a bar far above it is a *hot shard*, which reaches its
    write limit while the others idle.
    """
    schemes = list(counts)
    shard_ids = sorted({s for per in counts.values() for s in per})
    rows = []
    for scheme in schemes:
        total = sum(counts[scheme].values()) or 1
        rows += [ShardLoad(scheme, s, counts[scheme].get(s, 0), counts[scheme].get(s, 0) / total) for s in shard_ids]
    fig, axes = plt.subplots(1, len(schemes), figsize=(4.2 * len(schemes), 3.4), sharey=True, squeeze=False)
    for ax, scheme in zip(axes[0], schemes):
        mine = [r for r in rows if r.scheme == scheme]
        even = 100 / len(shard_ids)
        ax.bar([str(int(r.shard_id.rsplit("-", 1)[-1])) for r in mine], [r.share * 100 for r in mine],
               color=["#c62828" if r.share * 100 > 1.5 * even else "#1565c0" for r in mine])
        ax.axhline(even, color="#37474f", linestyle="--", linewidth=1)
        ax.text(0.99, 0.97, "dashed line: an even spread", transform=ax.transAxes, va="top", ha="right",
                fontsize=7.5, color="#37474f")
        for i, r in enumerate(mine):
            ax.text(i, r.share * 100 + 1.5, f"{r.records}", ha="center", va="bottom", fontsize=8, zorder=3,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
        ax.set_title(f"partition key: {scheme}", fontsize=10)
        ax.set_xlabel("shard number", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("% of the records")
    axes[0][0].set_ylim(0, 105)
    fig.suptitle(title or "Where the records went: one bar per shard (numbers are records)", fontsize=10)
    fig.tight_layout()
    return fig, rows


@dataclass(frozen=True)
class PipelineStep:
    name: str
    detail: str
    column: int
    row: int


def pipeline_diagram(steps: list[tuple[str, str]], branches: list[tuple[str, str, int]] = (),
                     title: str = "") -> tuple[Figure, list[PipelineStep]]:
    """A left-to-right data pipeline: ``steps`` as (name, detail) on the main line, and
    ``branches`` as (name, detail, column of the step they read from) drawn below it."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    placed = [PipelineStep(name, detail, i, 0) for i, (name, detail) in enumerate(steps)]
    placed += [PipelineStep(name, detail, source + 1, 1) for name, detail, source in branches]
    columns = max(s.column for s in placed) + 1
    fig, ax = plt.subplots(figsize=(max(8, 1.95 * columns), 2.9 if branches else 1.9))
    w, h, gap_x, gap_y = 1.55, 0.72, 1.95, 1.15

    def centre(step: PipelineStep) -> tuple[float, float]:
        return step.column * gap_x, -step.row * gap_y

    for step in placed:
        x, y = centre(step)
        main = step.row == 0
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.03,rounding_size=0.08",
                                    fc="#1565c0" if main else "#6a1b9a", ec="none"))
        ax.text(x, y + 0.14, step.name, ha="center", va="center", color="white", fontsize=8.5, weight="bold")
        ax.text(x, y - 0.15, step.detail, ha="center", va="center", color="white", fontsize=7, linespacing=1.1)
    main_steps = [s for s in placed if s.row == 0]
    for a, b in zip(main_steps, main_steps[1:]):
        (x1, y1), (x2, y2) = centre(a), centre(b)
        ax.add_patch(FancyArrowPatch((x1 + w / 2, y1), (x2 - w / 2, y2), arrowstyle="-|>", mutation_scale=12,
                                     color="#37474f", linewidth=1.3))
    for step in placed:
        if step.row == 1:
            source = next(s for s in main_steps if s.column == step.column - 1)
            (x1, y1), (x2, y2) = centre(source), centre(step)
            ax.add_patch(FancyArrowPatch((x1 + 0.2, y1 - h / 2), (x2 - w / 2, y2), arrowstyle="-|>",
                                         mutation_scale=12, color="#6a1b9a", linewidth=1.2,
                                         connectionstyle="angle,angleA=-90,angleB=180,rad=0"))
    ax.set_xlim(-w / 2 - 0.1, (columns - 1) * gap_x + w / 2 + 0.1)
    ax.set_ylim(-(gap_y if branches else 0) - h / 2 - 0.1, h / 2 + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig, placed


# --------------------------------------------------------------------------------------------
# Chapter 03: where API Gateway answered each request
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GatewayBar:
    step: str
    status: int
    requests: int


def gateway_outcomes(entries: Sequence[object], title: str = "Who answered each request (this chapter's REST calls)") -> tuple[Figure, list[GatewayBar]]:
    """One bar per gateway step, split by the status it answered with.

    ``entries`` are :class:`course_lib.wiring.rest_pipeline.Entry` objects (``rest_pipeline.log()``):
    requests stopped by the authorizer, the usage plan or throttling never reached a function.
    """
    order = ["authorizer", "usage plan", "stage throttling", "mapping", "integration"]
    counts: dict[tuple[str, int], int] = {}
    for entry in entries:
        key = (str(getattr(entry, "answered_by")), int(getattr(entry, "status")))
        counts[key] = counts.get(key, 0) + 1
    steps = [s for s in order if any(k[0] == s for k in counts)] + sorted({k[0] for k in counts} - set(order))
    bars = [GatewayBar(step, status, n) for (step, status), n in sorted(counts.items(), key=lambda kv: (steps.index(kv[0][0]), kv[0][1]))]
    palette = {2: "#4a9c5d", 4: INIT_COLOUR, 5: "#c0392b"}
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(steps) + 1.6))
    left = {step: 0 for step in steps}
    for bar in bars:
        y = steps.index(bar.step)
        colour = palette.get(bar.status // 100, "#888888")
        ax.barh(y, bar.requests, left=left[bar.step], color=colour, edgecolor="white")
        left[bar.step] += bar.requests
    for y, step in enumerate(steps):  # the statuses, spelled out after each bar
        label = ", ".join(f"{b.status} ×{b.requests}" for b in bars if b.step == step)
        ax.text(left[step], y, "  " + label, va="center", fontsize=9)
    ax.set_yticks(range(len(steps)), steps)
    ax.invert_yaxis()
    ax.set_xlim(0, max(left.values(), default=1) * 1.45)
    ax.set_xlabel("requests")
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=palette[2], label="2xx"), Patch(color=palette[4], label="4xx"),
                       Patch(color=palette[5], label="5xx")], loc="upper right", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig, bars


# --------------------------------------------------------------------------------------------
# Chapter 14: the architecture of whatever the sandbox holds, drawn from course_lib.inventory
# --------------------------------------------------------------------------------------------
# (fill, border) per node kind: a light fill keeps black text readable, the border carries the colour.
ARCHITECTURE_COLOURS: dict[str, tuple[str, str]] = {
    "rest_api": ("#efe6fa", "#7b3fbf"), "http_api": ("#efe6fa", "#7b3fbf"),
    "user_pool": ("#fbe4e1", "#c0392b"),
    "rule": ("#fde6ee", "#d6336c"), "schedule": ("#fde6ee", "#d6336c"), "event_bus": ("#fde6ee", "#d6336c"),
    "function": ("#fff0de", "#ed7100"), "state_machine": ("#fbe3ee", "#b8336a"),
    "queue": ("#fff8d6", "#b58900"), "topic": ("#fde6f4", "#b5338a"),
    "stream": ("#e2f4f7", "#138d9c"), "delivery_stream": ("#e2f4f7", "#138d9c"),
    "bucket": ("#e6f3df", "#3f8624"), "table": ("#e1ecf8", "#2e73b8"),
    "external": ("#eeeeee", "#777777"),
}
# Shapes say the role: where events come from, code that runs, messages in flight, data at rest.
ARCHITECTURE_SHAPES: dict[str, str] = {
    **dict.fromkeys(("rest_api", "http_api", "rule", "schedule", "event_bus", "user_pool", "external"), "round4,pad=0.05"),
    **dict.fromkeys(("function", "state_machine"), "round,pad=0.05,rounding_size=0.12"),
    **dict.fromkeys(("queue", "topic", "stream", "delivery_stream"), "roundtooth,pad=0.05,tooth_size=0.06"),
    **dict.fromkeys(("bucket", "table"), "square,pad=0.05"),
}
_SOURCE_KINDS = ("rest_api", "http_api", "rule", "schedule", "event_bus", "user_pool", "external")
_COMPUTE_KINDS = ("function", "state_machine")


@dataclass(frozen=True)
class ArchitectureLink:
    """One arrow drawn: every inventory edge between the same two nodes, of one kind."""

    source: str
    target: str
    kind: str
    labels: tuple[str, ...]
    drawn_label: str


@dataclass(frozen=True)
class ArchitectureBox:
    """One node as drawn: its column (layer, left to right), its height, and its outgoing arrows."""

    id: str
    name: str
    kind: str
    column: int
    y: float
    missing: bool
    links: tuple[ArchitectureLink, ...]


def _architecture_layers(inventory: object) -> dict[str, int]:
    """Left to right: what starts things, what runs, what is written; by longest trigger path."""
    from course_lib.inventory import AUTHORIZER, MAY_ACCESS, TRIGGER

    nodes = {n.id: n for n in inventory.nodes}  # type: ignore[attr-defined]
    triggers: dict[str, list[str]] = {i: [] for i in nodes}
    incoming = {i: 0 for i in nodes}
    for e in inventory.edges:  # type: ignore[attr-defined]
        # Data flows along triggers, and into what a function may write (a topic it publishes to
        # sits right of it); read access alone does not move a node (the bucket it reads from).
        if (e.kind == TRIGGER or (e.kind == MAY_ACCESS and _writes(e))) and e.source != e.target:
            triggers[e.source].append(e.target)
            incoming[e.target] += 1
    layer: dict[str, int] = {}

    def visit(node: str, depth: int, path: frozenset[str]) -> None:
        if layer.get(node, -1) >= depth:
            return
        layer[node] = depth
        for nxt in triggers[node]:
            if nxt not in path:  # a cycle (a function feeding its own queue) is drawn, not followed
                visit(nxt, depth + 1, path | {nxt})

    for node_id in sorted(nodes, key=lambda i: nodes[i].name):
        if incoming[node_id] == 0 and triggers[node_id]:
            visit(node_id, 1 if nodes[node_id].kind in _COMPUTE_KINDS else 0, frozenset({node_id}))
    for node_id in sorted(nodes, key=lambda i: nodes[i].name):  # only in cycles
        if node_id not in layer and triggers[node_id]:
            visit(node_id, 0, frozenset({node_id}))
    # Nodes only reached by "may access" or authorizer edges: just right of (or beside) who uses them.
    for e in sorted(inventory.edges, key=lambda e: (e.kind, e.source)):  # type: ignore[attr-defined]
        if e.target in layer or e.source not in layer:
            continue
        if e.kind == MAY_ACCESS:
            layer[e.target] = layer[e.source] + 1
        elif e.kind == AUTHORIZER:
            layer[e.target] = layer[e.source]
    for e in inventory.edges:  # type: ignore[attr-defined]
        if e.kind == MAY_ACCESS and e.target in layer and incoming[e.target] == 0 and not triggers[e.target]:
            layer[e.target] = max(layer[e.target], layer.get(e.source, 0) + 1)
    for node_id, node in nodes.items():  # unconnected: by kind
        if node_id not in layer:
            layer[node_id] = 0 if node.kind in _SOURCE_KINDS else 1 if node.kind in _COMPUTE_KINDS else 2
    # No empty columns.
    used = sorted(set(layer.values()))
    return {i: used.index(v) for i, v in layer.items()}


_WRITE_VERBS = ("Put", "Publish", "Send", "Write", "Update", "Delete", "Start", "Create", "Upload", "Invoke")


def _writes(edge: object) -> bool:
    actions = edge.details.get("actions", [])  # type: ignore[attr-defined]
    return any(a.split(":", 1)[-1].startswith(_WRITE_VERBS) or a.endswith(":*") for a in actions)


def _components(inventory: object) -> dict[str, int]:
    ids = [n.id for n in inventory.nodes]  # type: ignore[attr-defined]
    parent = {i: i for i in ids}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for e in inventory.edges:  # type: ignore[attr-defined]
        parent[find(e.source)] = find(e.target)
    roots: dict[str, int] = {}
    names = {n.id: n.name for n in inventory.nodes}  # type: ignore[attr-defined]
    # Components in order of their first source's name; single nodes last.
    sizes: dict[str, int] = {}
    for i in ids:
        sizes[find(i)] = sizes.get(find(i), 0) + 1
    for i in sorted(ids, key=lambda i: (sizes[find(i)] == 1, min(names[j] for j in ids if find(j) == find(i)))):
        roots.setdefault(find(i), len(roots))
    return {i: roots[find(i)] for i in ids}


def _short_label(label: str, kind: str, width: int = 24) -> str:
    """Arrow labels stay short: actions without their service prefix, at most two lines."""
    import textwrap

    if kind == "may_access":
        verbs = [v.strip() for part in label.split(";") for v in part.split(":", 1)[-1].split(",")]
        shown = verbs[:2]
        label = ", ".join(shown) + (f" +{len(verbs) - 2}" if len(verbs) > 2 else "")
    lines = textwrap.wrap(label, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "…"]
    return "\n".join(lines)


def _box_detail(node: object) -> str:
    d = node.details  # type: ignore[attr-defined]
    kind = node.kind  # type: ignore[attr-defined]
    if node.missing:  # type: ignore[attr-defined]
        return "does not exist"
    if kind == "function":
        return f"{d.get('runtime')} · {d.get('memory_mb')} MB"
    if kind == "table":
        keys = "+".join(k["name"] for k in d.get("keys", []))
        return f"key {keys}" + (" · stream" if d.get("stream") else "")
    if kind in ("rest_api", "http_api"):
        routes = len(d.get("routes", []))
        return f"{routes} route{'s' if routes != 1 else ''} · {', '.join(d.get('stages', [])) or 'no stage'}"
    if kind == "queue":
        return ("FIFO" if d.get("fifo") else "standard") + (f" · DLQ" if d.get("dead_letter_queue") else "")
    if kind in ("rule", "schedule"):
        return str(d.get("schedule") or "event pattern")
    if kind == "stream":
        return f"{d.get('shards')} shard{'s' if d.get('shards') != 1 else ''}"
    if kind == "state_machine":
        return f"{str(d.get('type', '')).lower()} · {d.get('states')} states"
    if kind == "bucket":
        count = d.get("notifications", 0)
        return f"{count} notification{'s' if count != 1 else ''}" if count else ""
    return ""


def sandbox_architecture(inventory: object, title: str = "What the sandbox holds, and what triggers what") -> tuple[Figure, list[ArchitectureBox]]:
    """A left-to-right diagram of an :class:`course_lib.inventory.Inventory`.

    Columns follow the trigger edges (what starts things, then what runs, then what it writes);
    connected resources share a horizontal band. Solid arrows trigger or deliver; dashed arrows
    are what a function's role *may* access; dotted ones link an API to its authorizer's user
    pool. Missing resources (referenced, not existing) are drawn with a red dashed outline.
    Arrows between the same two nodes are merged into one with their labels listed.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    from course_lib.inventory import AUTHORIZER, KIND_TITLES, MAY_ACCESS

    nodes = list(inventory.nodes)  # type: ignore[attr-defined]
    if not nodes:
        fig, ax = plt.subplots(figsize=(6, 1.6))
        ax.axis("off")
        ax.text(0.5, 0.5, "The sandbox holds nothing yet.", ha="center", va="center", fontsize=11)
        ax.set_title(title, fontsize=11)
        return fig, []
    by_id = {n.id: n for n in nodes}
    layer = _architecture_layers(inventory)
    band = _components(inventory)

    # Merge parallel edges of one kind into one arrow.
    merged: dict[tuple[str, str, str], list[str]] = {}
    for e in inventory.edges:  # type: ignore[attr-defined]
        merged.setdefault((e.source, e.target, e.kind), []).append(e.label)
    links = []
    for (s, t, kind), labels in merged.items():
        labels = sorted(labels)
        shown = labels if len(labels) <= 3 else labels[:2] + [f"+{len(labels) - 2} more"]
        drawn = "\n".join(_short_label(lbl, kind) for lbl in shown)
        links.append(ArchitectureLink(by_id[s].name, by_id[t].name, kind, tuple(labels), drawn))

    # Order: by band, then by the average position of neighbours (a few sweeps cut crossings).
    columns = max(layer.values()) + 1
    neighbours: dict[str, list[str]] = {n.id: [] for n in nodes}
    for (s, t, _k) in merged:
        neighbours[s].append(t)
        neighbours[t].append(s)
    order = {n.id: (band[n.id], n.kind, n.name) for n in nodes}
    rank = {nid: i for i, nid in enumerate(sorted(order, key=lambda i: order[i]))}
    for _ in range(4):
        score = {}
        for nid in rank:
            near = [rank[m] for m in neighbours[nid]]
            score[nid] = (band[nid], sum(near) / len(near) if near else rank[nid], rank[nid])
        rank = {nid: i for i, nid in enumerate(sorted(score, key=lambda i: score[i]))}
    # Each band is as tall as its fullest column; bands are stacked top to bottom.
    box_w, box_h, gap_x, gap_y = 1.85, 0.62, 1.75, 0.42
    slot = box_h + gap_y
    bands = sorted(set(band.values()))
    y_of: dict[str, float] = {}
    top = 0.0
    for b in bands:
        height = 0
        for c in range(columns):
            members = sorted((nid for nid in rank if band[nid] == b and layer[nid] == c), key=lambda i: rank[i])
            height = max(height, len(members))
        for c in range(columns):
            members = sorted((nid for nid in rank if band[nid] == b and layer[nid] == c), key=lambda i: rank[i])
            offset = (height - len(members)) / 2
            for k, nid in enumerate(members):
                y_of[nid] = top - (offset + k) * slot
        top -= height * slot + gap_y * 0.8
    x_of = {nid: layer[nid] * (box_w + gap_x) for nid in by_id}
    width = columns * box_w + (columns - 1) * gap_x
    bottom = min(y_of.values()) - box_h
    fig_w, fig_h = width + 0.6, (0 - bottom) + box_h + 1.1
    fig = plt.figure(figsize=(max(fig_w, 6.0), fig_h))
    ax = fig.add_axes((0, 0.55 / fig_h, 1, 1 - 1.0 / fig_h))
    ax.set_xlim(-box_w / 2 - 0.3 - max(0, (6.0 - fig_w) / 2), width - box_w / 2 + 0.3 + max(0, (6.0 - fig_w) / 2))
    ax.set_ylim(bottom - 0.1, box_h / 2 + 0.25)
    ax.set_aspect("equal")
    ax.axis("off")

    occupied: list[tuple[float, float, float, float]] = []  # label and box rectangles (x0, y0, x1, y1)
    for n in nodes:
        x, y = x_of[n.id], y_of[n.id]
        occupied.append((x - box_w / 2 - 0.05, y - box_h / 2 - 0.05, x + box_w / 2 + 0.05, y + box_h / 2 + 0.05))
        fill, border = ARCHITECTURE_COLOURS.get(n.kind, ("#eeeeee", "#777777"))
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                    boxstyle=ARCHITECTURE_SHAPES.get(n.kind, "round,pad=0.05"),
                                    facecolor="white" if n.missing else fill,
                                    edgecolor="#d62728" if n.missing else border,
                                    linestyle="--" if n.missing else "-", linewidth=1.8 if n.missing else 1.3, zorder=2))
        name = n.name if len(n.name) <= 24 else n.name[:23] + "…"
        ax.text(x, y + 0.19, KIND_TITLES.get(n.kind, n.kind) + (" (missing)" if n.missing else ""),
                ha="center", va="center", fontsize=6.5, color="#d62728" if n.missing else border, zorder=3)
        ax.text(x, y, name, ha="center", va="center", fontsize=8.5, weight="bold", zorder=3)
        ax.text(x, y - 0.19, _box_detail(n), ha="center", va="center", fontsize=6.5, color="#444444", zorder=3)

    def free_spot(points: list[tuple[float, float]], text: str) -> tuple[float, float]:
        lines = text.split("\n")
        w = max(len(s) for s in lines) * 0.056 + 0.08
        h = len(lines) * 0.13 + 0.06
        best, best_overlap = points[0], float("inf")
        for px, py in points:
            rect = (px - w / 2, py - h / 2, px + w / 2, py + h / 2)
            overlap = sum(max(0.0, min(rect[2], o[2]) - max(rect[0], o[0])) * max(0.0, min(rect[3], o[3]) - max(rect[1], o[1]))
                          for o in occupied)
            if overlap < best_overlap:
                best, best_overlap = (px, py), overlap
            if overlap == 0:
                break
        occupied.append((best[0] - w / 2, best[1] - h / 2, best[0] + w / 2, best[1] + h / 2))
        return best

    styles = {MAY_ACCESS: ("--", "#8a8a8a", 1.0), AUTHORIZER: (":", "#c0392b", 1.3)}
    placed: list[tuple[ArchitectureLink, float, float]] = []
    # Solid arrows first: their labels get the best spots.
    for link, key in sorted(zip(links, merged), key=lambda p: (p[0].kind == MAY_ACCESS, p[0].source, p[0].target)):
        s, t, kind = key
        (x1, y1), (x2, y2) = (x_of[s], y_of[s]), (x_of[t], y_of[t])
        style, colour, lw = styles.get(kind, ("-", "#333333", 1.3))
        if layer[t] > layer[s]:  # forward: right edge to left edge
            a, b, rad = (x1 + box_w / 2, y1), (x2 - box_w / 2, y2), 0.0
        elif layer[t] < layer[s]:  # backward: bottom to bottom, bowed downwards, clear of forward arrows
            a, b, rad = (x1 - box_w * 0.3, y1 - box_h / 2), (x2 + box_w * 0.3, y2 - box_h / 2), -0.12
        else:  # same column: bottom to top, bowed to the right
            down = y2 < y1
            a = (x1 + 0.35, y1 - box_h / 2 if down else y1 + box_h / 2)
            b = (x2 + 0.35, y2 + box_h / 2 if down else y2 - box_h / 2)
            rad = -0.3 if down else 0.3
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=11, color=colour, linewidth=lw,
                                     linestyle=style, connectionstyle=f"arc3,rad={rad}", shrinkA=2, shrinkB=2, zorder=1))
        if not link.drawn_label:
            continue
        cx, cy = (a[0] + b[0]) / 2 + rad * (b[1] - a[1]), (a[1] + b[1]) / 2 - rad * (b[0] - a[0])

        def along(tt: float) -> tuple[float, float]:
            return ((1 - tt) ** 2 * a[0] + 2 * (1 - tt) * tt * cx + tt ** 2 * b[0],
                    (1 - tt) ** 2 * a[1] + 2 * (1 - tt) * tt * cy + tt ** 2 * b[1])

        spots = [along(tt) for tt in (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)]
        lx, ly = free_spot(spots, link.drawn_label)
        ax.text(lx, ly, link.drawn_label, ha="center", va="center", fontsize=6.5, color=colour if kind != MAY_ACCESS else "#555555",
                linespacing=1.05, zorder=4, bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.92})
        placed.append((link, lx, ly))

    handles = [Line2D([], [], color="#333333", linewidth=1.3, label="triggers / delivers to"),
               Line2D([], [], color="#8a8a8a", linewidth=1.0, linestyle="--", label="may access (its role's policy)")]
    if any(e.kind == AUTHORIZER for e in inventory.edges):  # type: ignore[attr-defined]
        handles.append(Line2D([], [], color="#c0392b", linewidth=1.3, linestyle=":", label="checks tokens with"))
    if any(n.missing for n in nodes):
        handles.append(Patch(facecolor="white", edgecolor="#d62728", linestyle="--", label="referenced but missing"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=11, y=1 - 0.2 / fig_h, va="top")
    rows = []
    for n in sorted(nodes, key=lambda n: (layer[n.id], -y_of[n.id])):
        mine = tuple(link for link, key in zip(links, merged) if key[0] == n.id)
        rows.append(ArchitectureBox(n.id, n.name, n.kind, layer[n.id], round(y_of[n.id], 3), n.missing, mine))
    return fig, rows
