"""Smoke test of the real RabbitMQ started by `scripts/services up rabbitmq` (AMQP 0-9-1, pika).

Fails (never skips) when the broker cannot be reached.
"""

from __future__ import annotations

import os
import time
import uuid

import pika
import pytest
from pika.adapters.blocking_connection import BlockingChannel

pytestmark = pytest.mark.integration

HOST = os.environ.get("CHIRP_RABBITMQ_HOST", "127.0.0.1")
PORT = int(os.environ.get("CHIRP_RABBITMQ_PORT", "5672"))
USER = os.environ.get("CHIRP_RABBITMQ_USER", "guest")
PASSWORD = os.environ.get("CHIRP_RABBITMQ_PASSWORD", "guest")


def connect() -> pika.BlockingConnection:
    params = pika.ConnectionParameters(
        host=HOST,
        port=PORT,
        credentials=pika.PlainCredentials(USER, PASSWORD),
        connection_attempts=1,
        socket_timeout=5,
        blocked_connection_timeout=10,
    )
    try:
        return pika.BlockingConnection(params)
    except Exception as exc:  # noqa: BLE001 - any failure means the broker is unusable
        error = repr(exc)
    pytest.fail(
        f"RabbitMQ not reachable at amqp://{HOST}:{PORT} ({error}); "
        "start it with: scripts/services up rabbitmq",
        pytrace=False,
    )


def get_one(channel: BlockingChannel, queue: str, timeout: float = 5.0):
    """basic_get, retried briefly: a just-published message may need a moment to be routed."""
    deadline = time.monotonic() + timeout
    while True:
        method, props, body = channel.basic_get(queue, auto_ack=False)
        if method is not None or time.monotonic() > deadline:
            return method, props, body
        time.sleep(0.05)


def test_a_published_message_is_delivered_once_with_its_body_and_properties() -> None:
    conn = connect()
    channel = conn.channel()
    queue = f"chirp-smoke-{uuid.uuid4().hex[:12]}"
    channel.queue_declare(queue=queue, durable=True)
    try:
        channel.confirm_delivery()
        body = b'{"event": "tweet.posted", "tweet_id": 42}'
        channel.basic_publish(
            exchange="",
            routing_key=queue,
            body=body,
            properties=pika.BasicProperties(content_type="application/json", delivery_mode=2),
        )

        method, props, received = get_one(channel, queue)
        assert method is not None, f"no message arrived on {queue}"
        assert received == body
        assert props.content_type == "application/json"
        channel.basic_ack(method.delivery_tag)

        assert channel.basic_get(queue, auto_ack=True) == (None, None, None)
    finally:
        channel.queue_delete(queue=queue)
        conn.close()


def test_an_unacknowledged_message_is_redelivered_after_reject_with_requeue() -> None:
    conn = connect()
    channel = conn.channel()
    queue = f"chirp-smoke-{uuid.uuid4().hex[:12]}"
    channel.queue_declare(queue=queue, auto_delete=False)
    try:
        channel.basic_publish(exchange="", routing_key=queue, body=b"retry me")
        method, _, body = get_one(channel, queue)
        assert body == b"retry me"
        channel.basic_reject(method.delivery_tag, requeue=True)

        method, _, body = get_one(channel, queue)
        assert body == b"retry me"
        assert method.redelivered is True
        channel.basic_ack(method.delivery_tag)
    finally:
        channel.queue_delete(queue=queue)
        conn.close()
