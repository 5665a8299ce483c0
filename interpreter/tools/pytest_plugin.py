"""A pytest plugin (entry point `pytest11`, name `yakkan`): in a repository of terms, every scenario file
with an `expect:` section is a test, so `pytest` runs them with the rest of the suite.

A YAML file is collected when its top level has an `expect:` key and its path matches one of the
`yakkan_scenarios` patterns of the pytest configuration (by default every `*.yaml` and `*.yml`). Each file
is one test, run exactly as `yakkan test FILE` runs it (interpreter/tools/expectations.py): it fails on a
mismatch, on any error in the scenario or its contract, and when `expect:` lists nothing.
`-p no:yakkan` turns the plugin off.
"""
from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

_EXPECT_KEY = re.compile(rb"^expect[ \t]*:", re.MULTILINE)
_READ_LIMIT = 1024 * 1024  # scenario files are at most this large (interpreter/run/scenario.py, MAX_BYTES)


def pytest_addoption(parser) -> None:
    parser.addini("yakkan_scenarios", type="linelist", default=["*.yaml", "*.yml"],
                  help="yakkan: glob patterns (relative to the rootdir) of the scenario files to collect; "
                       "files without a top-level `expect:` are never collected")


def _wanted(config, file_path: Path) -> bool:
    try:
        relative = file_path.relative_to(config.rootpath).as_posix()
    except ValueError:
        relative = file_path.as_posix()
    return any(fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(file_path.name, pattern)
               for pattern in config.getini("yakkan_scenarios"))


def _has_expect(file_path: Path) -> bool:
    try:
        with open(file_path, "rb") as fh:
            return _EXPECT_KEY.search(fh.read(_READ_LIMIT + 1)) is not None
    except OSError:
        return False


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix in (".yaml", ".yml") and _wanted(parent.config, file_path) and _has_expect(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        from interpreter.tools.expectations import run_test_file

        result = run_test_file(str(self.path))
        if result.status != "pass":
            raise ScenarioFailure(result.report or "the scenario has no `expect:` section")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"scenario {self.name}"


class ScenarioFailure(Exception):
    """A scenario that failed as a test; its message is the report `yakkan test` prints."""
