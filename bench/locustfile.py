"""A bounded load on the production topology (issue 13 §7), run by scripts/topology.sh:

    .venv-locust/bin/locust -f bench/locustfile.py --headless -u 30 -r 10 -t 60s --host http://127.0.0.1:8766

Three kinds of people, all demo users (username = role key, password kefu2026), each with a
session for the pages and a token for the API, signed in once before the load starts.

- Hotline (热线): records calls (HL-3), one in four asks for a visit (HL-6), and reads its own calls;
- Desk (服务专岗 and others): the workbench page and API, the request list page and API (SR);
- Dispatcher (服务经理): the dispatch board, verifies requested visits and dispatches verified
  ones to the field engineer (OS-1). Dispatchers race for the same orders on purpose: the
  loser's 409 is the expected answer (QS-3), not a failure.

Only 127.0.0.1 (topology.sh refuses another host). Runs in its own venv (`.venv-locust`).
"""

import random
from urllib.parse import urlsplit

import requests
from locust import HttpUser, between, events, task

PASSWORD = "kefu2026"  # noqa: S105 -- the documented demo password, demo data only
PHENOMENA = ["打印机卡纸", "财务软件无法登录", "税控盘读不到", "网络时断时续", "服务器风扇异响", "报表导出乱码"]


SIGNED_IN: dict[str, tuple[str, dict]] = {}  # username → (API token, session cookies)


def _sign_in(host: str, username: str) -> tuple[str, dict]:
    # The token first, from a client without a session (the token view would then want CSRF).
    token = requests.post(f"{host}/api/auth/token/", json={"username": username, "password": PASSWORD}, timeout=60)
    token.raise_for_status()
    browser = requests.Session()
    browser.get(f"{host}/login/", timeout=60)
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")}
    browser.post(f"{host}/login/", data=form, allow_redirects=False, timeout=60).raise_for_status()
    if "sessionid" not in browser.cookies:
        raise SystemExit(f"{username} could not sign in")
    return token.json()["token"], browser.cookies.get_dict()


@events.test_start.add_listener
def _sign_in_everyone(environment, **kwargs) -> None:
    """Only 127.0.0.1; every demo user signs in once, before the load (not part of it): people
    at work are signed in, and each sign-in is an Argon2 hash, slow on purpose (~0.7 s CPU)."""
    host = urlsplit(environment.host or "").hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"bench/locustfile.py loads 127.0.0.1 only, not {host!r}")
    for cls in (Hotline, Desk, Dispatcher):
        for username in cls.usernames:
            if username not in SIGNED_IN:
                SIGNED_IN[username] = _sign_in(environment.host, username)


class Person(HttpUser):
    """Several locust users may share a demo user: one person with several tabs open."""

    abstract = True
    wait_time = between(0.5, 2.0)
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        self.username = random.choice(self.usernames)
        token, cookies = SIGNED_IN[self.username]
        for name, value in cookies.items():
            self.client.cookies.set(name, value)
        self.client.headers["Authorization"] = f"Token {token}"

    def rows(self, url: str, name: str) -> list[dict]:
        answer = self.client.get(url, name=name)
        data = answer.json() if answer.ok else []
        return data["results"] if isinstance(data, dict) else data


class Hotline(Person):
    weight = 10
    usernames = ("hotline", "hotline_night")

    def on_start(self) -> None:
        super().on_start()
        self.customers = [c["id"] for c in self.rows("/api/customers/?page_size=50", "/api/customers/")]

    def _call(self, *, onsite: bool) -> dict | None:
        answer = self.client.post(
            "/api/hotline/records/",
            json={
                "customer": random.choice(self.customers),
                "phenomenon": random.choice(PHENOMENA),
                "caller": "压测来电",
                "caller_phone": f"1380013{random.randrange(10000):04d}",
                "product": "财务软件",
                "answer": "" if onsite else "已远程指导重启服务",
            },
            name="/api/hotline/records/ (intake)",
        )
        return answer.json() if answer.status_code == 201 else None

    @task(6)
    def intake(self) -> None:
        self._call(onsite=False)

    @task(2)
    def intake_with_visit(self) -> None:
        record = self._call(onsite=True)
        if record:
            self.client.post(
                f"/api/requests/{record['request']}/request-onsite/",
                json={"reason": "远程无法解决，需上门检查"},
                name="/api/requests/[id]/request-onsite/",
            )

    @task(2)
    def my_calls(self) -> None:
        self.client.get("/api/hotline/records/?mine=1", name="/api/hotline/records/?mine=1")


class Desk(Person):
    weight = 14
    usernames = ("service_desk", "customer_rep", "service_manager", "call_center", "hotline")

    @task(3)
    def workbench_page(self) -> None:
        self.client.get("/", name="/ (workbench)")

    @task(1)
    def workbench_api(self) -> None:
        self.client.get("/api/workbench/", name="/api/workbench/")

    @task(3)
    def request_list_page(self) -> None:
        self.client.get("/servicedesk/", name="/servicedesk/ (request list)")

    @task(2)
    def request_list_api(self) -> None:
        self.client.get(
            random.choice(["/api/requests/?status=open", "/api/requests/", "/api/requests/?owner=me"]),
            name="/api/requests/",
        )


class Dispatcher(Person):
    weight = 6
    usernames = ("service_manager", "aftersales_manager")

    def on_start(self) -> None:
        super().on_start()
        users = self.rows("/api/users/?page_size=100", "/api/users/")
        self.engineers = [u["id"] for u in users if "field_engineer" in u.get("roles", [])]

    def _race(self, url: str, body: dict, name: str) -> None:
        # Two managers on one order: one wins, the other is told (409) — the expected answer.
        with self.client.post(url, json=body, name=name, catch_response=True) as answer:
            if answer.status_code in (200, 409):
                answer.success()

    @task(2)
    def board(self) -> None:
        self.client.get("/fieldservice/board/", name="/fieldservice/board/")

    @task(3)
    def verify(self) -> None:
        orders = self.rows("/api/work-orders/?status=requested", "/api/work-orders/?status=requested")
        if orders:
            order = random.choice(orders[:5])
            self._race(f"/api/work-orders/{order['id']}/verify/", {"note": "已核实"}, "/api/work-orders/[id]/verify/")

    @task(3)
    def dispatch(self) -> None:
        orders = self.rows("/api/work-orders/?status=verified", "/api/work-orders/?status=verified")
        if orders and self.engineers:
            order = random.choice(orders[:5])
            self._race(
                f"/api/work-orders/{order['id']}/dispatch/",
                {"engineer": random.choice(self.engineers)},
                "/api/work-orders/[id]/dispatch/",
            )
