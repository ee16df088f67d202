"""One JSON object per log line, for the reconciler's decisions.

Structured fields go in `extra={"fields": {...}}`; they are merged into the line with
sorted keys, so lines diff and grep well. Credentials in URLs are masked (`redact`).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TextIO

from shipyard.gitops.redact import redact


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, sort_keys=True, default=str))


def json_handler(stream: TextIO | None = None) -> logging.Handler:
    """A stream handler (stderr by default) writing JSON lines."""
    handler: logging.Handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    return handler
