"""Read-only views of a project: counts, queue pages, one example with its history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .errors import InputError
from .models import STATUSES
from .store import Store
from .tasks import require_task


def stats(store: Store) -> dict[str, Any]:
    """{"total", "by_status", "tasks": {name: {"total", "by_status", "kinds", "schema"}}}."""
    tasks: dict[str, dict[str, Any]] = {}
    for task in store.list_tasks():
        tasks[task.name] = {
            "total": 0,
            "by_status": dict.fromkeys(STATUSES, 0),
            "schema": {"source": task.schema_source, "hash": task.schema_hash}
            if task.schema_hash else None,
            "has_guidelines": bool(task.guidelines),
            "overlap": task.overlap,
        }
    by_status = dict.fromkeys(STATUSES, 0)
    for task_name, status, count in store.counts():
        tasks[task_name]["by_status"][status] += count
        tasks[task_name]["total"] += count
        by_status[status] += count
    annotators = {}
    for name, decisions, corrections, first, last in store.annotator_stats():
        hours = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
        annotators[name] = {"decisions": decisions, "corrections": corrections,
                            "per_hour": round(decisions / max(hours / 3600, 1 / 60), 1)}
    return {"total": sum(by_status.values()), "by_status": by_status, "tasks": tasks,
            "annotators": annotators}


def list_examples(store: Store, *, status: str | None = None, task: str | None = None,
                  search: str | None = None, disagreements: bool = False, after_id: int = 0,
                  limit: int = 50) -> list[dict[str, Any]]:
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    require_task(store, task)
    if limit < 1:
        raise InputError("--limit must be at least 1")
    return store.list_examples(status=status, task=task, search=search,
                               disagreements=disagreements, after_id=after_id, limit=limit)
