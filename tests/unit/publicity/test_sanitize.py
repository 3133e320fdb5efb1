"""No script reaches a reader: unsafe bodies are refused, and whatever is accepted
is rendered with raw HTML disabled and sanitised with an allowlist."""

from __future__ import annotations

import re

import pytest

from services.publicity.domain.errors import BodyEmpty, BodyTooLong, UnsafeBody
from services.publicity.domain.model import BodyFormat
from services.publicity.domain.sanitize import MAX_BODY, check_body, render

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT src=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="steal()">点此</a>',
    "[点我](javascript:alert(document.cookie))",
    "[点我](JaVaScRiPt:alert(1))",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<body onload=alert(1)>",
    '<div style="x" onmouseover="alert(1)">hover</div>',
    "<object data=javascript:alert(1)>",
    "<a href='data:text/html;base64,PHNjcmlwdD4='>x</a>",
]

ENCODED = [
    "[x](jav&#x61;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "![x](javascript&colon;alert(1))",
    "<scr<script>ipt>alert(1)</script>",
    "[x](vbscript:msgbox(1))",
]


def assert_inert(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<svg" not in lowered and "<iframe" not in lowered
    assert "<object" not in lowered and "<body" not in lowered
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", lowered)
    for href in re.findall(r'(?:href|src)="([^"]*)"', lowered):
        assert href.startswith(("http://", "https://", "mailto:", "#")), href


class TestUnsafeBodiesAreRefused:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_script_and_event_handler_html_is_a_typed_error(self, payload):
        with pytest.raises(UnsafeBody) as raised:
            check_body(f"正文第一段。\n\n{payload}")
        assert raised.value.code == "unsafe_body"
        assert "脚本" in raised.value.message("zh-CN")
        assert "script" in raised.value.message("en")

    def test_an_empty_or_oversized_body_is_a_typed_error(self):
        with pytest.raises(BodyEmpty):
            check_body("  \n ")
        with pytest.raises(BodyTooLong) as raised:
            check_body("字" * (MAX_BODY + 1))
        assert raised.value.details == {"length": MAX_BODY + 1, "limit": MAX_BODY}

    def test_ordinary_text_about_scripts_is_fine(self):
        body = "讲话稿（script）与 onboarding 手册已下发；on = 开。"
        assert check_body(body) == body


class TestWhateverIsRenderedIsInert:
    @pytest.mark.parametrize("payload", PAYLOADS + ENCODED)
    @pytest.mark.parametrize("fmt", list(BodyFormat))
    def test_no_payload_survives_rendering(self, payload, fmt):
        assert_inert(render(f"# 标题\n\n{payload}\n\n结尾", fmt))

    def test_markdown_renders_headings_lists_links_and_tables(self):
        html = render(
            "## 做法\n\n- 一次告知\n- **限时办结**\n\n[详情](https://zjj.example/a)\n\n"
            "| 项目 | 时限 |\n|:--|--:|\n| 审批 | 3天 |",
            BodyFormat.MARKDOWN,
        )
        assert "<h2>做法</h2>" in html and "<strong>限时办结</strong>" in html
        assert 'href="https://zjj.example/a"' in html and 'rel="noopener' in html
        assert "<table>" in html and 'style="text-align:right"' in html

    def test_plain_text_is_escaped_into_paragraphs(self):
        html = render("第一段\n第二行\n\n第二段 <b>x</b>", BodyFormat.PLAIN)
        assert html == "<p>第一段<br>第二行</p>\n<p>第二段 &lt;b&gt;x&lt;/b&gt;</p>\n"
