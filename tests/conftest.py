import contextlib
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


@pytest.fixture
def killed_after(monkeypatch):
    """``with killed_after(2, only="KDRun") as saves: run(cfg, ctx)``: the engine writes its checkpoints as usual
    and the process is "killed" (KeyboardInterrupt) right after the 2nd one whose path contains ``only``; ``saves``
    lists those paths. The real save is back afterwards."""
    from kdnb import engine

    real = engine.atomic_save

    @contextlib.contextmanager
    def killed(epochs: int, only: str = ""):
        saves: list = []

        def save_then_die(obj, path):
            real(obj, path)
            if only in str(path):
                saves.append(path)
                if len(saves) == epochs:
                    raise KeyboardInterrupt(f"killed after checkpoint {epochs}")

        monkeypatch.setattr(engine, "atomic_save", save_then_die)
        try:
            with pytest.raises(KeyboardInterrupt):
                yield saves
        finally:
            monkeypatch.setattr(engine, "atomic_save", real)

    return killed
