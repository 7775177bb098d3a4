"""course_lib.patterns: each pattern really processes data end to end; costs follow pricing."""

from __future__ import annotations

import pytest

from course_lib import inventory, patterns, pricing


def test_rest_api_creates_reads_and_lists_orders(aws):
    api = patterns.build_rest_api()
    status, created = api.call("POST", "/orders", {"customer": "ada", "item": "teapot", "quantity": 2})
    assert status == 201 and created["status"] == "NEW" and created["quantity"] == 2
    assert api.call("GET", f"/orders/{created['order_id']}") == (200, created)
    assert api.call("GET", "/orders/nope") == (404, {"error": "no order nope"})
    assert api.call("POST", "/orders", {"customer": "bob"})[0] == 400
    assert api.call("POST", "/orders", "not json") == (400, {"error": "the body must be JSON"})
    stored = aws.resource("dynamodb").Table("orders").get_item(Key={"order_id": created["order_id"]})["Item"]
    assert stored["customer"] == "ada"
    # a second build reuses the API: the data and the URL survive
    again = patterns.build_rest_api()
    assert again.api_id == api.api_id
    assert [o["item"] for o in again.call("GET", "/orders")[1]["orders"]] == ["teapot"]


def test_file_processing_parses_stores_and_notifies(aws):
    files = patterns.build_file_processing()
    csv = patterns.payments_csv([("p-1", "ada", "12.50", "eur"), ("p-2", "bob", "lots", "eur"),
                                 ("p-3", "cy", "99", "usd"), ("p-4", "di", "-5", "usd")])
    files.upload("day-1.csv", csv)
    files.upload("notes.txt", "ignored: not a CSV")
    [summary] = files.notifications()
    assert summary["file"] == "incoming/day-1.csv" and summary["accepted"] == 2
    assert [r["line"] for r in summary["rejected"]] == [3, 5]
    assert summary["totals"] == {"EUR": "12.50", "USD": "99"}
    assert [(p["payment_id"], p["amount"], p["currency"]) for p in files.payments()] == [("p-1", "12.50", "EUR"), ("p-3", "99", "USD")]
    assert files.notifications() == []  # received and deleted
    patterns.build_file_processing()    # idempotent: still exactly one subscription and one notification
    assert len(aws.client("sns").list_subscriptions_by_topic(TopicArn=files.topic_arn)["Subscriptions"]) == 1
    files.upload("day-2.csv", patterns.payments_csv([("p-9", "ed", "1", "eur")]))
    assert [s["accepted"] for s in files.notifications()] == [1]


def test_streaming_counts_clicks_per_window_and_queries_them(aws):
    clicks = patterns.build_streaming()
    sample = patterns.sample_clicks(300)
    assert patterns.sample_clicks(300) == sample  # deterministic
    assert clicks.send(sample) == 300
    assert clicks.objects() == []  # the batching window is still open
    clicks.close_windows()
    assert len(clicks.objects()) == 2  # one batch per shard
    result = clicks.query("SELECT page, SUM(clicks) AS n FROM windows WHERE page IS NOT NULL GROUP BY page")
    humans = [c for c in sample if "bot" not in c["agent"].lower()]
    expected = {}
    for c in humans:
        expected[c["page"]] = expected.get(c["page"], 0) + 1
    assert dict(result.rows) == expected
    bots = clicks.query("SELECT SUM(bot_clicks) FROM windows").rows[0][0]
    assert bots == len(sample) - len(humans) > 0
    per_window = clicks.query("SELECT window, SUM(clicks) FROM windows GROUP BY window ORDER BY window").rows
    assert [w for w, _ in per_window] == ["2026-03-02 10:00", "2026-03-02 10:01", "2026-03-02 10:02"]


def test_handlers_are_the_files_the_notebook_shows(aws):
    patterns.build_rest_api()
    code = aws.client("lambda").get_function(FunctionName="orders-api")
    assert code["Configuration"]["Handler"] == "app.handler"
    assert "def handler(event, context)" in patterns.show_handler("orders_api")._repr_markdown_()
    with pytest.raises(ValueError, match="click_windows"):
        patterns.handler_path("nope")


def test_each_pattern_draws_what_it_built(aws):
    patterns.build_file_processing()
    inv = inventory.read(aws)
    rows = set(inv.connections())
    assert ("bucket", "payments-inbox", "ObjectCreated:* incoming/* *.csv", "function", "process-payments") in rows
    assert ("topic", "payments-processed", "sqs", "queue", "payments-notifications") in rows
    assert ("function", "process-payments", "may sns: Publish", "topic", "payments-processed") in rows
    assert ("function", "process-payments", "may dynamodb: BatchWriteItem, PutItem", "table", "payments") in rows


def test_costs_grow_with_traffic_and_match_the_calculators():
    rows = patterns.pattern_costs()
    assert len(rows) == len(patterns.PATTERNS) * len(patterns.LEVELS)
    for pattern in patterns.PATTERNS:
        mine = sorted((r for r in rows if r.pattern == pattern), key=lambda r: r.volume)
        assert [r.volume for r in mine] == list(patterns.LEVELS)
        assert mine[0].total < mine[1].total < mine[2].total
        for r in mine:
            assert r.total == pytest.approx(sum(r.by_service.values()))
            assert r.total == pytest.approx(pricing.monthly_estimate(patterns.architecture(pattern, r.volume)).total)
            assert r.assumptions == patterns.ASSUMPTIONS[pattern]["text"]
    rest = next(r for r in rows if r.pattern == "REST API" and r.volume == 1_000_000)
    a = patterns.ASSUMPTIONS["REST API"]
    assert rest.by_service["lambda"] == pytest.approx(pricing.lambda_cost(1_000_000, a["duration_ms"], a["memory_mb"]))
    assert rest.by_service["apigateway"] == pytest.approx(pricing.apigateway_cost(1_000_000, "rest").total)
    # a stream pays for its shards even when idle: the floor is the shard-hours
    stream = next(r for r in rows if r.pattern == "Streaming analytics" and r.volume == 10_000)
    assert stream.by_service["kinesis"] == pytest.approx(pricing.kinesis_cost(10_000, 0.5, shards=1).total)
    assert "| REST API (requests) |" in rows._repr_markdown_()


def test_bad_cost_input_is_explained():
    with pytest.raises(ValueError, match="pattern must be one of"):
        patterns.architecture("Monolith", 10)
    with pytest.raises(ValueError, match="cannot be negative"):
        patterns.pattern_costs(levels=(-1,))
    with pytest.raises(ValueError, match="at least one"):
        patterns.pattern_costs(levels=())


def test_real_world_examples_map_onto_the_patterns():
    table = patterns.real_world()
    assert {e.pattern.split(" ")[0] for e in table} <= {"File", "REST"}
    assert {e.example.split(" ")[0] for e in table} == {"Video", "Payments", "Webhooks"}
    assert table._repr_markdown_().count("\n") == len(table) + 1
