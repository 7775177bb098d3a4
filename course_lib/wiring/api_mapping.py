"""Request and response mapping: non-proxy Lambda integrations (``type="AWS"``) with mapping templates.

    from course_lib.wiring import api_mapping
    api_mapping.install()              # idempotent; chapter 03's setup does it
    api_mapping.render("{\\"id\\": \\"$input.params('id')\\"}", body="", params={"path": {"id": "42"}})

With ``AWS_PROXY`` the function sees the whole HTTP request and shapes the whole response.
With a *non-proxy* integration API Gateway does that work: a **request template** turns the HTTP
request into the function's input, the function returns plain data, and **integration
responses** pick a status code (by matching a Lambda error message against each response's
``selectionPattern``) and turn the output into the HTTP body with a **response template**.
:mod:`course_lib.wiring.apigateway` answers ``AWS`` integrations with a 500; this module serves them:

* the request template for the request's ``Content-Type`` (``application/json`` when absent) is
  rendered; with no template, ``passthroughBehavior`` decides (``WHEN_NO_MATCH``, the default,
  and ``WHEN_NO_TEMPLATES`` pass the body through; ``NEVER`` answers ``415 Unsupported Media
  Type``);
* the Lambda function is invoked with the rendered JSON;
* on success the default integration response (no ``selectionPattern``) is used; on a function
  error the first response whose ``selectionPattern`` matches the whole ``errorMessage``, else the
  default one; with no default response the caller gets ``500``, as on AWS;
* that response's template renders the body (``$input`` is now the function's output, or the
  error object), and its ``responseParameters`` set headers (``'static'`` values or
  ``integration.response.body.FIELD``).

Templates are Velocity (VTL) on AWS. The course evaluates the part of VTL that mapping templates
use most: references ``$input.body``, ``$input.json('$.path')``, ``$input.path('$.path')``,
``$input.params('name')`` (path, then query string, then header), ``$input.params().path|querystring|header``
maps via ``.get('name')``, ``$context.*`` (``requestId``, ``stage``, ``httpMethod``,
``resourcePath``, ``identity.sourceIp``, ``authorizer.*``), ``$stageVariables.*``,
``$util.escapeJavaScript()``, ``$util.urlEncode()``, ``$util.base64Encode()``, formal
``${...}`` and quiet ``$!{...}`` forms. Directives (``#set``, ``#if``, ``#foreach``) are **not**
evaluated: a template that uses one is answered with a 500 naming the gap, so nothing silently
behaves differently from AWS.

Differs from AWS: objects returned by ``$input.path`` render as JSON (AWS renders Java's
``{key=value}``); request validation and models are not checked; only Lambda ``AWS``
integrations are served (``HTTP`` non-proxy integrations are not).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import parse_qsl, quote_plus

from course_lib.wiring.http import HttpResponse, json_response

_installed = False


class TemplateError(ValueError):
    """A template uses VTL the course does not evaluate, or is malformed."""


# -- a JSONPath subset: $, .name, ['name'], [index] --------------------------------------------
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(-?\d+)\s*\]|\.\*|\[\*\]")


def json_path(document: Any, path: str) -> Any:
    """The value at ``path`` (``$``, ``$.a.b``, ``$.items[0].id``, ``$['a']``), or None."""
    path = path.strip()
    if not path.startswith("$"):
        raise TemplateError(f"JSONPath {path!r} must start with '$'")
    position, value = 1, document
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            raise TemplateError(f"JSONPath {path!r}: cannot read {path[position:]!r}")
        name = match.group(1) or match.group(2) or match.group(3)
        if match.group(4) is not None:
            index = int(match.group(4))
            value = value[index] if isinstance(value, list) and -len(value) <= index < len(value) else None
        elif name is not None:
            value = value.get(name) if isinstance(value, dict) else None
        else:
            raise TemplateError(f"JSONPath {path!r}: wildcards are not supported by the course")
        position = match.end()
    return value


# -- the VTL subset ------------------------------------------------------------------------------
_DIRECTIVE = re.compile(r"(?m)^\s*#(set|if|elseif|else|end|foreach|macro|define|parse|include|break|stop)\b|#(set|if|foreach)\s*\(")
_REFERENCE = re.compile(
    r"\$(?P<quiet>!)?(?:\{(?P<formal>[^}]*)\}|(?P<plain>(?:input|context|stageVariables|util)"
    r"(?:\.[A-Za-z_]\w*(?:\((?:'[^']*'|\"[^\"]*\"|\$[\w.()'\"$]*)?\))?)+))"
)
_CALL = re.compile(r"^(?P<name>[A-Za-z_]\w*)(?:\((?P<arg>.*)\))?$", re.S)


def _split(expression: str) -> list[str]:
    """``input.params('id').x`` -> ``["input", "params('id')", "x"]`` (dots inside quotes/parens kept)."""
    parts, depth, quote, current = [], 0, "", ""
    for char in expression:
        if quote:
            current += char
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote, current = char, current + char
        elif char == "(":
            depth, current = depth + 1, current + char
        elif char == ")":
            depth, current = depth - 1, current + char
        elif char == "." and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


class _Scope:
    def __init__(self, body: str, params: dict[str, dict[str, str]], context: dict[str, Any],
                 stage_variables: dict[str, str]) -> None:
        self.body, self.params, self.context, self.stage_variables = body, params, context, stage_variables

    def document(self) -> Any:
        try:
            return json.loads(self.body) if self.body.strip() else {}
        except json.JSONDecodeError:
            return self.body

    def argument(self, raw: str | None) -> Any:
        raw = (raw or "").strip()
        if raw[:1] in "'\"" and raw[-1:] == raw[:1]:
            return raw[1:-1]
        if raw.startswith("$"):
            return self.evaluate(raw[1:].lstrip("!").strip("{}"))
        if not raw:
            return None
        raise TemplateError(f"argument {raw!r} is not a string or a reference")

    def evaluate(self, expression: str) -> Any:
        parts = _split(expression)
        head = parts[0]
        if head == "input":
            value: Any = _InputRoot(self)
        elif head == "context":
            value = self.context
        elif head == "stageVariables":
            value = self.stage_variables
        elif head == "util":
            value = _Util(self)
        else:
            raise TemplateError(f"${head} is not a variable the course knows")
        for part in parts[1:]:
            match = _CALL.match(part)
            if match is None:
                raise TemplateError(f"cannot read {part!r} in ${expression}")
            name, arg = match.group("name"), match.group("arg")
            if isinstance(value, (_InputRoot, _Util, _Params)):
                value = value.member(name, arg, called=arg is not None or part.endswith("()"))
            elif isinstance(value, dict):
                if name == "get" and arg is not None:
                    value = value.get(str(self.argument(arg)))
                else:
                    value = value.get(name)
            else:
                value = None
        return value


class _Params:
    def __init__(self, params: dict[str, dict[str, str]]) -> None:
        self.params = params

    def member(self, name: str, arg: str | None, called: bool) -> Any:
        if name in ("path", "querystring", "header"):
            return self.params.get(name, {})
        raise TemplateError(f"$input.params().{name} is not known (use path, querystring or header)")


class _InputRoot:
    def __init__(self, scope: _Scope) -> None:
        self.scope = scope

    def member(self, name: str, arg: str | None, called: bool) -> Any:
        if name == "body" and not called:
            return _Raw(self.scope.body)
        if name == "json":
            return _Raw(json.dumps(json_path(self.scope.document(), str(self.scope.argument(arg) or "$"))))
        if name == "path":
            return json_path(self.scope.document(), str(self.scope.argument(arg) or "$"))
        if name == "params":
            if not (arg or "").strip():
                return _Params(self.scope.params)
            wanted = str(self.scope.argument(arg))
            for where in ("path", "querystring", "header"):
                found = {k.lower() if where == "header" else k: v for k, v in self.scope.params.get(where, {}).items()}
                key = wanted.lower() if where == "header" else wanted
                if key in found:
                    return found[key]
            return ""
        raise TemplateError(f"$input.{name} is not something the course evaluates")


class _Util:
    def __init__(self, scope: _Scope) -> None:
        self.scope = scope

    def member(self, name: str, arg: str | None, called: bool) -> Any:
        value = self.scope.argument(arg)
        text = value.text if isinstance(value, _Raw) else ("" if value is None else str(value))
        if name == "escapeJavaScript":
            return json.dumps(text)[1:-1].replace("'", "\\'")
        if name == "urlEncode":
            return quote_plus(text)
        if name == "base64Encode":
            return base64.b64encode(text.encode()).decode()
        if name == "base64Decode":
            return base64.b64decode(text).decode("utf-8", "replace")
        raise TemplateError(f"$util.{name} is not something the course evaluates")


class _Raw:
    """Text that renders as is (the JSON from ``$input.json``, the raw body)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _render_value(value: Any, reference: str, quiet: bool) -> str:
    if isinstance(value, _Raw):
        return value.text
    if value is None:
        return "" if quiet else reference
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def render(template: str, body: str = "", params: dict[str, dict[str, str]] | None = None,
           context: dict[str, Any] | None = None, stage_variables: dict[str, str] | None = None) -> str:
    """Render a mapping template with the course's VTL subset (see the module docstring)."""
    directive = _DIRECTIVE.search(template)
    if directive:
        name = directive.group(1) or directive.group(2)
        raise TemplateError(f"the VTL directive #{name} is not evaluated by the course's template engine")
    scope = _Scope(body, params or {}, context or {}, stage_variables or {})

    def replace(match: re.Match[str]) -> str:
        expression = match.group("formal") if match.group("formal") is not None else match.group("plain")
        return _render_value(scope.evaluate(expression), match.group(0), bool(match.group("quiet")))

    return _REFERENCE.sub(replace, template)


# -- the integration -------------------------------------------------------------------------------
def _function_arn(uri: str) -> str | None:
    match = re.search(r"functions/(arn:[^/]+)/invocations", uri or "")
    return match.group(1) if match else None


def _context(call: Any, request_id: str) -> dict[str, Any]:
    context: dict[str, Any] = {
        "requestId": request_id, "stage": call.stage_name, "httpMethod": call.request.method,
        "resourcePath": call.resource.get_path(), "path": f"/{call.stage_name}{call.path}",
        "apiId": call.api.id, "accountId": call.account,
        "identity": {"sourceIp": call.request.source_ip, "userAgent": call.request.header("user-agent") or ""},
    }
    if call.authorizer:
        context["authorizer"] = dict(call.authorizer)
    return context


def _params(call: Any) -> dict[str, dict[str, str]]:
    return {
        "path": dict(call.path_params),
        "querystring": dict(parse_qsl(call.request.query, keep_blank_values=True)),
        "header": {k: v for k, v in call.request.headers},
    }


def _step(call: Any) -> HttpResponse | None:
    import uuid

    from course_lib.wiring import apigateway

    integration = call.method.method_integration
    if integration is None or (integration.integration_type or "").upper() != "AWS":
        return None
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    function_arn = _function_arn(integration.uri or "")
    if function_arn is None:
        call.notes.append("only Lambda AWS integrations are served by the course")
        return json_response(500, {"message": "Internal server error"}, headers)
    body = call.request.body.decode("utf-8", "replace") if call.request.body else ""
    content_type = (call.request.header("content-type") or "application/json").split(";")[0].strip().lower()
    templates = {k.lower(): v for k, v in (integration.request_templates or {}).items() if v is not None}
    behaviour = (integration.passthrough_behaviour or "WHEN_NO_MATCH").upper()
    context, params = _context(call, request_id), _params(call)
    try:
        if content_type in templates:
            payload_text = render(templates[content_type], body, params, context, call.stage.variables or {})
        elif behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and templates):
            call.notes.append(f"no request template for {content_type} and passthroughBehavior {behaviour}")
            return json_response(415, {"message": "Unsupported Media Type"}, headers)
        else:
            payload_text = body
        event = json.loads(payload_text) if payload_text.strip() else {}
    except (TemplateError, json.JSONDecodeError) as exc:
        call.notes.append(f"request mapping failed: {exc}")
        return json_response(500, {"message": "Internal server error"}, headers)
    try:
        output, errored = apigateway._run(function_arn, event)
    except Exception as exc:  # noqa: BLE001 - a missing function: AWS answers 500
        call.notes.append(f"the function could not run ({type(exc).__name__})")
        return json_response(500, {"message": "Internal server error"}, headers)
    responses = dict(integration.integration_responses or {})
    default = next((r for r in responses.values() if not r.selection_pattern), None)
    chosen = default
    if errored:
        message = str(output.get("errorMessage", "")) if isinstance(output, dict) else str(output)
        chosen = next((r for r in responses.values() if r.selection_pattern and re.fullmatch(r.selection_pattern, message, re.S)),
                      default)
        call.notes.append(f"function error {message!r} -> integration response {getattr(chosen, 'status_code', None)}")
    if chosen is None:
        call.notes.append("no integration response matches and there is no default one")
        return json_response(500, {"message": "Internal server error"}, headers)
    output_text = json.dumps(output)
    template = (chosen.response_templates or {}).get("application/json")
    try:
        rendered = render(template, output_text, params, context, call.stage.variables or {}) if template else output_text
    except TemplateError as exc:
        call.notes.append(f"response mapping failed: {exc}")
        return json_response(500, {"message": "Internal server error"}, headers)
    out_headers = [("Content-Type", "application/json")] + headers
    for name, source in (chosen.response_parameters or {}).items():
        if not name.startswith("method.response.header."):
            continue
        header = name.rsplit(".", 1)[-1]
        if source.startswith("'") and source.endswith("'"):
            out_headers.append((header, source[1:-1]))
        elif source.startswith("integration.response.body."):
            value = json_path(output, "$." + source[len("integration.response.body."):])
            if value is not None:
                out_headers.append((header, str(value)))
    return HttpResponse(int(chosen.status_code), out_headers, rendered.encode("utf-8"))


def install() -> None:
    """Serve non-proxy Lambda integrations with mapping templates (idempotent)."""
    global _installed
    from course_lib.wiring import rest_pipeline

    rest_pipeline.add_step(40, "mapping", _step)
    _installed = True
