"""docs/deploying.md against the code (#20): its compose commands name the file, the .env and
services that exist; its staff commands create the account they say, without a terminal
(password from the environment or standard input); every `childsafe` command it gives exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.staff.auth import AuthStore

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "deploying.md"
COMPOSE = ROOT / "docker" / "compose.yml"
PASSWORD = "a long passphrase here"


def command_lines() -> list[str]:
    """The page's shell commands inside ```sh blocks, continuation lines joined."""
    text = PAGE.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    joined = "\n".join(block.replace("\\\n", " ") for block in blocks)
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in joined.splitlines()]
    return [line for line in lines if line]


def compose_commands() -> list[list[str]]:
    found = []
    for line in command_lines():
        for part in line.split("|"):
            words = shlex.split(part)
            if "docker" in words and "compose" in words:
                found.append(words[words.index("docker") :])
    return found


def test_every_compose_command_names_the_file_and_the_env_and_real_services() -> None:
    services = set(yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"])
    commands = compose_commands()
    assert len(commands) >= 10
    for words in commands:
        assert words[:6] == ["docker", "compose", "--env-file", ".env", "-f", "docker/compose.yml"]
        rest = words[6:]
        if rest and rest[0] == "--profile":
            assert rest[1] in {"redis", "rasa"}
            rest = rest[2:]
        verb = rest[0]
        if verb in {"run", "exec"}:
            target = [
                w for w in rest[1:] if not w.startswith("-") and w != "CHILDSAFE_STAFF_PASSWORD"
            ]
            assert target[0] in services, words
            assert target[1] in {"childsafe", "python"}, words
        if verb == "cp":
            assert rest[1].split(":")[0] in services or rest[2].split(":")[0] in services


def test_the_first_staff_account_is_one_documented_command() -> None:
    adds = [w for w in compose_commands() if "staff" in w and "add" in w]
    assert len(adds) == 3  # interactive, password in the environment, password on stdin
    for words in adds:
        assert words[words.index("run") + 1] == "--rm"


def childsafe_args(words: list[str]) -> list[str]:
    return words[words.index("childsafe") + 1 :]


@pytest.mark.parametrize("via", ["environment", "stdin"])
def test_the_documented_staff_add_works_without_a_terminal(tmp_path: Path, via: str) -> None:
    adds = [w for w in compose_commands() if "staff" in w and "add" in w]
    flag = "-T" if via == "stdin" else "-e"  # -e CHILDSAFE_STAFF_PASSWORD: from the host
    [words] = [w for w in adds if flag in w]
    if via == "environment":
        assert words[words.index("-e") + 1] == "CHILDSAFE_STAFF_PASSWORD"
    args = childsafe_args(words)
    db = tmp_path / "staff.db"
    env = {"CHILDSAFE_STAFF_PASSWORD": PASSWORD if via == "environment" else None}
    stdin = PASSWORD + "\n" if via == "stdin" else ""
    result = CliRunner().invoke(cli, [*args, "--db", str(db)], input=stdin, env=env)
    assert result.exit_code == 0, result.output
    name, role = args[2], args[args.index("--role") + 1]
    store = AuthStore(db)
    user = store.get_user(name)
    assert user is not None and user.role == role
    assert store.login(name, PASSWORD, "127.0.0.1").ok


def test_every_childsafe_command_the_page_gives_exists() -> None:
    runner = CliRunner()
    seen = set()
    for words in compose_commands():
        if "childsafe" not in words:
            continue
        args = childsafe_args(words)
        path = [a for a in args if not a.startswith("-")][:2]
        group = cli.commands.get(path[0])
        assert group is not None, words
        if hasattr(group, "commands") and len(path) > 1:
            assert path[1] in group.commands, words  # type: ignore[attr-defined]
        seen.add(path[0])
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, result.output
    assert {"staff", "telegram", "zalo"} <= seen
