"""Chapter 14 figures: the sandbox's architecture drawn from the inventory, and pattern costs."""

from __future__ import annotations

import json

import pytest

from course_lib import inventory, patterns, plots
from course_lib.diagrams import sandbox_architecture
from course_lib.runtime import deploy_function


def test_the_diagram_draws_every_node_and_edge_of_the_inventory(aws):
    patterns.build_rest_api()
    patterns.build_file_processing()
    fn = deploy_function("lonely", "def handler(e, c):\n    return 1\n")
    events = aws.client("events")
    events.put_rule(Name="orphan", ScheduleExpression="rate(1 day)")
    events.put_targets(Rule="orphan", Targets=[{"Id": "x", "Arn": fn.arn.replace("lonely", "gone")}])
    inv = inventory.read(aws)
    figure, rows = sandbox_architecture(inv, title="test")
    assert figure.axes and {r.name for r in rows} == {n.name for n in inv.nodes}
    assert {(r.name, r.missing) for r in rows if r.missing} == {("gone", True)}
    drawn = {(l.source, l.target, l.kind, label) for r in rows for l in r.links for label in l.labels}
    assert drawn == {(inv.name_of(e.source), inv.name_of(e.target), e.kind, e.label) for e in inv.edges}
    column = {r.name: r.column for r in rows}
    # sources left of compute, compute left of what it writes; the topic before its queue
    assert column["payments-inbox"] < column["process-payments"] < column["payments"]
    assert column["payments-processed"] < column["payments-notifications"]
    assert column["orphan"] < column["gone"]
    # three routes to one function are one arrow with three labels
    api_links = [l for r in rows if r.kind == "rest_api" for l in r.links]
    assert len(api_links) == 1 and len(api_links[0].labels) == 3


def test_an_empty_sandbox_still_draws(aws):
    figure, rows = sandbox_architecture(inventory.read(aws))
    assert rows == [] and figure is not None


def test_pattern_cost_plot_holds_the_rows():
    rows = patterns.pattern_costs()
    figure, data = plots.pattern_costs(rows)
    assert len(figure.axes) == len(patterns.LEVELS)
    assert data.patterns == patterns.PATTERNS
    for i, level in enumerate(data.levels):
        for k, pattern in enumerate(data.patterns):
            row = next(r for r in rows if r.pattern == pattern and r.volume == level)
            assert sum(data.usd[i][k]) == pytest.approx(row.total) and data.totals[i][k] == row.total
    json.dumps(data.totals)
