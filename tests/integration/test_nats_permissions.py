"""deploy/nats-server.conf's users and subject permissions, on a real nats-server started with that
file: the server itself refuses what a role may not do.

A refused publish is dropped by the server, which tells the publisher on its connection
(``-ERR 'Permissions Violation for Publish to "..."'``, handed by nats-py to the error callback);
a JetStream publish so refused gets no acknowledgement and times out."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import orjson
import pytest
from nats.aio.client import Client
from nats.js.api import StorageType, StreamConfig
from pingzhan.services.cli.console import CliError
from pingzhan.services.cli.send import stream_ready
from pingzhan.services.nats.connection import WORKER_INBOX
from pingzhan.services.nats.embedded import EmbeddedNats
from pingzhan.services.nats.stream import ensure_stream
from pingzhan.services.settings import Settings

from tests.e2e.helpers import clean_env, switch
from tests.integration.helpers import WorkerProcess

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROLES = ("operator", "field", "dashboard", "worker")
MODE_SUBJECT = "pingzhan.in.14.mode.switched_to_wartime"
FIELD_SUBJECT = "pingzhan.in.7.cadre.registered"


class Secured:
    """A nats-server started with deploy/nats-server.conf, and the passwords of its users."""

    def __init__(self, server: EmbeddedNats, passwords: dict[str, str]):
        self.server, self.passwords = server, passwords
        self.url = server.url

    def settings(self, role: str, data_dir: Path) -> Settings:
        return Settings(
            data_dir=data_dir, nats_url=self.url, nats_user=role, nats_password=self.passwords[role]
        )

    def env(self, role: str) -> dict[str, str]:
        """What `pingzhan` needs in its environment to connect as ``role``."""
        return {
            "PINGZHAN_NATS_URL": self.url,
            "PINGZHAN_NATS_USER": role,
            "PINGZHAN_NATS_PASSWORD": self.passwords[role],
        }


class Session:
    """A connection as one role, with the errors the server sent it."""

    def __init__(self, nc: Client, errors: list[str]):
        self.nc, self.errors = nc, errors
        self.js = nc.jetstream()

    async def violations(self) -> list[str]:
        """The permissions violations the server reported so far (lowercased by nats-py)."""
        await self.nc.flush()  # the server has read, and answered, everything sent before
        await asyncio.sleep(0.05)
        return [e for e in self.errors if "permissions violation" in e.lower()]


def deploy_config(into: Path, store_dir: Path) -> Path:
    """deploy/nats-server.conf and the accounts it includes, copied into ``into`` with only the
    JetStream store_dir changed (nats-server refuses ``-sd`` beside a store_dir in the file)."""
    into.mkdir(parents=True)
    (into / "nats-accounts.conf").write_text((DEPLOY / "nats-accounts.conf").read_text("utf-8"), "utf-8")
    text, count = re.subn(
        r"^(\s*store_dir:).*$",
        rf"\1 {store_dir}",
        (DEPLOY / "nats-server.conf").read_text("utf-8"),
        flags=re.M,
    )
    assert count == 1, "deploy/nats-server.conf has one store_dir"
    (into / "nats-server.conf").write_text(text, "utf-8")
    return into / "nats-server.conf"


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[Secured]:
    # Passwords as deploy/README.md says to make them: a letter first, then hex digits.
    passwords = {role: f"pz{secrets.token_hex(12)}" for role in ROLES}
    config = deploy_config(tmp_path / "deploy", tmp_path / "nats" / "jetstream")
    env = {f"NATS_{role.upper()}_PASSWORD": pw for role, pw in passwords.items()}
    server = EmbeddedNats(tmp_path / "nats", config=config, env=env).start()
    yield Secured(server, passwords)
    server.stop()


async def session(secured: Secured, role: str, **options: Any) -> Session:
    errors: list[str] = []

    async def collect(e: Exception) -> None:
        errors.append(str(e))

    nc = await nats.connect(
        secured.url, user=role, password=secured.passwords[role], error_cb=collect, **options
    )
    return Session(nc, errors)


@pytest.fixture
async def no_stream_yet(secured: Secured) -> Any:
    """The worker user, connected as the service connects, before the stream is made."""
    w = await session(secured, "worker", inbox_prefix=WORKER_INBOX)
    yield w
    await w.nc.close()


@pytest.fixture
async def worker(no_stream_yet: Session) -> Session:
    """The worker user, the stream made as the service makes it."""
    await ensure_stream(no_stream_yet.js, Settings())
    return no_stream_yet


def body(msg_id: str, kind: str, **fields: object) -> bytes:
    envelope = {"id": msg_id, "kind": kind, "occurred_at": "2022-07-15T20:00:00+08:00", "actor": "cd0101"}
    return orjson.dumps({**envelope, **fields})


async def stored(worker: Session) -> int:
    return int((await worker.js.stream_info("PINGZHAN")).state.messages)


async def test_a_field_accounts_publish_to_a_mode_subject_is_refused_by_the_server(
    secured: Secured, worker: Session
) -> None:
    field = await session(secured, "field")

    with pytest.raises(nats.errors.TimeoutError):  # no acknowledgement: the stream never saw it
        await field.js.publish(MODE_SUBJECT, body("f1", "mode.switched_to_wartime"), timeout=1)

    assert await field.violations() == [f'nats: permissions violation for publish to "{MODE_SUBJECT}"']
    assert await stored(worker) == 0
    await field.nc.close()


async def test_a_field_accounts_publish_of_a_field_kind_is_stored_by_the_stream(
    secured: Secured, worker: Session
) -> None:
    field = await session(secured, "field")

    ack = await field.js.publish(FIELD_SUBJECT, body("f2", "cadre.registered"), timeout=2)

    assert (ack.stream, ack.seq) == ("PINGZHAN", 1)
    assert await field.violations() == []
    await field.nc.close()


async def test_an_operators_publish_of_a_mode_command_is_stored_and_of_a_field_kind_refused(
    secured: Secured, worker: Session
) -> None:
    operator = await session(secured, "operator")

    ack = await operator.js.publish(MODE_SUBJECT, body("o1", "mode.switched_to_wartime"), timeout=2)
    await operator.nc.publish(FIELD_SUBJECT, body("o2", "cadre.registered"))

    assert (ack.stream, ack.seq) == ("PINGZHAN", 1)
    assert await operator.violations() == [f'nats: permissions violation for publish to "{FIELD_SUBJECT}"']
    assert await stored(worker) == 1
    await operator.nc.close()


async def test_a_dashboard_cannot_publish_inbound_nor_read_the_workers_deliveries_but_hears_changes(
    secured: Secured, worker: Session
) -> None:
    dashboard = await session(secured, "dashboard")
    heard: list[str] = []

    async def hear(msg: Any) -> None:
        heard.append(msg.subject)

    await dashboard.nc.subscribe("pingzhan.changes.>", cb=hear)
    await dashboard.nc.subscribe("pingzhan.outcome.>", cb=hear)
    await dashboard.nc.subscribe("pingzhan.in.>", cb=hear)
    await dashboard.nc.subscribe(f"{WORKER_INBOX}.>", cb=hear)
    await dashboard.nc.publish(FIELD_SUBJECT, body("d1", "cadre.registered"))
    await dashboard.nc.publish(MODE_SUBJECT, body("d2", "mode.switched_to_wartime"))
    await dashboard.nc.flush()
    await worker.nc.publish("pingzhan.changes.street.BT-BS", b"{}")
    await worker.nc.publish("pingzhan.outcome.m1", b"{}")
    await worker.nc.flush()

    assert sorted(await dashboard.violations()) == sorted(
        [
            f'nats: permissions violation for publish to "{FIELD_SUBJECT}"',
            f'nats: permissions violation for publish to "{MODE_SUBJECT}"',
            'nats: permissions violation for subscription to "pingzhan.in.>"',
            f'nats: permissions violation for subscription to "{WORKER_INBOX.lower()}.>"',
        ]
    )
    assert sorted(heard) == ["pingzhan.changes.street.BT-BS", "pingzhan.outcome.m1"]
    assert await stored(worker) == 0
    await dashboard.nc.close()


async def test_the_worker_user_serves_a_field_message_and_an_operators_switch_to_their_outcomes(
    secured: Secured, worker: Session, tmp_path: Path
) -> None:
    field = await session(secured, "field")
    outcomes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def outcome(msg: Any) -> None:
        await outcomes.put(orjson.loads(msg.data))

    await field.nc.subscribe("pingzhan.outcome.f3", cb=outcome)
    await field.js.publish(
        FIELD_SUBJECT, body("f3", "cadre.registered", cadre_id="CD9001", name="张三", unit="RSJ")
    )
    settings = secured.settings("worker", tmp_path / "data")
    token = with_operator(settings, "op-li")
    serve = WorkerProcess(settings, **secured.env("worker")).start()
    try:
        heard = await asyncio.wait_for(outcomes.get(), 30)
        operator_env = {
            **clean_env(),
            "PINGZHAN_DATA_DIR": str(tmp_path / "data"),
            "PINGZHAN_TOKEN": token,
            **secured.env("operator"),
        }
        to_war = await asyncio.to_thread(
            switch,
            "wartime",
            env=operator_env,
            scope="street:BT-BS",
            level="II",
            reason="暴雨",
            operator="op-li",
        )
    finally:
        serve.stop()

    assert (heard["message_id"], heard["status"]) == ("f3", "accepted")
    assert to_war.returncode == 0 and to_war.stdout.startswith("accepted"), to_war.stderr
    assert await field.violations() == []
    assert "violation" not in serve.log.read_text().lower()
    assert secured.passwords["worker"] not in serve.log.read_text()
    await field.nc.close()


async def test_the_http_api_of_a_service_running_as_the_worker_user_sends_and_hears_through_nats(
    secured: Secured, worker: Session, tmp_path: Path
) -> None:
    import httpx

    settings = secured.settings("worker", tmp_path / "data")
    token = with_operator(settings, "op-li")
    serve = WorkerProcess(settings, **secured.env("worker")).start()
    try:
        url = await asyncio.to_thread(_http_url, serve)
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as op:
            switched = await op.post(
                "/api/switch",
                json={"mode": "wartime", "scope": "street:BT-BS", "level": "III", "reason": "雨"},
            )
    finally:
        serve.stop()

    assert switched.status_code == 200, switched.text
    assert switched.json()["outcome"]["status"] == "accepted"
    assert "violation" not in serve.log.read_text().lower()


def with_operator(settings: Settings, name: str) -> str:
    """Register ``name`` as an operator in the store of ``settings``; its token."""
    from pingzhan.services.accounts import add_token
    from pingzhan.services.bootstrap import build

    app = build(settings)
    try:
        return add_token(settings, app.ledger, name, "operator")
    finally:
        app.close()


def _http_url(serve: WorkerProcess, within_s: float = 30) -> str:
    import time

    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        found = re.search(r"HTTP API and dashboard: (http://\S+?)/ ", serve.log.read_text())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"serve printed no HTTP URL:\n{serve.log.read_text()[-2000:]}")


async def test_an_operators_cli_publishes_to_a_stream_it_may_not_change(
    secured: Secured, no_stream_yet: Session
) -> None:
    # A stream of an earlier release takes pingzhan.in.>; the CLI would narrow it, as serve does.
    worker = no_stream_yet
    legacy = StreamConfig(name="PINGZHAN", subjects=["pingzhan.in.>"], storage=StorageType.FILE)
    await worker.js.add_stream(legacy)
    operator = await session(secured, "operator")

    await stream_ready(operator.js, Settings())
    ack = await operator.js.publish(MODE_SUBJECT, body("o3", "mode.switched_to_wartime"), timeout=2)

    assert (await operator.violations())[0].endswith('publish to "$js.api.stream.update.pingzhan"')
    assert ack.seq == 1
    assert (await worker.js.stream_info("PINGZHAN")).config.subjects == ["pingzhan.in.>"]
    await operator.nc.close()


async def test_an_operators_cli_says_so_when_the_stream_is_missing_and_it_may_not_create_it(
    secured: Secured, no_stream_yet: Session
) -> None:
    operator = await session(secured, "operator")

    with pytest.raises(
        CliError, match=r"cannot see the stream PINGZHAN, nor create it: .*start `pingzhan serve`"
    ):
        await stream_ready(operator.js, Settings())

    assert (await operator.violations())[0].endswith('publish to "$js.api.stream.create.pingzhan"')
    await operator.nc.close()


def test_a_wrong_password_is_one_line_saying_that_nats_refused_the_user(
    secured: Secured, tmp_path: Path
) -> None:
    token = with_operator(secured.settings("operator", tmp_path / "data"), "op-li")
    env = {**clean_env(), "PINGZHAN_DATA_DIR": str(tmp_path / "data"), **secured.env("operator")}
    env["PINGZHAN_NATS_PASSWORD"], env["PINGZHAN_TOKEN"] = "pzwrong", token

    result = switch("wartime", env=env, scope="street:BT-BS", level="II", reason="暴雨", operator="op-li")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"pingzhan: error: cannot reach NATS at {secured.url} (it refused the user 'operator'; "
        "see PINGZHAN_NATS_USER and PINGZHAN_NATS_PASSWORD)"
    ]


async def test_a_field_accounts_cli_publish_of_a_mode_command_ends_in_one_line_instead_of_waiting(
    secured: Secured, worker: Session, tmp_path: Path
) -> None:
    from tests.e2e.helpers import cli

    env = {**clean_env(), "PINGZHAN_DATA_DIR": str(tmp_path / "data"), **secured.env("field")}
    line = body("fm1", "mode.switched_to_wartime", scope="street:BT-BS", level="II", reason="雨")
    (tmp_path / "mode.jsonl").write_bytes(line + b"\n")

    result = await asyncio.to_thread(cli, "publish", str(tmp_path / "mode.jsonl"), "--timeout", "2", env=env)

    assert result.returncode == 1
    assert result.stderr.startswith("pingzhan: error: NATS did not acknowledge")
    assert len(result.stderr.strip().splitlines()) == 1


async def test_the_worker_user_keeps_the_ledgers_checkpoints_in_their_stream(
    secured: Secured, worker: Session, tmp_path: Path
) -> None:
    from pingzhan.services.ledger.keys import init_key
    from pingzhan.services.ledger.note import read_notes

    field = await session(secured, "field")
    await field.js.publish(
        FIELD_SUBJECT, body("f4", "cadre.registered", cadre_id="CD9002", name="张三", unit="RSJ")
    )
    settings = secured.settings("worker", tmp_path / "data").model_copy(
        update={
            "ledger_key": tmp_path / "keys" / "ledger.key",
            "ledger_checkpoints": tmp_path / "checkpoints",
        }
    )
    init_key(settings, "pingzhan-ledger")
    ledger_env = {
        "PINGZHAN_LEDGER_KEY": str(settings.ledger_key),
        "PINGZHAN_LEDGER_CHECKPOINTS": str(settings.ledger_checkpoints),
        "PINGZHAN_LEDGER_EVERY_S": "0.2",
    }
    serve = WorkerProcess(settings, **secured.env("worker"), **ledger_env).start()
    try:
        for _ in range(300):
            if settings.ledger_checkpoints.exists() and settings.ledger_checkpoints.read_text():
                break
            await asyncio.sleep(0.1)
    finally:
        serve.stop()
    info = await worker.js.stream_info("PINGZHAN_LEDGER")

    notes = list(read_notes(settings.ledger_checkpoints.read_text()))
    assert notes and notes[-1].size == 2  # the message's event and its inbox row
    assert info.state.messages == len(notes) and info.config.deny_delete and info.config.deny_purge
    assert "violation" not in serve.log.read_text().lower()
    await field.nc.close()
