"""Requests an attacker would send: too large, not JSON, JSON the parser cannot take. Each gets
a 4xx problem document, never a 5xx, and nothing is written."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from api.app import close_app, create_app
from cli.api import api_server
from tests.builders.api_world import make_tokens
from tests.builders.pipeline import stored_count

pytestmark = pytest.mark.kafka

COMMANDS = ("enroll-partner", "register-deal", "issue-quote", "record-win", "sweep")
LIMIT = 64 * 1024
DEEP = b"[" * 5000 + b"]" * 5000
# (what it is, the body, its content type, the status it must get)
CORPUS: list[tuple[str, bytes, str, int]] = [
    ("nested 5,000 deep", DEEP, "application/json", 400),
    ("nested inside an object", b'{"code": ' + DEEP + b"}", "application/json", 400),
    ("oversized", b'{"name": "' + b"x" * (2 * LIMIT) + b'"}', "application/json", 413),
    ("invalid UTF-8", b'{"code": "\xff\xfe"}', "application/json", 400),
    ("truncated", b'{"code": "antemeta", "name": ', "application/json", 400),
    ("not JSON at all", b"code=antemeta&name=Antemeta", "application/json", 400),
    ("text/plain", b'{"code": "antemeta"}', "text/plain", 415),
    ("a form", b"code=antemeta", "application/x-www-form-urlencoded", 415),
    ("no content type", b'{"code": "antemeta"}', "", 415),
]


@pytest.fixture
def limited(settings):
    return replace(settings, api_max_body_bytes=LIMIT)


@pytest.fixture
def post(limited) -> Iterator[Callable[..., Any]]:
    tokens, secrets = make_tokens()
    app = create_app(limited, tokens)
    client = app.test_client()

    def send(command: str, body: bytes, content_type: str) -> Any:
        headers = {"Authorization": f"Bearer {secrets['manager']}"}
        if content_type:
            headers["Content-Type"] = content_type
        return client.post(f"/commands/{command}", data=body, headers=headers)

    yield send
    close_app(app)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("what", "body", "content_type", "status"), CORPUS, ids=[c[0] for c in CORPUS]
)
def test_a_hostile_body_is_a_4xx_problem_and_writes_nothing(
    post, limited, command, what, body, content_type, status
) -> None:
    before = stored_count(limited)
    response = post(command, body, content_type)
    assert response.status_code == status, (what, response.get_json())
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == status
    assert stored_count(limited) == before


def test_an_empty_body_is_left_to_the_schema_which_names_the_missing_fields(post) -> None:
    response = post("enroll-partner", b"", "")
    assert response.status_code == 422
    names = {p["name"] for p in response.get_json()["invalid-params"]}
    assert {"code", "name", "legacy_tier", "enrolled_on"} <= names


def test_the_served_api_refuses_an_oversized_body_from_its_headers_alone(limited) -> None:
    """Through waitress as `ledger api serve` runs it: the 413 arrives although not one byte
    of the announced body was sent."""
    tokens, _ = make_tokens()
    app = create_app(limited, tokens)
    server = api_server(app, limited, "127.0.0.1", 0, 2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=10) as sock:
            sock.sendall(
                b"POST /commands/enroll-partner HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\n"
                + f"Content-Length: {100 * LIMIT}\r\n\r\n".encode()
            )
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413 ")
    finally:
        server.close()
        thread.join(timeout=10)
        close_app(app)


def test_the_dashboard_sign_in_form_is_not_refused_as_not_json(limited) -> None:
    """A browser posts the sign-in as a form: only the size limit applies to it."""
    tokens, secrets = make_tokens()
    app = create_app(limited, tokens)
    try:
        client = app.test_client()
        signed_in = client.post("/dashboard/login", data={"token": secrets["ops"]})
        assert signed_in.status_code in (302, 303)
        oversized = client.post("/dashboard/login", data={"token": "x" * (2 * LIMIT)})
        assert oversized.status_code == 413
    finally:
        close_app(app)
