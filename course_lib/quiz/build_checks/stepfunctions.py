"""Build-it checks for chapter 08 (Step Functions): a state machine with error handling.

``state_machine`` reads the learner's state machine the way a reviewer reads ASL: its type,
where it starts, the states it must have (with their types), a ``Retry`` on one state for a
named error with a number of attempts, and a ``Catch`` that routes that state to a fallback.
It looks only at the top-level states of the definition.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from course_lib.quiz.checks import CheckItem, _near, build_check


def _role(sandbox: Any, name: str = "course-quiz-states-role") -> str:
    iam = sandbox.client("iam")
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _solve(sandbox: Any, name: str, workflow_type: str | None = None, start_at: str | None = None,
           states: Mapping[str, str] | None = None, retry: Mapping[str, Any] | None = None,
           catch: Mapping[str, Any] | None = None) -> None:
    wanted = dict(states or {})
    ordered = [start_at] if start_at else []
    ordered += [s for s in wanted if s not in ordered]
    terminal = [s for s in ordered if wanted.get(s) in ("Succeed", "Fail")]
    flow = [s for s in ordered if s not in terminal]
    end = next((s for s in terminal if wanted[s] == "Succeed"), None)
    definition: dict[str, Any] = {"StartAt": ordered[0], "States": {}}
    for i, state in enumerate(flow):
        kind = wanted[state]
        body: dict[str, Any] = {"Type": kind}
        if kind == "Task":
            body["Resource"] = "arn:aws:states:::lambda:invoke"
            body["Parameters"] = {"FunctionName": "charge-card", "Payload.$": "$"}
        following = flow[i + 1] if i + 1 < len(flow) else end
        if following:
            body["Next"] = following
        else:
            body["End"] = True
        definition["States"][state] = body
    for state in terminal:
        definition["States"][state] = {"Type": wanted[state]}
        if wanted[state] == "Fail":
            definition["States"][state].update({"Error": "Failed", "Cause": "caught"})
    if retry:
        definition["States"][retry["state"]]["Retry"] = [{
            "ErrorEquals": [retry.get("error", "States.ALL")], "IntervalSeconds": 2,
            "MaxAttempts": retry.get("max_attempts", 3), "BackoffRate": retry.get("backoff_rate", 2.0)}]
    if catch:
        definition["States"][catch["state"]]["Catch"] = [
            {"ErrorEquals": [catch.get("error", "States.ALL")], "Next": catch["next"]}]
    sandbox.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=_role(sandbox), type=(workflow_type or "STANDARD"))


@build_check("state_machine", solve=_solve)
def state_machine(sandbox: Any, name: str, workflow_type: str | None = None, start_at: str | None = None,
                  states: Mapping[str, str] | None = None, retry: Mapping[str, Any] | None = None,
                  catch: Mapping[str, Any] | None = None) -> list[CheckItem]:
    """A Step Functions state machine: type, start state, states, a Retry and a Catch."""
    sfn = sandbox.client("stepfunctions")
    machines = sfn.list_state_machines().get("stateMachines", [])
    found = next((m for m in machines if m["name"] == name), None)
    if found is None:
        return [CheckItem(False, f"state machine {name} not found in the sandbox{_near(name, [m['name'] for m in machines])}")]
    items = [CheckItem(True, f"state machine {name} exists")]
    described = sfn.describe_state_machine(stateMachineArn=found["stateMachineArn"])
    if workflow_type is not None:
        got = str(described.get("type", "STANDARD")).upper()
        want = workflow_type.upper()
        items.append(CheckItem(got == want, f"type is {got}" if got == want else f"type is {got}, expected {want}"))
    try:
        definition = json.loads(described["definition"])
    except ValueError:
        return items + [CheckItem(False, "the definition is not valid JSON")]
    top = definition.get("States") or {}
    if start_at is not None:
        got = definition.get("StartAt")
        items.append(CheckItem(got == start_at, f"StartAt is {got}" if got == start_at else f"StartAt is {got}, expected {start_at}"))
    for state, kind in (states or {}).items():
        if state not in top:
            items.append(CheckItem(False, f"state {state} missing{_near(state, list(top)).replace('the sandbox has', 'the definition has')}"))
        elif top[state].get("Type") != kind:
            items.append(CheckItem(False, f"state {state} is a {top[state].get('Type')} state, expected {kind}"))
        else:
            items.append(CheckItem(True, f"state {state} is a {kind} state"))
    if retry:
        items += _check_retry(top, retry)
    if catch:
        items += _check_catch(top, catch)
    return items


def _check_retry(top: Mapping[str, Any], retry: Mapping[str, Any]) -> list[CheckItem]:
    state = retry["state"]
    if state not in top:
        return [CheckItem(False, f"no Retry on {state}: the state is missing")]
    error = retry.get("error")
    retriers = top[state].get("Retry") or []
    match = next((r for r in retriers if error is None or error in (r.get("ErrorEquals") or [])), None)
    if match is None:
        what = f" for {error}" if error else ""
        return [CheckItem(False, f"{state} has no Retry{what}" + (" (it retries other errors)" if retriers else ""))]
    items = [CheckItem(True, f"{state} retries {error or 'errors'}")]
    if "max_attempts" in retry:
        got = match.get("MaxAttempts", 3)  # ASL's default when the field is left out
        want = retry["max_attempts"]
        items.append(CheckItem(got == want, f"MaxAttempts is {got}" if got == want else f"MaxAttempts is {got}, expected {want}"))
    if "backoff_rate" in retry:
        got = float(match.get("BackoffRate", 2.0))
        want = float(retry["backoff_rate"])
        items.append(CheckItem(got == want, f"BackoffRate is {got:g}" if got == want else f"BackoffRate is {got:g}, expected {want:g}"))
    return items


def _check_catch(top: Mapping[str, Any], catch: Mapping[str, Any]) -> list[CheckItem]:
    state, target = catch["state"], catch["next"]
    if state not in top:
        return [CheckItem(False, f"no Catch on {state}: the state is missing")]
    catchers = top[state].get("Catch") or []
    if not catchers:
        return [CheckItem(False, f"{state} has no Catch")]
    if not any(c.get("Next") == target for c in catchers):
        sends = ", ".join(sorted({str(c.get('Next')) for c in catchers}))
        return [CheckItem(False, f"{state} catches errors but sends them to {sends}, expected {target}")]
    if target not in top:
        return [CheckItem(False, f"{state} catches errors into {target}, but the definition has no state {target}")]
    return [CheckItem(True, f"{state} catches errors into {target}")]
