"""Reading copy runs: a results table, the learning-rate tuning, the MLP's slot similarity (Ch. 3-4).

Everything here takes :class:`~attnlab.ch03_next_token.copy_experiment.CopyResult` s, whatever
network made them, or (``tune_lr``) a run function and its config.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import torch

from attnlab.ch03_next_token.copy_experiment import CopyResult, CopyTraining
from attnlab.ch03_next_token.model import WindowMLP
from attnlab.core import validate
from attnlab.core.training import NonFiniteLoss

__all__ = ["results_table", "tune_lr", "slot_similarity"]


def results_table(runs: list[CopyResult]) -> str:
    """A plain-text table of copy runs: one row per seed, with the chance level (Chapters 3-4)."""
    if not runs or not all(isinstance(r, CopyResult) for r in runs):
        raise ValueError("runs must be a non-empty list of copy run results (CopyResult)")
    lines = [
        f"{'model':<10}{'split':<12}{'seed':>5}{'params':>10}{'seen':>9}{'held-out':>10}"
        f"{'chance':>8}{'seconds':>9}"
    ]
    for r in runs:
        lines.append(
            f"{r.model:<10}{r.config.split:<12}{r.seed:>5}{r.n_params:>10,}"
            f"{r.train_accuracy:>9.1%}{r.heldout_accuracy:>10.1%}{r.chance:>8.1%}{r.seconds:>9.2f}"
        )
    return "\n".join(lines)


def tune_lr(
    run: Callable[[CopyTraining, int], CopyResult],
    config: CopyTraining,
    lrs: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1),
    seeds: tuple[int, ...] = (0, 1, 2),
) -> tuple[float, list[dict]]:
    """Pick a learning rate using SEEN combinations only (how ``DEFAULT_LR`` was chosen).

    ``run(config, seed)`` is a copy run (Chapter 3's ``copy_experiment.run``, Chapter 4's
    ``copy_run.run``); each rate in ``lrs`` replaces ``config.lr``. For each rate: the mean final
    accuracy on fresh seen combinations over ``seeds``, and the mean step at which the
    seen-combination curve first reached 99%. The best rate has the highest accuracy, then the
    fewest steps, then is the smallest. The held-out test is never looked at.
    Returns ``(best_lr, rows)``. A rate whose loss stops being a finite number scores accuracy 0.
    """
    if not callable(run):
        raise TypeError("run must be a function (config, seed) -> CopyResult")
    if not isinstance(config, CopyTraining):
        raise TypeError(f"config must be a copy run's config, got {type(config).__name__}")
    for name, values in (("lrs", lrs), ("seeds", seeds)):
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f"{name} must be a non-empty list or tuple, got {values!r}")
    lrs = [validate.positive_number("lrs[i]", lr) for lr in lrs]
    seeds = [validate.seed("seeds[i]", seed) for seed in seeds]
    rows = []
    for lr in lrs:
        accs, firsts = [], []
        for seed in seeds:
            try:
                r = run(dataclasses.replace(config, lr=lr), seed)
            except NonFiniteLoss:  # this rate blows up: the worst score, and on to the next
                accs.append(0.0)
                firsts.append(float("inf"))
                continue
            h = r.history
            reached = [
                s for s, a in zip(h["eval_step"], h["train_accuracy"], strict=True) if a >= 0.99
            ]
            accs.append(r.train_accuracy)
            firsts.append(reached[0] if reached else float("inf"))
        rows.append(
            {
                "lr": lr,
                "train_accuracy": float(np.mean(accs)),
                "steps_to_99": float(np.mean(firsts)),
            }
        )
    best = min(
        rows, key=lambda row: (-round(row["train_accuracy"], 3), row["steps_to_99"], row["lr"])
    )
    return best["lr"], rows


def slot_similarity(result: CopyResult) -> np.ndarray:
    """How alike a trained MLP reads the same name at two slots, (n_slots, n_slots) (Chapter 3).

    For name ``n`` at slot ``s`` the hidden layer receives ``W_s @ e_n``, where ``W_s`` is the
    block of hidden weights that belongs to slot ``s``. Entry ``[s, t]`` is the cosine similarity
    of ``W_s @ e_n`` and ``W_t @ e_n``, averaged over all names: near 1, the two slots pass a name
    on in the same way; near 0, what the network learned at one slot is of no use at the other.
    """
    if not isinstance(result, CopyResult) or not isinstance(result.net, WindowMLP):
        raise ValueError("slot_similarity needs an MLP copy run (copy_experiment.run)")
    net, task = result.net, result.task
    d = net.d_embed
    with torch.no_grad():
        names = net.embed.weight[task.first_name_id : task.first_name_id + task.n_names]
        blocks = net.hidden.weight.reshape(net.width, task.context_length, d)
        read = torch.einsum("wsd,nd->snw", blocks[:, : task.n_slots], names)
        read = read / read.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        return (torch.einsum("snw,tnw->st", read, read) / task.n_names).numpy()
