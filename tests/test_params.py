import pytest

from kdnb.config import ParameterError, check_params
from kdnb.notebook import setup, user_parameters

BASE = dict(scale="smoke", device="cpu", data_root=None, seed=0)


def test_valid_parameters_pass():
    p = setup({**BASE, "repeats": 3}, repeats=int)
    assert p.scale == "smoke" and p["repeats"] == 3 and p.device.type == "cpu"


def test_unknown_parameter_is_one_clear_line():
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['scael'\]"):
        setup({**BASE, "scael": "lab"})


@pytest.mark.parametrize("name,value,msg", [("scale", "huge", "scale='huge'"), ("seed", "1", "seed='1'"),
                                            ("seed", True, "seed=True")])
def test_bad_values_are_rejected(name, value, msg):
    with pytest.raises(ParameterError, match=msg):
        check_params({**BASE, name: value}, {})


def test_cuda_on_a_cpu_machine_is_a_clear_error(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ParameterError, match="no CUDA device"):
        check_params({**BASE, "device": "cuda"}, {})


def test_namespace_scan_ignores_modules_functions_and_ipython_names():
    import math

    ns = {**BASE, "math": math, "f": lambda: 1, "In": [], "Out": {}, "_i1": "x", "get_ipython": print}
    assert set(user_parameters(ns)) == set(BASE)


@pytest.mark.parametrize("only,expect", [("0*", ["00_quickstart.ipynb"]), ("*_B_*", "B"), ("21_*", ["21_"]),
                                         ("notebooks/21_*.ipynb", ["21_"]), ("zz*", [])])
def test_only_matches_file_names_by_glob(only, expect):
    from kdnb.cli import notebooks

    names = [p.name for p in notebooks(only)]
    if expect == "B":
        assert names and all("_B_" in n for n in names)
    else:
        assert len(names) == len(expect) and all(n.startswith(e) for n, e in zip(names, expect))


def test_an_empty_variable_means_its_default(monkeypatch):
    from kdnb.config import default_cache_root, default_data_root

    monkeypatch.setenv("KDNB_CACHE", "")
    monkeypatch.setenv("KDNB_DATA", "  ")
    assert default_cache_root().name == "runs" and default_cache_root().is_absolute()
    assert default_data_root().name == "data" and default_data_root().is_absolute()
