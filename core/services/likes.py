"""Likes on tweets and comments."""

from __future__ import annotations

from collections.abc import Callable

from core.domain import ids as id_layout
from core.domain.errors import Invalid
from core.domain.social import Like, TargetType, Verb
from core.ports.id_generator import IdGenerator
from core.ports.unit_of_work import UnitOfWork
from core.services.lookups import Lookups
from core.services.notifications import Notifier
from core.services.views import LikeView

LIKEABLE = {"tweet": TargetType.TWEET, "comment": TargetType.COMMENT}


def likeable(content_type: object) -> TargetType:
    """The target type named by the API's `content_type` ("tweet" or "comment")."""
    if not isinstance(content_type, str) or content_type not in LIKEABLE:
        raise Invalid.on_field("content_type", "content_type must be tweet or comment")
    return LIKEABLE[content_type]


class LikeService:
    """One like per user per tweet or comment.

    - Liking again keeps the one like (created is False) and notifies nobody.
    - A like of something that does not exist is Invalid naming `object_id`.
    - likes_count changes in the same transaction as the like, atomically in the store,
      so it is exact under concurrency and never negative.
    - The count changes first, before the like row: that update is the liked object's
      existence check and holds its row (the repositories' row rule), so a like racing
      the deletion of its tweet or comment lands before it (and goes with it) or answers
      Invalid as for an unknown object; never an orphan like.
    - When the like row then does not change (liked already, or not liked), the unit of
      work is left without commit, which takes the count change back: the count moves
      only with a like really added or removed.
    - The owner is notified of a new like, unless they liked their own thing.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        ids: IdGenerator,
        lookups: Lookups,
        notifier: Notifier,
    ) -> None:
        self._uow_factory = uow_factory
        self._ids = ids
        self._lookups = lookups
        self._notifier = notifier

    def like(self, actor_id: int, content_type: str, object_id: int) -> tuple[LikeView, bool]:
        target = likeable(content_type)
        like_id = self._ids.next_id()
        like = Like(
            id=like_id,
            user_id=actor_id,
            target_type=target,
            target_id=object_id,
            created_at=id_layout.time_of(like_id),
        )
        with self._uow_factory() as uow:
            owner_id, tweet_id = self._owner(uow, target, object_id)
            self._count(uow, target, object_id, +1)
            created = uow.likes.add(like)
            notified = None
            if created:
                verb = Verb.LIKED_TWEET if target is TargetType.TWEET else Verb.LIKED_COMMENT
                notified = self._notifier.record(
                    uow,
                    recipient_id=owner_id,
                    actor_id=actor_id,
                    verb=verb,
                    target_type=target,
                    target_id=object_id,
                )
                uow.commit()
            else:  # liked already: no commit, so the count goes back
                like = uow.likes.get(actor_id, target, object_id) or like
        self._notifier.announce([notified])
        self._lookups.forget_tweets([tweet_id])
        user = self._lookups.summaries([actor_id])[actor_id]
        return LikeView(user=user, created_at=like.created_at), created

    def cancel(self, actor_id: int, content_type: str, object_id: int) -> int:
        target = likeable(content_type)
        with self._uow_factory() as uow:
            _, tweet_id = self._owner(uow, target, object_id)
            self._count(uow, target, object_id, -1)
            deleted = uow.likes.remove(actor_id, target, object_id)
            if deleted:  # else no commit, so the count goes back
                uow.commit()
        self._lookups.forget_tweets([tweet_id])
        return int(deleted)

    @staticmethod
    def _owner(uow: UnitOfWork, target: TargetType, object_id: int) -> tuple[int, int]:
        """The owner of the liked object and the tweet it belongs to."""
        if target is TargetType.TWEET:
            tweet = uow.tweets.get(object_id)
            if tweet is not None:
                return tweet.user_id, tweet.id
        else:
            comment = uow.comments.get(object_id)
            if comment is not None:
                return comment.user_id, comment.tweet_id
        raise Invalid.on_field("object_id", f"no such {target.value}")

    @staticmethod
    def _count(uow: UnitOfWork, target: TargetType, object_id: int, delta: int) -> None:
        """Change the liked object's count, or Invalid when it was deleted since `_owner`."""
        if target is TargetType.TWEET:
            found = uow.tweets.change_counts(object_id, likes=delta)
        else:
            found = uow.comments.change_likes(object_id, delta)
        if not found:
            raise Invalid.on_field("object_id", f"no such {target.value}")
