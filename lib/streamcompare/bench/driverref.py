"""Naming a driver so that another process can build it: a registry name or "module:callable".

A child process cannot receive a driver object, only a name and a (picklable) `Target`. A registered
name is resolved in the global `DRIVERS` registry after importing `streamcompare.drivers` (and
`streamcompare.drivers.<name>` if it exists), which is where drivers register themselves. Any other
driver, e.g. a test fake registered in a fresh registry, is named by its factory as
"package.module:callable" and imported in the child.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from streamcompare.drivers.base import DRIVERS, Driver, DriverFactory, DriverRegistry
from streamcompare.errors import ConfigError
from streamcompare.target import Target


def is_factory_path(name: str) -> bool:
    return ":" in name


def resolve_factory(path: str) -> DriverFactory:
    module_name, _, attr = path.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot import driver factory {path!r}: {exc}", field="system",
                          fix="use 'package.module:callable' importable from this Python") from None
    if not callable(obj):
        raise ConfigError(f"driver factory {path!r} is not callable", field="system")
    return obj


def load_builtin_drivers(name: str | None = None) -> None:
    """Import the driver package (and the module named like the driver) so DRIVERS is populated."""
    importlib.import_module("streamcompare.drivers")
    if name and name.isidentifier():
        module = f"streamcompare.drivers.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


@dataclass(frozen=True)
class DriverRef:
    """A driver by name (or factory path) plus its picklable target description."""

    name: str
    target: Target = field(default_factory=Target)

    def portable(self, registry: DriverRegistry | None) -> bool:
        """Can a fresh process build this driver without the caller's registry object?"""
        return is_factory_path(self.name) or registry is None or registry is DRIVERS

    def build(self, registry: DriverRegistry | None = None) -> Driver:
        if is_factory_path(self.name):
            return resolve_factory(self.name)(self.target)
        registry = registry or DRIVERS
        if registry is DRIVERS and self.name not in registry.names():
            load_builtin_drivers(self.name)
        return registry.create(self.name, self.target)
