"""ipywidgets 7.7 (Colab's) and 8 from one code base: the few calls that differ live here, and only here.

The widgets use core widgets that exist in both versions (Button, ToggleButton, Checkbox, Text, Dropdown,
IntSlider, Play, HTML, HBox/VBox, Layout, `widgets.link`). What differs between 7.7.1 and 8.1, and how
the project stays on the common ground:

- `Play`: 8 names its state `playing` and `repeat`; 7 calls them `_playing` and `_repeat`. `Play` below
  gives 7's widget 8's names, so the rest of the code (and a student) writes `play.playing = False`.
- tooltips: 8 has `tooltip` on every widget; 7 only on Button and ToggleButton (else
  `description_tooltip`, shown on the description). `set_tooltip` sets whichever exists.
- Dropdown options: 7 deprecates a dict; (label, value) pairs work in both.
- Descriptions: 7 renders them as HTML, 8 as text (unless `description_allow_html`, 8 only): keep them
  plain text. 8-only widgets (TagsInput, Stack, ...) and `jslink` (broken on Colab) are not used;
  tests/test_ipywidgets7.py checks all of this.
"""

from __future__ import annotations

import ipywidgets as w

IPYWIDGETS_MAJOR = int(w.__version__.split(".")[0])

if IPYWIDGETS_MAJOR >= 8:
    Play = w.Play
else:

    class Play(w.Play):  # type: ignore[no-redef]
        """ipywidgets 7's Play with 8's names for its state (the front end still syncs `_playing`)."""

        @property
        def playing(self) -> bool:
            return self._playing

        @playing.setter
        def playing(self, value: bool) -> None:
            self._playing = value

        @property
        def repeat(self) -> bool:
            return self._repeat

        @repeat.setter
        def repeat(self, value: bool) -> None:
            self._repeat = value


def set_tooltip(widget: w.Widget, text: str) -> None:
    """Give `widget` a hover caption in either version (8: `tooltip`; 7: that or `description_tooltip`)."""
    for trait in ("tooltip", "description_tooltip"):
        if widget.has_trait(trait):
            setattr(widget, trait, text)
            return
