"""Sources people can open (#20.5): every cited document has an address, the reply JSON
carries it, the web chat links it in a new tab, the directives are served from the repository,
and Telegram/Zalo keep the short reference."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from content.base import DIRECTIVES_DIR, UNVERIFIED, default_content, load_documents
from handlers.models import IncomingMessage
from handlers.pipeline import Assistant

BASE = default_content()
CITED = sorted({s.doc for a in BASE.answers.values() for s in a.sources})


@pytest.fixture
def client(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as http:
        yield http


@pytest.mark.parametrize("doc_id", CITED)
def test_every_cited_document_says_where_it_can_be_read(doc_id: str) -> None:
    doc = BASE.documents[doc_id]
    assert doc.certainty not in UNVERIFIED
    assert doc.url.startswith(("https://", "http://", "/sources/")), doc.url
    if doc.url.startswith("/sources/"):
        assert (DIRECTIVES_DIR / doc.url.removeprefix("/sources/")).is_file()


def test_the_five_directives_are_in_the_repository_and_linked() -> None:
    directives = [d for d in load_documents().values() if d.file]
    assert len(directives) == 5
    for doc in directives:
        assert doc.url == f"/sources/{doc.file}"
        assert (DIRECTIVES_DIR / doc.file).stat().st_size > 1000
    assert (DIRECTIVES_DIR / "README.md").is_file()


def test_reply_json_sources_keep_doc_and_ref_and_gain_title_and_url(assistant: Assistant) -> None:
    reply = assistant.handle(IncomingMessage("@answer:directive_info.cv363", user="src"))
    payload = reply.to_json()
    assert payload["sources"] == [
        {
            "doc": "CV-363-PGDDT-AL",
            "ref": "mục 1 đến mục 5",
            "title": "Công văn 363/PGDĐT (2024) của Phòng GD&ĐT huyện An Lão, mục 1 đến mục 5",
            "url": "/sources/000_e3c04144172aacfe.txt",
        }
    ]
    drowning = assistant.handle(IncomingMessage("@answer:accident_prevention.drowning", user="s"))
    urls = {s["doc"]: s["url"] for s in drowning.to_json()["sources"]}
    assert urls["BAO-DUOI-NUOC-2025"] == (
        "https://nld.com.vn/tai-nan-duoi-nuoc-o-tre-gia-tang-196250808210514336.htm"
    )
    # the other channels keep the short reference in the text, without addresses
    assert "📚 Nguồn: Bộ tiêu chí" not in drowning.text
    assert "Báo Người Lao Động (BV Nhi Trung ương), 09/8/2025" in drowning.text
    assert "https://" not in drowning.text


def test_the_api_and_the_directive_files_over_http(client: httpx.Client) -> None:
    reply = client.post("/api/chat", json={"text": "@answer:directive_info.kh276"}).json()
    (source,) = reply["sources"]
    assert source["url"] == "/sources/003_30f67795354a978a.txt"
    served = client.get(source["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "text/plain; charset=utf-8"
    assert served.text == (DIRECTIVES_DIR / "003_30f67795354a978a.txt").read_text("utf-8")
    assert client.get("/sources/README.md").status_code == 404  # only registry files
    assert client.get("/sources/..%2Fregistry.yml").status_code == 404


@pytest.mark.browser
def test_the_web_chat_links_each_source_in_a_new_tab(browser_page: Page, live_server: str) -> None:
    page = browser_page
    page.goto(live_server + "/")
    bubbles = page.locator("#messages .msg--bot")
    before = bubbles.count()
    box = page.locator("#composer-input")
    box.fill("@answer:accident_prevention.poisoning")
    box.press("Enter")
    expect(bubbles).to_have_count(before + 1)
    bubble = bubbles.nth(before)
    links = bubble.locator(".source a.source__link")
    expect(links).to_have_count(2)
    expect(links.first).to_have_text("Afamily, 01/3/2026 (không tự gây nôn tại nhà)")
    for i in range(links.count()):
        link = links.nth(i)
        assert link.get_attribute("target") == "_blank"
        assert "noopener" in (link.get_attribute("rel") or "")
        assert (link.get_attribute("href") or "").startswith("https://")
    expect(bubble.locator(".source")).to_contain_text("📚 Nguồn: Afamily, 01/3/2026 (không tự")


@pytest.mark.browser
def test_the_web_chat_links_a_directive_to_its_copy(browser_page: Page, live_server: str) -> None:
    page = browser_page
    page.goto(live_server + "/")
    bubbles = page.locator("#messages .msg--bot")
    before = bubbles.count()
    box = page.locator("#composer-input")
    box.fill("@answer:child_labour.teacher")  # six sources, two of them the same document
    box.press("Enter")
    expect(bubbles).to_have_count(before + 1)
    source = bubbles.nth(before).locator(".source")
    docs = list(dict.fromkeys(s.doc for s in BASE.answers["child_labour.teacher"].sources))
    expect(source.locator("a.source__link")).to_have_count(len(docs))
    link = source.locator("a.source__link").last
    expect(link).to_have_text(re.compile(r"^Công văn năm 2024 của Sở GD&ĐT Hải Phòng"))
    assert link.get_attribute("href") == "/sources/001_ab959c91e8b72801.txt"
    served = page.request.get(live_server + "/sources/001_ab959c91e8b72801.txt")
    assert served.ok and "18006605" in served.text()
