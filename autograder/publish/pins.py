"""The repository's pinned versions (``constraints.txt``) and the pinned closure of a set of
packages: what the student release and the Gradescope image install, each only what it
needs, at the versions the grader sees."""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, cast

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder import course

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from packaging.utils import NormalizedName


def pins() -> dict[NormalizedName, str]:
    """{canonical name: "Name==version"} from this repository's constraints.txt."""
    found = {}
    for line in (course.REPO_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            found[canonicalize_name(line.split("==")[0])] = line
    return found


def closure(packages: Collection[str]) -> list[tuple[NormalizedName, str]]:
    """Every package ``packages`` need (their dependencies, transitively, as this
    environment's metadata gives them; the pinned environment is the one ``make`` builds),
    each as its pin in constraints.txt, sorted: [(name, "Name==version")]."""
    pinned = pins()
    missing = [name for name in packages if canonicalize_name(name) not in pinned]
    if missing:
        raise ValueError(f"constraints.txt does not pin {', '.join(missing)}")
    seen: dict[NormalizedName, frozenset[str]] = {}
    todo: list[tuple[str, frozenset[str]]] = [(name, frozenset()) for name in packages]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in seen and extras <= seen[key]:
            continue
        seen[key] = seen.get(key, frozenset()) | extras
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here (another platform's dependency): pip resolves it
        for text in requires:
            req = Requirement(text)
            wanted = [""] + sorted(seen[key])
            if req.marker and not any(
                req.marker.evaluate({**cast("dict[str, str]", default_environment()), "extra": e})
                for e in wanted
            ):
                continue
            todo.append((req.name, frozenset(req.extras)))
    return sorted(((key, pinned[key]) for key in seen if key in pinned), key=lambda kv: kv[0])


def requirements_text(packages: Mapping[str, str], header: Iterable[str]) -> str:
    """A requirements.txt: ``packages`` ({name: why}) first, each with its reason, then what
    they need; every line a pin. ``header``: its opening comment lines."""
    pinned, top = pins(), {canonicalize_name(n) for n in packages}
    lines = [*header, ""]
    lines += [f"{pinned[canonicalize_name(name)]}  # {why}" for name, why in packages.items()]
    lines += ["", "# ... and what those need"]
    lines += [pin for key, pin in closure(packages) if key not in top]
    return "\n".join(lines) + "\n"
