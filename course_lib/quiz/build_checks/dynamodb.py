"""Build-it checks for chapter 04: a DynamoDB table with the right keys, capacity mode, indexes,
TTL and stream."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from course_lib.quiz.checks import CheckItem, _near, build_check

MODES = {"PAY_PER_REQUEST": "on-demand", "PROVISIONED": "provisioned"}


def _key_schema(partition_key: str, sort_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    return schema


def _solve_dynamodb_table(
    sandbox: Any,
    name: str,
    partition_key: str,
    sort_key: str | None = None,
    billing_mode: str | None = None,
    gsis: Mapping[str, Mapping[str, str]] | None = None,
    ttl_attribute: str | None = None,
    stream_view_type: str | None = None,
) -> None:
    ddb = sandbox.client("dynamodb")
    attributes = {partition_key, *([sort_key] if sort_key else [])}
    indexes = []
    for index_name, gsi in (gsis or {}).items():
        attributes |= {gsi["partition_key"], *([gsi["sort_key"]] if gsi.get("sort_key") else [])}
        indexes.append({
            "IndexName": index_name,
            "KeySchema": _key_schema(gsi["partition_key"], gsi.get("sort_key")),
            "Projection": {"ProjectionType": "ALL"},
            **({"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}} if billing_mode == "PROVISIONED" else {}),
        })
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": _key_schema(partition_key, sort_key),
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "BillingMode": billing_mode or "PAY_PER_REQUEST",
    }
    if billing_mode == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    if stream_view_type:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream_view_type}
    ddb.create_table(**kwargs)
    if ttl_attribute:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute})


def _keys_of(schema: Sequence[Mapping[str, str]]) -> tuple[str | None, str | None]:
    hash_key = next((k["AttributeName"] for k in schema if k["KeyType"] == "HASH"), None)
    range_key = next((k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"), None)
    return hash_key, range_key


def _compare_keys(what: str, schema: Sequence[Mapping[str, str]], partition_key: str, sort_key: str | None,
                  types: Mapping[str, str]) -> list[CheckItem]:
    got_hash, got_range = _keys_of(schema)
    items = []
    if got_hash == partition_key:
        kind = types.get(partition_key, "?")
        items.append(CheckItem(True, f"{what} partition key is {partition_key} ({kind})"))
    else:
        items.append(CheckItem(False, f"{what} partition key is {got_hash}, expected {partition_key}"))
    if sort_key is None:
        if got_range is not None:
            items.append(CheckItem(False, f"{what} has a sort key {got_range}, expected none"))
    elif got_range == sort_key:
        items.append(CheckItem(True, f"{what} sort key is {sort_key} ({types.get(sort_key, '?')})"))
    elif got_range is None:
        items.append(CheckItem(False, f"{what} has no sort key, expected {sort_key} (a composite primary key)"))
    else:
        items.append(CheckItem(False, f"{what} sort key is {got_range}, expected {sort_key}"))
    return items


@build_check("dynamodb_table", solve=_solve_dynamodb_table)
def dynamodb_table(
    sandbox: Any,
    name: str,
    partition_key: str,
    sort_key: str | None = None,
    billing_mode: str | None = None,
    gsis: Mapping[str, Mapping[str, str]] | None = None,
    ttl_attribute: str | None = None,
    stream_view_type: str | None = None,
) -> list[CheckItem]:
    """A DynamoDB table with these keys, capacity mode, global secondary indexes, TTL and stream.

    ``gsis`` maps an index name to its ``partition_key`` and optional ``sort_key``."""
    ddb = sandbox.client("dynamodb")
    try:
        table = ddb.describe_table(TableName=name)["Table"]
    except ddb.exceptions.ResourceNotFoundException:
        names = ddb.list_tables().get("TableNames", [])
        return [CheckItem(False, f"table {name} not found in the sandbox{_near(name, names)}")]
    items = [CheckItem(True, f"table {name} exists")]
    types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
    items += _compare_keys("the table's", table["KeySchema"], partition_key, sort_key, types)
    if billing_mode is not None:
        got = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
        label, want = MODES.get(got, got), MODES.get(billing_mode, billing_mode)
        items.append(CheckItem(got == billing_mode, f"capacity mode is {label}" + ("" if got == billing_mode else f", expected {want}")))
    indexes = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
    for index_name, gsi in (gsis or {}).items():
        index = indexes.get(index_name)
        if index is None:
            hint = _near(index_name, list(indexes)).replace("the sandbox has", "the table has")
            local = {i["IndexName"] for i in table.get("LocalSecondaryIndexes", [])}
            if index_name in local:
                hint = "; it is a local secondary index, expected a global one"
            items.append(CheckItem(False, f"global secondary index {index_name} missing{hint}"))
            continue
        items.append(CheckItem(True, f"global secondary index {index_name} exists"))
        items += _compare_keys(f"index {index_name}'s", index["KeySchema"], gsi["partition_key"], gsi.get("sort_key"), types)
    if ttl_attribute is not None:
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        on = ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
        if on and ttl.get("AttributeName") == ttl_attribute:
            items.append(CheckItem(True, f"TTL is enabled on {ttl_attribute}"))
        elif on:
            items.append(CheckItem(False, f"TTL is enabled on {ttl.get('AttributeName')}, expected {ttl_attribute}"))
        else:
            items.append(CheckItem(False, f"TTL is not enabled, expected it on {ttl_attribute}"))
    if stream_view_type is not None:
        stream = table.get("StreamSpecification") or {}
        if not stream.get("StreamEnabled"):
            items.append(CheckItem(False, f"no stream, expected one with view type {stream_view_type}"))
        elif stream.get("StreamViewType") != stream_view_type:
            items.append(CheckItem(False, f"stream view type is {stream.get('StreamViewType')}, expected {stream_view_type}"))
        else:
            items.append(CheckItem(True, f"stream view type is {stream_view_type}"))
    return items
