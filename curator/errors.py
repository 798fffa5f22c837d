"""Typed errors raised by the services; front ends show `title` and `message`."""

from __future__ import annotations


class CuratorError(Exception):
    """An error a user can act on. `exit_code` is what the CLI exits with."""

    title = "error"
    exit_code = 1

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class InputError(CuratorError):
    """Bad input from the user: a file, a flag, a value. Exit 2, like a usage error."""

    title = "bad input"
    exit_code = 2


class ProjectError(CuratorError):
    """The project file cannot be used: missing, not a project, from a newer curator."""

    title = "project error"
    exit_code = 2


class NotFoundError(CuratorError):
    title = "not found"
    exit_code = 2


class StorageError(CuratorError):
    """The database refused a write (disk full, read-only file, locked)."""

    title = "storage error"
    exit_code = 1


class BadRow(ValueError):
    """One input row that cannot become an example. `field` names where (a dotted path
    such as `messages.2.content`, or "" for the whole row); the importer adds the file
    and line."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


class ConflictError(CuratorError):
    """The example changed since it was read (another annotator, another window)."""

    title = "changed meanwhile"
    exit_code = 1


class NeedsReason(CuratorError):
    """Approving an output that fails its schema needs a reason, which is recorded."""

    title = "invalid output"
    exit_code = 2
