"""Log lines without secrets. ``gouvernance serve`` configures logging as uvicorn does by default, with one
filter on every handler, the access log's included: it masks the values of secret query parameters
(``?jeton=``), anything that looks like a token (``gv_…``, ``gc_…``) and the credentials of an
``Authorization`` header, before the line is formatted."""

import copy
import logging
import re
from collections.abc import Mapping
from typing import Any

from uvicorn.config import LOGGING_CONFIG

MASK = "***"

_SECRETS = (
    # a secret query parameter's value, up to the next parameter
    (re.compile(r"(?i)([?&;](?:jeton|token|access_token|secret|password)=)[^&;#\s\"']*"), rf"\g<1>{MASK}"),
    # credentials after an Authorization header's name or an authentication scheme
    (
        re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|basic|token)\s+)?[^\s\"',]+"),
        rf"\g<1>{MASK}",
    ),
    (re.compile(r"(?i)\b((?:bearer|basic)\s+)[A-Za-z0-9._~+/=\-]+"), rf"\g<1>{MASK}"),
    # the application's own tokens, wherever they appear (a path, a message)
    (re.compile(r"(?<![A-Za-z0-9])(g[vc]_)[A-Za-z0-9_\-%]+"), rf"\g<1>{MASK}"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Masks secrets in a record's message and in its arguments, keeping their shape: uvicorn's access
    formatter reads the request line from the arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redacted(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        return True


def logging_config() -> dict[str, Any]:
    """uvicorn's default configuration with ``RedactSecrets`` on every handler, and the root logger (the
    application's own loggers) writing through the same filtered handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact_secrets": {"()": RedactSecrets}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_secrets"]
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
