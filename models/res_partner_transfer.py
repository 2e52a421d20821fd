from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .customer_linked_records import (
    CHOOSABLE_KINDS,
    COUNTED_KINDS,
    LINKED_KINDS,
    LINKED_KINDS_BY_KEY,
)
from .query_plans import execute_through_indexes
from .res_partner import ownership_workflow

TRANSFER_GROUP = "crm_customer_ownership.group_customer_transfer"
TRANSFER_MODES = [("move", "Move"), ("copy", "Copy")]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Transfer
    # ------------------------------------------------------------------

    def _transfer_customers(
        self,
        target_user,
        mode="move",
        origin="manual",
        kinds=None,
    ):
        """Move or copy these customers to ``target_user`` with their history.

        The one engine behind the transfer wizard, the import, a change of
        salesperson and XML-RPC. What follows a customer is declared in
        ``customer_linked_records``; ``kinds`` picks the kinds that follow
        (keys of that declaration; None: the company's default; empty: none
        of them).
        move: the customer changes owner, and the records of the chosen kinds
        that follow it (each kind's ``query``) come along; the records of a
        kind not chosen stay with their previous holder (a ``bound`` kind's
        on an archived copy of the customer for the previous owner). A
        trashed customer that is moved leaves the trash.
        copy: a new customer for the target with the same ERP Number and
        contact data, and copies of the chosen kinds that have a ``copy``.
        The original is left untouched.
        A customer the target already has is skipped.

        :returns: {original id: {"partner_id", "from_user_id", "restored",
                  "skipped", "counts", "stayed"}}
        """
        # The engine writes the new salesperson itself, which write() lets
        # through only inside a workflow.
        with ownership_workflow():
            return self._transfer_customers_in_workflow(
                target_user, mode, origin, kinds
            )

    def _transfer_customers_in_workflow(self, target_user, mode, origin, kinds):
        partners = self.with_context(active_test=False)
        partners._check_transfer_allowed(target_user, mode)
        following = self._transfer_kinds(mode, kinds)
        if not partners:
            return {}
        partners._lock_for_transfer()
        skipped = partners.filtered(lambda partner: partner.user_id == target_user)
        result = {
            partner.id: {
                "partner_id": partner.id,
                "from_user_id": target_user.id,
                "restored": False,
                "skipped": True,
                "counts": dict.fromkeys((k.count_field for k in COUNTED_KINDS), 0),
                "stayed": {},
            }
            for partner in skipped
        }
        partners -= skipped
        if not partners:
            return result
        old_owner = {partner.id: partner.user_id.id for partner in partners}
        restored = partners.filtered("trashed_at") if mode == "move" else self.browse()
        if restored:
            restored.action_restore()
        linked = partners._get_linked_records(old_owner)
        if mode == "move":
            result_partners = partners._move_to(
                target_user, linked, following, old_owner
            )
        else:
            result_partners = partners._copy_to(target_user, linked, following)
        counts = partners._linked_counts(linked, following)
        stayed = partners._linked_counts(linked, following, stayed=True)
        # sudo: names and owners of customers whose access was checked above;
        # as superuser the ORM does not evaluate their record rules again in
        # Python for every field it reads.
        partners.sudo()._record_transfer(
            target_user, mode, origin, old_owner, result_partners, counts, stayed
        )
        for partner in partners:
            result[partner.id] = {
                "partner_id": result_partners[partner.id],
                "from_user_id": old_owner[partner.id] or False,
                "restored": partner in restored,
                "skipped": False,
                "counts": counts[partner.id],
                "stayed": stayed[partner.id],
            }
        return result

    def _transfer_preview(self, target_user, mode="move", kinds=None):
        """{partner id: {count field: n}} of what ``_transfer_customers``
        with the same arguments would bring along, without writing; customers
        the target already has are left out, as the engine skips them."""
        following = self._transfer_kinds(mode, kinds)
        partners = self.with_context(active_test=False).filtered(
            lambda partner: partner.user_id != target_user
        )
        return partners._linked_counts(partners._get_linked_records(), following)

    @api.model
    def _transfer_kinds(self, mode, kinds=None):
        """The keys of the kinds of linked records that follow a transfer.

        Copies only take the kinds that can be copied; a move always takes
        what belongs to the customer alone (its consents).
        """
        if kinds is None:
            kinds = self.env.company._get_customer_transfer_kinds()
        kinds = set(kinds)
        unknown = kinds - {kind.key for kind in CHOOSABLE_KINDS}
        if unknown:
            raise UserError(
                self.env._(
                    "Unknown kinds of linked records %(kinds)s: use some of %(known)s.",
                    kinds=", ".join(sorted(unknown)),
                    known=", ".join(kind.key for kind in CHOOSABLE_KINDS),
                )
            )
        following = {kind.key for kind in CHOOSABLE_KINDS if kind.key in kinds}
        if mode == "copy":
            return {key for key in following if LINKED_KINDS_BY_KEY[key].copy}
        return following | {kind.key for kind in LINKED_KINDS if not kind.choosable}

    def _check_transfer_allowed(self, target_user, mode):
        """Every rule a transfer must meet, whatever its entry point."""
        if not self.env.su and not self.env.user.has_group(TRANSFER_GROUP):
            raise AccessError(
                self.env._(
                    "You are not allowed to transfer customers between "
                    "salespeople. Ask an administrator for the right "
                    "'Transfer customers between salespeople'."
                )
            )
        if mode not in dict(TRANSFER_MODES):
            raise UserError(
                self.env._(
                    "Unknown transfer mode %(mode)s: use 'move' or 'copy'.", mode=mode
                )
            )
        self.check_access("write" if mode == "move" else "read")
        self._check_not_merged()
        target_user = target_user.sudo()
        if not target_user or not target_user.active or target_user.share:
            raise UserError(
                self.env._(
                    "Customers can only be transferred to an active internal "
                    "user; %(user)s is not one.",
                    user=target_user.name or self.env._("nobody"),
                )
            )
        if not (target_user.company_ids & self.env.companies):
            raise UserError(
                self.env._(
                    "%(user)s works in none of your allowed companies: "
                    "transfer to a user of %(companies)s.",
                    user=target_user.name,
                    companies=", ".join(self.env.companies.mapped("name")),
                )
            )
        foreign = self.filtered(
            lambda partner: (
                partner.company_id and partner.company_id not in target_user.company_ids
            )
        )
        if foreign:
            raise UserError(
                self.env._(
                    "%(user)s has no access to the company of %(customers)s: "
                    "give the user that company or pick another salesperson.",
                    user=target_user.name,
                    customers=", ".join(foreign.mapped("display_name")),
                )
            )

    # How long a transfer or import waits for customers another one is
    # changing before it leaves the conflict to Odoo's request retry.
    _transfer_lock_timeout = "20s"

    def _lock_for_transfer(self):
        """Lock the customers' rows until the transaction ends, so that two
        concurrent transfers or imports of one customer cannot both win; the
        one lock of the transfer engine and of the import.

        The loser waits for the winner (at most _transfer_lock_timeout). As
        Odoo runs requests in REPEATABLE READ, PostgreSQL then raises a
        serialization failure for a row the winner changed, or
        lock-not-available when the wait was too long: both reach Odoo's
        request retry (``odoo.service.model.retrying``), which replays the
        whole request on the winner's data, so both requests succeed one
        after the other. The conflict is expected: it is not logged as a
        bad query."""
        if not self:
            return
        cr = self.env.cr
        cr.execute(SQL("SET LOCAL lock_timeout = %s", self._transfer_lock_timeout))
        cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id"
                " FOR NO KEY UPDATE",
                self.ids,
            ),
            log_exceptions=False,
        )
        cr.execute("SET LOCAL lock_timeout = DEFAULT")
        # Re-read what another transaction may have committed before the lock.
        self.invalidate_recordset(["user_id", "trashed_at", "active"])

    def _get_linked_records(self, old_owner=None):
        """{kind key: {partner id: record ids}} of what would follow each
        customer in a move: everything bound to it, and of the rest only what
        the previous owner (``old_owner``: {partner id: user id}, default the
        current salesperson) holds and is still open or in the future."""
        if old_owner is None:
            old_owner = {partner.id: partner.user_id.id for partner in self}
        for kind in LINKED_KINDS:
            self.env[kind.model].flush_model()
        ids = list(old_owner)
        owners = [old_owner[partner_id] or None for partner_id in ids]
        now = fields.Datetime.now()
        linked = {}
        for kind in LINKED_KINDS:
            per_partner = defaultdict(list)
            for partner_id, record_id in execute_through_indexes(
                self.env, kind.following_sql(ids, owners, now)
            ):
                per_partner[partner_id].append(record_id)
            linked[kind.key] = per_partner
        return linked

    def _linked_counts(self, linked, following, stayed=False):
        """{partner id: counts}: of the kinds that follow, the history's
        counters {count field: n}; with ``stayed``, {kind key: n} of the
        records that do not follow."""
        if stayed:
            return {
                partner.id: {
                    kind.key: len(linked[kind.key].get(partner.id, ()))
                    for kind in LINKED_KINDS
                    if kind.key not in following and linked[kind.key].get(partner.id)
                }
                for partner in self
            }
        return {
            partner.id: {
                kind.count_field: len(linked[kind.key].get(partner.id, ()))
                if kind.key in following
                else 0
                for kind in COUNTED_KINDS
            }
            for partner in self
        }

    def _move_to(self, target_user, linked, following, old_owner):
        """Give the customers and what follows them to ``target_user``.

        Tasks, appointments and contacts are reassigned in SQL: the ORM would
        mail every new assignee and attendee once per record, which is what
        makes a bulk reassignment unusable in stock Odoo; the moved customers
        get one chatter message each instead.
        """
        self._leave_behind(linked, following, old_owner)
        for kind in LINKED_KINDS:
            record_ids = [rid for ids in linked[kind.key].values() for rid in ids]
            if kind.key in following and kind.move and record_ids:
                getattr(self, kind.move)(record_ids, target_user)
        # sudo: _check_transfer_allowed checked the write access; as superuser
        # write() does not evaluate the record rules in Python again for each
        # relation it reads on the way (contacts, users). The user stays the
        # author (write_uid).
        self.sudo().with_context(tracking_disable=True).write(
            {"user_id": target_user.id}
        )
        return {partner.id: partner.id for partner in self}

    def _leave_behind(self, linked, following, old_owner):
        """Keep the records bound to the customer record (visit reports,
        visit blocks) of the kinds that do not follow with the previous owner:
        they go to an archived copy of the customer, without External ID, of
        the previous owner."""
        left = [
            kind
            for kind in LINKED_KINDS
            if kind.bound and kind.key not in following and linked[kind.key]
        ]
        if not left:
            return
        partners = self.browse(
            sorted({pid for kind in left for pid in linked[kind.key]})
        )
        vals_list = partners.copy_data()
        for partner, vals in zip(partners, vals_list, strict=True):
            vals.update(
                name=partner.name,
                user_id=old_owner[partner.id] or False,
                external_ref=False,
                active=False,
            )
        copies = self.with_context(tracking_disable=True).create(vals_list)
        copy_of = dict(zip(partners.ids, copies.ids, strict=True))
        for kind in left:
            Model = self.env[kind.model]
            pairs = [
                (record_id, copy_of[partner_id])
                for partner_id, record_ids in linked[kind.key].items()
                for record_id in record_ids
            ]
            Model.flush_model()
            self.env.execute_query(
                SQL(
                    """UPDATE %(table)s r SET %(link)s = t.partner_id
                         FROM unnest(%(records)s::int[], %(partners)s::int[])
                              AS t(id, partner_id)
                        WHERE r.id = t.id""",
                    table=SQL.identifier(Model._table),
                    link=SQL.identifier(kind.link),
                    records=[record_id for record_id, _pid in pairs],
                    partners=[partner_id for _rid, partner_id in pairs],
                )
            )
            Model.invalidate_model([kind.link])
        self.invalidate_recordset()

    def _move_tasks(self, activity_ids, target_user):
        self.env.execute_query(
            SQL(
                # By primary key: a join with unnest() reads the whole table
                # when PostgreSQL has no statistics.
                "UPDATE mail_activity SET user_id = %(user)s WHERE id = ANY(%(ids)s)",
                user=target_user.id,
                ids=activity_ids,
            )
        )
        self.env["mail.activity"].invalidate_model(["user_id"])

    def _move_opportunities(self, lead_ids, target_user):
        # sudo: the transfer right covers the customers' open opportunities,
        # which lead rules let only their salesperson edit.
        self._reassign_leads(self.env["crm.lead"].sudo().browse(lead_ids), target_user)

    def _move_contacts(self, contact_ids, target_user):
        # In SQL: a contact's salesperson follows its customer's, which is
        # not a change of owner for the engine to record again.
        self.env.execute_query(
            SQL(
                """UPDATE res_partner c
                      SET user_id = %(user)s, write_uid = %(uid)s,
                          write_date = %(now)s
                     FROM unnest(%(ids)s::int[]) AS t(id) WHERE c.id = t.id""",
                user=target_user.id,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                ids=contact_ids,
            )
        )
        self.env["res.partner"].invalidate_model(["user_id", "write_uid"])

    @api.model
    def _reassign_leads(self, leads, target_user):
        """Give the leads to ``target_user`` with the team crm would pick.

        The team is written with the salesperson because crm recomputes it
        lead by lead otherwise (two queries per lead); the choice is the same:
        keep a team the target belongs to, else the target's default team
        for leads or for opportunities.
        """
        leads = leads.with_context(tracking_disable=True)
        keep = leads.filtered(
            lambda lead: target_user in (lead.team_id.member_ids | lead.team_id.user_id)
        )
        if keep:
            for team, team_leads in keep.grouped("team_id").items():
                team_leads.write({"user_id": target_user.id, "team_id": team.id})
        for lead_type, typed in (leads - keep).grouped("type").items():
            field = "use_leads" if lead_type == "lead" else "use_opportunities"
            team = self.env["crm.team"]._get_default_team_id(
                user_id=target_user.id, domain=[(field, "=", True)]
            )
            typed.write({"user_id": target_user.id, "team_id": team.id})

    # Where an event holds its organiser's partner: (table, event column,
    # partner column, condition on the table's rows).
    _EVENT_PARTNER_PLACES = (
        ("calendar_event_res_partner_rel", "calendar_event_id", "res_partner_id", ""),
        ("calendar_attendee", "event_id", "partner_id", ""),
        ("mail_followers", "res_id", "partner_id", "res_model = 'calendar.event' AND"),
    )

    @api.model
    def _reassign_events(self, event_ids, target_user):
        """Make ``target_user`` organiser and attendee of these events in place
        of their current organiser (an attendee already there is kept once),
        and a follower: in the organiser's place with the organiser's
        subscription, else with the default subtypes, as Odoo subscribes an
        organiser, so that they are notified of changes."""
        target = target_user.partner_id.id
        places = self._EVENT_PARTNER_PLACES
        # Values the ORM still holds for these rows would be written over
        # the SQL below at the next flush.
        for model in ("calendar.event", "calendar.attendee", "mail.followers"):
            self.env[model].flush_model()
        # First, per event, its organiser's partner and whether it and the
        # target are in each place: one lookup driven by the events' keys
        # through the places' (event, partner) indexes. The changes below
        # then touch one table each by those indexes, a plan that stays
        # proportional to the events without statistics or with stale ones
        # (tests/test_query_plans.py); joined to the events instead, a table
        # believed empty was read whole for every event.
        rows = self.env.execute_query(
            SQL(
                """
                SELECT ev.id, u.partner_id, %(presence)s
                  FROM unnest(%(ids)s::int[]) AS ev(id)
                 CROSS JOIN LATERAL (
                       SELECT user_id FROM calendar_event
                        WHERE id = ev.id OFFSET 0) e
                  LEFT JOIN LATERAL (
                       SELECT partner_id FROM res_users
                        WHERE id = e.user_id OFFSET 0) u ON TRUE
                %(places)s
                """,
                ids=event_ids,
                presence=SQL(", ").join(
                    SQL("%s.there IS NOT NULL", SQL.identifier(f"place{n}"))
                    for n in range(2 * len(places))
                ),
                # LATERAL with LIMIT rather than EXISTS, which PostgreSQL may
                # turn into a scan of the whole table hashed once.
                places=SQL(" ").join(
                    SQL(
                        """LEFT JOIN LATERAL (
                               SELECT TRUE AS there FROM %(table)s
                                WHERE %(condition)s %(event)s = ev.id
                                  AND %(partner)s = %(who)s LIMIT 1) %(alias)s
                               ON TRUE""",
                        table=SQL.identifier(table),
                        condition=SQL(condition),
                        event=SQL.identifier(event_column),
                        partner=SQL.identifier(partner_column),
                        who=who,
                        alias=SQL.identifier(f"place{2 * n + k}"),
                    )
                    for n, (
                        table,
                        event_column,
                        partner_column,
                        condition,
                    ) in enumerate(places)
                    for k, who in enumerate((SQL("u.partner_id"), SQL("%s", target)))
                ),
            ),
        )
        now = fields.Datetime.now()
        for index, (table, event_column, partner_column, condition) in enumerate(
            places
        ):
            # {(organiser, new partner): events}: the organiser's row becomes
            # the target's, or goes (None) because the target is there already.
            changes = defaultdict(list)
            missing = []
            for event_id, organiser, *presence in rows:
                organiser_there, target_there = presence[2 * index : 2 * index + 2]
                if organiser == target or not organiser_there:
                    if not target_there:
                        missing.append(event_id)
                    continue
                changes[organiser, None if target_there else target].append(event_id)
            for (organiser, new_partner), events in changes.items():
                self._event_partner_change(
                    table,
                    event_column,
                    partner_column,
                    condition,
                    events,
                    organiser,
                    new_partner,
                    now,
                )
            if missing:
                self._event_partner_add(table, missing, target, now)
        self.env.execute_query(
            SQL(
                """UPDATE calendar_event e
                      SET user_id = %(user)s, write_uid = %(uid)s,
                          write_date = %(now)s
                    WHERE e.id = ANY(%(ids)s)""",
                user=target_user.id,
                uid=self.env.uid,
                now=now,
                ids=event_ids,
            )
        )
        self.env["calendar.event"].invalidate_model(
            ["user_id", "partner_ids", "attendee_ids", "write_uid", "write_date"]
        )
        self.env["calendar.attendee"].invalidate_model()
        self.env["mail.followers"].invalidate_model()

    @api.model
    def _event_partner_change(
        self,
        table,
        event_column,
        partner_column,
        condition,
        event_ids,
        organiser,
        target,
        now,
    ):
        """Give ``organiser``'s rows of ``table`` for these events to
        ``target``, or delete them when ``target`` is None."""
        rows = SQL(
            "%(condition)s %(event)s = ANY(%(ids)s) AND %(partner)s = %(organiser)s",
            condition=SQL(condition),
            event=SQL.identifier(event_column),
            partner=SQL.identifier(partner_column),
            ids=event_ids,
            organiser=organiser,
        )
        if target is None:
            query = SQL("DELETE FROM %s WHERE %s", SQL.identifier(table), rows)
        else:
            query = SQL(
                "UPDATE %(table)s SET %(partner)s = %(target)s %(more)s WHERE %(rows)s",
                table=SQL.identifier(table),
                partner=SQL.identifier(partner_column),
                target=target,
                # An attendance taken over must not keep the organiser's
                # invitation token: the token opens the invitation.
                more=SQL(
                    """, common_name = (SELECT name FROM res_partner
                                         WHERE id = %(target)s),
                         state = 'accepted',
                         access_token = replace(gen_random_uuid()::text, '-', ''),
                         write_uid = %(uid)s, write_date = %(now)s""",
                    target=target,
                    uid=self.env.uid,
                    now=now,
                )
                if table == "calendar_attendee"
                else SQL(),
                rows=rows,
            )
        self.env.execute_query(query)

    @api.model
    def _event_partner_add(self, table, event_ids, target, now):
        """Put ``target`` into ``table`` for these events, where it is not."""
        events = SQL("unnest(%s::int[]) AS ev(id)", event_ids)
        if table == "calendar_event_res_partner_rel":
            query = SQL(
                """INSERT INTO calendar_event_res_partner_rel
                          (calendar_event_id, res_partner_id)
                   SELECT ev.id, %(target)s FROM %(events)s
                       ON CONFLICT DO NOTHING""",
                target=target,
                events=events,
            )
        elif table == "calendar_attendee":
            # Tokens as calendar.attendee's default makes them: uuid4().hex.
            query = SQL(
                """INSERT INTO calendar_attendee
                          (event_id, partner_id, state, common_name,
                           access_token, create_uid, create_date, write_uid,
                           write_date)
                   SELECT ev.id, p.id, 'accepted', p.name,
                          replace(gen_random_uuid()::text, '-', ''),
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM %(events)s, res_partner p
                    WHERE p.id = %(target)s""",
                uid=self.env.uid,
                now=now,
                events=events,
                target=target,
            )
        else:
            subtypes, _internal, _external = self.env[
                "mail.message.subtype"
            ]._default_subtypes("calendar.event")
            query = SQL(
                """WITH added AS (
                       INSERT INTO mail_followers (res_model, res_id, partner_id)
                       SELECT 'calendar.event', ev.id, %(target)s FROM %(events)s
                           ON CONFLICT DO NOTHING
                    RETURNING id)
                   INSERT INTO mail_followers_mail_message_subtype_rel
                          (mail_followers_id, mail_message_subtype_id)
                   SELECT added.id, subtype.id
                     FROM added, unnest(%(subtypes)s::int[]) AS subtype(id)""",
                target=target,
                events=events,
                subtypes=list(subtypes),
            )
        self.env.execute_query(query)

    def _copy_to(self, target_user, linked, following):
        """Create the target's copies; return {original id: copy id}."""
        self._check_copy_conflicts(target_user)
        vals_list = self.copy_data()
        for partner, vals in zip(self, vals_list, strict=True):
            vals.update(
                name=partner.name,
                user_id=target_user.id,
                external_ref=partner.external_ref,
                is_synced=partner.is_synced,
                active=True,
            )
        copies = self.with_context(tracking_disable=True).create(vals_list)
        copy_of = dict(zip(self.ids, copies.ids, strict=True))
        for kind in LINKED_KINDS:
            if kind.key in following and kind.copy and linked[kind.key]:
                getattr(self, kind.copy)(kind, linked[kind.key], copy_of, target_user)
        return copy_of

    @api.model
    def _copy_bound_records(self, kind, per_partner, copy_of, target_user, **extra):
        """Copies of records that only point at their customer, under the
        customer's copy, with ``extra`` values."""
        record_partner = {
            record_id: partner_id
            for partner_id, record_ids in per_partner.items()
            for record_id in record_ids
        }
        records = self.env[kind.model].browse(list(record_partner))
        vals_list = records.copy_data()
        for record, vals in zip(records, vals_list, strict=True):
            vals.update(extra, **{kind.link: copy_of[record_partner[record.id]]})
            if "name" in vals:
                # copy_data names a copy "... (copy)"; this is the same record
                # for another salesperson.
                vals["name"] = record.name
        self.env[kind.model].with_context(tracking_disable=True).create(vals_list)

    @api.model
    def _copy_contacts(self, kind, per_partner, copy_of, target_user):
        """The contacts under the copy, looked after by the target."""
        self._copy_bound_records(
            kind, per_partner, copy_of, target_user, user_id=target_user.id
        )

    @api.model
    def _copy_appointments(self, kind, per_partner, copy_of, target_user):
        event_partner = {
            event_id: partner_id
            for partner_id, event_ids in per_partner.items()
            for event_id in event_ids
        }
        events = self.env["calendar.event"].browse(list(event_partner))
        vals_list = events.copy_data()
        for event, vals in zip(events, vals_list, strict=True):
            vals.update(
                user_id=target_user.id,
                partner_ids=[
                    fields.Command.set(
                        [copy_of[event_partner[event.id]], target_user.partner_id.id]
                    )
                ],
            )
            vals.pop("attendee_ids", None)
            # The original may be hidden with its trashed customer; the copy's
            # customer is not in the trash.
            vals["active"] = True
        self.env["calendar.event"].with_context(
            tracking_disable=True, no_mail_to_attendees=True, dont_notify=True
        ).create(vals_list)

    def _check_copy_conflicts(self, target_user):
        refs = [ref for ref in self.mapped("external_ref") if ref]
        if not refs:
            return
        clashes = self.with_context(active_test=False).search(
            [("user_id", "=", target_user.id), ("external_ref", "in", refs)]
        )
        if clashes:
            raise UserError(
                self.env._(
                    "%(user)s already has customers with these ERP Numbers: "
                    "%(customers)s. Move instead of copy, or update those "
                    "customers.",
                    user=target_user.name,
                    customers=", ".join(
                        f"{c.display_name} [{c.external_ref}]" for c in clashes
                    ),
                )
            )

    def _record_transfer(
        self, target_user, mode, origin, old_owner, result_partners, counts, stayed
    ):
        """One ownership history row and one chatter message per customer,
        saying what followed and what stayed with its previous holder."""
        History = self.env["customer.ownership.history"]
        owners = self.env["res.users"].browse(set(old_owner.values()) - {False})
        owner_names = {user.id: user.name for user in owners.sudo()}
        mode_label = dict(History._fields["mode"]._description_selection(self.env))
        vals_list, bodies = [], {}
        for partner in self:
            from_name = owner_names.get(
                old_owner[partner.id], self.env._("no salesperson")
            )
            result_id = result_partners[partner.id]
            stayed_summary = ", ".join(
                LINKED_KINDS_BY_KEY[key].summary(self.env, count)
                for key, count in stayed[partner.id].items()
            )
            vals_list.append(
                {
                    "partner_id": result_id,
                    "source_partner_id": partner.id if mode == "copy" else False,
                    "source_name": partner.display_name,
                    "from_user_id": old_owner[partner.id] or False,
                    "to_user_id": target_user.id,
                    "mode": mode,
                    "origin": origin,
                    "stayed_summary": stayed_summary or False,
                    **counts[partner.id],
                }
            )
            body = self.env._(
                "Transferred from %(from_user)s to %(to_user)s by %(user)s "
                "(%(mode)s: %(linked)s).",
                from_user=from_name,
                to_user=target_user.name,
                user=self.env.user.name,
                mode=mode_label[mode].lower(),
                linked=History._summary_counts(counts[partner.id]),
            )
            if stayed_summary:
                body += " " + self.env._(
                    "Stayed with %(from_user)s: %(stayed)s.",
                    from_user=from_name,
                    stayed=stayed_summary,
                )
            bodies[result_id] = body
        History._append(vals_list)
        self._log_ownership_messages(bodies)
