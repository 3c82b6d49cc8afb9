"""Container shutdown closes each resource before the resources it uses, even through
providers in between: the publishing hand-off reaches the task queue through the
dispatcher, and the queue closing first broke the hand-off's last publish."""

from __future__ import annotations

from collections.abc import Iterator

from dependency_injector import containers, providers

from container import Container, shutdown_in_order
from settings import Settings


def opened(name: str, closed: list[str], *_uses: object) -> Iterator[str]:
    yield name
    closed.append(name)


class Wiring(containers.DeclarativeContainer):
    closed = providers.Singleton(list)
    queue = providers.Resource(opened, "queue", closed)
    dispatcher = providers.Singleton(list, providers.List(queue))  # not a resource
    hand_off = providers.Resource(opened, "hand-off", closed, dispatcher)
    consumer = providers.Resource(opened, "consumer", closed, hand_off)


def test_a_resource_closes_before_what_it_uses_however_indirectly() -> None:
    wiring = Wiring()
    wiring.consumer()
    shutdown_in_order(wiring)
    assert wiring.closed() == ["consumer", "hand-off", "queue"]


def test_resources_never_opened_are_left_alone() -> None:
    wiring = Wiring()
    wiring.queue()
    shutdown_in_order(wiring)
    assert wiring.closed() == ["queue"]
    assert not wiring.hand_off.initialized


def test_on_full_the_publishing_hand_off_is_found_to_use_the_task_queue() -> None:
    container = Container(settings=Settings(profile="full"))
    queue = container.backends.amqp_queue
    assert any(used is queue for used in container.hand_off.traverse(types=[providers.Resource]))
