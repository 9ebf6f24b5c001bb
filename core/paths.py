"""The one module that reads the environment and knows where the project's files live.

Environment variables (all optional):
    REGQA_HOME           cache folder for models, the default index, added regulations (~/.cache/regqa)
    REGQA_MODEL_DIR      one local sentence-transformers folder that ranks and calibrates instead of the shipped pair
    REGQA_ENCODER        how the models encode: 'fast' (the default: models.engine), 'reference' (float32, the engine
                         before issue 17) or 'sentence-transformers' (through sentence-transformers)
    REGQA_INDEX_DIR      the index folder the app serves instead of the default one
    REGQA_ADMIN_PASSWORD enables the app's 管理 tab
    GRADIO_SERVER_PORT   the app's port (7860)
Nothing else in the product reads os.environ (the test for import arrows checks it).
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = ROOT / "data" / "regulations"  # the five regional regulations, unchanged
NATIONAL_PACK = ROOT / "data" / "packs" / "national-data"  # 12 national laws and regulations, unchanged
DEFAULT_FOLDERS = (BUNDLED_CORPUS, NATIONAL_PACK)  # the default corpus (the administrator's folder comes on top)
TRAINING_PAIRS = ROOT / "models" / "training" / "pairs.jsonl"  # the shipped ranking model's training data
READER_PAIRS = ROOT / "models" / "training" / "reader_pairs.jsonl"  # the answerability reader's training data


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def home() -> Path:
    """`$REGQA_HOME`, else ~/.cache/regqa."""
    value = _env("REGQA_HOME")
    return Path(value).expanduser() if value else Path.home() / ".cache" / "regqa"


def models_dir(cache: Path | None = None) -> Path:
    return (Path(cache) if cache is not None else home()) / "models"


def default_index_dir() -> Path:
    return home() / "index" / "default"


def user_regulations_dir() -> Path:
    """The administrator's added regulations (library.UserCorpus)."""
    return home() / "user_regulations"


def jieba_cache_dir() -> Path:
    return home() / "jieba"


def model_dir_override() -> Path | None:
    """`$REGQA_MODEL_DIR`: one model folder that ranks and calibrates."""
    value = _env("REGQA_MODEL_DIR")
    return Path(value).expanduser() if value else None


def encoder_backend() -> str:
    """`$REGQA_ENCODER`: 'sentence-transformers' ('st'), 'reference' ('native-fp32', 'fp32'), else 'fast'."""
    value = _env("REGQA_ENCODER").lower()
    if value in ("sentence-transformers", "st"):
        return "sentence-transformers"
    return "reference" if value in ("reference", "native-fp32", "fp32") else "fast"


def threads_capped() -> bool:
    """Whether the user capped torch's threads (OMP_NUM_THREADS)."""
    return "OMP_NUM_THREADS" in os.environ


def index_dir_override() -> Path | None:
    """`$REGQA_INDEX_DIR`: the index folder the app serves."""
    value = _env("REGQA_INDEX_DIR")
    return Path(value).expanduser() if value else None


def admin_password() -> str:
    return os.environ.get("REGQA_ADMIN_PASSWORD", "")


def server_port_setting() -> str:
    """GRADIO_SERVER_PORT as set ('' when unset); app.port_problem says whether it can serve."""
    return _env("GRADIO_SERVER_PORT")


def server_port() -> int:
    return int(server_port_setting() or "7860")


def quiet_gradio() -> None:
    """Turn gradio's usage analytics off (nothing may call out from here) unless the user set it."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
