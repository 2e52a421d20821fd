import logging
from collections import defaultdict
from datetime import timedelta
from functools import partial

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from .query_plans import execute_through_indexes

_logger = logging.getLogger(__name__)

TRASH_RETENTION_PARAM = "crm_customer_ownership.trash_retention_days"
TRASH_RETENTION_DEFAULT = 14

# Rows of these models that point at a customer are its own data or technical
# bookkeeping: they never keep a customer alive. Any other reference (an
# invoice, a sale order, an opportunity with history...) is a business
# document that must survive, so its customer is never destroyed.
OWN_DATA_MODELS = frozenset(
    {
        "res.partner",
        "mail.message",
        "mail.activity",
        "mail.followers",
        "mail.notification",
        "calendar.attendee",
        "customer.visit.report",
        "customer.visit.block",
        "customer.consent",
        "customer.ownership.history",
    }
)
# Single fields of other models that are bookkeeping, not business documents.
OWN_DATA_FIELDS = frozenset({("calendar.event", "trash_partner_id")})


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _get_trash_retention_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(TRASH_RETENTION_PARAM)
        try:
            return max(int(value), 0) if value else TRASH_RETENTION_DEFAULT
        except ValueError:
            return TRASH_RETENTION_DEFAULT

    def action_trash(self):
        """Move the customers to the trash, restorable with all their data."""
        self.check_access("write")
        partners = self.filtered(lambda partner: not partner.trashed_at)
        if not partners:
            return True
        # Hide first: archiving a record through the ORM deletes its open
        # activities (mail.activity.mixin), and the trash must keep them.
        partners._hide_trashed_linked_records()
        partners.write(
            {
                "active": False,
                "trashed_at": fields.Datetime.now(),
                "trashed_by_id": self.env.uid,
            }
        )
        purge_date = format_date(self.env, partners[:1].trash_purge_date)
        partners._log_ownership_message(
            self.env._(
                "Moved to trash by %(user)s; restorable until %(date)s.",
                user=self.env.user.name,
                date=purge_date,
            )
        )
        return True

    def action_restore(self):
        """Bring customers back from the trash exactly as they were."""
        self.check_access("write")
        partners = self.with_context(active_test=False).filtered("trashed_at")
        if not partners:
            return True
        partners._unhide_trashed_linked_records()
        partners.write({"active": True, "trashed_at": False, "trashed_by_id": False})
        partners._log_ownership_message(
            self.env._("Restored from trash by %(user)s.", user=self.env.user.name)
        )
        return True

    def _hide_trashed_linked_records(self):
        """Hide the open activities and future appointments of trashed customers.

        Visit reports, blocks and consents follow the customer's trash state
        by themselves (their ``active`` is computed). Activities are archived
        in SQL because archiving them through the ORM marks them done, which
        would rewrite history on restore.
        """
        self.env["mail.activity"].flush_model(["active", "res_model", "res_id"])
        self.env["calendar.event"].flush_model(["active", "start", "partner_ids"])
        self.env.cr.execute(
            """
            UPDATE mail_activity
               SET active = FALSE, hidden_by_trash = TRUE
             WHERE res_model = 'res.partner' AND res_id = ANY(%s) AND active
            """,
            [self.ids],
        )
        self.env.cr.execute(
            """
            UPDATE calendar_event event
               SET active = FALSE, trash_partner_id = rel.res_partner_id
              FROM calendar_event_res_partner_rel rel
             WHERE rel.calendar_event_id = event.id
               AND rel.res_partner_id = ANY(%s)
               AND event.active
               AND event.start >= %s
            """,
            [self.ids, fields.Datetime.now()],
        )
        self.env["mail.activity"].invalidate_model(["active", "hidden_by_trash"])
        self.env["calendar.event"].invalidate_model(["active", "trash_partner_id"])

    def _unhide_trashed_linked_records(self):
        self.env.cr.execute(
            """
            UPDATE mail_activity
               SET active = TRUE, hidden_by_trash = FALSE
             WHERE res_model = 'res.partner' AND res_id = ANY(%s) AND hidden_by_trash
            """,
            [self.ids],
        )
        self.env.cr.execute(
            """
            UPDATE calendar_event SET active = TRUE, trash_partner_id = NULL
             WHERE trash_partner_id = ANY(%s)
            """,
            [self.ids],
        )
        self.env["mail.activity"].invalidate_model(["active", "hidden_by_trash"])
        self.env["calendar.event"].invalidate_model(["active", "trash_partner_id"])

    @api.model
    def _business_reference_fields(self):
        """(model, field) pairs of every stored many2one to res.partner that
        keeps a customer alive: not the customer's own data, not deleted with
        it (``ondelete='cascade'``)."""
        result = []
        for model_name in self.env.registry:
            model = self.env[model_name]
            if (
                model._abstract
                or model._transient
                or not model._auto
                or model_name in OWN_DATA_MODELS
            ):
                continue
            for field in model._fields.values():
                if (
                    field.type == "many2one"
                    and field.comodel_name == "res.partner"
                    and field.store
                    and field.column_type
                    and (field.ondelete or "set null").lower() != "cascade"
                    and (model_name, field.name) not in OWN_DATA_FIELDS
                ):
                    result.append((model, field))
        return result

    def _get_business_references(self):
        """{partner id: {model description: count}} of the business documents
        pointing at each customer, archived documents included."""
        references = defaultdict(dict)
        if not self.ids:
            return references
        fields_to_check = self._business_reference_fields()
        indexed = self._indexed_columns({model._table for model, _f in fields_to_check})
        for model, field in fields_to_check:
            model.flush_model([field.name])
            table = SQL.identifier(model._table)
            column = SQL.identifier(field.name)
            execute = self.env.execute_query
            if (model._table, field.name) in indexed:
                execute = partial(execute_through_indexes, self.env)
                # One index lookup per customer whatever PostgreSQL's
                # statistics say; OFFSET 0 keeps it from becoming a join that
                # a freshly loaded table, without statistics, scans whole.
                query = SQL(
                    "SELECT ids.id, refs.count FROM unnest(%s::int[]) AS ids(id)"
                    " CROSS JOIN LATERAL (SELECT COUNT(*) FROM (SELECT FROM %s"
                    " WHERE %s = ids.id OFFSET 0) AS rows) AS refs(count)"
                    " WHERE refs.count > 0",
                    self.ids,
                    table,
                    column,
                )
            else:
                # Without an index one scan for all the customers beats one
                # per customer.
                query = SQL(
                    "SELECT %s, COUNT(*) FROM %s WHERE %s = ANY(%s) GROUP BY %s",
                    column,
                    table,
                    column,
                    self.ids,
                    column,
                )
            for partner_id, count in execute(query):
                label = model._description
                references[partner_id][label] = (
                    references[partner_id].get(label, 0) + count
                )
        return references

    @api.model
    def _indexed_columns(self, tables):
        """{(table, column)} of the columns that lead a b-tree index."""
        return set(
            self.env.execute_query(
                SQL(
                    """
                    SELECT t.relname, a.attname
                      FROM pg_index i
                      JOIN pg_class t ON t.oid = i.indrelid
                      JOIN pg_class x ON x.oid = i.indexrelid
                      JOIN pg_am am ON am.oid = x.relam AND am.amname = 'btree'
                      JOIN pg_attribute a
                        ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
                     WHERE t.relname = ANY(%s)
                    """,
                    list(tables),
                )
            )
        )

    @api.model
    def _describe_references(self, references):
        return ", ".join(
            f"{count} × {label}" for label, count in sorted(references.items())
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_business_documents(self):
        references = self._get_business_references()
        if not references:
            return
        blocked = self.browse(list(references))
        raise UserError(
            self.env._(
                "%(customers)s cannot be deleted: business documents refer to "
                "them (%(documents)s). Merge the customer into the right one "
                "(Action > Merge into...) or archive it instead.",
                customers=", ".join(blocked.mapped("display_name")),
                documents="; ".join(
                    f"{partner.display_name}: "
                    f"{self._describe_references(references[partner.id])}"
                    for partner in blocked
                ),
            )
        )

    @api.model
    def _cron_purge_trash(self, batch_size=500):
        """Purge customers trashed longer than the retention period, one
        bounded batch per run; the cron reschedules itself at once while
        customers remain."""
        limit = fields.Datetime.now() - timedelta(days=self._get_trash_retention_days())
        domain = [("trashed_at", "<", limit), ("active", "=", False)]
        partners = self.with_context(active_test=False).search(
            domain, order="trashed_at, id", limit=batch_size
        )
        remaining = self.with_context(active_test=False).search_count(domain) - len(
            partners
        )
        partners._purge_from_trash()
        self.env["ir.cron"]._notify_progress(done=len(partners), remaining=remaining)
        return partners

    def _purge_from_trash(self):
        """Delete these trashed customers with their own data; the ones still
        referenced by business documents leave the trash as plain archived
        contacts instead."""
        references = self._get_business_references()
        kept = self.browse(list(references))
        kept._keep_as_archived(references)
        to_delete = self - kept
        if not to_delete:
            return
        try:
            with self.env.cr.savepoint():
                to_delete._delete_with_own_data()
        except Exception:  # isolate the customer that fails
            _logger.warning(
                "Purging %s customers at once failed; retrying one by one",
                len(to_delete),
                exc_info=True,
            )
            for partner in to_delete:
                try:
                    with self.env.cr.savepoint():
                        partner._delete_with_own_data()
                except Exception:  # one failure must not block the rest
                    _logger.exception(
                        "Could not purge customer %s (id %s) from the trash",
                        partner.display_name,
                        partner.id,
                    )

    def _keep_as_archived(self, references):
        if not self:
            return
        self._unhide_trashed_linked_records()
        self.write({"trashed_at": False, "trashed_by_id": False})
        bodies = {}
        for partner in self:
            reason = self._describe_references(references[partner.id])
            _logger.info(
                "Customer %s (id %s) kept as archived contact instead of purged: %s",
                partner.display_name,
                partner.id,
                reason,
            )
            bodies[partner.id] = self.env._(
                "Kept as an archived contact instead of being purged from the "
                "trash: business documents refer to it (%(documents)s).",
                documents=reason,
            )
        self._log_ownership_messages(bodies)

    def _delete_with_own_data(self):
        activities = (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("res_model", "=", "res.partner"), ("res_id", "in", self.ids)])
        )
        events = (
            self.env["calendar.event"]
            .with_context(active_test=False)
            .search([("trash_partner_id", "in", self.ids)])
        )
        activities.unlink()
        events.unlink()
        self.unlink()
