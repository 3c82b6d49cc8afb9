"""In-process adapters: a deterministic fake for every port, and the embedded profile's caches."""

from adapters.memory.blobs import InMemoryBlobStore
from adapters.memory.clock import FakeClock
from adapters.memory.comments import InMemoryCommentRepository
from adapters.memory.counters import InMemoryCounters
from adapters.memory.database import InMemoryDatabase
from adapters.memory.events import InMemoryEventBroker
from adapters.memory.feeds import InMemoryFeedStore
from adapters.memory.follows import InMemoryFollowStore
from adapters.memory.gates import InMemoryGateStore
from adapters.memory.ids import SequentialIdGenerator
from adapters.memory.likes import InMemoryLikeRepository
from adapters.memory.list_cache import InMemoryListCache
from adapters.memory.notifications import InMemoryNotificationRepository
from adapters.memory.object_cache import InMemoryObjectCache
from adapters.memory.outbox import InMemoryIdempotencyKeys, InMemoryOutbox
from adapters.memory.rate_limits import InMemoryRateLimitStore
from adapters.memory.task_queue import InMemoryTaskQueue
from adapters.memory.tokens import InMemoryTokenStore
from adapters.memory.tweets import InMemoryTweetRepository
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.memory.users import InMemoryProfileRepository, InMemoryUserRepository

__all__ = [
    "FakeClock",
    "InMemoryBlobStore",
    "InMemoryCommentRepository",
    "InMemoryCounters",
    "InMemoryDatabase",
    "InMemoryEventBroker",
    "InMemoryFeedStore",
    "InMemoryFollowStore",
    "InMemoryGateStore",
    "InMemoryIdempotencyKeys",
    "InMemoryLikeRepository",
    "InMemoryListCache",
    "InMemoryNotificationRepository",
    "InMemoryObjectCache",
    "InMemoryOutbox",
    "InMemoryRateLimitStore",
    "InMemoryTaskQueue",
    "InMemoryTokenStore",
    "InMemoryTweetRepository",
    "InMemoryUnitOfWork",
    "InMemoryUserRepository",
    "InMemoryProfileRepository",
    "SequentialIdGenerator",
]
