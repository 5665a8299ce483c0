"""docs/ci.md is a workflow a team can copy as is: its two workflows are read from the page and their
scripts run here — the comparison in a real git repository whose contract has a Japanese name with a
space, the comment against a stand-in for the `gh` command that keeps the pull request's comments."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CI = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
YAKKAN = BIN / "yakkan"
PUBLISHED_ACTIONS = {"actions/checkout@v4", "actions/setup-python@v5", "actions/upload-artifact@v4",
                     "actions/download-artifact@v4"}


def _workflows() -> tuple[dict, dict]:
    terms, comment = (yaml.safe_load(b) for b in re.findall(r"^```yaml\n(.*?)^```$", CI, re.M | re.S))
    return terms, comment


def _on(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _script(workflow: dict, name_part: str) -> str:
    return next(s["run"] for s in _steps(workflow) if name_part in s.get("name", ""))


def test_the_checks_run_with_a_read_only_token_and_the_comment_in_the_base_repository():
    terms, comment = _workflows()
    assert "pull_request" in _on(terms) and "pull_request_target" not in _on(terms)
    assert "write" not in json.dumps(terms.get("permissions"))  # a fork's pull request gets no write token
    assert _on(comment)["workflow_run"]["workflows"] == [terms["name"]]
    assert comment["permissions"]["pull-requests"] == "write"
    # The job that can write never runs the pull request's code: no checkout, no install.
    assert not any("checkout" in s.get("uses", "") or "pip" in s.get("run", "") for s in _steps(comment))


def test_only_published_actions_and_no_placeholders():
    for workflow in _workflows():
        assert {s["uses"] for s in _steps(workflow) if "uses" in s} <= PUBLISHED_ACTIONS
    assert not re.search(r"example\.(invalid|com)|OWNER|<your|YOUR_|rev: v\d", CI)


@pytest.mark.skipif(not YAKKAN.exists(), reason="the yakkan script is not installed in this environment")
@pytest.mark.parametrize("step", ["Check the contracts", "Check the layout", "Run the scenarios"])
def test_the_check_steps_pass_on_this_repository(step):
    terms, _ = _workflows()
    argv = shlex.split(_script(terms, step))
    done = subprocess.run([str(YAKKAN), *argv[1:]], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


# ------------------------------------------------------------------ the comparison, in a git repository

NAME = "アイティ ホスティング"  # a contract file name with Japanese and a space


def _git(cwd: Path, *argv: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["git", *argv], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def _bash(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    # as GitHub runs a `run:` step: bash --noprofile --norc -eo pipefail FILE
    path = cwd.parent / "step.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)], cwd=cwd,
                          env={**os.environ, **env, "PATH": f"{env.get('PATH_FIRST', BIN)}:{os.environ['PATH']}"},
                          capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(not YAKKAN.exists() or shutil.which("git") is None, reason="needs git and the yakkan script")
def test_the_comparison_handles_japanese_names_with_spaces(tmp_path):
    origin = tmp_path / "origin"
    (origin / "contracts" / "scenarios" / NAME).mkdir(parents=True)
    contract = (ROOT / "contracts" / "itscom-hosting.ctr").read_text(encoding="utf-8")
    (origin / "contracts" / f"{NAME}.ctr").write_text(contract, encoding="utf-8")
    scenario = (ROOT / "contracts" / "scenarios" / "itscom-hosting" / "cancel-inside-minimum-term.yaml")
    (origin / "contracts" / "scenarios" / NAME / "cancel.yaml").write_text(
        scenario.read_text(encoding="utf-8").replace("contract: ../../itscom-hosting.ctr",
                                                     f'contract: "../../{NAME}.ctr"'), encoding="utf-8")
    _git(origin, "init", "-q", "-b", "main")
    _git(origin, "add", ".")
    _git(origin, "commit", "-qm", "base")
    work = tmp_path / "work"
    _git(tmp_path, "clone", "-q", str(origin), str(work))
    _git(work, "checkout", "-qb", "change")
    assert "4,500 yen for mail_secure_mx" in contract
    (work / "contracts" / f"{NAME}.ctr").write_text(contract.replace("4,500 yen for mail_secure_mx",
                                                                     "4,800 yen for mail_secure_mx"), encoding="utf-8")
    _git(work, "commit", "-qam", "raise the セキュア MX fee")
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    terms, _ = _workflows()
    done = _bash(_script(terms, "Compare"), work, {"BASE": "main", "PR": "7", "RUNNER_TEMP": str(runner_temp)})
    assert done.returncode == 0, done.stdout + done.stderr
    body = (work / "comment" / "body.md").read_text(encoding="utf-8")
    assert (work / "comment" / "pr").read_text() == "7\n"
    assert f"## 新旧対照表: contracts/{NAME}.ctr" in body
    assert "<del>4,500</del>" in body and "<ins>4,800</ins>" in body
    # May's fee 4,500 → 4,800 and the 残余期間 charge with it: charges 29,000 → 29,600 in the scenario.
    assert "| 料金合計 | 29,000 | **29,600** |" in body


# ------------------------------------------------------------------ one comment, updated in place

FAKE_GH = r'''#!/usr/bin/env python3
"""A stand-in for `gh api` over one pull request's comments, kept in $GH_STATE (JSON)."""
import json, os, re, sys
state_path = os.environ["GH_STATE"]
state = json.load(open(state_path, encoding="utf-8"))
args = sys.argv[1:]
assert args[0] == "api", args
method, jq, fields, path = "GET", None, {}, None
i = 1
while i < len(args):
    a = args[i]
    if a == "--method": method = args[i + 1]; i += 2; continue
    if a == "--jq": jq = args[i + 1]; i += 2; continue
    if a == "-F":
        key, value = args[i + 1].split("=", 1)
        fields[key] = open(value[1:], encoding="utf-8").read() if value.startswith("@") else value
        i += 2; continue
    if a == "--paginate": i += 1; continue
    path = a; i += 1
state.setdefault("calls", []).append([method, path])
if re.fullmatch(r"repos/o/r/pulls/7", path):
    assert jq == ".head.sha"; print(state["head_sha"])
elif re.fullmatch(r"repos/o/r/issues/7/comments", path) and method == "GET":
    marker = re.search(r'startswith\("(.*?)"\)', jq).group(1)
    for c in state["comments"]:
        if c["body"].startswith(marker): print(c["id"])
elif re.fullmatch(r"repos/o/r/issues/7/comments", path) and method == "POST":
    state["comments"].append({"id": 100 + len(state["comments"]), "body": fields["body"]})
elif (m := re.fullmatch(r"repos/o/r/issues/comments/(\d+)", path)) and method == "PATCH":
    next(c for c in state["comments"] if c["id"] == int(m.group(1)))["body"] = fields["body"]
else:
    sys.exit(f"unexpected call: {method} {path}")
json.dump(state, open(state_path, "w", encoding="utf-8"), ensure_ascii=False)
'''


@pytest.fixture
def pull_request(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"head_sha": "abc", "comments": [{"id": 1, "body": "LGTM"}]}), encoding="utf-8")
    work = tmp_path / "work"
    (work / "comment").mkdir(parents=True)
    _, comment = _workflows()
    script = _script(comment, "comment")

    def run(body: str, pr: str = "7", head_sha: str = "abc") -> tuple[subprocess.CompletedProcess, dict]:
        (work / "comment" / "pr").write_text(pr + "\n", encoding="utf-8")
        (work / "comment" / "body.md").write_text(body, encoding="utf-8")
        env = {"GH_STATE": str(state), "GH_TOKEN": "t", "REPO": "o/r", "HEAD_SHA": head_sha,
               "PATH_FIRST": str(bin_dir)}
        done = _bash(script, work, env)
        return done, json.loads(state.read_text(encoding="utf-8"))

    return run


def test_one_comment_is_posted_then_updated_in_place(pull_request):
    done, state = pull_request("| 現行 | 改定後 |\n")
    assert done.returncode == 0, done.stderr
    assert [c["id"] for c in state["comments"]] == [1, 101]
    assert state["comments"][1]["body"] == "<!-- yakkan: 新旧対照表 -->\n| 現行 | 改定後 |\n"
    done, state = pull_request("| 現行 | 改定後（二回目） |\n")  # the next push
    assert done.returncode == 0, done.stderr
    assert [c["id"] for c in state["comments"]] == [1, 101]  # no second comment
    assert "二回目" in state["comments"][1]["body"] and state["comments"][0]["body"] == "LGTM"
    done, state = pull_request("")  # a push that undoes every change
    assert "No contract's wording or scenario ledger changes." in state["comments"][1]["body"]


def test_nothing_is_posted_when_nothing_changed_and_no_comment_exists(pull_request):
    done, state = pull_request("")
    assert done.returncode == 0 and [c["id"] for c in state["comments"]] == [1]


def test_an_artifact_for_another_commit_or_not_a_number_is_not_posted(pull_request):
    done, state = pull_request("| x |\n", head_sha="def")  # the pull request moved on
    assert done.returncode == 0 and [c["id"] for c in state["comments"]] == [1]
    done, state = pull_request("| x |\n", pr="7; echo owned")
    assert done.returncode == 1 and "not a pull request number" in done.stderr
    assert [c["id"] for c in state["comments"]] == [1]
