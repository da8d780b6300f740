"""The two-value experiment (Chapter 5): the task, the config, run and run_seeds (a SeedStack of
plain models gives what plain models give), the head viewer's logic and the exercise checks (with
planted wrong answers). What the chapter says about the trained
models is checked on more seeds in tests/claims/test_ch05_multi_head.py."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from attnlab.ch05_multi_head.two_value import (
    TwoValueConfig,
    TwoValueModel,
    TwoValueResult,
    TwoValueTask,
    half_lookups,
    run,
    run_seeds,
    steps_to_reach,
)
from attnlab.ch05_multi_head.widgets import LAYOUTS, HeadViewer, head_maps, head_viewer_state
from attnlab.checks import check_count_parameters, check_multi_head_forward, check_split_heads

# ---- the task -------------------------------------------------------------------------------------


def test_task_sequences_follow_the_rules():
    task = TwoValueTask()
    x, y = task.sample(500, torch.Generator().manual_seed(0))
    assert x.shape == (500, task.length) and y.shape == (500,)
    assert (x[:, -1] == task.question).all()
    first, second = x[:, : task.half], x[:, task.half : -1]
    for part in (first, second):
        numbers = part < task.n_values
        assert ((numbers.sum(1) >= 1) & (numbers.sum(1) <= task.max_repeat)).all()
        # every number token in a half is the same value
        value = torch.where(numbers, part, -1).max(1).values
        assert (torch.where(numbers, part, value[:, None]) == value[:, None]).all()
    a = torch.where(first < task.n_values, first, -1).max(1).values
    b = torch.where(second < task.n_values, second, -1).max(1).values
    assert torch.equal(y, (b - a) % task.n_values)
    assert len(set(y.tolist())) == task.n_values


def test_task_is_deterministic_and_make_places_values():
    task = TwoValueTask()
    one = task.sample(8, torch.Generator().manual_seed(3))
    two = task.sample(8, torch.Generator().manual_seed(3))
    assert all(torch.equal(p, q) for p, q in zip(one, two, strict=True))
    seq = task.make(3, 7, (0, 2), (1,))
    names = [task.token_names()[t] for t in seq.tolist()]
    assert names == ["3", "·a", "3", "·a", "·a", "7", "·a", "·a", "?"]


@pytest.mark.parametrize(
    "kwargs,error,words",
    [
        ({"max_repeat": 5}, ValueError, "max_repeat=5 must be <= half=4"),
        ({"n_values": 1}, ValueError, "n_values must be >= 2"),
        ({"half": 2.0}, TypeError, "half must be an int"),
    ],
)
def test_task_bad_settings(kwargs, error, words):
    with pytest.raises(error, match=words):
        TwoValueTask(**kwargs)


def test_make_bad_input():
    task = TwoValueTask()
    with pytest.raises(ValueError, match="a must be an int in 0..9"):
        task.make(10, 0, (0,), (0,))
    with pytest.raises(ValueError, match="slots_b must list 1 to 4 slot numbers"):
        task.make(1, 2, (0,), (4,))


# ---- the config, run and run_seeds ---------------------------------------------------------------

TINY = TwoValueConfig(heads=(1, 2), steps=6, eval_every=3, n_eval=16, batch_size=8)


def test_config_defaults_and_help():
    config = TwoValueConfig()
    assert config.heads == (1, 2, 4) and config.steps == 1200 and config.lr == 6e-3
    assert TwoValueConfig(heads=[4, 1]).heads == (4, 1)  # a list becomes a tuple
    doc = TwoValueConfig.__doc__
    assert all(f.name in doc for f in dataclasses.fields(TwoValueConfig))


@pytest.mark.parametrize(
    "kwargs,error,words",
    [
        ({"heads": (1, 3)}, ValueError, "divisible by every head count, not 3"),
        ({"heads": ()}, ValueError, "at least one head count"),
        ({"heads": 2}, TypeError, "heads must be a tuple"),
        ({"steps": 0}, ValueError, "steps must be >= 1"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"task": "task"}, TypeError, "task must be a TwoValueTask"),
    ],
)
def test_config_bad_settings(kwargs, error, words):
    with pytest.raises(error, match=words):
        TwoValueConfig(**kwargs)


def test_run_seeds_equals_run_seed_by_seed():
    """Stacked or alone, a seed starts from the same weights and learns the same (up to
    rounding); every trained model is a plain TwoValueModel."""
    stacked = run_seeds(TINY, (0, 7), progress=False)
    assert isinstance(stacked, TwoValueResult) and stacked.seeds == [0, 7]
    assert stacked.steps == [0, 3, 6] and stacked.heads == [1, 2]
    x, _ = TINY.task.sample(5, torch.Generator().manual_seed(1))
    for i, seed in enumerate((0, 7)):
        alone = run(TINY, seed, progress=False)
        for h in (1, 2):
            assert stacked.accuracy[h].shape == (2, 3) and alone.accuracy[h].shape == (1, 3)
            assert torch.allclose(stacked.accuracy[h][i], alone.accuracy[h][0], atol=1 / 16)
            model = stacked.model(h, seed)
            assert isinstance(model, TwoValueModel) and model.attention.n_heads == h
            logits, weights = model(x)
            assert weights.shape == (5, h, 1, TINY.task.length)
            assert torch.allclose(logits, alone.model(h, seed)(x)[0], atol=1e-4)


def test_head_counts_start_from_the_same_weights():
    from attnlab.ch05_multi_head.two_value import _start

    config = dataclasses.replace(TINY, heads=(1, 4))
    one, four = (dict(_start(config, h, 3).named_parameters()) for h in (1, 4))
    assert all(torch.equal(one[name], four[name]) for name in one)


def test_run_bad_input():
    with pytest.raises(TypeError, match="config must be a TwoValueConfig"):
        run({"steps": 1}, 0)
    with pytest.raises(TypeError, match="seeds must be a list"):
        run_seeds(TINY, 3)
    with pytest.raises(ValueError, match="seeds must not repeat a value"):
        run_seeds(TINY, (0, 0))
    result = run(TINY, 0, progress=False)
    with pytest.raises(ValueError, match="must come from heads"):
        result.model(4, 0)


def test_steps_to_reach():
    assert steps_to_reach([0, 50, 100], [0.1, 0.95, 0.99], 0.9) == 50
    assert steps_to_reach([0, 50], [0.1, 0.5], 0.9) is None


# ---- half_lookups counts what each head fetches -----------------------------------------------


def test_half_lookups_counts_each_head():
    """With the queries zeroed, every head spreads its weight evenly: 4/9 on each half."""
    task = TwoValueTask()
    torch.manual_seed(0)
    model = TwoValueModel(task, n_heads=4).eval()
    with torch.no_grad():
        model.attention.query.weight.zero_()
        model.attention.query.bias.zero_()
    x, y = task.sample(16, torch.Generator().manual_seed(0))
    even = half_lookups(model, x, y)
    assert even["decisive_by_head"] == [0.0] * 4 and even["decisive"] == 0.0
    low = half_lookups(model, x, y, level=0.4)  # 4/9 >= 0.4: every head fetches both halves
    assert low["decisive_by_head"] == [1.0] * 4 and low["first_by_head"] == [1.0] * 4
    assert low["both"] == 1.0


def test_half_lookups_bad_input():
    model = TwoValueModel(TwoValueTask())
    with pytest.raises(TypeError, match="model must be a TwoValueModel"):
        half_lookups("m", torch.zeros(2, 9, dtype=torch.long), torch.zeros(2, dtype=torch.long))
    with pytest.raises(TypeError, match="tokens must have an integer dtype"):
        half_lookups(model, torch.zeros(2, 9), torch.zeros(2, dtype=torch.long))


# ---- the head viewer's logic, headless --------------------------------------------------------------


@pytest.fixture(scope="module")
def small_models():
    task = TwoValueTask()
    torch.manual_seed(0)
    return {h: TwoValueModel(task, n_heads=h).eval() for h in (1, 2, 4)}


def test_head_maps_one_row_per_head(small_models):
    seq = small_models[2].task.make(1, 2, (0,), (3,))
    maps = head_maps(small_models[2], seq)
    assert len(maps) == 2 and all(len(row) == 9 for row in maps)
    assert all(abs(sum(row) - 1) < 1e-5 for row in maps)
    assert head_maps(small_models[2], seq.tolist()) == maps


def test_head_viewer_state(small_models):
    for layout in LAYOUTS:
        state = head_viewer_state(small_models, 4, 5, 2, layout)
        assert state["answer"] == (2 - 5) % 10
        assert len(state["weights"]) == 4 and len(state["tokens"]) == 9
        assert 0 <= state["prediction"] < 10 and 0 < state["confidence"] <= 1
        assert state["tokens"][-1] == "?"


def test_head_viewer_bad_input(small_models):
    with pytest.raises(ValueError, match="n_heads must be one of"):
        head_viewer_state(small_models, 3, 1, 2, "a once, b once")
    with pytest.raises(ValueError, match="layout must be one of"):
        head_viewer_state(small_models, 2, 1, 2, "nowhere")
    with pytest.raises(TypeError, match="model must be a TwoValueModel"):
        head_maps("model", [0] * 9)
    with pytest.raises(ValueError, match="sequence must hold 9 token ids"):
        head_maps(small_models[1], [0, 1, 2])


def test_head_viewer_widget_follows_its_controls(small_models):
    viewer = HeadViewer(small_models, n_heads=2, a=1, b=4, layout="a once, b once")
    assert viewer.state["answer"] == 3 and len(viewer.state["weights"]) == 2
    viewer.heads.value = 4
    viewer.b.value = 9
    assert viewer.state["answer"] == 8 and len(viewer.state["weights"]) == 4


# ---- exercise checks: the solution passes, planted wrong answers are named -------------------------


def _good_split(x, n_heads):
    b, length, d = x.shape
    return x.reshape(b, length, n_heads, d // n_heads).transpose(1, 2)


def test_check_split_heads():
    assert check_split_heads(_good_split)
    wrong = check_split_heads(lambda x, n: x.reshape(x.shape[0], n, x.shape[1], -1))
    assert not wrong and "Case 2" in wrong.message and "transpose" in wrong.message
    no_return = check_split_heads(lambda x, n: None)
    assert "forget a `return`" in no_return.message


def test_check_count_parameters():
    assert check_count_parameters(lambda d, h: 4 * d * d + 4 * d)
    forgot_output = check_count_parameters(lambda d, h: 3 * d * d + 3 * d)
    assert not forgot_output and "d_model=4, n_heads=1" in forgot_output.message
    per_head = check_count_parameters(lambda d, h: h * (4 * d * d + 4 * d))
    assert not per_head and "n_heads=2" in per_head.message


def _good_forward(x, wq, wk, wv, wo, n_heads):
    from attnlab.ch04_attention.attention import scaled_dot_product_attention

    q, k, v = (_good_split(x @ w, n_heads) for w in (wq, wk, wv))
    out, _ = scaled_dot_product_attention(q, k, v)
    return out.transpose(1, 2).reshape(x.shape) @ wo


def test_check_multi_head_forward():
    assert check_multi_head_forward(_good_forward)

    def one_big_head(x, wq, wk, wv, wo, n_heads):
        return _good_forward(x, wq, wk, wv, wo, 1)

    wrong = check_multi_head_forward(one_big_head)
    assert not wrong and "2 head(s)" in wrong.message and "largest difference" in wrong.message

    def forgot_output(x, wq, wk, wv, wo, n_heads):
        return _good_forward(x, wq, wk, wv, torch.eye(x.shape[-1]), n_heads)

    assert "Case 1" in check_multi_head_forward(forgot_output).message


# ---- the figures draw (and refuse bad input) ------------------------------------------------------


def test_every_figure_draws():
    import matplotlib.pyplot as plt

    from attnlab.ch05_multi_head import plots
    from attnlab.ch05_multi_head.cost import CostResult

    tiny = run_seeds(TINY, (0, 1), progress=False)
    cost = CostResult(
        [64, 128, 256],
        {"step by step": [1e-4, 4e-4, 16e-4], "fused": [1e-4, 2e-4, 4e-4]},
        {"step by step": [4096, 16384, 65536], "fused": [512, 1024, 2048]},
    )
    figures = [
        plots.plot_head_shapes(4, 8, 2),
        plots.plot_learning_curves(tiny),
        plots.plot_head_maps(torch.full((3, 2, 9), 1 / 9), [["x"] * 9] * 3),
        plots.plot_head_maps(torch.full((4, 9), 1 / 9), [["x"] * 9], title="one sequence"),
        plots.plot_cost(cost),
    ]
    assert all(len(f.axes) >= 1 for f in figures)
    plt.close("all")
    with pytest.raises(ValueError, match="divisible by n_heads=3"):
        plots.plot_head_shapes(4, 8, 3)
    with pytest.raises(ValueError, match="labels must be 1 rows of 9 tokens"):
        plots.plot_head_maps(torch.ones(2, 9), [["x"] * 8])
    with pytest.raises(TypeError, match="result must be a TwoValueResult"):
        plots.plot_learning_curves({})


def test_side_by_side_runs_every_member_as_its_own_plain_model():
    from attnlab.ch05_multi_head.side_by_side import SideBySide

    task = TwoValueTask()
    models = []
    for h in (1, 2, 4):
        group = []
        for s in (3, 4):
            torch.manual_seed(s)
            group.append(TwoValueModel(task, 8, h, 16))
        models.append(group)
    stack = SideBySide(models)
    tokens, _ = task.sample(6, torch.Generator().manual_seed(0))
    with torch.no_grad():
        logits, weights = stack(tokens.expand(6, *tokens.shape))
        for g, group in enumerate(models):
            for i, model in enumerate(group):
                own, own_weights = model(tokens)
                assert torch.allclose(logits[g * 2 + i], own, atol=1e-5)
                assert torch.allclose(weights[(1, 2, 4)[g]][i], own_weights, atol=1e-6)
        copy = stack.member(1, 0, TwoValueModel(task, 8, 2, 16))
        assert torch.allclose(copy(tokens)[0], models[1][0](tokens)[0])
    with pytest.raises(TypeError, match="one non-empty list"):
        SideBySide([[models[0][0]], []])
