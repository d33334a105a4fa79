"""Shared test fixtures: the PyTorch oracle, and the rule that CI never skips what it must run."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI") == "true"


def require(module: str, why: str):
    """Import an optional test dependency, or skip with a reason (in CI: fail, never skip)."""
    try:
        return __import__(module)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{module} is required in CI ({why}) but is not installed")
        pytest.skip(f"{module} is not installed: {why} (pip install -e '.[test]' torch==2.13.0)")


@pytest.fixture(scope="session")
def torch():
    """PyTorch, as a test-only oracle (never a runtime dependency)."""
    t = require("torch", "PyTorch is the oracle these gradients are compared with")
    t.set_default_dtype(t.float64)
    t.set_num_threads(1)
    return t
