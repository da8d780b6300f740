"""Chapter 3's next-token MLP on the course's text, and its claims over 5 seeds."""

from __future__ import annotations

import pytest
import torch

from attnlab import experiments
from attnlab.tokenizer import BPETokenizer, load_corpus


@pytest.fixture(scope="module")
def tokenizer() -> BPETokenizer:
    return BPETokenizer.train(load_corpus(), 300)


RECITED = [
    "Ada turned the big key in the",
    "Hold the shift key and press a",
    "He asked what the small key",
]


def test_make_windows():
    contexts, targets = experiments.make_windows([10, 11, 12, 13, 14], 2)
    assert contexts.tolist() == [[10, 11], [11, 12], [12, 13]]
    assert targets.tolist() == [12, 13, 14]
    with pytest.raises(ValueError, match="more than window"):
        experiments.make_windows([1, 2], 2)
    with pytest.raises(TypeError, match="window"):
        experiments.make_windows([1, 2, 3], 1.0)
    with pytest.raises(TypeError, match="ids"):
        experiments.make_windows(torch.tensor([1.0, 2.0, 3.0]), 1)


def test_the_text_model_learns_and_guesses_plausibly_on_5_seeds(tokenizer):
    """Chapter 3: >= 80% on the training text, >= 2x the rival held out, "lock", recited prompts."""
    ids = tokenizer.encode(load_corpus())
    contexts, targets = experiments.make_windows(ids, 5)
    cut = int(len(targets) * 0.9)
    for seed in range(5):
        r = experiments.run_text_experiment(ids, tokenizer.vocab_size, seed=seed)
        assert r.train_accuracy >= 0.8, (seed, r.train_accuracy)
        assert r.heldout_accuracy >= 2 * r.baseline, (seed, r.heldout_accuracy, r.baseline)
        guesses = experiments.top_next_tokens(r.net, tokenizer, "Ada turned the big key in the")
        assert guesses[0][0] == " lock", (seed, guesses)
        assert len(guesses) == 5 and abs(sum(p for _, p in guesses)) <= 1 + 1e-6
        # The three prompts are recited: each 5-token window is in the training part, followed
        # there by the model's first guess (the chapter asserts >= 90% on seed 0).
        for prompt in RECITED:
            window = torch.tensor(tokenizer.encode(prompt)[-5:])
            after = targets[:cut][(contexts[:cut] == window).all(dim=1)].tolist()
            first, p = experiments.top_next_tokens(r.net, tokenizer, prompt)[0]
            assert {tokenizer.token_string(t) for t in after} == {first}, (seed, prompt)
            assert p >= 0.85, (seed, prompt, p)
        # A held-out beginning: the true next token " mu" is not the first guess.
        first, _ = experiments.top_next_tokens(r.net, tokenizer, "It was the small key to the")[0]
        assert first != " mu", seed
        assert r.heldout_accuracy < 0.5, (seed, r.heldout_accuracy)


def test_text_experiment_bad_input(tokenizer):
    ids = tokenizer.encode("the key to the lock")
    with pytest.raises(ValueError, match="vocab_size"):
        experiments.run_text_experiment(ids, vocab_size=10, steps=1)
    with pytest.raises(ValueError, match="heldout_fraction"):
        experiments.run_text_experiment(ids, tokenizer.vocab_size, heldout_fraction=1.5)
    with pytest.raises(TypeError, match="seed"):
        experiments.run_text_experiment(ids, tokenizer.vocab_size, seed="0")
    r = experiments.run_text_experiment(ids * 5, tokenizer.vocab_size, steps=2)
    with pytest.raises(ValueError, match="at least 5 tokens"):
        experiments.top_next_tokens(r.net, tokenizer, "key")
    with pytest.raises(TypeError, match="WindowMLP"):
        experiments.top_next_tokens("net", tokenizer, "the key to the lock")
