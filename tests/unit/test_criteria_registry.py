"""The criterion registry and contract: one table read by the decision, the choices file and the tests."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from streamcompare.criteria import decision, registry
from streamcompare.criteria.choices import default_choices_path, load_choices
from streamcompare.criteria.context import make_context
from streamcompare.criteria.contract import (
    OPTIONS,
    AnswersMustHaves,
    Criterion,
    Markdown,
    Score,
    TakesScenario,
    View,
    experiment,
    knob,
    start_knobs,
)
from streamcompare.errors import ConfigError
from streamcompare.target import Target

pytestmark = pytest.mark.unit
ENTRIES = registry.SCORED


def test_names_are_unique_and_each_module_is_named_by_its_notebook() -> None:
    assert len(set(registry.names())) == len(ENTRIES)
    for e in ENTRIES:
        assert e.notebook.split("_", 1)[1] == e.module_name


def test_the_decision_weighs_exactly_the_registry_with_its_default_weights() -> None:
    weights = decision.weights(decision.Knobs())
    assert weights == {e.name: e.weight for e in ENTRIES}


def test_the_default_choices_file_weights_every_registered_criterion_at_its_default() -> None:
    choices = load_choices(default_choices_path())
    knobs = decision.initial_knobs(decision.Evidence({}, {}, choices, ""))
    assert decision.weights(knobs) == {e.name: e.weight for e in ENTRIES}


def test_an_unknown_criterion_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown criterion 'latncy'"):
        registry.entry("latncy")


def test_the_scenario_reaches_every_criterion_that_models_it_through_its_hook() -> None:
    knobs = decision.Knobs(write_mb_per_s=5.0, record_bytes=500, consumers=3, latency_budget_ms=300.0,
                           exactly_once=True)
    takes = {e.name for e in ENTRIES if isinstance(e.module, TakesScenario)}
    assert takes == {"latency", "interfaces", "flow_control", "cost"}
    scenario = decision.scenario(knobs)

    def applied(name: str) -> Any:
        module = registry.entry(name).module
        assert isinstance(module, TakesScenario)
        return module.apply_scenario(module.Knobs(), scenario)

    cost = applied("cost")
    assert (cost.write_mb_per_s, cost.avg_record_bytes, cost.consumers) == (5.0, 500, 3)
    lat = applied("latency")
    assert (lat.latency_budget_ms, lat.kinesis_consumers) == (300.0, 3)
    api = applied("interfaces")
    assert api.needs_exactly_once and api.write_records_per_s == pytest.approx(10_000.0)
    flow = applied("flow_control")
    assert (flow.mean_records_per_s, flow.record_bytes, flow.shards) == (10_000.0, 500, 10)
    assert {e.name for e in ENTRIES if isinstance(e.module, AnswersMustHaves)} == {"latency", "cost"}


@pytest.fixture(scope="module")
def empty_evidence(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ctx = make_context(mode="replay", results_dir=str(tmp_path_factory.mktemp("empty-store")))
    return {e.name: e.module.collect(ctx) for e in ENTRIES}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_view_scores_and_headlines_run_on_empty_evidence(entry: registry.Entry, empty_evidence: dict[str, Any]) -> None:
    evidence = empty_evidence[entry.name]
    knobs = start_knobs(entry.module, evidence)
    assert isinstance(entry.module.view(evidence, knobs), View)
    scores = entry.module.scores(evidence, knobs)
    assert set(scores) <= set(OPTIONS) and all(isinstance(s, Score) for s in scores.values())
    assert all(isinstance(h, dict) for h in entry.module.headlines(evidence, knobs).values())


# --- what a ninth criterion touches ----------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _NinthKnobs:
    strictness: float = knob(1.0, "strictness", low=0, high=10)


def _ninth() -> Any:
    """A throwaway criterion: a module-like object with what the protocol asks, nothing else."""
    return SimpleNamespace(
        NAME="ninth", TITLE="Ninth", Knobs=_NinthKnobs, collect=lambda ctx: {},
        view=lambda ev, k: View((Markdown("ninth"),), "no verdict"),
        scores=lambda ev, k: {o: Score(5.0, "documented", "throwaway") for o in OPTIONS},
        headlines=lambda ev, k: {})


def test_a_ninth_criterion_is_one_registry_entry_plus_a_weight_knob(monkeypatch: pytest.MonkeyPatch) -> None:
    ninth: Criterion = _ninth()
    monkeypatch.setattr(registry, "SCORED", (*ENTRIES, registry.Entry("08_ninth", ninth, 2.0, "ninth")))
    assert registry.entry("ninth").weight == 2.0
    monkeypatch.setattr(decision, "WEIGHTS", registry.names())
    # the decision's Knobs hold one weight field per criterion; without it the decision fails, naming it
    with pytest.raises(AttributeError, match="ninth"):
        decision.weights(decision.Knobs())
    ninth_knobs = dataclasses.make_dataclass(
        "Knobs", [("ninth", float, decision._weight("ninth"))], bases=(decision.Knobs,), frozen=True)
    assert decision.weights(ninth_knobs())["ninth"] == 2.0
    evidence = decision.Evidence({"ninth": (ninth, {})}, {}, load_choices(default_choices_path()), "")
    assert set(decision.all_scores(evidence, ninth_knobs())["ninth"]) == set(OPTIONS)


def test_the_notebook_modules_table_starts_with_the_decision() -> None:
    table = registry.notebook_modules()
    assert next(iter(table)) == "00_decision" and list(table)[1:] == [e.notebook for e in ENTRIES]
    assert all((Path(__file__).resolve().parents[2] / "notebooks" / f"{nb}.ipynb").exists() for nb in table)


def test_experiment_measures_and_stores_live_and_reads_the_same_rows_on_replay(tmp_path: Path) -> None:
    replay = make_context(mode="replay", results_dir=str(tmp_path))
    live = dataclasses.replace(replay, mode="live", run_id="r1", target=Target())
    calls: list[int] = []

    def measure() -> list[dict[str, Any]]:
        calls.append(1)
        return [{"system": "kafka", "seconds": 1.5}]

    assert experiment(live, "demo", measure, settings={"n": 1}) == [{"system": "kafka", "seconds": 1.5}]
    again = dataclasses.replace(replay, run_id="r1")
    assert experiment(again, "demo", measure) == [{"system": "kafka", "seconds": 1.5}] and calls == [1]
    stored = again.store.experiment("r1", "demo")
    assert stored is not None and stored.evidence == "measured"
    assert json.loads(stored.path.read_text())["settings"] == {"n": 1}
