"""The ledger: how to undo what a fault changed, written down before it changes it.

A fault appends an entry (a `kind` and what undoing it needs) to the ledger in the state file, then
breaks the platform; `heal` undoes the entries newest first, so faults stack. Each kind's undo is
one function registered with `@undoes(kind)`: a new kind is a new function here, not a new branch.
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import Callable
from typing import Any

from google.api_core import exceptions as gexc

from opscheck.sandbox import schema
from opscheck.sandbox.faults.common import drain, sql
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.processes import SandboxError

BACKUP_DATASET = "sandbox_backup"
Entry = dict[str, Any]
Undo = Callable[[Sandbox, Entry], None]
UNDO: dict[str, Undo] = {}
"""Each ledger kind -> how to undo an entry of it."""


def undoes(kind: str) -> Callable[[Undo], Undo]:
    def register(fn: Undo) -> Undo:
        UNDO[kind] = fn
        return fn

    return register


def undo(p: Sandbox, entry: Entry) -> None:
    kind = entry["kind"]
    if kind not in UNDO:  # a ledger written by another version
        raise SandboxError(f"cannot undo ledger entry of kind {kind!r}")
    UNDO[kind](p, entry)


# ---- what faults write down, and how each is undone ---------------------------
def keep_rows(p: Sandbox, table: str, where: str) -> None:
    """Back up the rows a fault is about to change."""
    backup = f"{BACKUP_DATASET}.b{len(p.ledger)}_{table.replace('.', '_')}"
    p.bigquery().create_dataset(BACKUP_DATASET, exists_ok=True, timeout=30)
    sql(p, f"CREATE TABLE {backup} AS SELECT * FROM {table} WHERE {where}")
    p.ledger.append({"kind": "rows", "table": table, "where": where, "backup": backup})


def drop_table(p: Sandbox, table: str) -> None:
    """Back up every row of `table`, then drop it (undo creates it again, then puts the rows back)."""
    keep_rows(p, table, "TRUE")
    p.ledger[-1]["dropped"] = True
    p.bigquery().delete_table(table, timeout=30)


@undoes("rows")
def _rows(p: Sandbox, entry: Entry) -> None:
    if entry.get("dropped"):
        sql(p, schema.ddl(entry["table"]))
    sql(p, f"DELETE FROM {entry['table']} WHERE {entry['where']}")
    sql(p, f"INSERT INTO {entry['table']} SELECT * FROM {entry['backup']}")
    p.bigquery().delete_table(entry["backup"], not_found_ok=True, timeout=30)


def keep_object(p: Sandbox, name: str) -> None:
    p.ledger.append({"kind": "object", "name": name,
                     "data": base64.b64encode(p.read_object(name)).decode()})


@undoes("object")
def _object(p: Sandbox, entry: Entry) -> None:
    p.write_object(entry["name"], base64.b64decode(entry["data"]))


@undoes("new_object")
def _new_object(p: Sandbox, entry: Entry) -> None:
    p.storage().bucket(schema.BUCKET).blob(entry["name"]).delete(timeout=30)


def misbehave(p: Sandbox, service: str, **env: str) -> None:
    """Restart `service` with fault switches in its environment (undo: restart it without them)."""
    p.ledger.append({"kind": "restart", "service": service})
    p.restart_service(service, env)


@undoes("restart")
def _restart(p: Sandbox, entry: Entry) -> None:
    p.restart_service(entry["service"])


def keep_deployment(p: Sandbox, *restart: str) -> None:
    p.ledger.append({"kind": "deployment", "spec": p.deployed(), "restart": list(restart)})


@undoes("deployment")
def _deployment(p: Sandbox, entry: Entry) -> None:
    p.set_deployed(entry["spec"])
    for service in entry["restart"]:
        p.restart_service(service)


@undoes("subscription")
def _subscription(p: Sandbox, entry: Entry) -> None:
    p.subscriber().update_subscription(request={
        "subscription": p.push_subscription_spec(entry["endpoint"]),
        "update_mask": {"paths": ["push_config"]}}, timeout=30)


@undoes("dead_letter_policy")
def _dead_letter_policy(p: Sandbox, entry: Entry) -> None:
    spec = p.push_subscription_spec(entry["endpoint"])
    p.subscriber().delete_subscription(subscription=spec["name"], timeout=30)
    p.subscriber().create_subscription(request=spec, timeout=30)


@undoes("push_subscription")
def _push_subscription(p: Sandbox, entry: Entry) -> None:
    with contextlib.suppress(gexc.AlreadyExists):
        p.subscriber().create_subscription(request=p.push_subscription_spec(entry["endpoint"]), timeout=30)


@undoes("drain")
def _drain(p: Sandbox, entry: Entry) -> None:
    drain(p, entry["subscription"])


@undoes("dead_letter_subscription")
def _dead_letter_subscription(p: Sandbox, entry: Entry) -> None:
    path = p.dead_letter_subscription_spec()["name"]
    with contextlib.suppress(gexc.NotFound):
        p.subscriber().delete_subscription(subscription=path, timeout=30)
    p.subscriber().create_subscription(request=p.dead_letter_subscription_spec(), timeout=30)


def keep_scheduled_jobs(p: Sandbox) -> None:
    p.ledger.append({"kind": "scheduler", "jobs": p.scheduled_jobs()})


@undoes("scheduler")
def _scheduler(p: Sandbox, entry: Entry) -> None:
    p.set_scheduled_jobs(entry["jobs"])


@undoes("doc")
def _doc(p: Sandbox, entry: Entry) -> None:
    p.doc_file.write_text(entry["text"])


def keep_logs(p: Sandbox) -> None:
    """Note how long each service's log is: undo cuts what the fault made them log (heal leaves no error behind)."""
    folder = p.log_folder()
    p.ledger.append({"kind": "logs", "sizes": {f.name: f.stat().st_size for f in folder.glob("*.log")}})


@undoes("logs")
def _logs(p: Sandbox, entry: Entry) -> None:
    for name, size in entry["sizes"].items():
        path = p.log_folder() / name
        if path.exists() and path.stat().st_size > size:
            os.truncate(path, size)  # the services append (O_APPEND): they go on writing at the new end


def forget_on_heal(p: Sandbox, batch_id: str) -> None:
    """A batch the fault ran: undo drops it from the tracker (its rows are put back as they were, so a tracker
    still counting it would claim rows the warehouse no longer has)."""
    p.ledger.append({"kind": "batch", "batch_id": batch_id})


@undoes("batch")
def _batch(p: Sandbox, entry: Entry) -> None:
    p.call("prediction-coordinator", "/forget", {"batch_id": entry["batch_id"]})


def keep_builds(p: Sandbox) -> None:
    p.ledger.append({"kind": "builds", "builds": p.builds()})


@undoes("builds")
def _builds(p: Sandbox, entry: Entry) -> None:
    p.set_builds(entry["builds"])


def keep_repo(p: Sandbox) -> None:
    """Note the platform checkout's HEAD: undo resets the branch to it (dropping the fault's commits)."""
    p.ledger.append({"kind": "repo", "head": p.repo_git("rev-parse", "HEAD")})


@undoes("repo")
def _repo(p: Sandbox, entry: Entry) -> None:
    p.repo_git("reset", "-q", "--hard", entry["head"])
