"""Scenario files with `expect:` sections are tests: pytest collects each one, so `make test` runs them."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# Timing is measured in bench/, not in tests: on a loaded 2-core machine a first holiday lookup for a year
# can take longer than hypothesis's default 200 ms deadline, which would make property tests flaky.
settings.register_profile("yakkan", deadline=None)
settings.load_profile("yakkan")


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix in (".yaml", ".yml") and "scenarios" in file_path.parts and "contracts" in file_path.parts:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        from interpreter.diagnostics import render_diagnostics
        from interpreter.run.runner import check_expectations, evaluate_files

        outcome = evaluate_files(None, str(self.path))
        if not outcome.ok:
            raise ScenarioFailure(render_diagnostics(list(outcome.diagnostics), outcome.sources, "text"))
        if not outcome.scenario.expect:
            raise ScenarioFailure("the scenario has no `expect:` items, so it proves nothing")
        mismatches = check_expectations(outcome.ledger, outcome.scenario)
        if mismatches:
            lines = []
            for m in mismatches:
                lines.append(f"{m.span}: expected {m.expected}")
                lines += [f"    got: {c}" for c in m.closest] or ["    got: no entry of that rule and kind"]
            raise ScenarioFailure("\n".join(lines))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"scenario {self.name}"


class ScenarioFailure(Exception):
    pass


@pytest.fixture
def timeline(tmp_path):
    """Evaluate a contract's text over events written as YAML lines: `timeline(contract, events, as_of)`."""
    import textwrap

    from interpreter.run.runner import evaluate_files

    def evaluate(contract: str, events: str, as_of: str):
        (tmp_path / "t.ctr").write_text(contract, encoding="utf-8")
        scenario = tmp_path / "s.yaml"
        scenario.write_text(f"contract: t.ctr\nas_of: {as_of}\nevents:\n" + textwrap.indent(events.strip(), "  ")
                            + "\n", encoding="utf-8")
        outcome = evaluate_files(None, str(scenario))
        assert outcome.ok, outcome.diagnostics
        return outcome.ledger

    return evaluate

