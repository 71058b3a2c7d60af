"""The Kinesis fidelity layer: a reverse proxy in front of kinesis-mock that behaves as AWS documents.

kinesis-mock never throttles data (FACTS.md). This layer enforces the per-shard limits of the AWS
developer guide ("Quotas and limits"), answers with AWS's own error shapes, and can inject faults and
a service time. Figures measured through it are *emulated*: kinesis-mock with AWS's documented limits,
never AWS's own figures.

Modules: buckets (rate limiters), routing (partition key -> shard), codec (JSON and CBOR bodies),
awserrors (AWS-exact error answers), settings (limits and faults, validated), proxy (the aiohttp
server), control (a small client for the control endpoint), __main__ (the process the stack starts).
"""
