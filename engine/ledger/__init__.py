"""Ledger rulebooks: checks that match combinations of records across whole books.

A ledger rulebook (`kind: ledger`) declares record types and checks. Two executors run
the same checks and must report the same findings:

- `batch.py` plans each check as hash joins on its equality keys, then the residual
  conditions (the default for files: `engine.load(ID).reconcile(records)`);
- `streaming.py` compiles each check to a durable-rules ruleset and reports a finding as
  soon as the record that proves it arrives (`engine.load(ID).stream()`).

See docs/ledger-format.md for the format.
"""
