"""Steps -> frames: what the picture shows at each step, as plain data (no drawing here).

Frame 0 shows the graph with nothing computed; then one frame per forward step (values appear in
topological order); then one per backward step (the engine's own recorded steps, in reverse order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import formatting, narration
from .narration import Narration, Share
from .plan import Plan


@dataclass(frozen=True)
class Target:
    """Predict mode: the gradient the next frame reveals, for the student to guess first."""

    node: int
    name: str
    value: Any
    explanation: str  # the arithmetic that gives it
    explanation_html: str = ""


@dataclass(frozen=True)
class Frame:
    """One picture of the timeline."""

    index: int
    phase: str  # "start", "forward", "backward" or "done" (the last frame)
    node: int | None  # topological index of the current node
    values_shown: int  # the first this many nodes (topological order) show their value
    grads_shown: int  # the first this many gradient updates (GradUpdate list) are shown
    edges: tuple[int, ...]  # indices into plan.edges carrying this step's numbers
    narration: Narration
    target: Target | None = None

    @property
    def direction(self) -> str:
        return "backward" if self.phase in ("backward", "done") and self.index > 0 else "forward"


@dataclass(frozen=True)
class GradUpdate:
    """A node's gradient changing to `value` (once per contribution it receives; the seed for the root)."""

    node: int
    value: Any


@dataclass
class Timeline:
    """All frames of one graph, and the gradient updates that the frames reveal in order."""

    frames: list[Frame]
    updates: list[GradUpdate]


def build(plan: Plan, forward_steps: list, backward_steps: list) -> Timeline:
    """Frames from the engine's recorded steps (forward_steps/backward_steps of the graph in `plan`)."""
    n = plan.size
    frames = [Frame(0, "start", None, 0, 0, (), narration.start(plan))]
    for k, step in enumerate(forward_steps):
        i = plan.index[id(step.node)]
        frames.append(Frame(len(frames), "forward", i, k + 1, 0, tuple(plan.in_edges[i]),
                            narration.forward(plan, i)))

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
            pos = len(shares)
            shares.append(Share(j, pos, c.local, c.value, c.before, c.after, received[j]))
            updates.append(GradUpdate(j, c.after))
        frames.append(Frame(len(frames), "backward", i, n, len(updates), tuple(plan.in_edges[i]),
                            narration.backward(plan, i, step.upstream, shares)))
    if len(frames) > 1:
        last = frames[-1]
        frames[-1] = Frame(last.index, "done", last.node, last.values_shown, last.grads_shown,
                           last.edges, last.narration)
    frames = _with_targets(plan, frames, backward_steps)
    return Timeline(frames, updates)


def _with_targets(plan: Plan, frames: list[Frame], backward_steps: list) -> list[Frame]:
    """Attach to each backward frame the first gradient it reveals that is worth guessing."""
    first_backward = len(frames) - len(backward_steps)
    out = list(frames)
    for k, step in enumerate(backward_steps):
        f = frames[first_backward + k]
        i = f.node
        for pos, c in enumerate(step.contributions):
            j = plan.index[id(c.parent)]
            if getattr(plan.order[j], "_const", False) or j in plan.folded:
                continue
            if formatting.is_array(c.after):
                break  # predicting a whole array is not a guessing game
            share = Share(j, pos, c.local, c.value, c.before, c.after, 0)
            explanation = narration.contribution(plan, i, step.upstream, share)
            if c.before != 0:
                explanation = explanation + (
                    f"; with what {plan.names[j]} already had: " + narration.number(c.before, "g") + " + "
                    + narration.number(c.value, "g", bracket=True) + " = " + narration.number(c.after, "g")
                )
            target = Target(j, plan.names[j], c.after, explanation.text, explanation.html)
            out[f.index] = Frame(f.index, f.phase, f.node, f.values_shown, f.grads_shown, f.edges,
                                 f.narration, target)
            break
    return out
