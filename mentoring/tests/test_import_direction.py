"""Imports run one way (docs/architecture.md), at module level and inside functions alike.

- Apps: people ← programmes ← evaluation; privacy sits on top of all three; mentoring is the project
  (settings, root URLs, Celery) and only its composition modules name the apps.
- Reads never import writes: no selectors module imports a services module.
- Inside programmes/, a feature subpackage uses another one only through its `services` or `selectors`
  (models come from `programmes.models`; a models module may import another feature's models module for a
  relation); `programmes.core` is the shared base every subpackage may use.

Every shipped module is read with `ast` (tests and migrations are not shipped); nothing is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("mentoring", "people", "programmes", "evaluation", "privacy")

# Which apps each app may import (itself included).
MAY_IMPORT = {
    "people": {"people", "mentoring"},
    "programmes": {"programmes", "people", "mentoring"},
    "evaluation": {"evaluation", "programmes", "people", "mentoring"},
    "privacy": set(APPS),
}
# The project's modules that put the apps together; every other mentoring module stays below the apps.
COMPOSITION = {"mentoring.urls", "mentoring.settings", "mentoring.celery"}

FEATURES = {"core", "home", "design", "enrolment", "matching", "preparation", "support"}
PUBLIC_LAYERS = {"services", "selectors"}

# The short allow-list: (importing module, imported module) with the reason.
ALLOWED: dict[tuple[str, str], str] = {
    # A task publish that failed is kept in people's PendingPublish table: the project package has no models
    # of its own, and the import sits inside the function that runs only after a failed publish.
    ("mentoring.background", "people.models"): "the failed-publish outbox lives in people",
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (a submodule when `from package import module`)
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def shipped_modules() -> Iterator[Path]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" not in parts and "migrations" not in parts:
                yield path


def imports_of(path: Path) -> Iterator[Import]:
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                yield Import(source, sub if is_module(sub) else module, node.lineno)


def ours(dotted: str) -> bool:
    return dotted.split(".")[0] in APPS


def is_selectors(dotted: str) -> bool:
    return any(part == "selectors" or part.startswith("selectors_") for part in dotted.split("."))


def is_services(dotted: str) -> bool:
    return any(part == "services" or part.startswith("services_") for part in dotted.split("."))


def feature_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if parts[0] == "programmes" and len(parts) > 1 and parts[1] in FEATURES else None


def app_violation(imp: Import) -> str | None:
    source_app, target_app = imp.source.split(".")[0], imp.target.split(".")[0]
    if source_app == "mentoring":
        if target_app != "mentoring" and imp.source not in COMPOSITION:
            return f"mentoring imports the app {target_app}"
        return None
    if target_app not in MAY_IMPORT[source_app]:
        return f"{source_app} may not import {target_app}"
    return None


def layer_violation(imp: Import) -> str | None:
    if is_selectors(imp.source) and is_services(imp.target):
        return "a selectors module imports a services module"
    return None


def feature_violation(imp: Import) -> str | None:
    source, target = feature_of(imp.source), feature_of(imp.target)
    if source is None or target is None or source == target or target == "core":
        return None
    layer = imp.target.split(".")[2] if imp.target.count(".") >= 2 else ""
    if layer in PUBLIC_LAYERS:
        return None
    if layer == "models" and imp.source.split(".")[2] == "models":
        return None
    return f"programmes.{source} reaches into programmes.{target}.{layer or '__init__'}"


def violations() -> list[str]:
    found: list[str] = []
    for path in shipped_modules():
        for imp in imports_of(path):
            if not ours(imp.target) or (imp.source, imp.target) in ALLOWED:
                continue
            for check in (app_violation, layer_violation, feature_violation):
                problem = check(imp)
                line = f"{imp.source}:{imp.line} imports {imp.target}: {problem}"
                if problem and line not in found:
                    found.append(line)
    return found


def test_imports_run_one_way() -> None:
    found = violations()
    assert not found, "Imports against the architecture (docs/architecture.md):\n" + "\n".join(found)


def test_the_allow_list_names_only_imports_that_exist() -> None:
    present = {(imp.source, imp.target) for path in shipped_modules() for imp in imports_of(path)}
    assert set(ALLOWED) <= present, sorted(set(ALLOWED) - present)


def test_the_checks_catch_what_they_are_for() -> None:
    assert app_violation(Import("people.selectors", "programmes.models", 1))
    assert app_violation(Import("programmes.core.receivers", "evaluation.models", 1))
    assert app_violation(Import("mentoring.cache", "people.models", 1))
    assert not app_violation(Import("evaluation.selectors", "programmes.models", 1))
    assert not app_violation(Import("privacy.erasure", "evaluation.models", 1))
    assert layer_violation(Import("evaluation.selectors_cycles", "evaluation.services.cycles", 1))
    assert layer_violation(Import("programmes.support.selectors", "programmes.core.services.notifications", 1))
    assert feature_violation(Import("programmes.support.views.support", "programmes.matching.views", 1))
    assert feature_violation(Import("programmes.home.views.home", "programmes.support.forms.support", 1))
    assert feature_violation(Import("programmes.home.selectors.figures", "programmes.support.models.support", 1))
    assert not feature_violation(Import("programmes.support.views.support", "programmes.matching.services.pairing", 1))
    assert not feature_violation(Import("programmes.support.models.sessions", "programmes.matching.models", 1))
    assert not feature_violation(Import("programmes.design.views.design", "programmes.core.permissions", 1))
