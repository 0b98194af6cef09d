"""An SMT back end for `taxrules check --prove` (z3-solver, the `prove` extra).

translate.py turns the checked expressions of a rulebook into solver terms with the
engine's three-valued logic; checks.py proves each decision (overlaps, gaps, dead and
shadowed rules, date seams); confirm.py has the engine decide every counterexample, so
nothing is reported that the engine would not do; report.py prints the result.
"""
