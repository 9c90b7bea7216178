"""Errors a person can cause, each with a message that says what happened and what to do.

The CLI maps them to exit codes (SPEC §6): `RuleRefused` → 1, `BadInput` → 2.
"""


class DomainError(Exception):
    """Base of every error a user can cause; `str(err)` is shown to the user as is.

    `code` and `params`, where given, let a screen say the same in the user's language
    (the TUI catalogue's `error.<code>`); the English `message` stays the fallback.
    """

    exit_code = 1

    def __init__(self, message: str, code: str | None = None, **params: object):
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = params


class RuleRefused(DomainError):
    """A business rule said no (duplicate check-in, full session, wrong PIN, unsuitable product)."""

    exit_code = 1


class PermissionDenied(RuleRefused):
    """The acting staff member's role may not do this."""


class WrongPin(RuleRefused):
    """The PIN did not match; the message says how many tries are left."""


class AccountLocked(RuleRefused):
    """Too many wrong PINs; the message says until when."""


class Unsuitable(RuleRefused):
    """A product's risk level exceeds the client's grade, or the assessment has expired."""


class BadInput(DomainError):
    """Malformed or unknown input: a bad value, an unknown id, an unreadable file."""

    exit_code = 2


class NotFound(BadInput):
    """An id that names nothing."""


class RuleFileError(BadInput):
    """A rules or fixture file is invalid; the message names the file, the key and the problem."""


class ConcurrencyConflict(DomainError):
    """Another terminal changed the same thing first; retrying the command usually succeeds."""

    exit_code = 1
