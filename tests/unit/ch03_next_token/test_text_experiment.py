"""Chapter 3's next-token MLP on the course's text: windows, errors (claims: tests/claims)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch03_next_token import experiment as experiments
from attnlab.ch03_next_token.tokenizer import BPETokenizer, load_corpus


@pytest.fixture(scope="module")
def tokenizer() -> BPETokenizer:
    return BPETokenizer.train(load_corpus(), 300)


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
