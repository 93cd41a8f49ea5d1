"""A house one person can hold in their head: no shipped module over 400 lines (tests and migrations are
not shipped). A module that grows past it is split by what it holds, as docs/architecture.md says."""

from __future__ import annotations

from mentoring.tests.test_import_direction import ROOT, shipped_modules

MAX_LINES = 400


def test_no_shipped_module_is_over_400_lines() -> None:
    modules = list(shipped_modules())
    assert len(modules) > 200  # the walk sees the whole house, not an empty directory
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}
