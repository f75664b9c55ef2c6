"""The scan on Apache Spark, for archives and web crawls past one machine: the same readers, checks and
findings as the local engine, with inputs spread over executors and reuse found by a distributed join on
fingerprint hashes. Nothing here is imported by a local scan; PySpark is imported only in these modules."""
