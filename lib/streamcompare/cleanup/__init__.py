"""Removing what the kit left behind: `local` (killed runs on the local stack), `aws` (tagged streams).

Not an adapter, so not in `drivers/`: it uses the drivers' Kinesis client and the shared Kafka admin
builder (streamcompare.clients), the stack's ledgers and state, and sits beside `bench` in the layers.
"""
