"""pytest in notebooks/ collects the authored notebooks (nbval: ``--nbval-lax``) and nothing else."""
from pathlib import Path

import pytest

collect_ignore = ["executed"]  # run_all.sh's executed copies (git-ignored): they would run every notebook twice


class _JupytextSource(pytest.File):
    def collect(self):
        raise self.CollectError(f"{self.path.name} is a notebook's jupytext source, not a test module; test the "
                                f"notebook: pytest notebooks/{self.path.stem}.ipynb --nbval-lax")


def pytest_pycollect_makemodule(module_path: Path, parent):
    """Never import a notebooks/NN_*.py (named on the command line, say): that would run the whole notebook."""
    if module_path.parent == Path(__file__).parent and module_path.name != "conftest.py":
        return _JupytextSource.from_parent(parent, path=module_path)
