"""Chapter 6: the "called" task, the models, the analysis functions and their bad input (fast)."""

from __future__ import annotations

import pytest
import torch

from attnlab.ch06_copying_names import induction as ind


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ---- the task ----------------------------------------------------------------------------------


def test_sample_layout_and_targets():
    task = ind.NameTask()
    tokens, targets, names, slots = task.sample(200, _gen())
    assert tokens.shape == (200, task.length) and targets.shape == tokens.shape
    for row in range(200):
        s = int(slots[row])
        assert tokens[row, s] == ind.CALLED
        assert tokens[row, s + 1] == names[row, 0] == targets[row, task.answer_position]
        assert ind.COMMA not in tokens[row].tolist()  # only "called" marks a one-token name
        assert ind.decode(tokens[row, task.context_length :]) == "so my name is"
        assert (targets[row] != -100).sum() == 1  # one answer: the name after "is"
    # "called" appears exactly once; the name comes from the same pool as the fillers
    assert ((tokens == ind.CALLED).sum(1) == 1).all()


def test_whole_name_layout_teacher_forcing():
    task = ind.NameTask(context_length=10, name_length=(2, 3))
    tokens, targets, names, slots = task.sample(100, _gen(1))
    a = task.answer_position
    for row in range(100):
        size = int((names[row] != 0).sum())
        assert size in (2, 3)
        name = names[row, :size].tolist()
        s = int(slots[row])
        assert tokens[row, s + 1 : s + 1 + size].tolist() == name
        assert tokens[row, s + 1 + size] == ind.COMMA
        # after "is" the name is fed back one token at a time, and each next token is the target
        assert tokens[row, a + 1 : a + 1 + size].tolist() == name
        assert targets[row, a : a + size + 1].tolist() == name + [ind.COMMA]


def test_systematic_split_never_shows_heldout_combinations_in_training():
    task = ind.NameTask()
    first = len(ind.SPECIALS)
    for part, crossed in (("train", False), ("heldout", True)):
        _, _, names, slots = task.sample(3000, _gen(2), part)
        group = (names[:, 0] - first) % ind.GROUPS
        region = task.region(slots)
        assert bool(((group == region) == crossed).all()), part
        assert set(region.tolist()) == set(range(ind.GROUPS))  # every region is used
    # every name is still an answer in training, and every slot is used
    _, _, names, slots = task.sample(5000, _gen(3), "train")
    assert len(set(names[:, 0].tolist())) == len(ind.POOL)
    assert set(slots.tolist()) == set(range(task.n_slots))


def test_whole_name_split_goes_by_the_first_token_only():
    # Chapter 6: a group-g token can still stand in region g as the second or third piece of a name
    task = ind.NameTask(context_length=10, name_length=(2, 3), unseen=6)
    _, _, names, slots = task.sample(2000, _gen(0), "train")
    later_group = (names[:, 1:] - len(ind.SPECIALS)) % ind.GROUPS
    for g in range(ind.GROUPS):
        later = ((later_group == g) & (names[:, 1:] != ind.PAD)).any(1)
        assert bool((later & (task.region(slots) == g)).any()), g


def test_unseen_tokens_never_occur_in_training():
    task = ind.NameTask(unseen=8)
    tokens, _, _, _ = task.sample(3000, _gen(4), "train")
    unseen_ids = set(range(len(ind.VOCAB) - 8, len(ind.VOCAB)))
    assert not unseen_ids & set(tokens.flatten().tolist())
    _, _, names, _ = task.sample(100, _gen(4), "unseen")
    assert set(names[:, 0].tolist()) <= unseen_ids


def test_encode_decode_round_trip():
    text = "rose sky called key v an , hill so my name is"
    assert ind.decode(ind.encode(text)) == text
    with pytest.raises(ValueError, match="outside the vocabulary"):
        ind.encode("called Keyvan")
    with pytest.raises(TypeError, match="text"):
        ind.encode(3)
    with pytest.raises(ValueError, match="ids"):
        ind.decode([999])


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"context_length": 3}, ValueError, "context_length"),
        ({"name_length": (2, 4)}, ValueError, "name_length"),
        ({"name_length": "long"}, TypeError, "name_length"),
        ({"split": "random"}, ValueError, "split"),
        ({"unseen": 40}, ValueError, "unseen"),
        ({"context_length": 5, "name_length": (3, 3)}, ValueError, "context_length"),
    ],
)
def test_task_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        ind.NameTask(**kwargs)


def test_sample_bad_part():
    with pytest.raises(ValueError, match="part"):
        ind.NameTask().sample(4, _gen(), "test")
    with pytest.raises(ValueError, match="unseen"):
        ind.NameTask().sample(4, _gen(), "unseen")


# ---- run_name_experiment -----------------------------------------------------------------------


@pytest.mark.parametrize("model", ind.MODELS)
def test_run_name_experiment_returns_the_documented_fields(model):
    r = ind.run_name_experiment(model, seed=0, steps=20, eval_every=10, eval_size=32)
    assert 0 <= r.train_accuracy <= 1 and 0 <= r.heldout_accuracy <= 1
    assert r.n_params > 1000 and r.seconds > 0
    assert r.history["step"] == [0, 10, 20]
    assert len(r.history["train"]) == len(r.history["heldout"]) == 3
    assert len(r.history["loss"]) == 20
    assert r.model == model and r.seed == 0


def test_run_is_deterministic_and_members_are_independent():
    a = ind.run_name_experiment("two_layer", seed=3, steps=30, eval_every=10, eval_size=64)
    b = ind.run_name_experiment("two_layer", seed=3, steps=30, eval_every=10, eval_size=64)
    assert a.history == b.history
    ensemble = ind.run_name_experiments("two_layer", [1, 3], steps=30, eval_every=10, eval_size=64)
    assert ensemble[1].seed == 3
    assert ensemble[1].history["loss"] == pytest.approx(a.history["loss"], rel=1e-4, abs=1e-5)


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: ind.run_name_experiment("transformer"), ValueError, "model"),
        (lambda: ind.run_name_experiment("mlp", seed=-1), ValueError, "seed"),
        (lambda: ind.run_name_experiment("mlp", seed=1.5), TypeError, "seed"),
        (lambda: ind.run_name_experiment("mlp", stepz=10), ValueError, "unknown option"),
        (lambda: ind.run_name_experiment("mlp", steps=0), ValueError, "steps"),
        (lambda: ind.run_name_experiment("mlp", lr=-1.0), ValueError, "lr"),
        (lambda: ind.run_name_experiment("mlp", split="holes"), ValueError, "split"),
        (lambda: ind.run_name_experiment("mlp", progress="yes"), TypeError, "progress"),
        (lambda: ind.run_name_experiments("mlp", seeds=[]), TypeError, "seeds"),
        (lambda: ind.run_name_experiments("mlp", seeds=[1, 1]), ValueError, "seeds"),
    ],
)
def test_run_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---- analysis functions ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny():
    return ind.run_name_experiments("two_layer", [0, 1], steps=10, eval_every=10, eval_size=16)


def test_attention_patterns_are_causal_rows_of_weights(tiny):
    patterns = ind.attention_patterns(tiny[1], "rose called key hill sky rain so my name is")
    assert len(patterns) == 2
    for p in patterns:
        assert p.shape == (10, 10)
        assert torch.allclose(p.sum(-1), torch.ones(10))
        assert float(p.triu(1).abs().max()) == 0.0


def test_induction_and_previous_token_scores_on_planted_patterns():
    period, length = 4, 8
    perfect = torch.zeros(length, length)
    prev = torch.zeros(length, length)
    for i in range(length):
        perfect[i, i - period + 1 if i >= period else 0] = 1.0
        prev[i, max(i - 1, 0)] = 1.0
    assert ind.induction_score(perfect, period) == 1.0
    assert ind.induction_score(prev, period) == 0.0
    assert ind.previous_token_score(prev) == 1.0
    assert ind.previous_token_score(perfect) == pytest.approx(1 / 7)  # only row 1 looks back one


def test_repeated_sequence():
    seq = ind.repeated_sequence(5, seed=2)
    assert seq.shape == (10,) and torch.equal(seq[:5], seq[5:]) and len(set(seq[:5].tolist())) == 5
    assert torch.equal(seq, ind.repeated_sequence(5, seed=2))
    assert ind.repeated_sequence(3, seed=0, repeats=3).shape == (9,)


def test_repeated_sequence_from_part_of_the_pool():
    assert torch.equal(ind.repeated_sequence(6, seed=3, pool_size=48), ind.repeated_sequence(6, 3))
    for seed in range(20):
        seq = ind.repeated_sequence(6, seed=seed, pool_size=42)
        assert int(seq.max()) < len(ind.SPECIALS) + 42 and len(set(seq[:6].tolist())) == 6


def test_part_of_names_the_test_set_of_a_prompt():
    single = ind.NameTask()  # 7 slots: regions 0-1, 2-3, 4-6
    assert single.part_of("rose called key hill rain sky star lake so my name is") == "heldout"
    assert single.part_of("rose hill called key rain sky star lake so my name is") == "train"
    whole = ind.NameTask(10, (2, 3), unseen=6)  # 6 slots: regions 0-1, 2-3, 4-5
    assert whole.part_of("called key v an , rain sky star hill lake so my name is") == "heldout"
    assert whole.part_of("rose hill called key v an , star hill lake so my name is") == "train"
    assert whole.part_of("hope star king called sa mi ra , lily page so my name is") == "unseen"
    # it agrees with the sampler on every part
    for part in ("train", "heldout", "unseen"):
        tokens, _, _, _ = whole.sample(100, _gen(4), part)
        prompts = [ind.decode(t[: whole.answer_position + 1]) for t in tokens]
        assert {whole.part_of(p) for p in prompts} == {part}


@pytest.mark.parametrize(
    "prompt,match",
    [
        ("rose called key so my name is", "context tokens"),
        ("rose called key hill rain sky star lake so my name", "context tokens"),
        ("rose hill key hill rain sky star lake so my name is", "exactly once"),
        ("called hill called hill rain sky star lake so my name is", "exactly once"),
        ("rose hill key hill rain sky star called so my name is", "slot"),
        ("rose called so hill rain sky star lake so my name is", "pool token"),
    ],
)
def test_part_of_bad_input(prompt, match):
    task = ind.NameTask()
    with pytest.raises(ValueError, match=match):
        task.part_of(prompt)


def test_forward_one_matches_the_ensemble(tiny):
    text = "rose called key hill rain sky star lake so my name is"
    for r in tiny:
        logits, _ = r.network(torch.tensor(ind.encode(text)).expand(2, 1, -1))
        assert torch.allclose(ind.forward_one(r, text), logits[r.member, 0], atol=1e-5)


def test_probes_on_a_trained_ensemble(tiny):
    r = tiny[0]
    assert 0 <= ind.previous_token_probe(r, n=8) <= 1
    assert 0 <= ind.induction_probe(r, n=2) <= 1
    assert torch.equal(ind.probe_tokens(r, 6, 1), ind.repeated_sequence(6, 1))  # no unseen tokens


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda r: ind.induction_score(torch.zeros(3, 4), 1), ValueError, "square"),
        (lambda r: ind.induction_score(torch.zeros(4, 4), 4), ValueError, "period"),
        (
            lambda r: ind.induction_score(torch.zeros(4, 4, dtype=torch.long), 1),
            TypeError,
            "pattern",
        ),
        (lambda r: ind.previous_token_score([[1.0]]), TypeError, "pattern"),
        (lambda r: ind.repeated_sequence(0), ValueError, "period"),
        (lambda r: ind.repeated_sequence(60), ValueError, "period"),
        (lambda r: ind.repeated_sequence(3, repeats=1), ValueError, "repeats"),
        (lambda r: ind.attention_patterns("model", "is"), TypeError, "result"),
        (lambda r: ind.attention_patterns(r, "called Keyvan"), ValueError, "vocabulary"),
        (
            lambda r: ind.attention_patterns(r, torch.zeros(2, 3, dtype=torch.long)),
            ValueError,
            "tokens",
        ),
        (lambda r: ind.attention_patterns(r, list(range(7, 30))), ValueError, "at most"),
        (lambda r: ind.evaluate(r, "test"), ValueError, "part"),
        (lambda r: ind.evaluate(r, ablate=(3,)), ValueError, "ablate"),
        (lambda r: ind.evaluate(r, ablate=1), TypeError, "ablate"),
        (lambda r: ind.generate(r, "so my name is", max_new=0), ValueError, "max_new"),
        (lambda r: ind.whole_name_accuracy(r, n=0), ValueError, "n"),
        (lambda r: ind.circuit_summary(r, part="unseen"), ValueError, "part"),
        (lambda r: ind.circuit_summary("r"), TypeError, "result"),
        (lambda r: ind.induction_probe(r, layer=3), ValueError, "layer"),
        (lambda r: ind.induction_probe(r, period=7), ValueError, "period"),
        (lambda r: ind.induction_probe(r, n=0), ValueError, "n"),
        (lambda r: ind.repeated_sequence(3, pool_size=0), ValueError, "pool_size"),
        (lambda r: ind.repeated_sequence(3, pool_size=49), ValueError, "pool_size"),
        (lambda r: ind.repeated_sequence(5, pool_size=4), ValueError, "period"),
        (lambda r: ind.probe_tokens("r"), TypeError, "result"),
        (lambda r: ind.previous_token_probe(r, layer=3), ValueError, "layer"),
        (lambda r: ind.previous_token_probe(r, n=0), ValueError, "n"),
        (lambda r: ind.previous_token_probe(r, part="test"), ValueError, "part"),
        (lambda r: ind.forward_one("r", "is"), TypeError, "result"),
        (lambda r: ind.forward_one(r, "called Keyvan"), ValueError, "vocabulary"),
        (lambda r: ind.forward_one(r, list(range(7, 30))), ValueError, "at most"),
    ],
)
def test_analysis_bad_input(tiny, call, error, match):
    with pytest.raises(error, match=match):
        call(tiny[0])


def test_mlp_has_no_heads():
    r = ind.run_name_experiment("mlp", steps=5, eval_every=5, eval_size=8)
    with pytest.raises(ValueError, match="MLP"):
        ind.attention_patterns(r, "so my name is")
    with pytest.raises(ValueError, match="MLP"):
        ind.ablate_accuracy(r)
    with pytest.raises(ValueError, match="attention models"):
        ind.forward_one(r, "so my name is")


def test_generate_stops_at_the_comma(tiny):
    text = ind.generate(tiny[0], "rose called key hill sky rain pat so my name is", max_new=1)
    assert len(text.split()) == 1


def test_circuit_summary_needs_a_single_name_two_layer_model(tiny):
    summary = ind.circuit_summary(tiny[0], n=16)
    assert set(summary) == {"layer 1: name -> called", "layer 2: is -> name"}
    assert all(0 <= v <= 1 for v in summary.values())
    one = ind.run_name_experiment("one_layer", steps=2, eval_every=2, eval_size=4)
    with pytest.raises(ValueError, match="two_layer"):
        ind.circuit_summary(one)
