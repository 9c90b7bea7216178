"""CLI output: data to stdout (human text or one JSON document), diagnostics to stderr.

Exit codes (SPEC §6): 0 done, 1 refused by a business rule, 2 bad usage or input.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from upgradecamp.domain.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])


class Exit(IntEnum):
    OK = 0
    REFUSED = 1
    BAD_INPUT = 2


def _default(value: Any) -> Any:
    """JSON for what `json` does not know; a query's frozen row prints as its fields, in order."""
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        from dataclasses import asdict  # only a query's rows need it: `calc` prints none

        return asdict(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot print {type(value).__name__} as JSON")


def emit_json(data: Any) -> None:
    import json  # not at import: only `--json` needs it

    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def say(text: str) -> None:
    typer.echo(text)


def text(key: str, **params: Any) -> str:
    """A fixed text of the CLI in the command's language (`--lang`, UPGRADECAMP_LANG, LANG)."""
    from upgradecamp.i18n import t

    return t(key, **params)


def coded(group: str, code: str | None) -> str:
    """A code (a status, a role) as the command's language says it; English prints the code
    itself, as scripts read it."""
    from upgradecamp.i18n import FALLBACK, label, language

    if code is None or language() == FALLBACK:
        return code or ""
    return label(group, code)


def fail(message: str, code: Exit = Exit.BAD_INPUT) -> NoReturn:
    """`message` (already in the command's language) as the one error line on stderr."""
    typer.echo(text("cli.error", message=message), err=True)
    raise typer.Exit(int(code))


def warn(message: str) -> None:
    typer.echo(text("cli.warning", message=message), err=True)


# Said by the TUI with its own advice ("quit and start again"); the CLI prints what opening said.
_SAID_AS_RAISED = frozenset({"database_unusable", "database_unreachable"})


def error_message(err: DomainError) -> str:
    """A DomainError as this command's language says it, through the one catalogue of codes.

    In English the message raised is said as it is: it names the CLI's own options (`--as`,
    `--unmasked`) where the catalogue's English speaks of keys and screens, and scripts match it.
    """
    from upgradecamp.i18n import FALLBACK, db_problem_text, error_text, language

    if language() == FALLBACK:
        return err.message
    if err.code in _SAID_AS_RAISED or err.code == "no_upgradecamp_database":
        return db_problem_text(err) or err.message
    return error_text(err)


def handles_errors(fn: F) -> F:
    """Turn a DomainError into its message on stderr and its exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from upgradecamp.domain.errors import DomainError

        try:
            return fn(*args, **kwargs)
        except DomainError as err:
            typer.echo(text("cli.error", message=error_message(err)), err=True)
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            typer.echo(text("cli.interrupted"), err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            damage = _damaged_database(exc)
            if damage is None:
                raise
            typer.echo(text("cli.error", message=damage.message), err=True)
            raise typer.Exit(damage.exit_code) from None

    return wrapper  # type: ignore[return-value]


def _damaged_database(exc: Exception) -> DomainError | None:
    """A database file found damaged in the middle of a command (the opening checks only what
    opening reads); any other error surfaces as it is."""
    db_errors = sys.modules.get("sqlalchemy.exc")  # loaded by then if a database was used
    if db_errors is None or not isinstance(exc, db_errors.DBAPIError):
        return None
    from upgradecamp.store.opening import damage

    return damage(exc)


def stdin_is_tty() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def headers(*names: str) -> list[str]:
    """Column labels of a CLI table in the command's language (`cli_table.<name>`)."""
    return [text(f"cli_table.{name}") for name in names]


def print_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None
) -> None:
    """A table on stdout: its header row, then the rows, columns aligned by cell width."""
    for line in table([header, *rows], right or [False] * len(header)):
        say(line)


def table(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Rows as aligned columns by cell width (Chinese takes two cells)."""
    from rich.cells import cell_len

    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = []
        for value, width, r in zip(row, widths, right, strict=True):
            pad = " " * (width - cell_len(value))
            cells.append(pad + value if r else value + pad)
        out.append("  ".join(cells).rstrip())
    return out
