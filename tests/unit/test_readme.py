"""The README stays true: its first commands exist, CI runs the test command, every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from streams.settings import env_var_names

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def test_first_lines_give_the_two_commands_and_ci_runs_the_test_one() -> None:
    """The first code block holds the main-job and test commands; .ci/run calls exactly the test command."""
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block, "README must open with a sh code block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["./deploy/run-demo.sh", "./deploy/run-tests.sh"], commands
    assert README.index("```sh") < 600, "the commands must be in the README's first lines"
    for cmd in commands:
        assert (REPO / cmd).is_file(), f"{cmd} does not exist"
    ci = (REPO / ".ci" / "run").read_text()
    assert "exec ./deploy/run-tests.sh" in ci, ".ci/run must run exactly the README's test command"


def test_every_setting_is_documented() -> None:
    """Each WIRESTREAM_* setting appears in the README's configuration section (grouped rows count)."""
    config = README[README.index("## Configuration"):README.index("## Operations")]
    missing = [name for name, _kind, _default in env_var_names() if f"`{name}`" not in config]
    assert not missing, f"settings missing from README: {missing}"


def test_documented_defaults_match_the_code() -> None:
    """Single-variable rows show the default the code has (bools and strings as written in env form)."""
    from streams.settings import Settings, to_env

    defaults = to_env(Settings())
    config = README[README.index("## Configuration"):README.index("## Operations")]
    wrong = []
    for line in config.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) < 3 or not re.fullmatch(r"`WIRESTREAM_[A-Z_]+`", cells[0]):
            continue
        name = cells[0].strip("`")
        if name not in defaults:
            continue
        shown = cells[2].strip("`")
        expected = defaults[name]
        numeric = re.fullmatch(r"-?\d+(\.\d+)?", expected) and re.fullmatch(r"-?\d+(\.\d+)?", shown)
        same_number = numeric and float(shown) == float(expected)
        if shown != expected and not same_number and not (shown == "empty" and expected == ""):
            wrong.append(f"{name}: README says {shown!r}, code has {expected!r}")
    assert not wrong, "\n".join(wrong)
