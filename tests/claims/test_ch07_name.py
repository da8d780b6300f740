"""Chapter 7's claims about training runs, on more seeds, at the chapter's settings.

The chapter trains seed 0 of each model and states these bounds in its hidden ``expect`` lines.
The runs behind each bound (30 seed x setting runs of the shipped config) are in
code/attnlab/ch07_name/RESEARCH.md.
Training TinyGPT takes under a minute per seed, so this file checks its own seed set,
``ATTNLAB_CH7_CLAIM_SEEDS`` (default "5-6"); `make test` runs seed 6 under its last setting (see the
Makefile) and `ATTNLAB_CH7_CLAIM_SEEDS=5-14 make claims` more. ``ATTNLAB_SEED_OFFSET`` shifts the seeds as
everywhere else."""

from __future__ import annotations

import pytest

from attnlab.ch07_name.experiment import MODELS, keyvan_written, run
from attnlab.ch07_name.sentences import KEYVAN, course_tokenizer

#: The chapter's sentence with the name further back (the chapter's Keyvan section).
FURTHER = ", and she turned the big key in the lock"
KEYVAN_IDS = course_tokenizer().encode(KEYVAN)


@pytest.fixture(scope="module")
def runs(ch7_seeds):
    return {name: [run(config, seed) for seed in ch7_seeds] for name, config in MODELS.items()}


def _held(runs, name, part="names_x_distances"):
    return [r.accuracy[part] for r in runs[name]]


def test_tinygpt_finishes_held_out_names(runs, claim):
    claim("ch7: TinyGPT, names x distances", _held(runs, "tinygpt"), at_least=0.8)


def test_both_mlps_fail_the_held_out_names(runs, claim):
    claim(
        "ch7: MLP (5 and 24), names x distances",
        _held(runs, "mlp5") + _held(runs, "mlp24"),
        at_most=0.05,
    )


def test_tinygpt_is_far_ahead_of_the_wide_mlp(runs, claim):
    gaps = [g - m for g, m in zip(_held(runs, "tinygpt"), _held(runs, "mlp24"), strict=True)]
    claim("ch7: TinyGPT minus wide MLP, names x distances", gaps, at_least=0.7)


def test_tinygpt_finishes_keyvan_close_and_further_back(runs, claim):
    claim(
        "ch7: TinyGPT finishes Keyvan", [r.keyvan["sentence"] for r in runs["tinygpt"]], at_least=1
    )
    further = [keyvan_written(r.model, FURTHER) == KEYVAN_IDS for r in runs["tinygpt"]]
    claim("ch7: TinyGPT finishes Keyvan further back", further, at_least=1)


def test_a_first_piece_never_seen_in_a_name_defeats_every_model(runs, claim):
    never = [a for name in runs for a in _held(runs, name, "new_first")]
    claim("ch7: first piece never in a name, every model", never, at_most=0.05)
