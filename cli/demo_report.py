"""The work of `ledger demo`: the seed scenario through the pipeline, summarised from projections.

Everything printed after the pipeline has run is read back from the projection database, which
the projector filled from Kafka: the demo shows what ops and subscribers would see.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from cli.reading import ProjectionsConnection
from cli.renderers import (
    render_decisions,
    render_quotes,
    render_reviews,
    render_simulation,
    render_transition_plans,
)
from contracts.inputs.rules_schema import DEFAULT_RULES_FILE, load_rules_file
from domain.ledger import Ledger
from domain.program import Tier
from infra.bootstrap import open_projector, open_relay
from infra.kafka.broker import ensure_broker
from infra.output import Progress, table
from infra.scenario.seed import SCENARIO_START, SeedSummary, run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger
from infra.store.urls import redact
from projections.models.benefits import benefits_totals
from projections.models.exclusivity_decisions import (
    decision_counts,
    decision_history,
    latest_decision_date,
    most_contested_opportunity,
)
from projections.models.partner_status import (
    TierThenAndNow,
    legacy_metals_still_metal,
    tiers_then_and_now,
)
from projections.models.quotes import quotes_for
from projections.models.reviews import pending_reviews
from projections.models.specializations import SpecializationRoster, specialized_partners
from projections.models.tier_reviews import tiers_at_risk
from projections.models.transition_plans import transition_plans
from projections.partner_statuses import partner_statuses
from projections.simulation import simulate


def demo(args: argparse.Namespace, settings: Settings) -> int:
    ensure_broker(settings)
    ledger = open_ledger(settings)
    if ledger.recorder.max_notification_id():
        print("demo: the event store already holds a history; publishing what Kafka lacks")
    else:
        with Progress("demo: simulated days") as shown:
            summary = run_seed_scenario(ledger, seed=args.seed, on_progress=shown)
        print(describe_recording(summary, settings))
    publish_and_project(settings, ledger)
    print(program_summary(settings))
    print(simulated_change(ledger))
    ledger.close()
    print(where_to_look(settings))
    return 0


def where_to_look(settings: Settings) -> str:
    """How to reach the same projections over HTTP and in the dashboard."""
    env = "" if str(settings.data_dir) == "var" else f"LEDGER_DATA_DIR={settings.data_dir} "
    return (
        "\n== Next: the API and the ops dashboard ==\n"
        f"  {env}ledger tokens issue --role ops     # prints a token once\n"
        f"  {env}ledger api serve                   # http://127.0.0.1:8080\n"
        "  then open http://127.0.0.1:8080/dashboard and sign in with the token;\n"
        "  the API: curl -H 'Authorization: Bearer <token>' http://127.0.0.1:8080/decisions\n"
        "  probes: /healthz, /readyz; Prometheus: /metrics (ops token);\n"
        "  `ledger` is .venv/bin/ledger unless the virtualenv is active"
    )


def describe_recording(summary: SeedSummary, settings: Settings) -> str:
    rejected = ", ".join(f"{rule} {n}" for rule, n in sorted(summary.rejected.items()))
    return (
        f"demo: simulated {summary.first_day} to {summary.last_day}: "
        f"{summary.commands_recorded} commands recorded as {summary.events} events in "
        f"{redact(settings.event_store_url)}; {summary.commands_rejected} rejected by the rules"
        + (f" ({rejected})" if rejected else "")
    )


def publish_and_project(settings: Settings, ledger: Ledger) -> None:
    relay = open_relay(settings, ledger)
    try:
        waiting = (ledger.recorder.max_notification_id() or 0) - relay.position
        with Progress("demo: events published", total=waiting) as shown:
            published = relay.drain(on_progress=shown)
    finally:
        relay.close()
    print(f"demo: relay published {published} events to Kafka ({settings.kafka_bootstrap_servers})")
    projector = open_projector(settings)
    try:
        with Progress("demo: events projected") as shown:
            projected = projector.drain(on_progress=shown)
    finally:
        projector.close()
    print(f"demo: projector consumed {projected} events into {redact(settings.projections_url)}")


def transition_line(
    tiers: list[TierThenAndNow],
    roster: list[SpecializationRoster],
    still_metal: tuple[int, int],
) -> str:
    """The interview's promises, measured: metals kept, fewer than 20 specialists."""
    metal_then = sum(t.at_enrolment for t in tiers if t.tier != "registered")
    metal_now = sum(t.now for t in tiers if t.tier != "registered")
    specialists = len({code for r in roster for code in r.partners})
    kept, legacy = still_metal
    share = f"{100 * kept / legacy:.0f}%" if legacy else "-"
    return (
        f"metal partners: {metal_then} at enrolment, {metal_now} now; {kept} of {legacy} legacy "
        f"metal partners still metal ({share}); {specialists} partners hold a specialization"
    )


def simulated_change(ledger: Ledger) -> str:
    """One rule change tried on the recorded history before anyone publishes it."""
    rules = load_rules_file(DEFAULT_RULES_FILE)
    tiers = tuple(
        replace(
            t,
            min_qualified_revenue=t.min_qualified_revenue / 2,
            min_sales_certified=0,
            min_technical_certified=0,
        )
        if t.tier is Tier.SILVER
        else t
        for t in rules.tiers
    )
    proposal = replace(rules, version=f"{rules.version}-easy-silver", tiers=tiers)
    print("demo: simulating an easier Silver on the recorded history (nothing is recorded)")
    found = simulate(ledger, proposal, rules.effective_from)
    return (
        "\n== What if Silver asked half the qualified revenue and no certified people? "
        "(ledger rules simulate) ==\n" + render_simulation(found)
    )


SHOWN_REVIEWS = 5


def program_summary(settings: Settings) -> str:
    """Partners per tier, specialists per specialization, decisions, one opportunity's story."""
    with ProjectionsConnection(settings) as connection:
        as_of = latest_decision_date(connection) or SCENARIO_START
        tiers = tiers_then_and_now(connection)
        roster = specialized_partners(connection, as_of)
        plans = transition_plans(connection)
        at_risk = tiers_at_risk(connection)
        benefits = benefits_totals(connection)
        still_metal = legacy_metals_still_metal(connection)
        counts = decision_counts(connection)
        reference = most_contested_opportunity(connection)
        history = decision_history(connection, reference) if reference else []
        quotes = quotes_for(connection, reference) if reference else []
        antemeta = partner_statuses(connection, as_of, "antemeta")
        reviews = pending_reviews(connection)
    sections = [
        f"\n== Partners per tier at enrolment and as of {as_of} (partner_status projection) ==",
        table(
            ["tier", "at enrolment", "now"],
            [[t.tier, t.at_enrolment, t.now] for t in tiers],
        ),
        transition_line(tiers, roster, still_metal),
        f"\n== Legacy partners on a transition plan ({len(plans)}; "
        f"{len(at_risk)} tiers at risk) ==",
        render_transition_plans(plans),
        f"\nBenefits of protection: {benefits.grants} grants, {benefits.engineer_days_used} of "
        f"{benefits.engineer_days} vendor pre-sales engineer days drawn, "
        f"{benefits.with_extended_support} with extended support",
        f"\n== Specialized partners per specialization ({sum(len(r.partners) for r in roster)} "
        "specializations held) ==",
        table(
            ["specialization", "partners", "who"],
            [[r.specialization, len(r.partners), r.partners] for r in roster],
        ),
        "\n== Exclusivity decisions by outcome and reason ==",
        table(
            ["outcome", "reason", "decisions"],
            [[c.outcome, c.reason_code, c.count] for c in counts],
        ),
        f"\n== Registrations waiting for a channel manager ({len(reviews)} suspected conflicts; "
        f"the first {min(len(reviews), SHOWN_REVIEWS)}, from ledger deal reviews) ==",
        render_reviews(reviews[:SHOWN_REVIEWS]),
    ]
    if reference:
        sections += [
            f"\n== Decision history of opportunity {reference} ==",
            render_decisions(history),
        ]
        if quotes:
            sections += ["", render_quotes(quotes)]
    if antemeta:
        a = antemeta[0]
        sections.append(
            f"\nAntemeta: tier {a.tier} (legacy {a.legacy_tier}), specializations "
            f"{', '.join(a.specializations) or '-'}, qualified revenue {a.qualified_revenue}"
        )
    return "\n".join(sections)
