"""Safety: no code path unpickles or evaluates data, and names given by users never become paths outside
their folder."""
from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", ".git", "node_modules", "__pycache__", "test-artifacts"}
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "marshal", "shelve"}
UNSAFE_BUILTINS = {"eval", "exec", "compile", "__import__"}


def unsafe_uses(source: str) -> list[str]:
    """What in a module's source could run code hidden in data: pickle-like modules, eval/exec, numpy or
    torch loads that allow pickles, yaml.load with a full loader. One 'line: what' entry per finding."""
    findings = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            findings += [f"{node.lineno}: import {name}" for name in names if name.split(".")[0] in UNSAFE_MODULES]
        elif isinstance(node, ast.Call):
            function = node.func
            keywords = {k.arg: k.value for k in node.keywords}
            if isinstance(function, ast.Name) and function.id in UNSAFE_BUILTINS:
                findings.append(f"{node.lineno}: {function.id}()")
            elif isinstance(function, ast.Attribute):
                owner = function.value.id if isinstance(function.value, ast.Name) else ""
                call = f"{owner}.{function.attr}"
                pickles = keywords.get("allow_pickle")
                if function.attr == "load" and owner in ("np", "numpy") and not (
                        isinstance(pickles, ast.Constant) and pickles.value is False):
                    findings.append(f"{node.lineno}: {call} without allow_pickle=False")
                weights_only = keywords.get("weights_only")
                if call == "torch.load" and not (isinstance(weights_only, ast.Constant) and weights_only.value is True):
                    findings.append(f"{node.lineno}: torch.load without weights_only=True")
                if call in ("yaml.load", "yaml.load_all", "yaml.unsafe_load"):
                    findings.append(f"{node.lineno}: {call}")
                if owner in UNSAFE_MODULES:
                    findings.append(f"{node.lineno}: {call}")
            for keyword in node.keywords:
                if keyword.arg == "allow_pickle" and not (isinstance(keyword.value, ast.Constant)
                                                          and keyword.value.value is False):
                    findings.append(f"{node.lineno}: allow_pickle={ast.unparse(keyword.value)}")
    return sorted(set(findings))


def project_sources() -> list[Path]:
    return sorted(path for path in ROOT.rglob("*.py")
                  if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts))


@pytest.mark.parametrize("source, found", [
    ("import pickle\npickle.loads(b'')", ["1: import pickle", "2: pickle.loads"]),
    ("from joblib import load", ["1: import joblib"]),
    ("eval(text)", ["1: eval()"]),
    ("exec(compile(text, 'x', 'exec'))", ["1: compile()", "1: exec()"]),
    ("np.load(path)", ["1: np.load without allow_pickle=False"]),
    ("np.load(path, allow_pickle=True)", ["1: allow_pickle=True", "1: np.load without allow_pickle=False"]),
    ("torch.load(path)", ["1: torch.load without weights_only=True"]),
    ("yaml.load(text, Loader=yaml.Loader)", ["1: yaml.load"]),
    ("np.load(path, allow_pickle=False)\ntorch.load(p, weights_only=True)\nyaml.safe_load(t)\nre.compile('x')", []),
])
def test_the_checker_finds_unsafe_uses(source, found):
    assert unsafe_uses(source) == found


def test_no_source_file_unpickles_or_evaluates_data():
    sources = project_sources()
    assert ROOT / "index" / "store.py" in sources and ROOT / "app.py" in sources
    findings = {str(path.relative_to(ROOT)): unsafe_uses(path.read_text(encoding="utf-8")) for path in sources}
    assert {path: found for path, found in findings.items() if found} == {}


def test_index_folders_hold_no_pickles(tmp_path):
    from index import build
    from models.protocol import FakeEncoder
    from ingest import load_corpus

    (tmp_path / "regs").mkdir()
    (tmp_path / "regs" / "a.txt").write_text("甲市条例\n第一条　甲。\n", encoding="utf-8")
    build(load_corpus(tmp_path / "regs"), tmp_path / "index", FakeEncoder(), [tmp_path / "regs"])
    suffixes = sorted({path.suffix for path in (tmp_path / "index").iterdir()})
    assert suffixes == [".faiss", ".json", ".jsonl", ".npy"]


# ---------------------------------------------------------------- names given by users

HOSTILE_NAMES = ["../../escape.txt", "/etc/cron.d/escape.txt", "..\\..\\escape.txt", "sub/../../escape.md",
                 "~/escape.txt", "  .txt", "%2e%2e%2fescape.txt", "CON.txt"]
REGULATION = "山东省数据条例\n第一条　为了规范数据处理，制定本条例。\n第二条　本条例自2024年1月1日起施行。\n".encode()


@pytest.fixture()
def library(tmp_path):
    from library.user_corpus import UserCorpus

    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "a.txt").write_text("甲市条例\n第一条　甲。\n", encoding="utf-8")
    return UserCorpus(tmp_path / "box" / "user", tmp_path / "box" / "index", (bundled,))


def outside(tmp_path: Path) -> set[Path]:
    return {p for p in tmp_path.rglob("*") if "box" not in p.relative_to(tmp_path).parts}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_uploaded_file_names_never_become_paths(tmp_path, library, name):
    from models.protocol import FakeEncoder

    before = outside(tmp_path)
    library.add(REGULATION, name, {"title": "山东省数据条例"}, FakeEncoder())
    [added] = library.regulations()
    assert added.file == f"u_{hashlib.sha256(REGULATION).hexdigest()[:16]}{Path(name).suffix}"
    assert added.original_name == Path(name).name  # kept as text, for display only
    assert (library.folder / added.file).read_bytes() == REGULATION
    assert sorted(p.name for p in library.folder.iterdir()) == sorted([added.file, "manifest.json"])
    assert outside(tmp_path) == before and not Path("/etc/cron.d/escape.txt").exists()


def test_an_uploaded_name_hiding_another_type_is_refused(tmp_path, library):
    from models.protocol import FakeEncoder
    from library.user_corpus import Rejected

    with pytest.raises(Rejected, match="不支持的文件类型（.sh）"):
        library.add(REGULATION, "escape.txt\x00.sh", {"title": "山东省数据条例"}, FakeEncoder())
    assert not library.folder.exists() or sorted(p.name for p in library.folder.iterdir()) == []
