"""streamcompare: measure and model Apache Kafka vs Amazon Kinesis Data Streams."""

__version__ = "0.1.0"
