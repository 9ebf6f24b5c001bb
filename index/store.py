"""An index is a folder of plain files plus manifest.json; build writes it atomically, load validates it.

Folder layout (all rows aligned with articles.jsonl):
    manifest.json        format version, model, tokenizer, corpus fingerprint, counts, file checksums
    articles.jsonl       the article table (row i = article i)
    regulations.json     regulation facts and ingest warnings
    glossary.jsonl       defined terms;  crossrefs.jsonl  links between articles
    bm25_tokens.jsonl    jieba tokens of row i
    bm25/                the BM25 index as bm25s saves it (params.index.json, vocab.index.json, data/indices/
                         indptr .npy), loaded with bm25s' load instead of being rebuilt at every load
    dense.faiss          inner-product FAISS index over normalized passage vectors
    dense_rows.npy       article row of each dense vector (an article's first vector is the whole
                         article, the others its sentences);  dense_hashes.json  passage text hashes
    calibration.npy      (only with a CalibratedEncoder) row i = article i's whole-article vector from the
                         calibration model, whose cosines abstention and citation thresholds are set on;
                         calibration_hashes.json  their passage text hashes
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from core import paths
from core.events import BUILD, NOTICE, WAIT, Progress, emit
from core.files import sha256_file
from index.lexical import BM25_FILES, Lexical
from index.tokenize import make_tokenizer, tokenizer_fingerprint
from ingest import Article, Corpus, CrossRef, GlossaryEntry, Paragraph, Problem, Regulation

FORMAT_VERSION = 6  # 3: bm25s persisted, keys on glossary and cross-references; 4: versions, units, tiers, law references;
# 5: the glossary holds laws' definitions (本法所称X，是指…), which version 4 missed; 6: chapter headings written
# without 第X章 (未成年人网络保护条例) are chapters, no longer their previous article's last paragraph
PASSAGE_FORMAT = "article-and-sentences-v2"
# every index folder holds these files, each with its checksum in the manifest
INDEX_FILES = ("articles.jsonl", "regulations.json", "glossary.jsonl", "crossrefs.jsonl", "bm25_tokens.jsonl",
               "dense.faiss", "dense_rows.npy", "dense_hashes.json") + BM25_FILES
# manifest fields that load relies on: section -> keys
MANIFEST_FIELDS = {"model": ("name", "dim"), "tokenizer": ("fingerprint",), "corpus": ("folders", "files", "hash"),
                   "counts": ("articles",), "files": ()}


class IndexProblem(Exception):
    """The index cannot be used. `reason` is a code (see REASONS), `detail` the reason in Chinese, `command`
    the shell command that rebuilds the folder ('' when none applies); the message joins them."""

    def __init__(self, reason: str, detail: str, command: str = ""):
        self.reason, self.detail, self.command = reason, detail, command
        super().__init__(f"{detail}请运行 `{command}` 重建索引。" if command else detail)


REASONS = ("missing", "no_manifest", "manifest_damaged", "format", "incomplete", "file_missing", "checksum",
           "tokenizer", "passage_format", "model", "calibration_model", "corpus_missing", "corpus_changed",
           "unreadable", "inconsistent", "busy", "empty_corpus")


@dataclass(frozen=True)
class ModelRef:
    """The name and dimension of the model an index's vectors come from."""

    name: str
    dim: int


@dataclass(frozen=True)
class IndexManifest:
    """manifest.json, typed: what must match at load time, what was built, and each file's checksum."""

    format_version: int
    created_at: str
    model: ModelRef
    calibration_model: ModelRef | None
    passage_format: str
    tokenizer_fingerprint: str
    corpus_folders: tuple[str, ...]
    corpus_files: dict[str, str]  # raw file path -> sha256
    corpus_hash: str
    counts: dict[str, int]  # regulations, articles, passages, glossary, crossrefs
    build: dict[str, float]  # seconds per step and how many passages were encoded
    files: dict[str, str]  # index file -> sha256

    @classmethod
    def from_json(cls, raw: dict) -> "IndexManifest":
        calibration = raw.get("calibration_model")
        return cls(format_version=int(raw["format_version"]), created_at=str(raw.get("created_at", "")),
                   model=ModelRef(str(raw["model"]["name"]), int(raw["model"]["dim"])),
                   calibration_model=ModelRef(str(calibration["name"]), int(calibration["dim"])) if calibration else None,
                   passage_format=str(raw.get("passage_format")),
                   tokenizer_fingerprint=str(raw["tokenizer"]["fingerprint"]),
                   corpus_folders=tuple(raw["corpus"]["folders"]), corpus_files=dict(raw["corpus"]["files"]),
                   corpus_hash=str(raw["corpus"]["hash"]), counts=dict(raw["counts"]), build=dict(raw.get("build", {})),
                   files=dict(raw["files"]))

    def to_json(self) -> dict:
        return {"format_version": self.format_version, "created_at": self.created_at,
                "model": dataclasses.asdict(self.model),
                "calibration_model": dataclasses.asdict(self.calibration_model) if self.calibration_model else None,
                "passage_format": self.passage_format,
                "tokenizer": {"name": "jieba-search", "fingerprint": self.tokenizer_fingerprint},
                "corpus": {"folders": list(self.corpus_folders), "files": self.corpus_files, "hash": self.corpus_hash},
                "counts": self.counts, "build": self.build, "files": self.files}


@dataclass(frozen=True)
class IndexData:
    """A loaded and validated index folder."""

    path: Path
    manifest: IndexManifest
    regulations: tuple[Regulation, ...]
    articles: tuple[Article, ...]
    glossary: tuple[GlossaryEntry, ...]
    crossrefs: tuple[CrossRef, ...]
    problems: tuple[Problem, ...]
    bm25_tokens: list[list[str]]
    lexical: Lexical  # the persisted BM25 index (bm25s)
    dense: object  # faiss.Index
    dense_rows: np.ndarray
    calibration: np.ndarray | None = None  # (articles, dim) calibration-model vectors, when built with one

    @cached_property
    def row_of_key(self) -> dict[str, int]:
        """Each article's row, by its key."""
        return {a.key: row for row, a in enumerate(self.articles)}

    @cached_property
    def passages_of_row(self) -> list[np.ndarray]:
        """Each article row's passage ids in the dense index, the whole article first (passages are stored article by
        article); computed once per loaded index."""
        order = np.argsort(self.dense_rows, kind="stable")
        bounds = np.searchsorted(self.dense_rows[order], np.arange(len(self.articles) + 1))
        return [order[bounds[row]:bounds[row + 1]].astype(np.int64) for row in range(len(self.articles))]

    def article_vector(self, row: int) -> np.ndarray:
        """The dense side's whole-article vector of an article row."""
        return self.dense.reconstruct(int(self.passages_of_row[row][0]))


_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


def sentences_of(text: str) -> list[str]:
    """An article's sentences as the dense side embeds them (clauses of six characters or more)."""
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) >= 6]


def passage_texts(article: Article) -> list[str]:
    """What the dense side embeds for one article, title, chapter and label before each text: first the
    whole article, then each of its sentences when it has more than one (a plain-language question often
    matches one clause better than the whole article; see retrieval.Retriever.dense_ranking)."""
    head = f"{article.regulation}　{article.chapter}　{article.label}"
    sentences = sentences_of(article.text)
    return [f"{head}：{article.text}"] + ([f"{head}：{s}" for s in sentences] if len(sentences) > 1 else [])


def corpus_fingerprint(folders: list[Path]) -> dict:
    """The raw files an index was built from, with their checksums (manifest.json included)."""
    from ingest import MANIFEST, SUFFIXES

    files = {}
    for folder in folders:
        for path in sorted(Path(folder).iterdir()):
            if path.is_file() and (path.suffix.lower() in SUFFIXES or path.name == MANIFEST):
                files[str(path.resolve())] = sha256_file(path)
    combined = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
    return {"folders": [str(Path(f).resolve()) for f in folders], "files": files, "hash": combined}


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@contextmanager
def build_lock(out_dir: Path, wait: bool = True, progress: Progress | None = None):
    """An exclusive lock per index folder (across processes), so two builds never race.

    Args:
        wait: wait for the other build to finish (saying so through progress), else raise IndexProblem.
    """
    out_dir = Path(out_dir)
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IndexProblem("busy", f"另一个进程正在构建索引 {out_dir}，请稍后再试。") from None
            emit(progress, WAIT, f"另一个进程正在构建索引 {out_dir}，等待其完成…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _leftovers(out_dir: Path, kind: str) -> list[Path]:
    """Sibling folders a build of out_dir makes: 'tmp' (staging) or 'old' (the retired index)."""
    prefix = f".{out_dir.name}.{kind}-"
    if not out_dir.parent.is_dir():
        return []
    return sorted(p for p in out_dir.parent.iterdir() if p.name.startswith(prefix) and p.is_dir())


def _clear_leftovers(out_dir: Path, progress: Progress | None) -> None:
    """Remove what killed builds left next to the index folder; call with the build lock held.

    A build killed between its two renames leaves no index folder but the retired one: that is put back.
    """
    staged = _leftovers(out_dir, "tmp")
    retired = sorted(_leftovers(out_dir, "old"), key=lambda p: p.stat().st_mtime)
    if not out_dir.exists() and retired and (retired[-1] / "manifest.json").is_file():
        os.rename(retired.pop(), out_dir)
        emit(progress, NOTICE, f"已恢复上次构建中断前的索引：{out_dir}")
    for leftover in staged + retired:
        shutil.rmtree(leftover, ignore_errors=True)
    if staged:
        emit(progress, NOTICE, f"已清理中断的构建留下的临时目录：{'、'.join(p.name for p in staged)}")


def _previous_vectors(out_dir: Path, model_name: str, section: str = "model", vectors_file: str = "dense.faiss",
                      hashes_file: str = "dense_hashes.json") -> dict[str, np.ndarray]:
    """Vectors of the index being replaced, by passage hash, so unchanged passages are not re-encoded:
    the ranking model's (dense.faiss) or, with section 'calibration_model', the calibration model's.

    Only vectors whose files still match the manifest's checksums are trusted: a damaged index gives none.
    """
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        if (manifest.get(section) or {}).get("name") != model_name:
            return {}
        if any(sha256_file(out_dir / name) != manifest["files"][name] for name in (vectors_file, hashes_file)):
            return {}
        if vectors_file.endswith(".faiss"):
            import faiss

            index = faiss.read_index(str(out_dir / vectors_file))
            vectors = index.reconstruct_n(0, index.ntotal)
        else:
            vectors = np.load(out_dir / vectors_file, allow_pickle=False)
        hashes = json.loads((out_dir / hashes_file).read_text(encoding="utf-8"))
        if len(hashes) != len(vectors):
            return {}
        return dict(zip(hashes, vectors))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RuntimeError):
        return {}


def _encode_reusing(texts: list[str], model_name: str, encode, cached: dict[str, np.ndarray], what: str,
                    progress: Progress | None, batch: int = 64) -> tuple[np.ndarray, list[str], int]:
    """(vectors, passage hashes, how many were encoded) for texts: cached vectors where the hash matches,
    the rest encoded with encode(texts, 'passage') in batches.

    A text that occurs more than once (the same article in two versions or two regulations) is encoded once,
    and the texts go to the encoder longest first, so each batch holds texts of similar length.
    """
    hashes = [hashlib.sha1(f"{model_name}\n{text}".encode()).hexdigest() for text in texts]
    first = {}
    for i, h in enumerate(hashes):
        if h not in cached:
            first.setdefault(h, i)
    todo = sorted(first.values(), key=lambda i: (-len(texts[i]), i))
    emit(progress, BUILD, f"正在编码{what}：{len(todo)} 段（{len(texts) - len(todo)} 段沿用已有向量或与他段相同）…",
         done=0, total=len(todo))
    encoded: dict[str, np.ndarray] = {}
    for start in range(0, len(todo), batch):
        chunk = todo[start:start + batch]
        for i, vector in zip(chunk, encode([texts[i] for i in chunk], "passage")):
            encoded[hashes[i]] = vector
        emit(progress, BUILD, f"正在编码{what}：{min(start + batch, len(todo))}/{len(todo)}",
             done=min(start + batch, len(todo)), total=len(todo))
    rows = [cached[h] if h in cached else encoded[h] for h in hashes]
    return np.stack(rows).astype(np.float32), hashes, len(todo)


def build(corpus: Corpus, out_dir: Path, encoder, corpus_folders: list[Path],
          progress: Progress | None = None) -> Path:
    """Build the index folder for a corpus: tokens, vectors, tables, manifest; atomically.

    Args:
        encoder: anything with ``name``, ``dim`` and ``encode(texts, kind)``.
        corpus_folders: the folders the corpus was read from (their files are fingerprinted).
    """
    import faiss

    out_dir = Path(out_dir)
    if not corpus.articles:
        raise IndexProblem("empty_corpus", "没有可索引的条文：" + "；".join(p.message for p in corpus.errors[:3]))
    with build_lock(out_dir, progress=progress):
        _clear_leftovers(out_dir, progress)
        timings = {}
        staging = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
        staging.mkdir(parents=True)
        try:
            # 1. tables
            started = time.perf_counter()
            _write_jsonl(staging / "articles.jsonl", (dataclasses.asdict(a) for a in corpus.articles))
            (staging / "regulations.json").write_text(json.dumps({
                "regulations": [dataclasses.asdict(r) for r in corpus.regulations],
                "problems": [dataclasses.asdict(p) for p in corpus.problems]}, ensure_ascii=False, indent=1),
                encoding="utf-8")
            _write_jsonl(staging / "glossary.jsonl", (dataclasses.asdict(g) for g in corpus.glossary))
            _write_jsonl(staging / "crossrefs.jsonl", (dataclasses.asdict(c) for c in corpus.crossrefs))

            # 2. lexical side: jieba tokens of title, jurisdiction, chapter and text
            emit(progress, BUILD, f"正在分词：{len(corpus.articles)} 条条文…")
            tokenize = make_tokenizer()
            tokens = [tokenize(lexical_text(a)) for a in corpus.articles]
            _write_jsonl(staging / "bm25_tokens.jsonl", tokens)
            Lexical(tokens).save(staging)
            timings["bm25_s"] = round(time.perf_counter() - started, 3)

            # 3. dense side: encode passages not already encoded by the previous index
            started = time.perf_counter()
            passages, rows = [], []
            for row, article in enumerate(corpus.articles):
                for text in passage_texts(article):
                    passages.append(text)
                    rows.append(row)
            vectors, hashes, timings["encoded"] = _encode_reusing(
                passages, encoder.name, encoder.encode, _previous_vectors(out_dir, encoder.name), "向量", progress)
            dense = faiss.IndexFlatIP(encoder.dim)
            dense.add(vectors)
            faiss.write_index(dense, str(staging / "dense.faiss"))
            np.save(staging / "dense_rows.npy", np.asarray(rows, dtype=np.int32))
            (staging / "dense_hashes.json").write_text(json.dumps(hashes), encoding="utf-8")
            timings["dense_s"] = round(time.perf_counter() - started, 3)
            calibration_name = getattr(encoder, "calibration_name", None)
            if calibration_name:
                started = time.perf_counter()
                previous = _previous_vectors(out_dir, calibration_name, "calibration_model", "calibration.npy",
                                             "calibration_hashes.json")
                calibration, hashes, timings["calibration_encoded"] = _encode_reusing(
                    [passage_texts(article)[0] for article in corpus.articles], calibration_name,
                    encoder.encode_calibration, previous, "校准向量", progress)
                np.save(staging / "calibration.npy", calibration, allow_pickle=False)
                (staging / "calibration_hashes.json").write_text(json.dumps(hashes), encoding="utf-8")
                timings["calibration_s"] = round(time.perf_counter() - started, 3)

            # 4. manifest with checksums of every file, then swap the folder into place
            files = {p.name: sha256_file(p) for p in sorted(staging.iterdir())}
            fingerprint = corpus_fingerprint(corpus_folders)
            manifest = IndexManifest(
                format_version=FORMAT_VERSION, created_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                model=ModelRef(encoder.name, encoder.dim),
                calibration_model=ModelRef(calibration_name, int(calibration.shape[1])) if calibration_name else None,
                passage_format=PASSAGE_FORMAT, tokenizer_fingerprint=tokenizer_fingerprint(),
                corpus_folders=tuple(fingerprint["folders"]), corpus_files=fingerprint["files"],
                corpus_hash=fingerprint["hash"],
                counts={"regulations": len(corpus.regulations), "articles": len(corpus.articles),
                        "passages": len(passages), "glossary": len(corpus.glossary), "crossrefs": len(corpus.crossrefs)},
                build=timings, files=files).to_json()
            (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                                   encoding="utf-8")
            retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
            if out_dir.exists():
                os.rename(out_dir, retired)
            os.rename(staging, out_dir)
            shutil.rmtree(retired, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    emit(progress, BUILD, f"索引已建立：{len(corpus.articles)} 条条文，{len(passages)} 段向量。",
         done=len(passages), total=len(passages))
    return out_dir


def lexical_text(article: Article) -> str:
    """What BM25 indexes: the regulation's title and jurisdiction, the chapter and the text."""
    return f"{article.regulation} {article.jurisdiction} {article.chapter} {article.text}"


def _article(row: dict) -> Article:
    row = dict(row)
    row["paragraphs"] = tuple(Paragraph(p["text"], tuple(p["items"])) for p in row["paragraphs"])
    row["span"] = tuple(row["span"])
    row["notes"] = tuple(row["notes"])
    return Article(**row)


def _regulation(row: dict) -> Regulation:
    return Regulation(**{**row, "chapters": tuple(row["chapters"])})


def recorded_folders(index_dir: Path) -> list[Path] | None:
    """The corpus folders the index's manifest says it was built from; None when it cannot be read."""
    try:
        folders = json.loads((Path(index_dir) / "manifest.json").read_text(encoding="utf-8"))["corpus"]["folders"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(folders, list) or not folders or not all(isinstance(f, str) for f in folders):
        return None
    return [Path(f) for f in folders]


def rebuild_command(index_dir: Path) -> str:
    """The shell command that rebuilds this index folder from the corpus folders it was built from."""
    index_dir = Path(index_dir)
    words = [".venv/bin/python", "-m", "index", "build"]
    folders = recorded_folders(index_dir)
    if folders and [f.resolve() for f in folders] != [f.resolve() for f in paths.DEFAULT_FOLDERS]:
        for folder in folders:
            words += ["--corpus", str(folder)]
    if index_dir.resolve() != paths.default_index_dir().resolve():
        words += ["--out", str(index_dir)]
    return shlex.join(words)


def _problem(index_dir: Path, reason: str, detail: str) -> IndexProblem:
    """An IndexProblem with the command that rebuilds the folder."""
    return IndexProblem(reason, detail, rebuild_command(index_dir))


def read_manifest(index_dir: Path) -> dict:
    """The manifest of an index folder, or IndexProblem saying what is wrong."""
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        interrupted = bool(_leftovers(index_dir, "old"))
        raise _problem(index_dir, "missing", f"索引不存在：{index_dir}。"
                       + ("（上次构建在替换索引时被中断，重建时会先恢复原索引。）" if interrupted else ""))
    try:
        manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _problem(index_dir, "no_manifest", f"索引缺少 manifest.json（可能是构建被中断）：{index_dir}。") from None
    except (ValueError, OSError) as err:
        raise _problem(index_dir, "manifest_damaged", f"索引的 manifest.json 已损坏（{err}）。") from None
    if not isinstance(manifest, dict):
        raise _problem(index_dir, "manifest_damaged", "索引的 manifest.json 已损坏（不是 JSON 对象）。")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _problem(index_dir, "format", f"索引格式版本为 {manifest.get('format_version')}，当前程序需要 {FORMAT_VERSION}。")
    for section, keys in MANIFEST_FIELDS.items():
        value = manifest.get(section)
        absent = [key for key in keys if key not in value] if isinstance(value, dict) else [""]
        if absent:
            raise _problem(index_dir, "incomplete", f"索引的 manifest.json 不完整：缺少 {section}{'.' if absent[0] else ''}{absent[0]}。")
    unlisted = [name for name in INDEX_FILES if name not in manifest["files"]]
    if unlisted:
        raise _problem(index_dir, "incomplete", f"索引的 manifest.json 未记录文件 {'、'.join(unlisted)} 的校验和。")
    if any(Path(name).name != name or name in ("", ".", "..") for name in manifest["files"]):
        raise _problem(index_dir, "manifest_damaged", "索引的 manifest.json 记录了索引目录以外的文件。")
    return manifest


def check(index_dir: Path, model_name: str | None = None, check_corpus: bool = True,
          calibration_name: str | None = None) -> IndexManifest:
    """Validate an index folder without loading it: files, checksums, tokenizer, model, corpus.

    Returns the manifest; raises IndexProblem with the reason and how to rebuild.
    """
    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    for name, digest in manifest.get("files", {}).items():
        path = index_dir / name
        if not path.is_file():
            raise _problem(index_dir, "file_missing", f"索引文件缺失：{name}。")
        if sha256_file(path) != digest:
            raise _problem(index_dir, "checksum", f"索引文件已损坏（校验和不符）：{name}。")
    if manifest["tokenizer"]["fingerprint"] != tokenizer_fingerprint():
        raise _problem(index_dir, "tokenizer", "分词器或用户词典已更改，索引与之不符。")
    if manifest.get("passage_format") != PASSAGE_FORMAT:
        raise _problem(index_dir, "passage_format", f"索引的向量段落格式为“{manifest.get('passage_format')}”，当前程序使用“{PASSAGE_FORMAT}”。")
    if model_name is not None and manifest["model"]["name"] != model_name:
        raise _problem(index_dir, "model", f"索引使用的嵌入模型是“{manifest['model']['name']}”，当前配置的是“{model_name}”。")
    built_calibration = (manifest.get("calibration_model") or {}).get("name")
    if calibration_name is not None and built_calibration != calibration_name:
        raise _problem(index_dir, "calibration_model", f"索引的校准模型是“{built_calibration or '无'}”，当前配置的是“{calibration_name}”。")
    unlisted = [name for name in ("calibration.npy", "calibration_hashes.json") if name not in manifest["files"]]
    if manifest.get("calibration_model") and unlisted:
        raise _problem(index_dir, "incomplete", f"索引的 manifest.json 未记录文件 {'、'.join(unlisted)} 的校验和。")
    if check_corpus:
        built = manifest["corpus"]
        folders = [Path(f) for f in built["folders"]]
        missing = [str(f) for f in folders if not f.is_dir()]
        if missing:
            raise _problem(index_dir, "corpus_missing", f"建立索引时使用的法规目录不存在了：{'、'.join(missing)}。")
        now = corpus_fingerprint(folders)
        if now["hash"] != built["hash"]:
            changed = sorted(set(now["files"].items()) ^ set(built["files"].items()))
            names = sorted({Path(path).name for path, _ in changed})
            raise _problem(index_dir, "corpus_changed", f"法规文件已更改，索引已过期：{'、'.join(names[:5])}。")
    try:
        return IndexManifest.from_json(manifest)
    except (KeyError, TypeError, ValueError) as err:
        raise _problem(index_dir, "incomplete", f"索引的 manifest.json 不完整（{type(err).__name__}: {err}）。") from None


def load_for(index_dir: Path, encoder, check_corpus: bool = True) -> IndexData:
    """Load an index that must have been built with this encoder (and its calibration model, if any)."""
    return load(index_dir, encoder.name, check_corpus, getattr(encoder, "calibration_name", None))


def load(index_dir: Path, model_name: str | None = None, check_corpus: bool = True,
         calibration_name: str | None = None) -> IndexData:
    """Load a validated index folder (see ``check``)."""
    import faiss

    index_dir = Path(index_dir)
    manifest = check(index_dir, model_name, check_corpus, calibration_name)
    try:
        facts = json.loads((index_dir / "regulations.json").read_text(encoding="utf-8"))
        articles = tuple(_article(r) for r in _read_jsonl(index_dir / "articles.jsonl"))
        data = IndexData(
            path=index_dir, manifest=manifest,
            regulations=tuple(_regulation(r) for r in facts["regulations"]),
            articles=articles,
            glossary=tuple(GlossaryEntry(**g) for g in _read_jsonl(index_dir / "glossary.jsonl")),
            crossrefs=tuple(CrossRef(**c) for c in _read_jsonl(index_dir / "crossrefs.jsonl")),
            problems=tuple(Problem(**p) for p in facts["problems"]),
            bm25_tokens=_read_jsonl(index_dir / "bm25_tokens.jsonl"),
            lexical=Lexical.load(index_dir),
            dense=faiss.read_index(str(index_dir / "dense.faiss")),
            dense_rows=np.load(index_dir / "dense_rows.npy", allow_pickle=False),
            calibration=(np.load(index_dir / "calibration.npy", allow_pickle=False)
                         if manifest.calibration_model else None),
        )
    except (KeyError, TypeError, ValueError, RuntimeError, OSError) as err:
        raise _problem(index_dir, "unreadable", f"索引内容无法读取（{type(err).__name__}: {err}）。") from None
    rows = data.dense_rows
    if len(data.articles) != manifest.counts["articles"] or len(data.bm25_tokens) != len(data.articles) \
            or data.lexical.size != len(data.articles) \
            or data.dense.ntotal != len(rows) or data.dense.d != manifest.model.dim \
            or (len(rows) and (rows.min() < 0 or rows.max() >= len(data.articles))) \
            or (data.calibration is not None and data.calibration.shape
                != (len(data.articles), manifest.calibration_model.dim)):
        raise _problem(index_dir, "inconsistent", "索引各文件的行数或维度不一致。")
    return data
