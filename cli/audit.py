"""`ledger audit ...`: what auditors run to check the projections and the topics."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from cli.declare import command, noun
from cli.errors import EXIT_RULE_BROKEN, InvalidInput

if TYPE_CHECKING:
    from contracts.wire.chain_verify import Verification
    from infra.settings import Settings

SHOWN_DIFFERENCES = 20


def audit_replay(args: argparse.Namespace, settings: Settings) -> int:
    from cli.support import to_json_object
    from infra.audit.replay import ReplayTargetNotEmpty, replay
    from infra.store.urls import redact

    target = args.into or default_target(settings)
    try:
        result = replay(settings, target)
    except ReplayTargetNotEmpty as error:
        raise InvalidInput(f"into: {error}") from None
    if args.json:
        print(to_json_object(replace(result, target=redact(result.target))))
    else:
        print(f"replay: {result.events} events projected from offset zero into {redact(target)}")
        print(describe(result.differences))
    return EXIT_RULE_BROKEN if result.differences else 0


def default_target(settings: Settings) -> str:
    # A new file each time: a replay never overwrites an earlier one an auditor may keep.
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"sqlite:///{settings.data_dir / f'replay-{stamp}.sqlite'}"


def describe(differences: list[Any]) -> str:
    from infra.output import table

    if not differences:
        return "replay: every projection table equals the live one"
    rows = [
        [
            d.table,
            d.key,
            d.live if d.live is not None else "(missing)",
            d.replayed if d.replayed is not None else "(missing)",
        ]
        for d in differences[:SHOWN_DIFFERENCES]
    ]
    more = len(differences) - SHOWN_DIFFERENCES
    tail = f"\n... and {more} more" if more > 0 else ""
    return (
        "replay: the live projections differ:\n"
        + table(["table", "key", "live", "replayed"], rows)
        + tail
    )


def audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from cli.support import to_json_object
    from infra.audit.verify import Trust, verify
    from infra.output import Progress, table
    from infra.settings import SettingsError

    if args.witnesses and len(args.witness_key) < args.witnesses:
        raise InvalidInput(
            f"witnesses: {args.witnesses} cosignatures demanded but only "
            f"{len(args.witness_key)} --witness-key given"
        )
    trust = Trust(args.key, args.witness_key, args.witnesses, [read_file(f) for f in args.noted])
    try:
        with Progress("verify: records read") as shown:
            result = verify(settings, on_progress=shown, trust=trust)
    except SettingsError as error:
        raise InvalidInput(str(error)) from None
    if args.against_store:
        result.problems += store_problems(settings)
    if args.json:
        print(to_json_object(verification_document(result)))
    elif result.ok:
        print(
            f"verify: the chain holds: {result.events} events, {result.seals} seals, "
            f"head at position {result.head.position} ({result.head.hash})"
        )
        if result.checkpoints:
            print(
                f"verify: {result.checkpoints} signed checkpoints, the log's tree of size "
                f"{result.log_size} has root {result.log_root} ({result.witnessed} witnesses)"
            )
        if args.against_store:
            print("verify: every stored event is byte for byte its message on Kafka")
    else:
        first = result.problems[0]
        print(f"verify: FAILED at position {first.position} ({first.kind}): {first.detail}")
        rows = [[p.kind, p.position, p.where, p.detail] for p in result.problems]
        print(table(["problem", "position", "record", "detail"], rows[:SHOWN_DIFFERENCES]))
        if len(rows) > SHOWN_DIFFERENCES:
            print(f"... and {len(rows) - SHOWN_DIFFERENCES} more")
    return 0 if result.ok else EXIT_RULE_BROKEN


def read_file(name: str) -> bytes:
    from pathlib import Path

    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise InvalidInput(f"{name}: cannot read it ({error.strerror})") from None


def store_problems(settings: Settings) -> list[Any]:
    from infra.audit.store_match import compare_with_store

    return compare_with_store(settings)


def verification_document(result: Verification) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "events": result.events,
        "seals": result.seals,
        "head_position": result.head.position,
        "head_hash": result.head.hash,
        "checkpoints": result.checkpoints,
        "log_size": result.log_size,
        "log_root": result.log_root,
        "witnessed": result.witnessed,
        "first_bad_position": result.first_problem.position if result.first_problem else None,
        "problems": [asdict(problem) for problem in result.problems],
    }


def audit_explain(args: argparse.Namespace, settings: Settings) -> int:
    from cli.support import to_json_object
    from infra.audit.explain import NoHistoryBefore, UnknownDecision, explain, win_of
    from infra.audit.explain_output import explanation_document, render_explanation
    from infra.store.event_store import open_ledger

    if (args.id is None) == (args.win is None):
        raise InvalidInput("id: give either an event id or --win REFERENCE")
    given = parse_event_id(args.id) if args.id is not None else None
    field = "id" if given is not None else "win"
    if args.from_kafka:
        from infra.audit.from_kafka import ledger_from_kafka
        from infra.output import Progress

        with Progress("explain: records read from Kafka") as shown:
            ledger = ledger_from_kafka(settings, on_progress=shown)
    else:
        ledger = open_ledger(settings)
    try:
        found = explain(ledger, given if given is not None else win_of(ledger, args.win))
    except UnknownDecision as error:
        raise InvalidInput(f"{field}: {error}") from None
    except NoHistoryBefore as error:
        print(f"error: cannot re-derive: {error}", file=sys.stderr)
        return EXIT_RULE_BROKEN
    finally:
        ledger.close()
    if args.json:
        print(to_json_object(explanation_document(found)))
    else:
        print(render_explanation(found))
    return 0 if found.agrees else EXIT_RULE_BROKEN


def audit_prove(args: argparse.Namespace, settings: Settings) -> int:
    from infra.audit.proofs import prove_inclusion

    document = _proof(lambda trust: prove_inclusion(settings, parse_event_id(args.id), trust), args)
    return _write_proof(document, args.out)


def audit_consistency(args: argparse.Namespace, settings: Settings) -> int:
    from infra.audit.proofs import prove_consistency

    old, new = _checkpoint_arg(args.old, "old"), _checkpoint_arg(args.new, "new")
    if old is None:
        raise InvalidInput("old: give a checkpoint file or a tree size (latest is for new)")
    document = _proof(lambda trust: prove_consistency(settings, old, new, trust), args)
    return _write_proof(document, args.out)


def _proof(make: Any, args: argparse.Namespace) -> Any:
    from infra.audit.proofs import ProofRefused
    from infra.audit.verify import Trust
    from infra.settings import SettingsError

    try:
        return make(Trust(log_keys=args.key))
    except SettingsError as error:
        raise InvalidInput(str(error)) from None
    except ProofRefused as error:
        print(f"error: no proof: {error}", file=sys.stderr)
        return None


def _checkpoint_arg(raw: str, name: str) -> bytes | int | None:
    if raw == "latest":
        return None
    if raw.isdigit():
        return int(raw)
    return read_file(raw)


def _write_proof(document: Any, out: str | None) -> int:
    import json
    from pathlib import Path

    if document is None:
        return EXIT_RULE_BROKEN
    text = json.dumps(document, indent=2) + "\n"
    if out is None:
        print(text, end="")
    else:
        Path(out).write_text(text, encoding="utf-8")
        print(f"proof: written to {out}", file=sys.stderr)
    return 0


def audit_check(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from contracts.wire.proofs import MalformedProof, check_proof
    from infra.log_keys import parse_key
    from infra.settings import SettingsError

    if not args.key:
        raise InvalidInput("key: give the log's verifier key (--key PUBKEY)")
    try:
        keys = [parse_key(raw, "--key") for raw in args.key]
        document = json.loads(read_file(args.file))
        result = check_proof(document, keys)
    except SettingsError as error:
        raise InvalidInput(str(error)) from None
    except (ValueError, MalformedProof) as error:
        raise InvalidInput(f"{args.file}: not a proof: {error}") from None
    if args.json:
        from cli.support import to_json_object

        print(to_json_object({"ok": result.ok, "proof": result.kind, "detail": result.detail}))
    else:
        verdict = "holds" if result.ok else "FAILED"
        print(f"check: the {result.kind} proof {verdict}: {result.detail}")
    return 0 if result.ok else EXIT_RULE_BROKEN


def audit_keygen(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from contracts.wire.signed_note import COSIGNATURE_V1, ED25519, NoteError, Signer
    from infra.log_keys import write_key_file

    try:
        signer = Signer.generate(args.name, COSIGNATURE_V1 if args.witness else ED25519)
    except NoteError as error:
        raise InvalidInput(f"name: {error}") from None
    out = Path(args.out)
    if out.exists():
        raise InvalidInput(f"out: {out} exists; a key file is never overwritten")
    write_key_file(out, signer.encoded())
    print(f"keygen: signer key written to {out} (owner-only)", file=sys.stderr)
    print(signer.verifier.encoded())
    return 0


def audit_pubkey(args: argparse.Namespace, settings: Settings) -> int:
    from infra.log_keys import log_signer
    from infra.settings import SettingsError

    try:
        signer = log_signer(settings)
    except SettingsError as error:
        raise InvalidInput(str(error)) from None
    if signer is None:
        raise InvalidInput(
            f"key: no signing key (LEDGER_LOG_SIGNING_KEY, or {settings.log_signing_key_file} "
            "once the relay has run)"
        )
    print(signer.verifier.encoded())
    return 0


def audit_witness(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from infra.audit.verify import Trust
    from infra.audit.witness import WitnessRefused, witness
    from infra.log_keys import parse_signer_file
    from infra.settings import SettingsError

    try:
        signer = parse_signer_file(Path(args.key))
        state = Path(args.state) if args.state else Path(args.key).with_suffix(".witnessed")
        done = witness(settings, signer, state, Trust(log_keys=args.log_key))
    except SettingsError as error:
        raise InvalidInput(str(error)) from None
    except WitnessRefused as error:
        print(f"error: not cosigned: {error}", file=sys.stderr)
        return EXIT_RULE_BROKEN
    print(f"witness: {signer.name} cosigned the checkpoint of size {done.size}")
    return 0


def parse_event_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise InvalidInput(
            f"id: {raw!r} is not an event id (a UUID such as a decision_id or quote_id "
            "from `ledger deal history --json`, or an event_id from `ledger partner tiers --json`)"
        ) from None


def declare(commands: Any) -> None:
    audit = noun(commands, "audit", "auditors' checks")
    p = command(
        audit,
        "replay",
        audit_replay,
        help="rebuild every projection from offset zero and compare with the live tables",
        example="audit replay --into sqlite:///var/replay.sqlite",
        json=True,
    )
    p.add_argument("--into", help="an empty database URL (default: a new file under var/)")
    p = command(
        audit,
        "verify",
        audit_verify,
        help="check every published event against the hash chain, seals and signed checkpoints",
        description="Reads the ledger's topics from offset zero and reports the first position "
        "where an event was altered, is missing, was injected or is out of order, a "
        "checkpoint no trusted key signed, a split view (two signed checkpoints of one size "
        "with different roots), or events after the last signed checkpoint. Exit code 1 when "
        "anything is wrong.",
        example="audit verify --key 'channel-ledger/ledger+1a2b3c4d+AV...' --json",
        json=True,
    )
    p.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="PUBKEY",
        help="a log verifier key (or a file holding one) to trust; repeat for rotated keys",
    )
    p.add_argument(
        "--witness-key",
        action="append",
        default=[],
        metavar="PUBKEY",
        help="a witness's cosignature verifier key (or file); repeat for each witness",
    )
    p.add_argument(
        "--witnesses",
        type=int,
        default=0,
        metavar="N",
        help="demand N cosignatures by distinct witnesses on the latest checkpoint",
    )
    p.add_argument(
        "--checkpoint",
        dest="noted",
        action="append",
        default=[],
        metavar="FILE",
        help="a signed checkpoint noted earlier: it must agree with the log (no split view)",
    )
    p.add_argument(
        "--against-store",
        action="store_true",
        help="also re-encode every stored event and compare it with its message on Kafka",
    )
    p = command(
        audit,
        "explain",
        audit_explain,
        help="re-derive a decision, quote, tier change or win from the history before it",
        description="Finds the event with this id in the event store, rebuilds what the "
        "decision read as it was just before it, runs the rule again under the rules version "
        "it names, and shows both outcomes and the evidence. Exit code 0 when the "
        "re-derivation agrees with the record, 1 when it does not, 2 for an unknown id.",
        example="audit explain 6f1c2a8e-3b4d-5e6f-8a9b-0c1d2e3f4a5b --json",
        json=True,
    )
    p.add_argument("id", nargs="?", help="a decision_id, quote_id or tier change event_id")
    p.add_argument(
        "--win", metavar="REFERENCE", help="the opportunity's win: did it count as qualified?"
    )
    p.add_argument(
        "--from-kafka",
        action="store_true",
        help="re-derive from the ledger's topics alone, not from the event store",
    )
    declare_proofs(audit)


def declare_proofs(audit: Any) -> None:
    p = command(
        audit,
        "prove",
        audit_prove,
        help="an inclusion proof of one event in the latest signed checkpoint (JSON)",
        description="Writes a JSON document (contracts/published/proof.v1.schema.json) with "
        "the event's message bytes, the signed checkpoint and the RFC 6962 audit path; "
        "`ledger audit check` (or any RFC 6962 verifier) checks it offline.",
        example="audit prove 6f1c2a8e-3b4d-5e6f-8a9b-0c1d2e3f4a5b --out decision.proof.json",
    )
    p.add_argument("id", help="an event id: a decision_id, quote_id or event_id")
    _proof_options(p)
    p = command(
        audit,
        "consistency",
        audit_consistency,
        help="a consistency proof: an earlier checkpoint is a prefix of a later one (JSON)",
        description="OLD and NEW are each a file holding a signed checkpoint noted earlier, "
        "or a tree size whose checkpoint is on the chain topic; NEW may be `latest`.",
        example="audit consistency noted-checkpoint.txt latest --out consistency.json",
    )
    p.add_argument("old", help="a checkpoint file or a tree size")
    p.add_argument("new", help="a checkpoint file, a tree size, or latest")
    _proof_options(p)
    p = command(
        audit,
        "check",
        audit_check,
        help="check an inclusion or consistency proof offline (no Kafka, no database)",
        description="Verifies the checkpoints' signatures with the keys given, then the "
        "proof. Exit code 0 when it holds, 1 when it does not, 2 for a file that is no proof.",
        example="audit check decision.proof.json --key 'channel-ledger/ledger+1a2b3c4d+AV...'",
        json=True,
    )
    p.add_argument("file", help="the proof document")
    p.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="PUBKEY",
        help="the log's verifier key (or a file holding it); repeat for rotated keys",
    )

    p = command(
        audit,
        "keygen",
        audit_keygen,
        help="make an Ed25519 key: the log's (for rotation) or a witness's (--witness)",
        description="Writes the signer key (Go's sumdb/note format) to --out, readable by its "
        "owner only, and prints the verifier key to give auditors.",
        example="audit keygen auditor.example/w1 --witness --out var/w1.key",
    )
    p.add_argument("name", help="the key name, a schema-less URL such as example.com/log")
    p.add_argument("--witness", action="store_true", help="a cosignature/v1 witness key")
    p.add_argument("--out", required=True, metavar="FILE", help="where the signer key goes")
    command(
        audit,
        "pubkey",
        audit_pubkey,
        help="print the verifier key of the relay's signing key, for auditors' --key",
        example="audit pubkey",
    )
    p = command(
        audit,
        "witness",
        audit_witness,
        help="co-sign the log's latest checkpoint with an auditor's key (tlog-cosignature)",
        description="Checks that the events on Kafka reproduce the latest signed checkpoint "
        "and that the checkpoint this witness cosigned before is a prefix of it, then adds a "
        "cosignature/v1 line and publishes the cosigned copy on the chain topic. Exit code 1 "
        "when it refuses.",
        example="audit witness --key var/w1.key",
    )
    p.add_argument("--key", required=True, metavar="FILE", help="the witness's signer key file")
    p.add_argument(
        "--state", metavar="FILE", help="the last checkpoint cosigned (default: KEY.witnessed)"
    )
    p.add_argument(
        "--log-key",
        action="append",
        default=[],
        metavar="PUBKEY",
        help="the log's verifier key to trust (repeatable)",
    )


def _proof_options(p: Any) -> None:
    p.add_argument("--out", metavar="FILE", help="write the proof here (default: stdout)")
    p.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="PUBKEY",
        help="a log verifier key to trust beyond the configured ones (repeatable)",
    )
