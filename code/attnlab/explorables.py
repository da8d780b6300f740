"""Explorables: the book's key demos as self-contained HTML + JavaScript (the web book).

Readers of the online book have no Python kernel, so an ipywidgets slider there computes nothing.
An explorable does the demo's arithmetic in the browser instead: Python computes the data, embeds
it as JSON next to a few lines of plain JavaScript (no CDN, no require.js, no kernel), and the
cell returns ``IPython.display.HTML``. The same cell works in JupyterLab, Colab and the HTML book.

- :func:`line_fitter`          Chapter 1: sliders for w and b, the line, residuals and MSE
- :func:`hinge_builder`        Chapter 2: add hinges, move bends and slopes, fit a target curve
- :func:`softmax_temperature`  Chapter 4: softmax(scores / T), "winner takes most"
- :func:`attention_explorer`   Chapter 4: pick a query token, swap words, watch the weights
- :func:`copy_trainer`         Chapter 4: the MLP and attention train on the copy task in the page
- :func:`head_viewer`          Chapter 5: one attention heatmap per head
- :func:`name_writer`          Chapter 7: the book's TinyGPT finishes the reader's sentence

Each one writes its numbers on the page (``data-state``), and :func:`reference` recomputes them
in Python with the chapter's own functions; the browser tests check that the two agree.
"""

from __future__ import annotations

from attnlab.ch01_line import explorable as _line
from attnlab.ch01_line.explorable import line_fitter
from attnlab.ch02_hinge import explorable as _hinge
from attnlab.ch02_hinge.explorable import hinge_builder
from attnlab.ch04_attention import copy_trainer as _trainer
from attnlab.ch04_attention import explorable as _attention
from attnlab.ch04_attention import softmax_explorable as _softmax
from attnlab.ch04_attention.copy_trainer import copy_trainer
from attnlab.ch04_attention.explorable import attention_explorer, lexicon_from_embeddings
from attnlab.ch04_attention.softmax_explorable import softmax_temperature
from attnlab.ch05_multi_head import explorable as _heads
from attnlab.ch05_multi_head.explorable import head_viewer
from attnlab.ch07_name import explorable as _name
from attnlab.ch07_name.explorable import name_writer

__all__ = [
    "KINDS",
    "line_fitter",
    "hinge_builder",
    "softmax_temperature",
    "attention_explorer",
    "lexicon_from_embeddings",
    "copy_trainer",
    "head_viewer",
    "name_writer",
    "reference",
]

_REFERENCES = {
    _line.KIND: _line.reference,
    _hinge.KIND: _hinge.reference,
    _softmax.KIND: _softmax.reference,
    _attention.KIND: _attention.reference,
    _trainer.KIND: _trainer.reference,
    _heads.KIND: _heads.reference,
    _name.KIND: _name.reference,
}
KINDS: tuple[str, ...] = tuple(_REFERENCES)
"""The explorable kinds, as written in ``data-attnlab-explorable`` on the page."""


def reference(kind: str, data: dict, controls: dict) -> dict:
    """The numbers an explorable of ``kind`` must show for ``controls``, computed in Python."""
    if kind not in _REFERENCES:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    if not isinstance(data, dict) or not isinstance(controls, dict):
        raise TypeError("data and controls must be dicts (as read from the page)")
    return _REFERENCES[kind](data, controls)
