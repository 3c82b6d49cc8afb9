"""HBase 2.6 standalone with its Thrift1 gateway; pom.xml and the config templates live here."""
