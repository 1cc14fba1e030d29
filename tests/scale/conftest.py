"""Real servers for the scale tests: an S3-compatible server (moto's standalone server, started
here on 127.0.0.1) and Redis (a redis-server started here on a free port, so parallel runs never
share a queue). Skipped with a reason when absent; CI=true fails instead (tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise RuntimeError(f"{what} 启动失败")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} 未在15秒内开始监听")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The address of an S3-compatible server on 127.0.0.1, for the whole session."""
    server = BIN / "moto_server"
    need(server.exists(), "未安装 moto[server](pip 的测试依赖),对象存储测试跳过")
    port = free_port()
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
    )
    try:
        wait_for_port(port, process, "S3 服务(moto_server)")
        yield f"127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture
def s3_store(s3_server, settings, tmp_path) -> Iterator[str]:
    """Stored files go to a fresh bucket of the S3 server; returns the bucket's name."""
    import boto3  # type: ignore[import-untyped]

    from wenming.settings import _storage

    bucket = f"wenming-{tmp_path.name.lower().replace('_', '-')[-40:]}"
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{s3_server}",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": _storage(f"s3+http://test:test@{s3_server}/{bucket}/site"),
    }
    yield bucket


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A Redis server of this session's own (a free port, nothing saved)."""
    server = shutil.which("redis-server")
    need(server is not None, "未安装 redis-server(Debian 软件包 redis-server),Redis 测试跳过")
    assert server is not None
    port = free_port()
    home = str(tmp_path_factory.mktemp("redis"))
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", home],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, "Redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)
