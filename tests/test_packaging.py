"""The install story: pins agree, CI runs exactly the README's test command, the CLI fails clearly."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _pyproject_pins() -> dict[str, str]:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    return dict(d.split("==") for d in deps)


def _environment_pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "environment.yml").read_text().splitlines():
        m = re.match(r"\s*-\s*([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def test_every_dependency_is_pinned_exactly():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert all("==" in d for d in deps), deps
    pins = _pyproject_pins()
    assert pins["torch"] == "2.13.0" and pins["torchvision"] == "0.28.0"


def test_environment_yml_and_pyproject_agree():
    assert _environment_pins() == _pyproject_pins()


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    assert "./run_tests.sh" in readme and "./run_all.sh" in readme
    ci = [ln.strip() for ln in (REPO / ".ci" / "run").read_text().splitlines()
          if ln.strip() and not ln.strip().startswith(("#", "set ", "cd "))]
    assert ci == ["exec ./run_tests.sh"]


def test_cli_lists_notebooks_and_rejects_a_pattern_that_matches_nothing():
    out = subprocess.run([sys.executable, "-m", "kdnb.cli", "--list"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0 and "00_quickstart.ipynb" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "kdnb.cli", "--only", "no-such-notebook"], capture_output=True,
                         text=True, cwd=REPO)
    assert bad.returncode == 2 and "no notebook matches" in bad.stderr
    scale = subprocess.run([sys.executable, "-m", "kdnb.cli", "--scale", "huge"], capture_output=True, text=True,
                           cwd=REPO)
    assert scale.returncode == 2 and "invalid choice" in scale.stderr


def test_every_notebook_has_a_parameters_cell_a_validation_cell_and_the_python3_kernel():
    import nbformat

    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "python3", path.name
        tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
        src = nb.cells[tagged[0]].source
        for name in ("scale", "device", "data_root", "seed"):
            assert re.search(rf"^{name}\s*=", src, re.M), f"{path.name}: parameters cell lacks {name}"
        assert "kdnb.notebook.setup(globals()" in nb.cells[tagged[0] + 1].source, path.name
