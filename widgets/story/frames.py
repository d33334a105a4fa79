"""Steps -> frames: what the picture shows at each step, as plain data (no drawing here).

Frame 0 shows the graph with nothing computed; then one frame per forward step (values appear in
topological order); then one per backward step (the engine's own recorded steps, in reverse order).
Constants drawn inside their gate ("+1") get no frames of their own: they would change nothing.
Narrations are written when a frame is first shown (a 2,000-node graph has 4,000 frames).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from autograd_core.node import is_constant

from ..planning import formatting
from ..planning.plan import Plan
from . import narration
from .narration import Narration, Piece, Share


@dataclass(frozen=True)
class Target:
    """Predict mode: the gradient the next frame reveals, for the student to guess first."""

    node: int
    name: str
    value: Any
    explain: Callable[[], Piece] = field(repr=False, compare=False)
    hint_piece: Callable[[], Piece] | None = field(default=None, repr=False, compare=False)

    @property
    def hint(self) -> str:
        """What to multiply (the upstream gradient and the local one), without the product."""
        return self.hint_piece().text if self.hint_piece else ""

    @property
    def hint_html(self) -> str:
        return self.hint_piece().html if self.hint_piece else ""

    @property
    def explanation(self) -> str:
        """The arithmetic that gives the value, as text."""
        return self.explain().text

    @property
    def explanation_html(self) -> str:
        return self.explain().html


@dataclass(frozen=True)
class Frame:
    """One picture of the timeline."""

    index: int
    phase: str  # "start", "forward", "backward" or "done" (the last frame)
    node: int | None  # topological index of the current node
    values_shown: int  # the first this many nodes (topological order) show their value
    grads_shown: int  # the first this many gradient updates (GradUpdate list) are shown
    edges: tuple[int, ...]  # indices into plan.edges carrying this step's numbers
    narrate: Callable[[], Narration] = field(repr=False, compare=False)
    target: Target | None = None  # the first of `targets`
    targets: tuple[Target, ...] = ()  # predict mode: every gradient this frame reveals worth guessing

    @property
    def narration(self) -> Narration:
        """What this step computed, as text and HTML (written once, when first asked for)."""
        cached = self.__dict__.get("_narration")
        if cached is None:
            cached = self.narrate()
            object.__setattr__(self, "_narration", cached)
        return cached


@dataclass(frozen=True)
class GradUpdate:
    """A node's gradient changing to `value` (once per contribution it receives; the seed for the root)."""

    node: int
    value: Any
    text: str | None = None  # how it is drawn, when not simply the number (a folded box's norm)


@dataclass
class Timeline:
    """All frames of one graph, and the gradient updates that the frames reveal in order."""

    frames: list[Frame]
    updates: list[GradUpdate]


def build(plan: Plan, forward_steps: list, backward_steps: list,
          narration_digits: int | None = None) -> Timeline:
    """Frames from the engine's recorded steps (forward_steps/backward_steps of the graph in `plan`).

    narration_digits: None narrates at full precision; an int with that many digits (projector).
    """
    n = plan.size

    def _later(write: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        return lambda: narration.with_digits(narration_digits, write, *args)

    frames = [Frame(0, "start", None, 0, 0, (), _later(narration.start, plan))]
    for k, step in enumerate(forward_steps):
        i = plan.index[id(step.node)]
        if i in plan.folded:
            continue  # a constant drawn inside its gate ("+1"): its step would change nothing
        frames.append(Frame(len(frames), "forward", i, k + 1, 0, tuple(plan.in_edges[i]),
                            _later(narration.forward, plan, i)))

    updates: list[GradUpdate] = []
    received = [0] * n
    for step in backward_steps:
        i = plan.index[id(step.node)]
        if i == n - 1 and not updates:
            updates.append(GradUpdate(i, step.upstream))  # the seed, dL/dL = 1
        shares = []
        for c in step.contributions:
            j = plan.index[id(c.parent)]
            received[j] += 1
            shares.append(Share(j, len(shares), c.local, c.value, c.before, c.after, received[j]))
            updates.append(GradUpdate(j, c.after))
        if i in plan.folded:
            continue
        targets = _targets(plan, i, step.upstream, shares, _later)
        frames.append(Frame(len(frames), "backward", i, n, len(updates), tuple(plan.in_edges[i]),
                            _later(narration.backward, plan, i, step.upstream, shares),
                            targets[0] if targets else None, targets))
    if len(frames) > 1:
        frames[-1] = replace(frames[-1], phase="done")
    return Timeline(frames, updates)


def _targets(plan: Plan, i: int, upstream: Any, shares: list[Share],
             later: Callable[..., Callable[[], Any]]) -> tuple[Target, ...]:
    """Every gradient a backward step reveals that is worth guessing (not a constant's, not an array).

    An input that appears twice in one gate (`a * a`) is asked once, for the sum it ends with.
    """
    found: dict[int, Target] = {}
    for s in shares:
        if is_constant(plan.order[s.parent]) or s.parent in plan.folded:
            continue
        if formatting.is_array(s.after):
            return ()  # predicting a whole array is not a guessing game

        def explain(s: Share = s) -> Piece:
            piece = narration.contribution(plan, i, upstream, s)
            if s.before != 0:
                number = narration.number
                piece = piece + (
                    f"; with what {plan.names[s.parent]} already had: " + number(s.before, "g") + " + "
                    + number(s.value, "g", bracket=True) + " = " + number(s.after, "g")
                )
            return piece

        found[s.parent] = Target(s.parent, plan.names[s.parent], s.after, later(explain),
                                 later(narration.hint, plan, i, upstream, s))
    return tuple(found.values())
