"""Chapter 2's exercise checks pass right answers and name what is wrong in planted wrong ones."""

from __future__ import annotations

import torch

from attnlab.checks import check_relu, check_two_layer_forward, check_xor_weights

# ---- relu --------------------------------------------------------------------------------------


def test_relu_right_answers_pass():
    assert check_relu(lambda x: torch.clamp(x, min=0)).passed
    assert check_relu(lambda x: x * (x > 0)).passed
    assert check_relu(torch.relu).passed


def test_relu_wrong_answers_are_named():
    result = check_relu(lambda x: torch.abs(x))  # mirrors negatives instead of zeroing them
    assert not result.passed
    assert "Case 1 (positive and negative numbers)" in result.message
    assert "expected tensor([0. , 0. , 0.5, 2. ]" in result.message
    assert "got tensor([2. , 0.5, 0.5, 2. ]" in result.message and "hint:" in result.message

    def flattens(x):
        return torch.clamp(x, min=0).flatten()

    result = check_relu(flattens)
    assert not result.passed and "a 2-D tensor" in result.message and "shape" in result.message


def test_relu_stub_crash_and_missing_return():
    def relu(x):
        raise NotImplementedError

    assert "not written yet" in check_relu(relu).message

    def relu_crash(x):
        return max(0, x)  # Python's max on a tensor: ambiguous truth value

    assert "raised RuntimeError" in check_relu(relu_crash).message

    def relu_none(x):
        torch.clamp(x, min=0)

    assert "forget a `return`" in check_relu(relu_none).message
    assert "wants your function itself" in check_relu(3).message


# ---- two_layer_forward -------------------------------------------------------------------------


def test_forward_right_answer_passes():
    def forward(x, W1, b1, W2, b2):
        return torch.relu(x @ W1 + b1) @ W2 + b2

    assert check_two_layer_forward(forward).passed


def test_forward_without_the_hinge_is_caught():
    def forward(x, W1, b1, W2, b2):
        return (x @ W1 + b1) @ W2 + b2

    result = check_two_layer_forward(forward)
    assert not result.passed and "Case 1" in result.message
    assert "expected tensor([[-1.]]" in result.message and "largest difference" in result.message


def test_forward_with_a_hinge_on_the_output_is_caught():
    def forward(x, W1, b1, W2, b2):
        return torch.relu(torch.relu(x @ W1 + b1) @ W2 + b2)

    result = check_two_layer_forward(forward)
    assert not result.passed and "no relu on the output" in result.message


def test_forward_with_transposed_weights_is_caught():
    def forward(x, W1, b1, W2, b2):
        return torch.relu(x @ W1.T + b1) @ W2 + b2

    result = check_two_layer_forward(forward)
    assert not result.passed and "Case 1 (one point, one hinge on and one off" in result.message


def test_forward_crash_becomes_a_message():
    def forward(x, W1, b1, W2, b2):
        return torch.relu(W1 @ x + b1) @ W2 + b2  # multiplies in the wrong order

    result = check_two_layer_forward(forward)
    assert not result.passed and "raised RuntimeError" in result.message


# ---- xor_weights -------------------------------------------------------------------------------


def test_xor_weights_accepts_any_solution():
    def bump():
        return [[1.0, 1.0], [1.0, 1.0]], [0.0, -1.0], [[1.0], [-2.0]], [0.0]

    def mirror():
        return (
            torch.tensor([[1.0, -1.0], [-1.0, 1.0]]),
            torch.zeros(2),
            torch.ones(2, 1),
            torch.zeros(1),
        )

    assert check_xor_weights(bump).passed
    assert check_xor_weights(mirror).passed


def test_xor_weights_wrong_answers_are_named():
    def one_hinge_too_few():  # only the rising hinge: (1, 1) comes out 2, which says class 1
        return [[1.0, 1.0], [1.0, 1.0]], [0.0, -1.0], [[1.0], [0.0]], [0.0]

    result = check_xor_weights(one_hinge_too_few)
    assert not result.passed
    assert "At the point (1, 1) the network outputs 2" in result.message
    assert "XOR says 0" in result.message and "hint" in result.message

    def wrong_shape():
        return [[1.0, 1.0]], [0.0, -1.0], [[1.0], [-2.0]], [0.0]

    result = check_xor_weights(wrong_shape)
    assert not result.passed and "W1 should have shape (2, 2), got (1, 2)" in result.message

    def three_things():
        return [[1.0, 1.0], [1.0, 1.0]], [0.0, -1.0], [[1.0], [-2.0]]

    assert "should return four things" in check_xor_weights(three_things).message

    def words():
        return "W1", "b1", "W2", "b2"

    assert "W1 should hold numbers" in check_xor_weights(words).message


def test_xor_weights_stub_crash_none_and_not_a_function():
    def xor_weights():
        raise NotImplementedError

    result = check_xor_weights(xor_weights)
    assert not result.passed and "not written yet" in result.message

    def crashes():
        return 1 / 0

    assert "raised ZeroDivisionError" in check_xor_weights(crashes).message

    def forgets():
        pass

    assert "returned None" in check_xor_weights(forgets).message
    assert "wants your function itself" in check_xor_weights((1, 2, 3, 4)).message
