"""Labs for instructors: student copies of the lab notebooks in ``labs/``, and their autograded checks.

* :mod:`kdnb.labs.build` — a lab's jupytext source (solutions inside ``### BEGIN SOLUTION`` / ``### END SOLUTION``)
  → the instructor's notebook (nbgrader cell metadata: solution, grade and read-only cells, points) and the
  student copy (solutions replaced by nbgrader's stub, outputs cleared), laid out as an nbgrader course folder.
* :mod:`kdnb.labs.checks` — what the check cells call: each compares a student's function with kdnb's reference
  on inputs drawn inside the check (never shown in the notebook), within tolerances.
* :mod:`kdnb.labs.grade` — run a copy headlessly (a Jupyter kernel, or in this process) and count its points the
  way nbgrader's autograder does: a grade cell earns its points when it runs without an error.

``python -m kdnb labs build`` and ``python -m kdnb labs check`` are the commands (README, "Labs for instructors").
"""
