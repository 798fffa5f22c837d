"""The `curator` command line: thin commands over the services.

stdout carries data (tables, JSON); diagnostics and progress go to stderr. A
`CuratorError` becomes a one-line message on stderr and its exit code (2 for bad input).
Commands live in project.py, labeling.py and quality.py; common.py holds the group.
"""

from __future__ import annotations

import sys

import click

from ..errors import CuratorError
from . import labeling, project, quality  # noqa: F401  (they register the commands)
from .common import cli

def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning CuratorErrors into messages and exit codes."""
    try:
        cli.main(args=argv, prog_name="curator", standalone_mode=False)
    except CuratorError as exc:
        click.echo(f"curator: {exc.title}: {exc.message}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from ..store import DatabaseFailure

        if not isinstance(exc, DatabaseFailure):
            raise
        click.echo(f"curator: storage error: {exc}", err=True)
        return 1
    return 0



__all__ = ["cli", "main"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
