"""Mutation testing of the embedded examples (`taxrules test --mutations`).

operators.py makes the slips authors make (a `>` for `>=`, a date off by one day, ...);
apply.py puts one into the compiled rulebook; run.py runs the examples against it;
separate.py asks the solver (engine/prover) for a case that tells a survivor apart, or a
proof that none exists (an equivalent mutant); command.py runs rulebooks in processes
and prints the scores.
"""
