"""Golden journeys of the application shell, in a real Chromium.

Each role logs in through the real log-in form, lands on its home page, sees its own navigation
(and not other roles' modules), works at 375 px and 1280 px; the screenshots of every home page
are saved to ``test-artifacts/screenshots/<persona>-<width>.png``.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from anjian.core.testing.world import PASSWORD, PERSONAS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# One persona per role of the world fixture.
ONE_PER_ROLE: dict[str, str] = {}
for _persona, (_role, _scope) in PERSONAS.items():
    ONE_PER_ROLE.setdefault(_role.value, _persona)

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


# The Chinese menu each role sees (anjian/core/tests/test_navigation.py checks the same table).
ALL = [
    "首页",
    "形势一览",
    "监管对象",
    "一企一档",
    "包干专家",
    "隐患",
    "各单位月报",
    "群众举报",
    "检查",
    "年度检查计划",
    "检查表",
    "专项整治与联合执法",
    "立案查处",
    "执法设置",
    "统计报表",
    "总结与分析会",
    "数据上报",
    "安委会",
    "行政区划",
    "用户",
    "工作日历",
    "后台任务",
    "审计记录",
    "备份",
]
TOWN_STAFF = [
    "首页",
    "形势一览",
    "监管对象",
    "一企一档",
    "包干专家",
    "隐患",
    "各单位月报",
    "检查",
    "年度检查计划",
    "检查表",
    "专项整治与联合执法",
    "立案查处",
    "统计报表",
    "总结与分析会",
    "安委会",
    "行政区划",
    "后台任务",
]
EXPECTED_MENU: dict[str, list[str]] = {
    "town_office": ALL,
    "district": [label for label in ALL if label not in ("群众举报", "执法设置")],
    "inspector": TOWN_STAFF,
    "leader": TOWN_STAFF,
    "village_officer": [
        "首页",
        "形势一览",
        "监管对象",
        "一企一档",
        "隐患",
        "检查",
        "年度检查计划",
        "检查表",
        "统计报表",
        "安委会",
        "行政区划",
        "后台任务",
    ],
    "committee_member": [
        "首页",
        "形势一览",
        "监管对象",
        "一企一档",
        "隐患",
        "检查",
        "年度检查计划",
        "检查表",
        "统计报表",
        "总结与分析会",
        "安委会",
        "后台任务",
    ],
    "expert": [
        "首页",
        "形势一览",
        "监管对象",
        "一企一档",
        "隐患",
        "检查",
        "年度检查计划",
        "检查表",
        "统计报表",
        "后台任务",
    ],
    "enterprise": [
        "首页",
        "形势一览",
        "本单位",
        "监管对象",
        "一企一档",
        "隐患",
        "隐患自查月报",
        "检查",
        "立案查处",
        "统计报表",
        "后台任务",
    ],
    "department": ["首页", "专项整治与联合执法", "行政区划", "后台任务"],
}


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    form = page.get_by_test_id("login-form")
    form.locator("input[autocomplete=username]").fill(username)
    form.locator("input[type=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('core:home')}")


def menu_labels(page: Page) -> list[str]:
    """Every entry of the menu, on the bar or inside its drop-downs, in order."""
    entries = page.get_by_test_id("main-nav").locator("[data-nav-entry]")
    return [t.strip() for t in entries.all_text_contents()]


@pytest.mark.parametrize("persona", list(ONE_PER_ROLE.values()))
def test_each_role_logs_in_and_sees_its_own_home_and_menu(
    page: Page, live_server, world, persona, screenshots_dir, console_errors
):
    role = PERSONAS[persona][0].value
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, persona)

    # The shell is styled (Bootstrap's CSS was served) and in Chinese.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    navbar_bg = page.locator("nav.navbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert navbar_bg == "rgb(13, 110, 253)", "Bootstrap's CSS did not load"
    expect(page.get_by_test_id("greeting")).to_have_text(re.compile(f"您好，{persona}"))
    expect(page.get_by_test_id(f"role-{role}")).to_be_visible()
    assert page.locator("[data-testid^=role-]").count() == 1

    # The menu has exactly the role's modules.
    assert menu_labels(page) == EXPECTED_MENU[role]
    if role == "town_office":
        expect(page.get_by_test_id("main-nav")).to_contain_text("审计记录")
    if role == "enterprise":
        expect(page.get_by_test_id("main-nav")).not_to_contain_text("审计记录")
        expect(page.get_by_test_id("main-nav")).not_to_contain_text("用户")
    # The bar holds on one line at 1280 px: the modules sit in a few drop-downs.
    bar = page.get_by_test_id("main-nav").bounding_box()
    link = page.get_by_test_id("main-nav").locator("a.nav-link").first.bounding_box()
    assert bar is not None and link is not None and bar["height"] < 1.5 * link["height"]
    if role == "town_office":
        # A drop-down opens on a click and its entry leads to the module.
        page.get_by_test_id("nav-group-inspections").get_by_role(
            "button", name="检查与执法"
        ).click()
        entry = page.get_by_test_id("nav-group-inspections").get_by_role("link", name="立案查处")
        expect(entry).to_be_visible()
        page.screenshot(path=screenshots_dir / f"{persona}-1280-menu.png")
        entry.click()
        expect(page).to_have_url(re.compile(r"/cases/"))
        page.go_back()
    page.screenshot(path=screenshots_dir / f"{persona}-1280.png", full_page=True)

    # On a phone the menu collapses behind the toggler, opens on a tap, and nothing overflows.
    page.set_viewport_size(PHONE)
    nav = page.get_by_test_id("main-nav")
    expect(nav).to_be_hidden()
    toggler = page.locator(".navbar-toggler")
    box = toggler.bounding_box()
    assert box is not None and box["height"] >= 40, "the menu button is too small to tap"
    no_overflow = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_overflow), "the page scrolls sideways at 375 px"
    page.screenshot(path=screenshots_dir / f"{persona}-375.png", full_page=True)
    toggler.click()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="首页")).to_be_visible()
    if role == "town_office":  # the longest menu, opened on a phone
        # Bootstrap's collapse animation is over once the menu has "collapse show" again.
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bcollapse\b.*\bshow\b"))
        page.screenshot(path=screenshots_dir / f"{persona}-375-menu.png")

    assert console_errors == []


def test_enterprise_cannot_open_another_units_page(page: Page, live_server, world, console_errors):
    log_in(page, live_server, "enterprise_a")

    own = page.goto(f"{live_server.url}/units/{world.unit_a.pk}/")
    assert own is not None and own.status == 200
    expect(page.locator("body")).to_contain_text("杭州甲乙机械有限公司")

    other = page.goto(f"{live_server.url}/units/{world.unit_b.pk}/")
    assert other is not None and other.status == 404
    expect(page.get_by_test_id("error-404")).to_be_visible()
    expect(page.locator("h1")).to_have_text("页面不存在")
    expect(page.locator("body")).not_to_contain_text("常安丙丁化工有限公司")


def test_the_language_switch_turns_the_pages_english_and_back(
    page: Page, live_server, world, console_errors
):
    log_in(page, live_server, "town_office_a")
    expect(page.get_by_test_id("main-nav")).to_contain_text("首页")

    page.locator("#language-select").select_option("en")  # submits itself (anjian.js)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}{reverse('core:home')}")
    expect(page.get_by_test_id("main-nav")).to_contain_text("Home")
    expect(page.get_by_test_id("main-nav")).to_contain_text("Audit record")
    expect(page.get_by_test_id("greeting")).to_have_text(re.compile("Hello, town_office_a"))

    page.locator("#language-select").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("main-nav")).to_contain_text("审计记录")
    assert console_errors == []


def test_log_in_page_is_chinese_and_usable_on_a_phone(page: Page, live_server, console_errors):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    button = page.get_by_role("button", name="登录")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["height"] >= 40
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert console_errors == []
