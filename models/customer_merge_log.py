from collections import defaultdict
from datetime import timedelta

import psycopg2
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime

from .query_plans import index_driven_plans
from .res_partner_merge import CONSENT_FIELD, HISTORY_COUNTS

# How many records an undo's chatter note names per kind of record it could
# not move back; the log keeps them all.
NAMED_ROWS = 20


class CustomerMergeLog(models.Model):
    """One merge of a wrong customer into the right one: who, when, and every
    row that moved, so that ``action_undo`` can move exactly them back while
    the merged customer still exists (until the trash retention has passed).
    Written by the merge engine only."""

    _name = "customer.merge.log"
    _description = "Customer Merge"
    _order = "date desc, id desc"
    _rec_name = "source_name"

    source_partner_id = fields.Many2one(
        "res.partner",
        string="Merged Customer",
        index=True,
        ondelete="set null",
        readonly=True,
        help="The wrong customer, archived and marked as merged; empty once "
        "the purge has deleted it.",
    )
    source_name = fields.Char(
        string="Merged Customer Name",
        readonly=True,
        help="Name and ERP Number of the merged customer.",
    )
    target_partner_id = fields.Many2one(
        "res.partner",
        string="Merged Into",
        index=True,
        # The log outlives either customer: it is the only account of what
        # the merge did once the purge has deleted one of them.
        ondelete="set null",
        readonly=True,
        help="The right customer; empty once the purge has deleted it.",
    )
    target_name = fields.Char(
        string="Kept Customer Name",
        readonly=True,
        help="Name and ERP Number of the right customer when it was merged into.",
    )
    # Ids as plain numbers: they still say which customers the log is about
    # after the links are emptied, for support and the database's history.
    source_partner_ref = fields.Integer(string="Merged Customer ID", readonly=True)
    target_partner_ref = fields.Integer(string="Kept Customer ID", readonly=True)
    # Who may read the log once a customer is gone: the record rules follow
    # each live customer's salesperson, and a deleted one's as it was when
    # the purge deleted it (see res.partner.unlink), so that the log's
    # readers stay the same.
    source_owner_id = fields.Many2one(
        "res.users",
        string="Merged Customer's Salesperson",
        readonly=True,
        index="btree_not_null",
    )
    target_owner_id = fields.Many2one(
        "res.users",
        string="Kept Customer's Salesperson",
        readonly=True,
        index="btree_not_null",
    )
    user_id = fields.Many2one(
        "res.users", string="Merged by", required=True, readonly=True, index=True
    )
    date = fields.Datetime(string="Merged on", required=True, readonly=True, index=True)
    state = fields.Selection(
        [("done", "Done"), ("undone", "Undone"), ("expired", "Expired")],
        required=True,
        default="done",
        readonly=True,
        index=True,
        help="Done: the merge can be undone until the merged customer is "
        "purged. Undone: everything moved back. Expired: the merged customer "
        "was purged.",
    )
    undo_deadline = fields.Datetime(
        string="Undo Possible Until", compute="_compute_undo_deadline"
    )
    undone_by_id = fields.Many2one("res.users", string="Undone by", readonly=True)
    undone_at = fields.Datetime(string="Undone on", readonly=True)
    undo_report = fields.Text(
        readonly=True, help="What the undo could not move back, and why."
    )
    line_ids = fields.One2many(
        "customer.merge.log.line", "log_id", string="What Moved", readonly=True
    )
    # What people see of it: Odoo's bookkeeping (XML ids, technical links)
    # moves and moves back with the rest, unshown.
    shown_line_ids = fields.One2many(
        "customer.merge.log.line",
        "log_id",
        string="What Moved (shown)",
        domain=[("is_shown", "=", True)],
        readonly=True,
    )
    # Set at the merge rather than related to the right customer: the
    # company rule keeps holding once the purge has deleted it.
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    @api.depends("date", "state")
    def _compute_undo_deadline(self):
        retention = timedelta(days=self.env["res.partner"]._get_trash_retention_days())
        for log in self:
            log.undo_deadline = log.state == "done" and log.date + retention

    # ------------------------------------------------------------------
    # Recording (called by res.partner._merge_into)
    # ------------------------------------------------------------------

    @api.model
    def _create_for_merge(self, source, target, summary, lines):
        # sudo: users only read the log; the engine writes it.
        return self.sudo().create(
            {
                "source_partner_id": source.id,
                "source_partner_ref": source.id,
                "source_name": summary["source_name"],
                "target_partner_id": target.id,
                "target_partner_ref": target.id,
                "target_name": target._merge_source_name(),
                "source_owner_id": source.user_id.id,
                "target_owner_id": target.user_id.id,
                "company_id": target.company_id.id,
                "user_id": self.env.uid,
                "date": source.merged_at,
                "line_ids": [Command.create(line) for line in lines],
            }
        )

    @api.model
    def _lines_from_redirect(self, model_name, references, results, mapping):
        """Log line values for what ``_redirect_references`` moved (and left
        on the source because the target had it): one line per column and
        source, the rows as ids (or relation keys) to find them again."""
        Partner = self.env["res.partner"]
        # (action, kind, table, column, (model, field) naming the rows,
        # {source: (row ids, keys)})
        groups = []
        for index, reference in enumerate(references):
            for action, key in (("moved", "moved"), ("kept", "dropped")):
                by_source = defaultdict(lambda: ([], []))
                for row in results[index][key]:
                    if reference.kind == "company_dependent":
                        for company, src in row["companies"].items():
                            by_source[src][0].append(row["id"])
                            by_source[src][1].append(company)
                    elif reference.has_id:
                        by_source[row["src"]][0].append(row["id"])
                    elif reference.keys:
                        by_source[row["src"]][0].append(row[reference.keys[0]])
                    else:
                        # Nothing identifies the row: counted, not undoable.
                        by_source[row["src"]][1].append(None)
                if by_source:
                    named = Partner._merge_preview_field(reference) or (None, None)
                    groups.append(
                        (action, reference.kind, reference.table, reference.column)
                        + (named[:2], by_source)
                    )
        defaults = defaultdict(lambda: ([], []))
        for row in results.get("defaults", ()):
            defaults[row["src"]][0].append(row["id"])
        groups.append(
            ("moved", "default", "ir_default", "json_value", (None, None), defaults)
        )
        return [
            {
                "action": action,
                "model_name": model_name,
                "source_id": src,
                "target_id": mapping[src],
                "kind": kind,
                "table_name": table,
                "column_name": column,
                "ref_model": named[0],
                "ref_field": named[1],
                "count": len(ids) or len(keys),
                "row_ids": ids,
                "key_values": keys if ids else [],
            }
            for action, kind, table, column, named, by_source in groups
            for src, (ids, keys) in by_source.items()
        ]

    @api.model
    def _lines_from_documents(self, documents, target):
        """Log line values for consent documents about to be attached to
        ``target``: where each was attached before."""
        by_origin = defaultdict(lambda: ([], []))
        for document in documents:
            ids, res_ids = by_origin[document.res_model or ""]
            ids.append(document.id)
            res_ids.append(document.res_id or 0)
        return [
            {
                "action": "moved",
                "model_name": target._name,
                "source_id": 0,
                "target_id": target.id,
                "kind": "document",
                "table_name": "ir_attachment",
                "column_name": "res_id",
                "res_model": res_model,
                "count": len(ids),
                "row_ids": ids,
                "key_values": res_ids,
            }
            for res_model, (ids, res_ids) in by_origin.items()
        ]

    # ------------------------------------------------------------------
    # Undo
    # ------------------------------------------------------------------

    def action_undo(self):
        """Undo these merges: every row the merge moved that still points at
        the right customer goes back to the merged one, which becomes active
        again with its consents and their documents. Records added to the
        right customer since stay there. Callable over XML-RPC.

        Returns a notification of what moved back, which then opens the
        merged customer (the list again when several merges were undone)."""
        moved_back = defaultdict(int)
        failed = False
        for log in self:
            failed |= bool(log._undo(moved_back))
        if len(self) == 1:
            title = self.env._(
                "Merge undone: %(merged)s is back", merged=self._names()["merged"]
            )
        else:
            title = self.env._("Merges undone: %(count)s", count=len(self))
        if moved_back:
            message = self.env._(
                "Moved back to %(merged)s: %(moved)s.",
                merged="%s" if len(self) == 1 else self.env._("the merged customers"),
                moved=self._counts_text(moved_back),
            )
        else:
            message = self.env._("Nothing was left to move back.")
        if failed:
            message += " " + self.env._(
                "Some records stayed where they are: the merge's log says which."
            )
        return self._notification(
            title,
            message,
            self.source_partner_id if len(self) == 1 else None,
            "warning" if failed else "success",
        )

    def _merge_notification(self):
        """Tell the merger what moved to the right customer, then open it:
        the merged customer is archived, the right one is where its records
        are now."""
        self.ensure_one()
        moved = defaultdict(int)
        # sudo: users only read the log; its rows are the engine's data.
        for line in self.sudo().shown_line_ids:
            if line.action == "moved":
                moved[line.label] += line.count
        names = self._names()
        if moved:
            message = self.env._(
                "Moved to %(kept)s: %(moved)s.",
                kept="%s",
                moved=self._counts_text(moved),
            )
        else:
            message = self.env._(
                "Nothing was linked to the wrong customer: %(kept)s is unchanged.",
                kept="%s",
            )
        return self._notification(
            self.env._("%(merged)s merged into %(kept)s", **names),
            message,
            self.target_partner_id,
        )

    @api.model
    def _counts_text(self, counts):
        # "Visit Reports: 3": a label and its count read right in every
        # language, whatever the plural.
        return ", ".join(f"{label}: {count}" for label, count in counts.items())

    @api.model
    def _notification(self, title, message, customer, kind="success"):
        """A notification, its ``%s`` a link to ``customer``, then the
        customer's form (or the screen again without a customer)."""
        params = {"type": kind, "title": title, "message": message}
        if customer:
            url = f"/odoo/contacts/{customer.id}"
            params["links"] = [{"label": customer.display_name, "url": url}]
            # Contacts' own action: the URL reloads the same form. In "main",
            # not under the merged customer's form in the breadcrumbs.
            params["next"] = dict(
                self.env["ir.actions.act_window"]._for_xml_id(
                    "contacts.action_contacts"
                ),
                name=customer.display_name,
                res_id=customer.id,
                view_mode="form",
                views=[(False, "form")],
                target="main",
            )
        else:
            params["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": params,
        }

    def _names(self):
        return {
            "merged": self.source_partner_id.display_name or self.source_name,
            "kept": self.target_partner_id.display_name or self.target_name,
        }

    def _check_undoable(self):
        """Raise a UserError (AccessError for permissions) naming both
        customers unless this merge can be undone by the current user now."""
        names = self._names()
        if self.state == "undone":
            raise UserError(
                self.env._(
                    "The merge of %(merged)s into %(kept)s was already undone on "
                    "%(date)s by %(user)s: there is nothing left to undo.",
                    date=format_datetime(self.env, self.undone_at),
                    user=self.undone_by_id.name,
                    **names,
                )
            )
        source = self.source_partner_id.with_context(active_test=False)
        if not self.target_partner_id:
            raise UserError(
                self.env._(
                    "The merge of %(merged)s into %(kept)s can no longer be "
                    "undone: %(kept)s was deleted when the trash retention had "
                    "passed. Sort the records of %(merged)s out by hand.",
                    **names,
                )
            )
        if self.state == "expired" or not source:
            raise UserError(
                self.env._(
                    "The merge of %(merged)s into %(kept)s can no longer be "
                    "undone: the merged customer was deleted when the trash "
                    "retention had passed. Sort its records out by hand.",
                    **names,
                )
            )
        target = self.target_partner_id
        if source.merged_into_id != target:
            raise UserError(
                self.env._(
                    "Customer %(merged)s is no longer merged into %(kept)s but "
                    "into %(other)s: undo the merge into %(other)s first.",
                    other=source.merged_into_id.display_name
                    or self.env._("no customer"),
                    **names,
                )
            )
        # Undoing a merge is a merge the other way: the same right.
        source._check_merge_permission(target)
        if target.trashed_at:
            raise UserError(
                self.env._(
                    "Customer %(kept)s is in the trash, so the merge of "
                    "%(merged)s into it cannot be undone: restore %(kept)s "
                    "first.",
                    **names,
                )
            )

    def _lock_for_undo(self):
        # One undo at a time, and no transfer or merge of either customer
        # while the rows move back: the second undo waits, then finds the
        # log undone; a transfer of the right customer waits or is refused.
        self.env.cr.execute(
            SQL("SELECT id FROM customer_merge_log WHERE id = %s FOR UPDATE", self.id)
        )
        self.invalidate_recordset(["state", "source_partner_id"])
        partners = self.source_partner_id | self.target_partner_id
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                partners.ids,
            )
        )
        partners.invalidate_recordset()

    def _undo(self, moved_back):
        """Undo this merge; add to ``moved_back`` ({label: count}) what
        moved back. Returns what could not go back (sentences)."""
        self.ensure_one()
        self._lock_for_undo()
        self._check_undoable()
        source = self.source_partner_id.with_context(active_test=False)
        target = self.target_partner_id
        self.env.flush_all()
        # sudo: users only read the log; its rows are the engine's data.
        lines = self.sudo().line_ids.filtered(lambda line: line.action == "moved")
        failures = []
        # Restored before its records come back: writing a customer syncs
        # some of its fields to its contacts, which would be one write each.
        source._merge_restore_source(failures)
        results_by_model = {
            model_name: self._undo_lines(model_lines, failures, moved_back)
            for model_name, model_lines in lines.grouped("model_name").items()
        }
        if source.user_id != target.user_id:
            counts = (
                source._merge_history_counts(*results_by_model["res.partner"])
                if "res.partner" in results_by_model
                else dict.fromkeys(HISTORY_COUNTS, 0)
            )
            target._merge_write_history(
                source, counts, target.display_name, target.user_id, "unmerge"
            )
        self._undo_post_notes(source, target, failures)
        self.sudo().write(
            {
                "state": "undone",
                "undone_by_id": self.env.uid,
                "undone_at": fields.Datetime.now(),
                "undo_report": "\n".join(failures) or False,
            }
        )
        return failures

    def _undo_lines(self, lines, failures, moved_back):
        """Move back the rows of ``lines`` (all of one referenced model);
        append a sentence to ``failures`` for the rows that stay, count in
        ``moved_back`` ({label: count}) those that went back. Returns
        (references, results, mapping) as ``_redirect_references`` would for
        a redirect from the right customer to the merged one."""
        Redirect = self.env["customer.reference.redirect"]
        found = {
            (reference.table, reference.column): reference
            for reference in Redirect._find_references(
                lines[:1].model_name, exclude_fields={CONSENT_FIELD}
            )
        }
        reference_of = {
            line: found.get((line.table_name, line.column_name)) for line in lines
        }
        # The plain links of one table move back in one statement; the
        # others, and all of a table whose statement broke a rule of the
        # database, line by line.
        together = defaultdict(lambda: lines.browse())
        for line, reference in reference_of.items():
            if (
                line.kind in ("many2one", "res_id", "reference")
                and reference
                and reference.has_id
                and not reference.deduplicates
                and line.row_ids
            ):
                together[line.table_name, line.source_id, line.target_id] |= line
        references, results, mapping = [], {}, {}
        # Rows move by id: index-driven whatever the statistics say.
        with index_driven_plans(self.env):
            moved = {}
            for group in together.values():
                if len(group) > 1:
                    moved.update(group._move_back_columns(reference_of))
            for line, reference in reference_of.items():
                if line not in moved:
                    moved[line] = line._move_back(reference, failures)
            for line, reference in reference_of.items():
                rows = moved[line]
                if rows is None:
                    continue
                if rows and line.is_shown:
                    moved_back[line.label] += len(rows)
                if reference and line.kind not in ("document", "default"):
                    mapping[line.target_id] = line.source_id
                    results[len(references)] = {"moved": rows, "dropped": []}
                    references.append(reference)
                line._report_missing(rows, reference, failures)
        if references:
            Redirect._recompute_after_redirect(references, results, mapping)
        return references, results, mapping

    def _undo_post_notes(self, source, target, failures):
        failed = Markup()
        if failures:
            failed = Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Not moved back:"),
                Markup().join(Markup("<li>%s</li>") % text for text in failures),
            )
        user = self.env.user.name
        notes = (
            (
                source,
                self.env._(
                    "Merge into %(kept)s undone by %(user)s: what moved to "
                    "%(kept)s is back on this customer.",
                    kept=target.display_name,
                    user=user,
                ),
            ),
            (
                target,
                self.env._(
                    "Merge of %(merged)s into this customer undone by %(user)s: "
                    "what came from %(merged)s went back to it.",
                    merged=source.display_name,
                    user=user,
                ),
            ),
        )
        for partner, note in notes:
            partner.message_post(
                body=Markup("<p>%s</p>%s") % (note, failed),
                subtype_xmlid="mail.mt_note",
            )


class CustomerMergeLogLine(models.Model):
    """The rows of one column that a merge moved (or left on the merged
    customer because the right one had them), per source."""

    _name = "customer.merge.log.line"
    _description = "Customer Merge: Rows Moved"
    _order = "log_id, id"

    log_id = fields.Many2one(
        "customer.merge.log", required=True, index=True, ondelete="cascade"
    )
    action = fields.Selection(
        [("moved", "Moved"), ("kept", "Already on the right customer")],
        required=True,
    )
    # The label is named at read time, in the reader's language, from the
    # (model, field) the rows belonged to: a stored label would stay in the
    # language of whoever merged.
    label = fields.Char(string="Records", compute="_compute_label")
    ref_model = fields.Char(
        help="The model whose field linked the rows to the customer; empty "
        "for Odoo's own bookkeeping, which the log keeps but does not show."
    )
    ref_field = fields.Char(help="That model's field.")
    is_shown = fields.Boolean(compute="_compute_is_shown", store=True)
    count = fields.Integer(required=True)
    model_name = fields.Char(
        required=True, help="The model whose records the rows pointed at."
    )
    source_id = fields.Integer(required=True)
    target_id = fields.Integer(required=True)
    kind = fields.Selection(
        [
            ("many2one", "Link"),
            ("res_id", "Document link"),
            ("reference", "Reference"),
            ("company_dependent", "Company-dependent value"),
            ("default", "Default value"),
            ("document", "Consent document"),
        ],
        required=True,
    )
    table_name = fields.Char(required=True)
    column_name = fields.Char(required=True)
    res_model = fields.Char(
        help="Consent documents: the model they were attached to before."
    )
    row_ids = fields.Json(
        help="Ids of the rows (or the relation keys of rows without id)."
    )
    key_values = fields.Json(
        help="Per row: the company of a company-dependent value, or the "
        "record a consent document was attached to."
    )
    company_id = fields.Many2one(related="log_id.company_id", store=True, index=True)

    @api.depends("kind", "ref_model")
    def _compute_is_shown(self):
        for line in self:
            line.is_shown = line.kind in ("default", "document") or bool(line.ref_model)

    @api.depends("kind", "ref_model", "ref_field")
    @api.depends_context("lang")
    def _compute_label(self):
        Partner = self.env["res.partner"]
        for line in self:
            if line.kind == "default":
                line.label = self.env._("Default Values")
            elif line.kind == "document":
                line.label = self.env._("Consent Documents")
            elif line.ref_model in self.env and line.ref_field:
                line.label = Partner._linked_records_label(
                    line.ref_model, line.ref_field
                )
            else:
                line.label = self.env._("Technical links")

    def _move_back_columns(self, reference_of):
        """{line: rows moved back} for these lines, plain links of one table,
        in one statement; {} if it breaks a rule of the database (the lines
        then move one by one, so that the undo names the one that failed)."""
        Redirect = self.env["customer.reference.redirect"]
        moves = [(reference_of[line], line.row_ids) for line in self]
        try:
            with self.env.cr.savepoint(flush=False):
                rows = Redirect._move_back_columns(
                    moves, self[0].model_name, self[0].source_id, self[0].target_id
                )
        except psycopg2.IntegrityError:
            return {}
        return dict(zip(self, rows, strict=True))

    def _move_back(self, reference, failures):
        """Move this line's rows back to the merged customer, those still on
        the right one. Returns the rows moved back (dicts with ``id``, or the
        relation key), or None when none could be looked for (then
        ``failures`` says why)."""
        self.ensure_one()
        Redirect = self.env["customer.reference.redirect"]
        if self.kind == "document":
            return [{"id": doc_id} for doc_id in self._move_back_documents()]
        if self.kind == "default":
            ids = Redirect._move_back_defaults(
                self.source_id, self.target_id, self.row_ids or []
            )
            return [{"id": default_id} for default_id in ids]
        if reference is None or not self.row_ids:
            failures.append(
                self.env._(
                    "%(label)s: %(count)s record(s) could not be moved back "
                    "because they cannot be found any more.",
                    label=self.label,
                    count=self.count,
                )
            )
            return None
        try:
            with self.env.cr.savepoint(flush=False):
                return Redirect._move_back(
                    reference,
                    self.model_name,
                    self.source_id,
                    self.target_id,
                    self.row_ids,
                    self.key_values or (),
                )
        except psycopg2.IntegrityError as error:
            values = {"label": self.label, "count": self.count}
            # The message a module declared for the rule, in the reader's
            # language; PostgreSQL's own wording is technical. sudo: rule
            # messages are labels, not data.
            reason = error.diag.constraint_name and (
                self.env["ir.model.constraint"]
                .sudo()
                .search([("name", "=", error.diag.constraint_name)], limit=1)
                .message
            )
            failures.append(
                self.env._(
                    "%(label)s: %(count)s record(s) stayed on the right customer "
                    "because moving them back breaks a rule of the database "
                    "(%(reason)s).",
                    reason=reason,
                    **values,
                )
                if reason
                else self.env._(
                    "%(label)s: %(count)s record(s) stayed on the right customer "
                    "because moving them back breaks a rule of the database.",
                    **values,
                )
            )
            return None

    def _report_missing(self, rows, reference, failures):
        """Name in ``failures`` the logged rows that did not move back: by
        the records' names where the undo's readers may read them, else by
        their count (a deleted record has no name left)."""
        key = "id" if reference is None or reference.has_id else reference.keys[0]
        missing = sorted(set(self.row_ids or []) - {row[key] for row in rows})
        if not missing:
            return
        names = self._readable_names(reference, missing)
        values = {"label": self.label, "count": len(missing)}
        if names:
            failures.append(
                self.env._(
                    "%(label)s: %(count)s record(s) no longer linked to the right "
                    "customer (deleted or moved since, or the merged customer "
                    "has them again) stayed where they are, among them %(names)s.",
                    names=", ".join(names[:NAMED_ROWS])
                    + (", …" if len(names) > NAMED_ROWS else ""),
                    **values,
                )
            )
        else:
            failures.append(
                self.env._(
                    "%(label)s: %(count)s record(s) no longer linked to the right "
                    "customer (deleted or moved since, or the merged customer "
                    "has them again) stayed where they are.",
                    **values,
                )
            )

    def _readable_names(self, reference, ids):
        """The names of the records ``ids`` (of this line's rows) that the
        undo's readers may all read: whoever undoes, and the salespeople of
        both customers, who read the log and the customers' chatter. Records
        that are Odoo's machinery (a follower row, a message) have no name
        people know them by, nor have deleted ones: those are counted."""
        Partner = self.env["res.partner"]
        found = reference and Partner._merge_preview_field(reference)
        if not found or found[2] != ("id" if reference.has_id else "key"):
            return []
        model = found[0]
        if not Partner._merge_names_records(model):
            return []
        log = self.log_id
        readers = (
            self.env.user
            | (log.source_partner_id | log.target_partner_id)
            .with_context(active_test=False)
            .user_id
        )
        readable = set(ids)
        for reader in readers:
            readable &= set(Partner.with_user(reader)._merge_readable(model, readable))
        records = (
            self.env[model]
            .with_user(self.env.user)
            .with_context(active_test=False)
            .browse(sorted(readable))
        )
        return records.mapped("display_name")

    def _move_back_documents(self):
        """Consent documents back where they were attached before the merge,
        those still attached to the right customer. Returns their ids."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                UPDATE ir_attachment AS a
                   SET res_model = NULLIF(%s, ''), res_id = NULLIF(u.res_id, 0)
                  FROM unnest(%s::int[], %s::int[]) AS u(id, res_id)
                 WHERE a.id = u.id AND a.res_model = %s AND a.res_id = %s
             RETURNING a.id
                """,
                self.res_model or "",
                self.row_ids,
                self.key_values,
                self.model_name,
                self.target_id,
            )
        )
        self.env["ir.attachment"].invalidate_model(["res_model", "res_id"])
        return [row[0] for row in self.env.cr.fetchall()]


class CustomerOwnershipHistory(models.Model):
    _inherit = "customer.ownership.history"

    mode = fields.Selection(
        selection_add=[("unmerge", "Merge undone")], ondelete={"unmerge": "cascade"}
    )
