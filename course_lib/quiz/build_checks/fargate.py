"""Build-it checks for chapter 11 (Fargate): a task definition that Fargate can run."""

from __future__ import annotations

from typing import Any

from course_lib.quiz.checks import CheckItem, _near, build_check


def _solve_fargate_task_definition(sandbox: Any, family: str, cpu: int, memory: int, log_group: str) -> None:
    sandbox.client("ecs").register_task_definition(
        family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu=str(cpu), memory=str(memory),
        containerDefinitions=[{
            "name": "job", "image": "python:3.13-slim", "essential": True, "command": ["python", "-c", "print('hi')"],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": log_group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}},
        }],
    )


@build_check("fargate_task_definition", solve=_solve_fargate_task_definition)
def fargate_task_definition(sandbox: Any, family: str, cpu: int, memory: int, log_group: str) -> list[CheckItem]:
    """A Fargate-compatible task definition with this size, a command and awslogs logging."""
    ecs = sandbox.client("ecs")
    try:
        definition = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
    except Exception:  # noqa: BLE001 - moto raises ClientException for an unknown family
        families = ecs.list_task_definition_families().get("families", [])
        return [CheckItem(False, f"task definition {family} not found in the sandbox{_near(family, families)}")]
    items = [CheckItem(True, f"task definition {family} exists (revision {definition.get('revision')})")]

    def expect(label: str, got: Any, want: Any) -> None:
        items.append(CheckItem(True, f"{label} is {got}") if got == want else CheckItem(False, f"{label} is {got}, expected {want}"))

    expect("compatibility", "FARGATE" in (definition.get("requiresCompatibilities") or []), True)
    expect("network mode", definition.get("networkMode"), "awsvpc")
    expect("task CPU units", str(definition.get("cpu")), str(cpu))
    expect("task memory (MiB)", str(definition.get("memory")), str(memory))
    containers = definition.get("containerDefinitions") or []
    if not containers:
        items.append(CheckItem(False, "the task definition has no container"))
        return items
    container = containers[0]
    items.append(CheckItem(bool(container.get("command")), "the container has a command" if container.get("command")
                           else "the container has no command (the course runs commands, not images)"))
    config = container.get("logConfiguration") or {}
    group = (config.get("options") or {}).get("awslogs-group")
    if config.get("logDriver") == "awslogs" and group == log_group:
        items.append(CheckItem(True, f"logs go to CloudWatch Logs group {log_group}"))
    else:
        items.append(CheckItem(False, f"the container's logConfiguration should use the awslogs driver with awslogs-group {log_group}"))
    return items
