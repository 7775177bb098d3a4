"""Server mode: the notebook's sandbox, reachable over HTTP by a terminal, the AWS CLI or a subprocess.

    from course_lib import server
    srv = server.start()              # a moto server on 127.0.0.1:<free port>, same state
    srv.endpoint_url                  # http://127.0.0.1:54321
    !aws s3 ls                        # shell commands run from the notebook see the sandbox
    server.run(["python", "load_test.py"])   # a subprocess with the right environment
    print(srv.exports())              # lines to paste into a terminal (or: source srv.env_file)

What it does. A moto server started inside the kernel while the mock is active serves the same
in-memory state, so resources made in the notebook are visible to other processes and the
other way round. Lambda invocations arriving through it run in the kernel's runtime, quietly
(their output goes to CloudWatch Logs). Requests whose ``Host`` is an API Gateway or Function URL
host (``curl -H "Host: <id>.execute-api.us-east-1.amazonaws.com" $AWS_ENDPOINT_URL/prod/...``)
are served by the course's API Gateway emulation.

The environment: ``AWS_ENDPOINT_URL`` and ``MOTO_PORT`` (with the sandbox's fake credentials
and Region) are set for child processes only, at the C level (``os.putenv``), and deliberately
*not* in ``os.environ``: inside the kernel a leftover ``AWS_ENDPOINT_URL`` would send the
kernel's own boto3 clients past the mock. ``!commands`` and ``subprocess`` inherit them;
a JupyterLab terminal is started by the Jupyter server, not the kernel, so it needs
``source <env_file>`` (or the :meth:`ServerMode.exports` lines).

Binds 127.0.0.1 only, on a port the OS picks; stopped by ``sandbox.stop()`` or at exit.

Standalone: the same server as a process of its own, for endpoint mode (``course_lib.endpoint``)::

    python -m course_lib.server --standalone --port 5000     # or: make server PORT=5000
    # then, in a notebook: aws = start(endpoint="http://127.0.0.1:5000")   (or COURSE_ENDPOINT_URL)

It starts the in-process sandbox inside itself (the Lambda runtime and the wirings included, so
handlers run in the server's process, without Docker) and serves it on 127.0.0.1 until Ctrl-C.
``POST /moto-api/reset`` empties it the way ``aws.reset()`` empties the in-process sandbox (warm
environments, timers and queued work too, not only moto's state), and ``GET /_course/info`` tells
a notebook that it is the course's server.

Differs from AWS: one endpoint for every service (what ``AWS_ENDPOINT_URL`` means to the SDKs
and the CLI); plain HTTP; any credentials are accepted.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_current: "ServerMode | None" = None


@dataclass
class ServerMode:
    """A running server-mode endpoint."""

    port: int
    _server: Any
    _thread: threading.Thread

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment for a child process: the sandbox's credentials plus the endpoint."""
        from course_lib.runtime.envvars import base_environment
        from course_lib.sandbox import FAKE_KEY, REGION

        environment = dict(base if base is not None else base_environment())
        environment.update(child_variables(self.port))
        environment.setdefault("AWS_ACCESS_KEY_ID", FAKE_KEY)
        environment.setdefault("AWS_SECRET_ACCESS_KEY", FAKE_KEY)
        environment.setdefault("AWS_DEFAULT_REGION", REGION)
        return environment

    def exports(self) -> str:
        """Shell lines that point a terminal at the sandbox."""
        return "\n".join(f"export {k}={v}" for k, v in sorted(_terminal_variables(self.port).items()))

    @property
    def env_file(self) -> Path:
        """A file to ``source`` in a terminal (written on start)."""
        return Path(tempfile.gettempdir()) / "course-sandbox.env"

    def __repr__(self) -> str:
        return f"<Server mode at {self.endpoint_url}: terminals `source {self.env_file}`>"


def child_variables(port: int) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "MOTO_PORT": str(port)}


def _terminal_variables(port: int) -> dict[str, str]:
    from course_lib.sandbox import FAKE_KEY, REGION

    return {
        **child_variables(port),
        "AWS_ACCESS_KEY_ID": FAKE_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_PAGER": "",
    }


class _QuietApp:
    """WSGI middleware: run requests quietly; send API Gateway hosts to the course's gateway."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from course_lib.runtime.executor import quiet
        from course_lib.wiring import http

        from course_lib import clock

        host = (environ.get("HTTP_HOST") or "").split(":")[0].lower()
        course_route = _COURSE_ROUTES.get((environ.get("REQUEST_METHOD", "GET").upper(), environ.get("PATH_INFO", "")))
        if course_route is not None and not (http.EXECUTE_API_HOST.match(host) or http.FUNCTION_URL_HOST.match(host)):
            return course_route(start_response)
        with quiet(), clock.CLOCK.api_call():
            if http.EXECUTE_API_HOST.match(host) or http.FUNCTION_URL_HOST.match(host):
                return self._gateway(environ, start_response, host)
            return list(self.app(environ, start_response))

    @staticmethod
    def _gateway(environ: dict[str, Any], start_response: Any, host: str) -> Any:
        from http.client import responses as reasons

        from course_lib.wiring import http

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [
            (key[5:].replace("_", "-").title(), value) for key, value in environ.items() if key.startswith("HTTP_")
        ]
        if environ.get("CONTENT_TYPE"):
            headers.append(("Content-Type", environ["CONTENT_TYPE"]))
        request = http.HttpRequest(
            method=environ["REQUEST_METHOD"].upper(),
            host=host,
            path=environ.get("RAW_URI", environ.get("PATH_INFO", "/")).split("?")[0] or "/",
            query=environ.get("QUERY_STRING", ""),
            headers=headers,
            body=body,
            source_ip=environ.get("REMOTE_ADDR", "127.0.0.1"),
            scheme="http",
            port=int(environ.get("SERVER_PORT") or 80),
        )
        response = http.dispatch(request)
        out_headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        out_headers.append(("Content-Length", str(len(response.body))))
        start_response(f"{response.status} {reasons.get(response.status, '')}", out_headers)
        return [response.body]


def _json_response(start_response: Any, status: str, document: dict[str, Any]) -> list[bytes]:
    import json

    body = json.dumps(document).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _reset_route(start_response: Any) -> list[bytes]:
    """``POST /moto-api/reset``: the whole sandbox, as ``aws.reset()`` does, not only moto's state."""
    from course_lib import sandbox

    sandbox.reset()
    return _json_response(start_response, "200 OK", {"status": "ok"})


def _info_route(start_response: Any) -> list[bytes]:
    """``GET /_course/info``: how a notebook in endpoint mode knows this is the course's server."""
    from importlib.metadata import PackageNotFoundError, version

    from course_lib import sandbox

    try:
        moto_version = version("moto")
    except PackageNotFoundError:  # pragma: no cover - moto is a dependency
        moto_version = "unknown"
    box = sandbox.current()
    return _json_response(start_response, "200 OK", {
        "course_server": True, "runtime": "course_lib.runtime (handlers run in this process)",
        "moto": moto_version, "account_id": box.account_id, "region": box.region,
    })


_COURSE_ROUTES = {("POST", "/moto-api/reset"): _reset_route, ("GET", "/_course/info"): _info_route}


def start(port: int = 0) -> ServerMode:
    """Start server mode (once) on 127.0.0.1 (``port`` 0: the OS picks one); the sandbox is
    started first if needed. In endpoint mode the endpoint already is the server: refused."""
    global _current
    from course_lib import sandbox

    with _lock:
        if _current is not None:
            return _current
        sandbox.require_in_process(
            "Server mode", "it serves the moto inside this kernel to other processes"
        )
        sandbox.start()
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        app = _QuietApp(DomainDispatcherApplication(create_backend_app))
        server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
        # A short poll interval makes stop() quick (shutdown waits for the next poll).
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="course-server-mode", daemon=True)
        thread.start()
        port = int(server.server_address[1])
        _current = ServerMode(port, server, thread)
        # Children inherit these; the kernel's os.environ (read by its own boto3) does not see them.
        for name, value in child_variables(port).items():
            os.putenv(name, value)
        _current.env_file.write_text(_current.exports() + "\n")
        return _current


def current() -> ServerMode | None:
    return _current


def stop() -> None:
    """Stop server mode and remove its variables from the environment children inherit."""
    global _current
    with _lock:
        if _current is None:
            return
        _current._server.shutdown()
        _current._server.server_close()
        _current._thread.join(timeout=5)
        for name in child_variables(_current.port):
            os.unsetenv(name)
        try:
            _current.env_file.unlink()
        except OSError:
            pass
        _current = None


def run(args: list[str] | str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``subprocess.run`` with server mode's environment (started if needed); text output."""
    mode = start()
    kwargs.setdefault("env", mode.env())
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    return subprocess.run(args, **kwargs)  # noqa: S603 - the learner's own command


def serve(port: int = 5000, announce: Any = print) -> None:
    """The standalone server: an in-process sandbox of its own, served until Ctrl-C (or SIGTERM)."""
    import signal
    import threading as _threading

    from course_lib import sandbox

    # Its own sandbox runs in-process whatever endpoint settings the shell has (it is the endpoint).
    sandbox.start(in_process=True)
    try:
        mode = start(port)
    except OSError as exc:
        raise SystemExit(
            f"Could not listen on 127.0.0.1:{port}: {exc.strerror or exc}. Pick another port with --port N "
            "(or --port 0 for any free one)."
        ) from None
    url = mode.endpoint_url
    announce(
        f"Course sandbox server (moto {_moto_version()} with the course's Lambda runtime) at {url}\n"
        f"  in a notebook:  aws = start(endpoint=\"{url}\")   or   export COURSE_ENDPOINT_URL={url}\n"
        f"  in a terminal:  source {mode.env_file}\n"
        "  Ctrl-C stops it; everything in it is gone when it stops.",
        flush=True,
    )
    done = _threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        sandbox.stop()


def _moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m course_lib.server",
        description="Serve a course sandbox (moto plus the course's Lambda runtime and wirings) on 127.0.0.1, "
        "for notebooks in endpoint mode, terminals and other tools.",
    )
    parser.add_argument("--standalone", action="store_true",
                        help="run as a process of its own (the only way to run it from a terminal)")
    parser.add_argument("--port", type=int, default=5000, help="port on 127.0.0.1 (0: any free port); default 5000")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: use a number from 0 to 65535")
    # Run the module under its package name, so the sandbox's own imports see this same module.
    from course_lib import server as module

    module.serve(args.port)
    return 0


atexit.register(stop)

if __name__ == "__main__":
    raise SystemExit(main())
