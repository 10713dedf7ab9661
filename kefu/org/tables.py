"""The station and user lists, declared once for their page and their Excel export (RS, RPT-4):
a station user sees its own station and its staff, as on the page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core import words
from kefu.core.tables import Column, Table
from kefu.org import selectors
from kefu.org.roles import ROLE_LABELS


def _text(value) -> str:
    return str(value) if value else ""


class StationTable(Table):
    name = "org:station_list"
    title = _("维修站")
    permission = "org.view_station_list"
    testid = "station-table"
    empty = _("暂无维修站")
    per_page = 50
    stack = True
    columns = (
        Column("code", _("站点代码")),
        Column("name", _("维修站名称"), link=lambda s: reverse("org:station_detail", args=[s.pk])),
        Column("region", _("所在地区"), value=lambda s: _text(s.region)),
        Column("regions", _("服务区域"), value=lambda s: words.join(r.name for r in s.regions.all()), width=30),
        Column("phone", _("电话")),
    )

    def rows(self, user, params):
        return selectors.stations_for(user).prefetch_related("regions")


STATIONS = StationTable()


class UserTable(Table):
    name = "org:user_list"
    title = _("人员")
    permission = "org.view_user_list"
    testid = "user-table"
    empty = _("暂无人员")
    per_page = 50
    stack = True
    columns = (
        Column("username", _("用户名")),
        Column("name", _("姓名")),
        Column("roles", _("角色"), value=lambda u: words.join(ROLE_LABELS.get(g.name, g.name) for g in u.groups.all())),
        Column("department", _("部门"), value=lambda u: _text(u.department)),
        Column("station", _("维修站"), value=lambda u: _text(u.station)),
    )

    def rows(self, user, params):
        return selectors.users_for(user)


USERS = UserTable()
