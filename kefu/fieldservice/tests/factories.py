"""Personas and work orders of onsite service, made through the workflow (as users make them)."""

import base64
import io
from datetime import timedelta

from kefu.fieldservice import workflow
from kefu.fieldservice.models import ServiceSheet
from kefu.org.tests.factories import UserFactory
from kefu.servicedesk.tests.factories import new_request


def signature_png() -> str:
    """A drawn signature as signature_pad sends it: a PNG data URL (a black stroke)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(img).line([(20, 70), (80, 20), (140, 80), (280, 30)], fill="black", width=6)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def people():
    manager = UserFactory(roles=["service_manager"], name="吴经理")
    engineer = UserFactory(roles=["field_engineer"], name="陈工", manager=manager)
    hotline = UserFactory(roles=["hotline"], name="郑热线", manager=manager)
    return manager, engineer, hotline


SHEET = {
    "backup_done": True,
    "backup_location": "D:\\kefu-backup\\2025",
    "phenomenon": "打印凭证时提示打印机未就绪",
    "cause": "驱动不兼容",
    "method": "重装打印机驱动",
    "steps": "卸载、安装、测试",
    "prevention": "升级系统前检查驱动",
    "parts_used": "无",
    "minutes_spent": 40,
    "outcome": ServiceSheet.Outcome.SOLVED,
}


def new_order(*, now, manager, engineer, hotline, until="requested", outcome=ServiceSheet.Outcome.SOLVED, request=None):
    req = request or new_request(by=hotline, now=now, title="打印机无法打印")
    order = workflow.request_onsite(req, reason="电话无法解决，需上门", by=hotline, now=now)
    chain = [
        ("verified", lambda: workflow.verify(order, by=manager, now=now)),
        ("dispatched", lambda: workflow.dispatch(order, engineer, by=manager, now=now)),
        ("confirmed", lambda: workflow.confirm(order, by=engineer, now=now)),
        (
            "scheduled",
            lambda: workflow.set_appointment(
                order, start=now + timedelta(hours=1), end=now + timedelta(hours=3), by=engineer, now=now
            ),
        ),
        ("on_site", lambda: workflow.check_in(order, by=engineer, now=now + timedelta(hours=1))),
        (
            "completed",
            lambda: workflow.complete(
                order, data=dict(SHEET, outcome=outcome), by=engineer, now=now + timedelta(hours=2)
            ),
        ),
        (
            "signed",
            lambda: workflow.sign(
                order, signer_name="王经理", signature=signature_png(), by=engineer, now=now + timedelta(hours=2)
            ),
        ),
    ]
    if until == "requested":
        return order
    for state, step in chain:
        step()
        if state == until:
            break
    order.refresh_from_db()
    return order


def station_world() -> list:
    """A work order a station must never see (stations get none until the RS issue)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    manager, engineer, hotline = people()
    now = datetime(2025, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    return [new_order(now=now, manager=manager, engineer=engineer, hotline=hotline, until="dispatched")]
