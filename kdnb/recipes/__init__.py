"""Recipes: for each notebook, the scale → configs mapping and the one call that runs an experiment.

Notebooks stay prose + one call per experiment; the configs they run live here, next to the papers'
hyperparameters, so a reader can see every number that went into a run.
"""
