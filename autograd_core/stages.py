"""Stages: mark a group of operations as one stage, so a graph can draw it expanded or as one gate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Stage:
    """A named group of nodes, e.g. the four gates that make up a sigmoid. Stages may nest."""

    __slots__ = ("name", "parent", "index")
    _count = 0

    def __init__(self, name: str, parent: Stage | None) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"stage(name): the name must be a non-empty str, got {name!r}")
        self.name = name
        self.parent = parent
        Stage._count += 1
        self.index = Stage._count

    def outermost(self) -> Stage:
        s = self
        while s.parent is not None:
            s = s.parent
        return s

    def __repr__(self) -> str:
        return f"Stage({self.name!r})"


_active: Stage | None = None


def current() -> Stage | None:
    """The innermost stage being recorded, or None."""
    return _active


@contextmanager
def stage(name: str) -> Iterator[Stage]:
    """Every node created inside `with stage("sigmoid"):` belongs to that stage."""
    global _active
    s = Stage(name, _active)
    _active = s
    try:
        yield s
    finally:
        _active = s.parent
