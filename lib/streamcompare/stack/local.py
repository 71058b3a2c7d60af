"""The embedded local stack: a Kafka cluster and a Kinesis endpoint, with state in a run directory.

`stack.json` in the run directory tells clients where to connect; each process has a pid file, and
`down` stops only those processes, by pid.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from streamcompare import interrupt
from streamcompare.errors import StackError
from streamcompare.paths import default_run_dir
from streamcompare.stack import certs, kafka, kinesis, kinesis_backends, kinesis_iam, prereqs, process, security
from streamcompare.stack.kinesis_limits import service as limits_service
from streamcompare.stack.kinesis_limits.settings import Limits
from streamcompare.target import Emulated, KafkaPart, KinesisPart, Target

Progress = Callable[[str], None]
STATE_FILE = "stack.json"
KAFKA_READY_TIMEOUT_S = 180.0
KINESIS_READY_TIMEOUT_S = 120.0


@dataclass
class StackState:
    """Where the running stack listens and which processes belong to it."""

    run_dir: str
    started_utc: str
    kafka_version: str | None = None
    kafka_bootstrap: str | None = None
    kafka_cluster_id: str | None = None
    kafka_nodes: list[dict[str, object]] = field(default_factory=list)
    kinesis_version: str | None = None
    kinesis_backend: str = "kinesis-mock"
    """Which emulator serves Kinesis (stack/kinesis_backends.py); old state files were kinesis-mock."""
    kinesis_endpoint: str | None = None
    kinesis_emulator_endpoint: str | None = None
    """The emulator itself; `kinesis_endpoint` is the fidelity layer in front of it when limits are on."""
    kinesis_limits: dict[str, object] | None = None
    """The fidelity layer's settings at start (None: clients talk to the bare emulator)."""
    pid_files: list[str] = field(default_factory=list)
    security: str = "plaintext"
    """The profile: plaintext (default) or sasl_ssl (stack/security.py)."""
    kafka_listeners: dict[str, str] = field(default_factory=dict)
    """Secure profile: bootstrap per listener kind (SASL_SSL, SSL, PLAINTEXT); no secrets."""
    kinesis_iam_endpoint: str | None = None
    """Secure profile: moto's IAM-enforcing HTTPS endpoint."""
    startup_s: dict[str, float] = field(default_factory=dict)
    owner: dict[str, int] | None = None
    """The process that started this stack for its own use (pid, start_ticks) and stops it when done;
    None for `stack up`. A stack whose owner died (SIGKILL) is stopped by `cleanup --local`."""

    def orphaned(self) -> bool:
        """Started for a process that is gone without stopping it."""
        if not self.owner:
            return False
        from streamcompare.stack.ledger import Owned

        return not Owned("owner", int(self.owner["pid"]), int(self.owner["start_ticks"])).is_running()

    @property
    def brokers(self) -> int:
        return len(self.kafka_nodes)

    def records(self) -> list[process.ProcessRecord]:
        return [process.ProcessRecord.load(Path(p)) for p in self.pid_files if Path(p).exists()]

    def processes(self) -> list[tuple[process.ProcessRecord, bool]]:
        return [(r, r.is_running()) for r in self.records()]

    def is_up(self) -> bool:
        found = self.processes()
        return bool(found) and len(found) == len(self.pid_files) and all(alive for _, alive in found)

    def target(self) -> Target:
        """The target the drivers take (see streamcompare.target).

        In the secure profile it carries the admin's SASL_SSL settings (read from the 0600
        clients.json: the password is never in stack.json) and `security_file`, the path of that file.
        """
        secure = self.security == "sasl_ssl"
        kafka_security: dict[str, str] = {}
        if secure:
            clients = security.load_clients(Path(self.run_dir))
            admin = next(p for p in clients["kafka_principals"] if p["name"] == security.ADMIN)
            kafka_security = {"security.protocol": "SASL_SSL", "sasl.mechanism": clients["sasl_mechanism"],
                              "sasl.username": admin["sasl_username"], "sasl.password": admin["sasl_password"],
                              "ssl.ca.location": clients["ca_file"]}
        return Target(
            kind="local", run_dir=self.run_dir, emulated=Emulated(kinesis=True, kafka=False),
            security_profile=self.security,
            security_file=str(Path(self.run_dir) / security.SECURITY_DIR / security.CLIENTS_FILE) if secure else None,
            kafka=KafkaPart(bootstrap=self.kafka_bootstrap or "", security=kafka_security, brokers=self.brokers,
                            listeners=dict(self.kafka_listeners) if secure else {}, version=self.kafka_version),
            kinesis=KinesisPart(endpoint=self.kinesis_endpoint, region=kinesis.LOCAL_REGION,
                                emulator_endpoint=self.kinesis_emulator_endpoint or self.kinesis_endpoint,
                                limits=self.kinesis_limits, iam_endpoint=self.kinesis_iam_endpoint if secure else None,
                                version=self.kinesis_version, backend=self.kinesis_backend))

    def save(self) -> None:
        path = Path(self.run_dir) / STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2))
        tmp.replace(path)

    @classmethod
    def load(cls, run_dir: Path | None = None) -> StackState | None:
        path = (run_dir or default_run_dir()) / STATE_FILE
        if not path.exists():
            return None
        try:
            return cls(**json.loads(path.read_text()))
        except (ValueError, TypeError) as exc:
            raise StackError(f"{path} is not a stack state file ({exc})",
                             fix=f"stop any stack processes by hand, then remove {path}") from None


def up(run_dir: Path | None = None, *, brokers: int = 3, with_kafka: bool = True, with_kinesis: bool = True,
       kafka_port: int | None = None, kinesis_port: int | None = None, security_profile: str | None = None,
       kinesis_limits: bool = True, kinesis_backend: str | None = None,
       progress: Progress = lambda _msg: None) -> tuple[StackState, bool]:
    """Start the stack unless it is already up. Returns (state, started_now).

    security_profile: "plaintext" or "sasl_ssl" (TLS, SCRAM users, ACLs, IAM-enforcing Kinesis
    endpoint: stack/security.py); None uses a running stack as it is and starts plaintext. A running
    stack is never switched to another profile. With kinesis_limits (the default) clients reach
    kinesis-mock through the fidelity layer, which enforces AWS's per-shard limits; without, they
    reach the bare emulator. kinesis_backend names the emulator (stack/kinesis_backends.py; None:
    the default, the one measured to keep up with the layer's limits).
    """
    backend = kinesis_backends.get(kinesis_backend)
    if brokers < 1 or brokers > 9:
        raise StackError(f"--brokers must be between 1 and 9, got {brokers}", field="brokers",
                         fix="use 3 (the default, replication factor 3) or 1 on a small machine")
    if security_profile is not None and security_profile not in security.PROFILES:
        raise StackError(f"unknown security profile {security_profile!r}", field="security",
                         fix=f"use one of: {', '.join(security.PROFILES)}")
    run_dir = (run_dir or default_run_dir()).resolve()
    existing = StackState.load(run_dir)
    if existing is not None:
        if existing.is_up():
            if security_profile is not None and existing.security != security_profile:
                raise StackError(f"the local stack in {run_dir} is up in the {existing.security} profile, not "
                                 f"{security_profile}", field="security",
                                 fix=f"switching profiles needs `streamcompare stack down` first, then "
                                     f"`streamcompare stack up --security {security_profile}`")
            return existing, False
        progress("found a stale stack state (its processes are gone); cleaning up before starting")
        _stop_all(existing)
    run_dir.mkdir(parents=True, exist_ok=True)
    security_profile = security_profile or "plaintext"
    state = StackState(run_dir=str(run_dir), started_utc=datetime.now(UTC).isoformat(timespec="seconds"),
                       security=security_profile)
    try:
        secure = security_profile == "sasl_ssl"
        setup = _prepare_security(run_dir) if secure else None
        secrets_, files = (setup.secrets, setup.files) if setup else (None, None)
        if with_kafka:
            began = time.monotonic()
            _start_kafka(state, run_dir, brokers, kafka_port, progress, setup)
            state.startup_s["kafka"] = round(time.monotonic() - began, 1)
        if with_kinesis:
            began = time.monotonic()
            _start_kinesis(state, run_dir, kinesis_port, kinesis_limits, backend, progress)
            state.startup_s["kinesis"] = round(time.monotonic() - began, 1)
        if secure and secrets_ is not None and files is not None:
            began = time.monotonic()
            iam = _start_kinesis_iam(state, run_dir, files, progress)
            state.startup_s["kinesis_iam"] = round(time.monotonic() - began, 1)
            security.write_clients_file(files, secrets_, state.kafka_listeners, iam)
        state.save()
    except BaseException:
        progress("start-up failed; stopping what was started")
        with interrupt.shielded():
            stopped = _stop_all(state)
        if interrupt.stopping():
            interrupt.cleaned(f"stopped the {len(stopped)} stack process(es) started so far")
        raise
    return state, True


@dataclass
class _SecureSetup:
    secrets: security.KafkaSecrets
    files: security.SecureFiles
    ca: certs.CertificateAuthority
    """Kept in memory only: the CA key is never written to disk."""


def _prepare_security(run_dir: Path) -> _SecureSetup:
    """Fresh secrets and a fresh CA with every certificate the profile needs (under <run dir>/security)."""
    files = security.SecureFiles(run_dir / security.SECURITY_DIR)
    shutil.rmtree(files.root, ignore_errors=True)
    files.root.mkdir(parents=True, mode=0o700)
    secrets_ = security.KafkaSecrets.generate()
    ca = certs.CertificateAuthority(files.root)
    ca.write_ca()
    ca.pem_pair(files.client_cert, files.client_key, "bench", server=False, client=True,
                purpose="client certificate for the SSL listener (mutual TLS, principal bench)",
                password=secrets_.client_key_password)
    ca.pem_pair(files.kinesis_cert, files.kinesis_key, "kinesis-iam", server=True, client=False,
                purpose="server certificate of the IAM-enforcing Kinesis endpoint (moto)")
    (files.root / "certificates.json").write_text(json.dumps([asdict(i) for i in ca.issued], indent=2))
    return _SecureSetup(secrets_, files, ca)


def _start_kafka(state: StackState, run_dir: Path, brokers: int, base_port: int | None,
                 progress: Progress, setup: _SecureSetup | None = None) -> None:
    java = prereqs.java()
    jars = kafka.ensure_jars(progress)
    secrets_, files = (setup.secrets, setup.files) if setup else (None, None)
    per_node = 4 if secrets_ is not None else 2
    if base_port is not None:
        ports = list(range(base_port, base_port + per_node * brokers))
        for port in ports:
            process.require_free(port, "Kafka", "--kafka-port")
    else:
        ports = process.free_ports(per_node * brokers)
    nodes = [kafka.KafkaNode(node_id=i + 1, broker_port=ports[i], controller_port=ports[brokers + i],
                             home=run_dir / "kafka" / f"node-{i + 1}",
                             ssl_port=ports[2 * brokers + i] if secrets_ else None,
                             plaintext_port=ports[3 * brokers + i] if secrets_ else None)
             for i in range(brokers)]
    old_cluster = _previous_cluster_id(run_dir, brokers) if secrets_ is None else None
    if old_cluster is None:
        shutil.rmtree(run_dir / "kafka", ignore_errors=True)
    node_security = None
    format_args: list[str] = []
    if setup is not None and secrets_ is not None and files is not None:
        ca = setup.ca
        for node in nodes:
            ca.pkcs12_keystore(files.keystore(node.node_id), security.NODE_PRINCIPAL,
                               secrets_.keystore_password, f"Kafka node {node.node_id} keystore (TLS server "
                               "and inter-node client certificate)")
        (files.root / "certificates.json").write_text(json.dumps([asdict(i) for i in ca.issued], indent=2))
        keys = secrets_

        def node_security(node: kafka.KafkaNode) -> list[str]:
            return security.node_properties(node.node_id, {
                "SASL_SSL": node.broker_port, "SSL": int(node.ssl_port or 0),
                "PLAINTEXT": int(node.plaintext_port or 0), "CONTROLLER": node.controller_port}, files, keys)

        format_args = security.format_arguments(secrets_)
    progress(f"formatting KRaft storage for {brokers} node(s)")
    cluster_id = kafka.prepare(nodes, jars, java, old_cluster, node_security, format_args)
    (run_dir / "kafka" / "cluster.json").write_text(json.dumps({"cluster_id": cluster_id, "brokers": brokers,
                                                                "security": state.security}))
    state.kafka_version = kafka.pinned_version()
    state.kafka_cluster_id = cluster_id
    state.kafka_bootstrap = ",".join(f"127.0.0.1:{n.broker_port}" for n in nodes)
    records = []
    for node in nodes:
        progress(f"starting Kafka node {node.node_id} on 127.0.0.1:{node.broker_port}")
        records.append(kafka.start_node(node, jars, java))
        state.pid_files.append(str(node.pid_file))
        state.kafka_nodes.append({"node_id": node.node_id, "broker_port": node.broker_port,
                                  "controller_port": node.controller_port, "log": str(node.log_file)})
        state.save()
    progress(f"waiting for {brokers} broker(s) to register")
    bootstrap = state.kafka_bootstrap
    admin = (security.client_settings("SASL_SSL", files, secrets_) if secrets_ is not None and files is not None
             else None)
    for record in records:  # a node that died is reported with its log
        process.wait_ready(record, lambda: kafka.brokers_registered(bootstrap, brokers, admin),
                           timeout_s=KAFKA_READY_TIMEOUT_S, what=record.name)
    if admin is not None and secrets_ is not None:
        state.kafka_listeners = {
            "SASL_SSL": bootstrap,
            "SSL": ",".join(f"127.0.0.1:{n.ssl_port}" for n in nodes),
            "PLAINTEXT": ",".join(f"127.0.0.1:{n.plaintext_port}" for n in nodes)}
        progress("creating SCRAM users and ACLs with the admin API")
        security.bootstrap_principals({"bootstrap.servers": bootstrap, **admin}, secrets_)
        state.save()


def _start_kinesis_iam(state: StackState, run_dir: Path, files: security.SecureFiles,
                       progress: Progress) -> dict[str, object]:
    """moto over HTTPS with IAM users and policies, authentication enforced once they exist."""
    port = process.free_ports(1)[0]
    endpoint = f"https://127.0.0.1:{port}"
    progress(f"starting moto (IAM enforced) on {endpoint}")
    record = kinesis_iam.start(run_dir / "kinesis-iam", port, files.kinesis_cert, files.kinesis_key)
    state.pid_files.append(str(run_dir / "kinesis-iam" / "moto.pid"))
    state.kinesis_iam_endpoint = endpoint
    state.save()
    process.wait_ready(record, lambda: kinesis_iam.answers(endpoint, files.ca), timeout_s=KINESIS_READY_TIMEOUT_S,
                       what="moto (IAM)")
    progress("creating IAM users and least-privilege policies; then enforcing authentication")
    try:
        provisioned = kinesis_iam.provision(endpoint, files.ca)
        kinesis_iam.enforce(endpoint, files.ca)
    except Exception as exc:
        raise StackError(f"setting up IAM users on moto failed ({type(exc).__name__}: {exc}); last lines of "
                         f"{record.log}:\n{process.tail(record.log)}",
                         fix="read the log; `streamcompare stack down` cleans up") from None
    return provisioned


def _previous_cluster_id(run_dir: Path, brokers: int) -> str | None:
    """Reuse formatted storage only when it was made for the same number of nodes, in the plaintext profile.

    The secure profile always formats afresh: its admin credential is written at format time with
    secrets generated for this start-up.
    """
    meta = run_dir / "kafka" / "cluster.json"
    if not meta.exists():
        return None
    try:
        data = json.loads(meta.read_text())
    except ValueError:
        return None
    same = data.get("brokers") == brokers and data.get("security", "plaintext") == "plaintext"
    return data.get("cluster_id") if same else None


def _start_kinesis(state: StackState, run_dir: Path, port: int | None, with_limits: bool,
                   backend: kinesis_backends.Backend, progress: Progress) -> None:
    """The emulator on a free port; with limits, the fidelity layer takes `port` (the clients' endpoint)."""
    backend.install(progress)
    if port is not None:
        process.require_free(port, "the Kinesis endpoint", "--kinesis-port")
    emulator_port, spare_port, layer_port = process.free_ports(3)
    if not with_limits:
        emulator_port = port or emulator_port
    version = backend.version()
    progress(f"starting {backend.name} {version} on http://127.0.0.1:{emulator_port}")
    record = backend.start(run_dir / "kinesis", emulator_port, spare_port)
    state.pid_files.append(str(run_dir / "kinesis" / "kinesis.pid"))
    state.kinesis_version = version
    state.kinesis_backend = backend.name
    state.kinesis_emulator_endpoint = f"http://127.0.0.1:{emulator_port}"
    state.kinesis_endpoint = state.kinesis_emulator_endpoint
    state.save()
    emulator = state.kinesis_emulator_endpoint
    process.wait_ready(record, lambda: kinesis.answers(emulator), timeout_s=KINESIS_READY_TIMEOUT_S,
                       what=backend.name)
    if not with_limits:
        return
    layer_port = port or layer_port
    limits = Limits()
    progress(f"starting the Kinesis fidelity layer (AWS's per-shard limits) on http://127.0.0.1:{layer_port}")
    layer = limits_service.start(run_dir / "kinesis-limits", layer_port, emulator, limits)
    state.pid_files.append(str(run_dir / "kinesis-limits" / "kinesis-limits.pid"))
    state.kinesis_endpoint = f"http://127.0.0.1:{layer_port}"
    state.kinesis_limits = {"endpoint": state.kinesis_endpoint, "limits": limits.to_dict()}
    state.save()
    endpoint = state.kinesis_endpoint
    process.wait_ready(layer, lambda: limits_service.answers(endpoint) and kinesis.answers(endpoint),
                       timeout_s=KINESIS_READY_TIMEOUT_S, what="the Kinesis fidelity layer")


def down(run_dir: Path | None = None, *, keep_data: bool = False) -> list[tuple[str, int, str]]:
    """Stop the stack's processes by pid. Returns (name, pid, outcome) for each; logs are kept."""
    run_dir = (run_dir or default_run_dir()).resolve()
    state = StackState.load(run_dir)
    if state is None:
        return []
    with interrupt.shielded():  # a signal must not leave half a quorum running
        outcomes = _stop_all(state)
    if not keep_data:
        for node in state.kafka_nodes:
            shutil.rmtree(Path(str(node["log"])).parent / "data", ignore_errors=True)
        (run_dir / "kafka" / "cluster.json").unlink(missing_ok=True)
    return outcomes


def _stop_all(state: StackState) -> list[tuple[str, int, str]]:
    records = state.records()
    outcomes = [(r.name, r.pid, outcome) for r, outcome in zip(records, process.stop_all(records), strict=True)]
    for pid_file in state.pid_files:
        Path(pid_file).unlink(missing_ok=True)
    (Path(state.run_dir) / STATE_FILE).unlink(missing_ok=True)
    return outcomes


@dataclass
class LocalStack:
    """What `local_stack()` yields: endpoints, the state, and whether this context started it."""

    state: StackState
    started_here: bool

    @property
    def kafka_bootstrap(self) -> str:
        if not self.state.kafka_bootstrap:
            raise StackError("the local stack runs without Kafka", fix="start it with Kafka enabled")
        return self.state.kafka_bootstrap

    @property
    def kinesis_endpoint(self) -> str:
        if not self.state.kinesis_endpoint:
            raise StackError("the local stack runs without Kinesis", fix="start it with Kinesis enabled")
        return self.state.kinesis_endpoint

    def target(self) -> Target:
        return self.state.target()


@contextmanager
def local_stack(brokers: int = 3, run_dir: Path | None = None, *, with_kafka: bool = True,
                with_kinesis: bool = True, security_profile: str | None = None,
                kinesis_limits: bool = True, kinesis_backend: str | None = None,
                progress: Progress = lambda _msg: None) -> Iterator[LocalStack]:
    """Use the running stack, or start one and stop it (by pid) on exit, also when the body fails."""
    started = time.monotonic()
    state, started_now = up(run_dir, brokers=brokers, with_kafka=with_kafka, with_kinesis=with_kinesis,
                            security_profile=security_profile, kinesis_limits=kinesis_limits,
                            kinesis_backend=kinesis_backend, progress=progress)
    if started_now:
        progress(f"stack up in {time.monotonic() - started:.1f} s")
        from streamcompare.stack.ledger import this_process

        me = this_process()
        state.owner = {"pid": me.pid, "start_ticks": me.start_ticks}
        state.save()
    try:
        yield LocalStack(state=state, started_here=started_now)
    finally:
        if started_now:
            with interrupt.shielded():
                down(Path(state.run_dir))
                if interrupt.stopping():
                    interrupt.cleaned("stopped the local stack this run had started")
