"""Run kinds built on the engine. Each module defines frozen configs and registers their runners:

* ``teacher``   — ``TeacherRun`` (cross-entropy on a dataset), ``BinaryTeacherRun`` (balanced mini-batches);
* ``kd``        — ``Transfer`` (pool → selection rule), ``KDRun`` (distillation), ``HistogramRun`` (class histogram);
* ``attack_kd`` — ``AttackKDRun`` (KD with the decision-boundary attack's images added, paper A Table 6);
* ``arbitrary`` — ``Pool``, ``ArbitrarySet`` (sets composed from ordered pools), ``BKDRun`` (their distillation);
* ``zskd_kd``   — ``ZSKDRun`` (their distillation as the ZSKD code trains: T²·soft-CE, the 106× mini-batch
  expansion);
* ``datafree``  — ``DataFreeRun`` (generator-based data-free distillation; DAFL, DFAD, TA-DFKD, ... as presets);
* ``hybrid``    — ``Collected`` (D_c), ``GANRun`` (teacher-guided ADCGAN), ``HybridRun`` (synthetic + inflated
  collected distillation; HiDFD);
* ``common``    — model specs stored in records, frozen keyword parameters, the chance flag.

``kdnb.runs.KINDS`` maps each kind to its module, so a record can be rerun without importing this package first.
"""
from __future__ import annotations

from kdnb.methods.arbitrary import ArbitrarySet, BKDRun, Pool
from kdnb.methods.attack_kd import AttackKDRun, with_attack
from kdnb.methods.datafree import DataFreeRun, Optim, preset
from kdnb.methods.common import at_chance, load_model, make_model, model_spec, params
from kdnb.methods.hybrid import Collected, GANRun, HybridRun
from kdnb.methods.kd import HistogramRun, KDRun, Transfer, build_transfer, draw_pool
from kdnb.methods.teacher import BinaryTeacherRun, TeacherRun
from kdnb.methods.zskd_kd import ZSKDRun

__all__ = ["TeacherRun", "BinaryTeacherRun", "Transfer", "KDRun", "HistogramRun", "Pool", "ArbitrarySet", "BKDRun", "ZSKDRun",
           "AttackKDRun", "with_attack", "DataFreeRun", "Optim", "preset", "Collected", "GANRun", "HybridRun",
           "params", "model_spec", "make_model", "load_model", "build_transfer", "draw_pool", "at_chance"]
