"""Test settings. Scenario files with `expect:` sections are collected by the project's own pytest plugin
(interpreter/tools/pytest_plugin.py, installed with the package), so `make test` runs them."""
from __future__ import annotations

from hypothesis import settings

# Timing is measured in bench/, not in tests: on a loaded 2-core machine a first holiday lookup for a year
# can take longer than hypothesis's default 200 ms deadline, which would make property tests flaky.
settings.register_profile("yakkan", deadline=None)
settings.load_profile("yakkan")

