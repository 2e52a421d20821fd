from collections import defaultdict

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .customer_ownership_history import LINKED_COUNT_FIELDS

TRANSFER_GROUP = "crm_customer_ownership.group_customer_transfer"
TRANSFER_MODES = ("move", "copy")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Transfer
    # ------------------------------------------------------------------

    def _transfer_customers(
        self, target_user, mode="move", transfer_linked=True, origin="manual"
    ):
        """Move or copy these customers to ``target_user`` with their history.

        The one engine behind the transfer wizard, the import and XML-RPC.
        move: the customer changes owner; its visit reports and visit blocks
        come along, and so do its open activities, future appointments and
        open opportunities held by the previous owner. Done activities, past
        appointments and closed opportunities stay as they were.
        copy: a new customer for the target with the same ERP Number and
        contact data, and (with linked data) copies of its visit reports,
        visit blocks and future appointments. The original is left untouched.
        A trashed customer that is moved leaves the trash.

        :returns: {original id: {"partner_id", "from_user_id", "restored",
                  "counts"}}
        """
        partners = self.with_context(active_test=False)
        partners._check_transfer_allowed(target_user, mode)
        if not partners:
            return {}
        partners._lock_for_transfer()
        old_owner = {partner.id: partner.user_id.id for partner in partners}
        restored = partners.filtered("trashed_at") if mode == "move" else self.browse()
        if restored:
            restored.action_restore()
        linked = partners._get_transferable_records() if transfer_linked else {}
        if mode == "move":
            result_partners = partners._move_to(target_user, linked)
        else:
            result_partners = partners._copy_to(target_user, linked)
        counts = {
            partner.id: {
                key: len(linked.get(key, {}).get(partner.id, ()))
                for key in LINKED_COUNT_FIELDS
            }
            for partner in partners
        }
        if mode == "copy":
            # Copies take neither tasks nor opportunities with them.
            for partner_counts in counts.values():
                partner_counts.update(activity_count=0, lead_count=0)
        partners._record_transfer(
            target_user, mode, origin, old_owner, result_partners, counts
        )
        return {
            partner.id: {
                "partner_id": result_partners[partner.id],
                "from_user_id": old_owner[partner.id] or False,
                "restored": partner in restored,
                "counts": counts[partner.id],
            }
            for partner in partners
        }

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
        if mode not in TRANSFER_MODES:
            raise UserError(
                self.env._(
                    "Unknown transfer mode %(mode)s: use 'move' or 'copy'.", mode=mode
                )
            )
        self.check_access("write" if mode == "move" else "read")
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

    def _lock_for_transfer(self):
        """Lock the customers' rows until the transaction ends, so that two
        concurrent transfers of one customer cannot both win."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM res_partner WHERE id = ANY(%s)"
                    " FOR NO KEY UPDATE NOWAIT",
                    [self.ids],
                )
        except pg_errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Some of these customers are being changed by someone else "
                    "right now. Nothing was transferred: please retry in a moment."
                )
            ) from None
        # Re-read what another transaction may have committed before the lock.
        self.invalidate_recordset(["user_id", "trashed_at", "active"])

    def _get_transferable_records(self):
        """What follows each customer: {count key: {partner id: record ids}}.

        Open activities, future appointments and open opportunities only
        follow when the previous owner holds them.
        """
        cr = self.env.cr
        now = fields.Datetime.now()
        for model in (
            "customer.visit.report",
            "customer.visit.block",
            "crm.lead",
            "mail.activity",
            "calendar.event",
        ):
            self.env[model].flush_model()
        queries = {
            "visit_report_count": (
                """SELECT partner_id, id FROM customer_visit_report
                    WHERE partner_id = ANY(%s)""",
                [self.ids],
            ),
            "visit_block_count": (
                """SELECT partner_id, id FROM customer_visit_block
                    WHERE partner_id = ANY(%s)""",
                [self.ids],
            ),
            "activity_count": (
                """SELECT p.id, a.id FROM mail_activity a
                     JOIN res_partner p ON p.id = a.res_id
                    WHERE a.res_model = 'res.partner' AND p.id = ANY(%s)
                      AND a.active AND a.user_id IS NOT DISTINCT FROM p.user_id""",
                [self.ids],
            ),
            "event_count": (
                """SELECT p.id, e.id FROM calendar_event e
                     JOIN calendar_event_res_partner_rel rel
                       ON rel.calendar_event_id = e.id
                     JOIN res_partner p ON p.id = rel.res_partner_id
                    WHERE p.id = ANY(%s) AND e.active AND e.start >= %s
                      AND e.user_id = p.user_id""",
                [self.ids, now],
            ),
            "lead_count": (
                """SELECT p.id, l.id FROM crm_lead l
                     JOIN res_partner p ON p.id = l.partner_id
                LEFT JOIN crm_stage s ON s.id = l.stage_id
                    WHERE p.id = ANY(%s) AND l.active
                      AND l.user_id = p.user_id AND s.is_won IS NOT TRUE""",
                [self.ids],
            ),
        }
        linked = {}
        for key, (query, params) in queries.items():
            cr.execute(query, params)
            per_partner = defaultdict(list)
            for partner_id, record_id in cr.fetchall():
                per_partner[partner_id].append(record_id)
            linked[key] = per_partner
        return linked

    @api.model
    def _linked_ids(self, linked, key):
        return [rid for ids in linked.get(key, {}).values() for rid in ids]

    def _move_to(self, target_user, linked):
        """Give the customers and what follows them to ``target_user``.

        Activities and appointments are reassigned in SQL: the ORM would mail
        every new assignee and attendee once per record, which is what makes
        a bulk reassignment unusable in stock Odoo; the moved customers get
        one chatter message each instead.
        """
        cr = self.env.cr
        activity_ids = self._linked_ids(linked, "activity_count")
        event_ids = self._linked_ids(linked, "event_count")
        lead_ids = self._linked_ids(linked, "lead_count")
        if activity_ids:
            cr.execute(
                "UPDATE mail_activity SET user_id = %s WHERE id = ANY(%s)",
                [target_user.id, activity_ids],
            )
            self.env["mail.activity"].invalidate_model(["user_id"])
        if event_ids:
            self._reassign_events(event_ids, target_user)
        if lead_ids:
            # The transfer right covers the customers' open opportunities,
            # which lead rules let only their salesperson edit.
            self._reassign_leads(
                self.env["crm.lead"].sudo().browse(lead_ids), target_user
            )
        self.with_context(tracking_disable=True).write({"user_id": target_user.id})
        return {partner.id: partner.id for partner in self}

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

    @api.model
    def _reassign_events(self, event_ids, target_user):
        """Make ``target_user`` organiser and attendee of these events in place
        of their current organiser (an attendee already there is kept once)."""
        cr = self.env.cr
        target_partner = target_user.partner_id.id
        # The organiser's partner is in three places: attendees (partner_ids),
        # attendance rows and followers. Take it out of each, then put the
        # target in, keeping a target already there once.
        for table, event_column, partner_column, condition in (
            (
                "calendar_event_res_partner_rel",
                "calendar_event_id",
                "res_partner_id",
                SQL(),
            ),
            ("calendar_attendee", "event_id", "partner_id", SQL()),
            (
                "mail_followers",
                "res_id",
                "partner_id",
                SQL("AND t.res_model = 'calendar.event'"),
            ),
        ):
            cr.execute(
                SQL(
                    """
                    DELETE FROM %(table)s t
                     USING calendar_event e, res_users u
                     WHERE t.%(event_column)s = e.id AND e.id = ANY(%(events)s)
                       AND u.id = e.user_id AND t.%(partner_column)s = u.partner_id
                       AND u.partner_id != %(target)s %(condition)s
                    """,
                    table=SQL.identifier(table),
                    event_column=SQL.identifier(event_column),
                    partner_column=SQL.identifier(partner_column),
                    events=event_ids,
                    target=target_partner,
                    condition=condition,
                )
            )
        cr.execute(
            """
            INSERT INTO calendar_event_res_partner_rel
                   (calendar_event_id, res_partner_id)
            SELECT e.id, %s FROM calendar_event e WHERE e.id = ANY(%s)
                ON CONFLICT DO NOTHING
            """,
            [target_partner, event_ids],
        )
        cr.execute(
            """
            INSERT INTO calendar_attendee
                   (event_id, partner_id, state, common_name, access_token,
                    create_uid, create_date, write_uid, write_date)
            SELECT e.id, p.id, 'accepted', p.name, md5(random()::text || e.id),
                   %s, NOW() AT TIME ZONE 'UTC', %s, NOW() AT TIME ZONE 'UTC'
              FROM calendar_event e, res_partner p
             WHERE e.id = ANY(%s) AND p.id = %s
               AND NOT EXISTS (
                   SELECT 1 FROM calendar_attendee a
                    WHERE a.event_id = e.id AND a.partner_id = p.id)
            """,
            [self.env.uid, self.env.uid, event_ids, target_partner],
        )
        cr.execute(
            """
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT 'calendar.event', e.id, %s FROM calendar_event e
             WHERE e.id = ANY(%s)
                ON CONFLICT DO NOTHING
            """,
            [target_partner, event_ids],
        )
        cr.execute(
            "UPDATE calendar_event SET user_id = %s WHERE id = ANY(%s)",
            [target_user.id, event_ids],
        )
        self.env["calendar.event"].invalidate_model(
            ["user_id", "partner_ids", "attendee_ids"]
        )
        self.env["calendar.attendee"].invalidate_model()
        self.env["mail.followers"].invalidate_model()

    def _copy_to(self, target_user, linked):
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
        for model, key in (
            ("customer.visit.report", "visit_report_count"),
            ("customer.visit.block", "visit_block_count"),
        ):
            records = self.env[model].browse(self._linked_ids(linked, key))
            if records:
                self.env[model].with_context(tracking_disable=True).create(
                    [
                        dict(vals, partner_id=copy_of[record.partner_id.id])
                        for record, vals in zip(
                            records, records.copy_data(), strict=True
                        )
                    ]
                )
        self._copy_future_events(linked, copy_of, target_user)
        return copy_of

    def _copy_future_events(self, linked, copy_of, target_user):
        event_partner = {
            event_id: partner_id
            for partner_id, event_ids in linked.get("event_count", {}).items()
            for event_id in event_ids
        }
        events = self.env["calendar.event"].browse(list(event_partner))
        if not events:
            return
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
        self, target_user, mode, origin, old_owner, result_partners, counts
    ):
        """One ownership history row and one chatter message per customer."""
        History = self.env["customer.ownership.history"]
        owners = self.env["res.users"].browse(set(old_owner.values()) - {False})
        owner_names = {user.id: user.name for user in owners.sudo()}
        vals_list, bodies = [], {}
        for partner in self:
            from_name = owner_names.get(
                old_owner[partner.id], self.env._("no salesperson")
            )
            result_id = result_partners[partner.id]
            vals_list.append(
                {
                    "partner_id": result_id,
                    "source_partner_id": partner.id if mode == "copy" else False,
                    "source_name": partner.display_name,
                    "from_user_id": old_owner[partner.id] or False,
                    "to_user_id": target_user.id,
                    "mode": mode,
                    "origin": origin,
                    **counts[partner.id],
                }
            )
            bodies[result_id] = self.env._(
                "Transferred from %(from_user)s to %(to_user)s by %(user)s "
                "(%(mode)s: %(linked)s).",
                from_user=from_name,
                to_user=target_user.name,
                user=self.env.user.name,
                mode=dict(History._fields["mode"]._description_selection(self.env))[
                    mode
                ].lower(),
                linked=History._summary_counts(counts[partner.id]),
            )
        History._append(vals_list)
        self._log_ownership_messages(bodies)
