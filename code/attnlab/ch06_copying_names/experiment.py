"""Chapter 6's experiment: three models on the "called" task, several seeds at once.

- ``"mlp"``        a hinge network like Chapter 3's, over the concatenated token embeddings
  (:class:`~attnlab.ch06_copying_names.name_mlp.NameMLP`);
- ``"one_layer"``  one causal attention head, Chapter 4's model;
- ``"two_layer"``  the same model with two heads stacked, attention only (no MLP blocks)
  (:class:`~attnlab.ch04_attention.name_model.NameModel` with ``n_layers=2``).

The convention is the course's: :class:`NameExperiment` holds the run's parameters,
:func:`run` trains one seed and :func:`run_seeds` several at once (Chapter 4's
:func:`~attnlab.ch04_attention.name_model.run_seeds`: one
:class:`~attnlab.core.seedstack.SeedStack`, the course's one training loop). Each
:class:`NameResult` holds its seed's trained plain model as ``result.model``.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from attnlab.ch04_attention.name_model import NameModel, NameResult, NameTraining, run, run_seeds
from attnlab.ch06_copying_names.name_mlp import NameMLP
from attnlab.core import validate

__all__ = ["MODELS", "NameExperiment", "NameResult", "run", "run_seeds"]

MODELS: tuple[str, ...] = ("mlp", "one_layer", "two_layer")
# Adam's learning rate per model; 0.01 made the two-layer model's held-out accuracy unstable.
_LR = {"mlp": 1e-2, "one_layer": 1e-2, "two_layer": 5e-3}


@dataclass
class NameExperiment(NameTraining):
    """One of Chapter 6's three models on the "called" task; the defaults are the chapter's.

    The shared fields (``steps`` [400], ``batch_size`` [64], ``lr`` [None: 0.01, 0.005 for
    "two_layer"], ``context_length`` [8], ``name_length`` [(1, 1)], ``unseen`` [0], ``split``
    ["systematic"], ``eval_every`` [10], ``eval_size`` [200]) are keyword-only:
    ``NameExperiment("mlp", steps=800)``.
    """

    kind: str = "two_layer"
    """The model: "mlp", "one_layer" or "two_layer"."""
    d_model: int = 32
    """Size of every vector of the attention models."""
    hidden: int = 48
    """Hinge units of the MLP."""
    embed: int = 16
    """Numbers per token embedding of the MLP."""

    def __post_init__(self) -> None:
        validate.one_of("kind", self.kind, MODELS)
        for name in ("d_model", "hidden", "embed"):
            validate.positive_int(name, getattr(self, name))
        super().__post_init__()

    def default_lr(self) -> float:
        return _LR[self.kind]

    def build(self, seed: int) -> nn.Module:
        length = self.task.length
        if self.kind == "mlp":
            return NameMLP(length, self.hidden, self.embed, seed)
        return NameModel(1 if self.kind == "one_layer" else 2, length, self.d_model, seed)
