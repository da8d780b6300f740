"""Chapter 4's hand-built vectors say what the prose says they say."""

from __future__ import annotations

import json

import pytest
import torch

from attnlab.ch04_attention.widgets import explorer_state
from attnlab.ch04_attention.wordvectors import (
    FEATURES,
    LEXICON,
    MONEY_SENTENCE,
    RIVER_SENTENCE,
    ROBOT_SENTENCE,
    VALUE_FEATURES,
    lexicon_with,
    vector,
    vectors,
)


def _weight(state, word):
    return state["weights"][state["tokens"].index(word)]


def test_lexicon_is_json_ready_and_eight_features_wide():
    assert len(FEATURES) == len(VALUE_FEATURES) == 8
    assert json.loads(json.dumps(LEXICON)) == LEXICON
    for word, entry in LEXICON.items():
        assert set(entry) == {"query", "key", "value"}, word
        assert all(len(v) == 8 and all(isinstance(x, float) for x in v) for v in entry.values())


def test_it_matches_robot_high_floor_medium_sat_low():
    state = explorer_state(ROBOT_SENTENCE, ROBOT_SENTENCE.index("it"))
    raw = dict(zip(state["tokens"], state["raw_scores"], strict=False))
    assert raw["robot"] > raw["floor"] > raw["sat"]
    assert _weight(state, "robot") > 0.6 and 0.1 < _weight(state, "floor") < 0.3
    assert _weight(state, "sat") < 0.02
    assert sum(state["weights"]) == pytest.approx(1.0)
    # the new vector of "it" now carries the robot's features
    out = dict(zip(VALUE_FEATURES, state["output"], strict=True))
    assert out["metal"] > 0.6 and out["gets tired"] > 0.6 and out["surface"] < 0.2


def test_swapping_the_robot_for_a_box_moves_the_weights():
    words = list(ROBOT_SENTENCE)
    words[1] = "box"
    state = explorer_state(words, words.index("it"))
    assert _weight(state, "box") == pytest.approx(_weight(state, "floor"))
    cat = list(ROBOT_SENTENCE)
    cat[1] = "cat"
    cat_state = explorer_state(cat, 7)
    robot_state = explorer_state(ROBOT_SENTENCE, 7)
    assert _weight(cat_state, "cat") == pytest.approx(_weight(robot_state, "robot"))
    assert cat_state["output"][VALUE_FEATURES.index("metal")] < 0.01  # a cat is not metal
    assert cat_state["output"][VALUE_FEATURES.index("furry")] > 0.6


def test_bank_means_water_by_the_river_and_money_by_the_money():
    river = dict(zip(VALUE_FEATURES, explorer_state(RIVER_SENTENCE)["output"], strict=True))
    money = dict(zip(VALUE_FEATURES, explorer_state(MONEY_SENTENCE)["output"], strict=True))
    assert river["water"] > 5 * river["money"] and money["money"] > 5 * money["water"]
    assert torch.tensor(LEXICON["bank"]["query"]).equal(vector("bank", "query"))
    bank = dict(zip(VALUE_FEATURES, LEXICON["bank"]["value"], strict=True))
    assert bank["water"] == bank["money"] > 0  # on its own, "bank" is ambiguous


def test_keys_and_values_are_different_vectors():
    # the key is what a word offers for matching, the value what it hands over when chosen
    queries, keys, values = vectors(ROBOT_SENTENCE)
    robot = ROBOT_SENTENCE.index("robot")
    assert not torch.equal(keys[robot], values[robot])
    assert not any(
        torch.equal(keys[j], values[j]) for j in range(len(ROBOT_SENTENCE)) if keys[j].any()
    )
    value = dict(zip(VALUE_FEATURES, values[robot].tolist(), strict=True))
    assert value["metal"] == value["battery"] == value["gets tired"] == 1.0
    assert not values[ROBOT_SENTENCE.index("it")].any()  # "it" has nothing of its own to give
    # the same key, a different value: a cat is found like the robot but hands over other things
    cat_key = dict(zip(FEATURES, LEXICON["cat"]["key"], strict=True))
    robot_key = dict(zip(FEATURES, LEXICON["robot"]["key"], strict=True))
    assert {f for f in FEATURES if cat_key[f] != robot_key[f]} == {"mechanical"}  # no query asks
    assert LEXICON["cat"]["value"] != LEXICON["robot"]["value"]


def test_it_absorbs_the_robots_value():
    it = ROBOT_SENTENCE.index("it")
    queries, keys, values = vectors(ROBOT_SENTENCE)
    state = explorer_state(ROBOT_SENTENCE, it)
    weights = torch.tensor(state["weights"], dtype=torch.float64)
    output = weights @ values
    assert output.tolist() == pytest.approx(state["output"], abs=1e-12)
    distances = (values - output).norm(dim=-1)
    assert ROBOT_SENTENCE[int(distances.argmin())] == "robot"
    # and the scores are still the ones the prose computes by hand: 8, 4, -4
    raw = dict(zip(state["tokens"], state["raw_scores"], strict=False))
    assert (raw["robot"], raw["floor"], raw["sat"], raw["it"]) == (8.0, 4.0, -4.0, 0.0)


def test_vectors_and_lexicon_with():
    q, k, v = vectors("the robot sat")
    assert q.shape == k.shape == v.shape == (3, 8) and q.dtype == torch.float64
    changed = lexicon_with("it", "query", {"noun": 4, "flat surface": 4})
    assert changed["it"]["query"][FEATURES.index("flat surface")] == 4.0
    assert LEXICON["it"]["query"][FEATURES.index("flat surface")] == 0.0  # the original is kept
    state = explorer_state(ROBOT_SENTENCE, 7, changed)
    assert max(zip(state["weights"], state["tokens"], strict=True))[1] == "floor"


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="not in the lexicon"):
        vectors("the unicorn sat")
    with pytest.raises(TypeError, match="words must be a non-empty list"):
        vectors([])
    with pytest.raises(ValueError, match="part must be one of"):
        vector("robot", "profile")
    with pytest.raises(ValueError, match="unknown feature"):
        lexicon_with("it", "query", {"colour": 1})
    with pytest.raises(ValueError, match="the value features are"):
        lexicon_with("robot", "value", {"mechanical": 1})  # a key feature, not a value feature
    assert lexicon_with("robot", "value", {"furry": 1})["robot"]["value"][3] == 1.0
    with pytest.raises(ValueError, match="features\\['noun'\\] must be finite"):
        lexicon_with("it", "query", {"noun": float("nan")})
    with pytest.raises(TypeError, match="lexicon must be a dict"):
        vectors("the robot", lexicon=[1])
