"""The ledger inside `pingzhan serve`, against a real nats-server: checkpoints signed as the log
grows, kept in a JetStream stream that refuses deletes and purges and in the auditor's file, the
same in both; `verify`, `prove` and `verify-proof` on them; a service restarted on an altered
store signs nothing more; and errors in words when the key is missing."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import nats
import orjson
import pytest
from nats.js.errors import APIError
from pingzhan.services.ledger.note import read_notes
from pingzhan.services.nats.embedded import EmbeddedNats
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import last_seq, on_stream, publish, running, wait_until
from tests.integration.ledger_helpers import GRID, Intruder, cli, cli_env, ledger_settings


def messages(start: int, count: int) -> list[tuple[str, str, bytes]]:
    items = []
    for n in range(start, start + count):
        body = {"id": f"m{n}", "kind": "cadre.registered", "occurred_at": "2022-07-15T20:00:00+08:00",
                "actor": "app", "cadre_id": f"C{n}", "name": "张三", "unit": "RSJ"}  # fmt: skip
        items.append((body["id"], f"pingzhan.in.0.{body['kind']}", orjson.dumps(body)))
    bad = {"id": f"m{start}", "kind": "cadre.dispatched", "occurred_at": "2022-07-15T20:00:00+08:00",
           "actor": "app", "cadre_id": "nobody", "grid_id": GRID}  # fmt: skip
    items.append((f"x{start}", "pingzhan.in.0.cadre.dispatched", orjson.dumps({**bad, "id": f"x{start}"})))
    return items


def checkpoints(settings: Settings) -> list[int]:
    path = settings.ledger_checkpoints
    return [c.size for c in read_notes(path.read_text(encoding="utf-8"))] if path.exists() else []


async def serve_until_signed(settings: Settings, leaves: int) -> None:
    head = await last_seq(settings.nats_url, settings.stream)
    async with running(settings) as service:
        await wait_until(lambda: service.ingest.position >= head, what="the ingest")
        await wait_until(lambda: leaves in checkpoints(settings), what=f"a checkpoint of {leaves} leaves")


@pytest.fixture
def signed(
    store: Settings, nats_server: EmbeddedNats, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    settings = ledger_settings(store, tmp_path, ledger_every_leaves=4, ledger_every_s=0.2)
    for name, value in cli_env(settings).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PINGZHAN_NATS_URL", nats_server.url)
    assert cli(["ledger", "init"]) == 0
    return settings


async def test_serve_signs_checkpoints_into_a_stream_that_keeps_them_and_the_auditors_file(
    signed: Settings, nats_server: EmbeddedNats, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    settings = await on_stream(nats_server, signed)

    async with running(settings):
        await publish(nats_server.url, messages(1, 4))  # 4 accepted, 1 rejected: 10 leaves
        await wait_until(lambda: 10 in checkpoints(settings), what="a checkpoint of 10 leaves")
        await publish(nats_server.url, messages(100, 4))
        await wait_until(lambda: 20 in checkpoints(settings), what="a checkpoint of 20 leaves")

    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    info = await js.stream_info(settings.ledger_stream)
    with pytest.raises(APIError):
        await js.delete_msg(settings.ledger_stream, 1)
    with pytest.raises(APIError):
        await js.purge_stream(settings.ledger_stream)
    await nc.close()
    assert info.config.deny_delete and info.config.deny_purge
    assert info.state.messages == len(checkpoints(settings)) >= 2
    capsys.readouterr()
    assert await asyncio.to_thread(cli, ["ledger", "checkpoints", "-o", str(tmp_path / "copy")]) == 0
    assert (tmp_path / "copy").read_text(encoding="utf-8") == settings.ledger_checkpoints.read_text(
        encoding="utf-8"
    )
    assert cli(["verify"]) == 0
    assert "ok: the log is the one the checkpoints signed" in capsys.readouterr().out


async def test_a_proof_of_an_event_verifies_and_a_changed_one_does_not(
    signed: Settings, nats_server: EmbeddedNats, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    settings = await on_stream(nats_server, signed)
    await publish(nats_server.url, messages(1, 9))
    await serve_until_signed(settings, 20)
    proof = tmp_path / "proof.json"

    made = cli(["prove", "5", "-o", str(proof)])
    checked = cli(["verify-proof", str(proof)])
    out = capsys.readouterr().out
    doc = json.loads(proof.read_text())
    doc["leaf_data"] = doc["leaf_data"][:-4] + "AAAA"
    proof.write_text(json.dumps(doc))
    forged = cli(["verify-proof", str(proof)])
    err = capsys.readouterr().err

    rejection = cli(["prove", "--message", "x1", "-o", str(tmp_path / "rejection.json")])
    rejection_checked = cli(["verify-proof", str(tmp_path / "rejection.json")])
    rejection_out = capsys.readouterr().out

    assert (made, checked, forged, rejection, rejection_checked) == (0, 0, 1, 0, 0)
    assert "ok: leaf" in rejection_out and '"code":"unknown_cadre"' in (
        base64.b64decode(json.loads((tmp_path / "rejection.json").read_text())["leaf_data"]).decode()
    )
    assert "ok: leaf" in out and "event 5 " in out
    assert doc["tree_size"] == 20 and len(doc["inclusion_path"]) == 5
    assert err.startswith("pingzhan: error: the leaf is not at") and "\n" == err[-1] and err.count("\n") == 1


async def test_a_service_restarted_on_an_altered_store_signs_nothing_more(
    signed: Settings, nats_server: EmbeddedNats
) -> None:
    settings = await on_stream(nats_server, signed)
    await publish(nats_server.url, messages(1, 4))  # 10 leaves
    await serve_until_signed(settings, 10)
    intruder = Intruder(settings)
    intruder.run("UPDATE {events} SET topic = topic || 'x' WHERE {pos} = (SELECT min({pos}) FROM {events})")
    before = checkpoints(settings)

    await publish(nats_server.url, messages(100, 4))
    head = await last_seq(nats_server.url, settings.stream)
    async with running(settings) as service:
        await wait_until(lambda: service.ingest.position >= head, what="the ingest")
        await wait_until(lambda: service.checkpointer.refused is not None, what="the checkpointer to refuse")

    assert checkpoints(settings) == before
    assert "the store does not match the checkpoint of size 10" in service.checkpointer.refused


def test_verify_without_the_public_key_says_to_run_ledger_init(
    store: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = ledger_settings(store, tmp_path)
    open_ledger(settings).close()  # a store, without a ledger key
    for name, value in cli_env(settings).items():
        monkeypatch.setenv(name, value)

    code = cli(["verify"])

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("pingzhan: error: no ledger public key at ") and "pingzhan ledger init" in err
    assert err.count("\n") == 1


def test_ledger_init_refuses_a_key_in_the_data_directory_and_keeps_an_existing_key(
    store: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = ledger_settings(store, tmp_path)
    for name, value in cli_env(settings).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PINGZHAN_LEDGER_KEY", str(settings.data_dir / "ledger.key"))
    inside = cli(["ledger", "init"])
    inside_err = capsys.readouterr().err
    monkeypatch.setenv("PINGZHAN_LEDGER_KEY", str(settings.ledger_key))
    first = cli(["ledger", "init"])
    key = settings.ledger_key.read_text()
    second = cli(["ledger", "init"])
    second_err = capsys.readouterr().err

    assert (inside, first, second) == (1, 0, 1)
    assert "inside the data directory" in inside_err
    assert "already exists" in second_err and settings.ledger_key.read_text() == key
    assert settings.ledger_key.stat().st_mode & 0o077 == 0
