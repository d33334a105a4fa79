"""A graph's story: its plan and the frames of its forward and backward pass, replayed on a private copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograd_core import graph as graph_steps

from . import formatting, frames
from .frames import Frame, GradUpdate, Timeline
from .plan import Plan, make_plan


@dataclass
class Story:
    """A graph's steps and frames, computed on a private copy (the user's gradients never change)."""

    plan: Plan
    timeline: Timeline
    digits: int
    value_texts: list[str] | None = None  # how each node's value is drawn, when not simply its number

    @property
    def frames(self) -> list[Frame]:
        return self.timeline.frames

    def value_text(self, i: int) -> str:
        if self.value_texts is not None:
            return self.value_texts[i]
        return formatting.short(self.plan.order[i].data, self.digits)

    def grad_text(self, u: GradUpdate) -> str:
        return u.text if u.text is not None else formatting.short(u.value, self.digits)

    def widest_texts(self) -> tuple[list[str], list[str]]:
        """For each node, the widest value and gradient text it will show: graphviz sizes cells by them."""
        values = [self.value_text(i) for i in range(self.plan.size)]
        grads = [formatting.short(0.0, self.digits)] * self.plan.size
        for u in self.timeline.updates:
            text = self.grad_text(u)
            if formatting.text_width(text) > formatting.text_width(grads[u.node]):
                grads[u.node] = text
        return values, grads

    def grads_at(self, frame: Frame) -> dict[int, Any]:
        """The gradient each node shows at `frame` (nodes not reached yet are left out)."""
        shown: dict[int, Any] = {}
        for u in self.timeline.updates[: frame.grads_shown]:
            shown[u.node] = u.value
        return shown


def tell(graph: Any, style: str, digits: int, names: list[str] | None = None,
         narration_digits: int | None = None) -> Story:
    """Plan `graph` and replay its forward and backward pass (on a private copy: this sets its grads).

    narration_digits: None narrates at full precision; an int with that many digits (projector).
    """
    plan = make_plan(graph, style, names)
    forward = list(graph_steps.forward_steps(graph))
    backward = list(graph_steps.backward_steps(graph))
    return Story(plan, frames.build(plan, forward, backward, narration_digits), digits)
