import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

import kdnb  # noqa: E402,F401  (makes torchvision importable first)

torch.set_num_threads(1)


@pytest.fixture
def ctx(tmp_path):
    from kdnb.runs import Context

    return Context.make("cpu", data_root=tmp_path / "data", cache_root=tmp_path / "runs", progress=False)
