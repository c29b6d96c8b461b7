"""Writes the published event contracts into contracts/published/ (`make contracts`).

    python -m contracts.documents.publish           # check, then write what changed
    python -m contracts.documents.publish --check   # exit 1 if the committed files are stale

The files are derived from the marshmallow schemas and the catalog, with sorted keys and a
fixed layout, so the same code always writes the same bytes. Before writing anything the
generated JSON Schemas are checked against the 2020-12 meta-schema, the AsyncAPI document's
structure is checked, and the committed schemas are compared with the new ones: a breaking
change to a published schema version is refused (exit 2) and nothing is written. Files are
never deleted: an older schema version's file stays as the contract of its messages.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from contracts.documents import compatibility
from contracts.documents.asyncapi import ASYNCAPI_VERSION, asyncapi_document
from contracts.documents.json_schema import envelope_document, event_document
from contracts.documents.proof_schema import proof_document
from contracts.wire.catalog import CONTRACTS
from contracts.wire.envelope import ENVELOPE_VERSION
from contracts.wire.proofs import PROOF_VERSION

PUBLISHED_DIR = Path(__file__).resolve().parents[1] / "published"
ASYNCAPI_FILE = "asyncapi.json"
_COMPONENT_KEY = re.compile(r"^[A-Za-z0-9.\-_]+$")


class ContractError(ValueError):
    """Generated contracts are invalid, or would break what is published; says which and why."""


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_documents() -> dict[str, dict[str, Any]]:
    """Every JSON Schema file, by its path under the published directory."""
    documents = {
        f"envelope.v{ENVELOPE_VERSION}.schema.json": envelope_document(),
        f"proof.v{PROOF_VERSION}.schema.json": proof_document(),
    }
    for contract in CONTRACTS:
        name = f"events/{contract.event_type}.v{contract.schema_version}.schema.json"
        documents[name] = event_document(contract)
    return documents


def generate() -> dict[str, str]:
    """Every published file's text, by its path under the published directory; checked."""
    schemas = schema_documents()
    for name, schema in schemas.items():
        _check_schema(name, schema)
    asyncapi = asyncapi_document()
    problems = asyncapi_problems(asyncapi)
    if problems:
        raise ContractError("invalid AsyncAPI document:\n  " + "\n  ".join(problems))
    files = {name: render(schema) for name, schema in schemas.items()}
    files[ASYNCAPI_FILE] = render(asyncapi)
    return dict(sorted(files.items()))


def _check_schema(name: str, schema: dict[str, Any]) -> None:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise ContractError(f"{name} is not a valid JSON Schema: {error.message}") from None


def asyncapi_problems(document: dict[str, Any]) -> list[str]:
    """What keeps a document from being structurally valid AsyncAPI 3.0 (empty if nothing)."""
    problems = []
    if document.get("asyncapi") != ASYNCAPI_VERSION:
        problems.append(f"asyncapi must be {ASYNCAPI_VERSION!r}")
    info = document.get("info", {})
    problems += [f"info.{key} is required" for key in ("title", "version") if not info.get(key)]
    for section in ("channels", "operations"):
        problems += [
            f"{section}: bad key {k!r}"
            for k in document.get(section, {})
            if not _COMPONENT_KEY.match(k)
        ]
    for kind, items in document.get("components", {}).items():
        problems += [
            f"components.{kind}: bad key {k!r}" for k in items if not _COMPONENT_KEY.match(k)
        ]
    for name, channel in document.get("channels", {}).items():
        if not isinstance(channel.get("address"), str):
            problems.append(f"channels.{name}.address must be a string")
    for name, operation in document.get("operations", {}).items():
        if operation.get("action") not in {"send", "receive"}:
            problems.append(f"operations.{name}.action must be send or receive")
        if "channel" not in operation:
            problems.append(f"operations.{name}.channel is required")
    problems += [
        f"unresolved $ref {ref}" for ref in _refs(document) if not _resolves(document, ref)
    ]
    return problems


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolves(document: dict[str, Any], ref: str) -> bool:
    if not ref.startswith("#/"):
        return False
    node: Any = document
    for escaped in ref[2:].split("/"):
        part = escaped.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def committed(directory: Path = PUBLISHED_DIR) -> dict[str, str]:
    """The committed files' text, by path under the directory."""
    return {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(directory.rglob("*.json"))
    }


def check_compatibility(current: dict[str, str], published: dict[str, str]) -> compatibility.Report:
    def schemas(files: dict[str, str]) -> dict[str, Any]:
        return {
            name: json.loads(text) for name, text in files.items() if name.endswith(".schema.json")
        }

    return compatibility.check(schemas(published), schemas(current))


def stale(current: dict[str, str], published: dict[str, str]) -> list[str]:
    """Generated files missing from, or different in, the committed directory."""
    return [name for name, text in current.items() if published.get(name) != text]


def publish(directory: Path = PUBLISHED_DIR) -> list[str]:
    """Check, then write the files that changed; returns their names."""
    current = generate()
    published = committed(directory) if directory.exists() else {}
    report = check_compatibility(current, published)
    if not report.ok:
        raise ContractError(report.describe_breaking())
    changed = stale(current, published)
    for name in changed:
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(current[name], encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contracts.documents.publish", description=__doc__
    )
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument("--out", type=Path, default=PUBLISHED_DIR, help="published directory")
    args = parser.parse_args(argv)
    try:
        if args.check:
            current = generate()
            published = committed(args.out) if args.out.exists() else {}
            report = check_compatibility(current, published)
            if not report.ok:
                raise ContractError(report.describe_breaking())
            changed = stale(current, published)
            for name in changed:
                print(f"stale: {name} (run `make contracts`)", file=sys.stderr)
            return 1 if changed else 0
        changed = publish(args.out)
    except ContractError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"{len(changed)} contract files written to {args.out}"
        if changed
        else "contracts up to date"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
