"""Stages: mark a group of operations as one stage, so a graph can draw it expanded or as one gate."""

from __future__ import annotations

from typing import Any


class Stage:
    """A named group of nodes, e.g. the four gates that make up a sigmoid. Stages may nest.

    Use it through `stage(name)`: every node created inside the `with` block belongs to it.
    `owner` is what the stage stands for, when it is more than a name (an `nn` module, say).
    """

    __slots__ = ("name", "parent", "owner")

    def __init__(self, name: str, parent: Stage | None = None, owner: Any = None) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"stage(name): the name must be a non-empty str, got {name!r}")
        self.name = name
        self.parent = parent
        self.owner = owner

    def outermost(self) -> Stage:
        s = self
        while s.parent is not None:
            s = s.parent
        return s

    def __enter__(self) -> Stage:
        global _active
        self.parent = _active
        _active = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = self.parent

    def __repr__(self) -> str:
        return f"Stage({self.name!r})"


_active: Stage | None = None


def current() -> Stage | None:
    """The innermost stage being recorded, or None."""
    return _active


def stage(name: str, owner: Any = None) -> Stage:
    """`with stage("sigmoid"): ...`: every node created inside belongs to that stage."""
    return Stage(name, owner=owner)


def fuse_stages(root: Any) -> tuple[Any, dict[int, Any]]:
    """A copy of the graph in which each outermost stage with a single output is one fused gate.

    The fused gate is named after the stage (`_op == "sigmoid"`), its inputs are the values that flow
    into the stage from outside, and its local gradients are d(stage output)/d(input), found by the
    chain rule over the stage's own gates (their recorded local gradients): numbers for a `Value`,
    and for a `Tensor` a vector-Jacobian product that runs the stage's own backward steps. So
    backward on the copy gives every remaining node the same gradient as the expanded graph
    (article section 3). Returns (new_root, {id(old node): new node}); the gates inside a fused stage
    all map to it. A stage with several outputs (values used outside it) is left expanded.
    """
    from .graph import topological_order

    order = topological_order(root)
    members: dict[int, list] = {}  # id(outermost stage) -> its nodes, in topological order
    stages: dict[int, Stage] = {}
    outer_of: dict[int, int] = {}  # id(node) -> id(its outermost stage)
    for node in order:
        if node._stage is not None:
            outer = node._stage.outermost()
            members.setdefault(id(outer), []).append(node)
            stages[id(outer)] = outer
            outer_of[id(node)] = id(outer)
    outputs: dict[int, list] = {key: [] for key in members}  # values leaving each stage
    if id(root) in outer_of:
        outputs[outer_of[id(root)]].append(root)
    for node in order:
        for p in node._prev:
            key = outer_of.get(id(p))
            if key is not None and outer_of.get(id(node)) != key and all(p is not o for o in outputs[key]):
                outputs[key].append(p)

    fusions: dict[int, _Fusion] = {}  # id(stage output) -> its fusion
    inner: dict[int, int] = {}  # id(a gate inside a fused stage) -> id(that stage's output)
    for key, nodes in members.items():
        if len(outputs[key]) == 1 and outputs[key][0]._prev:
            fusion = _Fusion(stages[key], nodes, outputs[key][0])
            fusions[id(fusion.output)] = fusion
            for node in fusion.inner:
                inner[id(node)] = id(fusion.output)

    fused_stages = {id(f.stage) for f in fusions.values()}
    copies: dict[int, Any] = {}
    for node in order:
        fusion = fusions.get(id(node))
        if fusion is not None:
            new = fusion.node(tuple(copies[id(p)] for p in fusion.inputs))
        elif id(node) in inner:
            continue  # a gate inside a fused stage: it is part of the fused gate
        else:
            new = node._copy(tuple(copies[id(p)] for p in node._prev))
        if outer_of.get(id(node)) in fused_stages:
            new._stage = None  # its stage is one gate now
        copies[id(node)] = new
    for old, out in inner.items():
        copies[old] = copies[out]
    return copies[id(root)], copies


class _Fusion:
    """One stage seen from outside: its inputs, its output, and the gates in between."""

    def __init__(self, stage: Stage, members: list, output: Any) -> None:
        self.stage, self.output = stage, output
        member_ids = {id(n) for n in members}
        # The stage's gates (and the constants they made) that lead to the output...
        reach, todo = {id(output)}, [output]
        while todo:
            for p in todo.pop()._prev:
                if id(p) in member_ids and id(p) not in reach:
                    reach.add(id(p))
                    todo.append(p)
        self.inner = [n for n in members if id(n) in reach and (n._prev or getattr(n, "_const", False))]
        inner_ids = {id(n) for n in self.inner}
        # ...and the values they read from outside: the fused gate's inputs, in order of first use.
        self.inputs, seen = [], set()
        for node in self.inner:
            for p in node._prev:
                if id(p) not in inner_ids and id(p) not in seen:
                    seen.add(id(p))
                    self.inputs.append(p)

    def node(self, prev: tuple) -> Any:
        """The fused node over `prev` (copies of the stage's inputs): the stage as one gate."""
        inner, output, inputs = self.inner, self.output, self.inputs

        def rule(*xs: Any) -> tuple[Any, Any]:
            """The stage's own gates run again on new input values (for gradient checks)."""
            leaves = [x._leaf(v) for x, v in zip(inputs, xs)]
            again = {id(x): leaf for x, leaf in zip(inputs, leaves)}
            rebuilt = []
            for n in inner:
                if n._prev:
                    again[id(n)] = n._rerun(tuple(again[id(p)] for p in n._prev))
                    rebuilt.append(again[id(n)])
                else:
                    again[id(n)] = n  # a constant of the stage
            out = again[id(output)]
            fused = out._fused(tuple(leaves), self.stage.name, rule,
                               lambda seed: _chain(rebuilt, out, seed, leaves))
            return fused.data, fused._local

        rule.__doc__ = (f"the stage {self.stage.name!r} as one gate: its local gradient is the chain rule "
                        "through the stage's own gates")
        return output._fused(prev, self.stage.name, rule, lambda seed: _chain(inner, output, seed, inputs))


def _chain(inner: list, output: Any, seed: Any, inputs: list) -> list:
    """Backpropagate `seed` from `output` through `inner` (topological order), by each gate's own
    backward rule; the gradient reaching each input (None where nothing reaches it)."""
    grads: dict[int, Any] = {id(output): seed}
    for node in reversed(inner):
        g = grads.get(id(node))
        if g is None or not node._prev:
            continue
        for parent, _local, value in node._contributions(g):
            key = id(parent)
            grads[key] = value if key not in grads else grads[key] + value
    return [grads.get(id(x)) for x in inputs]
