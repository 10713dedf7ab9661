"""Onsite service in a browser (OS-1..OS-4): the manager dispatches from the board; the field
engineer, on a 375 px phone, opens today's order, checks in, fills the sheet, the customer
signs with the mouse on the canvas, and the PDF shows the signature."""

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.fieldservice.models import WorkOrder
from kefu.fieldservice.tests.factories import new_order
from kefu.org.tests.factories import UserFactory
from tests.browser.conftest import login


def poppler(tool: str, *args: str) -> str:
    """Run a poppler-utils tool (fixed Debian path) on a PDF this test made."""
    return subprocess.run([f"/usr/bin/{tool}", *args], capture_output=True, text=True, check=True).stdout  # noqa: S603


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _team():
    manager = UserFactory(roles=["service_manager"], username="mgr", name="吴经理")
    manager.set_password("kefu2026")
    manager.save()
    engineer = UserFactory(roles=["field_engineer"], username="fe", name="陈工", manager=manager)
    engineer.set_password("kefu2026")
    engineer.save()
    hotline = UserFactory(roles=["hotline"], manager=manager)
    return manager, engineer, hotline


def test_os1_service_manager_dispatches_from_the_board(live_server, page, screenshot, outside_requests, monkeypatch):
    """The manager filters the engineers by skill, picks one and dispatches a verified row; loads
    the next page of waiting rows (htmx) and verifies and sends back rows from it."""
    from kefu.fieldservice import selectors
    from kefu.fieldservice.models import EngineerProfile

    monkeypatch.setattr(selectors, "BOARD_PAGE", 2)  # the live server runs in this process
    manager, engineer, hotline = _team()
    EngineerProfile.objects.create(user=engineer, skills="财务软件、打印机")
    other = UserFactory(roles=["field_engineer"], name="林工")
    EngineerProfile.objects.create(user=other, skills="网络")
    now = timezone.now()
    order = new_order(now=now, manager=manager, engineer=engineer, hotline=hotline, until="verified")
    later = [
        new_order(now=now + timedelta(minutes=i), manager=manager, engineer=engineer, hotline=hotline)
        for i in (1, 2, 3)
    ]
    login(page, live_server, "mgr")
    page.goto(f"{live_server.url}/fieldservice/board/")
    assert page.locator("[data-testid=waiting-table] tbody tr[data-object]").count() == 2
    picked = page.locator("[data-testid=picked-engineer]")
    assert picked.inner_text() == "陈工"  # least loaded first, picked by default
    page.fill("[data-testid=engineer-filter]", "网络")  # hides 陈工: the pick is cleared, not kept hidden
    assert picked.inner_text() == "—" and page.locator("#engineer-rows input:checked").count() == 0
    page.fill("[data-testid=engineer-filter]", "打印机")
    assert page.locator("#engineer-rows tr:visible").count() == 1
    page.locator(f'[data-testid=engineer-pick][value="{engineer.pk}"]').check()
    assert picked.inner_text() == "陈工"
    screenshot(page, "fieldservice-board")
    page.locator(f'tr[data-number="{order.number}"] [data-testid=dispatch]').click()
    page.wait_for_selector(".alert-success")
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.DISPATCHED and order.engineer == engineer

    # The dispatched row is gone: 3 waiting, 2 shown; the third comes with "load more".
    page.click("[data-testid=load-more]")
    last = page.locator(f'tr[data-number="{later[2].number}"]')
    last.wait_for()
    assert page.locator("[data-testid=load-more]").count() == 0
    last.locator("input[name=reason]").fill("联系人电话不全")
    last.locator("[data-testid=send-back]").click()
    page.wait_for_selector(".alert-success")
    page.locator(f'tr[data-number="{later[0].number}"] [data-testid=verify]').click()
    page.wait_for_selector(".alert-success")
    for o in later:
        o.refresh_from_db()
    assert [o.status for o in later] == ["verified", "requested", "returned"]
    assert outside_requests == []


def test_os3_os4_engineer_on_a_phone_checks_in_fills_the_sheet_and_the_customer_signs(
    live_server, phone_page, screenshot, outside_requests, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    manager, engineer, hotline = _team()
    now = timezone.now()
    base = now - timedelta(minutes=30)  # the appointment (base + 1 h) must fall today, even near midnight
    if timezone.localdate(base + timedelta(hours=1)) != timezone.localdate(now):
        base = now - timedelta(minutes=70)
    order = new_order(now=base, manager=manager, engineer=engineer, hotline=hotline, until="scheduled")
    page = phone_page
    login(page, live_server, "fe")
    page.goto(f"{live_server.url}/fieldservice/m/")
    screenshot(page, "fieldservice-phone-today")
    page.locator("[data-testid=today-order]").first.click()
    page.click("[data-testid=check-in]")
    page.wait_for_selector("[data-testid=sheet-form]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.check("[data-testid=backup-done]")
    page.fill("input[name=backup_location]", "E:\\客户备份\\20251124")
    page.fill("textarea[name=cause]", "打印机驱动与系统不兼容")
    page.fill("textarea[name=method]", "重装打印机驱动")
    page.fill("textarea[name=steps]", "卸载旧驱动，安装新驱动，打印测试页")
    page.fill("textarea[name=prevention]", "系统升级前检查驱动")
    page.fill("input[name=parts_used]", "无")
    page.fill("input[name=minutes_spent]", "45")
    page.click("label[for=outcome-solved]")
    screenshot(page, "fieldservice-phone-sheet")
    page.click("[data-testid=complete]")
    page.fill("input[name=signer_name]", "王经理")
    canvas = page.locator("[data-testid=signature-pad]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 150)
    page.mouse.down()
    for x, y in [(80, 40), (140, 160), (200, 50), (300, 140)]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
    page.mouse.up()
    screenshot(page, "fieldservice-phone-signature")
    page.click("[data-testid=sign]")
    page.wait_for_selector("[data-testid=pdf-link]")
    screenshot(page, "fieldservice-phone-signed")
    assert outside_requests == []
    order.refresh_from_db()
    sheet = order.sheet
    assert order.status == WorkOrder.Status.SIGNED and sheet.signature
    pdf = sheet.pdf.path
    text = poppler("pdftotext", pdf, "-")
    assert "王经理" in text and "重装打印机驱动" in text
    out = tmp_path / "sheet"
    poppler("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, str(out))
    from pathlib import Path

    from PIL import Image

    png = next(tmp_path.glob("sheet*.png"))
    Path("test-artifacts").mkdir(exist_ok=True)
    Image.open(png).save("test-artifacts/fieldservice-sheet-pdf.png")
    # The drawn signature: the signature image in the PDF has dark pixels.
    listing = poppler("pdfimages", "-list", pdf)
    assert len(listing.strip().splitlines()) >= 3
    poppler("pdfimages", "-png", pdf, str(tmp_path / "img"))
    sig = Image.open(sorted(tmp_path.glob("img*.png"))[0]).convert("L")
    assert sig.getextrema()[0] < 80  # the darkest pixel
