"""Demo data: the built-in framework library and one login per role that exists so far."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from wenming.core.formats import framework_load
from wenming.frameworks.services import framework_import

LIBRARY = Path(__file__).resolve().parent / "library"
DEMO_PASSWORD = "Wenming@2026"
OUTCOME = {"created": "已载入", "updated": "已更新", "unchanged": "已存在"}
DEMO_USERS = [("admin", "系统管理员", True)]


def library_files() -> list[Path]:
    return sorted(LIBRARY.glob("*.yaml"))


def demo_load() -> list[str]:
    """Create the database if needed and load the demo data; return lines to print."""
    call_command("migrate", interactive=False, verbosity=0)
    lines = []
    with transaction.atomic():
        for path in library_files():
            edition, what = framework_import(framework=framework_load(path))
            lines.append(f"测评体系 {edition.name}({edition.edition}版):{OUTCOME[what]}")
        User = get_user_model()
        for username, full_name, is_admin in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.first_name = full_name
                user.is_staff = user.is_superuser = is_admin
                user.set_password(DEMO_PASSWORD)
                user.save()
    lines.append("")
    lines.append(f"演示账号(密码均为 {DEMO_PASSWORD}):")
    lines += [f"  {u:<10} {name}" for u, name, _ in DEMO_USERS]
    return lines
