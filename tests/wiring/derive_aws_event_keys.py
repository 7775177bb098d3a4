"""Regenerate ``aws_event_keys.json`` from AWS's sample events (a maintainer's tool, not a test).

    python tests/wiring/derive_aws_event_keys.py /path/to/reference/aws-events /path/to/check_events.py

For each sample (AWS SAM CLI's ``sam local generate-event`` templates and the aws-powertools
test events), it lists every key path the sample carries with its JSON type. Array elements
are merged: a key found in every element is required in every element. Inside free-form maps
(headers, message attributes, DynamoDB images...) only the container is required, because
their keys are sample data; keys AWS leaves out of some real events are listed as optional.
The tests read the JSON file only, so they never depend on the samples being present.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SAMPLES = {
    "apigw_rest": ["apigw_rest", "apigw_rest_pt"],
    "apigw_http": ["apigw_http", "apigw_http_pt"],
    "function_url": ["function_url"],
    "sqs": ["sqs", "sqs_pt"],
    "sns": ["sns", "sns_pt"],
    "s3_put": ["s3_put", "s3_put_pt"],
    "s3_delete": ["s3_delete", "s3_delete_pt"],
    "dynamodb_stream": ["dynamodb_stream", "dynamodb_stream_pt"],
    "kinesis": ["kinesis", "kinesis_pt"],
    "eventbridge_scheduled": ["eventbridge_scheduled"],
    "eventbridge": ["eventbridge"],
}


def main(events_dir: str, checker_path: str) -> None:
    spec = importlib.util.spec_from_file_location("check_events", checker_path)
    checker = importlib.util.module_from_spec(spec)
    sys.modules["check_events"] = checker  # dataclasses look their module up while loading
    assert spec.loader is not None
    spec.loader.exec_module(checker)
    catalog = checker.Catalog(Path(events_dir))
    out: dict[str, dict[str, object]] = {}
    for name, aliases in SAMPLES.items():
        required: dict[str, str] = {}
        optional: set[str] = set()
        for alias in aliases:
            _, reference, optional_paths = catalog.load(alias)
            rules = checker.Rules(optional=optional_paths)
            optional.update(optional_paths)

            def walk(node: object, path: str) -> None:
                if isinstance(node, checker._Sometimes):
                    return
                if path and checker._under(path, rules.optional):
                    return
                kind = checker.jtype(node)
                if path:
                    nullable = checker._match(path, rules.nullable)
                    required.setdefault(path, "null" if kind == "null" else kind + ("|null" if nullable else ""))
                if path and checker._match(path, rules.freeform):
                    return
                if isinstance(node, dict):
                    for key, value in node.items():
                        walk(value, f"{path}.{key}" if path else key)
                elif isinstance(node, list) and node:
                    walk(node[0], path + "[]")  # _normalised merged the elements already

            walk(checker._normalised(reference), "")
        out[name] = {"sources": aliases, "required": dict(sorted(required.items())), "optional": sorted(optional)}
    target = Path(__file__).with_name("aws_event_keys.json")
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
