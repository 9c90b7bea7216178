"""CLI output: data to stdout (human text or one JSON document), diagnostics to stderr.

Exit codes (SPEC §6): 0 done, 1 refused by a business rule, 2 bad usage or input.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])


class Exit(IntEnum):
    OK = 0
    REFUSED = 1
    BAD_INPUT = 2


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot print {type(value).__name__} as JSON")


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def say(text: str) -> None:
    typer.echo(text)


def fail(message: str, code: Exit = Exit.BAD_INPUT) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(int(code))


def handles_errors(fn: F) -> F:
    """Turn a DomainError into its message on stderr and its exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from upgradecamp.domain.errors import DomainError

        try:
            return fn(*args, **kwargs)
        except DomainError as err:
            typer.echo(f"error: {err.message}", err=True)
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing more was done", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def stdin_is_tty() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()
