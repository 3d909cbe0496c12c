"""The run configuration: defaults, TOML/JSON files, precedence, validation of keys and values."""

from __future__ import annotations

import json

import pytest

from chainrule.cli import config as C
from chainrule.errors import UserError


def test_defaults_are_the_seed_network():
    d = C.validate({})
    assert d["dataset"] == "digits" and d["model"] == "mlp" and d["hidden"] == [128, 64]
    assert d["optimizer"] == "adam" and d["schedule"] == "warmup-cosine"
    assert d["dropout"] > 0 and d["weight_decay"] > 0 and d["patience"] > 0


def test_toml_round_trip(tmp_path):
    cfg = C.validate({"dataset": "csv", "data_root": "data/my table.csv", "target": 'the "y"', "hidden": [],
                      "lr": 1e-05, "residual": True, "grad_clip": 1.5})
    p = tmp_path / "c.toml"
    p.write_text(C.to_toml(cfg))
    assert C.validate(C.read_config_file(str(p))) == cfg
    default = tmp_path / "d.toml"
    default.write_text(C.to_toml(C.DEFAULTS))
    assert C.validate(C.read_config_file(str(default))) == C.DEFAULTS


def test_json_config(tmp_path):
    p = tmp_path / "c.json"
    p.write_text(json.dumps({"epochs": 3, "hidden": [8]}))
    cfg = C.resolve({}, str(p))
    assert cfg["epochs"] == 3 and cfg["hidden"] == [8]


def test_flags_override_file(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("epochs = 3\nlr = 0.5\n")
    cfg = C.resolve({"lr": 0.01, "epochs": None}, str(p))
    assert cfg["epochs"] == 3 and cfg["lr"] == 0.01


def test_unknown_key_lists_valid_keys(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("epochs = 3\nlearning_rate = 0.1\n")
    with pytest.raises(UserError, match="unknown key 'learning_rate'") as e:
        C.resolve({}, str(p))
    for key in ("batch_size", "hidden", "lr", "epochs"):
        assert key in str(e.value)
    assert "\n" not in str(e.value)


def test_nested_table_is_an_unknown_key(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[model]\nhidden = [8]\n")
    with pytest.raises(UserError, match="unknown key 'model'"):
        C.resolve({}, str(p))


@pytest.mark.parametrize("text, words", [
    ('epochs = "ten"', "must be an integer"),
    ("lr = -1.0", "between"),
    ('activation = "swish"', "one of relu"),
    ("hidden = [8, 0]", "positive integers"),
    ("residual = 1", "true or false"),
    ("val = 0.5\ntest = 0.45", "too little training data"),
    ("epochs = ", "not valid TOML"),
])
def test_bad_values(tmp_path, text, words):
    p = tmp_path / "c.toml"
    p.write_text(text + "\n")
    with pytest.raises(UserError, match=words):
        C.resolve({}, str(p))


def test_missing_and_binary_config_files(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        C.resolve({}, str(tmp_path / "nope.toml"))
    p = tmp_path / "bin.toml"
    p.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(UserError, match="not UTF-8"):
        C.resolve({}, str(p))


def test_parse_int_list():
    assert C.parse_int_list("128, 64") == [128, 64]
    assert C.parse_int_list("none") == [] and C.parse_int_list("") == []
    with pytest.raises(UserError, match="comma-separated"):
        C.parse_int_list("12,x")
