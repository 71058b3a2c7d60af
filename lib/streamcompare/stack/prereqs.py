"""Checks for the tools the local stack needs, with how to get each one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from streamcompare.errors import PrerequisiteError

HOW_TO_GET = {
    "java": "install Java 17 or newer (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`; "
            "conda: `conda env create -f environment.yml`) or set JAVA_HOME",
    "mvn": "install Apache Maven (Debian/Ubuntu: `apt-get install maven`; conda: environment.yml)",
    "node": "install Node.js 18 or newer (Debian/Ubuntu: `apt-get install nodejs npm`; conda: environment.yml)",
    "npm": "install npm (Debian/Ubuntu: `apt-get install npm`; it ships with Node.js from nodejs.org)",
}


def executable(name: str) -> str:
    """Absolute path of a required tool, preferring JAVA_HOME for java."""
    if name == "java" and os.environ.get("JAVA_HOME"):
        candidate = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if not found:
        raise PrerequisiteError(f"`{name}` was not found on PATH", fix=HOW_TO_GET[name])
    return found


def _major_version(output: str) -> int | None:
    match = re.search(r'version "?(\d+)(?:\.(\d+))?', output) or re.search(r"v?(\d+)\.\d+", output)
    if not match:
        return None
    major = int(match.group(1))
    if major == 1 and match.lastindex and match.group(2):  # "1.8.0_x" means Java 8
        return int(match.group(2))
    return major


def java(min_major: int = 17) -> str:
    path = executable("java")
    out = subprocess.run([path, "-version"], capture_output=True, text=True, timeout=30)
    major = _major_version(out.stderr + out.stdout)
    if major is None or major < min_major:
        raise PrerequisiteError(f"Java {min_major}+ is needed for Kafka 4.x; {path} is Java {major}",
                                fix=HOW_TO_GET["java"])
    return path


def node(min_major: int = 18) -> str:
    path = executable("node")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    major = _major_version(out.stdout)
    if major is None or major < min_major:
        raise PrerequisiteError(f"Node.js {min_major}+ is needed for kinesis-mock; {path} is {out.stdout.strip()}",
                                fix=HOW_TO_GET["node"])
    return path
