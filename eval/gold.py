"""The gold question set: typed, validated records in JSON Lines."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ingest.records import article_key

GOLD_DIR = Path(__file__).resolve().parent / "gold"
# Each split's files. dev tunes settings; test and holdout only report. test was looked at during the first
# round of development; dev_former_holdout.jsonl was the first holdout, evaluated once and then used for
# tuning, and so was dev_former_holdout2.jsonl (eval/reports/holdout2.md is its one evaluation); holdout.jsonl
# was written after every setting was fixed, by a session that never ran the system. dev also trains the
# ranking model (models/training/pairs.jsonl, written by `python -m eval pairs`); test and holdout never do. holdout3.jsonl was written by a session that never
# ran the system, while the fine-tuned ranking model was being built, and evaluated once all settings were fixed.
SPLIT_FILES = {"dev": ("dev.jsonl", "dev_colloquial.jsonl", "dev_former_holdout.jsonl", "dev_former_holdout2.jsonl",
                       "dev_former_holdout4.jsonl"),
               "test": ("test.jsonl",), "holdout": ("holdout.jsonl",), "holdout3": ("holdout3.jsonl",),
               "holdout16": ("holdout16.jsonl",), "holdout17": ("holdout17.jsonl",),
               "holdout18": ("holdout18.jsonl",), "holdout19": ("holdout19.jsonl",),
               "holdout20": ("holdout20.jsonl",), "holdout21": ("holdout21.jsonl",),
               "holdout22": ("holdout22.jsonl",), "holdout23": ("holdout23.jsonl",),
               "holdout24": ("holdout24.jsonl",), "holdout25": ("holdout25.jsonl",),
               "holdout26": ("holdout26.jsonl",), "holdout27": ("holdout27.jsonl",),
               "holdout28": ("holdout28.jsonl",), "holdout29": ("holdout29.jsonl",),
               "holdout30": ("holdout30.jsonl",), "holdout31": ("holdout31.jsonl",),
               "holdout32": ("holdout32.jsonl",)}
SPLITS = tuple(name for name, files in SPLIT_FILES.items() if all((GOLD_DIR / f).is_file() for f in files))  # the five's (scored on those five alone); a holdout not yet written is left out
# The national pack's splits (pack_*.jsonl), scored on the default corpus (the five plus the pack): pack_dev
# tunes settings; pack_test reports; pack_holdout was written after the settings were fixed.
# holdout4 (five regulations) and pack_holdout2 (default corpus) were written for issue 16 by a session that never
# ran the system, after the answerability model was trained; each was evaluated once (eval/reports/holdout4.md,
# pack_holdout2.md) and has since joined dev (dev_former_holdout4.jsonl) and pack_dev
# (pack_dev_former_holdout2.jsonl). pack_dev trains the ranking model too (since issue 15's second round).
# holdout5 (five regulations, 70, 24 out of scope) and pack_holdout3 (default corpus, 70, 22 out of scope) were
# written by sessions that never ran the system, after the ranking model (dev + pack_dev), the answerability model
# (article_margin, no calibration model) and the citation thresholds of issue 17 were fixed; each evaluated once
# (eval/reports/holdout5.once.md, pack_holdout3.once.md) and looked at since. holdout6 (five, 60, 20 out of scope)
# and pack_holdout4 (default corpus, 60, 20 out of scope; each with 6 questions in traditional characters) were
# written the same way after the last settings of that session (questions read in mainland words, the answerability
# model retrained) were fixed; each evaluated once. Since the answerability reader (issue 16, seventh session) all four
# have joined answer_dev (answer_dev_former_*.jsonl), with dev_answerability2.jsonl (near-topic questions over the
# five) and dev_answerability3.jsonl (over the pack), written for it by sessions that never ran the system.
# holdout7 (five) and pack_holdout5 (default corpus) were written after the reader and the answerability model were
# fixed, by sessions that never ran the system; each evaluated once (eval/reports/holdout7.once.md,
# pack_holdout5.once.md), then joined answer_dev for the second round (the quantity-kind signal, the reader
# retrained). holdout8 and pack_holdout6 were written the same way after the second round's settings were fixed.
# holdout9 (five) and pack_holdout7 (default corpus) were written the same way (eighth session) after the absent-law
# gate and the Taiwan words were fixed, the answerability model and reader unchanged; each evaluated once
# (eval/reports/holdout9.once.md, pack_holdout7.once.md). Then all four joined answer_dev for the third round (the
# signals' model and the reader retrained on 280 more questions, 100 of them out of scope); holdout10 (five) and
# pack_holdout8 (default corpus) were written the same way after that round's settings were fixed; each evaluated once
# (eval/reports/holdout10.once.md, pack_holdout8.once.md). For the fourth round (ninth session) both joined
# answer_dev, with dev_answerability4.jsonl and dev_answerability5.jsonl (320 questions each, half near-topic out of
# scope, over both levels, written for it by eight sessions that never ran the system, each on its own regulations).
# holdout11 (five) and pack_holdout9 (default corpus) were written after that round's settings were fixed (the reader
# reading the closest sentences first, retrained; the signals' model refitted; read_below 0.6), by sessions that never
# ran the system and never saw the other questions; each evaluated once (eval/reports/holdout11.once.md,
# pack_holdout9.once.md).
# holdout12 (five) and pack_holdout10 (default corpus) were written (tenth session) after the other-place gate and the
# parallel provisions were fixed, the models and the answerability model unchanged, by sessions that never ran the
# system and never saw the other questions; each evaluated once (eval/reports/holdout12.once.md,
# pack_holdout10.once.md). Their out-of-scope questions answered, with holdout11's and pack_holdout9's, led to the
# reader reading questions that ask a specific detail or a quantity (retrieval.answerability.asks_detail), so none of
# the four is unseen for it. holdout13 (five) and pack_holdout11 (default corpus) were written the same way after
# that was fixed; each evaluated once (eval/reports/holdout13.once.md, pack_holdout11.once.md).
# For the fifth round (eleventh session) all six joined answer_dev (answer_dev_former_*.jsonl), with
# dev_answerability6.jsonl (480 questions, half near-topic out of scope, most of those asking a specific detail the
# nearest article does not state, and answerable ones asking a detail it does state; written for it by six sessions
# that never ran the system, each on its own regulations); the signals' model and the reader were refitted on them.
# holdout14 (five) and pack_holdout12 (default corpus) were written after that refit was fixed, by sessions that never
# ran the system and never saw the other questions; each evaluated once (eval/reports/holdout14.once.md,
# pack_holdout12.once.md).
# holdout15 (five) and pack_holdout13 (default corpus) were written (twelfth session) after the reader with every layer
# trained and its refitted steps were fixed (the reader's change chosen on answer_dev's out-of-fold figures alone), by
# sessions that never ran the system and never saw the other questions; each evaluated once
# (eval/reports/holdout15.once.md, pack_holdout13.once.md). holdout14 and pack_holdout12 trained nothing since their
# one evaluation, but their misses were read.
# For the sixth round (thirteenth session) all four joined answer_dev (answer_dev_former_*.jsonl), after the fusion
# weights were re-chosen on dev, pack_dev and answer_dev (retrieval.settings); the signals' model and the reader were
# refitted on them. holdout16 (five) and pack_holdout14 (default corpus) were written after that refit was fixed, by
# sessions that never ran the system and never saw the other questions; each evaluated once
# (eval/reports/holdout16.once.md, pack_holdout14.once.md).
# holdout17 (five) and pack_holdout15 (default corpus) were written (fourteenth session) after national articles were
# cited beside a named place's (retrieval.citing.answering_hits; chosen on pack_dev and answer_dev), the models and the
# answerability model unchanged, by sessions that never ran the system and never saw the other questions; each
# evaluated once (eval/reports/holdout17.once.md, pack_holdout15.once.md). holdout16 and pack_holdout14 trained
# nothing since their one evaluation, but their misses were read.
# holdout18 (five) and pack_holdout16 (default corpus) were written (fifteenth session) after the citation change of
# that session was fixed (the dense side's closest article cited, the question's own words counted; chosen on dev,
# pack_dev and answer_dev), the models and the answerability model unchanged, by sessions that never ran the system
# and never saw the other questions; each evaluated once (eval/reports/holdout18.once.md, pack_holdout16.once.md).
# pack_holdout17 (default corpus, 70, 25 out of scope) was written (sixteenth session) while the ranking model, the
# reader and the answerability step were retrained on the corrected 未成年人网络保护条例 chapters (that session's only
# change; no setting changed), by a session that never ran the system and never saw the other questions; evaluated
# once (eval/reports/pack_holdout17.once.md) after the retrained models and step were fixed. pack_holdout18 (default
# corpus, 70, 25 out of scope) was written the same way right after that one evaluation, with nothing changed in
# between, by another such session, to double the unseen sample of the same fixed system; evaluated once
# (eval/reports/pack_holdout18.once.md).
# pack_holdout19 and pack_holdout20 (default corpus, 70 each, 25 out of scope) were written (seventeenth session) right
# after that session's change was fixed (excerpts chosen with the ranking model's sentence cosines too, a lead-in
# quoted with its items, an article closest by one sentence cited; chosen on dev, pack_dev and answer_dev), the models
# and the answerability model unchanged, by two sessions that never ran the system and never saw the other questions;
# each evaluated once (eval/reports/pack_holdout19.once.md, pack_holdout20.once.md). pack_holdout17 and pack_holdout18
# trained nothing since their one evaluation, but their figures were read.
# pack_holdout21 and pack_holdout22 (default corpus, 70 each, 25 out of scope) were written (eighteenth session) right
# after that session's change was fixed (a question about a later change of a held law answered at most in part:
# retrieval.normalize.asks_later_change), the models and the answerability model unchanged, by two sessions that never
# ran the system and never saw the other questions; each evaluated once (eval/reports/pack_holdout21.once.md,
# pack_holdout22.once.md). pack_holdout19 and pack_holdout20 trained nothing since, but their misses were read.
# pack_holdout23 and pack_holdout24 (default corpus, 70 each, 25 out of scope) were written (eighteenth session) right
# after the next change was fixed (the reader also reads the national article beside a local best one:
# Settings.read_national, chosen on the pack's former holdouts pack_holdout14-22 and answer_dev), the models and the
# answerability model unchanged, by two more such sessions; each evaluated once (eval/reports/pack_holdout23.once.md,
# pack_holdout24.once.md).
# pack_holdout25 and pack_holdout26 (default corpus, 70 each, 25 out of scope) were written (nineteenth session) right
# after that session's change was fixed (the citation model: retrieval.cite_model, fitted on dev, pack_dev, the pack's
# former holdouts up to pack_holdout24 and answer_dev), the ranking, reader and answerability models unchanged, by two
# sessions that never ran the system and never saw the other questions; each evaluated once
# (eval/reports/pack_holdout25.once.md, pack_holdout26.once.md). pack_holdout27 (70, 25 out of scope) was written
# the same way by a third such session, started while the citation model's threshold was being chosen and finished
# after it was fixed (ids renumbered from PH25 to PH27, nothing else changed); evaluated once on the same system
# (eval/reports/pack_holdout27.once.md).
# pack_holdout28 and pack_holdout29 (default corpus, 70 each, 25 out of scope) were written (twentieth session) right
# after that session's change was fixed (a local regulation of a place the corpus holds no rules of, named without 《》,
# is an absent law; 个人数据 searched as 个人信息), the ranking, reader, answerability and citation models unchanged, by
# two sessions that never ran the system and never saw the other questions; pack_holdout29 asks as citizens type
# about their own data (short, everyday words: 住址, 手机号, 外卖, 快递). Each evaluated once
# (eval/reports/pack_holdout28.once.md, pack_holdout29.once.md).
# pack_holdout30 and pack_holdout31 (default corpus, 70 each, 25 out of scope) were written (twenty-first session)
# while the seventh round's models were trained, once its training data and every setting were fixed (the ranking
# model on eval.pairs.PACK_TRAINING_SPLITS, casual_dev2 in answer_dev; nothing chosen after), by two sessions that
# never ran the system and never saw other questions; pack_holdout31 asks as citizens type about their own data, as
# pack_holdout29 does. Each evaluated once after the models were trained (eval/reports/pack_holdout30.once.md,
# pack_holdout31.once.md).
# holdout19, holdout20 (five), pack_holdout32 and pack_holdout33 (default corpus), 70 each, 25 out of scope, were written
# (twenty-second session) by four sessions that never ran the system and never saw other questions, with every
# setting and model of the seventh round fixed (nothing changed after), to weigh answer keywords like for like:
# holdout19 and pack_holdout32 ask as before, holdout20 and pack_holdout33 as citizens type (short, everyday words).
# Decided before their one evaluation: the keyword clause of issue 15 holds if the two pack sets together carry the
# answer keywords at least as often as the two sets of the five together, less 0.02. holdout19's and holdout20's
# keywords copied from the 北京 file's traditional text were put into simplified characters (ingest.clean.to_simplified,
# as the corpus reads it) before that evaluation; nothing else was changed. Each evaluated once
# (eval/reports/<split>.once.md).
# After that evaluation (the pack's MRR@10 and the keyword rule missed; their misses were read) two citation and
# ranking settings were chosen on the dev splits (Settings.named_law_prior, Settings.national_parallel), the models
# unchanged. holdout21, holdout22 (five), pack_holdout34 and pack_holdout35 (default corpus), 70 each, 25 out of
# scope, were then written the same way, with the same briefs, by four more such sessions (holdout22 and
# pack_holdout35 as citizens type). Decided before their one evaluation: the same keyword rule over the four, and the
# issue's four numbered targets on pack_holdout34 and pack_holdout35 together. The 北京 keywords were put into
# simplified characters as above; nothing else was changed. Each evaluated once (eval/reports/<split>.once.md).
# After that evaluation (the keyword rule missed for the casual set; its misses were read) all four of that round's sets
# joined the dev splits, and two citation settings were chosen on the pack's splits and the casual sets, the models
# unchanged (Settings.current_parallel: before an article of the outdated 网络安全法 text, the current law's provision on
# the same matter; Settings.law_parallel: the same matter in another national law among the best three hits).
# holdout23, holdout24 (five), pack_holdout36 and pack_holdout37 (default corpus), 70 each, 25 out of scope, were then
# written (twenty-third session) the same way by four sessions that never ran the system, with briefs of the same
# content (holdout24 and pack_holdout37 as citizens type). Decided before their one evaluation: the same keyword rule
# over the four (the two pack sets' pooled keyword coverage at least the two five sets' less 0.02), and the issue's
# four numbered targets on pack_holdout36 and pack_holdout37 together. The 北京 keywords are put into simplified
# characters as above; nothing else is changed. Each evaluated once (eval/reports/<split>.once.md).
# After that evaluation (the keyword rule missed a third time, and the pack pair's out-of-scope target by one question;
# the misses were read) those four sets joined the dev splits, and one citation setting was chosen on the pack's splits
# the reader never trained on, the models unchanged (Settings.cite_reader: the best two hits the rules leave out are
# cited where the answerability reader takes them to answer). holdout25, holdout26 (five), pack_holdout38 and
# pack_holdout39 (default corpus), 70 each, 25 out of scope, were then written (twenty-fourth session) the same way by
# four sessions that never ran the system, with briefs of the same content (holdout26 and pack_holdout39 as citizens
# type). Decided before their one evaluation: the same keyword rule over the four (the two pack sets' pooled keyword
# coverage at least the two five sets' less 0.02), and the issue's four numbered targets on pack_holdout38 and
# pack_holdout39 together. The 北京 keywords are put into simplified characters as above; nothing else is changed.
# Each evaluated once (eval/reports/<split>.once.md).
# After that evaluation (the keyword rule missed a fourth time, and the pack pair's false abstentions by one question;
# the misses were read) those four sets joined the dev splits, and one setting was chosen on the pack's splits the
# reader never trained on, the models unchanged (Settings.cite_reader_ratio: the reader only reads a left-out hit
# scoring at least 0.75 of the best hit's, which keeps the answer's median near an unread question's). holdout27,
# holdout28 (five), pack_holdout40 and pack_holdout41 (default corpus), 70 each, 25 out of scope, were written
# (twenty-fifth session) the same way by four sessions that never ran the system, with briefs of the same content
# (holdout28 and pack_holdout41 as citizens type), and left unread until the setting was fixed. Decided before their
# one evaluation: the same keyword rule over the four (the two pack sets' pooled keyword coverage at least the two five
# sets' less 0.02), and the issue's four numbered targets on pack_holdout40 and pack_holdout41 together. The 北京
# keywords are put into simplified characters as above; nothing else is changed. Each evaluated once
# (eval/reports/<split>.once.md).
# After that evaluation (the keyword rule held; the pack pair's out-of-scope target missed, 44 of 50; the misses were
# read) those four sets joined the dev splits, and one reading of places was mended, the models and settings
# unchanged: 深圳经济特区 (one word to jieba) now names 深圳 (retrieval.normalize._PLACE_ENDINGS), so a question about
# the 深圳经济特区数据条例 finds that law absent. holdout29, holdout30 (five), pack_holdout42 and pack_holdout43
# (default corpus), 70 each, 25 out of scope, were then written (twenty-fifth session) the same way by four sessions
# that never ran the system, with briefs of the same content (holdout30 and pack_holdout43 as citizens type). Decided
# before their one evaluation: the same keyword rule over the four, and the four numbered targets on
# pack_holdout42 and pack_holdout43 together. The 北京 keywords are put into simplified characters as above; nothing
# else is changed. Each evaluated once (eval/reports/<split>.once.md).
# After that evaluation (the keyword rule missed; the pack pair's out-of-scope target missed again, 44 of 50; the misses
# were read) those four sets joined the dev splits, and three changes were made on all the dev questions, the models
# unchanged (twenty-sixth session): a question about an absent place's own rules is answered at most in part where
# national law is best (Settings.place_rules_gate); the reader reads a few more kinds of detail question
# (answerability._ASKS_DETAIL); where the decision answers and the citation rules find nothing, the best hit is cited
# (Settings.cite_decided_best); 网数条例 reaches 网络数据安全管理条例; and the evaluation counts the composed page's
# abstention. holdout31, holdout32 (five), pack_holdout44 and pack_holdout45 (default corpus), 70 each, 25 out of
# scope, were then written the same way by four sessions that never ran the system, with briefs of the same content
# (holdout32 and pack_holdout45 as citizens type). Decided before their one evaluation: the same keyword rule over the
# four, and the four numbered targets on pack_holdout44 and pack_holdout45 together. The 北京 keywords are put
# into simplified characters as above; nothing else is changed. Each evaluated once (eval/reports/<split>.once.md).
# casual_dev (casual_dev1.jsonl, casual_dev2.jsonl; default corpus, 100 each, 30 out of scope): questions asked the way
# citizens type about their own data, like pack_holdout29, written (twentieth session) by two sessions that never ran
# the system, for tuning (the first on online services, apps and fraud; the second on banks, hospitals, schools,
# estates, employers, government records, disclosure and e-signatures). Like answer_dev they are not among the pack's
# splits (`--split pack`).
# Seventh round (twenty-first session): the ranking model trains on pack_dev, the pack's former holdouts (pack_holdout,
# pack_holdout14-29, each evaluated once before) and casual_dev1 (eval.pairs.PACK_TRAINING_SPLITS); casual_dev2
# joined answer_dev, so the answerability model and the reader train on casual questions the ranking model never saw.
# From then on those holdouts are dev: their reports are no longer unseen figures.
# answer_dev (dev_answerability.jsonl): near-topic out-of-scope questions and hard answerable ones over both
# levels, written for issue 16; it trains the answerability model (never the ranking model).
PACK_SPLIT_FILES = {"pack_dev": ("pack_dev.jsonl", "pack_dev_former_holdout2.jsonl"), "pack_test": ("pack_test.jsonl",),
                    "pack_holdout": ("pack_holdout.jsonl",), "pack_holdout14": ("pack_holdout14.jsonl",),
                    "pack_holdout15": ("pack_holdout15.jsonl",), "pack_holdout16": ("pack_holdout16.jsonl",),
                    "pack_holdout17": ("pack_holdout17.jsonl",), "pack_holdout18": ("pack_holdout18.jsonl",),
                    "pack_holdout19": ("pack_holdout19.jsonl",), "pack_holdout20": ("pack_holdout20.jsonl",),
                    "pack_holdout21": ("pack_holdout21.jsonl",), "pack_holdout22": ("pack_holdout22.jsonl",),
                    "pack_holdout23": ("pack_holdout23.jsonl",), "pack_holdout24": ("pack_holdout24.jsonl",),
                    "pack_holdout25": ("pack_holdout25.jsonl",), "pack_holdout26": ("pack_holdout26.jsonl",),
                    "pack_holdout27": ("pack_holdout27.jsonl",), "pack_holdout28": ("pack_holdout28.jsonl",),
                    "pack_holdout29": ("pack_holdout29.jsonl",), "pack_holdout30": ("pack_holdout30.jsonl",),
                    "pack_holdout31": ("pack_holdout31.jsonl",), "pack_holdout32": ("pack_holdout32.jsonl",),
                    "pack_holdout33": ("pack_holdout33.jsonl",), "pack_holdout34": ("pack_holdout34.jsonl",),
                    "pack_holdout35": ("pack_holdout35.jsonl",), "pack_holdout36": ("pack_holdout36.jsonl",),
                    "pack_holdout37": ("pack_holdout37.jsonl",), "pack_holdout38": ("pack_holdout38.jsonl",),
                    "pack_holdout39": ("pack_holdout39.jsonl",), "pack_holdout40": ("pack_holdout40.jsonl",),
                    "pack_holdout41": ("pack_holdout41.jsonl",), "pack_holdout42": ("pack_holdout42.jsonl",),
                    "pack_holdout43": ("pack_holdout43.jsonl",), "pack_holdout44": ("pack_holdout44.jsonl",),
                    "pack_holdout45": ("pack_holdout45.jsonl",),
                    "casual_dev1": ("casual_dev1.jsonl",),
                    "answer_dev": ("dev_answerability.jsonl", "dev_answerability2.jsonl", "dev_answerability3.jsonl",
                                   "answer_dev_former_holdout5.jsonl", "answer_dev_former_holdout6.jsonl",
                                   "answer_dev_former_pack_holdout3.jsonl", "answer_dev_former_pack_holdout4.jsonl",
                                   "answer_dev_former_holdout7.jsonl", "answer_dev_former_pack_holdout5.jsonl",
                                   "answer_dev_former_holdout8.jsonl", "answer_dev_former_pack_holdout6.jsonl",
                                   "answer_dev_former_holdout9.jsonl", "answer_dev_former_pack_holdout7.jsonl",
                                   "answer_dev_former_holdout10.jsonl", "answer_dev_former_pack_holdout8.jsonl",
                                   "dev_answerability4.jsonl", "dev_answerability5.jsonl",
                                   "answer_dev_former_holdout11.jsonl", "answer_dev_former_pack_holdout9.jsonl",
                                   "answer_dev_former_holdout12.jsonl", "answer_dev_former_pack_holdout10.jsonl",
                                   "answer_dev_former_holdout13.jsonl", "answer_dev_former_pack_holdout11.jsonl",
                                   "dev_answerability6.jsonl",
                                   "answer_dev_former_holdout14.jsonl", "answer_dev_former_pack_holdout12.jsonl",
                                   "answer_dev_former_holdout15.jsonl", "answer_dev_former_pack_holdout13.jsonl",
                                   "casual_dev2.jsonl")}
PACK_SPLITS = tuple(name for name, files in PACK_SPLIT_FILES.items() if all((GOLD_DIR / f).is_file() for f in files))
ALL_SPLIT_FILES = {**SPLIT_FILES, **PACK_SPLIT_FILES}
KINDS = ("single", "multi_article", "cross_region", "cross_level", "definition", "penalty", "date_scope",
         "unanswerable")
PERSONAS = ("official", "citizen", "business", "evaluator")


class GoldError(ValueError):
    """A gold file that does not follow the schema; the message names the file and line."""


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    persona: str
    kind: str
    gold: tuple[tuple[str, int], ...]  # (regulation title, article number)
    answer_keywords: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    @property
    def gold_keys(self) -> tuple[str, ...]:
        return tuple(article_key(regulation, article) for regulation, article in self.gold)


def parse_line(line: str, where: str) -> GoldQuestion:
    try:
        row = json.loads(line)
        gold = tuple((str(g["regulation"]), int(g["article"])) for g in row.get("gold", []))
        question = GoldQuestion(id=str(row["id"]), question=str(row["question"]),
                                persona=str(row.get("persona", "evaluator")), kind=str(row.get("kind", "single")),
                                gold=gold, answer_keywords=tuple(row.get("answer_keywords", [])))
    except (ValueError, KeyError, TypeError) as err:
        raise GoldError(f"{where}：不是有效的金标问题（{type(err).__name__}: {err}）") from None
    if not question.question.strip():
        raise GoldError(f"{where}：question 为空")
    if question.kind not in KINDS:
        raise GoldError(f"{where}：kind “{question.kind}” 不在 {', '.join(KINDS)} 之中")
    if question.persona not in PERSONAS:
        raise GoldError(f"{where}：persona “{question.persona}” 不在 {', '.join(PERSONAS)} 之中")
    if (question.kind == "unanswerable") != (not question.gold):
        raise GoldError(f"{where}：unanswerable 的问题 gold 必须为空，其余问题 gold 不能为空")
    return question


def load_gold(path: Path) -> list[GoldQuestion]:
    """Read a gold file in the schema of README's evaluation section; ids must be unique."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise GoldError(f"无法读取金标文件 {path}：{err}") from None
    questions = [parse_line(line, f"{path.name} 第 {n} 行") for n, line in enumerate(lines, 1) if line.strip()]
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise GoldError(f"{path.name}：id {question.id} 重复")
        seen.add(question.id)
    if not questions:
        raise GoldError(f"{path.name}：没有问题")
    return questions


def load_split(split: str = "all") -> list[GoldQuestion]:
    """The bundled gold set: 'dev' (for tuning and training), 'test', 'holdout' or 'holdout3' (for reporting), or 'all'."""
    names = SPLITS if split == "all" else tuple(n for n in PACK_SPLITS if n.startswith("pack_")) if split == "pack" \
        else (split,)
    questions = [q for name in names for file in ALL_SPLIT_FILES[name] for q in load_gold(GOLD_DIR / file)]
    repeated = sorted({q.id for q in questions if sum(other.id == q.id for other in questions) > 1})
    if repeated:
        raise GoldError(f"金标问题 id 在多个文件中重复：{', '.join(repeated)}")
    return questions
