"""The learner's course settings: the course's own folder, and an optional ``settings.toml`` in it.

    $COURSE_HOME/                    # default ~/.serverless-course (progress, learner id, settings)
        settings.toml                # optional; every key is optional

    # settings.toml
    endpoint_url = "http://127.0.0.1:5000"   # run the chapters against another endpoint
    real_aws = false                         # the first of the two steps that allow real AWS
    profile = "course"                       # real AWS only: which AWS profile to use
    region = "eu-west-1"                     # real AWS only: which Region

An environment variable beats the file for the same setting (``COURSE_ENDPOINT_URL``,
``COURSE_REAL_AWS``), so a terminal can override a file without editing it.

Emulates nothing: this is the course's own configuration. A file that cannot be read as TOML,
an unknown key or a value of the wrong type is reported with the file's path and what to write,
never silently ignored (a setting the learner believes is on must not be quietly off).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_HOME = "~/.serverless-course"
SETTINGS_FILE = "settings.toml"

# Known keys and their types; anything else is reported (a typo must not disable a setting).
_KEYS: dict[str, type] = {"endpoint_url": str, "real_aws": bool, "profile": str, "region": str}


class SettingsError(ValueError):
    """``settings.toml`` could not be used; the message says which file and how to fix it."""


def course_home() -> Path:
    """The folder for progress, the learner id and settings (``COURSE_HOME``, else ``~/.serverless-course``)."""
    return Path(os.environ.get("COURSE_HOME") or DEFAULT_HOME).expanduser()


def settings_path(home: Path | None = None) -> Path:
    return (home or course_home()) / SETTINGS_FILE


@dataclass(frozen=True)
class Settings:
    """What ``settings.toml`` says (every field optional)."""

    endpoint_url: str | None = None
    real_aws: bool = False
    profile: str | None = None
    region: str | None = None
    path: Path | None = None  # the file they came from, for messages

    @property
    def source(self) -> str:
        return f"the settings file {self.path}" if self.path else "the settings file"


def load(path: Path | None = None) -> Settings:
    """Read ``settings.toml`` (a missing file means every default)."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"Could not read {path}: {exc}. Fix or remove the file.") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            f"{path} is not valid TOML ({exc}). Write one setting per line, for example:\n"
            '    endpoint_url = "http://127.0.0.1:5000"\n'
            "Or remove the file to use the defaults."
        ) from None
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise SettingsError(
            f"{path}: unknown setting(s) {', '.join(unknown)}; the course knows {', '.join(_KEYS)}."
        )
    for key, kind in _KEYS.items():
        if key in data and not isinstance(data[key], kind):
            example = "true or false" if kind is bool else 'a quoted string, e.g. "..."'
            raise SettingsError(f"{path}: {key} must be {example}; got {data[key]!r}.")
    return Settings(
        endpoint_url=data.get("endpoint_url") or None,
        real_aws=bool(data.get("real_aws", False)),
        profile=data.get("profile") or None,
        region=data.get("region") or None,
        path=path,
    )
