"""Merge benchmark: our merge wizard against Odoo's own, and our undo.

Builds two identical pairs of customers in a database where
crm_customer_ownership is installed; the wrong customer of each pair has
RECORDS linked records of every kind (opportunities, activities, messages,
attachments, followers, child contacts, appointments, visit reports, visit
blocks). Merges one pair with Odoo's ``base.partner.merge.automatic.wizard``
and the other with ``customer.merge.wizard``, both as the administrator,
then undoes ours through ``customer.merge.log.action_undo``; times all three
(pending ORM writes and the commit included). Each step commits, as the
request it stands for would: an undo meets the rows its merge left the way
it would a day later, not inside the merge's transaction. Rounds alternate
which merge runs first. What the rounds create stays in the database: run
it on a throwaway one.

Each round runs in two conditions: "fresh", right after the records are
created, with no statistics about them (as after a data migration;
autovacuum is kept off the tables meanwhile), and "analyzed", after
ANALYZE. A last run with 10 records per kind shows that the undo's query
count does not grow with the number of records.

    python bench/merge_benchmark.py DB [--records 1000] [--rounds 3]

Odoo is taken from ODOO_SRC (default /opt/odoo/18.0); the database is
reached with the usual PostgreSQL environment (PGHOST, PGPORT, PGUSER...).
Run it with the module's virtualenv (see README.md).
"""

import argparse
import statistics
import sys
import time
from datetime import datetime, timedelta

from bench_odoo import (
    CONDITIONS,
    MODULE,
    STATISTICS_TABLES,
    analyze,
    keep_fresh,
    load_odoo,
)

# The tables a merge moves rows in, beyond those the other benchmarks watch.
TABLES = (*STATISTICS_TABLES, "ir_attachment", "mail_notification")

QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "no_mail_to_attendees": True,
}


def build_pair(env, tag, records):
    """A wrong customer with ``records`` links of every kind, and a right one."""
    Partner = env["res.partner"]
    source, target = Partner.create(
        [
            {"name": f"{tag} wrong", "email": f"{tag}@example.com", "is_company": True},
            {"name": f"{tag} right", "is_company": True},
        ]
    )
    n = range(records)
    partner_model = env["ir.model"]._get_id("res.partner")
    todo = env.ref("mail.mail_activity_data_todo")
    contacts = Partner.create(
        [{"name": f"{tag} contact {i}", "parent_id": source.id} for i in n]
    )
    leads = env["crm.lead"].create(
        [{"name": f"{tag} deal {i}", "partner_id": source.id} for i in n]
    )
    # Activities subscribe their user; once, not once per activity of a batch.
    source.message_subscribe(partner_ids=env.user.partner_id.ids)
    env["mail.activity"].create(
        [
            {
                "res_model_id": partner_model,
                "res_id": source.id,
                "activity_type_id": todo.id,
                "summary": f"{tag} task {i}",
                "user_id": env.uid,
            }
            for i in n
        ]
    )
    env["mail.message"].create(
        [
            {
                "model": "res.partner",
                "res_id": source.id,
                "body": f"{tag} note {i}",
                "message_type": "comment",
            }
            for i in n
        ]
    )
    env["ir.attachment"].create(
        [
            {
                # A link, not a file: a rolled-back run leaves no files behind.
                "name": f"{tag} offer {i}",
                "type": "url",
                "url": f"https://example.com/{tag}/offer-{i}",
                "res_model": "res.partner",
                "res_id": source.id,
            }
            for i in n
        ]
    )
    # The contacts follow the wrong customer; it follows its opportunities.
    source.message_subscribe(partner_ids=contacts.ids)
    leads.message_subscribe(partner_ids=source.ids)
    start = datetime(2030, 1, 7, 9)
    env["calendar.event"].create(
        [
            {
                "name": f"{tag} visit {i}",
                "start": start + timedelta(days=i),
                "stop": start + timedelta(days=i, hours=1),
                "partner_ids": [(6, 0, source.ids)],
            }
            for i in n
        ]
    )
    env["customer.visit.report"].create(
        [{"partner_id": source.id, "summary": f"{tag} visit {i}"} for i in n]
    )
    env["customer.visit.block"].create(
        [
            {
                "partner_id": source.id,
                "date_from": "2030-01-01",
                "date_to": "2030-01-02",
                "reason": f"{tag} block {i}",
            }
            for i in n
        ]
    )
    env.flush_all()
    return source, target


def timed(env, merge):
    cr = env.cr
    env.flush_all()
    env.invalidate_all()
    # Plan each statement as a worker would that meets these tables now.
    # PostgreSQL keeps the plans of the foreign-key checks for the session,
    # and this one planned them while building the first pair, when the
    # tables were a few pages: a sequential scan per check, which grows with
    # every row the rounds add (0.1-0.5 ms per moved row, and 26 s merges in
    # earlier runs). ANALYZE (the analysed condition) replans them anyway.
    cr.execute("DISCARD PLANS")
    queries = cr.sql_log_count
    began = time.perf_counter()
    merge()
    env.flush_all()
    count = cr.sql_log_count - queries
    cr.commit()
    return time.perf_counter() - began, count


def odoo_merge(env, source, target):
    env["base.partner.merge.automatic.wizard"]._merge((source | target).ids, target)


def our_merge(env, source, target):
    env["customer.merge.wizard"].create(
        {"source_partner_id": source.id, "target_partner_id": target.id}
    ).action_merge()


def our_undo(env, source):
    env["customer.merge.log"].search(
        [("source_partner_id", "=", source.id), ("state", "=", "done")]
    ).action_undo()


def check(env, name, source, target, records):
    """Exit unless the run did what it should have."""
    leads = env["crm.lead"].with_context(active_test=False)
    on_source = leads.search_count([("partner_id", "=", source.id)])
    # Odoo's wizard hands customers of this module (these have visit reports)
    # to our engine, which keeps the wrong customer archived for an undo.
    if name == "odoo" and source.exists() and source.merged_into_id != target:
        sys.exit("odoo: the wrong customer survived the merge")
    if (
        name != "undo"
        and source.exists()
        and (source.active or not source.merged_into_id)
    ):
        sys.exit(f"{name}: the wrong customer is not archived and marked as merged")
    if name == "undo" and (not source.active or on_source != records):
        sys.exit(f"undo: the wrong customer has {on_source} of {records} deals back")
    if name != "undo" and leads.search_count([("partner_id", "=", target.id)]) != (
        records
    ):
        sys.exit(f"{name}: the deals did not all move")


def run_round(root, admin, round_no, records, figures, condition):
    began = time.perf_counter()
    pairs = {
        name: build_pair(root, f"bench-{round_no}-{name}", records)
        for name in ("odoo", "ours")
    }
    if condition == "analyzed":
        analyze(root.cr, TABLES)
    root.cr.commit()
    print(
        f"round {round_no + 1} ({condition}): built 2 pairs with {records} "
        f"records of each kind in {time.perf_counter() - began:.1f} s"
    )
    # Alternate which merge runs first, against warm-cache bias; the undo
    # follows its own merge, as it would follow no other merge's work.
    order = ("odoo", "ours", "undo") if round_no % 2 == 0 else ("ours", "undo", "odoo")
    steps = {"odoo": odoo_merge, "ours": our_merge, "undo": None}
    runs = [
        (name, steps[name], *pairs["odoo" if name == "odoo" else "ours"])
        for name in order
    ]
    for name, merge, source, target in runs:
        source, target = source.with_env(admin), target.with_env(admin)
        if merge is None:
            seconds, queries = timed(admin, lambda s=source: our_undo(admin, s))
        else:
            seconds, queries = timed(
                admin, lambda m=merge, s=source, t=target: m(admin, s, t)
            )
        check(admin, name, source.with_context(active_test=False), target, records)
        figures[name].append((seconds, queries))
        print(f"  {name:>4}: {seconds:7.3f} s, {queries:5d} queries")


def run_rounds(root, admin, rounds, records, condition):
    figures = {"odoo": [], "ours": [], "undo": []}
    for round_no in range(rounds):
        run_round(root, admin, round_no, records, figures, condition)
    return figures


def report(figures, records, rounds, condition):
    print(
        f"\n{condition}: {records} linked records of each kind, {rounds} rounds "
        "(median):"
    )
    medians = {}
    for name, label in (
        ("odoo", "Odoo's merge wizard"),
        ("ours", "customer.merge.wizard"),
        ("undo", "customer.merge.log undo"),
    ):
        seconds = statistics.median(f[0] for f in figures[name])
        queries = statistics.median(f[1] for f in figures[name])
        medians[name] = (seconds, queries)
        print(f"  {label:<24} {seconds:7.3f} s  {queries:6.0f} queries")
    print(f"  ours / Odoo's: {medians['ours'][0] / medians['odoo'][0]:.2f}")
    print(f"  undo / ours:   {medians['undo'][0] / medians['ours'][0]:.2f}")
    # The undo against the merge it undid, round by round.
    paired = [
        u[0] / o[0] for u, o in zip(figures["undo"], figures["ours"], strict=True)
    ]
    print(
        f"  undo / its merge, per round: {statistics.median(paired):.2f} median "
        f"({', '.join(f'{ratio:.2f}' for ratio in paired)})"
    )
    return medians


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="database with crm_customer_ownership installed")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    odoo = load_odoo(args.db)
    from odoo import SUPERUSER_ID, api

    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        root = api.Environment(cr, SUPERUSER_ID, QUIET)
        if not root["ir.module.module"].search_count(
            [("name", "=", MODULE), ("state", "=", "installed")]
        ):
            sys.exit(f"{MODULE} is not installed in database {args.db}")
        # Both merges run as the administrator, with permission checks.
        admin = root(user=root.ref("base.user_admin").id, su=False)
        keep_fresh(cr, TABLES)
        cr.commit()
        # Fresh rounds first: the analysed ones leave statistics behind.
        results = {
            condition: run_rounds(root, admin, args.rounds, args.records, condition)
            for condition in CONDITIONS
        }
        small = run_rounds(root, admin, 1, 10, "fresh")

    for condition, figures in results.items():
        report(figures, args.records, args.rounds, condition)
    undo_small = small["undo"][0][1]
    undo_large = statistics.median(f[1] for f in results["fresh"]["undo"])
    print(
        f"\nundo queries: {undo_small} with 10 records of each kind, "
        f"{undo_large:.0f} with {args.records}"
    )


if __name__ == "__main__":
    main()
