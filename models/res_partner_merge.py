from collections import defaultdict

from psycopg2 import errors

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date
from odoo.tools.translate import LazyTranslate

from .customer_linked_records import COUNTED_KINDS, LINKED_KINDS
from .customer_reference_redirect import ReferenceConflictError
from .query_plans import execute_through_indexes
from .res_partner import MERGE_MARK_FIELDS, context_flag, ownership_workflow

_lt = LazyTranslate(__name__)

MERGE_GROUPS = ("base.group_partner_manager", "sales_team.group_sale_manager")

# Consents are personal to the customer who gave them: a merge leaves the
# source's consents on it, archived with it, and moves their documents.
CONSENT_FIELD = ("customer.consent", "partner_id")


# Set while Odoo's merge wizard (Contacts > Action > Merge) has this module's
# engine merge its customers: the wizard then deletes its sources, which the
# engine keeps, archived and marked, for an undo.
engine_merge_for_odoo_wizard, in_engine_merge_for_odoo_wizard = context_flag(
    "crm_customer_ownership_engine_merge_for_odoo_wizard"
)


# History counter: the (model, field) references it counts the records of.
HISTORY_COUNTS = {kind.count_field: kind.merge_refs for kind in COUNTED_KINDS}

# The preview names what a merge moves the way its users do. The kinds of
# LINKED_KINDS name their own records (by their merge_refs, then by model);
# this names the rest, by (model, field) where the fields of one model mean
# different things, else by model. None hides what is Odoo's machinery or
# already shown by another line (an attendance is its appointment, a
# notification its message). Transient models are never shown, nor other
# models of Odoo's framework namespaces below; any other model shows under
# its own name (say "Sales Order").
MERGE_PREVIEW_LABELS = {
    ("res.partner", "merged_into_id"): _lt("Earlier Merged Customers"),
    ("mail.followers", "res_id"): _lt("Followers"),
    ("mail.followers", "partner_id"): _lt("Followed Documents"),
    "mail.message": _lt("Messages"),
    "mail.scheduled.message": _lt("Scheduled Messages"),
    "ir.attachment": _lt("Attachments"),
    "res.partner.bank": _lt("Bank Accounts"),
    "res.partner.category": _lt("Tags"),
    "discuss.channel.member": _lt("Discussion Channels"),
    "customer.ownership.history": _lt("Ownership History"),
    "customer.import.log.line": _lt("Import Log Entries"),
    "snailmail.letter": _lt("Letters"),
    # Never moved by a merge (CONSENT_FIELD); named for the delete refusal.
    ("customer.consent", "partner_id"): _lt("GDPR Consents"),
    "calendar.attendee": None,
    "mail.notification": None,
}
FRAMEWORK_MODEL_PREFIXES = (
    "auth",
    "base.",
    "bus.",
    "calendar.",
    "discuss.",
    "iap.",
    "ir.",
    "mail.",
    "portal.",
    "privacy.",
    "res.",
    "sms.",
    "snailmail.",
    "web",
)
# Models whose records people know by name although Odoo's framework
# declares them (a task, an appointment, a contact).
NAMED_FRAMEWORK_MODELS = frozenset(kind.model for kind in LINKED_KINDS)


class ResPartner(models.Model):
    # The merge lives in its own file although it extends res.partner like
    # res_partner.py: its rules and engine read better together than spread
    # over the partner's trash and transfer code.
    _inherit = "res.partner"

    # A merged customer stays, archived, until the trash retention has passed,
    # so that its merge can be undone.
    merged_into_id = fields.Many2one(
        "res.partner",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    merged_at = fields.Datetime(string="Merged on", readonly=True, copy=False)
    merged_by_id = fields.Many2one(
        "res.users", string="Merged by", readonly=True, copy=False
    )
    merged_external_ref = fields.Char(
        string="ERP Number Before Merge",
        readonly=True,
        copy=False,
        help="The ERP Number this customer had when it was merged; it no "
        "longer counts for imports, and comes back if the merge is undone.",
    )
    merge_log_count = fields.Integer(compute="_compute_merge_log_count")

    def _compute_merge_log_count(self):
        counts = dict(
            self.env["customer.merge.log"]._read_group(
                [("target_partner_id", "in", self.ids)],
                ["target_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.merge_log_count = counts.get(partner, 0)

    def action_view_merge_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm_customer_ownership.customer_merge_log_action"
        )
        action["domain"] = [("target_partner_id", "=", self.id)]
        return action

    def action_merge_from_list(self):
        """Action > Merge in the contacts list: the module's merge for its
        customers, Odoo's own merge dialog for other contacts."""
        OdooMerge = self.env["base.partner.merge.automatic.wizard"]
        if self._ownership_customers():
            return self.action_open_merge_wizard()
        if not OdooMerge.has_access("create"):
            raise AccessError(
                self.env._(
                    "Merging contacts that are not customers needs the Contact "
                    "Creation right: ask an administrator for it."
                )
            )
        action = self.env["ir.actions.actions"]._for_xml_id("base.action_partner_merge")
        action["context"] = {
            "active_model": "res.partner",
            "active_ids": self.ids,
            "active_id": self[:1].id,
        }
        return action

    def action_open_merge_wizard(self):
        """Open the merge wizard on two customers selected in a list, with
        its guess of which is the wrong one and which the right one."""
        if len(self) != 2:
            raise UserError(
                self.env._(
                    "Select exactly two customers to merge, the wrong one and "
                    "the right one (selected: %(count)s).",
                    count=len(self),
                )
            )
        self[0]._check_merge_permission(self[1])
        source, target = self._merge_direction()
        return self.env["customer.merge.wizard"]._action(
            context={
                "default_source_partner_id": source.id,
                "default_target_partner_id": target.id,
            }
        )

    def _merge_direction(self):
        """(wrong, right) of two customers: the way the merge rules accept;
        either way or neither, the right one is the synchronised one, else
        the one with an ERP Number, else the older one."""
        right, wrong = self.sorted(
            lambda partner: (
                not partner.is_synced,
                not partner.external_ref,
                partner.id,
            )
        )
        for source, target in ((wrong, right), (right, wrong)):
            try:
                source._check_merge_rules(target)
            except UserError:
                continue
            return source, target
        return wrong, right

    def unlink(self):
        partners = self
        if in_engine_merge_for_odoo_wizard():
            # Kept for the undo of their merge, which the engine has done.
            partners -= self.with_context(active_test=False).filtered("merged_into_id")
        # The purge (or anyone) deleting either customer of a merge ends the
        # chance to undo it; the log stays, naming both.
        self.env["customer.merge.log"].sudo().search(
            [
                "|",
                ("source_partner_id", "in", partners.ids),
                ("target_partner_id", "in", partners.ids),
                ("state", "=", "done"),
            ]
        ).write({"state": "expired"})
        partners._stamp_merge_log_owners()
        return super(ResPartner, partners).unlink()

    def _stamp_merge_log_owners(self):
        """Keep on the merge logs of these customers, about to be deleted, their
        salesperson as it is now: the log's record rule reads it once the
        link is emptied, so the log stays visible to exactly those who saw
        it (a restricted agent learns nothing of another's merge)."""
        if not self:
            return
        self.flush_recordset(["user_id"])
        MergeLog = self.env["customer.merge.log"]
        MergeLog.flush_model(["source_partner_id", "target_partner_id"])
        for side in ("source", "target"):
            # Through the indexes: planned from statistics, the customers
            # were read whole once per merge log (a nested loop over a
            # sequential scan of res_partner; tests/test_query_plans.py,
            # test_purge, in the order of the whole suite).
            execute_through_indexes(
                self.env,
                SQL(
                    "UPDATE customer_merge_log log SET %s = partner.user_id"
                    " FROM res_partner partner"
                    " WHERE log.%s = partner.id AND partner.id IN %s",
                    SQL.identifier(f"{side}_owner_id"),
                    SQL.identifier(f"{side}_partner_id"),
                    tuple(self.ids),
                ),
            )
        MergeLog.invalidate_model(["source_owner_id", "target_owner_id"])

    def _keep_as_archived(self, references):
        # A merged customer the purge cannot delete stays archived and
        # marked; its merge can no longer be undone.
        merged = self.filtered("merged_at")
        if merged:
            self.env["customer.merge.log"].sudo().search(
                [("source_partner_id", "in", merged.ids), ("state", "=", "done")]
            ).write({"state": "expired"})
            with ownership_workflow():
                merged.write({"merged_at": False})
        return super()._keep_as_archived(references)

    def _check_not_merged(self):
        """A merged customer lives on only for the undo of its merge: no
        trash, restore or transfer reaches it."""
        merged = self.with_context(active_test=False).filtered("merged_into_id")
        if merged:
            raise UserError(
                self.env._(
                    "Customer %(merged)s was merged into %(kept)s: it cannot be "
                    "moved to the trash, restored or transferred. Undo the merge "
                    "(the Merges button of %(kept)s, then Undo Merge) to bring it "
                    "back.",
                    merged=merged[0].display_name,
                    kept=merged[0]._merged_into_label(),
                )
            )

    # ------------------------------------------------------------------
    # Rules: one function each, all called by _check_merge_rules, which
    # every entry point (engine, wizard preview) goes through.
    # ------------------------------------------------------------------

    def _check_merge_rules(self, target):
        """Raise a UserError naming both customers and the fix unless this
        customer may be merged into ``target``."""
        self.ensure_one()
        target.ensure_one()
        self._check_merge_permission(target)
        self._check_merge_identity(target)
        self._check_merge_trash(target)
        self._check_merge_live(target)
        self._check_merge_structure(target)
        self._check_merge_sync(target)
        self._check_merge_consents(target)

    def _check_merge_permission(self, target):
        """Merging needs the contact-management or the sales administrator
        right, and write access to both customers."""
        names = self._merge_names(target)
        user = self.env.user
        if not self.env.su and not any(user.has_group(xmlid) for xmlid in MERGE_GROUPS):
            raise AccessError(
                self.env._(
                    "You may not merge customer %(merged)s into %(kept)s: merging "
                    "needs the Contact Creation right or the Sales Administrator "
                    "right, ask an administrator for one of them.",
                    **names,
                )
            )
        for partner in self | target:
            if not partner.has_access("write"):
                raise AccessError(
                    self.env._(
                        "You may not merge customer %(merged)s into %(kept)s "
                        "because you cannot modify %(partner)s: ask its "
                        "salesperson or an administrator to merge them.",
                        partner=partner.display_name,
                        **names,
                    )
                )

    def _check_merge_identity(self, target):
        """Two different customers of one company, not of one family, and the
        source is nobody's user account."""
        names = self._merge_names(target)
        if self == target:
            raise UserError(
                self.env._(
                    "Customer %(merged)s cannot be merged into itself: choose the "
                    "right customer to merge it into.",
                    **names,
                )
            )
        # First: a company's own partner belongs to no company or to another
        # one, and "different companies" would hide the real reason.
        self._check_merge_keeps_account_partner(target)
        if self.company_id != target.company_id:
            no_company = self.env._("no company")
            raise UserError(
                self.env._(
                    "Customers %(merged)s (%(merged_company)s) and %(kept)s "
                    "(%(kept_company)s) belong to different companies: only "
                    "customers of the same company can be merged.",
                    merged_company=self.company_id.display_name or no_company,
                    kept_company=target.company_id.display_name or no_company,
                    **names,
                )
            )
        # sudo and archived records too: a contact the user cannot see may
        # still link the two customers into one family.
        partners = self.sudo().with_context(active_test=False)
        if partners.search_count(
            [("id", "=", target.id), ("id", "child_of", self.id)]
        ) or partners.search_count(
            [("id", "=", self.id), ("id", "child_of", target.id)]
        ):
            raise UserError(
                self.env._(
                    "Customers %(merged)s and %(kept)s are a company and one of "
                    "its contacts: detach the contact from the company before "
                    "merging them.",
                    **names,
                )
            )

    def _merge_account_holders(self):
        """(users, companies) whose own partner this is: a merge never
        deletes it. sudo: contact managers may not list users, an archived
        user still owns its contact, and any company's partner counts,
        whether the user may read that company or not."""
        return tuple(
            self.env[model]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "=", self.id)])
            for model in ("res.users", "res.company")
        )

    def _merge_reverse_allowed(self, target):
        """Whether a refusal may propose the reverse merge (``target`` into
        this customer): never when ``target`` is a user's or a company's own
        partner, which is never merged away."""
        return not any(target._merge_account_holders())

    def _check_merge_keeps_account_partner(self, target):
        """The source is neither a user's contact nor a company's own
        partner: a merge deletes the source, for every merge path (Odoo's
        own included) and every user (administrators included)."""
        names = self._merge_names(target)
        users, companies = self._merge_account_holders()
        if users:
            raise UserError(
                self.env._(
                    "Customer %(merged)s is the contact of user %(user)s and "
                    "cannot be merged into %(kept)s: a user's own contact is "
                    "never merged away, so choose another customer as the "
                    "wrong one.",
                    user=", ".join(users.mapped("login")),
                    **names,
                )
            )
        if companies:
            raise UserError(
                self.env._(
                    "Customer %(merged)s is the partner of company %(company)s "
                    "and cannot be merged into %(kept)s: a company's own partner "
                    "cannot be merged, so choose another customer as the wrong "
                    "one.",
                    company=", ".join(companies.mapped("name")),
                    **names,
                )
            )

    def _check_merge_live(self, target):
        """Neither customer is merged or archived: a merge into a merged
        customer would go with it when the purge deletes it, and merges in
        a circle (A into B, B into A) would leave no customer at all."""
        for partner in (self | target).with_context(active_test=False):
            if partner.merged_into_id or partner.merged_at:
                raise UserError(
                    self.env._(
                        "Customer %(partner)s was itself merged into %(other)s, so "
                        "%(merged)s cannot be merged into %(kept)s: merge into "
                        "%(other)s instead, or undo the earlier merge first.",
                        partner=partner.display_name,
                        other=partner.merged_into_id.display_name
                        or self.env._("a deleted customer"),
                        **self._merge_names(target),
                    )
                )
            if not partner.active:
                raise UserError(
                    self.env._(
                        "Customer %(partner)s is archived, so %(merged)s cannot be "
                        "merged into %(kept)s: unarchive %(partner)s first.",
                        partner=partner.display_name,
                        **self._merge_names(target),
                    )
                )

    def _check_merge_trash(self, target):
        """Neither customer is in the trash: the trash hides a customer's
        linked records, which would stay hidden on the right customer or
        disappear into the trash with it."""
        for partner in self | target:
            if partner.trashed_at:
                raise UserError(
                    self.env._(
                        "Customer %(partner)s is in the trash, so %(merged)s cannot "
                        "be merged into %(kept)s: restore %(partner)s first.",
                        partner=partner.display_name,
                        **self._merge_names(target),
                    )
                )

    def _check_merge_structure(self, target):
        """Both customers lie on one line of the structure tree and the merge
        goes down it: the source's unit is the target's or above it. A
        customer without a unit stands for the whole organisation, above
        every unit."""
        # sudo: the rule compares positions in the tree, whatever units the
        # user may browse.
        source_unit = self.structure_unit_id.sudo()
        target_unit = target.structure_unit_id.sudo()
        if not source_unit or (
            target_unit and source_unit._is_ancestor_or_self_of(target_unit)
        ):
            return
        whole = self.env._("whole organisation")
        values = dict(
            self._merge_names(target),
            merged_unit=source_unit.complete_name,
            kept_unit=target_unit.complete_name or whole,
        )
        below = not target_unit or target_unit._is_ancestor_or_self_of(source_unit)
        if below and not self._merge_reverse_allowed(target):
            raise UserError(
                self.env._(
                    "Customer %(merged)s (%(merged_unit)s) lies below %(kept)s "
                    "(%(kept_unit)s) in the organisation and a merge goes from "
                    "the higher unit to the lower one; %(kept)s is a user's or "
                    "a company's own partner, which is never merged away: "
                    "choose another right customer.",
                    **values,
                )
            )
        if below:
            raise UserError(
                self.env._(
                    "Customer %(merged)s (%(merged_unit)s) lies below %(kept)s "
                    "(%(kept_unit)s) in the organisation and a merge goes from "
                    "the higher unit to the lower one: merge %(kept)s into "
                    "%(merged)s instead.",
                    **values,
                )
            )
        raise UserError(
            self.env._(
                "Customers %(merged)s (%(merged_unit)s) and %(kept)s "
                "(%(kept_unit)s) are in different channels, branches or "
                "departments: put them on one line of the organisation before "
                "merging them.",
                **values,
            )
        )

    def _check_merge_sync(self, target):
        """A synchronised customer is never merged into an unsynchronised one."""
        if not self.is_synced or target.is_synced:
            return
        if not self._merge_reverse_allowed(target):
            raise UserError(
                self.env._(
                    "Customer %(merged)s is synchronised with the ERP and "
                    "%(kept)s is not, and a synchronised customer is never "
                    "merged into an unsynchronised one; %(kept)s is a user's or "
                    "a company's own partner, which is never merged away: "
                    "choose another right customer.",
                    **self._merge_names(target),
                )
            )
        raise UserError(
            self.env._(
                "Customer %(merged)s is synchronised with the ERP and "
                "%(kept)s is not, and a synchronised customer is never "
                "merged into an unsynchronised one: merge %(kept)s into "
                "%(merged)s instead.",
                **self._merge_names(target),
            )
        )

    def _check_merge_consents(self, target):
        """Consents are not carried over: a source with consents needs a
        target with consents of its own."""
        if not self._merge_consents() or target._merge_consents():
            return
        if not self._merge_reverse_allowed(target):
            raise UserError(
                self.env._(
                    "Customer %(merged)s has GDPR consents and %(kept)s has "
                    "none, and a merge does not carry consents over: record the "
                    "consent on %(kept)s first.",
                    **self._merge_names(target),
                )
            )
        raise UserError(
            self.env._(
                "Customer %(merged)s has GDPR consents and %(kept)s has "
                "none, and a merge does not carry consents over: record the "
                "consent on %(kept)s first, or merge %(kept)s into "
                "%(merged)s instead.",
                **self._merge_names(target),
            )
        )

    # ------------------------------------------------------------------
    # Preview and engine
    # ------------------------------------------------------------------

    def _merge_preview(self, target=None):
        """What a merge of this customer into ``target`` moves, without
        changing anything, in its users' words: {"references": [{"label",
        "count", "duplicates"}], "consents": [...], "documents": [...]}. A
        line counts the records of one kind (visit reports, messages,
        followers…) linked to this customer that the user may read;
        duplicates are those whose every link ``target`` already has, which
        are dropped."""
        self.ensure_one()
        Redirect = self.env["customer.reference.redirect"]
        references = Redirect._find_references(
            "res.partner", exclude_fields={CONSENT_FIELD}
        )
        shown = {}
        for index, reference in enumerate(references):
            if found := self._merge_preview_kind(reference):
                shown[index] = found
        rows = Redirect._pointing_rows(
            references,
            "res.partner",
            {self.id: target.id if target else 0},
            {index: column for index, (*_kind, column) in shown.items()},
        )
        # {(order, label, model): {record id: every link is a duplicate}}:
        # one record linked through several fields counts once.
        linked = {}
        for index, record_id, duplicate in rows:
            records = linked.setdefault(shown[index][:3], {})
            records[record_id] = records.get(record_id, True) and duplicate
        lines = {}
        for (_order, label, model), records in sorted(linked.items()):
            readable = self._merge_readable(model, records)
            if not readable:
                continue
            line = lines.setdefault(
                label, {"label": label, "count": 0, "duplicates": 0}
            )
            line["count"] += len(readable)
            line["duplicates"] += sum(records[record_id] for record_id in readable)
        consents, documents = self._merge_consents_and_documents()
        return {
            "references": list(lines.values()),
            "consents": self._merge_consent_labels(consents),
            "documents": documents.mapped("name"),
        }

    def _merge_preview_kind(self, reference):
        """(order, label, model, column) of the preview line counting the
        records of ``reference``, or None if the preview does not show them:
        ``column`` holds the ids of the records of ``model`` in its rows."""
        found = self._merge_preview_field(reference)
        if found is None:
            return None
        model, fname, owner = found
        column = "id" if owner == "id" else reference.keys[0]
        return (*self._merge_preview_label(model, fname), model, column)

    def _merge_preview_field(self, reference):
        """(model, field, owner) of ``reference`` that names its records for
        people (the preview's line, the merge log's label), or None when the
        preview does not show them."""
        for model, fname, owner in reference.fields:
            if owner == "target" or self.env[model]._transient:
                continue
            if self._merge_preview_label(model, fname) is not None:
                return model, fname, owner
        return None

    def _merge_preview_label(self, model, fname):
        """(order, label) of the records of ``model`` linked through
        ``fname``, or None to leave them out: the kinds come first, in their
        declared order, then the other labels in alphabetical order."""
        others = len(COUNTED_KINDS)
        if (model, fname) in MERGE_PREVIEW_LABELS:
            label = MERGE_PREVIEW_LABELS[(model, fname)]
            return label and (others, self.env._(label))
        kind = next(
            (kind for kind in COUNTED_KINDS if (model, fname) in kind.merge_refs),
            None,
        ) or next((kind for kind in COUNTED_KINDS if kind.model == model), None)
        if kind:
            # The kind's label, translated with the history counter bearing it.
            History = self.env["customer.ownership.history"]
            label = History._fields[kind.count_field]._description_string(self.env)
            return COUNTED_KINDS.index(kind), label
        if model in MERGE_PREVIEW_LABELS:
            label = MERGE_PREVIEW_LABELS[model]
            return label and (others, self.env._(label))
        if model.startswith(FRAMEWORK_MODEL_PREFIXES):
            return None
        # sudo: model names are labels, not data.
        return others, self.env["ir.model"].sudo()._get(model).name

    def _merge_names_records(self, model):
        """Whether the records of ``model`` have names people know them by
        (a deal, a visit report, a task), rather than being Odoo's machinery
        (a follower row, a message)."""
        return model in NAMED_FRAMEWORK_MODELS or not (
            model.startswith(FRAMEWORK_MODEL_PREFIXES) or self.env[model]._transient
        )

    def _merge_readable(self, model, ids):
        """Those of ``ids`` the user may read: the preview counts nothing
        that the user cannot see."""
        Model = self.env[model].with_context(active_test=False)
        if not Model.has_access("read"):
            return []
        records = Model.search([("id", "in", list(ids))])
        if model == "mail.followers":
            # Anyone may read a follower row; what it follows is the secret.
            readable = self.env["mail.followers"]
            # sudo: the rows were found readable above.
            for res_model, followers in records.sudo().grouped("res_model").items():
                documents = self._merge_readable(
                    res_model, set(followers.mapped("res_id"))
                )
                readable |= followers.filtered(
                    lambda f, d=set(documents): f.res_id in d
                )
            records = readable
        return records.ids

    def _merge_into(self, target):
        """Merge this customer (the wrong one) into ``target`` (the right one).

        Every reference to this customer in every installed model moves to
        ``target`` (links ``target`` already has stay here), its consents stay
        with it and their documents are attached to ``target``, the merge is
        written to ``target``'s chatter and to the ownership history, and this
        customer is archived and marked as merged into ``target``: it leaves
        every list and lookup, and the trash purge deletes it once the
        retention has passed. On any refusal or failure nothing changes and a
        UserError says why.

        Returns the ``customer.merge.log`` of the merge, which records every
        row that moved so that ``action_undo`` can move exactly them back.
        """
        self.ensure_one()
        target.ensure_one()
        Redirect = self.env["customer.reference.redirect"]
        MergeLog = self.env["customer.merge.log"]
        names = self._merge_names(target)
        try:
            with self.env.cr.savepoint():
                self._merge_lock(target)
                self._check_merge_rules(target)
                source_name = self._merge_source_name()
                from_user = self.user_id
                consents, documents = self._merge_consents_and_documents()
                summary = {
                    "source_name": source_name,
                    "consents": self._merge_consent_labels(consents),
                    "documents": documents.mapped("name"),
                }
                lines = MergeLog._lines_from_documents(documents, target)
                documents.write({"res_model": target._name, "res_id": target.id})
                numbers, bank_lines = self._merge_bank_accounts(target)
                summary["bank_accounts"] = numbers
                references = Redirect._find_references(
                    "res.partner", exclude_fields={CONSENT_FIELD}
                )
                mapping = {self.id: target.id}
                results = Redirect._redirect_references(
                    references, "res.partner", mapping
                )
                lines += bank_lines + MergeLog._lines_from_redirect(
                    "res.partner", references, results, mapping
                )
                summary.update(
                    self._merge_summarize(references, results),
                    counts=self._merge_history_counts(references, results, mapping),
                )
                self._merge_write_history(
                    target, summary["counts"], source_name, from_user, "merge"
                )
                target.message_post(
                    body=self.env["ir.qweb"]._render(
                        "crm_customer_ownership.customer_merge_message", summary
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                self._merge_archive_source(target)
                log = MergeLog._create_for_merge(self, target, summary, lines)
        except ReferenceConflictError as conflict:
            # Named only now: the failed statement aborted the transaction
            # until the savepoint was rolled back.
            raise UserError(
                self.env._(
                    "Customer %(merged)s cannot be merged into %(kept)s: both "
                    "are linked to the same record in %(records)s, where only "
                    "one link is allowed, so nothing was changed; remove that "
                    "link of %(merged)s, then merge again.",
                    records=self._merge_reference_label(conflict.reference),
                    **names,
                )
            ) from conflict.error
        return log

    def _merge_lock(self, target):
        """Lock both customers, in the order of their ids, before the rules
        are checked: of two merges (or a merge and a transfer) touching one
        customer at once, of one pair, of a circle (A into B while B into
        A) or of one customer into two others, the second is refused at
        once with a clear message instead of moving half of the links. A
        merge that finds a customer changed since its transaction began
        gets PostgreSQL's serialization failure, which Odoo's request retry
        replays: the replay then meets the merge rules on the new data."""
        partners = self | target
        # Read before the lock: a refused lock aborts the transaction until
        # the merge's savepoint is rolled back.
        names = self._merge_names(target)
        try:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id"
                    " FOR NO KEY UPDATE NOWAIT",
                    partners.ids,
                ),
                log_exceptions=False,
            )
        except errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Customer %(merged)s or %(kept)s is being merged, transferred "
                    "or imported by someone else right now, so nothing was "
                    "changed: try again in a moment.",
                    **names,
                )
            ) from None
        # The rules read what the lock holder may have committed.
        partners.invalidate_recordset()

    def _merge_consents(self):
        # sudo: the GDPR rule holds whatever consents the user may read.
        return (
            self.env["customer.consent"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", self.ids)])
        )

    def _merge_consents_and_documents(self):
        """The consents of this customer and their documents: the signed
        documents and any file attached to the consent records."""
        consents = self._merge_consents()
        # sudo: like the consents, their files move whoever merges.
        documents = consents.document_ids | self.env["ir.attachment"].sudo().search(
            [("res_model", "=", consents._name), ("res_id", "in", consents.ids)]
        )
        return consents, documents

    def _merge_consent_labels(self, consents):
        return [
            self.env._(
                "%(purpose)s, granted on %(granted)s",
                purpose=consent.purpose,
                granted=format_date(self.env, consent.granted_on),
            )
            if consent.state == "granted"
            else self.env._(
                "%(purpose)s, granted on %(granted)s, revoked on %(revoked)s",
                purpose=consent.purpose,
                granted=format_date(self.env, consent.granted_on),
                revoked=format_date(self.env, consent.revoked_on),
            )
            for consent in consents
        ]

    def _merge_bank_accounts(self, target):
        """A bank account the target already has (same number) is the same
        account: what points at the source's copy is pointed at the target's
        and the copy stays with the source. Other accounts move with the
        other links. Returns (the numbers of the copies, merge log lines of
        what was pointed at the target's accounts)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT src.id, dst.id
                  FROM res_partner_bank src
                  JOIN res_partner_bank dst
                    ON dst.sanitized_acc_number = src.sanitized_acc_number
                 WHERE src.partner_id = %s AND dst.partner_id = %s
                """,
                self.id,
                target.id,
            )
        )
        duplicates = dict(self.env.cr.fetchall())
        if not duplicates:
            return [], []
        Redirect = self.env["customer.reference.redirect"]
        references = Redirect._find_references("res.partner.bank")
        results = Redirect._redirect_references(
            references, "res.partner.bank", duplicates
        )
        # sudo: account numbers of the customers being merged, for the audit.
        copies = self.env["res.partner.bank"].sudo().browse(list(duplicates))
        lines = self.env["customer.merge.log"]._lines_from_redirect(
            "res.partner.bank", references, results, duplicates
        )
        return copies.mapped("acc_number"), lines

    def _merge_reference_label(self, reference):
        """The records of ``reference`` named for people: as the merge
        preview and the delete refusal name them (Visit Reports, Followers),
        else by the model's translated name, never a table or field name."""
        for owners in (("id", "key"), ("target",)):
            for model, fname, owner in reference.fields:
                if owner in owners:
                    return self._linked_records_label(model, fname)
        # A column the ORM does not know (found in the database's catalogue).
        return self.env._("Other Records")

    def _merge_summarize(self, references, results):
        """{"moved": [{"label", "count"}], "dropped": [...]}: the rows each
        kind of record had moved or left, under the preview's labels (what
        the preview leaves out, the note leaves out too; the merge log keeps
        every row)."""
        summary = {}
        for key in ("moved", "dropped"):
            counts = defaultdict(int)
            for index, reference in enumerate(references):
                rows = results[index][key]
                if rows and (kind := self._merge_preview_kind(reference)):
                    counts[kind[:2]] += len(rows)
            summary[key] = [
                {"label": label, "count": count}
                for (_order, label), count in sorted(counts.items())
            ]
        return summary

    def _merge_history_counts(self, references, results, mapping):
        """Records of each kind the history counts that were linked to this
        customer, moved or already linked to the target."""
        Redirect = self.env["customer.reference.redirect"]
        records = Redirect._changed_records(
            references, results, mapping, ("moved", "dropped")
        )
        return {
            counter: len(set().union(*(records.get(key, ()) for key in keys)))
            for counter, keys in HISTORY_COUNTS.items()
        }

    def _merge_source_name(self):
        if self.external_ref:
            return f"{self.display_name} [{self.external_ref}]"
        return self.display_name

    def _merged_into_label(self):
        """The customer this one was merged into, named only to a user who
        may read it."""
        kept = self.merged_into_id
        if kept.has_access("read"):
            return kept.display_name
        return self.env._("a customer you cannot see")

    def _merge_names(self, target):
        return {"merged": self.display_name, "kept": target.display_name}

    def _merge_write_history(self, receiver, counts, source_name, from_user, mode):
        """History of ``receiver`` getting this customer's records (a merge,
        or the undo of one the other way round)."""
        # sudo: users only read the history; the engine writes it.
        self.env["customer.ownership.history"].sudo().create(
            dict(
                counts,
                partner_id=receiver.id,
                source_partner_id=self.id,
                source_name=source_name,
                from_user_id=from_user.id,
                to_user_id=receiver.user_id.id,
                mode=mode,
                origin="merge",
                user_id=self.env.uid,
            )
        )

    def _merge_archive_source(self, target):
        """Archive this customer and mark it as merged into ``target``. Its
        External ID is set aside: the salesperson's next import must find
        ``target``, not this customer, and the number must be free for it."""
        # sudo: the merge right stands for archiving the customer, whose
        # marks only the engine sets.
        with ownership_workflow():
            self.sudo().write(
                {
                    "active": False,
                    "merged_into_id": target.id,
                    "merged_at": fields.Datetime.now(),
                    "merged_by_id": self.env.uid,
                    "merged_external_ref": self.external_ref,
                    "external_ref": False,
                }
            )

    def _merge_restore_source(self, failures):
        """Make this merged customer active and unmarked again, with its
        External ID unless another customer of its salesperson took it
        since (then ``failures`` says so)."""
        self.ensure_one()
        vals = dict.fromkeys(MERGE_MARK_FIELDS, False)
        vals["active"] = True
        number = self.merged_external_ref
        if number:
            # sudo: the number is unique per salesperson, whoever may see
            # the other customers.
            holder = (
                self.sudo()
                .with_context(active_test=False)
                .search(
                    [("user_id", "=", self.user_id.id), ("external_ref", "=", number)],
                    limit=1,
                )
            )
            if holder:
                failures.append(
                    self.env._(
                        "ERP Number %(number)s: customer %(holder)s has it now, "
                        "so %(merged)s was restored without it.",
                        number=number,
                        holder=holder.display_name,
                        merged=self.display_name,
                    )
                )
            else:
                vals["external_ref"] = number
        # sudo: the merge marks are the engine's; the undo checked the merge
        # right on both customers.
        with ownership_workflow():
            self.sudo().write(vals)
