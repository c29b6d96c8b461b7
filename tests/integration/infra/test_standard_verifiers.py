"""Standard verifiers in another language accept our checkpoints and proofs.

A small Go program, written here and built in the test's temporary directory against the Go
team's own packages (golang.org/x/mod/sumdb/note for C2SP signed notes, .../sumdb/tlog for
RFC 6962 proofs), opens each proof's checkpoint with the log's verifier key and checks the
inclusion or consistency path. Nothing of it is committed but this source; it needs Go and the
Go module proxy, and skips without Go unless LEDGER_REQUIRE_GO=1.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from uuid import UUID

import orjson
import pytest

from contracts.wire.signed_note import Signer
from infra.audit.proofs import prove_consistency, read_log
from infra.audit.verify import Trust
from infra.log_keys import log_signer
from tests.integration.infra.test_merkle_log import published  # noqa: F401 - the fixture

pytestmark = pytest.mark.kafka
GO_MODULE = "golang.org/x/mod@v0.43.0"

CHECKER = r"""
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type proofDocument struct {
	Proof           string   `json:"proof"`
	Checkpoint      string   `json:"checkpoint"`
	LeafIndex       int64    `json:"leaf_index"`
	Event           string   `json:"event"`
	InclusionPath   []string `json:"inclusion_path"`
	OldCheckpoint   string   `json:"old_checkpoint"`
	NewCheckpoint   string   `json:"new_checkpoint"`
	ConsistencyPath []string `json:"consistency_path"`
}

// openCheckpoint verifies the note's signature and reads the tlog-checkpoint body.
func openCheckpoint(verifier note.Verifier, signed string) (int64, tlog.Hash, error) {
	var root tlog.Hash
	opened, err := note.Open([]byte(signed), note.VerifierList(verifier))
	if err != nil {
		return 0, root, err
	}
	lines := strings.Split(opened.Text, "\n")
	if len(lines) < 4 {
		return 0, root, fmt.Errorf("short checkpoint")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return 0, root, err
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != len(root) {
		return 0, root, fmt.Errorf("bad root hash")
	}
	copy(root[:], raw)
	return size, root, nil
}

func decodeHashes(encoded []string) ([]tlog.Hash, error) {
	hashes := make([]tlog.Hash, len(encoded))
	for i, item := range encoded {
		raw, err := base64.StdEncoding.DecodeString(item)
		if err != nil || len(raw) != len(hashes[i]) {
			return nil, fmt.Errorf("bad hash %d", i)
		}
		copy(hashes[i][:], raw)
	}
	return hashes, nil
}

func check(verifier note.Verifier, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var document proofDocument
	if err := json.Unmarshal(data, &document); err != nil {
		return err
	}
	switch document.Proof {
	case "inclusion":
		size, root, err := openCheckpoint(verifier, document.Checkpoint)
		if err != nil {
			return err
		}
		event, err := base64.StdEncoding.DecodeString(document.Event)
		if err != nil {
			return err
		}
		path, err := decodeHashes(document.InclusionPath)
		if err != nil {
			return err
		}
		return tlog.CheckRecord(path, size, root, document.LeafIndex, tlog.RecordHash(event))
	case "consistency":
		oldSize, oldRoot, err := openCheckpoint(verifier, document.OldCheckpoint)
		if err != nil {
			return err
		}
		newSize, newRoot, err := openCheckpoint(verifier, document.NewCheckpoint)
		if err != nil {
			return err
		}
		path, err := decodeHashes(document.ConsistencyPath)
		if err != nil {
			return err
		}
		return tlog.CheckTree(path, newSize, newRoot, oldSize, oldRoot)
	}
	return fmt.Errorf("unknown proof %q", document.Proof)
}

func main() {
	verifier, err := note.NewVerifier(os.Args[1])
	if err != nil {
		fmt.Println("bad key:", err)
		os.Exit(2)
	}
	failed := 0
	for _, file := range os.Args[2:] {
		if err := check(verifier, file); err != nil {
			fmt.Printf("FAIL %s: %v\n", file, err)
			failed++
		} else {
			fmt.Printf("ok %s\n", file)
		}
	}
	if failed > 0 {
		os.Exit(1)
	}
}
"""


@pytest.fixture(scope="module")
def go_checker(tmp_path_factory) -> Path:
    go = shutil.which("go")
    if go is None:
        if os.environ.get("LEDGER_REQUIRE_GO") == "1":
            pytest.fail("LEDGER_REQUIRE_GO=1 but no go on PATH")
        pytest.skip("Go is not installed")
    home = tmp_path_factory.mktemp("go-checker")
    (home / "main.go").write_text(CHECKER)
    env = {**os.environ, "GOFLAGS": "-mod=mod"}

    def run(*argv: str) -> None:
        subprocess.run([go, *argv], cwd=home, env=env, check=True, capture_output=True, timeout=300)

    run("mod", "init", "example.invalid/checker")
    run("get", GO_MODULE)
    run("build", "-o", "checker", ".")
    return home / "checker"


def run_checker(checker: Path, key: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(checker), key, *map(str, files)],
        check=False,  # the exit code is what the tests read
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_go_sumdb_note_and_tlog_accept_every_inclusion_and_consistency_proof(
    published,  # noqa: F811 - the fixture imported above
    go_checker,
    tmp_path,
):
    log = read_log(published, Trust())
    files = []
    for n, record in enumerate(log.events):
        event_id = UUID(orjson.loads(record.value)["event_id"])
        path = tmp_path / f"inclusion-{n}.json"
        path.write_text(json.dumps(log.prove(event_id)))
        files.append(path)
    for old in sorted(log.checkpoints)[:-1]:
        path = tmp_path / f"consistency-{old}.json"
        path.write_text(json.dumps(prove_consistency(published, old, None, Trust())))
        files.append(path)
    key = log_signer(published).verifier.encoded()
    result = run_checker(go_checker, key, files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok ") == len(log.events) + len(log.checkpoints) - 1


def test_go_refuses_a_tampered_event_and_a_checkpoint_under_another_key(
    published,  # noqa: F811 - the fixture imported above
    go_checker,
    tmp_path,
):
    log = read_log(published, Trust())
    document = log.prove(UUID(orjson.loads(log.events[5].value)["event_id"]))
    # One byte more (still the same JSON to a parser): the bytes on Kafka are what is proven.
    event = base64.b64decode(document["event"])[:-1] + b" }"
    document["event"] = base64.b64encode(event).decode()
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    key = log_signer(published).verifier.encoded()
    result = run_checker(go_checker, key, [tampered])
    assert result.returncode == 1
    assert "FAIL" in result.stdout
    stranger = Signer.generate(log_signer(published).name).verifier.encoded()
    honest = tmp_path / "honest.json"
    honest.write_text(json.dumps(log.prove(UUID(orjson.loads(log.events[5].value)["event_id"]))))
    assert run_checker(go_checker, key, [honest]).returncode == 0
    result = run_checker(go_checker, stranger, [honest])
    assert result.returncode == 1
    assert "FAIL" in result.stdout
