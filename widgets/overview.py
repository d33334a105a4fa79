"""Overview: a large graph drawn folded into boxes, opened a level at a time (folding.py folds it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from . import fit
from .dotgraph import escape, folded_dot
from .fit import Fit
from .folding import Box, caption_of, fold, identity_key
from .plan import check_root
from .render import INSTALL_HELP, GraphvizNotFound, svg_from_dot
from .themes import check_direction, get_theme


class Overview(w.VBox):
    """A large graph folded into boxes that you can open: modules, repeated parts, long sums.

        Overview(loss)                         # micrograd's demo: 65,000 nodes in about a dozen boxes
        Overview(loss, expand=[model])         # the model opened into its layers
        Overview(loss, focus=model.layers[0].neurons[0].w[0])   # only the paths through one weight

    Pick a box in the list and press "expand" to open it one level (a model into layers, a layer
    into neurons, a neuron into gates); "fold all" closes everything again.
    """

    def __init__(self, root: Any, *, expand: Iterable[Any] = (), focus: Any = None, theme: str = "light",
                 direction: str = "LR") -> None:
        check_root(root, "Overview")
        self._theme = get_theme(theme)
        self._direction = check_direction(direction)
        self.root = root
        self.focus = focus
        self._expanded: list[Any] = list(expand)
        self.caption = w.HTML()
        self.caption.add_class("bp-phase")
        self.view = w.HTML(layout=w.Layout(overflow="auto", width="100%", margin="0"))
        self.view.add_class("bp-view")
        self.choice = w.Dropdown(options=[], description="box:", layout=w.Layout(width="360px"))
        self.choice.add_class("bp-expand-choice")
        self.expand_button = w.Button(description="expand", icon="expand", layout=w.Layout(width="auto"))
        self.expand_button.add_class("bp-expand")
        self.expand_button.on_click(lambda _b: self.expand(self.choice.value))
        self.fold_button = w.Button(description="fold all", icon="compress", layout=w.Layout(width="auto"))
        self.fold_button.add_class("bp-fold")
        self.fold_button.on_click(lambda _b: self.fold_all())
        controls = w.HBox([self.choice, self.expand_button, self.fold_button])
        super().__init__(children=[self.caption, controls, self.view])
        self.add_class("bp-overview")
        self.refresh()

    @property
    def expanded(self) -> list[Any]:
        return list(self._expanded)

    def expand(self, what: Any) -> None:
        """Open a module (or stage name) one level: its calls are drawn as their parts."""
        if what is None:
            return
        if isinstance(what, str) and what in self.folded.expandable:
            what = self.folded.expandable[what]
        if all(identity_key(x) != identity_key(what) for x in self._expanded):
            self._expanded.append(what)
        self.refresh()

    def fold_all(self) -> None:
        self._expanded = []
        self.refresh()

    def refresh(self) -> None:
        self.folded = fold(self.root, self._expanded, self.focus)
        self.caption.value = f"<b>{escape(caption_of(self.folded))}</b>"
        self.choice.options = [(name, name) for name in self.folded.expandable]
        self.expand_button.disabled = not self.folded.expandable
        try:
            self.svg = svg_from_dot(folded_dot(self.folded, self._theme, self._direction))
        except GraphvizNotFound:
            self.svg = ""
            self.view.value = f"<pre style='white-space:pre-wrap'>{escape(INSTALL_HELP)}</pre>"
            return
        fitted = fit.sized(self.svg, self._theme.font_size)
        self.view.value = Fit(fit.new_key(), (fitted[1],)).html([fitted[0]]) if fitted else self.svg

    @property
    def boxes(self) -> list[Box]:
        return self.folded.boxes
