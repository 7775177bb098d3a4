"""Import-time shortcuts that keep a chapter running in seconds, each with what it gives up.

Emulates nothing; it decides what gets imported.

:func:`skip_iri_grammar`: ``jsonschema`` (imported by moto's API Gateway, by aws-sam-translator
and by cfn-lint) builds an RFC 3987 (IRI) grammar at import when ``rfc3987_syntax`` is installed:
1.5 to 4 seconds, for a format check nothing in the course uses. Marking the module absent
(jsonschema imports it under ``suppress(ImportError)``) only drops jsonschema's ``iri`` and
``iri-reference`` format checks. It must run before jsonschema is first imported, so the sandbox
calls it when it starts and the modules that import jsonschema without the sandbox call it too.
"""

from __future__ import annotations

import sys


def skip_iri_grammar() -> None:
    """Keep jsonschema from building the IRI grammar (only if it is not imported yet)."""
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
