"""Real servers for the single-sign-on tests: Debian's slapd with a test directory, and an OIDC
provider (the oidc-provider-mock package: authlib's provider code behind a Flask app), both on
127.0.0.1 and both started here. Skipped with a printed reason when absent; CI fails instead."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import need

SUFFIX = "dc=wenming,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret"
PASSWORD = "Dir-pass-2026"

SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {root}/slapd.pid
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {root}/db
"""

PEOPLE = {
    # uid: (full name, groups)
    "zhangsan": ("张三", ["wenming-office"]),
    "lisi": ("李四", ["school-admins"]),
    "wangwu": ("王五", []),
    "east_office": ("同名的目录人员", ["wenming-office"]),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def person_dn(uid: str) -> str:
    return f"uid={uid},ou=people,{SUFFIX}"


def group_dn(name: str) -> str:
    return f"cn={name},ou=groups,{SUFFIX}"


@dataclass
class Slapd:
    url: str

    def connect(self) -> Any:
        import ldap  # type: ignore[import-untyped]

        conn = ldap.initialize(self.url)
        conn.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return conn

    def env(self) -> dict[str, str]:
        """The product's environment variables pointing at this directory."""
        return {
            "WENMING_LDAP_URL": self.url,
            "WENMING_LDAP_BIND_DN": ROOT_DN,
            "WENMING_LDAP_BIND_PASSWORD": ROOT_PASSWORD,
            "WENMING_LDAP_USER_BASE": f"ou=people,{SUFFIX}",
            "WENMING_LDAP_USER_FILTER": "(uid=%(user)s)",
            "WENMING_LDAP_GROUP_BASE": f"ou=groups,{SUFFIX}",
            "WENMING_LDAP_GROUP_FILTER": "(objectClass=groupOfNames)",
            "WENMING_LDAP_GROUP_TYPE": "groupOfNames",
            "WENMING_LDAP_TIMEOUT": "3",
        }

    def set_members(self, group: str, uids: list[str]) -> None:
        import ldap

        conn = self.connect()
        members = [person_dn(u).encode() for u in uids] or [ROOT_DN.encode()]
        conn.modify_s(group_dn(group), [(ldap.MOD_REPLACE, "member", members)])
        conn.unbind_s()


def _load_directory(server: Slapd) -> None:
    import ldap.modlist  # type: ignore[import-untyped]

    conn = server.connect()

    def add(dn: str, attrs: dict[str, list[str]]) -> None:
        encoded = {k: [v.encode() for v in vs] for k, vs in attrs.items()}
        conn.add_s(dn, ldap.modlist.addModlist(encoded))

    add(SUFFIX, {"objectClass": ["dcObject", "organization"], "dc": ["wenming"], "o": ["文明"]})
    for ou in ("people", "groups"):
        add(f"ou={ou},{SUFFIX}", {"objectClass": ["organizationalUnit"], "ou": [ou]})
    for uid, (name, _) in PEOPLE.items():
        add(
            person_dn(uid),
            {
                "objectClass": ["inetOrgPerson"],
                "uid": [uid],
                "cn": [name],
                "sn": [name[0]],
                "mail": [f"{uid}@example.test"],
                "userPassword": [PASSWORD],
            },
        )
    groups: dict[str, list[str]] = {"wenming-office": [], "school-admins": []}
    for uid, (_, names) in PEOPLE.items():
        for group in names:
            groups[group].append(uid)
    for group, uids in groups.items():
        # groupOfNames needs one member at least: the directory's own administrator
        members = [person_dn(u) for u in uids] or [ROOT_DN]
        add(group_dn(group), {"objectClass": ["groupOfNames"], "cn": [group], "member": members})
    conn.unbind_s()


def slapd_path() -> str | None:
    return shutil.which("slapd") or (
        "/usr/sbin/slapd" if os.access("/usr/sbin/slapd", os.X_OK) else None
    )


def slapd_run() -> Iterator[Slapd]:
    """Start slapd on a free port with a throwaway config and database; stop it after."""
    binary = slapd_path()
    need(binary is not None, "未找到 slapd(Debian 软件包 slapd),LDAP 登录测试跳过")
    try:
        import ldap  # noqa: F401
    except ImportError:  # pragma: no cover - python-ldap is a dependency
        need(False, "未安装 python-ldap,LDAP 登录测试跳过")
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="wenming-slapd-") as root:
        Path(root, "db").mkdir()
        conf = Path(root, "slapd.conf")
        conf.write_text(
            SLAPD_CONF.format(
                root=root, suffix=SUFFIX, root_dn=ROOT_DN, root_password=ROOT_PASSWORD
            ),
            encoding="utf-8",
        )
        port = free_port()
        url = f"ldap://127.0.0.1:{port}"
        process = subprocess.Popen(
            [binary, "-f", str(conf), "-h", f"{url}/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            server = Slapd(url)
            deadline = time.monotonic() + 10
            while True:
                try:
                    server.connect().unbind_s()
                    break
                except Exception:
                    if process.poll() is not None or time.monotonic() > deadline:
                        err = (
                            process.stderr.read().decode(errors="replace") if process.stderr else ""
                        )
                        need(False, f"slapd 无法启动:{err[-300:]}")
                    time.sleep(0.05)
            _load_directory(server)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- OIDC --------------------------------------------------------------------------------------

OIDC_PEOPLE = {
    # sub: claims
    "sub-zhao": {"preferred_username": "zhaoliu", "name": "赵六", "groups": ["wenming-office"]},
    "sub-qian": {"preferred_username": "qianqi", "name": "钱七", "groups": ["visitors"]},
    "sub-taken": {"preferred_username": "filler", "name": "同名的人", "groups": ["school-fill"]},
}


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str

    def env(self) -> dict[str, str]:
        return {
            "WENMING_OIDC_ISSUER": self.issuer,
            "WENMING_OIDC_CLIENT_ID": self.client_id,
            "WENMING_OIDC_CLIENT_SECRET": self.client_secret,
            "WENMING_OIDC_SCOPES": "openid profile email",
            "WENMING_OIDC_ROLE_CLAIMS": "groups",
        }


def provider_run(redirect_uri: str) -> Iterator[Provider]:
    """The provider on 127.0.0.1 over plain HTTP (as on an intranet), one client registered."""
    try:
        import oidc_provider_mock  # type: ignore[import-untyped]
        import requests
        import werkzeug.serving
    except ImportError:
        need(False, "未安装 oidc-provider-mock(pip 软件包),统一身份认证测试跳过")
        raise
    saved = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the provider's own check for plain HTTP
    app = oidc_provider_mock.app(
        require_client_registration=True,
        require_nonce=True,
        user_claims=[
            oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in OIDC_PEOPLE.items()
        ],
    )
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        issuer = f"http://127.0.0.1:{server.server_port}"
        registered = requests.post(
            f"{issuer}/oauth2/clients",
            json={
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": "client_secret_post",
            },
            timeout=5,
        )
        registered.raise_for_status()
        body = registered.json()
        yield Provider(issuer, body["client_id"], body["client_secret"])
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        if saved is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = saved
