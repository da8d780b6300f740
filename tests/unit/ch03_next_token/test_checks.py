"""Chapter 3's exercise checks: a right answer passes, a planted mistake is named."""

from __future__ import annotations

from attnlab.ch03_next_token.model import WindowMLP, count_parameters
from attnlab.checks import check_count_mlp_parameters, check_make_pairs


def test_make_pairs_check():
    def right(tokens, window):
        return [
            (tuple(tokens[i : i + window]), tokens[i + window]) for i in range(len(tokens) - window)
        ]

    def misses_the_last(tokens, window):
        return right(tokens, window)[:-1]

    def no_target_shift(tokens, window):
        return [
            (tuple(tokens[i : i + window]), tokens[i + window - 1])
            for i in range(len(tokens) - window)
        ]

    assert check_make_pairs(right).passed
    message = check_make_pairs(misses_the_last).message
    assert "Case 1" in message and "expected 3 values" in message
    assert not check_make_pairs(no_target_shift).passed
    assert (
        "not written yet"
        in check_make_pairs(lambda t, w: (_ for _ in ()).throw(NotImplementedError())).message
    )


def test_count_mlp_parameters_check():
    def right(vocab_size, window, d_embed, width):
        return count_parameters(WindowMLP(vocab_size, window, d_embed, width))

    def forgets_biases(vocab_size, window, d_embed, width):
        return vocab_size * d_embed + window * d_embed * width + width * vocab_size

    assert check_count_mlp_parameters(right).passed
    result = check_count_mlp_parameters(forgets_biases)
    assert not result.passed and "expected 108, got 94" in result.message
    assert "biases" in result.message  # the hint
    assert not check_count_mlp_parameters(3).passed
