"""Write the locks that `make`, `.ci/run` and the Dockerfile install from (`make lock`).

- ``hub.lock``: the hub's dependencies and its build backend, for the image;
- ``dev.lock``: those plus the ``dev`` extra, for ``.venv`` (``make test``, ``make lint``), at
  the same versions as ``hub.lock``;
- ``airflow.lock``: the hub's dependencies plus the ``airflow`` extra, resolved on their own
  (Airflow holds FastAPI and others back), for ``.venv-airflow``, which runs the Airflow DAGs'
  tests. It stands in for Airflow's published constraints file.

uv resolves each for every platform and Python 3.11 onwards, with the hashes of every file.
It keeps the versions a lock already has while they still fit; ``--upgrade`` takes the newest
allowed. Each lock starts with the fingerprint of the pyproject.toml requirements it was made
from: ``tests/unit/test_locks.py`` fails when pyproject.toml changes and the locks do not.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "requirements"
FINGERPRINT = "# pyproject-requirements-sha256: "

# lock file → (the extras it adds to the hub's dependencies, the lock it must agree with)
LOCKS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "hub.lock": ((), None),
    "dev.lock": (("dev",), "hub.lock"),
    "airflow.lock": (("airflow",), None),
}


def requirements(pyproject: dict, extras: tuple[str, ...]) -> list[str]:
    """What a lock must satisfy: the build backend, the dependencies and the given extras."""
    project = pyproject["project"]
    wanted = list(pyproject["build-system"]["requires"]) + list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    return wanted


def fingerprint(wanted: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(wanted)).encode()).hexdigest()


def read_pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def compile_lock(uv: str, name: str, pyproject: dict, upgrade: bool) -> None:
    extras, agree_with = LOCKS[name]
    build = "\n".join(pyproject["build-system"]["requires"]) + "\n"
    command = [uv, "pip", "compile", "pyproject.toml", "-", "--quiet", "--universal"]
    command += ["--python-version", "3.11", "--generate-hashes"]
    command += ["--custom-compile-command", "make lock", "-o", f"requirements/{name}"]
    command += [arg for extra in extras for arg in ("--extra", extra)]
    if agree_with:
        command += ["--constraint", f"requirements/{agree_with}"]
    if upgrade:
        command.append("--upgrade")
    subprocess.run(command, input=build, text=True, cwd=ROOT, check=True)
    path = HERE / name
    stamp = FINGERPRINT + fingerprint(requirements(pyproject, extras)) + "\n"
    path.write_text(stamp + path.read_text(encoding="utf-8"), encoding="utf-8")


def main(argv: list[str]) -> int:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        print("lock.py needs uv: it is in the dev extra (make venv)", file=sys.stderr)
        return 1
    pyproject = read_pyproject()
    for name in LOCKS:  # hub.lock first: dev.lock is held to its versions
        compile_lock(uv, name, pyproject, upgrade="--upgrade" in argv)
        print(f"wrote requirements/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
