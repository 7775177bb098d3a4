"""Offline checks of an exported SAM template: cfn-lint, and the SAM transform to CloudFormation.

    from course_lib import sam
    report = sam.validate("my-app/template.yaml")
    report.ok, report.lint, report.transformed["Resources"].keys()

Two tools AWS publishes, run locally (no account, no network): ``cfn-lint`` checks the template
against CloudFormation's resource specification (property names and types, references to
resources that exist, values AWS accepts), and ``aws-sam-translator``, the library behind the
``AWS::Serverless`` transform, expands it into the plain CloudFormation ``sam deploy`` submits.
The transform wants code in S3, so each ``CodeUri`` folder is first swapped for an S3 location,
as ``sam package`` would after uploading it.

Differs from a real deployment: no service-side checks (limits, name clashes, whether a runtime
is still accepted on a given day); both tools are pinned test dependencies.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class Validation:
    lint: list[str] = field(default_factory=list)          # cfn-lint findings (errors and warnings)
    transform_error: str | None = None
    transformed: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.lint and self.transform_error is None

    def __str__(self) -> str:
        if self.ok:
            kinds = sorted({r["Type"] for r in self.transformed.get("Resources", {}).values()})
            return f"cfn-lint: no findings. SAM transform: {len(self.transformed['Resources'])} CloudFormation resources ({', '.join(kinds)})."
        lines = [f"cfn-lint: {line}" for line in self.lint]
        if self.transform_error:
            lines.append(f"SAM transform: {self.transform_error}")
        return "\n".join(lines)


class _NoManagedPolicies:
    """The transform looks up AWS managed policies only for SAM policy shortcuts; exported
    functions carry explicit roles, so there is nothing to look up (and no IAM call to make)."""

    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict[str, Any], bucket: str = "course-sam-artifacts") -> dict[str, Any]:
    """A copy of ``template`` with every local ``CodeUri`` replaced by an S3 location."""
    result = copy.deepcopy(template)
    for logical, resource in result.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(properties.get("CodeUri"), str) \
                and not properties["CodeUri"].startswith("s3://"):
            properties["CodeUri"] = f"s3://{bucket}/{logical}.zip"
    return result


def validate(template_path: str | Path, region: str = "us-east-1") -> Validation:
    import logging

    from course_lib.import_speed import skip_iri_grammar

    skip_iri_grammar()  # before cfn-lint and the translator import jsonschema
    from cfnlint.api import ManualArgs, lint
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.translator.translator import Translator

    # The translator warns about its own usage metrics, which mean nothing offline.
    logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)
    text = Path(template_path).read_text()
    template = yaml.safe_load(text)
    result = Validation()
    for match in lint(text, config=ManualArgs(regions=[region])):
        result.lint.append(f"{match.rule.id} {match.message} (at {'/'.join(str(p) for p in match.path)})")
    # The transform asks boto3 for a Region when it has none (cfn-lint's own run clears it).
    ArnGenerator.BOTO_SESSION_REGION_NAME = region
    try:
        import boto3

        # A session only to tell the translator the Region and partition: it makes no call.
        session = boto3.session.Session(aws_access_key_id="offline", aws_secret_access_key="offline", region_name=region)
        translator = Translator(None, Parser(), boto_session=session)
        result.transformed = translator.translate(packaged(template), parameter_values={},
                                                  get_managed_policy_map=_NoManagedPolicies().load)
    except InvalidDocumentException as error:
        result.transform_error = "; ".join(str(cause) for cause in error.causes) or str(error)
    except Exception as error:  # noqa: BLE001 - any other translator failure is a finding too
        result.transform_error = f"{type(error).__name__}: {error}"
    return result
