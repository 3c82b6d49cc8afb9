"""HBase adapters: a row-key model layer over happybase, and the follow and feed stores."""

from adapters.hbase.admin import (
    create_tables,
    hbase_pool_resource,
    ping_hbase,
    presplit_shell_commands,
)
from adapters.hbase.feeds import HBaseFeedStore
from adapters.hbase.follows import HBaseFollowStore

__all__ = [
    "HBaseFeedStore",
    "HBaseFollowStore",
    "create_tables",
    "hbase_pool_resource",
    "ping_hbase",
    "presplit_shell_commands",
]
