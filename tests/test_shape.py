"""The shape of the code: which package may import which (read from the source with ast), and who reads the
environment. A forbidden arrow fails here, before it becomes a habit."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("core", "ingest", "models", "index", "retrieval", "library", "app", "app_admin")
PROJECT = PRODUCT + ("eval", "bench", "tests")
# (importer, imported): arrows that must never appear, function-level imports included
FORBIDDEN = (
    [(package, other) for package in PRODUCT for other in ("eval", "bench", "tests")]
    + [("ingest", other) for other in ("index", "models", "retrieval", "library", "app", "app_admin")]
    + [("models", other) for other in ("ingest", "index", "retrieval", "library", "app", "app_admin")]
    + [("index", other) for other in ("retrieval", "app", "app_admin")]  # (its CLI reads library's folder list)
    + [("retrieval", other) for other in ("app", "app_admin")]
    + [("library", other) for other in ("retrieval", "app", "app_admin")]
    + [("core", other) for other in PROJECT if other != "core"]
    + [(app, "ingest") for app in ("app", "app_admin")]
)


def sources(package: str) -> list[Path]:
    single = ROOT / f"{package}.py"
    return [single] if single.is_file() else sorted((ROOT / package).rglob("*.py"))


def imported_packages(path: Path) -> set[str]:
    """The project's top-level packages a file imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(PROJECT)


def arrows() -> set[tuple[str, str]]:
    return {(package, other) for package in PRODUCT for path in sources(package)
            for other in imported_packages(path) if other != package}


def test_every_product_package_is_read():
    assert all(sources(package) for package in PRODUCT)
    assert ("retrieval", "index") in arrows()  # the reader sees real arrows


@pytest.mark.parametrize("arrow", FORBIDDEN, ids=lambda arrow: f"{arrow[0]}->{arrow[1]}")
def test_forbidden_import_arrow_is_absent(arrow):
    offenders = [str(path.relative_to(ROOT)) for path in sources(arrow[0]) if arrow[1] in imported_packages(path)]
    assert offenders == [], f"{arrow[0]} must not import {arrow[1]}: {offenders}"


def test_the_reader_catches_a_function_level_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from eval.gold import load_split\n    import bench.measure\n")
    assert imported_packages(module) == {"eval", "bench"}


def test_only_core_paths_reads_the_environment():
    readers = []
    for package in PRODUCT:
        for path in sources(package):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") \
                        and isinstance(node.value, ast.Name) and node.value.id == "os":
                    readers.append(str(path.relative_to(ROOT)))
    assert sorted(set(readers)) == ["core/paths.py"]
