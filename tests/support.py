"""Small helpers shared by tests."""

from __future__ import annotations

from lib.auth import Role, User


def admin(name: str) -> User:
    """A user allowed to import and to withdraw any upload (most store tests act as one)."""
    return User(str(name), Role.ADMIN, "local")


def analyst(name: str) -> User:
    """A user allowed to import and to withdraw only their own uploads."""
    return User(str(name), Role.ANALYST, "local")


def viewer(name: str) -> User:
    """A user who may only read."""
    return User(str(name), Role.VIEWER, "local")
