"""Reading the deployment files as Compose and Docker would, for the tests beside this file:
the compose files (YAML, with anchors and merge keys) and their `${NAME}` interpolation from
.env.example, the Dockerfiles' instructions, and which paths .dockerignore keeps out."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = Path(__file__).with_name("compose-spec.json")

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def load_yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


@cache
def compose() -> dict[str, Any]:
    return load_yaml("compose.yaml")


@cache
def compose_debug() -> dict[str, Any]:
    return load_yaml("compose.debug.yaml")


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def strings_in(value: Any) -> list[str]:
    """Every string anywhere in a loaded YAML value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in strings_in(key) + strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def interpolate(text: str, values: dict[str, str]) -> str:
    """Compose's substitution of `${...}` (and `$$` for a literal `$`); a required variable
    that is unset or empty is an error naming it, as Compose reports it."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        value = values.get(name)
        if operator in (":?", "?") and not value:
            raise KeyError(f"{name} is required: {argument}")
        if operator in (":-", "-") and not value:
            return argument
        return value or ""

    return VARIABLE.sub(substitute, text).replace("$$", "$")


def environment(service: str) -> dict[str, str]:
    """A service's environment with .env.example's placeholders put in."""
    raw = services()[service].get("environment") or {}
    return {name: interpolate(str(value), env_example()) for name, value in raw.items()}


def sftp_interfaces(service: str = "airflow") -> dict[str, dict[str, Any]]:
    return json.loads(environment(service)["GATEHOUSE_SFTP_INTERFACES"])


def healthcheck_command(service: str) -> list[str]:
    test = services()[service]["healthcheck"]["test"]
    assert isinstance(test, list) and test[0] == "CMD", f"{service}: use the exec form"
    return test[1:]


# --- Dockerfiles --------------------------------------------------------------------------


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            found.append((keyword.upper(), " ".join(arguments.split())))
    return found


def stages(dockerfile: str) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage, each list starting with its FROM."""
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions(dockerfile):
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def copied_sources(dockerfile: str) -> list[str]:
    """What each COPY takes from the build context (not from another stage)."""
    sources = []
    for keyword, arguments in instructions(dockerfile):
        words = arguments.split()
        if keyword == "COPY" and not any(word.startswith("--from") for word in words):
            sources += [word for word in words if not word.startswith("--")][:-1]
    return sources


# --- .dockerignore ------------------------------------------------------------------------


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Docker's rule for one pattern: Go's filepath.Match (`*` and `?` stay within a path
    element) plus `**` for any number of elements; a match on a folder takes its contents."""
    pattern = pattern.strip("/")
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + "(?:/.*)?")


def ignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` (relative to the context) out; the last matching
    pattern decides, and `!pattern` lets a path back in."""
    result = False
    for pattern in dockerignore_patterns():
        negated = pattern.startswith("!")
        if _pattern_regex(pattern.lstrip("!")).fullmatch(path):
            result = not negated
    return result
