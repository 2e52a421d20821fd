import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..compat import cron_progress
from .customer_linked_records import (
    HISTORY_RECORDS,
    LINKED_KINDS,
    OWN_DATA_FIELDS,
    OWN_DATA_MODELS,
    customers_sql,
    future_appointments_sql,
    tasks_sql,
)
from .query_plans import execute_through_indexes
from .res_partner import in_ownership_workflow, ownership_workflow

_logger = logging.getLogger(__name__)

TRASH_RETENTION_PARAM = "crm_customer_ownership.trash_retention_days"
TRASH_RETENTION_DEFAULT = 14
# How many customers a notification names; it counts them all.
NAMED_CUSTOMERS = 10


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _get_trash_retention_days(self):
        return self.env["ir.config_parameter"]._get_int_param(
            TRASH_RETENTION_PARAM, TRASH_RETENTION_DEFAULT
        )

    def _check_trash_access(self):
        """Trashing and restoring need what deleting needs: being the
        customer's salesperson, or the right to delete it in stock Odoo
        (Contact Creation and the record rules)."""
        partners = self.with_context(active_test=False)
        partners.check_access("write")
        others = partners.filtered(lambda partner: partner.user_id != self.env.user)
        # An empty recordset would still check the model-wide delete right.
        if others:
            others.check_access("unlink")

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "form":
            self._set_readonly_in_trash(arch)
        return arch, view

    @api.model
    def _set_readonly_in_trash(self, arch):
        """Make the customer form read-only while the customer is in the
        trash, so that Restore is the only way to change it.

        Odoo 18 has no form-level ``readonly`` expression, and the form is
        extended by many modules: the condition is added to each field of
        the form itself (not to fields of embedded lists, which have their own
        record; the list field's own read-only covers them). A field without
        a ``readonly`` of its own in the view takes the one of its Python
        definition: a read-only one keeps it, since a view's ``readonly``
        replaces the definition's in the web client.
        """
        for node in arch.iter("field"):
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue
            readonly = node.get("readonly")
            if readonly in ("1", "True", "true"):
                continue
            if readonly is None:
                field = self._fields.get(node.get("name"))
                if field is None or field.readonly:
                    continue
            node.set(
                "readonly",
                f"({readonly}) or trashed_at" if readonly else "trashed_at",
            )

    def action_trash(self):
        """Move the customers to the trash, restorable with all their data."""
        self._check_trash_access()
        self._check_not_merged()
        partners = self.filtered(lambda partner: not partner.trashed_at)
        if not partners:
            return True
        # Hide first: archiving a record through the ORM deletes its open
        # activities (mail.activity.mixin), and the trash must keep them.
        partners._set_linked_records_hidden(True)
        with ownership_workflow():
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
        self._check_trash_access()
        self._check_not_merged()
        partners = self.with_context(active_test=False).filtered("trashed_at")
        if not partners:
            return True
        partners._set_linked_records_hidden(False)
        with ownership_workflow():
            partners.write(
                {"active": True, "trashed_at": False, "trashed_by_id": False}
            )
        partners._log_ownership_message(
            self.env._("Restored from trash by %(user)s.", user=self.env.user.name)
        )
        return partners._restored_notification()

    def _restored_notification(self):
        """Tell who restored what, then show the screen again: the trash
        list without them, or the customer's form out of the trash."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._(
                    "Restored from the trash: %(count)s", count=len(self)
                ),
                "message": ", ".join(self[:NAMED_CUSTOMERS].mapped("display_name"))
                + (", …" if len(self) > NAMED_CUSTOMERS else ""),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _set_linked_records_hidden(self, hidden):
        """Hide what the trash hides of these customers' linked records, or
        bring it back: each kind by the method its declaration names (visit
        reports, blocks and consents follow the customer's trash state by
        themselves, see customer.owned.mixin)."""
        for kind in LINKED_KINDS:
            if kind.trash:
                self.env[kind.model].flush_model()
                getattr(self, kind.trash)(hidden)

    def _trash_set_tasks_hidden(self, hidden):
        # In SQL: archiving activities through the ORM marks them done, which
        # would rewrite history on restore. Looked up first, then changed by
        # key: joined to the lookup in one UPDATE, a table believed empty
        # (vacuumed before a bulk load) was read whole.
        rows = self.env.execute_query(
            tasks_sql(
                customers_sql(self.ids),
                SQL("CASE WHEN %s THEN a.active ELSE a.hidden_by_trash END", hidden),
            ),
        )
        if rows:
            self.env.execute_query(
                SQL(
                    """UPDATE mail_activity
                          SET active = %(show)s, hidden_by_trash = %(hidden)s
                        WHERE id = ANY(%(tasks)s)""",
                    show=not hidden,
                    hidden=hidden,
                    tasks=[task_id for _partner_id, task_id in rows],
                )
            )
        self.env["mail.activity"].invalidate_model(["active", "hidden_by_trash"])

    def _trash_set_appointments_hidden(self, hidden):
        # Each hidden appointment keeps the customer that hid it.
        if hidden:
            rows = self.env.execute_query(
                future_appointments_sql(
                    customers_sql(self.ids), fields.Datetime.now(), SQL("active")
                ),
            )
            event_ids = [event_id for _partner_id, event_id in rows]
            if rows:
                self.env.execute_query(
                    SQL(
                        """UPDATE calendar_event e
                              SET active = FALSE, trash_partner_id = h.partner_id
                             FROM unnest(%s::int[], %s::int[]) AS h(id, partner_id)
                            WHERE e.id = h.id AND e.id = ANY(%s)""",
                        event_ids,
                        [partner_id for partner_id, _event_id in rows],
                        event_ids,
                    )
                )
        else:
            # Through the index on trash_partner_id: a join with unnest()
            # reads the whole table when PostgreSQL has no statistics.
            execute_through_indexes(
                self.env,
                SQL(
                    """UPDATE calendar_event
                          SET active = TRUE, trash_partner_id = NULL
                        WHERE trash_partner_id = ANY(%s)""",
                    self.ids,
                ),
            )
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
            self._count_references(
                references,
                model._name,
                field.name,
                model._table,
                field.name,
                indexed=(model._table, field.name) in indexed,
            )
        return references

    def _count_references(
        self, counts, model_name, fname, table, column, condition=None, indexed=False
    ):
        """Add to ``counts`` ({partner id: {label: count}}) the rows of
        ``table`` meeting ``condition`` whose ``column`` is one of these
        customers, under the label of ``model_name``'s ``fname``."""
        table, column = SQL.identifier(table), SQL.identifier(column)
        condition = condition or SQL("TRUE")
        if indexed:
            # One index lookup per customer: OFFSET 0 keeps it from becoming
            # a join that a freshly loaded table, without statistics, scans
            # whole (tests/test_query_plans.py).
            query = SQL(
                "SELECT ids.id, refs.count FROM unnest(%s::int[]) AS ids(id)"
                " CROSS JOIN LATERAL (SELECT COUNT(*) FROM (SELECT FROM %s"
                " WHERE %s = ids.id AND %s OFFSET 0) AS rows) AS refs(count)"
                " WHERE refs.count > 0",
                self.ids,
                table,
                column,
                condition,
            )
        else:
            # Without an index one scan for all the customers beats one per
            # customer.
            query = SQL(
                "SELECT %(col)s, COUNT(*) FROM %(table)s"
                " WHERE %(col)s = ANY(%(ids)s) AND %(condition)s"
                " GROUP BY %(col)s",
                col=column,
                table=table,
                ids=self.ids,
                condition=condition,
            )
        rows = self.env.execute_query(query)
        label = self._linked_records_label(model_name, fname)
        for partner_id, count in rows:
            counts[partner_id][label] = counts[partner_id].get(label, 0) + count

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
    def _linked_records_label(self, model_name, field_name):
        """The records of ``model_name`` linked through ``field_name``, named
        as the merge preview names them (Visit Reports, Appointments,
        Consents...), else by the model's translated name: never a
        technical name."""
        found = self._merge_preview_label(model_name, field_name)
        if found:
            return found[1]
        # sudo: model names are labels, not data.
        return self.env["ir.model"].sudo()._get(model_name).name

    @api.model
    def _describe_references(self, references):
        # "Visit Reports (2)": a label and its count read right in every
        # language, whatever the plural.
        return ", ".join(
            f"{label} ({count})" for label, count in sorted(references.items())
        )

    def _get_history(self):
        """{partner id: {description: count}} of what each customer's history
        holds: its business documents, visit reports, visit blocks,
        consents, tasks, appointments and ownership history rows, archived
        ones included."""
        history = self._get_business_references()
        if not self.ids:
            return history
        for records in HISTORY_RECORDS:
            model = self.env[records.model]
            model.flush_model()
            field = model._fields[records.link]
            table, column, condition = model._table, records.link, None
            if field.type == "many2many":
                table, column = field.relation, field.column2
            elif field.type == "many2one_reference":
                condition = SQL(
                    "%s = %s", SQL.identifier(field.model_field), self._name
                )
            self._count_references(
                history, records.model, records.link, table, column, condition
            )
        return history

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        """A customer with history is never deleted by hand, administrators
        included: the trash (restorable) and the merge (which moves the
        history) are the ways out; the purge and the merge delete it."""
        if in_ownership_workflow():
            return
        history = self._ownership_customers()._get_history()
        if not history:
            return
        blocked = self.browse(list(history))
        raise UserError(
            self.env._(
                "Customers with history cannot be deleted: %(customers)s "
                "(%(documents)s). Move them to the trash instead with the Move "
                "to Trash button: they stay restorable until the trash is "
                "purged (days in the trash: %(days)s). Or merge each into the "
                "right customer (Action > Merge into… on the customer), which "
                "keeps its history.",
                customers=", ".join(blocked.mapped("display_name")),
                documents="; ".join(
                    f"{partner.display_name}: "
                    f"{self._describe_references(history[partner.id])}"
                    for partner in blocked
                ),
                days=self._get_trash_retention_days(),
            )
        )

    def _get_purge_references(self):
        """{customer id: {description: count}} of the business documents
        referring to each customer or to one of its contacts at any depth:
        deleting the customer would orphan those contacts."""
        # sudo and archived contacts too: the purge must see every contact
        # of the customer, whatever the rules of the user running it.
        family = (
            self.sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", self.ids)])
        )
        references = family._get_business_references()
        parent_of = {partner.id: partner.parent_id.id for partner in family}
        result = defaultdict(dict)
        for partner in family.filtered(lambda p: p.id in references):
            customer_id = partner.id
            while customer_id not in self.ids:
                customer_id = parent_of[customer_id]
            for label, count in references[partner.id].items():
                if partner.id != customer_id:
                    label = self.env._(
                        "%(documents)s of contact %(contact)s",
                        documents=label,
                        contact=partner.display_name,
                    )
                result[customer_id][label] = count
        return result

    @api.model
    def _cron_purge_trash(self, batch_size=500):
        """Purge customers trashed longer than the retention period, one
        bounded batch per run; the cron reschedules itself at once while
        customers remain."""
        limit = fields.Datetime.now() - timedelta(days=self._get_trash_retention_days())
        # Merged customers go the same way once their merge can no longer be
        # undone.
        domain = [
            "|",
            ("trashed_at", "<", limit),
            ("merged_at", "<", limit),
            ("active", "=", False),
        ]
        partners = self.with_context(active_test=False).search(
            domain, order="trashed_at, id", limit=batch_size
        )
        remaining = self.with_context(active_test=False).search_count(domain) - len(
            partners
        )
        partners._purge_from_trash()
        cron_progress(self.env, len(partners), remaining)
        return partners

    def _purge_from_trash(self):
        """Delete these trashed customers with their own data; the ones still
        referenced by business documents leave the trash as plain archived
        contacts instead."""
        references = self._get_purge_references()
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
        self._set_linked_records_hidden(False)
        with ownership_workflow():
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
        # The purge is one of the two ways (with the merge) a customer with
        # history is deleted.
        with ownership_workflow():
            self.unlink()
