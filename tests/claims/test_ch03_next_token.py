"""Chapter 3's claims about training runs, on the claims seeds (see conftest.py).

The chapter's settings: ``text_experiment.run`` with ``TextConfig()`` (window 5, 800 steps, lr 0.01)
on the course's text, and ``copy_experiment.run`` with ``CopyConfig()``, the larger MLP
(``LARGE_MLP``) and the random split.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attnlab.ch03_next_token import copy_experiment, text_experiment
from attnlab.ch03_next_token.copy_analysis import slot_similarity
from attnlab.ch03_next_token.copy_experiment import LARGE_MLP, CopyConfig
from attnlab.ch03_next_token.tokenizer import BPETokenizer, load_corpus

RECITED = [
    "Ada turned the big key in the",
    "Hold the shift key and press a",
    "He asked what the small key",
]
OFF = ~np.eye(7, dtype=bool)


@pytest.fixture(scope="module")
def text_runs(claim_seeds):
    text = load_corpus()
    tokenizer = BPETokenizer.train(text, 300)
    ids = tokenizer.encode(text)
    contexts, targets = text_experiment.make_windows(ids, 5)
    cut = int(len(targets) * 0.9)
    rows = []
    for seed in claim_seeds:
        r = text_experiment.run(
            text_experiment.TextConfig(), seed, ids=ids, vocab_size=tokenizer.vocab_size
        )
        in_guesses = []
        for prompt in RECITED:
            window = torch.tensor(tokenizer.encode(prompt)[-5:])
            after = targets[:cut][(contexts[:cut] == window).all(dim=1)].tolist()
            guessed = {t for t, _ in text_experiment.top_next_tokens(r.net, tokenizer, prompt)}
            in_guesses.append({tokenizer.token_string(t) for t in after} <= guessed)
        rows.append((r, all(in_guesses)))
    return rows


@pytest.fixture(scope="module")
def copy_runs(claim_seeds):
    return {
        "mlp": [copy_experiment.run(CopyConfig(), s) for s in claim_seeds],
        "random": [copy_experiment.run(CopyConfig(split="random"), s) for s in claim_seeds],
    }


def test_text_model_learns_its_training_text(text_runs, claim):
    claim(
        "ch3: text MLP, first guess right on the training text",
        [r.train_accuracy for r, _ in text_runs],
        at_least=0.6,
    )


def test_text_model_beats_the_rival_but_is_wrong_most_of_the_time(text_runs, claim):
    ratio = [r.heldout_accuracy / r.baseline for r, _ in text_runs]
    claim("ch3: text MLP held out / most-common-token rival", ratio, at_least=1.5)
    claim(
        "ch3: text MLP held-out accuracy (wrong most of the time)",
        [r.heldout_accuracy for r, _ in text_runs],
        at_most=0.5,
    )


def test_recited_continuations_are_among_the_five_guesses(text_runs, claim):
    claim(
        "ch3: recited prompts, continuation among the five guesses (1 = all three)",
        [float(ok) for _, ok in text_runs],
        at_least=1,
    )


def test_mlp_learns_seen_and_fails_on_crossed_combinations(copy_runs, claim):
    runs = copy_runs["mlp"]
    claim(
        "ch3: MLP seen accuracy (systematic split)", [r.train_accuracy for r in runs], at_least=0.95
    )
    claim(
        "ch3: MLP held-out accuracy (systematic split)",
        [r.heldout_accuracy for r in runs],
        at_most=0.02,
    )
    claim(
        "ch3: MLP held-out accuracy at any evaluation",
        [max(r.history["heldout_accuracy"]) for r in runs],
        at_most=0.05,
    )
    at_150 = [r.history["train_accuracy"][r.history["eval_step"].index(150)] for r in runs]
    claim("ch3: MLP seen accuracy at step 150", at_150, at_least=0.95)


def test_the_heatmap_is_a_checkerboard(copy_runs, claim):
    runs = copy_runs["mlp"]
    seen = [r.group_slot_accuracy[r.seen_group_slot].min() for r in runs]
    crossed = [r.group_slot_accuracy[~r.seen_group_slot].max() for r in runs]
    claim("ch3/ch4: MLP heatmap, worst seen cell", seen, at_least=0.9)
    claim("ch3/ch4: MLP heatmap, best crossed cell", crossed, at_most=0.1)


def test_most_mistakes_name_the_group_trained_at_that_slot(copy_runs, claim):
    claim(
        "ch3: MLP held-out mistakes naming the slot's trained group",
        [r.fits_slot for r in copy_runs["mlp"]],
        at_least=0.5,
    )


def test_random_holes_let_the_mlp_interpolate(copy_runs, claim):
    claim(
        "ch3: MLP held-out accuracy (random holes)",
        [r.heldout_accuracy for r in copy_runs["random"]],
        at_least=0.9,
    )


def test_slot_similarity_explains_the_split(copy_runs, claim):
    sims = [slot_similarity(r) for r in copy_runs["mlp"]]
    within = [min(s[:4, :4][OFF[:4, :4]].min(), s[4:, 4:][OFF[4:, 4:]].min()) for s in sims]
    claim("ch3: slot similarity within a trained block", within, at_least=0.7)
    claim(
        "ch3: |slot similarity| across the blocks",
        [np.abs(s[:4, 4:]).max() for s in sims],
        at_most=0.3,
    )
    holes = [slot_similarity(r)[OFF].min() for r in copy_runs["random"]]
    claim("ch3: slot similarity with random holes", holes, at_least=0.7)


def test_much_larger_mlp_also_fails(claim_seeds, claim):
    # The larger MLP costs about 5 default runs: the first 3 claims seeds (the chapter runs 0-4).
    runs = [copy_experiment.run(LARGE_MLP, s) for s in claim_seeds[:3]]
    claim("ch3: larger MLP seen accuracy", [r.train_accuracy for r in runs], at_least=0.95)
    claim("ch3: larger MLP held-out accuracy", [r.heldout_accuracy for r in runs], at_most=0.02)
