"""adapters hbase."""
