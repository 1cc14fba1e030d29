"""``wenming serve``: the web server with its background worker beside it, and the set-up every
command shares (:func:`django_setup`). :mod:`wenming.cli` adds the parser."""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import subprocess
import sys
import threading
import time


class CommandError(Exception):
    """A user-facing failure; the message is printed as it is."""


def django_setup(*, production: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    if production:
        os.environ["WENMING_PRODUCTION"] = "1"
    import django

    django.setup()


def _start_worker(production: bool) -> subprocess.Popen[bytes]:
    """The background worker (documents, binders, imports) runs beside the web server and stops
    with it: on Ctrl+C, on SIGTERM (a service manager's stop) and, on Linux, even when the server
    is killed outright (the kernel signals the worker when its parent dies)."""
    env = dict(os.environ)
    if production:
        env["WENMING_PRODUCTION"] = "1"
    worker = subprocess.Popen(
        [sys.executable, "-m", "wenming.cli", "worker"],
        env=env,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    atexit.register(_stop_worker, worker)
    # SIGTERM would end the server without running atexit: turn it into a normal exit
    signal.signal(signal.SIGTERM, _exit_on_signal)
    return worker


# seconds between two looks for jobs a killed worker left behind
RECOVER_EVERY = float(os.environ.get("WENMING_RECOVER_EVERY", "30"))
# seconds between two runs of the deadline reminders (each deadline is reminded once, however
# many workers run them: Reminder's unique key)
REMIND_EVERY = float(os.environ.get("WENMING_REMIND_EVERY", "3600"))


def cmd_worker(args: argparse.Namespace) -> int:
    """The background worker: RQ when Redis is configured (WENMING_TASK_QUEUE=rq), else the
    database queue. Beside it, a thread enqueues again the jobs a killed worker left behind
    (see wenming.jobs.services.jobs_recover), so any number of workers on any hosts may run,
    and sends the deadline reminders every hour (``deadline_reminders``)."""
    django_setup(production=args.production)
    import threading

    from django.conf import settings
    from django.core.management import call_command

    stop = threading.Event()
    threading.Thread(target=_recover_loop, args=(stop,), daemon=True).start()
    try:
        if settings.TASK_QUEUE == "rq":
            print("后台任务进程:RQ 队列(Redis)")
            call_command("rqworker", "default", job_class="django_tasks_rq.backend.Job")
        else:
            print("后台任务进程:数据库队列")
            call_command("db_worker")
    finally:
        stop.set()
    return 0


def _recover_loop(stop: threading.Event) -> None:
    from django.db import connection

    from wenming.jobs.services import jobs_recover
    from wenming.jobs.tasks import run_job

    reminded = -REMIND_EVERY  # the first look also sends the day's reminders
    while not stop.wait(RECOVER_EVERY):
        try:
            enqueued, failed = jobs_recover(lambda pk: run_job.enqueue(pk))
            if enqueued or failed:
                print(f"重新排队的中断任务:{enqueued} 个;多次中断而失败:{failed} 个", flush=True)
            if time.monotonic() - reminded >= REMIND_EVERY:
                reminded = time.monotonic()
                _remind()
        except Exception as exc:  # the database or Redis is away for a moment: try again later
            print(f"检查中断任务或发送临期提醒时出错:{exc}", file=sys.stderr, flush=True)
        finally:
            connection.close()


def _remind() -> None:
    """The deadline reminders due today (once per deadline: a second worker's run, or the next
    hour's, finds them sent)."""
    from django.core.management import call_command

    call_command("deadline_reminders")


def _die_with_parent() -> None:
    """In the worker, before it starts: ask Linux to send SIGTERM when the server dies."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


WILDCARD_ADDRESSES = {"0.0.0.0", "::", ""}


def production_hosts(host: str) -> None:
    """Production answers only to known host names: WENMING_ALLOWED_HOSTS, else the address the
    first run was given with --host (recorded in the data directory), else refuse to start."""
    from django.conf import settings

    if settings.ALLOWED_HOSTS:
        return
    if host in WILDCARD_ADDRESSES:
        raise CommandError(
            "生产模式需要知道网站的访问地址:请设置环境变量 WENMING_ALLOWED_HOSTS"
            "(访问用的域名或IP,多个用逗号分隔,例如 wenming.example.gov.cn,10.0.0.5),"
            "或用 --host 指定具体的IP地址启动一次(将记录在数据目录的 allowed_hosts 中)"
        )
    name = f"[{host}]" if ":" in host else host  # an IPv6 address is matched in brackets
    settings.HOSTS_FILE.write_text(name + "\n", encoding="utf-8")
    settings.ALLOWED_HOSTS = [name]
    print(f"已记录访问地址 {host}(数据目录 allowed_hosts;改用 WENMING_ALLOWED_HOSTS 可覆盖)")


def cmd_serve(args: argparse.Namespace) -> int:
    django_setup(production=args.production)
    from django.core.management import call_command

    if args.production:
        production_hosts(args.host)

    # several servers of one installation: migrations and static files once, by the deployer
    # (docs/deploy.md), not by every server at once
    if not args.no_setup:
        call_command("migrate", interactive=False, verbosity=0)
    if not args.no_worker:
        _start_worker(args.production)
    address = f"{args.host}:{args.port}"
    if not args.production:
        print(f"开发模式:http://{address}/  (按 Ctrl+C 停止)")
        call_command("runserver", address, use_reloader=False)
        return 0
    if not args.no_setup:
        call_command("collectstatic", interactive=False, verbosity=0)
    from waitress import serve

    # imported here: building the application loads every app (after django_setup())
    from wenming.wsgi import application

    print(f"生产模式:http://{address}/  (waitress,{args.threads}个线程)")
    serve(application, host=args.host, port=args.port, threads=args.threads)
    return 0
