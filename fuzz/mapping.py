"""Schemathesis hooks pointing generated ids, keys and logins at the world's real objects."""

from __future__ import annotations

import itertools
import re
from typing import Any

import schemathesis
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from entrypoints.http import args
from fuzz.world import World

# Carries who a generated case is sent as (see calls.MODES) until `calls.call` takes it off.
AS_HEADER = "X-Fuzz-As"
USERNAME = re.compile(args.USERNAME)
TWEET = "/api/tweets/{tweet_id}/"
COMMENT = "/api/comments/{comment_id}/"
PROFILE = "/api/profiles/{user_id}/"
# Operations only the owner may perform: most hits use `me`'s objects (200), the rest
# someone else's (403).
OWNER_ONLY = {
    ("PATCH", TWEET),
    ("DELETE", TWEET),
    ("PUT", COMMENT),
    ("PATCH", COMMENT),
    ("DELETE", COMMENT),
    ("PUT", PROFILE),
    ("PATCH", PROFILE),
}
# Parameter name: (pool of `me`'s objects, pool of anyone's); "me" is `me`'s own user id.
POOLS = {
    "tweet_id": ("my_tweet", "their_tweet"),
    "comment_id": ("my_comment", "their_comment"),
    "user_id": ("me", "user_id"),
    "notification_id": ("notification_id", "notification_id"),
}


class Mapper:
    """Rewrites three generated ids in four to a pooled one, chosen by the generated digits,
    so a failing example still replays the same way (given the same world); the fourth
    stays random and exercises the 404 path. Non-numeric values (negative testing) pass."""

    def __init__(self) -> None:
        self.world: World | None = None
        self._signups = itertools.count(1)

    def id_for(self, name: str, value: Any, owner_only: bool) -> Any:
        number = _number(value)
        if self.world is None or name not in POOLS or number is None or number % 4 == 0:
            return value
        mine, anyones = POOLS[name]
        own = [self.world.me.id] if mine == "me" else self.world.pools[mine]
        pool = own if owner_only and number % 4 != 3 else own + self.world.pools[anyones]
        return self.world.pick(list(dict.fromkeys(pool)), number)

    def parameters(self, context: Any, values: dict[str, Any] | None) -> Any:
        if not values:
            return values
        owner_only = (context.operation.method.upper(), context.operation.path) in OWNER_ONLY
        for name, value in values.items():
            values[name] = self.id_for(name, value, owner_only)
        key = values.get("key")
        if self.world is not None and isinstance(key, str) and len(key) % 3:
            values["key"] = self.world.pick("key", len(key))
        return values

    def body(self, context: Any, body: Any) -> Any:
        if not isinstance(body, dict) or self.world is None:
            return body
        if "tweet_id" in body:
            body["tweet_id"] = self.id_for("tweet_id", body["tweet_id"], owner_only=False)
        if "object_id" in body:
            kind = "comment_id" if body.get("content_type") == "comment" else "tweet_id"
            body["object_id"] = self.id_for(kind, body["object_id"], owner_only=False)
        path = context.operation.path
        if path == "/api/accounts/login/" and len(str(body.get("username", ""))) % 2 == 0:
            body.update(self.world.credentials())
        if path == "/api/accounts/signup/":
            self._unique(body)
        return body

    def _unique(self, body: dict[str, Any]) -> None:
        """Make a valid username and email new (Hypothesis repeats its favourite values, and
        each repeat would only be a 409); invalid ones stay as generated."""
        name, email = body.get("username"), body.get("email")
        if not (isinstance(name, str) and USERNAME.fullmatch(name) and isinstance(email, str)):
            return
        tag = f"{next(self._signups):06d}"
        body["username"] = name[: 20 - len(tag)] + tag
        body["email"] = f"{tag}.{email}" if "@" in email else email


def _number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def install(schema: Any, mapper: Mapper, modes: tuple[str, ...]) -> None:
    """Register the mapper's hooks on one schema (lazy or loaded), not globally; each
    generated case is also given one of `modes` to be sent as (an example the document
    gives explicitly goes as the first)."""

    def before_generate_case(context: schemathesis.HookContext, strategy: Any) -> Any:
        return st.tuples(strategy, st.sampled_from(modes)).map(_tagged)

    def map_path_parameters(context: schemathesis.HookContext, path_parameters: Any) -> Any:
        return mapper.parameters(context, path_parameters)

    def map_query(context: schemathesis.HookContext, query: Any) -> Any:
        return mapper.parameters(context, query)

    def map_body(context: schemathesis.HookContext, body: Any) -> Any:
        return mapper.body(context, body)

    for hook in (before_generate_case, map_path_parameters, map_query, map_body):
        schema.hook(hook)


def _tagged(pair: tuple[schemathesis.Case, str]) -> schemathesis.Case:
    case, who = pair
    if case.headers is None:
        case.headers = CaseInsensitiveDict()
    case.headers[AS_HEADER] = who
    return case
