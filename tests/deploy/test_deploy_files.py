"""The deployment files (Dockerfile, compose.yaml, Caddyfile, deploy/quizmaster.service) agree with
the bot: they set only settings bot/config.py reads, never hold a secret, keep the restart rules of
bot/exit_codes.py, and the image they describe builds, checks a deck and reports healthy where a
Docker daemon can run it (skipped, saying why, where it cannot)."""

from __future__ import annotations

import ast
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import SANDBOX_TOKEN
from bot.exit_codes import (
    EXIT_BAD_SETTINGS,
    EXIT_CONFLICT,
    EXIT_DATABASE_GONE,
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_STARTUP_FAILED,
    EXIT_TOKEN_REFUSED,
)
from tests.deploy import yaml_subset

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
COMPOSE = REPO / "compose.yaml"
CADDYFILE = REPO / "Caddyfile"
UNIT = REPO / "deploy" / "quizmaster.service"
# Exit codes a restart cannot mend (README, "Exit codes"): systemd must not restart on them.
NO_RESTART = {EXIT_BAD_SETTINGS, EXIT_TOKEN_REFUSED, EXIT_DATABASE_GONE, EXIT_CONFLICT}
# Variables the deployment files set that are not the bot's settings: the interpreter's and
# matplotlib's own.
NOT_BOT_SETTINGS = {"PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "MPLCONFIGDIR"}
SECRETS = ("BOT_TOKEN", "WEBHOOK_SECRET", "POSTGRES_PASSWORD")
TOKEN_SHAPED = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{20,80}")


def known_settings() -> set[str]:
    """The environment variables bot/config.py reads: upper-case names passed to a call there."""
    tree = ast.parse((REPO / "bot" / "config.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for arg in node.args:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", arg.value)
                ):
                    names.add(arg.value)
    return names


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for every instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word, _, rest = stripped.partition(" ")
        instructions.append((word.upper(), rest.strip()))
    return instructions


def final_stage() -> list[tuple[str, str]]:
    """The instructions of the Dockerfile's last stage, from its FROM on."""
    instructions = dockerfile_instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def dockerfile_env() -> dict[str, str]:
    """The variables the image sets with ENV (`ENV A=1 B=2` form)."""
    env = {}
    for word, rest in dockerfile_instructions():
        if word == "ENV":
            for pair in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)", rest):
                env[pair[0]] = pair[1]
    return env


def healthcheck_command() -> list[str]:
    """The HEALTHCHECK's CMD, in exec form."""
    checks = [rest for word, rest in final_stage() if word == "HEALTHCHECK"]
    assert len(checks) == 1, checks
    command = checks[0].partition(" CMD ")[2]
    parsed = json.loads(command)
    assert isinstance(parsed, list)
    return [str(part) for part in parsed]


def compose() -> dict[str, yaml_subset.Node]:
    document = yaml_subset.load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def service(name: str) -> dict[str, yaml_subset.Node]:
    services = compose()["services"]
    assert isinstance(services, dict)
    found = services[name]
    assert isinstance(found, dict)
    return found


def bot_environment() -> dict[str, str]:
    env = service("bot")["environment"]
    assert isinstance(env, dict)
    return {key: str(value) for key, value in env.items()}


def unit_settings() -> dict[str, list[str]]:
    """Every `Key=value` of the systemd unit, values in order of appearance."""
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", ";", "[")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


# --- the Dockerfile ---------------------------------------------------------------------------


def test_the_image_runs_as_an_unprivileged_user() -> None:
    users = [rest for word, rest in final_stage() if word == "USER"]
    assert users, "the final stage sets no USER: the bot would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_the_image_is_built_in_two_stages_from_a_slim_python() -> None:
    bases = [rest.split()[0] for word, rest in dockerfile_instructions() if word == "FROM"]
    assert len(bases) == 2, bases
    assert all(re.fullmatch(r"python:3\.1[1-4]-slim", base) for base in bases), bases
    # The final stage takes the built virtualenv only, not the build stage's tools or sources.
    copies = [rest for word, rest in final_stage() if word == "COPY"]
    assert copies and all(rest.startswith("--from=build ") for rest in copies), copies


def test_the_image_runs_the_quizmaster_command_in_webhook_mode_as_compose_does() -> None:
    stage = dict(final_stage())
    assert json.loads(stage["ENTRYPOINT"]) == ["quizmaster"]
    assert json.loads(stage["CMD"]) == ["run", "--webhook"]
    assert service("bot")["command"] == ["run", "--webhook"]


def test_the_image_keeps_its_database_on_a_volume_and_listens_where_a_proxy_reaches_it() -> None:
    stage = dict(final_stage())
    assert json.loads(stage["VOLUME"]) == ["/data"]
    env = dockerfile_env()
    assert env["DATABASE_URL"] == "sqlite:////data/quizmaster.sqlite3"
    assert env["WEBHOOK_LISTEN"].startswith("0.0.0.0:")
    assert stage["EXPOSE"] == env["WEBHOOK_LISTEN"].rpartition(":")[2]


def test_the_image_sets_only_settings_the_bot_reads_and_no_secret() -> None:
    env = dockerfile_env()
    assert set(env) - NOT_BOT_SETTINGS <= known_settings(), set(env) - NOT_BOT_SETTINGS
    text = DOCKERFILE.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in env
        assert not re.search(rf"^\s*(ARG|ENV)\b.*\b{secret}\b", text, re.MULTILINE), secret
    assert not TOKEN_SHAPED.search(text)


def test_dockerignore_lets_only_the_package_sources_in_and_never_dotenv() -> None:
    lines = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "everything is left out unless let in"
    let_in = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert let_in == {"pyproject.toml", "README.md", "bot", "data/decks"}
    copied = [rest for word, rest in dockerfile_instructions() if word == "COPY"]
    sources = {part for rest in copied if "--from" not in rest for part in rest.split()[:-1]}
    assert sources <= let_in, sources - let_in


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run_healthcheck(listen: str) -> int:
    command = healthcheck_command()
    assert command[0] == "python"
    env = {**os.environ, "METRICS_LISTEN": listen}
    done = subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30, check=False
    )
    return done.returncode


def test_the_healthcheck_passes_on_200_from_healthz_and_fails_on_503_or_silence(
    health_server: http.server.ThreadingHTTPServer,
) -> None:
    port = health_server.server_address[1]
    assert run_healthcheck(f"0.0.0.0:{port}") == 0
    _Health.status = 503
    try:
        assert run_healthcheck(f"0.0.0.0:{port}") != 0
    finally:
        _Health.status = 200
    health_server.shutdown()
    health_server.server_close()
    assert run_healthcheck(f"0.0.0.0:{port}") != 0


def test_the_healthcheck_asks_the_operations_listener_at_its_default_port() -> None:
    # The HEALTHCHECK asks METRICS_LISTEN's port, falling back on the bot's own default.
    from bot.config import DEFAULT_METRICS_LISTEN

    command = " ".join(healthcheck_command())
    assert "METRICS_LISTEN" in command
    assert f"':{DEFAULT_METRICS_LISTEN.rpartition(':')[2]}'" in command
    server = (REPO / "bot" / "webhook" / "server.py").read_text(encoding="utf-8")
    assert 'add_get("/healthz"' in server.partition("def ops_app")[2]


# --- compose.yaml and the Caddyfile -----------------------------------------------------------


def test_compose_names_the_bot_postgres_and_caddy() -> None:
    document = compose()
    services = document["services"]
    assert isinstance(services, dict)
    assert set(services) == {"bot", "db", "caddy"}
    assert document["volumes"] == {"db-data": None, "caddy-data": None, "caddy-config": None}


def test_the_bot_waits_for_a_healthy_database_kept_on_a_named_volume() -> None:
    assert service("bot")["depends_on"] == {"db": {"condition": "service_healthy"}}
    db = service("db")
    image = db["image"]
    assert isinstance(image, str) and image.startswith("postgres:")
    assert db["volumes"] == ["db-data:/var/lib/postgresql/data"]
    healthcheck = db["healthcheck"]
    assert isinstance(healthcheck, dict)
    test = healthcheck["test"]
    assert isinstance(test, list) and "pg_isready" in " ".join(map(str, test))


def test_the_bot_sets_only_settings_the_bot_reads() -> None:
    env = bot_environment()
    assert set(env) <= known_settings(), set(env) - known_settings()
    for required in (
        "BOT_TOKEN",
        "DATABASE_URL",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "WEBHOOK_LISTEN",
    ):
        assert required in env, required
    assert env["WEBHOOK_URL"].startswith("https://")
    assert env["DATABASE_URL"].startswith("postgresql://quizmaster:${POSTGRES_PASSWORD")
    assert env["DATABASE_URL"].endswith("@db:5432/quizmaster")
    assert env["WEBHOOK_LISTEN"] == "0.0.0.0:8080"


def test_compose_passes_every_setting_the_bot_reads() -> None:
    # compose hands the bot only the variables it names: a setting left out here would be
    # silently ignored however .env sets it.
    assert known_settings() <= set(bot_environment()), known_settings() - set(bot_environment())


def test_compose_takes_every_secret_from_dotenv_and_holds_none() -> None:
    env = bot_environment()
    assert env["BOT_TOKEN"].startswith("${BOT_TOKEN:?")
    assert env["WEBHOOK_SECRET"].startswith("${WEBHOOK_SECRET:?")
    db_env = service("db")["environment"]
    assert isinstance(db_env, dict)
    assert str(db_env["POSTGRES_PASSWORD"]).startswith("${POSTGRES_PASSWORD:?")
    for path in (COMPOSE, CADDYFILE):
        assert not TOKEN_SHAPED.search(path.read_text(encoding="utf-8")), path


def test_compose_variables_are_documented_in_the_example_env_file() -> None:
    # compose.yaml reads .env; every variable it reads is one .env.example names.
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE.read_text(encoding="utf-8")))
    assert used <= named, used - named


def test_only_caddy_is_published_and_it_passes_on_only_the_webhook_path() -> None:
    assert "ports" not in service("bot") and "ports" not in service("db")
    caddy = service("caddy")
    assert caddy["ports"] == ["80:80", "443:443"]
    volumes = caddy["volumes"]
    assert isinstance(volumes, list) and "./Caddyfile:/etc/caddy/Caddyfile:ro" in volumes
    caddy_env = caddy["environment"]
    assert isinstance(caddy_env, dict)
    assert caddy_env["WEBHOOK_PATH"] == "${WEBHOOK_PATH:-/telegram}"
    assert bot_environment()["WEBHOOK_URL"].endswith("}${WEBHOOK_PATH:-/telegram}")
    caddyfile = CADDYFILE.read_text(encoding="utf-8")
    assert "{$QUIZMASTER_DOMAIN} {" in caddyfile
    assert re.search(
        r"handle \{\$WEBHOOK_PATH:/telegram\} \{\s*reverse_proxy bot:8080\s*\}", caddyfile
    )
    assert re.search(r"handle \{\s*respond 404\s*\}", caddyfile)
    # The Mini App, at the address compose gives the bot.
    assert re.search(r"handle /app/\* \{\s*reverse_proxy bot:8080\s*\}", caddyfile)
    assert bot_environment()["WEBAPP_URL"].endswith("}/app/")


def test_the_yaml_subset_reader_refuses_what_it_does_not_understand() -> None:
    assert yaml_subset.load('a:\n  b: \'x\'\n  c:\n    - "y"\n  d: ["e"]\n') == {
        "a": {"b": "x", "c": ["y"], "d": ["e"]}
    }
    for text in ("a: &x 1\n", "a: |\n  b\n", "a:\n  - b: c\n", "a: 1\na: 2\n", "a:\n\tb: 1\n"):
        with pytest.raises(yaml_subset.YamlSubsetError):
            yaml_subset.load(text)


def test_compose_reads_the_same_with_pyyaml_when_it_is_installed() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed; the subset reader suffices")

    def strings(node: object) -> object:
        if isinstance(node, dict):
            return {str(key): strings(value) for key, value in node.items()}
        if isinstance(node, list):
            return [strings(item) for item in node]
        return None if node is None else str(node)

    assert strings(yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))) == compose()


# --- the systemd unit -------------------------------------------------------------------------


def test_the_unit_never_restarts_on_an_exit_code_a_restart_cannot_mend() -> None:
    settings = unit_settings()
    assert settings["Restart"] == ["on-failure"]
    (prevent,) = settings["RestartPreventExitStatus"]
    codes = {int(code) for code in prevent.split()}
    assert codes == NO_RESTART
    assert not codes & {EXIT_OK, EXIT_FAILURE, EXIT_STARTUP_FAILED}


def test_readme_restart_table_and_unit_agree() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    no_rows = {int(code) for code in re.findall(r"^\| (\d+) \|.*\| no: [^|]*\|$", readme, re.M)}
    assert no_rows == NO_RESTART
    lines = set(re.findall(r"^RestartPreventExitStatus=(.*)$", readme, re.MULTILINE))
    assert lines == {" ".join(str(code) for code in sorted(NO_RESTART))}
    assert unit_settings()["RestartPreventExitStatus"] == list(lines)


def test_the_unit_runs_the_installed_command_unprivileged_and_hardened() -> None:
    settings = unit_settings()
    assert settings["ExecStart"] == ["/opt/quizmaster/bin/quizmaster run"]
    assert settings["EnvironmentFile"] == ["/etc/quizmaster/quizmaster.env"]
    assert settings["DynamicUser"] == ["yes"]
    assert settings["StateDirectory"] == ["quizmaster"]
    assert settings["WorkingDirectory"] == ["/var/lib/quizmaster"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert settings[key] == [value], key


def test_the_unit_sets_only_settings_the_bot_reads_and_no_secret() -> None:
    names = set()
    for value in unit_settings().get("Environment", []):
        for pair in value.split():
            names.add(pair.partition("=")[0])
    assert names - NOT_BOT_SETTINGS <= known_settings()
    assert not names & set(SECRETS)
    assert not TOKEN_SHAPED.search(UNIT.read_text(encoding="utf-8"))


def test_systemd_reads_the_unit_without_complaint(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # The same unit with a command that exists here: verify checks that ExecStart is executable.
    unit = tmp_path / "quizmaster.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/quizmaster/bin/quizmaster", "/bin/true"),
        encoding="utf-8",
    )
    done = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    complaints = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if "quizmaster.service" in line and "Failed to" not in line
    ]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


# --- the image itself, where a Docker daemon runs ---------------------------------------------


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """The image built from this checkout; skipped where Docker cannot build it."""
    if shutil.which("docker") is None:
        pytest.skip("no docker binary on PATH")
    info = docker("info", timeout=30)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["(no output)"])[-1]
        pytest.skip(f"no Docker daemon: `docker info` failed: {reason}")
    tag = f"quizmaster-test:{uuid.uuid4().hex[:12]}"
    built = docker("build", "--tag", tag, str(REPO), timeout=1800)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    yield tag
    docker("image", "rm", "--force", tag)


def test_the_image_checks_its_bundled_deck_as_a_non_root_user(image: str) -> None:
    user = docker("run", "--rm", "--entrypoint", "id", image, "-u")
    assert user.returncode == 0 and user.stdout.strip() != "0", user
    found = docker(
        "run",
        "--rm",
        "--entrypoint",
        "python",
        image,
        "-c",
        "from bot.services.container import bundled_decks_folder; "
        "print(sorted(bundled_decks_folder().glob('*.toml'))[0])",
    )
    assert found.returncode == 0, found.stderr
    checked = docker("run", "--rm", image, "deck", "check", found.stdout.strip())
    assert checked.returncode == 0, checked.stderr
    assert " cards" in checked.stdout.splitlines()[0]
    env = docker("image", "inspect", "--format", "{{json .Config.Env}}", image)
    names = {pair.partition("=")[0] for pair in json.loads(env.stdout)}
    assert not names & set(SECRETS), names


def test_the_image_reports_healthy_in_webhook_mode_and_stops_cleanly(image: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    network, sandbox, bot = (f"quizmaster-test-{name}-{suffix}" for name in ("net", "api", "bot"))
    assert docker("network", "create", network).returncode == 0
    try:
        # The sandbox Bot API (shipped in the package) stands in for Telegram.
        started = docker(
            "run",
            "--detach",
            "--name",
            sandbox,
            "--network",
            network,
            "--entrypoint",
            "python",
            image,
            "-m",
            "bot.sandbox",
            "--host",
            "0.0.0.0",
            "--port",
            "8081",
            "--token",
            SANDBOX_TOKEN,
        )
        assert started.returncode == 0, started.stderr
        started = docker(
            "run",
            "--detach",
            "--name",
            bot,
            "--network",
            network,
            "--health-interval",
            "1s",
            "--health-start-period",
            "60s",
            "--env",
            f"BOT_TOKEN={SANDBOX_TOKEN}",
            "--env",
            f"BOT_API_URL=http://{sandbox}:8081",
            "--env",
            # Only registered with the sandbox, which does not deliver: https as for Telegram.
            "WEBHOOK_URL=https://quizmaster.example.org/telegram",
            "--env",
            "WEBHOOK_SECRET=container-test-secret",
            image,
        )
        assert started.returncode == 0, started.stderr
        deadline = time.monotonic() + 90
        status = ""
        while time.monotonic() < deadline:
            status = docker("inspect", "--format", "{{.State.Health.Status}}", bot).stdout.strip()
            if status in ("healthy", "unhealthy"):
                break
            time.sleep(1)
        logs = docker("logs", bot)
        assert status == "healthy", f"{status}\n{logs.stdout}\n{logs.stderr}"
        assert docker("stop", "--time", "20", bot, timeout=60).returncode == 0
        code = docker("inspect", "--format", "{{.State.ExitCode}}", bot).stdout.strip()
        assert code == str(EXIT_OK), docker("logs", bot).stderr
    finally:
        docker("rm", "--force", bot, sandbox)
        docker("network", "rm", network)
