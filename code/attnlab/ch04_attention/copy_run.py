"""Chapter 3's copy experiment, again, with one attention layer (Chapter 4).

Everything but the network stays Chapter 3's: the task, the data stream, the steps, the
optimizer and the measurements (:func:`attnlab.ch03_next_token.copy_experiment.train_and_measure`).
``run(AttentionCopyConfig(), seed)`` trains :class:`~attnlab.ch04_attention.model.OneLayerAttention`;
``fair_mlp(config)`` is Chapter 3's MLP run on the same task with as many parameters
(:func:`~attnlab.ch03_next_token.model.mlp_width_for`), for the side-by-side comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from attnlab.ch03_next_token.copy_experiment import (
    CopyConfig,
    CopyResult,
    CopyTraining,
    train_and_measure,
)
from attnlab.ch03_next_token.copytask import CopyTask
from attnlab.ch03_next_token.model import count_parameters, mlp_width_for
from attnlab.ch04_attention.model import OneLayerAttention
from attnlab.core import validate
from attnlab.core.seeds import keeps_global_rng

__all__ = ["AttentionCopyConfig", "DEFAULT_LR", "build", "run", "fair_mlp"]

#: The attention model's learning rate, chosen like the MLP's (Chapter 3's ``DEFAULT_LR``): on
#: SEEN combinations only, with ``tune_lr`` over 0.003, 0.01, 0.03, 0.1 and seeds 0-2. It reached
#: 100% at 0.003, 0.01 and 0.03 and failed at 0.1 (60%); 0.03 got there fastest (step 50 on
#: average). tests/unit/ch04_attention/test_copy_run.py reruns this tuning.
DEFAULT_LR = 0.03


@dataclass(frozen=True)
class AttentionCopyConfig(CopyTraining):
    """Chapter 4's run: one attention layer on Chapter 3's copy task (its settings, then its own)."""

    lr: float = DEFAULT_LR
    """Adam's learning rate (size of a step; no unit)."""
    d_model: int = 32
    """Numbers per token embedding (and per query, key and value)."""
    positions: bool = False
    """Add learned position embeddings: the model then also sees where each token is."""

    def __post_init__(self) -> None:
        super().__post_init__()
        validate.positive_int("d_model", self.d_model)
        if not isinstance(self.positions, bool):
            raise TypeError(f"positions must be True or False, got {self.positions!r}")


def build(config: AttentionCopyConfig, task: CopyTask) -> OneLayerAttention:
    """The attention model of ``config`` for ``task`` (fresh random weights)."""
    return OneLayerAttention(task.vocab_size, task.context_length, config.d_model, config.positions)


def run(config: AttentionCopyConfig = AttentionCopyConfig(), seed: int = 0) -> CopyResult:
    """Train the one-layer attention model on the copy task and measure it (Chapter 4)."""
    if not isinstance(config, AttentionCopyConfig):
        raise TypeError(f"config must be an AttentionCopyConfig, got {type(config).__name__}")
    return train_and_measure("attention", lambda task: build(config, task), config, seed)


@keeps_global_rng  # counting the attention model's parameters draws its weights: put them back
def fair_mlp(
    config: AttentionCopyConfig = AttentionCopyConfig(), lr: float | None = None
) -> CopyConfig:
    """Chapter 3's MLP run (a ``CopyConfig``) on ``config``'s task, with as many parameters.

    The MLP keeps the embedding size ``d_model``; its hidden width is chosen with
    :func:`~attnlab.ch03_next_token.model.mlp_width_for` so that its parameter count matches the
    attention model's (without position embeddings, which the MLP has no use for). Its learning
    rate is Chapter 3's tuned one unless ``lr`` is given.
    """
    if not isinstance(config, AttentionCopyConfig):
        raise TypeError(f"config must be an AttentionCopyConfig, got {type(config).__name__}")
    task = config.task(0)  # the sizes only: vocabulary and window do not depend on the seed
    reference = OneLayerAttention(task.vocab_size, task.context_length, config.d_model)
    n_params = count_parameters(reference)
    width = mlp_width_for(n_params, task.vocab_size, task.context_length, config.d_model)
    shared = {f.name: getattr(config, f.name) for f in fields(CopyTraining) if f.name != "lr"}
    options = {} if lr is None else {"lr": lr}
    return CopyConfig(**shared, d_model=config.d_model, width=width, **options)
