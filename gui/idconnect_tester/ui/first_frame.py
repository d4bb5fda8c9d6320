"""The rules for code that runs before the window's first paint: no `Qt` namespace, and no
dataclass.

PySide6 turns each C++ enum into a Python `enum` class the first time Python code touches the
class or namespace that holds it. The `Qt` namespace holds 93 of them (`Qt.Key` alone has 471
members) and building them takes ~15 ms — a tenth of a cold start, and nothing the first frame
shows needs them. So the modules the window imports write `QtCore.Qt.…` where they use it
(resolved when that code runs, after the first paint), never `from PySide6.QtCore import Qt`,
and what the constructors must set goes through Qt's meta-object system by name, as Designer's
`.ui` files do: `set_qt_property(splitter, "orientation", "Vertical")`. The dock layout of a
first launch is a saved state for the same reason (`default_layout.py`).
tests/ui/test_startup.py fails when something builds the namespace before the first paint.

Dataclasses: on Python 3.11 `@dataclass` writes and compiles its methods' source each time the
class is created (~1 ms each, every start; nothing caches it), a `typing.NamedTuple` takes
~0.08 ms. So the records the first frame's modules define are NamedTuples — `FieldIssue`,
`PkcePair`, `TokenRequest` and `ShareTokenRequest` (whose reprs leave their tokens out),
`Colours`, `ShownError` — and `RefreshTokenTracker`, which changes, is a plain class.
"""

from __future__ import annotations

from PySide6.QtCore import QObject


def set_qt_property(target: QObject, name: str, text: str) -> None:
    """Set an enum, flags or key-sequence property from its text: an enum key ("Vertical"),
    flag keys joined by "|" ("TextSelectableByMouse|TextSelectableByKeyboard") or a shortcut
    ("Ctrl+Return"). A name or key Qt doesn't know raises instead of being ignored."""
    if not target.setProperty(name, text):
        raise ValueError(f"{type(target).__name__} has no property {name!r} that takes {text!r}")
