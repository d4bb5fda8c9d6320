"""Guards against a broken Qt binding: PySide6 6.12.0 returns None from void methods without
taking a reference, so on Python 3.11 every such call drops None's refcount by one and the
interpreter aborts at exit ("none_dealloc"). pyproject.toml excludes it; this catches a
regression (or a future release with the same bug) before users do."""

import gc
import sys

from PySide6.QtWidgets import QLabel


def test_void_calls_keep_none_refcount_balanced(qapp) -> None:
    label = QLabel("x")
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(5000):
        label.setVisible(False)
        label.setText("y")
    gc.collect()
    # With the bug the count falls by 10,000; other threads may move it by a few hundred.
    assert sys.getrefcount(None) - before > -2000
