"""Parsing the space-separated ``scope`` parameter (authorize and refresh)."""

from __future__ import annotations

from idconnect_tester import vendor


class ScopeError(ValueError):
    """Empty scope, or names the service doesn't know."""


def parse_scope(text: str) -> tuple[str, ...]:
    """Known scope names in the vendor's order, duplicates dropped; ScopeError otherwise.

    RFC 6749 §3.3 separates scopes with single spaces; runs of spaces are tolerated (nothing is
    ambiguous about them), but a tab or comma is part of a name and so makes it unknown.
    """
    names = [name for name in text.split(" ") if name]
    if not names:
        raise ScopeError("scope must not be empty")
    unknown = [name for name in dict.fromkeys(names) if name not in vendor.SCOPES]
    if unknown:
        shown = ", ".join(repr(name[:64]) for name in unknown[:10])
        raise ScopeError(f"unknown scope(s): {shown}; supported: {' '.join(vendor.SCOPES)}")
    return tuple(scope for scope in vendor.SCOPES if scope in names)
