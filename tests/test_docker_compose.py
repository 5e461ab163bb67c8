"""docker/: the compose file and the Dockerfile, checked without a Docker engine.

No engine runs on the development or CI machines, so nothing here builds an image or
starts a container. What is checked: Debian's `docker-compose config` (1.29, which needs
no engine) accepts the file and interpolates the token; the structure (services, official
Rasa image, one-shot training order, health checks, volumes, no secret in the file); and
that every path the Dockerfile and compose file name exists in the repository.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yml"
DOCKERFILE = DOCKER / "Dockerfile"
RASA_IMAGE = "rasa/rasa:3.6.21-full"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def flat(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


# ---------------------------------------------------------------------- docker-compose config
def run_config(tmp_path: Path, env_text: str) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` on a copy beside a throwaway .env (never the developer's)."""
    (tmp_path / "docker").mkdir()
    shutil.copy(COMPOSE, tmp_path / "docker" / "compose.yml")
    (tmp_path / ".env").write_text(env_text, encoding="utf-8")
    return subprocess.run(
        ["docker-compose", "--env-file", ".env", "-f", "docker/compose.yml", "config"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


needs_docker_compose = pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose is not installed (apt-get install docker-compose; .ci/run does)",
)


@pytest.mark.slow
@needs_docker_compose
def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    result = run_config(tmp_path, "RASA_TOKEN=compose-test-token\nCHILDSAFE_SECRET=x\n")
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    rasa = resolved["services"]["rasa"]
    assert rasa["environment"]["RASA_TOKEN"] == "compose-test-token"
    assistant = resolved["services"]["assistant"]
    assert assistant["environment"]["RASA_URL"] == "http://rasa:5005"
    assert assistant["environment"]["CHILDSAFE_SECRET"] == "x"  # from .env via env_file


@pytest.mark.slow
@needs_docker_compose
def test_docker_compose_config_names_a_missing_token(tmp_path: Path) -> None:
    result = run_config(tmp_path, "CHILDSAFE_SECRET=x\n")
    assert result.returncode != 0
    assert "RASA_TOKEN" in result.stderr


# ---------------------------------------------------------------------- structure
def test_the_services_and_their_order(compose: dict[str, Any]) -> None:
    found = services(compose)
    assert set(found) == {"assistant", "rasa-data", "rasa-train", "rasa"}
    assert found["rasa"]["image"] == RASA_IMAGE
    assert found["rasa-train"]["image"] == RASA_IMAGE
    completed = "service_completed_successfully"
    assert found["rasa-train"]["depends_on"]["rasa-data"]["condition"] == completed
    assert found["rasa"]["depends_on"]["rasa-train"]["condition"] == completed
    # the assistant never waits for Rasa: it answers with the embedded engine meanwhile
    assert "depends_on" not in found["assistant"]
    for one_shot in ("rasa-data", "rasa-train"):
        assert found[one_shot]["restart"] == "no"


def test_training_reads_folded_data_and_serving_reads_the_trained_model(
    compose: dict[str, Any],
) -> None:
    found = services(compose)
    assert "nlu.export_folded" in flat(found["rasa-data"]["command"])
    train = flat(found["rasa-train"]["command"])
    assert train.startswith("train nlu") and "--nlu /data" in train
    assert "rasa-data:/data:ro" in found["rasa-train"]["volumes"]
    assert "rasa-data:/app/build/rasa-data" in found["rasa-data"]["volumes"]
    serve = flat(found["rasa"]["command"])
    assert "rasa run --enable-api -m /app/models" in serve
    assert "rasa-models:/app/models" in found["rasa-train"]["volumes"]
    assert "rasa-models:/app/models:ro" in found["rasa"]["volumes"]


def test_the_assistant_talks_to_rasa_with_a_token_from_the_environment(
    compose: dict[str, Any],
) -> None:
    found = services(compose)
    env = found["assistant"]["environment"]
    assert env["CHILDSAFE_NLU"] == "rasa"
    assert env["RASA_URL"] == "http://rasa:5005"
    assert found["assistant"]["env_file"] == "../.env"
    assert '--auth-token "$$RASA_TOKEN"' in flat(found["rasa"]["command"])
    assert found["rasa"]["environment"]["RASA_TOKEN"].startswith("${RASA_TOKEN:?")
    text = COMPOSE.read_text(encoding="utf-8")
    for secret in ("TELEGRAM_TOKEN=", "ZALO_", "CHILDSAFE_SECRET:"):
        assert secret not in text


def test_health_checks_and_the_database_volume(compose: dict[str, Any]) -> None:
    found = services(compose)
    assert "/healthz" in flat(found["assistant"]["healthcheck"]["test"])
    assert "5005/" in flat(found["rasa"]["healthcheck"]["test"])
    db = Path(found["assistant"]["environment"]["CHILDSAFE_DB"])
    mounts = {m.split(":")[1]: m.split(":")[0] for m in found["assistant"]["volumes"]}
    assert mounts[str(db.parent)] == "childsafe-data"
    assert set(compose["volumes"]) == {"childsafe-data", "rasa-data", "rasa-models"}


def test_every_path_the_compose_file_names_exists(compose: dict[str, Any]) -> None:
    for service in services(compose).values():
        build = service.get("build")
        if build:
            context = (DOCKER / build["context"]).resolve()
            assert context == ROOT
            assert (context / build["dockerfile"]).is_file()
        if "env_file" in service:  # .env itself is never committed; its template is
            assert (DOCKER / service["env_file"]).resolve() == ROOT / ".env"
            assert (ROOT / ".env.example").is_file()
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DOCKER / source).resolve().exists(), volume


# ---------------------------------------------------------------------- Dockerfile
def dockerfile_instructions() -> list[tuple[str, str]]:
    joined = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_the_dockerfile_copies_only_paths_that_exist() -> None:
    copies = [rest.split() for keyword, rest in dockerfile_instructions() if keyword == "COPY"]
    assert copies
    for parts in copies:
        for source in parts[:-1]:
            assert (ROOT / source).exists(), source
    copied = {source for parts in copies for source in parts[:-1]}
    # what the assistant reads at run time: its packages and their YAML
    assert {"pyproject.toml", "bot", "handlers", "content", "nlu"} <= copied


def test_the_dockerfile_runs_the_assistant_as_a_non_root_user() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    [cmd] = [rest for keyword, rest in instructions if keyword == "CMD"]
    assert yaml.safe_load(cmd) == ["childsafe", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert ("EXPOSE", "8000") in instructions
    assert any(k == "HEALTHCHECK" and "/healthz" in rest for k, rest in instructions)


def test_the_build_context_leaves_out_virtualenvs_and_secrets() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", ".venv-rasa", ".env", ".git", "data", "nlu/models"} <= ignored
