"""Tasks: create them, and attach a target JSON Schema and annotator guidelines.

A schema's text (with the local files it refers to) is stored in the project under its
content hash, so a project file is self-contained and every schema change is logged in
`task_events`.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .models import Task
from .schemas import load_schema_file
from .store import Store


def read_guidelines(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such guidelines file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the guidelines: {exc}") from None


def ensure_task(store: Store, name: str, *, schema: Path | None = None,
                guidelines: Path | None = None) -> Task:
    """Get or create a task, then set its schema / guidelines when given.
    Call inside a store transaction."""
    if not name.strip():
        raise InputError("a task name cannot be empty")
    task = store.get_task(name) or store.create_task(name)
    if schema is not None:
        bundle = load_schema_file(schema)
        store.put_schema(bundle.hash, bundle.text, str(schema), bundle.base_uri,
                         bundle.resources_json())
        task = store.update_task(task, schema_hash=bundle.hash, schema_source=str(schema))
    if guidelines is not None:
        task = store.update_task(task, guidelines=read_guidelines(guidelines))
    return task


def require_task(store: Store, name: str | None) -> Task | None:
    """The task called `name` (None when no name is given); a name the project does
    not know is an InputError."""
    if name is None:
        return None
    task = store.get_task(name)
    if task is None:
        raise InputError(f"no task named {name!r} in {store.path}")
    return task


def set_task_schema(store: Store, name: str, schema: Path) -> Task:
    with store.transaction():
        require_task(store, name)
        return ensure_task(store, name, schema=schema)
