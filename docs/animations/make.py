"""Export the article's key animations as GIFs (shown in the README) and HTML players (no kernel needed).

    python docs/animations/make.py            # writes docs/animations/*.gif and *.html

Run it again after a change to the drawing, the narration or the examples, and commit the files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograd_core import Value
from widgets import GraphStepper, TopoSortPlayer
from widgets.exercises import mse, staged_function
from widgets.players import player

HERE = Path(__file__).resolve().parent
# Element ids carry a per-kernel token (so two notebooks on one page never restyle each other); a fixed
# one here keeps the committed files identical from one regeneration to the next.
player._KERNEL_TOKEN = "docs"

# (file name, player, title): the article's staged function, its depth-first sort, its MSE example.
ANIMATIONS = [
    ("staged_function_backward", lambda: GraphStepper(staged_function()),
     "f(x, y) = (x + sigmoid(y)) / (sigmoid(x) + (x + y)^2) at x = 3, y = -4: forward, then backward"),
    ("mse_topological_sort", lambda: TopoSortPlayer(mse()),
     "loss = (w*x - y)^2: the depth-first topological sort, then backward over the order"),
    ("mse_backward", lambda: GraphStepper(mse()),
     "loss = (w*x - y)^2 at w = 3, x = -4, y = 2: forward, then backward"),
    ("naive_recursion", lambda: TopoSortPlayer(doubled(), naive=True),
     "a = 1; b = a + a; c = b + b: naive recursive backprop gets a.grad = 6 (the sort gives 4)"),
]


def doubled():
    """The article's example of why backward needs a topological order: a = 1; b = a + a; c = b + b."""
    a = Value(1.0, "a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    return c


def main(out: Path = HERE) -> list[Path]:
    written = []
    for name, make, title in ANIMATIONS:
        player = make()
        written.append(player.save_gif(out / f"{name}.gif", fps=1.0, hold_last=3.0))
        written.append(player.save_html(out / f"{name}.html", title=title))
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"{path}  {path.stat().st_size / 1024:.0f} KB")
