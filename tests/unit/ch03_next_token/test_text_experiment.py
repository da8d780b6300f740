"""Chapter 3's next-token MLP on the course's text: windows, errors (claims: tests/claims)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch03_next_token import text_experiment
from attnlab.ch03_next_token.text_experiment import TextConfig, make_windows, top_next_tokens
from attnlab.ch03_next_token.tokenizer import BPETokenizer, load_corpus


@pytest.fixture(scope="module")
def tokenizer() -> BPETokenizer:
    return BPETokenizer.train(load_corpus(), 300)


def test_make_windows():
    contexts, targets = make_windows([10, 11, 12, 13, 14], 2)
    assert contexts.tolist() == [[10, 11], [11, 12], [12, 13]]
    assert targets.tolist() == [12, 13, 14]
    with pytest.raises(ValueError, match="more than window"):
        make_windows([1, 2], 2)
    with pytest.raises(TypeError, match="window"):
        make_windows([1, 2, 3], 1.0)
    with pytest.raises(TypeError, match="ids"):
        make_windows(torch.tensor([1.0, 2.0, 3.0]), 1)


def test_text_experiment_bad_input(tokenizer):
    ids = tokenizer.encode("the key to the lock")
    with pytest.raises(ValueError, match="vocab_size"):
        text_experiment.run(TextConfig(steps=1), 0, ids=ids, vocab_size=10)
    with pytest.raises(ValueError, match="heldout_fraction"):
        TextConfig(heldout_fraction=1.5)
    with pytest.raises(TypeError, match="seed"):
        text_experiment.run(TextConfig(), "0", ids=ids, vocab_size=tokenizer.vocab_size)
    with pytest.raises(TypeError, match="TextConfig"):
        text_experiment.run({"steps": 2}, 0, ids=ids, vocab_size=tokenizer.vocab_size)
    r = text_experiment.run(TextConfig(steps=2), 0, ids=ids * 5, vocab_size=tokenizer.vocab_size)
    assert r.config.steps == 2 and r.seed == 0 and len(r.history["loss"]) == 2
    with pytest.raises(ValueError, match="at least 5 tokens"):
        top_next_tokens(r.net, tokenizer, "key")
    with pytest.raises(TypeError, match="WindowMLP"):
        top_next_tokens("net", tokenizer, "the key to the lock")
