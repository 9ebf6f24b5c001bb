"""Gradio front end: ask a question, read the cited articles; it only formats an ``Answer``.

``python app.py`` serves on 127.0.0.1, port $GRADIO_SERVER_PORT (default 7860). The index is
$REGQA_INDEX_DIR when set, else the default index (built on first start, with progress shown on the
console and in the page); it is built from the bundled regulations and those added by an administrator.
Programs call the ``/ask`` endpoint (question first, filters optional). The 管理 tab (app_admin.py), to add
and remove regulations, exists only when $REGQA_ADMIN_PASSWORD is set.
"""
from __future__ import annotations

import dataclasses
import html
import os
import re
import socket
import sys
import threading
import time
import traceback
from pathlib import Path

from core.events import REBUILD_NEEDED, Event
from retrieval.records import SCOPES, Answer, Citation, EmptyQuestion, Filters

WAIT_FOR_INDEX_S = 300  # a question asked while the index is being built waits this long at most
CONCURRENCY = 8
RETRIEVE_K = 10
ROLE_TAGS = {"definition": "用语含义", "nearby": "可能相关"}

OFFICIAL_EXAMPLES = [
    "天津市对政务信息收费有什么规定？",
    "河北使用财政资金的信息化项目要走哪些审批程序？",
    "在天津和北京承接信息化工程，施工单位需要什么资质？",
    "湖南的政府部门不按规定共享开放公共数据，会被追责吗？",
]
CITIZEN_EXAMPLES = [
    "平台能不能把我的个人信息卖给别人？",
    "个保法规定的敏感个人信息是什么？",
    "网络运营者把我的个人信息卖给别人，会受到什么处罚？",
    "河北条例里说的“政务数据”具体指什么？",
    "去政府办事，网上能查到的证明，窗口还让我交纸质的，这合理吗？",
    "北京市信息化促进条例是从哪天开始施行的？",
]

CSS = """
.regqa-answer { font-size: 15px; line-height: 1.75; }
.regqa-answer .question { color: #555; margin: 0 0 .3em; }
.regqa-answer .lead { font-weight: 600; font-size: 16px; margin: .2em 0 .6em; }
.regqa-answer .abstained { border-left: 4px solid #d97706; padding-left: .6em; }
.regqa-answer .reason { color: #6b7280; font-size: 13px; margin: .2em 0 .6em; }
.regqa-answer .note { color: #92400e; background: #fffbeb; border-radius: 4px; padding: .2em .5em; margin: .3em 0; }
.regqa-answer h3 { margin: 1em 0 .3em; font-size: 16px; border-bottom: 1px solid #ddd; }
.regqa-answer .missing { color: #b91c1c; margin: .3em 0; }
.regqa-answer .citation { margin: .6em 0 .9em; }
.regqa-answer .cite { font-weight: 600; color: #1d4ed8; }
.regqa-answer .tier { font-size: 12px; background: #fef3c7; color: #92400e; border-radius: 3px; padding: 0 .4em; margin-right: .5em; }
.regqa-answer .cited-by { font-size: 13px; color: #374151; margin: .2em 0; }
.regqa-answer .tag { font-size: 12px; background: #eef2ff; color: #3730a3; border-radius: 3px; padding: 0 .4em; margin-left: .4em; }
.regqa-answer blockquote { margin: .3em 0; padding: .2em .8em; border-left: 3px solid #93c5fd; background: #f8fafc; }
.regqa-answer details { margin: .2em 0 0 .2em; font-size: 14px; }
.regqa-answer details summary { cursor: pointer; color: #555; }
.regqa-answer mark, .regqa-reader mark { background: #fde68a; padding: 0 1px; }
.regqa-reader { font-size: 15px; line-height: 1.75; }
.regqa-reader .article p { margin: .15em 0; }
.regqa-reader .article p + p { padding-left: 3.5em; }
.regqa-reader .label { font-weight: 600; margin-right: .4em; }
.regqa-status { padding: .3em .6em; border-radius: 4px; background: #f1f5f9; }
.regqa-status.ready { background: #ecfdf5; color: #065f46; }
.regqa-status.failed { background: #fef2f2; color: #991b1b; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def highlight(text: str, terms: tuple[str, ...]) -> str:
    """Escape the text and wrap the key terms in <mark> (matching on the raw text, escaping each piece)."""
    if not terms:
        return _e(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(_e(text[last:match.start()]))
        parts.append(f"<mark>{_e(match.group(0))}</mark>")
        last = match.end()
    parts.append(_e(text[last:]))
    return "".join(parts)


def message_html(message: str) -> str:
    return f'<div class="regqa-answer"><p class="lead">{_e(message)}</p></div>'


def _facts(citation: Citation) -> str:
    facts = [f"层级：{citation.level or '未注明'}", citation.chapter or "（本法规不分章）",
             f"施行日期：{citation.effective_date or '未注明'}", f"效力：{citation.status or '未注明'}",
             f"版本：{citation.version_date or '未注明'}"]
    return " · ".join(_e(f) for f in facts)


def version_label(regulation) -> str:
    """《title》, with the version's date and status when the title has several versions."""
    edition = f"（{regulation.version_date or '日期不详'}版，{regulation.status or '效力未注明'}）" \
        if regulation.status in ("现行", "历史版本") or regulation.version else ""
    return f"《{regulation.title}》{edition}"


def count_titles(data) -> int:
    """Regulations, not files: the versions of one title count once."""
    return len({r.title for r in data.regulations})


def regulation_choices(data) -> list[tuple[str, str]]:
    """(label, value) of every regulation version, for the reading tab: value is title@version."""
    return [(version_label(r), f"{r.title}@{r.version}") for r in data.regulations]


def render_citation(citation: Citation, terms: tuple[str, ...]) -> str:
    tag = citation.relation if citation.role == "referenced" else ROLE_TAGS.get(citation.role, "")
    parts = [f'<div class="citation role-{_e(citation.role)}">',
             f'<div><span class="cite">{_e(citation.citation)}</span>'
             + (f'<span class="tag">{_e(tag)}</span>' if tag else "") + "</div>"]
    parts += [f"<blockquote>{highlight(excerpt, terms)}</blockquote>" for excerpt in citation.excerpts]
    parts += [f'<p class="note">注：{_e(note)}</p>' for note in citation.notes]
    if citation.cited_by:
        parts.append(f'<p class="cited-by">引用本条的地方规定：{_e("、".join(citation.cited_by))}</p>')
    full = "".join(f"<p>{highlight(line, terms)}</p>" for line in citation.text.split("\n"))
    parts.append(f"<details><summary>查看全文 · {_facts(citation)}</summary>{full}</details></div>")
    return "".join(parts)


def render_answer(answer: Answer) -> str:
    """The answer as HTML: lead, notes, then one section per regulation (or per compared place)."""
    parts = ['<div class="regqa-answer">', f'<p class="question">问题：{_e(answer.question)}</p>',
             f'<p class="lead{" abstained" if answer.abstained else ""}" data-state="{_e(answer.state)}">'
             f'{_e(answer.lead)}</p>']
    parts += [f'<p class="note">{_e(note)}</p>' for note in answer.notes]
    if answer.reason:  # which signal decided whether the corpus answers
        parts.append(f'<p class="reason">{_e(answer.reason)}</p>')
    for block in answer.blocks():
        tier = f'<span class="tier">{_e(block.tier)}</span>' if block.tier else ""
        parts.append(f"<section><h3>{tier}{_e(block.heading)}</h3>")
        parts += [f'<p class="missing">{_e(row)}</p>' for row in block.missing]
        parts += [render_citation(c, answer.terms) for c in block.citations]
        parts.append("</section>")
    parts.append("</div>")
    return "".join(parts)


def answer_json(answer: Answer) -> dict:
    """The answer for programs: lead, flags and citations (with the citation string)."""
    return {"question": answer.question, "lead": answer.lead, "abstained": answer.abstained, "state": answer.state,
            "uncovered": list(answer.uncovered), "absent_laws": list(answer.absent_laws),
            "absent_places": list(answer.absent_places), "changed_laws": list(answer.changed_laws),
            "reason": answer.reason,
            "comparison": list(answer.comparison), "notes": list(answer.notes),
            "citations": [{"citation": c.citation, **dataclasses.asdict(c)} for c in answer.citations]}


def render_regulation(data, choice: str) -> str:
    """One regulation version (choice: title@version, or a bare title for the version in force), chapter by
    chapter, for the reading tab."""
    title, _, version = (choice or "").partition("@")
    regulation = next((r for r in data.regulations if r.title == title and r.version == version), None)
    if regulation is None:
        return message_html("请选择一部法规。")
    facts = [f"{regulation.jurisdiction}", regulation.level or "", regulation.issuer or "",
             f"施行日期：{regulation.effective_date or '未注明'}", f"效力：{regulation.status or '未注明'}",
             f"版本日期：{regulation.version_date or '未注明'}", f"共 {regulation.article_count} 条"]
    others = [r for r in data.regulations if r.title == title and r.version != version]
    parts = [f'<div class="regqa-reader"><h2>{_e(version_label(regulation))}</h2>'
             f'<p>{" · ".join(_e(f) for f in facts if f)}</p>']
    if others:
        parts.append(f'<p class="note">本法规另有版本：{_e("、".join(version_label(r) for r in others))}</p>')
    chapters: dict[str, list] = {}
    for article in data.articles:
        if article.regulation == title and article.version == version:
            chapters.setdefault(article.chapter, []).append(article)
    for number, (chapter, articles) in enumerate(chapters.items()):
        parts.append(f'<details{" open" if number == 0 else ""}><summary><b>{_e(chapter or "正文")}</b>'
                     f"（{_e(articles[0].label)}—{_e(articles[-1].label)}）</summary>")
        for article in articles:
            lines = article.text.split("\n")
            parts.append(f'<div class="article"><p><span class="label">{_e(article.label)}</span>{_e(lines[0])}</p>')
            parts += [f"<p>{_e(line)}</p>" for line in lines[1:]]
            parts += [f'<p class="note">注：{_e(note)}</p>' for note in article.notes]
            parts.append("</div>")
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def render_about(data) -> str:
    """The 关于语料 panel: the regulations, their facts, and known source defects."""
    rows = "".join(
        f"<tr><td>{_e(version_label(r))}</td><td>{_e(r.jurisdiction)}</td><td>{_e(r.level or '未注明')}</td>"
        f"<td>{r.article_count}</td><td>{_e(r.adopted_date or '未注明')}</td>"
        f"<td>{_e(r.effective_date or '未注明')}</td><td>{_e(r.status or '未注明')}</td></tr>"
        for r in data.regulations)
    title_of = {r.source_file: r.title for r in data.regulations}
    problems = "".join(
        f"<li>{_e('《' + title_of[p.source_file] + '》' if p.source_file in title_of else p.source_file)}"
        f"{_e(p.article_label)}：{_e(p.message)}</li>" for p in data.problems) or "<li>无</li>"
    manifest = data.manifest
    model_name = manifest.model.name
    return (f'<div class="regqa-reader"><p>本助手只依据以下 {count_titles(data)} 部法规（{len(data.regulations)} 个文本版本）、'
            f"共 {len(data.articles)} 条条文作答，回答中的摘录均为条文原文。</p>"
            "<table><thead><tr><th>法规</th><th>地区</th><th>层级</th><th>条数</th><th>通过日期</th>"
            f"<th>施行日期</th><th>效力</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<h3>已知的来源文本问题</h3><ul>{problems}</ul>"
            f"<p>索引建立于 {_e(manifest.created_at or '未知')}，"
            f"嵌入模型 {_e(model_name or '未知')}。</p></div>")


class Service:
    """The retriever, loaded (or built) in the background so that the page can show progress."""

    def __init__(self, index_dir: Path | None = None):
        self.index_dir = index_dir
        self.retriever = None
        self.problem = ""  # Chinese, when loading failed
        self.progress = "正在启动…"
        self.ready = threading.Event()  # set when loading has ended, well or not
        self.rebuildable = False  # the configured index is unusable: the page offers to rebuild it
        self.rebuilt_because = ""  # why the default index was (re)built at start, shown once ready
        self._rebuilding = threading.Lock()

    def say(self, message: str) -> None:
        print(f"[法规问答] {message}", flush=True)
        self.progress = message

    def on_event(self, event: Event) -> None:
        """Progress of the verbs the first start runs (models, index), shown on the console and in the page."""
        if event.stage == REBUILD_NEEDED:
            self.rebuilt_because = event.detail
        self.say(event.message)

    def load(self, rebuild: bool = False) -> None:
        """Prepare what is missing (models, the default index), load the index (first rebuilding the
        configured one, when asked), then warm up the model."""
        from core import paths
        from index import IndexProblem, rebuild_index
        from library import default_corpus_folders
        from models import load_encoder, prepare
        from models.protocol import ModelProblem
        from retrieval.startup import open_retriever

        started = time.perf_counter()
        try:
            if paths.model_dir_override() is None:
                prepare(progress=self.on_event)  # the first start makes the models (minutes), visibly
            # the model loads in a child process while this one loads the index and imports gradio
            encoder = load_encoder(child_process=True)
            if rebuild:
                self.say(f"正在重建索引：{self.index_dir}")
                rebuild_index(self.index_dir, encoder, default_corpus_folders(), self.on_event)
            retriever = open_retriever(self.index_dir, encoder=encoder, progress=self.on_event)
            self.say("正在加载嵌入模型…")
            retriever.retrieve("信息化", k=1)  # loads the model and the tokenizer before the first user
            self.retriever = retriever
            because = f"启动时已重建索引，原因：{self.rebuilt_because}" if self.rebuilt_because else ""
            self.say(f"已就绪：{count_titles(retriever.data)} 部法规，{len(retriever.data.articles)} 条条文"
                     f"（用时 {time.perf_counter() - started:.1f} 秒）。{because}"
                     + (f"注意：{retriever.threshold_note}" if retriever.threshold_note else ""))
        except IndexProblem as problem:
            self.problem = f"索引不可用：{problem}"
            self.rebuildable = self.index_dir is not None
            self.say(self.problem)
        except ModelProblem as problem:
            self.problem = f"模型不可用：{problem}"
            self.say(self.problem)
        except Exception as error:  # printed with its traceback and shown in the page
            traceback.print_exc()
            self.problem = f"启动失败（{type(error).__name__}）：{error}"
            self.say(self.problem)
        finally:
            self.ready.set()

    def start(self) -> None:
        threading.Thread(target=self.load, name="regqa-load", daemon=True).start()

    def rebuild(self) -> bool:
        """Rebuild the configured index that could not be used, in the background, then serve it.

        Returns False (and does nothing) unless the configured index is unusable and no rebuild runs.
        """
        with self._rebuilding:
            if not (self.ready.is_set() and self.rebuildable):
                return False
            self.ready.clear()
            self.rebuildable, self.problem = False, ""
            self.progress = "正在重建索引…"
        threading.Thread(target=self.load, kwargs={"rebuild": True}, name="regqa-rebuild", daemon=True).start()
        return True

    def reload(self) -> None:
        """Swap in the index rebuilt in place (a regulation was added or removed); questions already
        being answered finish on the previous one."""
        from index import load_for
        from retrieval.retriever import Retriever

        current = self.retriever
        data = load_for(current.data.path, current.encoder)
        self.retriever = Retriever(data, current.encoder, current.settings)
        self.say(f"已更新：{count_titles(data)} 部法规，{len(data.articles)} 条条文。")

    def ask(self, question: str | None, jurisdictions: list[str] | None = None,
            regulations: list[str] | None = None, scope: str | None = None) -> tuple[str, dict]:
        """The /ask endpoint: HTML answer and the citations as JSON."""
        from models.process import EncoderProcessError
        from retrieval.retriever import is_blank

        question = (question or "").strip()
        blank = "请输入问题，例如：“天津市对政务信息收费有什么规定？”"
        if is_blank(question):  # nothing but spaces and control characters
            return message_html(blank), {"error": blank}
        if not self.ready.wait(WAIT_FOR_INDEX_S):
            message = f"索引仍在准备中（{self.progress}），请稍后再问。"
            return message_html(message), {"error": message}
        retriever = self.retriever  # one index for the whole answer, even if it is swapped meanwhile
        if retriever is None:
            return message_html(self.problem), {"error": self.problem}
        filters = Filters(regulations=tuple(regulations or ()), jurisdictions=tuple(jurisdictions or ()),
                          scope=scope if scope in SCOPES else "")
        try:
            answer = retriever.ask(question, filters=filters, k=RETRIEVE_K)
        except EncoderProcessError as error:  # the model's process died or failed: say so, it restarts
            return message_html(str(error)), {"error": str(error)}
        except EmptyQuestion:
            return message_html(blank), {"error": blank}
        return render_answer(answer), answer_json(answer)

    def status_html(self) -> str:
        state = "ready" if self.retriever else "failed" if self.ready.is_set() else "loading"
        prefix = {"ready": "", "failed": "", "loading": "正在准备索引："}[state]
        return f'<div class="regqa-status {state}" id="regqa-status">{_e(prefix + self.progress)}</div>'


def build_ui(service: Service, admin=None):
    """The page: status, then the tabs 提问 / 阅读法规 / 关于语料, and 管理 when an ``app_admin.Admin`` is given."""
    import gradio as gr

    with gr.Blocks(title="法规问答助手") as demo:
        gr.Markdown("# 法规问答助手\n用日常语言提问，回答只摘录法规原文并注明出处（第几条）。")
        status = gr.HTML(service.status_html())
        rebuild_button = gr.Button("重建索引", visible=False, elem_id="regqa-rebuild")
        timer = gr.Timer(1.0)
        with gr.Tab("提问"):
            question = gr.Textbox(label="您的问题", placeholder="例如：天津市对政务信息收费有什么规定？", lines=2,
                                  max_lines=6, elem_id="regqa-question")
            with gr.Row():
                jurisdictions = gr.Dropdown(choices=[], value=[], multiselect=True, allow_custom_value=True,
                                            label="限定地区（可多选，不选则全部）")
                regulations = gr.Dropdown(choices=[], value=[], multiselect=True, allow_custom_value=True,
                                          label="限定法规（可多选，不选则全部）")
                scope = gr.Radio(choices=[("国家和地方", ""), ("仅国家法律法规", "national"), ("仅地方法规", "local")],
                                 value="", label="层级", elem_id="regqa-scope")
            ask_button = gr.Button("提问", variant="primary", elem_id="regqa-ask")
            answer = gr.HTML(label="回答", elem_id="regqa-answer")
            gr.Examples(OFFICIAL_EXAMPLES, inputs=[question], label="政府工作人员常问")
            gr.Examples(CITIZEN_EXAMPLES, inputs=[question], label="市民常问")
            with gr.Accordion("引用数据（JSON，供程序使用）", open=False):
                citations = gr.JSON(label="引用")
        with gr.Tab("阅读法规"):
            reading_choice = gr.Dropdown(choices=[], label="选择法规", interactive=True)
            reading = gr.HTML()
        with gr.Tab("关于语料"):
            about = gr.HTML("<p>索引准备好后显示语料信息。</p>")

        gr.on([ask_button.click, question.submit], service.ask, inputs=[question, jurisdictions, regulations, scope],
              outputs=[answer, citations], api_name="ask")

        def refresh():
            if not service.ready.is_set():
                return service.status_html(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), \
                    gr.Timer(active=True)
            data = service.retriever.data if service.retriever else None
            if data is None:
                return (service.status_html(), gr.update(), gr.update(), gr.update(), gr.update(),
                        message_html(service.problem), gr.Timer(active=False))
            titles = list(dict.fromkeys(r.title for r in data.regulations))
            versions = regulation_choices(data)
            places = list(dict.fromkeys(r.jurisdiction for r in data.regulations))
            return (service.status_html(), gr.update(choices=places), gr.update(choices=titles),
                    gr.update(choices=versions, value=versions[0][1]), render_regulation(data, versions[0][1]),
                    render_about(data), gr.Timer(active=False))

        refresh_outputs = [status, jurisdictions, regulations, reading_choice, reading, about, timer]
        timer.tick(refresh, outputs=refresh_outputs, show_progress="hidden", api_visibility="private")
        demo.load(refresh, outputs=refresh_outputs, show_progress="hidden", api_visibility="private")
        if admin is not None:
            from app_admin import build_admin_tab

            build_admin_tab(demo, admin, lambda event: event.then(
                refresh, outputs=refresh_outputs, show_progress="hidden", api_visibility="private"))

        # an unusable configured index: offer to rebuild it; the timer then shows the progress
        def offer_rebuild():
            return gr.update(visible=service.ready.is_set() and service.rebuildable)

        def start_rebuild():
            service.rebuild()
            return service.status_html(), gr.update(visible=False), gr.Timer(active=True)

        timer.tick(offer_rebuild, outputs=[rebuild_button], show_progress="hidden", api_visibility="private")
        demo.load(offer_rebuild, outputs=[rebuild_button], show_progress="hidden", api_visibility="private")
        rebuild_button.click(start_rebuild, outputs=[status, rebuild_button, timer], api_visibility="private")
        reading_choice.change(
            lambda title: render_regulation(service.retriever.data, title) if service.retriever else "",
            inputs=[reading_choice], outputs=[reading], api_visibility="private")
    return demo


def port_problem(port_text: str | None) -> str | None:
    """Why the page cannot be served on this port (GRADIO_SERVER_PORT), in Chinese; None when it can. Checked before
    anything loads, so that a port already taken costs a clear message, not gradio's traceback after the start."""
    try:
        port = int(port_text or "7860")
    except ValueError:
        return f"端口设置无效：GRADIO_SERVER_PORT={port_text!r}，应为 1–65535 之间的整数。"
    if not 0 < port < 65536:
        return f"端口设置无效：GRADIO_SERVER_PORT={port}，应为 1–65535 之间的整数。"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return (f"端口 {port} 已被占用（可能已有一个本应用在运行）。请先关闭占用该端口的程序，"
                    f"或设置 GRADIO_SERVER_PORT 换一个端口，例如：GRADIO_SERVER_PORT={port + 1} .venv/bin/python app.py")
    return None


USAGE = """用法：.venv/bin/python app.py

启动法规问答页面（首次启动时准备模型、建立索引，进度会打印出来）。本命令不接受参数，用环境变量设置：
  GRADIO_SERVER_PORT    页面端口（默认 7860）
  REGQA_HOME            模型、默认索引和新增法规的存放目录（默认 ~/.cache/regqa）
  REGQA_INDEX_DIR       改为使用这个索引目录
  REGQA_ADMIN_PASSWORD  设置后页面出现“管理”标签页，可在页面上添加法规
  REGQA_ENCODER         编码方式：fast（默认）、reference 或 sentence-transformers
"""


def command_line_problem(args: list[str]) -> tuple[int, str] | None:
    """(exit status, text to print) when the command line asks for help or holds anything (the app takes no
    arguments: a mistyped one must not start a server), else None."""
    if not args:
        return None
    if args[0] in ("-h", "--help", "help"):
        return 0, USAGE
    return 2, f"[法规问答] 无法启动：不认识的参数 {' '.join(args)}。\n\n{USAGE}"


def main() -> None:
    from core import paths

    problem = command_line_problem(sys.argv[1:])
    if problem:
        status, text = problem
        print(text, file=sys.stdout if status == 0 else sys.stderr, flush=True)
        sys.exit(status)
    paths.quiet_gradio()
    problem = port_problem(paths.server_port_setting())
    if problem:
        print(f"[法规问答] 无法启动：{problem}", file=sys.stderr, flush=True)
        sys.exit(2)
    service = Service(paths.index_dir_override())
    service.start()  # before importing gradio: the index and the model load while the page is built
    import gradio as gr

    from app_admin import ADMIN_CSS, SERVER_UPLOAD_LIMIT, admin_from_env

    demo = build_ui(service, admin_from_env(service, service.index_dir))
    demo.queue(default_concurrency_limit=CONCURRENCY)
    port = paths.server_port()
    theme = gr.themes.Default(font=["WenQuanYi Micro Hei", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
                                    "sans-serif"], font_mono=["monospace"])
    print(f"[法规问答] 页面地址：http://127.0.0.1:{port}", flush=True)
    try:
        demo.launch(server_name="127.0.0.1", server_port=port, theme=theme, css=CSS + ADMIN_CSS,
                    footer_links=["api"], max_file_size=SERVER_UPLOAD_LIMIT)
    except OSError as error:  # taken between the probe and the launch (two apps started at once): said, not traced
        print(f"[法规问答] 无法启动：{port_problem(str(port)) or f'端口 {port} 无法使用（{error}）。'}", file=sys.stderr,
              flush=True)
        sys.stdout.flush()
        # the index and the model may still be loading in the background thread: a normal exit would tear the
        # interpreter down under it (torch then aborts the process); nothing is left to save, and the model's child
        # process exits when its pipe closes
        os._exit(2)


if __name__ == "__main__":
    main()
