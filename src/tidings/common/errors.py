"""The one root of every error this application raises on purpose."""

from __future__ import annotations


class ApplicationError(Exception):
    """An expected failure with a message fit to show an operator or editor."""


class NotFound(ApplicationError):
    """The thing asked for does not exist, or is not the asker's to see (answers 404)."""


class InvalidInput(ApplicationError):
    """Input that cannot be accepted; the message says what to change."""
