"""Make the running venv hold exactly what a lock names: ``python requirements/sync.py LOCK``.

Installs the lock's pins, each checked against its hashes, then uninstalls whatever the lock
does not name (left over from an older lock, or installed by hand), then Gatehouse itself,
editable and without dependencies, and ends with ``pip check``. The Makefile runs it for
``.venv`` (dev.lock) and ``.venv-airflow`` (airflow.lock).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = {"pip", "gatehouse-hub"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_names(lock: Path) -> set[str]:
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==", lock.read_text(), re.M)
    return {normalized(name) for name in pins}


def pip(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return done.stdout


def main(lock: Path) -> int:
    pip("install", "--quiet", "--require-hashes", "--no-deps", "-r", str(lock))
    installed = {normalized(row["name"]) for row in json.loads(pip("list", "--format=json"))}
    extra = sorted(installed - pinned_names(lock) - OURS)
    if extra:
        print(f"removing what {lock.name} does not name: {' '.join(extra)}")
        pip("uninstall", "--quiet", "--yes", *extra)
    pip("install", "--quiet", "--no-deps", "--no-build-isolation", "--editable", str(ROOT))
    print(pip("check").strip())
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python requirements/sync.py requirements/LOCK")
    sys.exit(main(Path(sys.argv[1]).resolve()))
