"""Build a notebook from a list of (kind, source) cells — how kdnb's notebooks are authored.

    from tools.nb import write, md, code, standard_params, setup_cell, checked
    write("notebooks/00_quickstart.ipynb", [md("# Title"), params(...), code("..."), checked("...")])

``params`` makes the papermill `parameters` cell; ``checked`` marks a cell whose output nbval compares
(``# NBVAL_CHECK_OUTPUT``); other cells only have to run without error (``--nbval-lax``).
"""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def md(src: str):
    return new_markdown_cell(src.strip("\n"))


def code(src: str, tags=()):
    c = new_code_cell(src.strip("\n"))
    if tags:
        c.metadata["tags"] = list(tags)
    return c


def params(src: str):
    return code(src, tags=("parameters",))


def standard_params(extra: str = ""):
    """The parameters cell every notebook shares, plus notebook-specific lines in ``extra``."""
    return params('''
scale = "smoke"     # smoke | lab | paper
device = "auto"     # auto | cpu | cuda
data_root = None    # folder with real datasets (lab/paper); None: $KDNB_DATA or ./data
seed = 0
''' + extra.strip("\n"))


def setup_cell(kwargs: str = ""):
    """The validation cell that follows the parameters cell (``kwargs``: extra parameter types)."""
    return code(f"""
import kdnb.notebook
P = kdnb.notebook.setup(globals(){", " + kwargs if kwargs else ""})
print(P.stamp())
""")


def checked(src: str):
    return code("# NBVAL_CHECK_OUTPUT\n" + src.strip("\n"))


def write(path: str, cells) -> None:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i:02d}"
    nbformat.write(nb, path)
