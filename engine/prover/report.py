"""`taxrules check --prove`: a rulebook's proof as lines a tax expert can act on.

Defects (confirmed by the engine) and checks not proved are printed as `file:line:col:`
lines, each counterexample as the JSON of a case (`as_of` and `facts`) that can be fed to
`taxrules decide`; then one line per decision saying what was proved, and a summary.
Only confirmed defects count as errors; "not proved" is reported, never hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine import jsonout
from engine.prover.book import BookProof


def case_json(case: tuple[str, dict[str, Any]]) -> str:
    as_of, facts = case
    return jsonout.dumps({"as_of": as_of, "facts": facts}, indent=None)


def render(proof: BookProof, echo: Callable[[str], None]) -> int:
    """Print the proof; the number of defects found (the errors of `check`)."""
    for decision in proof.decisions:
        for finding in decision.findings:
            echo(f"{proof.file}:{finding.line}:{finding.column}: prove: {finding.message}")
            if finding.case is not None:
                echo(f"    counterexample: {case_json(finding.case)}")
            if finding.observed:
                echo(f"    the engine on it: {finding.observed}")
        for item in decision.unproved:
            echo(f"{proof.file}:{item.line}:{item.column}: prove: not proved ({item.decision}: {item.check}): {item.reason}")
            if item.case is not None:
                echo(f"    solver's case: {case_json(item.case)}")
    for decision in proof.decisions:
        default = ", default" if decision.has_default and decision.policy != "collect" else ""
        status = "ok  " if not decision.findings and not decision.unproved else ("FAIL" if decision.findings else "open")
        facts = "; ".join(decision.proved) or "nothing proved"
        seams = ""
        echo(f"  {status} {decision.name} ({decision.policy}{default}): {facts}{seams} [{decision.seconds:.1f} s of {decision.bound:g} s]")
    findings = proof.findings
    kinds = {kind: sum(1 for f in findings if f.kind == kind) for kind in ("overlap", "gap", "dead", "shadowed")}
    echo(
        f"  {proof.id}: {len(proof.decisions)} decision(s) proved in {proof.seconds:.1f} s — "
        + ", ".join(f"{count} {kind}" for kind, count in kinds.items())
        + f"; {len(proof.unproved)} check(s) not proved"
    )
    return len(findings)
