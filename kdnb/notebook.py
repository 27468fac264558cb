"""What every notebook's second cell calls: validate the parameters cell and set up the run context.

    # parameters            (cell tagged `parameters`, papermill overrides it)
    scale = "smoke"
    device = "auto"
    data_root = None
    seed = 0

    P = kdnb.notebook.setup(globals(), epochs_factor=float)   # next cell

papermill accepts unknown parameter names silently; ``setup`` scans the notebook's namespace, so a misspelt
``--parameters scael lab`` stops with one clear line instead of running at the wrong scale.
"""
from __future__ import annotations

import os
import types
from dataclasses import dataclass

import torch

from kdnb.config import ParameterError, check_params
from kdnb.runs import Context

_IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


@dataclass
class Params:
    scale: str
    seed: int
    ctx: Context
    values: dict

    @property
    def device(self) -> torch.device:
        return self.ctx.device

    def __getitem__(self, name):
        return self.values[name]

    def stamp(self) -> str:
        """One line saying where the numbers come from (the data folder too, except at smoke, which reads none)."""
        data = "" if self.scale == "smoke" else f" · data={self.ctx.data_root}"
        return f"kdnb · scale={self.scale} · device={self.ctx.device.type} · seed={self.seed}{data}"


def user_parameters(namespace: dict) -> dict:
    """The plain values a notebook defined (parameters and papermill's injected ones), not modules or functions."""
    return {k: v for k, v in namespace.items()
            if not k.startswith("_") and k not in _IPYTHON_NAMES
            and not isinstance(v, (types.ModuleType, types.FunctionType, type, types.BuiltinFunctionType))
            and not callable(v)}


def setup(namespace: dict, **allowed) -> Params:
    """Validate the parameters defined so far; one clear ``ParameterError`` line on an unknown name or bad value.

    Also keeps torch to one thread on CPUs shared by several processes (set KDNB_THREADS to change) — spinning
    OpenMP threads otherwise slow a 2-core machine several-fold.
    """
    values = check_params(user_parameters(namespace), allowed)
    threads = int(os.environ.get("KDNB_THREADS", "0")) or None
    if threads:
        torch.set_num_threads(threads)
    ctx = Context.make(values["device"], values["data_root"], progress=os.environ.get("KDNB_PROGRESS", "1") != "0")
    return Params(values["scale"], values["seed"], ctx, values)


__all__ = ["setup", "Params", "ParameterError"]
