"""The container image: built from the Dockerfile and run the way an operator runs it.

The image tests need a Docker engine and the Dockerfile's base image (built from Debian packages by
``deploy/make-base-image.sh`` when it is missing and this machine can); without them they are skipped, and the
reason is printed in pytest's summary. Containers run with ``--network host`` and the bot listens on loopback only.
The lock-file check needs neither and always runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import tomllib
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "briefbot:pytest"
UID = "10001"
STOP_SECONDS = 10
BUILD_TIMEOUT = 600  # a cold build is about a minute; the base image, when it must be made, about two more


def _docker(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=check)


def _base_image() -> str:
    match = re.search(r"^ARG BASE_IMAGE=(\S+)", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.MULTILINE)
    assert match, "the Dockerfile names its base image in ARG BASE_IMAGE=..."
    return match.group(1)


def _why_no_engine() -> str | None:
    """None when a Docker engine answers; otherwise why the image tests cannot run here."""
    if shutil.which("docker") is None:
        return "no docker CLI on PATH (apt-get install docker.io, then start dockerd)"
    try:
        info = _docker("info", "--format", "{{.ServerVersion}}", timeout=20, check=False)
    except subprocess.TimeoutExpired:
        return "the Docker engine did not answer `docker info` within 20 s"
    if info.returncode != 0 or not info.stdout.strip():
        reason = (info.stderr.strip().splitlines() or ["no answer"])[-1]
        return f"no Docker engine reachable ({reason}); start dockerd to run the image tests"
    return None


def _why_no_base(base: str) -> str | None:
    """None when the base image exists or was just built from Debian packages; otherwise why not."""
    if _docker("image", "inspect", base, check=False).returncode == 0:
        return None
    if os.geteuid() != 0 or shutil.which("debootstrap") is None:
        return f"base image {base} is missing; deploy/make-base-image.sh needs root and debootstrap to build it"
    made = subprocess.run(
        [str(ROOT / "deploy" / "make-base-image.sh"), base],
        check=False,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    if made.returncode != 0:
        pytest.fail(f"deploy/make-base-image.sh failed:\n{made.stderr[-3000:]}")
    return None


@pytest.fixture(scope="module")
def image() -> str:
    """The image, built from the working tree (layers cached between runs); never pulls."""
    why = _why_no_engine() or _why_no_base(_base_image())
    if why:
        pytest.skip(why)
    built = _docker("build", "--network", "host", "--tag", IMAGE, str(ROOT), timeout=BUILD_TIMEOUT, check=False)
    assert built.returncode == 0, f"docker build failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}"
    return IMAGE


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthz(port: int) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            body: dict[str, object] = json.load(response)
            return body
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@dataclass
class Service:
    container: str
    volume: str
    port: int

    def state(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(_docker("inspect", "--format", "{{json .State}}", self.container).stdout)
        return found

    def logs(self) -> str:
        done = _docker("logs", self.container, check=False)
        return (done.stdout + done.stderr)[-3000:]

    def exec(self, *command: str) -> str:
        return _docker("exec", self.container, *command).stdout

    def wait_for_healthz(self, within: float = 30) -> dict[str, object]:
        """Polls /healthz until it answers; fails at once, with the logs, if the container has stopped."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            body = _healthz(self.port)
            if body is not None:
                return body
            state = self.state()
            if not state["Running"]:
                pytest.fail(f"the container stopped (exit {state['ExitCode']}) before answering:\n{self.logs()}")
            time.sleep(0.2)
        pytest.fail(f"no answer on /healthz within {within} s:\n{self.logs()}")


@pytest.fixture
def service(image: str) -> Iterator[Service]:
    """``docker run -d --read-only -v VOL:/data IMAGE`` with the default command, HTTP on a free loopback port.

    The health-check interval is shortened so Docker runs the image's own HEALTHCHECK within the test.
    """
    name = f"briefbot-pytest-{uuid.uuid4().hex[:10]}"
    port = _free_port()
    _docker("volume", "create", name)
    container = _docker(
        "run", "--detach", "--name", name, "--network", "host", "--read-only", "--volume", f"{name}:/data",
        "--env", "BRIEFBOT_HTTP__HOST=127.0.0.1", "--env", f"BRIEFBOT_HTTP__PORT={port}",
        "--health-interval", "1s", "--health-start-period", "30s",
        image,
    ).stdout.strip()  # fmt: skip
    try:
        yield Service(container, name, port)
    finally:
        _docker("rm", "--force", "--volumes", container, check=False)
        _docker("volume", "rm", name, check=False)


@pytest.mark.slow
def test_one_shot_answer(image: str) -> None:
    done = _docker("run", "--rm", "--network", "host", image, "briefbot", "ask", "/status tariffs", timeout=60)
    assert "U.S. tariffs on Canadian goods" in done.stdout
    assert "Positions" in done.stdout


@pytest.mark.slow
def test_service_keeps_running_read_only_as_uid_10001_and_is_healthy(service: Service) -> None:
    assert service.wait_for_healthz()["status"] == "ok"
    # Docker's own HEALTHCHECK (the image's command) must pass too, while the service keeps running.
    deadline = time.monotonic() + 30
    while (health := service.state()["Health"]["Status"]) == "starting" and time.monotonic() < deadline:
        assert service.state()["Running"], f"the container stopped:\n{service.logs()}"
        time.sleep(0.2)
    assert health == "healthy", f"HEALTHCHECK says {health}:\n{service.logs()}"
    assert service.state()["Running"]
    uids = service.exec("sh", "-c", "grep ^Uid: /proc/1/status").split()[1:]
    assert uids == [UID] * 4, f"the bot runs as uid(s) {uids}"
    # With the root filesystem read-only, the state database lands in the volume, owned by the bot's user.
    owner = service.exec("stat", "-c", "%u %n", "/data/briefbot-state.db").split()[0]
    assert owner == UID


@pytest.mark.slow
def test_docker_stop_ends_it_cleanly_within_10_seconds(service: Service) -> None:
    service.wait_for_healthz()
    started = time.monotonic()
    _docker("stop", "--time", str(STOP_SECONDS + 5), service.container, timeout=STOP_SECONDS + 30)
    elapsed = time.monotonic() - started
    state = service.state()
    assert elapsed < STOP_SECONDS, f"docker stop took {elapsed:.1f} s"
    assert state["ExitCode"] == 0, f"exit {state['ExitCode']} after SIGTERM (137 is a SIGKILL):\n{service.logs()}"


def _pins(lock: Path) -> dict[str, str]:
    """name -> exact version for every requirement in a pip-style lock file, each checked to carry a hash."""
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        text, _, hashes = line.partition(" --hash=sha256:")
        requirement = Requirement(text)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{lock.name}: {requirement} is not pinned exactly"
        assert hashes, f"{lock.name}: {requirement.name} has no hash"
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def test_lock_pins_every_dependency_within_pyproject_ranges() -> None:
    """The image installs only from requirements.lock: it must cover pyproject's dependencies, inside their ranges."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _pins(ROOT / "requirements.lock")
    stale = []
    for line in project["dependencies"]:
        wanted = Requirement(line)
        pinned = pins.get(canonicalize_name(wanted.name))
        if pinned is None or not wanted.specifier.contains(pinned, prereleases=True):
            stale.append(f"{wanted} (locked: {pinned or 'missing'})")
    assert not stale, "requirements.lock is out of date; run deploy/lock.sh: " + ", ".join(stale)
    build = _pins(ROOT / "deploy" / "build-requirements.lock")
    assert {"setuptools", "wheel"} <= build.keys()
