"""The live widgets of Chapter 4: the softmax temperature, and the attention explorer.

The logic is in two plain functions, tested without a browser, that return JSON-ready numbers
(the web book's JavaScript versions compute the same):

- ``temperature_state(scores, temperature)``: ``weights = softmax(scores / temperature)``.
- ``explorer_state(words, query_position)``: for the query token ``i`` of a sentence built from the
  hand-made vectors of :mod:`attnlab.ch04_attention.wordvectors`, ``raw_scores[j] = q_i · k_j``,
  ``scores[j] = raw_scores[j] / sqrt(d_k)``, ``weights = softmax(scores)`` and
  ``output = sum_j weights[j] * v_j``.

The widgets only wire ipywidgets controls to them and redraw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from attnlab.ch04_attention.state import _scores_list, explorer_state, temperature_state
from attnlab.ch04_attention.wordvectors import vectors

__all__ = ["temperature_state", "explorer_state", "TemperatureWidget", "AttentionExplorer"]


class TemperatureWidget(widgets.VBox):
    """A temperature slider (log scale) over softmax(scores / T), drawn as bars (Chapter 4)."""

    def __init__(
        self, scores: object, labels: Sequence[str] | None = None, temperature: float = 1.0
    ) -> None:
        from attnlab.ch04_attention.plots import draw_temperature

        temperature_state(scores, temperature)  # checks the arguments
        self.scores = _scores_list(scores)
        self.labels = [str(i) for i in range(len(self.scores))] if labels is None else list(labels)
        if len(self.labels) != len(self.scores):
            raise ValueError(f"labels must name the {len(self.scores)} scores, got {self.labels!r}")
        self.slider = widgets.FloatLogSlider(
            value=temperature, base=10, min=-1.3, max=1.3, step=0.01, description="temperature T"
        )
        self.slider.style.description_width = "100px"
        self.slider.layout.width = "440px"
        self.output = widgets.Output()
        self._draw = draw_temperature
        self.state: dict = {}
        super().__init__([self.slider, self.output])
        self.slider.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> dict:
        """Recompute for the slider's temperature and redraw; returns the state."""
        self.state = temperature_state(self.scores, float(self.slider.value))
        figure = self._draw(self.state, self.labels)
        with self.output:
            self.output.clear_output(wait=True)
            display(figure)
        plt.close(figure)
        return self.state


class AttentionExplorer(widgets.VBox):
    """Pick the query token and swap words of a sentence; see scores, weights and output (Ch. 4).

    ``words``: the sentence (lexicon words); ``query_position``: the starting query (default: the
    last token); ``choices``: for some positions, the words the reader may swap in, e.g.
    ``{1: ["robot", "cat", "box"]}``. Every redraw is ``explorer_state(words, query_position)``.
    """

    def __init__(
        self,
        words: Sequence[str] | str,
        query_position: int | None = None,
        choices: Mapping[int, Sequence[str]] | None = None,
    ) -> None:
        from attnlab.ch04_attention.plots import draw_explorer

        self.words = words.split() if isinstance(words, str) else list(words)
        explorer_state(self.words, query_position)  # checks the arguments
        choices = dict(choices or {})
        self.swaps: dict[int, widgets.Dropdown] = {}
        for position, options in choices.items():
            if not isinstance(position, int) or not 0 <= position < len(self.words):
                raise ValueError(f"choices has a position outside the sentence: {position!r}")
            options = [self.words[position]] + [o for o in options if o != self.words[position]]
            vectors(options)  # every option must be in the lexicon
            self.swaps[position] = widgets.Dropdown(
                options=options, value=self.words[position], description=f"word {position + 1}"
            )
        start = len(self.words) - 1 if query_position is None else query_position
        self.query = widgets.Dropdown(
            options=[(f"{i + 1}: {w}", i) for i, w in enumerate(self.words)],
            value=start,
            description="query token",
        )
        self.output = widgets.Output()
        self._draw = draw_explorer
        self.state: dict = {}
        self._busy = False
        controls = [self.query, *self.swaps.values()]
        super().__init__([widgets.HBox(controls, layout={"flex_flow": "row wrap"}), self.output])
        for control in controls:
            control.observe(lambda _change: self.update(), names="value")
        self.update()

    def update(self) -> dict:
        """Recompute for the chosen words and query token and redraw; returns the state."""
        if self._busy:  # relabelling the query menu below fires a change event of its own
            return self.state
        words = list(self.words)
        for position, dropdown in self.swaps.items():
            words[position] = dropdown.value
        position = int(self.query.value)
        self._busy = True
        try:
            self.query.options = [(f"{i + 1}: {w}", i) for i, w in enumerate(words)]
            self.query.value = position
        finally:
            self._busy = False
        self.state = explorer_state(words, position)
        figure = self._draw(self.state)
        with self.output:
            self.output.clear_output(wait=True)
            display(figure)
        plt.close(figure)
        return self.state
