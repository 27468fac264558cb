"""The instructors' labs (labs/NN_*.py): student copies made here, in the test, from the lab sources, so they
cannot drift. For every lab: the copy with its solutions filled back in passes every check, the copy as handed out
(stubs) fails every check, and it holds no solution text; the checks catch plausible wrong answers too; the copies
are what nbgrader's generate_assignment makes; `python -m kdnb labs` builds and grades them."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
import torch
import torch.nn.functional as F

from kdnb.labs import checks
from kdnb.labs.build import CODE_STUB, LABS, LabError, build, instructor, restore, solution_lines, sources, student
from kdnb.labs.grade import grade

REPO = Path(__file__).resolve().parent.parent
LAB_SOURCES = sources()
# Lab 3 distils one student per candidate set; here two sets (the teacher's own digits and noise) keep the test
# inside its minute. The lab's default is four sets; every check runs either way.
TEST_PARAMS = {"03_relative_entropy": {"sets": ["Original", "Noise"]}}


@pytest.fixture(scope="module")
def lab_env(tmp_path_factory):
    """One run cache for the module (the smoke teachers train once), progress bars off."""
    old = {k: os.environ.get(k) for k in ("KDNB_CACHE", "KDNB_PROGRESS")}
    os.environ["KDNB_CACHE"] = str(tmp_path_factory.mktemp("lab-runs"))
    os.environ["KDNB_PROGRESS"] = "0"
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_there_are_at_least_four_labs():
    assert len(LAB_SOURCES) >= 4 and len({p.stem[:2] for p in LAB_SOURCES}) == len(LAB_SOURCES), LAB_SOURCES


@pytest.mark.parametrize("lab", LAB_SOURCES, ids=lambda p: p.stem)
def test_filled_copy_passes_every_check_and_the_handed_out_copy_fails_every_check(lab, lab_env):
    src = instructor(lab)
    copy = student(src)
    params = TEST_PARAMS.get(lab.stem)
    filled = grade(restore(copy, src, solutions=True), lab.stem, engine="inline", params=params)
    assert filled.checks and filled.failed() == [], filled.lines()
    assert filled.errors == {}, filled.errors  # every cell ran, not only the checks
    stubs = grade(copy, lab.stem, engine="inline", params=params)
    assert stubs.passed() == [], stubs.lines()  # no check is vacuous: each needs the student's code
    assert stubs.earned == 0 and stubs.points == filled.points


@pytest.mark.parametrize("lab", LAB_SOURCES, ids=lambda p: p.stem)
def test_student_copy_holds_no_solution_text_and_nbgrader_metadata(lab):
    src = instructor(lab)
    copy = student(src)
    text = "\n".join(c.source for c in copy.cells)
    hidden = solution_lines(src)
    assert hidden, "a lab without solution text"
    leaked = sorted(s for s in hidden if s in text)
    assert not leaked, leaked
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert all(not c.get("outputs") for c in copy.cells if c.cell_type == "code")
    kinds = {"solution": 0, "grade": 0, "locked": 0}
    for c in copy.cells:
        meta = c.metadata["nbgrader"]
        assert meta["schema_version"] == 3 and meta["grade_id"] and "checksum" in meta
        if meta["solution"]:
            kinds["solution"] += 1
            assert "\n".join(CODE_STUB) in "\n".join(s.strip() for s in c.source.split("\n"))
        elif meta["grade"]:
            kinds["grade"] += 1
            assert meta["locked"] and meta["points"] > 0 and not c.metadata["editable"]
            assert "checks.check_" in c.source  # hidden inputs live in kdnb.labs.checks, not in the notebook
        else:
            kinds["locked"] += 1
            assert meta["locked"] and not c.metadata["editable"]
    assert all(kinds.values()), kinds
    assert len({c.metadata["nbgrader"]["grade_id"] for c in copy.cells}) == len(copy.cells)


def test_an_edited_check_is_restored_before_grading(lab_env):
    """A student who replaces a check by `pass` earns nothing for it (the autograder restores read-only cells)."""
    lab = LABS / "01_kd_loss_temperature.py"
    src = instructor(lab)
    copy = student(src)
    for c in copy.cells:
        if c.metadata["nbgrader"]["grade"]:
            c.source = "pass"
    unrestored = grade(copy, "cheat", engine="inline")
    assert unrestored.earned == unrestored.points  # what `pass` would earn if nothing restored the checks
    assert grade(restore(copy, src), "cheat", engine="inline").earned == 0


def test_lab_conventions_are_enforced(tmp_path):
    head = (LABS / "01_kd_loss_temperature.py").read_text().split("# %% [markdown]")[0]
    (tmp_path / "01_bad.py").write_text(head + "# %%\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n")
    with pytest.raises(LabError, match="never closed"):
        instructor(tmp_path / "01_bad.py")
    (tmp_path / "01_bad.py").write_text(head + "# %%\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n"
                                        "    ### END SOLUTION\n")
    with pytest.raises(LabError, match="needs a name"):
        instructor(tmp_path / "01_bad.py")
    with pytest.raises(LabError, match="no lab matches"):
        build(tmp_path / "out", only="99_*")


# ----------------------------------------------------------------------------- plausible wrong answers fail


def _raises(check, fn, match):
    with pytest.raises(AssertionError, match=match):
        check(fn)


def test_the_checks_catch_plausible_mistakes():
    def no_tau2(s, t, tau):
        return F.kl_div(F.log_softmax(s / tau, 1), F.softmax(t / tau, 1), reduction="batchmean")

    def unstable(s, t, tau):
        pt = F.softmax(t / tau, 1)
        return (pt * (torch.log(pt) - torch.log(F.softmax(s / tau, 1)))).sum(1).mean() * tau ** 2

    def summed(s, t, tau):
        return F.kl_div(F.log_softmax(s / tau, 1), F.softmax(t / tau, 1), reduction="sum") * tau ** 2

    _raises(checks.check_kd_loss, no_tau2, "kd_loss")
    _raises(checks.check_kd_loss, unstable, "not finite")
    _raises(checks.check_kd_loss, summed, "kd_loss")
    _raises(checks.check_kd_gradient, lambda s, t, tau: (F.softmax(s / tau, 1) - F.softmax(t / tau, 1)) / (tau * len(s)),
            "kd_gradient")
    _raises(checks.check_logit_matching, lambda s, t: ((s - t) ** 2).sum(1).mean() / (2 * s.shape[1]), "limit")

    def no_early_stop(pools, predict, n, c):
        cap, counts, where, draws = n // c, [0] * c, [], 0
        for p, pool in enumerate(pools):
            x = pool.take(10 ** 9)
            for i, k in enumerate(predict(x).tolist()):
                draws += 1
                if counts[k] < cap:
                    counts[k] += 1
                    where.append((p, i))
        return {"where": where, "class_counts": counts, "draws": draws}

    def first_pool_only(pools, predict, n, c):
        return no_early_stop(pools[:1], predict, n, c)

    _raises(checks.check_algorithm1, no_early_stop, "draws")
    _raises(checks.check_algorithm1, first_pool_only, "class counts")

    def off_by_one(labels, n, c):
        cap = n // c
        pos = [(labels == k).nonzero().flatten() for k in range(c)]
        return len(labels) if min(len(p) for p in pos) < cap else max(int(p[cap - 1]) for p in pos)

    _raises(checks.check_draws_needed, off_by_one, "draws")
    _raises(checks.check_class_histogram, lambda z, c: torch.bincount(z.argmax(1)).tolist(), "class_histogram")

    def over_present_classes(counts):
        c = torch.as_tensor(counts, dtype=torch.float64)
        q = c[c > 0] / c.sum()
        return float(-(q * q.log()).sum() / max(torch.log(torch.tensor(float(len(q)))), 1e-12))

    _raises(checks.check_relative_entropy, over_present_classes, "relative_entropy")
    _raises(checks.check_confidence_loss, lambda z: 1 - F.softmax(z, 1).max(1).values, "confidence_loss")

    def no_reg_covar(v, means, variances, weights):
        d = v[:, None] - means[None, :]
        lp = -0.5 * (torch.log(2 * torch.pi * variances) + d * d / variances) + weights.log()
        r = (lp - torch.logsumexp(lp, 1, keepdim=True)).exp()
        nk = r.sum(0)
        m = (r * v[:, None]).sum(0) / nk
        return m, (r * (v[:, None] - m) ** 2).sum(0) / nk, nk / nk.sum()

    _raises(checks.check_em_step, no_reg_covar, "em_step")
    from kdnb.selection import gmm
    _raises(checks.check_gmm_select, lambda losses, tau=0.5: ~gmm.select(losses, tau), "gmm_select")
    _raises(checks.check_gmm_select, lambda losses, tau=0.5: losses < losses.median(), "gmm_select")


def test_the_checks_pass_for_kdnbs_references_in_float64_and_under_two_threads():
    from kdnb.losses import kd_kl
    from kdnb.selection import gmm, relative_entropy

    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        checks.check_kd_loss(lambda s, t, tau: kd_kl(s.double(), t.double(), tau))
        checks.check_relative_entropy(relative_entropy)
        checks.check_confidence_loss(gmm.confidence_loss)
        checks.check_gmm_select(gmm.select)
    finally:
        torch.set_num_threads(threads)


# ----------------------------------------------------------------------------- nbgrader and the command line


def test_student_copies_are_what_nbgrader_generates(tmp_path, monkeypatch):
    """nbgrader's generate_assignment on our instructor notebooks gives our student copies, cell for cell
    (sources and nbgrader metadata, checksums included)."""
    nbgrader = pytest.importorskip("nbgrader")
    import nbgrader.api
    from alembic.script import ScriptDirectory

    # nbgrader asks a child `alembic heads` process for its schema version (seconds); the same answer in-process:
    head = ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()
    monkeypatch.setattr(nbgrader.api, "get_alembic_version", lambda: head)
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    written = build(tmp_path)
    for src_path, ours_path in written:
        lab = src_path.parent.name
        ours = nbformat.read(ours_path, as_version=4)
        ours_path.unlink()
        cfg = Config()
        cfg.CourseDirectory.root = str(tmp_path)
        cfg.CourseDirectory.db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
        coursedir = CourseDirectory(config=cfg)
        coursedir.assignment_id = lab
        app = GenerateAssignment(coursedir=coursedir, config=cfg)
        app.force = True
        app.create_assignment = True
        app.start()
        theirs = nbformat.read(ours_path, as_version=4)
        assert [(c.cell_type, c.source, c.metadata) for c in ours.cells] == \
               [(c.cell_type, c.source, c.metadata) for c in theirs.cells], lab


def test_labs_command_builds_and_grades_in_a_kernel(tmp_path, lab_env, capsys):
    from kdnb.__main__ import main

    course = tmp_path / "course"
    assert main(["labs", "build", "--out", str(course), "--only", "01_*"]) == 0
    rel = course / "release" / "01_kd_loss_temperature" / "01_kd_loss_temperature.ipynb"
    src = course / "source" / "01_kd_loss_temperature" / "01_kd_loss_temperature.ipynb"
    assert rel.is_file() and src.is_file() and (course / "nbgrader_config.py").is_file()
    filled = tmp_path / "01_kd_loss_temperature.ipynb"
    nbformat.write(restore(nbformat.read(rel, as_version=4), nbformat.read(src, as_version=4), solutions=True), filled)
    capsys.readouterr()
    assert main(["labs", "check", str(filled)]) == 0  # a python3 Jupyter kernel, as nbgrader runs it
    assert "7 / 7 points" in capsys.readouterr().out
    assert main(["labs", "check", "--engine", "inline", str(rel)]) == 1
    out = capsys.readouterr().out
    assert "0 / 7 points" in out and "NotImplementedError" in out, out
    assert main(["labs", "check", str(tmp_path / "nope.ipynb")]) == 2
    assert "no such notebook" in capsys.readouterr().err
