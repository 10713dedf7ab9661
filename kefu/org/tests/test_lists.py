"""RPT-4 with RS: the station and user lists export what their page shows; a station's master
exports its own station and staff, nothing of another station."""

import pytest
from django.urls import reverse

from tests.helpers.lists import export, page_count

pytestmark = pytest.mark.django_db


def test_rpt4_a_station_master_exports_only_their_own_station_and_staff(client, station_a, station_b, make_user):
    master = make_user("station_master", station=station_a, username="master_a")
    make_user("station_engineer", station=station_a, username="engineer_a")
    make_user("station_engineer", station=station_b, username="engineer_b")
    client.force_login(master)
    html = client.get(reverse("org:station_list")).content.decode()
    header, *rows = export(client, "org:station_list")
    assert page_count(html) == len(rows) == 1 and rows[0][header.index("站点代码")] == "station-a"
    html = client.get(reverse("org:user_list")).content.decode()
    header, *rows = export(client, "org:user_list")
    assert page_count(html) == len(rows)
    assert sorted(r[header.index("用户名")] for r in rows) == ["engineer_a", "master_a"]
    assert "维修站站长" in {r[header.index("角色")] for r in rows}  # the role's label, not its key
    client.force_login(make_user("call_center"))
    html = client.get(reverse("org:station_list")).content.decode()
    assert page_count(html) == len(export(client, "org:station_list")) - 1 == 2
    client.force_login(make_user("customer"))
    assert client.get(reverse("exports:start", args=["org:station_list"])).status_code == 403
