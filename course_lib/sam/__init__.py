"""From the sandbox to a deployable app: export it as an AWS SAM template, and read one back.

    from course_lib import sam
    result = sam.export(aws, "my-app")          # template.yaml + functions/<name>/
    sam.validate(result.template_path)          # cfn-lint and the SAM transform, offline
    sam.deploy_local(fresh_sandbox, "my-app")   # build the template in a sandbox (round trip)

Modules: :mod:`~course_lib.sam.export` (sandbox -> template), :mod:`~course_lib.sam.validation`
(offline checks with cfn-lint and aws-sam-translator) and :mod:`~course_lib.sam.deploy`
(template -> sandbox, for the resource types the exporter writes).
"""

from __future__ import annotations

from course_lib.sam.export import ExportResult, export

__all__ = ["ExportResult", "export", "validate", "deploy_local"]


def validate(template_path: object) -> object:
    from course_lib.sam.validation import validate as _validate

    return _validate(template_path)  # type: ignore[arg-type]


def deploy_local(aws: object, folder: object) -> object:
    from course_lib.sam.deploy import deploy_local as _deploy

    return _deploy(aws, folder)  # type: ignore[arg-type]
