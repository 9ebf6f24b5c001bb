"""The 管理 tab: an administrator adds or removes regulations; it only formats what ``library.UserCorpus`` does.

The tab exists only when $REGQA_ADMIN_PASSWORD is set, and every change checks that password.
"""
from __future__ import annotations

import hmac
import html
import time
import traceback

from library.user_corpus import MAX_FILE_BYTES, AddedRegulation, Preview, Rejected, UserCorpus

PASSWORD_ENV = "REGQA_ADMIN_PASSWORD"
WRONG_PASSWORD_DELAY_S = 1.0  # slows down guessing
# Gradio itself refuses larger uploads (for every visitor, with an English message); up to this size the tab
# receives the file and explains in Chinese why it is refused. No file-type filter either, for the same reason.
SERVER_UPLOAD_LIMIT = 10 * MAX_FILE_BYTES

ADMIN_CSS = """
.regqa-admin { font-size: 15px; line-height: 1.7; }
.regqa-admin .lead { font-weight: 600; font-size: 16px; margin: .2em 0 .5em; }
.regqa-admin .error { color: #991b1b; background: #fef2f2; border-radius: 4px; padding: .3em .6em; }
.regqa-admin .warning { color: #92400e; background: #fffbeb; border-radius: 4px; padding: .2em .6em; }
.regqa-admin .done { color: #065f46; background: #ecfdf5; border-radius: 4px; padding: .3em .6em; }
.regqa-admin td, .regqa-admin th { padding: .1em .8em .1em 0; text-align: left; vertical-align: top; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def message_html(message: str, kind: str) -> str:
    """kind: 'error', 'warning' or 'done'."""
    return f'<div class="regqa-admin"><p class="{kind}">{_e(message)}</p></div>'


def render_preview(preview: Preview) -> str:
    """What the file gives: title, facts, chapters, the first article, then errors and warnings."""
    parts = ['<div class="regqa-admin" id="regqa-admin-preview-body">']
    regulation = preview.regulation
    if regulation is not None and preview.articles:
        first = preview.articles[0]
        rows = [("文件", preview.filename), ("地区", regulation.jurisdiction),
                ("施行日期", regulation.effective_date or "未找到"), ("通过日期", regulation.adopted_date or "未找到"),
                ("条文", f"{regulation.article_count} 条（{first.label}—{preview.articles[-1].label}）"),
                ("章", "、".join(regulation.chapters) or "不分章")]
        parts.append(f'<p class="lead">《{_e(regulation.title)}》</p><table>'
                     + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>")
        parts.append(f"<p>{_e(first.label)}　{_e(first.text[:120])}{'…' if len(first.text) > 120 else ''}</p>")
    else:
        parts.append(f'<p class="lead">{_e(preview.filename)}</p>')
    parts += [f'<p class="error">{_e(error)}</p>' for error in preview.errors]
    parts += [f'<p class="warning">提示：{_e(warning)}</p>' for warning in preview.warnings]
    if preview.accepted:
        parts.append("<p>请核对上面的信息（可在上方修改法规名称、地区、施行日期后重新检查），无误后点击“确认加入”。</p>")
    else:
        parts.append("<p>此文件不能加入，请修正后重新上传或重新检查。</p>")
    parts.append("</div>")
    return "".join(parts)


def render_added(added: list[AddedRegulation]) -> str:
    if not added:
        return '<div class="regqa-admin" id="regqa-admin-list-body"><p>尚未加入任何法规。</p></div>'
    rows = "".join(f"<tr><td>《{_e(a.title)}》</td><td>{_e(a.jurisdiction)}</td><td>{a.articles}</td>"
                   f"<td>{_e(a.effective_date or '未注明')}</td><td>{_e(a.version_date or '未注明')}</td>"
                   f"<td>{_e(a.original_name)}</td>"
                   f"<td>{_e(a.added_at[:16].replace('T', ' '))}</td></tr>" for a in added)
    return ('<div class="regqa-admin" id="regqa-admin-list-body"><table><thead><tr><th>法规</th><th>地区</th>'
            f"<th>条数</th><th>施行日期</th><th>版本日期</th><th>原文件</th><th>加入时间</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>")


class Admin:
    """The handlers of the 管理 tab, bound to the app's service and the user corpus."""

    def __init__(self, service, password: str, library: UserCorpus):
        if not password:
            raise ValueError("an admin password is required")
        self.service = service
        self.password = password
        self.library = library

    def authorized(self, given: str | None) -> bool:
        """Constant-time comparison; a wrong password costs the caller a delay."""
        if hmac.compare_digest((given or "").encode("utf-8"), self.password.encode("utf-8")):
            return True
        time.sleep(WRONG_PASSWORD_DELAY_S)
        return False

    def _refusal(self, given: str | None) -> str | None:
        """Why the caller may not change anything now, or None."""
        if not self.authorized(given):
            return "管理密码不正确。"
        if self.service.retriever is None:
            return f"索引尚未就绪（{self.service.progress}），请稍后再试。"
        return None

    @staticmethod
    def _metadata(title: str | None, jurisdiction: str | None, effective_date: str | None) -> dict:
        return {"title": title, "jurisdiction": jurisdiction, "effective_date": effective_date}

    def preview(self, password, path, title=None, jurisdiction=None, effective_date=None, fill: bool = False):
        """Check an uploaded file. Returns (preview HTML, title, jurisdiction, effective date, confirm enabled).

        Args:
            fill: take no facts from the form (a new upload) and fill the form with what the file gives.
        """
        import gradio as gr

        keep = (gr.update(),) * 3
        if refusal := self._refusal(password):
            return message_html(refusal, "error"), *keep, gr.update(interactive=False)
        if not path:
            return message_html("请先上传法规文件。", "error"), *keep, gr.update(interactive=False)
        metadata = {} if fill else self._metadata(title, jurisdiction, effective_date)
        preview = self.library.preview(path, metadata=metadata)
        facts = keep
        if fill and preview.regulation is not None and preview.articles:
            regulation = preview.regulation
            facts = (regulation.title, "" if regulation.jurisdiction == "未知" else regulation.jurisdiction,
                     regulation.effective_date or "")
        return render_preview(preview), *facts, gr.update(interactive=preview.accepted)

    def confirm(self, password, path, title, jurisdiction, effective_date):
        """Add the previewed file, then swap the app's retriever to the rebuilt index.

        Returns (message HTML, list HTML, removal choices, confirm button, file).
        """
        import gradio as gr

        unchanged = (gr.update(), gr.update(), gr.update(interactive=False), gr.update())
        if refusal := self._refusal(password):
            return message_html(refusal, "error"), *unchanged
        if not path:
            return message_html("请先上传法规文件。", "error"), *unchanged
        try:
            change = self.library.add(path, None, self._metadata(title, jurisdiction, effective_date),
                                      self.service.retriever.encoder, self.service.on_event)
            self.service.reload()
        except Rejected as rejected:
            body = render_preview(rejected.preview) if rejected.preview else message_html(str(rejected), "error")
            return body, *unchanged
        except Exception as error:  # logged with its traceback and shown to the administrator
            traceback.print_exc()
            return message_html(f"加入失败（{type(error).__name__}）：{error}", "error"), *unchanged
        verb = "已替换" if change.action == "replaced" else "已加入"
        message = (f"{verb}《{change.title}》（{change.articles} 条），现在即可提问和引用。索引现有 "
                   f"{change.index_regulations} 部法规、{change.index_articles} 条（本次新编码 {change.encoded} 段向量）。")
        return (message_html(message, "done"), *self.listing(), gr.update(interactive=False), None)

    def remove(self, password, title):
        """Remove an added regulation. Returns (message HTML, list HTML, removal choices)."""
        import gradio as gr

        if refusal := self._refusal(password):
            return message_html(refusal, "error"), gr.update(), gr.update()
        if not title:
            return message_html("请选择要删除的法规。", "error"), gr.update(), gr.update()
        try:
            change = self.library.remove(title, self.service.retriever.encoder, self.service.on_event)
            self.service.reload()
        except Rejected as rejected:
            return message_html(str(rejected), "error"), gr.update(), gr.update()
        except Exception as error:  # logged with its traceback and shown to the administrator
            traceback.print_exc()
            return message_html(f"删除失败（{type(error).__name__}）：{error}", "error"), gr.update(), gr.update()
        message = (f"已删除《{change.title}》（{change.articles} 条）。索引现有 {change.index_regulations} 部法规、"
                   f"{change.index_articles} 条。")
        return message_html(message, "done"), *self.listing()

    def listing(self):
        """(list HTML, removal choices) of the added regulations."""
        import gradio as gr

        added = self.library.regulations()
        return render_added(added), gr.update(choices=[a.title for a in added], value=None)


def admin_from_env(service, index_dir=None) -> Admin | None:
    """The Admin when $REGQA_ADMIN_PASSWORD is set (and not empty), else None: no 管理 tab at all."""
    from core import paths

    password = paths.admin_password()
    return Admin(service, password, UserCorpus.default(index_dir)) if password else None


def build_admin_tab(demo, admin: Admin, after_change) -> None:
    """The 管理 tab inside ``demo``; after_change(event) chains the refresh of the other tabs."""
    import gradio as gr

    with gr.Tab("管理", elem_id="regqa-admin-tab"):
        gr.Markdown("加入自己的法规：上传 .txt、.md 或 .docx 文件（不超过 "
                    f"{MAX_FILE_BYTES // (1024 * 1024)} MB），核对预览后确认加入；加入后即可提问和引用，也可以再删除。"
                    "内置法规不能替换或删除。")
        password = gr.Textbox(label="管理密码", type="password", elem_id="regqa-admin-password")
        upload = gr.File(label="法规文件（.txt / .md / .docx）", type="filepath", elem_id="regqa-admin-file")
        with gr.Row():
            title = gr.Textbox(label="法规名称", elem_id="regqa-admin-title")
            jurisdiction = gr.Textbox(label="地区（如：山东省）", elem_id="regqa-admin-jurisdiction")
            effective = gr.Textbox(label="施行日期（如：2022-04-01）", elem_id="regqa-admin-effective")
        with gr.Row():
            recheck = gr.Button("按填写的信息重新检查", elem_id="regqa-admin-recheck")
            confirm = gr.Button("确认加入", variant="primary", interactive=False, elem_id="regqa-admin-confirm")
        preview = gr.HTML(elem_id="regqa-admin-preview")
        gr.Markdown("### 已加入的法规")
        added = gr.HTML(elem_id="regqa-admin-list")
        with gr.Row():
            removal = gr.Dropdown(choices=[], label="选择要删除的法规", elem_id="regqa-admin-removal")
            remove = gr.Button("删除", variant="stop", elem_id="regqa-admin-remove")

    facts = [title, jurisdiction, effective]
    upload.upload(lambda secret, path: admin.preview(secret, path, fill=True), inputs=[password, upload],
                  outputs=[preview, *facts, confirm], api_visibility="private")
    recheck.click(admin.preview, inputs=[password, upload, *facts], outputs=[preview, *facts, confirm],
                  api_visibility="private")
    after_change(confirm.click(admin.confirm, inputs=[password, upload, *facts],
                               outputs=[preview, added, removal, confirm, upload], api_visibility="private"))
    after_change(remove.click(admin.remove, inputs=[password, removal], outputs=[preview, added, removal],
                              api_visibility="private"))
    demo.load(admin.listing, outputs=[added, removal], show_progress="hidden", api_visibility="private")
