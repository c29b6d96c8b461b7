"""Request keys: the `Idempotency-Key` header of an HTTP command, `--request-id` of the CLI.

A key is the caller's name for one attempt at a command, chosen by the caller (a UUID is the
usual choice): 1 to 255 printable ASCII characters, no spaces, so it fits a header unquoted and
a log line unescaped.
"""

from __future__ import annotations

MAX_REQUEST_KEY_LENGTH = 255


def request_key_problem(raw: str) -> str | None:
    """Why `raw` is not a usable request key, or None when it is."""
    if not raw:
        return "must not be empty"
    if len(raw) > MAX_REQUEST_KEY_LENGTH:
        return f"must be at most {MAX_REQUEST_KEY_LENGTH} characters (got {len(raw)})"
    if any(not "!" <= character <= "~" for character in raw):
        return "must be printable ASCII without spaces"
    return None
