"""C2SP signed notes, cosignatures and checkpoints, byte for byte as the specs write them."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.wire.checkpoint import (
    Checkpoint,
    load_checkpoint_note,
    parse_checkpoint,
    signed_checkpoint,
)
from contracts.wire.signed_note import (
    COSIGNATURE_V1,
    ED25519,
    NoteError,
    Signer,
    check_signatures,
    parse_note,
    parse_signer,
    parse_verifier,
)

SEED = bytes(range(32))


def fixed_signer(name: str = "example.com/log", kind: int = ED25519) -> Signer:
    return Signer(name, kind, Ed25519PrivateKey.from_private_bytes(SEED))


def test_the_key_id_is_the_spec_hash_of_name_newline_type_and_key():
    signer = fixed_signer()
    public = signer.private_key.public_key().public_bytes_raw()
    expected = hashlib.sha256(b"example.com/log\n\x01" + public).digest()[:4]
    assert signer.verifier.key_id == expected
    encoded_key = base64.b64encode(b"\x01" + public).decode()
    assert signer.verifier.encoded() == f"example.com/log+{expected.hex()}+{encoded_key}"


def test_key_strings_round_trip_in_the_go_note_format():
    signer = fixed_signer()
    assert signer.encoded().startswith("PRIVATE+KEY+example.com/log+")
    again = parse_signer(signer.encoded())
    assert again.verifier.encoded() == signer.verifier.encoded()
    assert parse_verifier(signer.verifier.encoded()).key_id == signer.verifier.key_id


def test_a_signed_checkpoint_is_the_spec_text_then_a_blank_line_then_an_em_dash_line():
    root = hashlib.sha256(b"").digest()
    note = signed_checkpoint(Checkpoint("example.com/log", 7, root), fixed_signer()).decode()
    text, _, signature = note.partition("\n\n")
    assert text + "\n" == "example.com/log\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    assert signature.startswith("\u2014 example.com/log ")
    assert signature.endswith("=\n")
    blob = base64.b64decode(signature.split(" ")[2])
    assert blob[:4] == fixed_signer().verifier.key_id
    assert len(blob) == 4 + 64


def test_a_checkpoint_verifies_with_its_key_and_not_with_another():
    signer, other = fixed_signer(), Signer.generate("example.com/log")
    loaded = load_checkpoint_note(signed_checkpoint(Checkpoint("o", 1, bytes(32)), signer))
    assert check_signatures(loaded.note, [signer.verifier]).signed_by == (signer.verifier,)
    # Same name, another key: its id differs, so the signature is by an unknown key.
    verdict = check_signatures(loaded.note, [other.verifier])
    assert (verdict.signed_by, verdict.failed, len(verdict.unknown)) == ((), (), 1)


def test_an_altered_checkpoint_fails_its_known_key():
    signer = fixed_signer()
    note = signed_checkpoint(Checkpoint("o", 1, bytes(32)), signer).decode()
    forged = parse_note(note.replace("\n1\n", "\n2\n", 1))
    verdict = check_signatures(forged, [signer.verifier])
    assert (verdict.signed_by, verdict.failed) == ((), (signer.verifier,))


def test_a_cosignature_signs_the_v1_header_the_time_and_the_checkpoint():
    witness = fixed_signer("witness.example/w1", COSIGNATURE_V1)
    text = Checkpoint("o", 3, bytes(32)).text()
    signature = witness.sign(text, timestamp=1679315147)
    assert signature.blob[:8] == (1679315147).to_bytes(8, "big")
    message = b"cosignature/v1\ntime 1679315147\n" + text.encode()
    witness.private_key.public_key().verify(signature.blob[8:], message)
    assert witness.verifier.verify(text, signature)
    assert (
        witness.verifier.key_id
        == hashlib.sha256(
            b"witness.example/w1\n\x04" + witness.private_key.public_key().public_bytes_raw()
        ).digest()[:4]
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("o\n1\n", "an origin, a size and a root"),
        ("o\n01\n" + "A" * 43 + "=\n", "size '01'"),
        ("o\n-1\n" + "A" * 43 + "=\n", "size '-1'"),
        ("o\n1\nAAAA\n", "not 32 bytes"),
        ("\n1\n" + "A" * 43 + "=\n", "origin line is empty"),
    ],
)
def test_malformed_checkpoints_are_refused_naming_the_line(text, problem):
    with pytest.raises(NoteError, match=problem):
        parse_checkpoint(text)


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        ("text\n- k AAAAAAA=\n", "a text, a blank line"),
        ("text\n\n- k AAAAAAAA\n", "em dash"),
        ("text\n\n\u2014 k !!!\n", "not base64"),
        ("te\x01xt\n\n\u2014 k AAAAAAAA\n", "control characters"),
        ("text\n\n\u2014 a+b AAAAAAAA\n", "without spaces or"),
    ],
)
def test_malformed_notes_are_refused(note, problem):
    with pytest.raises(NoteError, match=problem):
        parse_note(note)


def test_a_verifier_key_whose_id_does_not_match_is_refused():
    name, _, key = fixed_signer().verifier.encoded().split("+", 2)
    with pytest.raises(NoteError, match="does not match"):
        parse_verifier(f"{name}+00000000+{key}")
    with pytest.raises(NoteError, match="must be <name>"):
        parse_verifier("just-a-name")
