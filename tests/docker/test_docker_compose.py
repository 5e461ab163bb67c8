"""docker/: the compose file, the Caddyfile and the Dockerfile, checked without a Docker engine.

No engine runs on the development or CI machines, so nothing here builds an image or
starts a container. What is checked: Debian's `docker-compose config` (1.29, which needs
no engine) accepts the file for each profile with nothing but `.env.example` copied to
`.env`; Caddy (when installed) adapts the Caddyfile for both TLS modes; the structure
(default = app + Caddy, optional profiles, health checks everywhere, no host port on the
app, volumes, no secret in the file); and the Dockerfile (multi-stage, hashes, the model
trained in the build, a non-root user).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yml"
CADDYFILE = DOCKER / "Caddyfile"
DOCKERFILE = DOCKER / "Dockerfile"
RASA_IMAGE = "rasa/rasa:3.6.21-full"
PROFILES = (None, "redis", "rasa")


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
def run_config(
    tmp_path: Path, env_text: str, profile: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` on a copy beside a throwaway .env (never the developer's)."""
    (tmp_path / "docker").mkdir()
    shutil.copy(COMPOSE, tmp_path / "docker" / "compose.yml")
    shutil.copy(CADDYFILE, tmp_path / "docker" / "Caddyfile")
    shutil.copytree(DOCKER / "verify", tmp_path / "docker" / "verify")
    (tmp_path / ".env").write_text(env_text, encoding="utf-8")
    args = ["docker-compose", "--env-file", ".env", "-f", "docker/compose.yml"]
    if profile:
        args += ["--profile", profile]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHILDSAFE_", "RASA_"))}
    return subprocess.run(
        [*args, "config"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env
    )


needs_docker_compose = pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose is not installed: compose config not checked "
    "(apt-get install docker-compose; .ci/run does)",
)


@pytest.mark.slow
@needs_docker_compose
@pytest.mark.parametrize("profile", PROFILES, ids=["default", "redis", "rasa"])
def test_compose_config_validates_with_only_the_env_example(
    tmp_path: Path, profile: str | None
) -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    result = run_config(tmp_path, example, profile)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    app = resolved["services"]["app"]
    assert app["environment"]["CHILDSAFE_DB"] == "/app/data/childsafe.db"
    assert app["environment"]["CHILDSAFE_NLU"] == "embedded"  # from .env.example via env_file
    assert "ports" not in app
    caddy = resolved["services"]["caddy"]
    assert caddy["environment"]["CHILDSAFE_TLS"] == "internal"
    published = {str(port["target"]) for port in caddy["ports"]}
    assert published == {"80", "443"}


@pytest.mark.slow
@needs_docker_compose
def test_compose_config_takes_the_domain_and_tls_mode_from_env(tmp_path: Path) -> None:
    env = "CHILDSAFE_DOMAIN=chat.example.org\nCHILDSAFE_TLS=it@example.org\nRASA_TOKEN=t0k\n"
    result = run_config(tmp_path, env, "rasa")
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    caddy = resolved["services"]["caddy"]["environment"]
    assert caddy == {"CHILDSAFE_DOMAIN": "chat.example.org", "CHILDSAFE_TLS": "it@example.org"}
    assert resolved["services"]["rasa"]["environment"]["RASA_TOKEN"] == "t0k"


# ---------------------------------------------------------------------- Caddyfile
needs_caddy = pytest.mark.skipif(
    shutil.which("caddy") is None,
    reason="caddy is not installed: the Caddyfile is not adapted (apt-get install caddy)",
)


def caddy_adapt(domain: str, tls: str) -> dict[str, Any]:
    env = {**os.environ, "CHILDSAFE_DOMAIN": domain, "CHILDSAFE_TLS": tls}
    result = subprocess.run(
        ["caddy", "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr, result.stderr
    adapted: dict[str, Any] = json.loads(result.stdout)
    return adapted


@pytest.mark.slow
@needs_caddy
def test_caddy_uses_its_internal_ca_for_a_lan_deployment() -> None:
    config = caddy_adapt("childsafe.lan", "internal")
    [policy] = config["apps"]["tls"]["automation"]["policies"]
    assert policy["subjects"] == ["childsafe.lan"]
    assert [issuer["module"] for issuer in policy["issuers"]] == ["internal"]
    assert config["admin"]["listen"] == "localhost:2019"  # what the health check reads
    text = json.dumps(config["apps"]["http"])
    assert '"dial": "app:8000"' in text and '"uri": "/healthz"' in text
    # a domain-verification file dropped into docker/verify/ is served, nothing else from there
    assert '"root": "/srv/verify"' in text and "/README.txt" in text


@pytest.mark.slow
@needs_caddy
def test_caddy_gets_public_certificates_with_an_email() -> None:
    config = caddy_adapt("chat.example.org", "it@example.org")
    [policy] = config["apps"]["tls"]["automation"]["policies"]
    assert policy["subjects"] == ["chat.example.org"]
    assert "acme" in {issuer["module"] for issuer in policy["issuers"]}
    assert all(issuer.get("email") == "it@example.org" for issuer in policy["issuers"])


# ---------------------------------------------------------------------- structure
def test_the_default_is_the_app_behind_caddy_and_the_rest_are_profiles(
    compose: dict[str, Any],
) -> None:
    found = services(compose)
    default = {name for name, service in found.items() if "profiles" not in service}
    assert default == {"app", "caddy"}
    assert found["redis"]["profiles"] == ["redis"]
    for name in ("rasa-data", "rasa-train", "rasa"):
        assert found[name]["profiles"] == ["rasa"]
    assert found["caddy"]["depends_on"]["app"]["condition"] == "service_healthy"
    # the app never waits for Rasa: it answers with the embedded engine meanwhile
    assert "depends_on" not in found["app"]
    assert "CHILDSAFE_NLU" not in found["app"]["environment"]  # embedded unless .env says rasa


def test_only_caddy_publishes_ports_so_the_app_can_be_scaled(compose: dict[str, Any]) -> None:
    found = services(compose)
    published = {name for name, service in found.items() if "ports" in service}
    assert published == {"caddy"}
    assert sorted(found["caddy"]["ports"]) == ["443:443", "443:443/udp", "80:80"]
    assert "container_name" not in found["app"]  # a fixed name would block --scale
    assert found["app"]["environment"]["CHILDSAFE_FORWARDED_ALLOW_IPS"] == "*"
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in found["caddy"]["volumes"]
    assert "./verify:/srv/verify:ro" in found["caddy"]["volumes"]


def test_every_service_has_a_health_check(compose: dict[str, Any]) -> None:
    found = services(compose)
    for name, service in found.items():
        check = service.get("healthcheck")
        assert check, f"{name} has no healthcheck"
        if check.get("disable"):  # only one-shot jobs, which compose waits on to complete
            assert service["restart"] == "no", name
        else:
            assert check["test"][0] == "CMD", name
    assert "/healthz" in flat(found["app"]["healthcheck"]["test"])
    assert "2019/config/" in flat(found["caddy"]["healthcheck"]["test"])
    assert "ping" in flat(found["redis"]["healthcheck"]["test"])
    assert "5005/" in flat(found["rasa"]["healthcheck"]["test"])


def test_rasa_profile_order_and_official_image(compose: dict[str, Any]) -> None:
    found = services(compose)
    assert found["rasa"]["image"] == RASA_IMAGE
    assert found["rasa-train"]["image"] == RASA_IMAGE
    completed = "service_completed_successfully"
    assert found["rasa-train"]["depends_on"]["rasa-data"]["condition"] == completed
    assert found["rasa"]["depends_on"]["rasa-train"]["condition"] == completed
    assert "nlu.export_folded" in flat(found["rasa-data"]["command"])
    train = flat(found["rasa-train"]["command"])
    assert train.startswith("train nlu") and "--nlu /data" in train
    assert "rasa-data:/data:ro" in found["rasa-train"]["volumes"]
    serve = flat(found["rasa"]["command"])
    assert "rasa run --enable-api -m /app/models" in serve
    assert '--auth-token="$$RASA_TOKEN"' in serve  # one argument: a token may begin with "-"
    assert "rasa-models:/app/models:ro" in found["rasa"]["volumes"]


def test_no_secret_is_written_in_the_compose_file() -> None:
    lines = COMPOSE.read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    for secret in ("TELEGRAM_TOKEN", "ZALO_", "CHILDSAFE_SECRET", "CASE_KEY"):
        assert secret not in text


def test_the_database_lives_on_a_named_volume(compose: dict[str, Any]) -> None:
    found = services(compose)
    db = Path(found["app"]["environment"]["CHILDSAFE_DB"])
    mounts = {m.split(":")[1]: m.split(":")[0] for m in found["app"]["volumes"]}
    assert mounts[str(db.parent)] == "childsafe-data"
    assert "childsafe-data" in compose["volumes"]
    assert "caddy-data" in compose["volumes"]  # certificates survive a restart


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
def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions, one list per stage (FROM starts a stage)."""
    joined = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    stages: list[list[tuple[str, str]]] = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            if keyword.upper() == "FROM":
                stages.append([])
            stages[-1].append((keyword.upper(), " ".join(rest.split())))
    return stages


def test_the_dockerfile_is_multi_stage_with_hashes_and_a_slim_runtime() -> None:
    builder, runtime = dockerfile_stages()
    assert builder[0] == ("FROM", "python:3.11-slim AS builder")
    assert runtime[0] == ("FROM", "python:3.11-slim AS runtime")
    runs = " ".join(rest for keyword, rest in builder if keyword == "RUN")
    assert "pip install --require-hashes -r requirements.lock" in runs
    # nothing is installed in the runtime stage: it copies the builder's virtualenv and /app
    assert all("pip install" not in rest for keyword, rest in runtime if keyword == "RUN")
    copies = [rest for keyword, rest in runtime if keyword == "COPY"]
    assert any(c.startswith("--from=builder") and "/opt/venv" in c for c in copies)


def test_the_dockerfile_bakes_the_trained_model_into_the_image() -> None:
    builder, runtime = dockerfile_stages()
    runs = [rest for keyword, rest in builder if keyword == "RUN"]
    assert any("childsafe train" in rest for rest in runs)
    # the model cache (/app/.cache/nlu, Settings.model_dir) travels with /app
    assert ("COPY", "--from=builder --chown=childsafe:childsafe /app /app") in runtime


def test_the_final_stage_runs_as_a_non_root_user() -> None:
    runtime = dockerfile_stages()[-1]
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users and users[-1] not in {"root", "0", "0:0"}
    runs = " ".join(rest for keyword, rest in runtime if keyword == "RUN")
    assert f"useradd --uid 10001 --create-home --shell /usr/sbin/nologin {users[-1]}" in runs
    [cmd] = [rest for keyword, rest in runtime if keyword == "CMD"]
    assert yaml.safe_load(cmd) == ["childsafe", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert ("EXPOSE", "8000") in runtime
    assert any(k == "HEALTHCHECK" and "/healthz" in rest for k, rest in runtime)


def test_the_dockerfile_copies_only_paths_that_exist() -> None:
    copies = [
        rest.split()
        for stage in dockerfile_stages()
        for keyword, rest in stage
        if keyword == "COPY" and not rest.startswith("--from")
    ]
    assert copies
    for parts in copies:
        for source in parts[:-1]:
            assert (ROOT / source).exists(), source
    copied = {source for parts in copies for source in parts[:-1]}
    # what the assistant reads at run time: its packages and their YAML
    assert {"pyproject.toml", "bot", "handlers", "content", "nlu"} <= copied


def test_the_build_context_leaves_out_virtualenvs_and_secrets() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", ".venv-rasa", ".env", ".git", "data", "nlu/models", ".cache"} <= ignored
