"""Comments: replies under tweets."""

from __future__ import annotations

from collections.abc import Callable

from core.domain import ids as id_layout
from core.domain.errors import Forbidden, Invalid, NotFound
from core.domain.paging import Page, Window, map_page, oldest_first_page
from core.domain.social import Comment, TargetType, Verb
from core.ports.clock import Clock
from core.ports.id_generator import IdGenerator
from core.ports.unit_of_work import UnitOfWork
from core.services.lookups import Lookups
from core.services.notifications import Notifier
from core.services.views import CommentView


class CommentService:
    """Comments under tweets.

    - Content is 1-140 characters after trimming.
    - Commenting on a tweet that does not exist is Invalid naming `tweet_id`.
    - The tweet's author is notified (not when commenting on one's own tweet).
    - Only the author edits (only the text changes) or deletes; the tweet's comments_count
      follows exactly, in the same transaction.
    - The count changes first, before the comment row: that update is the tweet's existence
      check and holds the tweet's row (TweetRepository's row rule), so a comment racing
      its tweet's deletion lands before it (and goes with it) or finds no tweet (Invalid
      for a new one, NotFound for a deletion); never an orphan, never a drifted count.
    - A deletion that finds no comment to delete (a concurrent one won) is NotFound and
      rolls the count back: of concurrent deletions of one comment, one counts.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        ids: IdGenerator,
        lookups: Lookups,
        notifier: Notifier,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._ids = ids
        self._lookups = lookups
        self._notifier = notifier

    def list_comments(
        self, viewer_id: int | None, tweet_id: int, window: Window
    ) -> Page[CommentView]:
        with self._uow_factory() as uow:
            comments = uow.comments.list_for_tweet(tweet_id, window)
        page = oldest_first_page(window, comments, key=lambda c: c.id)
        return map_page(page, self.views(viewer_id, page.results))

    def views(self, viewer_id: int | None, comments: list[Comment]) -> list[CommentView]:
        authors = self._lookups.summaries(c.user_id for c in comments)
        liked = self._lookups.liked(viewer_id, TargetType.COMMENT, [c.id for c in comments])
        return [
            CommentView(comment=c, user=authors[c.user_id], has_liked=c.id in liked)
            for c in comments
            if c.user_id in authors
        ]

    def add_comment(self, actor_id: int, tweet_id: int, content: str) -> CommentView:
        comment_id = self._ids.next_id()
        now = id_layout.time_of(comment_id)
        comment = Comment(
            id=comment_id,
            tweet_id=tweet_id,
            user_id=actor_id,
            content=content,
            created_at=now,
            updated_at=now,
        )
        with self._uow_factory() as uow:
            tweet = uow.tweets.get(tweet_id)
            if tweet is None:
                raise Invalid.on_field("tweet_id", "no such tweet")
            if not uow.tweets.change_counts(tweet_id, comments=1):
                raise Invalid.on_field("tweet_id", "no such tweet")  # deleted since the read
            uow.comments.add(comment)
            notified = self._notifier.record(
                uow,
                recipient_id=tweet.user_id,
                actor_id=actor_id,
                verb=Verb.COMMENTED,
                target_type=TargetType.TWEET,
                target_id=tweet_id,
            )
            uow.commit()
        self._notifier.announce([notified])
        self._lookups.forget_tweets([tweet_id])
        return self.views(actor_id, [comment])[0]

    def get_comment(self, viewer_id: int | None, comment_id: int) -> CommentView:
        with self._uow_factory() as uow:
            comment = uow.comments.get(comment_id)
        if comment is None:
            raise NotFound("no such comment")
        return self.views(viewer_id, [comment])[0]

    def edit_comment(self, actor_id: int, comment_id: int, content: str) -> CommentView:
        with self._uow_factory() as uow:
            comment = self._owned(uow, actor_id, comment_id)
            comment.edit(content, self._clock.now())
            uow.comments.update(comment)
            uow.commit()
        return self.views(actor_id, [comment])[0]

    def delete_comment(self, actor_id: int, comment_id: int) -> None:
        with self._uow_factory() as uow:
            comment = self._owned(uow, actor_id, comment_id)
            # Leaving without commit rolls the count back when nothing was deleted.
            if not uow.tweets.change_counts(comment.tweet_id, comments=-1):
                raise NotFound("no such comment")  # its tweet was deleted, and it with it
            if not uow.comments.delete(comment_id):
                raise NotFound("no such comment")  # a concurrent deletion won
            uow.likes.delete_for(TargetType.COMMENT, [comment_id])
            uow.notifications.delete_for(TargetType.COMMENT, [comment_id])
            uow.commit()
        self._notifier.settle([actor_id])
        self._lookups.forget_tweets([comment.tweet_id])

    @staticmethod
    def _owned(uow: UnitOfWork, actor_id: int, comment_id: int) -> Comment:
        comment = uow.comments.get(comment_id)
        if comment is None:
            raise NotFound("no such comment")
        if comment.user_id != actor_id:
            raise Forbidden("you can only change your own comments")
        return comment
