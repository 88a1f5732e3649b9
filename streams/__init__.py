"""wirestream: the Kafka wiring and the tools built on it.

Wiring: settings, topics, topology, worker, web, metrics. Tools: process, replay, demo, bench.
"""
