"""The README's lab section is what tools/lab_summary.py writes from figures/lab/*.csv: no hand-typed number."""
from __future__ import annotations

import shutil

import pandas as pd

from tools import lab_summary as L


def test_readme_section_matches_the_committed_csvs():
    assert L.main(["--check"]) == 0, "run: python tools/lab_summary.py"


def test_a_changed_csv_changes_the_section_and_fails_the_check(tmp_path):
    figs = tmp_path / "lab"
    shutil.copytree(L.REPO / "figures" / "lab", figs)
    t1 = pd.read_csv(figs / "B_table1.csv")
    row = (t1["transfer_set"] == "Random Noise") & (t1["target_dataset"] == "MNIST") & ~t1["augmentation"] & ~t1["balanced"]
    t1.loc[row, L.OURS] = 12.345
    t1.to_csv(figs / "B_table1.csv", index=False)
    assert "unbalanced 12.3%" in L.render(figs)
    readme = tmp_path / "README.md"
    shutil.copy(L.REPO / "README.md", readme)
    assert L.main(["--check", "--figures", str(figs), "--readme", str(readme)]) == 1
    assert L.main(["--figures", str(figs), "--readme", str(readme)]) == 0
    assert L.main(["--check", "--figures", str(figs), "--readme", str(readme)]) == 0
    assert "unbalanced 12.3%" in readme.read_text(encoding="utf-8")


def test_a_missing_csv_says_which_notebook_makes_it(tmp_path):
    text = L.render(tmp_path)
    assert "`A_table3.csv` is not there yet: run notebook 13 at lab scale" in text
    assert "%" not in text.split(L.BEGIN, 1)[1].replace("figures/lab/*.csv", "")
