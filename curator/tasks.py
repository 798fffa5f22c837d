"""Tasks: create them, and attach a target JSON Schema and annotator guidelines.

A schema's text is stored in the project under its content hash, so a project file is
self-contained and every schema change is logged in `task_events`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from .errors import InputError
from .models import Task
from .store import Store


def read_schema_file(path: Path) -> tuple[str, str]:
    """(text, hash) of a JSON Schema file, after checking it is a usable schema."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such schema file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the schema: {exc}") from None
    try:
        schema = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: the schema is not valid JSON: {exc}") from None
    if not isinstance(schema, (dict, bool)):
        raise InputError(f"{path}: a JSON Schema must be an object (or true/false)")
    check_schema(schema, str(path))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_schema(schema: dict | bool, where: str) -> None:
    """Check a schema against its metaschema; name the bad keyword on failure."""
    from jsonschema import exceptions, validators

    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except exceptions.SchemaError as exc:
        pointer = "/" + "/".join(str(p) for p in exc.absolute_path)
        raise InputError(
            f"{where}: not a valid JSON Schema: at {pointer} the keyword "
            f"{exc.validator!r} fails: {exc.message}"
        ) from None


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
        text, digest = read_schema_file(schema)
        store.put_schema(text, digest, str(schema))
        task = store.update_task(task, schema_hash=digest, schema_source=str(schema))
    if guidelines is not None:
        task = store.update_task(task, guidelines=read_guidelines(guidelines))
    return task


def set_task_schema(store: Store, name: str, schema: Path) -> Task:
    with store.transaction():
        if store.get_task(name) is None:
            raise InputError(f"no task named {name!r} in {store.path}")
        return ensure_task(store, name, schema=schema)
