"""A real Apache Kafka cluster on loopback: Maven-resolved jars, KRaft, N combined broker+controller nodes."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from streamcompare.clients import kafka_admin
from streamcompare.errors import StackError
from streamcompare.paths import cache_dir
from streamcompare.stack import prereqs, process
from streamcompare.stack.cache import install_once, resource, run_tool
from streamcompare.stack.certs import write_private

Progress = Callable[[str], None]

HEAP = "-Xms256m -Xmx1g"
"""Per node: three nodes fit easily in 24 GiB and leave room for clients and notebooks."""

JVM_FLAGS = ("-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:+ExitOnOutOfMemoryError",
             "-Djava.awt.headless=true")


def pinned_version() -> str:
    """The Kafka release the shipped pom pins (the newest on Maven Central that runs on Java 17)."""
    match = re.search(r"<kafka.version>([^<]+)</kafka.version>", resource("kafka-pom.xml"))
    assert match, "kafka-pom.xml must pin kafka.version"
    return match.group(1)


def jars_dir(version: str | None = None) -> Path:
    return cache_dir() / f"kafka-{version or pinned_version()}" / "libs"


def ensure_jars(progress: Progress = lambda _msg: None) -> Path:
    """Resolve the pinned Kafka jars with Maven into the cache, once; later calls return at once."""
    version = pinned_version()

    def resolve(work: Path) -> Path:
        mvn = prereqs.executable("mvn")
        (work / "pom.xml").write_text(resource("kafka-pom.xml"))
        progress(f"resolving Apache Kafka {version} jars from Maven Central (first run only, about 60 MB)")
        run_tool([mvn, "-B", "-q", "-f", str(work / "pom.xml"), "dependency:copy-dependencies",
                  f"-DoutputDirectory={work / 'libs'}", "-DincludeScope=runtime"], cwd=None,
                 what=f"Maven resolving Kafka {version}", timeout_s=1800,
                 fix="check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml)")
        return work / "libs"

    return install_once(jars_dir(version), resolve, version)


@dataclass(frozen=True)
class KafkaNode:
    node_id: int
    broker_port: int
    controller_port: int
    home: Path
    ssl_port: int | None = None
    plaintext_port: int | None = None
    """Set in the secure profile: broker_port is then the SASL_SSL listener."""

    @property
    def config_file(self) -> Path:
        return self.home / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "kafka.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "kafka.pid"


def listener_lines(node: KafkaNode) -> list[str]:
    """The plaintext profile's listeners: one PLAINTEXT client listener and a PLAINTEXT controller."""
    return [
        f"listeners=PLAINTEXT://127.0.0.1:{node.broker_port},CONTROLLER://127.0.0.1:{node.controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{node.broker_port}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    ]


def server_properties(node: KafkaNode, nodes: list[KafkaNode], security: list[str] | None = None) -> str:
    """Combined broker+controller settings; replication defaults scale with the cluster size.

    security: the secure profile's listener/TLS/SASL/authorizer lines (stack/security.py), replacing
    the plaintext listeners.
    """
    voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in nodes)
    replicas = min(3, len(nodes))
    min_isr = min(2, replicas)
    return "\n".join([
        "process.roles=broker,controller",
        f"node.id={node.node_id}",
        f"controller.quorum.voters={voters}",
        *(security if security is not None else listener_lines(node)),
        f"log.dirs={node.data_dir}",
        "num.partitions=3",
        f"default.replication.factor={replicas}",
        f"offsets.topic.replication.factor={replicas}",
        f"transaction.state.log.replication.factor={replicas}",
        f"transaction.state.log.min.isr={min_isr}",
        f"share.coordinator.state.topic.replication.factor={replicas}",
        f"share.coordinator.state.topic.min.isr={min_isr}",
        "auto.create.topics.enable=false",
        "group.initial.rebalance.delay.ms=0",
        "num.network.threads=2",
        "num.io.threads=4",
        "log.retention.hours=24",
        "log.segment.bytes=104857600",
        "",
    ])


def java_command(java: str, jars: Path, node: KafkaNode, main: str, *args: str) -> list[str]:
    log4j = node.home / "log4j2.xml"
    return [java, *HEAP.split(), *JVM_FLAGS, f"-Dlog4j2.configurationFile={log4j}",
            f"-Dkafka.logs.dir={node.home}", "-cp", f"{jars}/*", main, *args]


def prepare(nodes: list[KafkaNode], jars: Path, java: str, cluster_id: str | None,
            security: Callable[[KafkaNode], list[str]] | None = None, format_args: Sequence[str] = ()) -> str:
    """Write each node's config and format its storage once; reuse storage already formatted.

    security: per node, the secure profile's lines; the config then holds secrets and is written 0600.
    format_args: extra StorageTool arguments (the admin's SCRAM credential); never echoed in errors.
    """
    cluster_id = cluster_id or random_cluster_id()
    for node in nodes:
        node.home.mkdir(parents=True, exist_ok=True)
        text = server_properties(node, nodes, security(node) if security else None)
        if security:
            write_private(node.config_file, text.encode())
        else:
            node.config_file.write_text(text)
        (node.home / "log4j2.xml").write_text(resource("log4j2.xml"))
        if (node.data_dir / "meta.properties").exists():
            continue
        result = subprocess.run(
            java_command(java, jars, node, "kafka.tools.StorageTool", "format", "-t", cluster_id,
                         "-c", str(node.config_file), *format_args),
            capture_output=True, text=True, timeout=180)
        if result.returncode != 0:
            output = result.stdout + result.stderr
            for arg in format_args:  # SCRAM credentials given at format time never reach a message
                output = output.replace(arg, "***")
            raise format_error(node.node_id, output)
    return cluster_id


def format_error(node_id: int, output: str) -> StackError:
    """Why the storage formatter failed, in its own words first; the fix follows the cause."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    cause = next((line for line in reversed(lines) if re.search(r"error|exception|expected|invalid", line, re.I)),
                 lines[-1] if lines else "no output")
    if re.search(r"already formatted|meta\.properties|cluster id .* doesn't match|mismatched", output, re.I):
        fix = "the node's storage belongs to another cluster: `streamcompare stack down` wipes it, then start again"
    elif "expected one argument" in output or "unrecognized arguments" in output:
        fix = "the kit passed the formatter an argument it could not read: please report this as a bug"
    else:
        fix = "read the formatter's output above; `streamcompare stack logs` shows the nodes' logs"
    return StackError(f"formatting Kafka storage for node {node_id} failed: {cause}\n{output[-2000:]}", fix=fix)


def random_cluster_id(random_bytes: Callable[[], bytes] | None = None) -> str:
    """A KRaft cluster id as Kafka's Uuid.randomUuid makes it: 16 random bytes, base64url without padding.

    Like Kafka, draw again when the text would start with '-' (a command-line parser would read it as
    an option: "argument --cluster-id/-t: expected one argument", about 1 start in 64) and never
    return the all-zero id or the metadata topic's id (1).
    """
    import base64

    draw = random_bytes or (lambda: uuid.uuid4().bytes)
    reserved = {bytes(16), (1).to_bytes(16, "big")}
    while True:
        raw = draw()
        text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if raw not in reserved and not text.startswith("-"):
            return text


def start_node(node: KafkaNode, jars: Path, java: str) -> process.ProcessRecord:
    argv = java_command(java, jars, node, "kafka.Kafka", str(node.config_file))
    return process.start(f"kafka-{node.node_id}", argv, log=node.log_file, pid_file=node.pid_file)


def brokers_registered(bootstrap: str, expected: int, security: Mapping[str, str] | None = None) -> bool:
    """Ready means every broker is registered and answers metadata."""
    admin = kafka_admin({"bootstrap.servers": bootstrap, "socket.timeout.ms": 2000, **(security or {})},
                        quiet_logs=True)
    metadata = admin.list_topics(timeout=3)
    return len(metadata.brokers) >= expected

