"""Sloppy input through the `pingzhan` command: messages without an id, and actors in another case."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from pingzhan.services.nats.embedded import EmbeddedNats
from pingzhan.services.settings import Settings

from tests.e2e.helpers import TOKENS, cli, register_operators, switch
from tests.integration.helpers import WorkerProcess


@contextlib.contextmanager
def service(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`pingzhan serve` on a nats-server of its own; yields the environment that reaches it."""
    with EmbeddedNats(tmp_path / "nats") as server:
        worker = WorkerProcess(Settings(data_dir=tmp_path / "data", nats_url=server.url)).start()
        try:
            yield worker.env
        finally:
            worker.stop()


def test_publish_records_lines_without_an_id_under_their_stream_sequence_and_outcome_finds_them(
    tmp_path: Path,
) -> None:
    envelope = {"kind": "cadre.registered", "occurred_at": "2022-07-15T20:00:00+08:00", "actor": "zzb"}
    lines = [
        {**envelope, "id": "e2e-1", "cadre_id": "C1", "name": "n", "unit": "u"},
        {**envelope, "cadre_id": "C2", "name": "n", "unit": "u"},  # no id
        {**envelope, "id": "not valid!", "cadre_id": "C3", "name": "n", "unit": "u"},
    ]
    messages = tmp_path / "messages.jsonl"
    messages.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json at all\n")

    with service(tmp_path) as env:
        published = cli("publish", str(messages), "--timeout", "20", env=env)
        by_seq = cli("outcome", "--seq", "4", env=env)
        by_id = cli("outcome", "stream-seq-2", "--json", env=env)
        first = cli("outcome", "--seq", "1", env=env)

    assert published.returncode == 1, published.stderr
    printed = published.stdout.splitlines()
    assert printed[:2] == [
        "accepted e2e-1: Cadre.Registered",
        "rejected stream-seq-2 (schema): id: Field required",
    ]
    assert printed[2].startswith("rejected stream-seq-3 (schema): id: String should match pattern")
    assert printed[3].startswith("rejected stream-seq-4 (malformed_json): ")
    assert len(printed) == 4
    assert by_seq.stdout.startswith("rejected stream-seq-4 (malformed_json)"), by_seq.stderr
    assert json.loads(by_id.stdout)["code"] == "schema", by_id.stderr
    assert first.stdout.startswith("accepted e2e-1"), first.stderr


def test_an_operator_id_in_another_case_cannot_confirm_its_own_level_one_proposal(tmp_path: Path) -> None:
    with service(tmp_path) as env:
        register_operators("op-li", "op-wang", env=env)
        proposed = switch("wartime", scope="street:BT-QG", level="I", reason="dam", operator="op-li", env=env)
        proposal = re.search(r"--proposal (\S+)", proposed.stdout)
        assert proposal is not None, proposed.stdout + proposed.stderr
        confirm = {"scope": "street:BT-QG", "proposal": proposal.group(1)}
        own_token = {**env, "PINGZHAN_TOKEN": TOKENS[(env["PINGZHAN_DATA_DIR"], "op-li")]}
        by_self = switch("confirm", "--json", operator="OP-LI", **confirm, env=own_token)
        by_other = switch("confirm", operator="op-wang", **confirm, env=env)

    # the wire takes OP-LI as op-li, the registered proposer: the same person cannot confirm
    assert by_self.returncode == 1, by_self.stderr
    assert json.loads(by_self.stdout)["code"] == "confirmation"
    assert by_other.returncode == 0 and "SwitchedToWartime" in by_other.stdout, (
        by_other.stdout + by_other.stderr
    )
