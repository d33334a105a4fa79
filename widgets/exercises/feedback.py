"""A checker's verdict (Feedback: one Item per part) as text, HTML and a graph, the wrong node outlined."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from autograd_core import graph

# Okabe-Ito colours, each paired with a symbol and a word (never colour alone).
STYLE = {
    "correct": ("\u2714", "#009E73", "correct"),
    "wrong": ("\u2718", "#D55E00", "not quite"),
    "unanswered": ("\u2026", "#7a7a7a", "not answered yet"),
}


@dataclass
class Item:
    """The verdict on one part of an answer (one gradient, one input of a gate, ...)."""

    name: str
    status: str  # "correct", "wrong" or "unanswered"
    message: str = ""  # the whole verdict, with the expected value
    hint: str = ""  # the whole hint, with its result
    first: str = ""  # a first wrong try: the verdict without the expected value ("" = the same)
    first_hint: str = ""  # a first wrong try: the hint without its result ("" = the same)

    def shown(self, revealed: bool) -> tuple[str, str]:
        """(message, hint) as shown: the expected value only once revealed."""
        if revealed or self.status != "wrong":
            return self.message, self.hint
        return self.first or self.message, self.first_hint or self.hint


def overall(items: list[Item]) -> str:
    """One status for all parts: wrong if any is wrong, else unanswered if any is, else correct."""
    statuses = {i.status for i in items}
    if "wrong" in statuses:
        return "wrong"
    if "unanswered" in statuses:
        return "unanswered"
    return "correct"


@dataclass
class Feedback:
    """What a checker says: a title, an overall status, one line per part, and a graph to look at."""

    title: str
    status: str
    items: list[Item] = field(default_factory=list)
    note: str = ""
    root: Any = None  # a graph to draw under the feedback...
    highlight: Any = None  # ...with this node (or nodes) outlined
    revealed: bool = True  # False on a first wrong try: hints, not the expected values
    _shown: bool = field(default=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "correct"

    @property
    def answered(self) -> bool:
        return self.status != "unanswered"

    def text(self) -> str:
        symbol, _, word = STYLE[self.status]
        lines = [f"{symbol} {self.title}: {word}."]
        if self.status == "unanswered":
            waiting = [i.name for i in self.items if i.status == "unanswered"]
            what = f" (still to answer: {', '.join(waiting)})" if waiting and waiting != [""] else ""
            lines[0] += f" Replace each ... with your answer{what}, then run the cell again."
        hidden = False
        for item in self.items:
            if item.status == "unanswered" or not item.message:
                continue
            mark = STYLE[item.status][0]
            message, hint = item.shown(self.revealed)
            hidden |= (message, hint) != (item.message, item.hint)
            lines.append(f"  {mark} {message}")
            if hint and item.status == "wrong":
                lines.append(f"      Hint: {hint}")
        if hidden:
            lines.append("  Try again: a second wrong answer shows the expected value (or run ex.reveal()).")
        if self.note:
            lines.append(f"  {self.note}")
        if self.highlight is not None and self.status == "wrong":
            lines.append("  The graph below outlines the node to look at.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        symbol, colour, word = STYLE[self.status]
        head = f"<b>{symbol} {html.escape(self.title)}: {word}.</b>"
        body = []
        text_lines = self.text().split("\n")
        head_rest = text_lines[0].split(f"{word}.", 1)[1] if f"{word}." in text_lines[0] else ""
        if head_rest.strip():
            head += html.escape(head_rest)
        for line in text_lines[1:]:
            stripped = line.strip()
            if stripped.startswith("Hint:"):
                body.append(f"<div style='margin-left:2.2em'><i>{html.escape(stripped)}</i></div>")
            else:
                body.append(f"<div style='margin-left:1em'>{html.escape(stripped)}</div>")
        return (
            f"<div class='bp-exercise-feedback bp-{self.status}' style='border-left:6px solid {colour};"
            f"padding:0.4em 0.8em;margin:0.3em 0;font-family:sans-serif;line-height:1.45'>"
            f"{head}{''.join(body)}</div>"
        )

    def graph_svg(self) -> str | None:
        """The graph with the wrong node outlined, as SVG text, or None (no graph, or no graphviz)."""
        if self.root is None or self.status != "wrong":
            return None
        try:
            from ..drawing import draw  # late: the drawing module imports graphviz
        except ImportError:
            return None
        # A copy with its backward pass run, so the picture shows the numbers the hints talk about.
        shown, copies = graph.clone(self.root)
        shown.backward()
        marks = self.highlight
        if marks is not None:
            marks = [copies[id(n)] for n in (marks if isinstance(marks, (list, tuple)) else [marks])]
        try:
            return draw(shown, highlight=marks).pipe(format="svg", encoding="utf-8")
        except Exception as err:  # graphviz missing or broken: the text feedback still stands
            return f"<p><i>(the graph could not be drawn: {html.escape(str(err))})</i></p>"

    def _ipython_display_(self) -> None:
        if self._shown:  # already shown by the checker itself; do not repeat as the cell's result
            return
        self._shown = True
        from IPython.display import display

        display({"text/plain": self.text(), "text/html": self._repr_html_()}, raw=True)
        svg = self.graph_svg()
        if svg is not None:
            display({"text/plain": "(graph)", "text/html": svg}, raw=True)
