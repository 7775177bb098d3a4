"""Which AWS the sandbox talks to: in-process moto, another endpoint, or (opted in) real AWS.

    aws = start()                                    # in-process moto: the default
    aws = start(endpoint="http://127.0.0.1:5000")    # another endpoint: a moto server, LocalStack
    aws = start(real_aws=True)                       # real AWS: see course_lib.real_aws

**Choosing the target.** :func:`select_target` reads, first match wins: the ``endpoint=``
argument; the ``COURSE_ENDPOINT_URL`` variable; ``endpoint_url`` in ``$COURSE_HOME/settings.toml``;
``AWS_ENDPOINT_URL`` as set when ``start()`` runs. The first three are the learner's explicit
choice, so an endpoint there that the rules below refuse is an error with a message. An
``AWS_ENDPOINT_URL`` is often a leftover from other work: when it points anywhere the rules
refuse (real AWS above all) it is removed and ignored, as it always was, and the sandbox runs
in-process. Service-specific ``AWS_ENDPOINT_URL_<SERVICE>`` variables never select anything.

**Host rules** (:func:`endpoint_problem`). Without the real-AWS opt-in the course sends requests
only to:

* this machine: ``127.0.0.0/8``, ``::1``, ``localhost`` and ``*.localhost``, ``0.0.0.0``;
* the one endpoint host the learner named, when it is a host on their own network: a single-label
  name (``localstack`` or ``moto`` in docker-compose), a private address (``10/8``, ``172.16/12``,
  ``192.168/16``, ``fc00::/7``), or ``localhost.localstack.cloud`` (LocalStack's name for 127.0.0.1).

Never: anything under ``amazonaws.com``, ``amazonaws.com.cn``, ``api.aws`` or ``on.aws``, and
never the instance metadata service (``169.254.0.0/16``, ``fd00:ec2::254``), which hands out real
credentials. Any other public name or address is refused too: it could be anything, including a
proxy in front of AWS. LocalStack on another machine is reached through an SSH tunnel to loopback.

**Talking to the server itself** (:func:`identify`, :func:`reset`): the course's standalone
server (``python -m course_lib.server --standalone``) answers ``GET /_course/info``; a plain
moto server answers ``/moto-api/``; LocalStack answers ``/_localstack/health``. ``reset`` posts
to ``/moto-api/reset`` (the course's server then also forgets warm Lambda environments, timers and
queued work) or LocalStack's ``/_localstack/state/reset``, and says plainly when a server offers
no way to empty it.

Differs from AWS: nothing here is AWS; it is the course deciding where requests may go.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "api.aws", "on.aws")
LOOPBACK_NAMES = {"localhost", "0.0.0.0", "::1", "[::1]"}
LOCALSTACK_DNS = "localhost.localstack.cloud"  # LocalStack's public name that resolves to 127.0.0.1
_LABEL = re.compile(r"[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?")  # docker-compose allows "_"
METADATA_HOSTS = {"169.254.169.254", "fd00:ec2::254", "instance-data", "instance-data.ec2.internal"}
README_SECTION = "README, section 'Beyond the laptop: another endpoint, and real AWS'"


class RealAWSRefused(RuntimeError):
    """A request would have left the machine for real AWS; the course refuses it."""


class EndpointError(ValueError):
    """An endpoint setting the course cannot use; the message says why and what to do."""


class EndpointUnreachable(EndpointError):
    """Nothing answers at the endpoint the learner chose."""


# -- host rules ----------------------------------------------------------------------------
def host_of(url: str) -> str:
    """The host of ``url`` in lower case (the whole text when it has no scheme)."""
    text = str(url).strip()
    try:
        host = urlsplit(text if "://" in text else "//" + text).hostname
    except ValueError:  # e.g. an unbalanced "[" : keep the text, which no rule allows
        host = None
    return (host or text).strip("[]").lower().rstrip(".")


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    ip = _ip(host)
    return bool(ip and ip.is_loopback)


def is_metadata_host(host: str) -> bool:
    host = host.strip("[]").lower()
    ip = _ip(host)
    return host in METADATA_HOSTS or bool(ip and ip.is_link_local)


def is_aws_host(host: str) -> bool:
    """A host of real AWS: its service domains, or the instance metadata service."""
    host = host.strip("[]").lower().rstrip(".")
    return is_metadata_host(host) or any(host == d or host.endswith("." + d) for d in AWS_DOMAINS)


def endpoint_problem(host: str) -> str | None:
    """Why ``host`` may not be an endpoint without the real-AWS opt-in (None: it may)."""
    host = host.strip("[]").lower().rstrip(".")
    if not host:
        return "it has no host"
    if is_aws_host(host):
        return "that is real AWS"
    if is_loopback(host):
        return None
    if host == LOCALSTACK_DNS or host.endswith("." + LOCALSTACK_DNS):
        return None
    ip = _ip(host)
    if ip is not None:
        if ip.is_private and not ip.is_link_local:
            return None
        return "it is a public address, not this machine or your own network"
    if _LABEL.fullmatch(host):
        return None  # a single-label name: a docker-compose service or a machine on the LAN
    return "it is a public host name, not this machine or your own network (it could be anything, even a proxy to AWS)"


def refusal(url: str, real_aws: str = "off") -> RealAWSRefused:
    """The refusal for a request to ``url``: what happened, why, and how to proceed."""
    host = host_of(url) or str(url)
    if is_aws_host(host):
        head = f"Refused to send a request to {host}: that is real AWS."
    else:
        head = (f"Refused to send a request to {host}: it is neither this machine nor the endpoint you "
                "chose, so the course cannot tell it is not real AWS.")
    if real_aws == "pending":
        return RealAWSRefused(
            f"{head}\nReal AWS is selected but not confirmed, so every request is still refused. Confirm it with\n"
            '    aws.confirm_real_aws(account_id="<the 12-digit account id of your credentials>")\n'
            "(it checks the account with STS and shows what it already costs), or go back to the local\n"
            "sandbox with aws = start()."
        )
    return RealAWSRefused(
        f"{head}\n"
        "This course never talks to real AWS unless you opt in, so nothing you run can reach or bill a real\n"
        "account. Use the local sandbox:\n"
        "    from course_lib.sandbox import start\n"
        "    aws = start()\n"
        "and create clients with aws.client(...) (or plain boto3 after start()).\n"
        "Real AWS on purpose (billed to you) takes two steps: COURSE_REAL_AWS=1, then\n"
        '    aws = start(real_aws=True); aws.confirm_real_aws(account_id="...")\n'
        f"See the {README_SECTION}."
    )


# -- choosing the target -------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Where the sandbox sends requests: ``in-process``, ``endpoint`` (with ``url``) or ``real-aws``."""

    kind: str
    url: str | None = None
    source: str = "default"
    note: str = ""  # e.g. an AWS_ENDPOINT_URL that was ignored, and why

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.kind, self.url)


def validate_endpoint(value: str, source: str) -> str:
    """``value`` as a clean endpoint URL (``scheme://host[:port]``), or a clear refusal."""
    text = str(value).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(
            f"{source} is {text!r}, which is not an endpoint URL. Write scheme, host and port, "
            'for example "http://127.0.0.1:5000" (a moto server) or "http://localhost:4566" (LocalStack).'
        )
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise EndpointError(f"{source} is {text!r}: the port is not a number from 0 to 65535.") from None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise EndpointError(
            f"{source} is {text!r}: give only scheme, host and port (no path), e.g. http://127.0.0.1:5000."
        )
    host = parts.hostname.lower()
    problem = endpoint_problem(host)
    if problem == "that is real AWS":
        raise RealAWSRefused(
            f"{source} points at {host}: that is real AWS. Another endpoint means a local emulator (the course's\n"
            "moto server, LocalStack) on this machine or your own network. Real AWS has its own, deliberate\n"
            f"opt-in: COURSE_REAL_AWS=1, then aws = start(real_aws=True) and aws.confirm_real_aws(...). See the {README_SECTION}."
        )
    if problem:
        raise EndpointError(
            f"{source} points at {host}: {problem}. The course sends requests only to this machine or a host on "
            "your own network (a docker-compose name such as 'localstack', a private address). For an emulator "
            "on a remote machine, tunnel it to this one (ssh -L 4566:localhost:4566 host) and use "
            "http://127.0.0.1:4566."
        )
    return f"{parts.scheme}://{parts.netloc}"


def select_target(
    explicit: str | None = None,
    *,
    real_aws: bool = False,
    in_process: bool = False,
    environ: Mapping[str, str] | None = None,
    settings: Any = None,
) -> Target:
    """Decide where this ``start()`` sends requests (see the module docstring for the order)."""
    env = os.environ if environ is None else environ
    if in_process:
        if explicit or real_aws:
            raise EndpointError("start(in_process=True) cannot be combined with endpoint= or real_aws=True.")
        return Target("in-process", source="start(in_process=True)")
    if real_aws:
        if explicit:
            raise EndpointError("Choose one: start(endpoint=...) for a local emulator, or start(real_aws=True).")
        return Target("real-aws", source="start(real_aws=True)")
    if settings is None:
        from course_lib import settings as settings_module

        settings = settings_module.load()
    candidates = [
        (explicit, "start(endpoint=...)"),
        (env.get("COURSE_ENDPOINT_URL"), "COURSE_ENDPOINT_URL"),
        (settings.endpoint_url, f"endpoint_url in {settings.source}"),
    ]
    for value, source in candidates:
        if value is not None and str(value).strip():
            return Target("endpoint", validate_endpoint(str(value), source), source)
    leftover = (env.get("AWS_ENDPOINT_URL") or "").strip()
    if leftover:
        try:
            return Target("endpoint", validate_endpoint(leftover, "AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL")
        except (RealAWSRefused, EndpointError) as exc:
            reason = str(exc).split("\n")[0]
            return Target("in-process", note=f"AWS_ENDPOINT_URL was ignored and removed ({reason})")
    return Target("in-process")


# -- talking to the server (plain HTTP, never a proxy) -------------------------------------
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _http(method: str, url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    if endpoint_problem(host_of(url)):  # the one check before any socket: never anywhere else
        raise refusal(url)
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise EndpointUnreachable(f"Could not reach {url}: {getattr(exc, 'reason', exc)}.") from None


def probe(url: str, source: str = "the endpoint", timeout: float = 3.0) -> None:
    """Raise :class:`EndpointUnreachable`, with what to do, unless something listens at ``url``."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return
    except OSError as exc:
        raise EndpointUnreachable(
            f"Nothing answers at {url} (from {source}): {exc.strerror or exc}.\n"
            "Start a server there first, for example the course's own, in a terminal:\n"
            f"    python -m course_lib.server --standalone --port {port}\n"
            "or LocalStack (docker compose up localstack). Or use the in-process sandbox instead:\n"
            f"remove {source} and run aws = start()."
        ) from None


@dataclass(frozen=True)
class ServerInfo:
    """What answers at an endpoint: ``course`` (the course's moto server), ``moto``, ``localstack``, ``unknown``."""

    url: str
    kind: str
    version: str = ""

    @property
    def description(self) -> str:
        return {
            "course": "a moto server with the course's Lambda runtime and wirings",
            "moto": "a moto server (without the course's runtime: invoking a function needs Docker there; "
                    "`python -m course_lib.server --standalone` runs handlers without it)",
            "localstack": f"LocalStack{' ' + self.version if self.version else ''}",
            "unknown": "an AWS emulator the course does not recognise",
        }[self.kind]

    @property
    def short(self) -> str:
        return {"course": "course moto server", "moto": "moto server", "localstack": "LocalStack",
                "unknown": "endpoint"}[self.kind]


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def identify(url: str) -> ServerInfo:
    """Ask the server what it is (three cheap GETs at most)."""
    status, body = _http("GET", f"{url}/_course/info")
    info = _json(body) if status == 200 else None
    if isinstance(info, dict) and info.get("course_server"):
        return ServerInfo(url, "course", str(info.get("version", "")))
    status, body = _http("GET", f"{url}/_localstack/health")
    health = _json(body) if status == 200 else None
    if isinstance(health, dict) and "services" in health:
        return ServerInfo(url, "localstack", str(health.get("version", "")))
    status, body = _http("GET", f"{url}/moto-api/config")  # moto answers a GET here with 201
    if 200 <= status < 300 and isinstance(_json(body), dict):
        return ServerInfo(url, "moto")
    return ServerInfo(url, "unknown")


def connect(url: str, source: str) -> ServerInfo:
    """Check that something answers at ``url`` and find out what it is."""
    probe(url, source)
    return identify(url)


def reset(server: ServerInfo) -> str:
    """Empty the account at the endpoint; returns what was done, or raises with what to do instead."""
    url = server.url
    if server.kind in ("course", "moto"):
        status, body = _http("POST", f"{url}/moto-api/reset")
        if status == 200:
            extra = " (warm Lambda environments, timers and queued work too)" if server.kind == "course" else ""
            return f"Reset the {server.short} at {url}: every resource is gone{extra}."
        raise EndpointError(f"The moto server at {url} refused the reset (HTTP {status}: {body[:200]!r}).")
    if server.kind == "localstack":
        status, body = _http("POST", f"{url}/_localstack/state/reset")
        if status in (200, 204):
            return f"Reset LocalStack at {url}: every service's state is gone."
        raise EndpointError(
            f"LocalStack at {url} did not reset (HTTP {status}): its state API (POST /_localstack/state/reset) "
            "is missing or restricted in this version. Restart the container for a clean account "
            "(docker compose restart localstack), or delete what you made."
        )
    raise EndpointError(
        f"The server at {url} is neither a moto server nor LocalStack, so the course does not know how to empty "
        "it. Delete what you made yourself, or restart the server."
    )
