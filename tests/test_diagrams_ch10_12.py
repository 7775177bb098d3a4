"""Figures appended to course_lib.diagrams for chapters 10-12: check the data they drew."""

from __future__ import annotations

from course_lib import facts, pricing
from course_lib.diagrams import cognito_mau_costs


def test_cognito_mau_costs_follow_the_price_list():
    figure, rows = cognito_mau_costs(100_000, points=11)
    assert [r.mau for r in rows][:2] == [0, 10_000] and rows[-1].mau == 100_000
    free = facts.value("cognito.free_tier.essentials_mau")
    assert all(r.essentials == 0 for r in rows if r.mau <= free)
    last = rows[-1]
    assert last.essentials == pricing.cognito_cost(100_000, "essentials", free_tier=True).total
    assert last.lite < last.essentials < last.plus
    assert figure.axes[0].get_xlabel() == "monthly active users (MAUs)"


def test_lambda_dashboard_reads_the_metrics_per_minute(aws):
    import datetime as dt

    from course_lib import clock, log_metrics
    from course_lib.diagrams import lambda_dashboard
    from course_lib.runtime import deploy_function, invoke, quiet

    log_metrics.install()
    deploy_function("dash", "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('x')\n    return 1\n")
    clock.advance(to=dt.datetime.fromtimestamp((int(clock.time()) // 60 + 1) * 60 + 1, dt.timezone.utc))
    start = clock.now().replace(second=0, microsecond=0)
    with quiet():
        for minute in range(3):
            for n in range(4):
                invoke("dash", {"fail": n < minute})
            clock.advance(minutes=1)
    figure, series = lambda_dashboard(aws.client("cloudwatch"), "dash", start, start + dt.timedelta(minutes=3), alarm_threshold=2)
    assert series["Invocations"].values == (4.0, 4.0, 4.0)
    assert series["Errors"].values == (0.0, 1.0, 2.0) and series["Errors"].minutes == (0, 1, 2)
    assert series["Throttles"].values == () and len(figure.axes) == 4


def test_aurora_capacity_plot_draws_each_run():
    from course_lib import aurora_capacity
    from course_lib.diagrams import aurora_capacity_plot

    load = aurora_capacity.flash_sale_load()
    runs = {"a": aurora_capacity.simulate(load, 0, 16), "b": aurora_capacity.simulate(load, 2, 16)}
    figure = aurora_capacity_plot(runs, hours=False)
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert labels == ["a", "b"] and figure.axes[0].get_xlabel() == "minute"
